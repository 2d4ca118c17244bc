package model

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestTimestampJSON(t *testing.T) {
	var d struct {
		A Timestamp `json:"a"`
		B Timestamp `json:"b"`
		C Timestamp `json:"c"`
	}
	if err := json.Unmarshal([]byte(`{"a":"2026-03-01","b":"2026-03-01T10:00:00Z","c":""}`), &d); err != nil {
		t.Fatal(err)
	}
	out, _ := json.Marshal(d)
	if got, want := string(out), `{"a":"2026-03-01","b":"2026-03-01T10:00:00Z","c":""}`; got != want {
		t.Errorf("round trip = %s, want %s", got, want)
	}
	err := json.Unmarshal([]byte(`{"a":"1 March"}`), &d)
	if err == nil || !strings.Contains(err.Error(), "YYYY-MM-DD") {
		t.Errorf("bad date error = %v", err)
	}
	if err := json.Unmarshal([]byte(`{"a":5}`), &d); err == nil {
		t.Error("number accepted as a date")
	}
}

func TestEnumsListValidValues(t *testing.T) {
	var l Lifecycle
	err := l.UnmarshalText([]byte("Active"))
	if err == nil || !strings.Contains(err.Error(), "did you mean active?") || !strings.Contains(err.Error(), "provisioned, active, decommissioned, rma") {
		t.Errorf("lifecycle error = %v", err)
	}
	var v TLSVersion
	for in, want := range map[string]TLSVersion{"TLS1.2": "1.2", "tlsv1.3": "1.3", "1.0": "1.0", "none": "none"} {
		if err := v.UnmarshalText([]byte(in)); err != nil || v != want {
			t.Errorf("TLS %q = %q, %v", in, v, err)
		}
	}
	if err := v.UnmarshalText([]byte("ssl4")); err == nil {
		t.Error("ssl4 accepted")
	}
}

func TestPolicyDefaults(t *testing.T) {
	p := Policy{StaleDeviceDays: 30}.WithDefaults()
	if p.StaleDeviceDays != 30 || p.MinRSABits != 2048 || p.MinTLS != "1.2" || p.PatchSLADays.Critical != 14 {
		t.Errorf("defaults not applied: %+v", p)
	}
}

func TestParseTimestampAllocations(t *testing.T) {
	for _, s := range []string{"2026-03-01T10:00:00Z", "2026-03-01"} {
		if n := testing.AllocsPerRun(100, func() { ParseTimestamp(s) }); n > 0 {
			t.Errorf("ParseTimestamp(%q) allocates %v times", s, n)
		}
	}
	for in, want := range map[string]string{"2026-03-01": "2026-03-01", "2026-03-01T10:00:00Z": "2026-03-01T10:00:00Z",
		"2026-03-01 10:00:00": "2026-03-01T10:00:00Z", "2026-03-01T10:00:00.5+02:00": "2026-03-01T08:00:00Z"} {
		got, err := ParseTimestamp(in)
		if err != nil || got.String() != want {
			t.Errorf("ParseTimestamp(%q) = %s, %v; want %s", in, got, err, want)
		}
	}
}
