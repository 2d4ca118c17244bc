package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iotguard/iotguard/store"
)

// micros is a time as stored: microseconds since the Unix epoch.
func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

// microsPtr is a nullable time as stored.
func microsPtr(t *time.Time) *int64 {
	if t == nil {
		return nil
	}
	v := t.UnixMicro()
	return &v
}

func fromMicrosPtr(us *int64) *time.Time {
	if us == nil {
		return nil
	}
	t := fromMicros(*us)
	return &t
}

// truncPtr brings a caller's time to the stored precision, so what a
// method returns equals what a later read returns.
func truncPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC().Truncate(time.Microsecond)
	return &v
}

// crockford is the base32 alphabet of ULIDs: no I, L, O, U.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// newID returns a 26-character ULID-style ID: 48 bits of milliseconds then
// 80 random bits, so IDs sort by creation time and keyset pages by ID are
// chronological.
func newID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(fmt.Sprintf("sqlstore: crypto/rand: %v", err))
	}
	// 128 bits as 26 base32 digits (the first carries 3 bits).
	var out [26]byte
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$`)

// checkID validates an identifier given by a client (solution, device,
// tenant IDs): 1-128 characters, letters, digits and . _ : @ -.
func checkID(kind, id string) error {
	if !idPattern.MatchString(id) {
		return fmt.Errorf("%s ID %q: use 1-128 letters, digits, '.', '_', ':', '@' or '-', starting with a letter or digit: %w", kind, truncate(id, 40), store.ErrInvalid)
	}
	return nil
}

// checkText validates free text: valid UTF-8 (PostgreSQL rejects anything
// else), no NUL, at most max bytes.
func checkText(field, s string, max int) error {
	switch {
	case !utf8.ValidString(s):
		return fmt.Errorf("%s is not valid UTF-8: %w", field, store.ErrInvalid)
	case strings.ContainsRune(s, 0):
		return fmt.Errorf("%s contains a NUL character: %w", field, store.ErrInvalid)
	case len(s) > max:
		return fmt.Errorf("%s is longer than %d bytes: %w", field, max, store.ErrInvalid)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// actorName is the audit log's actor: the display name and user ID the
// caller gave. A change without an actor is refused: the log must say who.
func actorName(by store.Actor) (string, error) {
	name, id := strings.TrimSpace(by.Name), strings.TrimSpace(by.UserID)
	var s string
	switch {
	case name != "" && id != "":
		s = name + " (" + id + ")"
	case name != "":
		s = name
	case id != "":
		s = id
	default:
		return "", fmt.Errorf("a change needs an actor: %w", store.ErrInvalid)
	}
	if err := checkText("actor", s, 512); err != nil {
		return "", err
	}
	return s, nil
}

// limit is a page size: 0 means 50, the maximum is 1000.
func limit(p store.Page) (int, error) {
	switch {
	case p.Limit == 0:
		return 50, nil
	case p.Limit < 0 || p.Limit > 1000:
		return 0, fmt.Errorf("page limit %d: use 1-1000: %w", p.Limit, store.ErrInvalid)
	}
	return p.Limit, nil
}

// cursor is the opaque position after the last row of a page: the sort it
// belongs to and that row's sort values. It only positions a query that
// is confined to the caller's tenant anyway, so it needs no signature.
type cursor struct {
	Sort string `json:"s"`
	Str  string `json:"k,omitempty"`
	Num  int64  `json:"n,omitempty"`
	ID   string `json:"i"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor reads a cursor made for sort; "" is the first page.
func decodeCursor(s, sort string) (*cursor, error) {
	if s == "" {
		return nil, nil
	}
	bad := fmt.Errorf("page cursor is not valid for this list: %w", store.ErrInvalid)
	if len(s) > 1024 {
		return nil, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, bad
	}
	var c cursor
	if err := json.Unmarshal(b, &c); err != nil || c.Sort != sort {
		return nil, bad
	}
	return &c, nil
}

// queryPage runs a keyset page query that asked for n+1 rows and scans
// them: the page holds up to n, and more says whether a next page exists.
func queryPage[T any](ctx context.Context, q querier, what, sql string, args []any, n int, scan func(rowScanner) (T, error)) (page []T, more bool, err error) {
	rows, err := q.query(ctx, sql, args...)
	if err != nil {
		return nil, false, dbErr(what, err)
	}
	defer rows.Close()
	page = []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, false, dbErr(what, err)
		}
		page = append(page, v)
	}
	if err := rows.Err(); err != nil {
		return nil, false, dbErr(what, err)
	}
	if len(page) > n {
		return page[:n], true, nil
	}
	return page, false, nil
}
