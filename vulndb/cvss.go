package vulndb

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// ErrCVSSVersion is returned for vectors of a CVSS version without a
// calculator here (4.0): callers fall back to a stated severity.
var ErrCVSSVersion = errors.New("unsupported CVSS version")

// CVSSBaseScore computes the base score of a CVSS v3.0/v3.1 vector
// ("CVSS:3.1/AV:N/AC:L/...") or a CVSS v2 vector ("AV:N/AC:L/Au:N/...")
// following the FIRST specifications. Temporal and environmental metrics
// are ignored.
func CVSSBaseScore(vector string) (float64, error) {
	v := strings.TrimSpace(vector)
	switch {
	case strings.HasPrefix(v, "CVSS:3.0/"), strings.HasPrefix(v, "CVSS:3.1/"):
		return cvss3(v[len("CVSS:3.x/"):], v[7] == '1')
	case strings.HasPrefix(v, "CVSS:4"):
		return 0, fmt.Errorf("%w: %s", ErrCVSSVersion, clip(v, 12))
	case strings.HasPrefix(v, "CVSS:2.0/"):
		return cvss2(v[len("CVSS:2.0/"):])
	case strings.HasPrefix(v, "AV:"), strings.HasPrefix(v, "(AV:"):
		return cvss2(strings.Trim(v, "()"))
	}
	return 0, fmt.Errorf("%q is not a CVSS vector", clip(v, 40))
}

// metrics splits "K:V/K:V" and checks that the base metrics are present.
func metrics(v string, required []string) (map[string]string, error) {
	m := map[string]string{}
	for part := range strings.SplitSeq(v, "/") {
		k, val, ok := strings.Cut(part, ":")
		if !ok || k == "" || val == "" {
			return nil, fmt.Errorf("malformed CVSS metric %q", clip(part, 20))
		}
		if _, dup := m[k]; dup {
			return nil, fmt.Errorf("CVSS metric %s given twice", clip(k, 8))
		}
		m[k] = val
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			return nil, fmt.Errorf("CVSS vector lacks the %s metric", k)
		}
	}
	return m, nil
}

func pick(m map[string]string, key string, values map[string]float64) (float64, error) {
	x, ok := values[m[key]]
	if !ok {
		return 0, fmt.Errorf("CVSS metric %s has an invalid value %q", key, clip(m[key], 8))
	}
	return x, nil
}

func cvss3(v string, v31 bool) (float64, error) {
	m, err := metrics(v, []string{"AV", "AC", "PR", "UI", "S", "C", "I", "A"})
	if err != nil {
		return 0, err
	}
	changed := m["S"] == "C"
	if !changed && m["S"] != "U" {
		return 0, errors.New("CVSS metric S must be U or C")
	}
	pr := map[string]float64{"N": 0.85, "L": 0.62, "H": 0.27}
	if changed {
		pr = map[string]float64{"N": 0.85, "L": 0.68, "H": 0.5}
	}
	cia := map[string]float64{"H": 0.56, "L": 0.22, "N": 0}
	var vals [7]float64
	for i, spec := range []struct {
		key    string
		values map[string]float64
	}{
		{"AV", map[string]float64{"N": 0.85, "A": 0.62, "L": 0.55, "P": 0.2}},
		{"AC", map[string]float64{"L": 0.77, "H": 0.44}},
		{"PR", pr},
		{"UI", map[string]float64{"N": 0.85, "R": 0.62}},
		{"C", cia}, {"I", cia}, {"A", cia},
	} {
		if vals[i], err = pick(m, spec.key, spec.values); err != nil {
			return 0, err
		}
	}
	iss := 1 - (1-vals[4])*(1-vals[5])*(1-vals[6])
	impact := 6.42 * iss
	if changed {
		impact = 7.52*(iss-0.029) - 3.25*math.Pow(iss-0.02, 15)
	}
	if impact <= 0 {
		return 0, nil
	}
	exploit := 8.22 * vals[0] * vals[1] * vals[2] * vals[3]
	base := impact + exploit
	if changed {
		base *= 1.08
	}
	base = math.Min(base, 10)
	if v31 {
		return roundup31(base), nil
	}
	return math.Ceil(base*10) / 10, nil
}

// roundup31 is CVSS 3.1's Roundup, which avoids floating-point surprises.
func roundup31(x float64) float64 {
	i := int64(math.Round(x * 100000))
	if i%10000 == 0 {
		return float64(i) / 100000
	}
	return (math.Floor(float64(i)/10000) + 1) / 10
}

func cvss2(v string) (float64, error) {
	m, err := metrics(v, []string{"AV", "AC", "Au", "C", "I", "A"})
	if err != nil {
		return 0, err
	}
	cia := map[string]float64{"N": 0, "P": 0.275, "C": 0.660}
	var vals [6]float64
	for i, spec := range []struct {
		key    string
		values map[string]float64
	}{
		{"AV", map[string]float64{"L": 0.395, "A": 0.646, "N": 1.0}},
		{"AC", map[string]float64{"H": 0.35, "M": 0.61, "L": 0.71}},
		{"Au", map[string]float64{"M": 0.45, "S": 0.56, "N": 0.704}},
		{"C", cia}, {"I", cia}, {"A", cia},
	} {
		if vals[i], err = pick(m, spec.key, spec.values); err != nil {
			return 0, err
		}
	}
	impact := 10.41 * (1 - (1-vals[3])*(1-vals[4])*(1-vals[5]))
	if impact == 0 {
		return 0, nil
	}
	exploit := 20 * vals[0] * vals[1] * vals[2]
	return math.Round(((0.6*impact)+(0.4*exploit)-1.5)*1.176*10) / 10, nil
}

// SeverityFromCVSS maps a base score: >= 9 critical, >= 7 high, >= 4
// medium, anything else low.
func SeverityFromCVSS(score float64) model.Severity {
	switch {
	case score >= 9:
		return model.Critical
	case score >= 7:
		return model.High
	case score >= 4:
		return model.Medium
	}
	return model.Low
}

// severityWord maps a database's own severity word (GHSA CRITICAL, HIGH,
// MODERATE, LOW; Ubuntu priorities; NVD baseSeverity).
func severityWord(s string) (model.Severity, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return model.Critical, true
	case "high", "important":
		return model.High, true
	case "moderate", "medium":
		return model.Medium, true
	case "low", "negligible", "unimportant", "minor":
		return model.Low, true
	}
	return "", false
}

// osvSeverity derives the severity and highest computable CVSS score of an
// affected package: its own severity list, else the record's; CVSS v3
// first, then v2; else the database_specific severity word; else medium.
func osvSeverity(rec *OSV, a *OSVAffected) (model.Severity, float64) {
	list := a.Severity
	if len(list) == 0 {
		list = rec.Severity
	}
	best := map[string]float64{}
	word := ""
	for _, s := range list {
		switch t := strings.ToUpper(s.Type); t {
		case "CVSS_V3", "CVSS_V2":
			if score, err := CVSSBaseScore(s.Score); err == nil && score >= best[t] {
				best[t] = score
			}
		case "UBUNTU":
			word = s.Score
		}
	}
	for _, t := range []string{"CVSS_V3", "CVSS_V2"} {
		if score, ok := best[t]; ok {
			return SeverityFromCVSS(score), score
		}
	}
	for _, w := range []string{databaseSeverity(a.DatabaseSpec), databaseSeverity(rec.DatabaseSpec), word} {
		if sev, ok := severityWord(w); ok {
			return sev, 0
		}
	}
	return model.Medium, 0
}
