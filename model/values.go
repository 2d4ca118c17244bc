package model

import (
	"fmt"
	"strings"
	"time"
)

// Timestamp is a point in time written as a date (2026-03-01) or an RFC 3339
// time (2026-03-01T10:00:00Z). Dates mean midnight UTC.
type Timestamp struct{ time.Time }

// timeLayouts are the accepted forms with a time of day; a date is
// recognised by its length first, since inventories hold millions of
// timestamps and a failed time.Parse costs allocations.
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05"}

// ParseTimestamp reads a date or RFC 3339 time.
func ParseTimestamp(s string) (Timestamp, error) {
	s = strings.TrimSpace(s)
	if len(s) == len("2006-01-02") {
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return Timestamp{t.UTC()}, nil
		}
	} else {
		for _, layout := range timeLayouts {
			if t, err := time.Parse(layout, s); err == nil {
				return Timestamp{t.UTC()}, nil
			}
		}
	}
	return Timestamp{}, fmt.Errorf("%q is not a date (YYYY-MM-DD) or time (RFC 3339, e.g. 2026-03-01T10:00:00Z)", s)
}

// parseUTC reads the two forms inventories hold millions of, 2026-03-01
// and 2026-03-01T10:00:00Z, without allocating; ok is false for anything
// else, which ParseTimestamp then reads (or rejects) as time.Parse does.
func parseUTC(b []byte) (t time.Time, ok bool) {
	if len(b) != 10 && len(b) != 20 {
		return time.Time{}, false
	}
	num := func(i, n int) (int, bool) {
		v := 0
		for _, c := range b[i : i+n] {
			if c < '0' || c > '9' {
				return 0, false
			}
			v = v*10 + int(c-'0')
		}
		return v, true
	}
	year, ok1 := num(0, 4)
	month, ok2 := num(5, 2)
	day, ok3 := num(8, 2)
	if !ok1 || !ok2 || !ok3 || b[4] != '-' || b[7] != '-' || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) {
		return time.Time{}, false
	}
	if len(b) == 10 {
		return time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC), true
	}
	hour, ok1 := num(11, 2)
	minute, ok2 := num(14, 2)
	sec, ok3 := num(17, 2)
	if !ok1 || !ok2 || !ok3 || b[10] != 'T' || b[13] != ':' || b[16] != ':' || b[19] != 'Z' || hour > 23 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	return time.Date(year, time.Month(month), day, hour, minute, sec, 0, time.UTC), true
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// UnmarshalText implements encoding.TextUnmarshaler for YAML, JSON and CSV.
func (t *Timestamp) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*t = Timestamp{}
		return nil
	}
	if v, ok := parseUTC(b); ok {
		*t = Timestamp{v}
		return nil
	}
	v, err := ParseTimestamp(string(b))
	if err != nil {
		return err
	}
	*t = v
	return nil
}

// MarshalText writes a date when there is no time of day.
func (t Timestamp) MarshalText() ([]byte, error) {
	if t.IsZero() {
		return []byte(""), nil
	}
	u := t.UTC()
	if u.Hour() == 0 && u.Minute() == 0 && u.Second() == 0 && u.Nanosecond() == 0 {
		return []byte(u.Format("2006-01-02")), nil
	}
	return []byte(u.Format(time.RFC3339)), nil
}

// MarshalJSON writes the text form; without it the embedded time.Time's
// JSON methods would win over MarshalText.
func (t Timestamp) MarshalJSON() ([]byte, error) {
	b, _ := t.MarshalText()
	return []byte(`"` + string(b) + `"`), nil
}

// UnmarshalJSON accepts the same forms as UnmarshalText, and an empty
// string or null for "not set".
func (t *Timestamp) UnmarshalJSON(b []byte) error {
	s := string(b)
	if s == "null" || s == `""` {
		*t = Timestamp{}
		return nil
	}
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return fmt.Errorf("%s is not a date string (YYYY-MM-DD or RFC 3339)", truncateForError(s))
	}
	return t.UnmarshalText([]byte(s[1 : len(s)-1]))
}

func truncateForError(s string) string {
	if len(s) > 40 {
		return s[:37] + "..."
	}
	return s
}

// String formats the timestamp as MarshalText does.
func (t Timestamp) String() string {
	b, _ := t.MarshalText()
	return string(b)
}

// Set reports whether the timestamp was given.
func (t Timestamp) Set() bool { return !t.IsZero() }

// DaysUntil returns whole days from now until t (negative when past).
func (t Timestamp) DaysUntil(now time.Time) int {
	return int(t.Sub(now).Hours() / 24)
}

// enum validates s against valid, naming the valid values when it fails.
// enumBytes is enum for text being decoded; a valid value costs no
// allocation (inventories hold millions of them).
func enumBytes[T ~string](what string, b []byte, valid []T) (T, error) {
	for _, v := range valid {
		if string(v) == string(b) {
			return v, nil
		}
	}
	return enum(what, string(b), valid)
}

func enum[T ~string](what string, s string, valid []T) (T, error) {
	for _, v := range valid {
		if string(v) == s {
			return v, nil
		}
	}
	names := make([]string, len(valid))
	for i, v := range valid {
		names[i] = string(v)
	}
	hint := ""
	for _, n := range names {
		if strings.EqualFold(n, s) {
			hint = fmt.Sprintf(" (did you mean %s?)", n)
		}
	}
	return "", fmt.Errorf("%q is not a valid %s%s: use one of %s", s, what, hint, strings.Join(names, ", "))
}

// Lifecycle is a device's life-cycle state.
type Lifecycle string

// Device life-cycle states.
const (
	Provisioned    Lifecycle = "provisioned"
	Active         Lifecycle = "active"
	Decommissioned Lifecycle = "decommissioned"
	RMA            Lifecycle = "rma"
)

// LifecycleStates lists the valid states.
var LifecycleStates = []Lifecycle{Provisioned, Active, Decommissioned, RMA}

// UnmarshalText validates the state.
func (l *Lifecycle) UnmarshalText(b []byte) (err error) {
	*l, err = enumBytes("lifecycle state", b, LifecycleStates)
	return err
}

// Retired reports whether the device should no longer operate.
func (l Lifecycle) Retired() bool { return l == Decommissioned || l == RMA }

// LocationClass says how physically protected a device's location is.
type LocationClass string

// Location classes.
const (
	Secured    LocationClass = "secured"
	Unattended LocationClass = "unattended"
	Outdoor    LocationClass = "outdoor"
	Public     LocationClass = "public"
)

// LocationClasses lists the valid location classes.
var LocationClasses = []LocationClass{Secured, Unattended, Outdoor, Public}

// UnmarshalText validates the class.
func (l *LocationClass) UnmarshalText(b []byte) (err error) {
	*l, err = enumBytes("location class", b, LocationClasses)
	return err
}

// Exposed reports whether the location is outside physically secured areas.
func (l LocationClass) Exposed() bool { return l == Unattended || l == Outdoor || l == Public }

// CredentialState says how a device's login credentials were set.
type CredentialState string

// Credential states.
const (
	CredDefault CredentialState = "default" // factory default, unchanged
	CredShared  CredentialState = "shared"  // same secret on several devices
	CredUnique  CredentialState = "unique"  // unique per device
	CredNone    CredentialState = "none"    // no password login (e.g. certificate only)
)

// CredentialStates lists the valid credential states.
var CredentialStates = []CredentialState{CredDefault, CredShared, CredUnique, CredNone}

// UnmarshalText validates the state.
func (c *CredentialState) UnmarshalText(b []byte) (err error) {
	*c, err = enumBytes("credential state", b, CredentialStates)
	return err
}

// Severity ranks findings.
type Severity string

// Severities, most severe first.
const (
	Critical Severity = "critical"
	High     Severity = "high"
	Medium   Severity = "medium"
	Low      Severity = "low"
	Info     Severity = "info"
)

// Severities lists the severities, most severe first.
var Severities = []Severity{Critical, High, Medium, Low, Info}

// UnmarshalText validates the severity.
func (s *Severity) UnmarshalText(b []byte) (err error) {
	*s, err = enumBytes("severity", b, Severities)
	return err
}

// Rank orders severities: critical is 4, info 0, unknown -1.
func (s Severity) Rank() int {
	switch s {
	case Critical:
		return 4
	case High:
		return 3
	case Medium:
		return 2
	case Low:
		return 1
	case Info:
		return 0
	}
	return -1
}

// AtLeast reports whether s is as severe as min or more.
func (s Severity) AtLeast(min Severity) bool { return s.Rank() >= min.Rank() }

// ControlStatus is the roll-up status of a control.
type ControlStatus string

// Control statuses, from best to worst; not-applicable and not-assessed
// stand apart.
const (
	Implemented          ControlStatus = "implemented"
	PartiallyImplemented ControlStatus = "partially-implemented"
	NotImplemented       ControlStatus = "not-implemented"
	NotApplicable        ControlStatus = "not-applicable"
	NotAssessed          ControlStatus = "not-assessed"
)

// ControlStatuses lists every status.
var ControlStatuses = []ControlStatus{Implemented, PartiallyImplemented, NotImplemented, NotApplicable, NotAssessed}

// UnmarshalText validates the status.
func (c *ControlStatus) UnmarshalText(b []byte) (err error) {
	*c, err = enumBytes("control status", b, ControlStatuses)
	return err
}

// TLSVersion is a TLS protocol version such as "1.2"; "none" means
// plaintext.
type TLSVersion string

// TLS versions in ascending order; ssl2 and ssl3 are the SSL versions a
// scan may still find.
var TLSVersions = []TLSVersion{"none", "ssl2", "ssl3", "1.0", "1.1", "1.2", "1.3"}

// UnmarshalText validates the version; "TLS1.2", "tls1.2" and "1.2" are
// all accepted.
func (v *TLSVersion) UnmarshalText(b []byte) (err error) {
	for _, x := range TLSVersions {
		if string(x) == string(b) { // the canonical spelling, without allocating
			*v = x
			return nil
		}
	}
	s := strings.ToLower(strings.TrimSpace(string(b)))
	s = strings.TrimPrefix(strings.TrimPrefix(s, "tlsv"), "tls")
	switch s {
	case "sslv2", "ssl2.0", "sslv2.0":
		s = "ssl2"
	case "sslv3", "ssl3.0", "sslv3.0":
		s = "ssl3"
	}
	*v, err = enum("TLS version", strings.TrimSpace(s), TLSVersions)
	return err
}

// Rank orders versions; none is 0, unknown -1.
func (v TLSVersion) Rank() int {
	for i, x := range TLSVersions {
		if x == v {
			return i
		}
	}
	return -1
}
