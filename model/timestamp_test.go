package model

// go test ./model -run=^$ -fuzz=FuzzParseUTC -fuzztime=60s

import (
	"testing"
)

// FuzzParseUTC holds the allocation-free timestamp reader to
// ParseTimestamp: where it answers, ParseTimestamp gives the same instant.
func FuzzParseUTC(f *testing.F) {
	for _, s := range []string{"2026-03-01", "2026-03-01T10:00:00Z", "2024-02-29", "2023-02-29", "2026-13-01",
		"2026-04-31T00:00:00Z", "2026-03-01T24:00:00Z", "2026-03-01T23:59:60Z", "0000-01-01", "9999-12-31T23:59:59Z",
		"2026-03-01t10:00:00z", "2026-03-01 10:00:00", "+026-03-01", "2026-3-01T10:00:00Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseUTC([]byte(s))
		want, err := ParseTimestamp(s)
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("parseUTC accepted %q, which ParseTimestamp rejects: %v", s, err)
		}
		if !got.Equal(want.Time) || got.Location() != want.Location() {
			t.Fatalf("parseUTC(%q) = %v, ParseTimestamp = %v", s, got, want.Time)
		}
	})
}

func TestParseUTCTakesTheCommonForms(t *testing.T) {
	for _, s := range []string{"2026-03-01", "2026-03-01T10:00:00Z", "2024-02-29", "2000-02-29T23:59:59Z"} {
		if _, ok := parseUTC([]byte(s)); !ok {
			t.Errorf("parseUTC(%q) left it to the slow path", s)
		}
	}
	for _, s := range []string{"2023-02-29", "1900-02-29", "2026-04-31", "2026-03-01T24:00:00Z", "2026-03-01T10:00:00+01:00", " 2026-03-01"} {
		if _, ok := parseUTC([]byte(s)); ok {
			t.Errorf("parseUTC(%q) took it", s)
		}
	}
}
