package vulndb

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxSize bounds one OSV record, OSV file, KEV catalogue or small NVD
// document read into memory (after gzip decompression).
const MaxSize = 64 << 20

// MaxFeedSize bounds an NVD feed or API response, which is streamed record
// by record rather than read whole.
const MaxFeedSize = 4 << 30

// ErrFormat is matched (errors.Is) by every error about malformed input, as
// opposed to I/O errors.
var ErrFormat = errors.New("invalid vulnerability data")

// FormatError describes malformed input: the file, where in it (a JSON path
// like affected[0].ranges[1].events, or a line and column) and what is wrong.
type FormatError struct {
	Name string
	Path string
	Msg  string
	// other marks well-formed JSON of another kind (a schema, a config
	// file): import skips such members of directories and zips.
	other bool
}

func (e *FormatError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("%s: %s", e.Name, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", e.Name, e.Path, e.Msg)
}

// Is makes errors.Is(err, ErrFormat) true.
func (e *FormatError) Is(target error) bool { return target == ErrFormat }

func formatErr(name, path, msg string) error {
	return &FormatError{Name: name, Path: path, Msg: msg}
}

// jsonErr turns encoding/json errors into FormatErrors with a line and
// column, and the field path for type errors.
func jsonErr(name string, data []byte, err error) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return err
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		if strings.Contains(syn.Error(), "unexpected end") {
			return formatErr(name, lineCol(data, syn.Offset), "truncated JSON")
		}
		// Offset counts the offending byte too.
		return formatErr(name, lineCol(data, max(syn.Offset-1, 0)), "malformed JSON: "+syn.Error())
	case errors.As(err, &typ):
		where := lineCol(data, typ.Offset)
		if typ.Field != "" {
			where += " (" + typ.Field + ")"
		}
		return formatErr(name, where, fmt.Sprintf("expected %s, found JSON %s", typ.Type, typ.Value))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return formatErr(name, "", "truncated JSON")
	}
	return formatErr(name, "", cleanJSONErr(err).Error())
}

func cleanJSONErr(err error) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errors.New("truncated JSON")
	}
	return err
}

func lineCol(data []byte, off int64) string {
	if off < 0 || off > int64(len(data)) {
		return fmt.Sprintf("offset %d", off)
	}
	line := 1 + bytes.Count(data[:off], []byte{'\n'})
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Sprintf("line %d, column %d", line, col)
}

func tooLarge(name string, limit int64) error {
	return fmt.Errorf("%s: input is larger than the %d MiB limit; split the file (osv.dev publishes one record per file, NVD one feed per year)", name, limit>>20)
}

// readLimited reads all of r, refusing more than limit bytes.
func readLimited(name string, r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, tooLarge(name, limit)
	}
	return data, nil
}

// parseTime reads RFC 3339 times, NVD's zone-less times (UTC) and dates.
func parseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date or RFC 3339 time", clip(s, 40))
}

// Document is whatever one file held; exactly one of the fields is
// non-nil.
type Document struct {
	OSV  []OSV
	CVEs []CVE
	KEV  *KEV
}

// Kind names the document's format: osv, nvd or kev.
func (d *Document) Kind() string {
	switch {
	case d.KEV != nil:
		return kindKEV
	case d.CVEs != nil:
		return kindNVD
	}
	return kindOSV
}

// Parse reads one file of any supported kind, told apart by content: OSV
// records, NVD CVE JSON 2.0 or the CISA KEV catalogue. gzip input is
// decompressed. Input larger than MaxSize (after decompression) is refused;
// ParseFile and ParseNVD stream NVD feeds up to MaxFeedSize.
func Parse(name string, r io.Reader) (*Document, error) {
	return parseDoc(name, r, MaxSize)
}

// ParseFile is Parse for a file on disk, streaming NVD feeds.
func ParseFile(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseDoc(path, f, MaxFeedSize)
}

func parseDoc(name string, r io.Reader, nvdLimit int64) (*Document, error) {
	doc := &Document{}
	kind, err := decodeStream(name, r, nvdLimit, docSink{
		osv: func(o *OSV) error { doc.OSV = append(doc.OSV, *o); return nil },
		cve: func(c *CVE) error { doc.CVEs = append(doc.CVEs, *c); return nil },
		kev: func(k *KEV) error { doc.KEV = k; return nil },
	})
	if err != nil {
		return nil, err
	}
	switch kind {
	case kindNVD:
		doc.CVEs = nonNil(doc.CVEs)
	case kindOSV:
		doc.OSV = nonNil(doc.OSV)
	}
	return doc, nil
}

// docSink receives what a file holds, record by record.
type docSink struct {
	osv func(*OSV) error
	cve func(*CVE) error
	kev func(*KEV) error
}

// decodeStream reads one file (gzip or not). NVD responses and feeds are
// streamed up to nvdLimit; anything else is read whole, up to MaxSize.
// sizeHint (the file size when known, else 0) sizes the buffer once.
func decodeStream(name string, r io.Reader, nvdLimit int64, sink docSink) (string, error) {
	return decodeSized(name, r, 0, nvdLimit, false, sink)
}

func decodeSized(name string, r io.Reader, sizeHint, nvdLimit int64, gunzipped bool, sink docSink) (string, error) {
	limit := min(MaxSize, nvdLimit)
	buf := make([]byte, 0, min(max(sizeHint, 4096), limit)+1)
	readErr := func(err error) error {
		if gunzipped {
			return formatErr(name, "", "bad gzip data: "+err.Error())
		}
		return fmt.Errorf("%s: %w", name, err)
	}
	n, err := io.ReadFull(r, buf[:min(cap(buf), 4096)])
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", readErr(err)
	}
	head := buf[:n]
	rest := io.MultiReader(bytes.NewReader(head), r)
	switch {
	case !gunzipped && len(head) >= 2 && head[0] == 0x1f && head[1] == 0x8b:
		zr, err := gzip.NewReader(rest)
		if err != nil {
			return "", formatErr(name, "", "bad gzip data: "+err.Error())
		}
		return decodeSized(name, zr, 0, nvdLimit, true, sink)
	case bytes.Contains(head, []byte(`"NVD_CVE"`)):
		return kindNVD, streamNVD(name, rest, nvdLimit, func(c CVE) error { return sink.cve(&c) })
	}
	if n == min(cap(buf), 4096) { // more to read
		buf = buf[:n]
		for {
			if int64(len(buf)) > limit {
				return "", tooLarge(name, limit)
			}
			if len(buf) == cap(buf) {
				buf = slices.Grow(buf, min(len(buf), int(limit)+1-len(buf)))
			}
			m, err := r.Read(buf[len(buf):min(cap(buf), int(limit)+1)])
			buf = buf[:len(buf)+m]
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return "", readErr(err)
			}
		}
		if int64(len(buf)) > limit {
			return "", tooLarge(name, limit)
		}
		head = buf
	}
	return parseBytes(name, head, sink)
}

// Document kinds.
const (
	kindOSV = "osv"
	kindNVD = "nvd"
	kindKEV = "kev"
)

// sniff holds the top-level keys that tell the formats apart.
type sniff struct {
	ID               *string         `json:"id"`
	CatalogVersion   *string         `json:"catalogVersion"`
	Vulnerabilities  json.RawMessage `json:"vulnerabilities"`
	Configurations   json.RawMessage `json:"configurations"`
	SourceIdentifier *string         `json:"sourceIdentifier"`
	VulnStatus       *string         `json:"vulnStatus"`
	CVEItems         json.RawMessage `json:"CVE_Items"`
}

func parseBytes(name string, data []byte, sink docSink) (string, error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return "", formatErr(name, "", "empty file")
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return "", formatErr(name, lineCol(data, 0), "expected JSON: an OSV record, NVD CVE JSON or the KEV catalogue")
	}
	var s sniff
	if trimmed[0] == '{' && !plainOSV(trimmed) {
		if err := json.Unmarshal(trimmed, &s); err != nil {
			return "", jsonErr(name, trimmed, err)
		}
	}
	switch {
	case s.CatalogVersion != nil || (s.Vulnerabilities != nil && bytes.Contains(s.Vulnerabilities[:min(len(s.Vulnerabilities), 512)], []byte(`"cveID"`))):
		k, err := parseKEVBytes(name, trimmed)
		if err != nil {
			return "", err
		}
		return kindKEV, sink.kev(k)
	case s.Vulnerabilities != nil || s.CVEItems != nil || s.Configurations != nil || s.SourceIdentifier != nil || s.VulnStatus != nil:
		return kindNVD, streamNVD(name, bytes.NewReader(trimmed), int64(len(trimmed)), func(c CVE) error { return sink.cve(&c) })
	}
	recs, err := parseOSVBytes(name, trimmed)
	if err != nil {
		return "", err
	}
	for i := range recs {
		if err := sink.osv(&recs[i]); err != nil {
			return "", err
		}
	}
	return kindOSV, nil
}

// nvdKEVMarkers are keys only NVD or KEV documents have.
var nvdKEVMarkers = [][]byte{[]byte(`"vulnerabilities"`), []byte(`"configurations"`), []byte(`"sourceIdentifier"`),
	[]byte(`"vulnStatus"`), []byte(`"catalogVersion"`), []byte(`"CVE_Items"`)}

// plainOSV reports that a document mentions none of the NVD and KEV keys
// anywhere, so it can only be OSV: the sniffing pass is skipped for the
// bulk of an osv.dev import.
func plainOSV(data []byte) bool {
	for _, m := range nvdKEVMarkers {
		if bytes.Contains(data, m) {
			return false
		}
	}
	return true
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// clean makes third-party text safe to print: control and bidi characters
// become spaces, runs of spaces collapse, invalid UTF-8 is replaced, and
// the result is cut to max bytes at a rune boundary.
func clean(s string, max int) string {
	if len(s) <= max && printable(s) {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	space := true // drop leading spaces
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u2028' || r == '\u2029' {
			if !space {
				b.WriteByte(' ')
				space = true
			}
			continue
		}
		if b.Len()+utf8.RuneLen(r) > max {
			break
		}
		b.WriteRune(r)
		space = false
	}
	return strings.TrimRight(b.String(), " ")
}

// printable reports whether s is ASCII text without control characters or
// doubled spaces (what clean would return unchanged, modulo trimming).
func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c >= 0x7f || (c == ' ' && i > 0 && s[i-1] == ' ') {
			return false
		}
	}
	return true
}

// clip shortens s for error messages.
func clip(s string, n int) string {
	s = clean(s, n+3)
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// summarize returns the first sentence or line of a description, cut to
// max bytes at a word boundary.
func summarize(s string, max int) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "\n"); i > 0 {
		s = s[:i]
	}
	s = clean(s, 4*max)
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndexByte(s[:max], ' ')
	if cut < max/2 {
		cut = max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	}
	return strings.TrimRight(s[:cut], " ,;:") + "..."
}
