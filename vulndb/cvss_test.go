package vulndb

import (
	"errors"
	"testing"

	"github.com/iotguard/iotguard/model"
)

func TestCVSSBaseScore(t *testing.T) {
	tests := []struct {
		vector string
		want   float64
	}{
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H", 10.0},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H", 8.8}, // CVE-2023-4863
		{"CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:C/C:H/I:N/A:N", 6.8},
		{"CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H", 7.8},
		{"CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N", 6.4},
		{"CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0},
		{"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 9.8}, // temporal metrics ignored
		{"AV:N/AC:L/Au:N/C:P/I:P/A:P", 7.5},
		{"AV:N/AC:L/Au:N/C:C/I:C/A:C", 10.0},
		{"(AV:L/AC:M/Au:N/C:N/I:P/A:C)", 5.4},
		{"CVSS:2.0/AV:N/AC:M/Au:S/C:P/I:N/A:N", 3.5},
	}
	for _, tc := range tests {
		got, err := CVSSBaseScore(tc.vector)
		if err != nil || got != tc.want {
			t.Errorf("CVSSBaseScore(%q) = %v, %v; want %v", tc.vector, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "CVSS:3.1/AV:N", "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:X/C:H/I:H/A:H", "CVSS:3.1/AVN", "high"} {
		if _, err := CVSSBaseScore(bad); err == nil {
			t.Errorf("CVSSBaseScore(%q) accepted", bad)
		}
	}
	if _, err := CVSSBaseScore("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"); !errors.Is(err, ErrCVSSVersion) {
		t.Errorf("v4: %v", err)
	}
}

func TestOSVSeverity(t *testing.T) {
	v3 := []OSVSeverity{{Type: "CVSS_V3", Score: "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H"}}
	v2 := []OSVSeverity{{Type: "CVSS_V2", Score: "AV:N/AC:L/Au:N/C:C/I:C/A:C"}}
	v4 := []OSVSeverity{{Type: "CVSS_V4", Score: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}}
	ghsa := []byte(`{"severity": "MODERATE", "cwe_ids": []}`)
	tests := []struct {
		name      string
		rec       OSV
		aff       OSVAffected
		wantSev   model.Severity
		wantScore float64
	}{
		{"CVSS v3 computed", OSV{Severity: v3}, OSVAffected{}, model.High, 8.8},
		{"v3 preferred over v2", OSV{Severity: append(v2, v3...)}, OSVAffected{}, model.High, 8.8},
		{"v2 alone", OSV{Severity: v2}, OSVAffected{}, model.Critical, 10},
		{"package severity overrides", OSV{Severity: v2}, OSVAffected{Severity: v3}, model.High, 8.8},
		{"v4 only: database severity", OSV{Severity: v4, DatabaseSpec: ghsa}, OSVAffected{}, model.Medium, 0},
		{"GHSA word", OSV{DatabaseSpec: []byte(`{"severity": "HIGH"}`)}, OSVAffected{}, model.High, 0},
		{"affected database_specific", OSV{}, OSVAffected{DatabaseSpec: []byte(`{"severity": "CRITICAL"}`)}, model.Critical, 0},
		{"Ubuntu priority", OSV{Severity: []OSVSeverity{{Type: "Ubuntu", Score: "low"}}}, OSVAffected{}, model.Low, 0},
		{"severity of another type ignored", OSV{DatabaseSpec: []byte(`{"severity": 7}`)}, OSVAffected{}, model.Medium, 0},
		{"nothing: medium", OSV{}, OSVAffected{}, model.Medium, 0},
	}
	for _, tc := range tests {
		sev, score := osvSeverity(&tc.rec, &tc.aff)
		if sev != tc.wantSev || score != tc.wantScore {
			t.Errorf("%s: got %s %v, want %s %v", tc.name, sev, score, tc.wantSev, tc.wantScore)
		}
	}
	for score, want := range map[float64]model.Severity{9.0: model.Critical, 8.9: model.High, 7: model.High, 6.9: model.Medium, 4: model.Medium, 3.9: model.Low, 0.1: model.Low} {
		if got := SeverityFromCVSS(score); got != want {
			t.Errorf("SeverityFromCVSS(%v) = %s, want %s", score, got, want)
		}
	}
}
