package vulndb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// OSV is one OSV record (https://ossf.github.io/osv-schema/), reduced to
// the fields iotguard uses. Unknown fields are ignored.
type OSV struct {
	SchemaVersion string          `json:"schema_version"`
	ID            string          `json:"id"`
	Modified      string          `json:"modified"`
	Published     string          `json:"published"`
	Withdrawn     string          `json:"withdrawn"`
	Aliases       []string        `json:"aliases"`
	Upstream      []string        `json:"upstream"`
	Summary       string          `json:"summary"`
	Details       string          `json:"details"`
	Severity      []OSVSeverity   `json:"severity"`
	Affected      []OSVAffected   `json:"affected"`
	DatabaseSpec  json.RawMessage `json:"database_specific"`
	publishedTime time.Time
}

// OSVSeverity is a severity score: a CVSS vector or an Ubuntu priority.
type OSVSeverity struct {
	Type  string `json:"type"`
	Score string `json:"score"`
}

// OSVAffected is one affected package with its ranges and versions.
type OSVAffected struct {
	Package      OSVPackage      `json:"package"`
	Severity     []OSVSeverity   `json:"severity"`
	Ranges       []OSVRange      `json:"ranges"`
	Versions     []string        `json:"versions"`
	DatabaseSpec json.RawMessage `json:"database_specific"`
}

// OSVPackage names the affected package.
type OSVPackage struct {
	Ecosystem string `json:"ecosystem"`
	Name      string `json:"name"`
	PURL      string `json:"purl"`
}

// OSVRange is a list of version events of one type (SEMVER, ECOSYSTEM, GIT).
type OSVRange struct {
	Type   string     `json:"type"`
	Repo   string     `json:"repo"`
	Events []OSVEvent `json:"events"`
}

// OSVEvent is one event of a range; exactly one field is set.
type OSVEvent struct {
	Introduced   string `json:"introduced,omitempty"`
	Fixed        string `json:"fixed,omitempty"`
	LastAffected string `json:"last_affected,omitempty"`
	Limit        string `json:"limit,omitempty"`
}

// IsWithdrawn reports whether the record was withdrawn.
func (o *OSV) IsWithdrawn() bool { return o.Withdrawn != "" }

// PublishedTime is the parsed published time (zero when absent).
func (o *OSV) PublishedTime() time.Time { return o.publishedTime }

// ParseOSV reads OSV records: one record, a JSON array of records, or an
// osv.dev query response ({"vulns": [...]}). Input larger than MaxSize is
// refused.
func ParseOSV(name string, r io.Reader) ([]OSV, error) {
	data, err := readLimited(name, r, MaxSize)
	if err != nil {
		return nil, err
	}
	return parseOSVBytes(name, data)
}

func parseOSVBytes(name string, data []byte) ([]OSV, error) {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return nil, formatErr(name, "", "empty file: expected an OSV record")
	case data[0] == '[':
		var recs []OSV
		if err := json.Unmarshal(data, &recs); err != nil {
			return nil, jsonErr(name, data, err)
		}
		for i := range recs {
			if err := recs[i].validate(name, fmt.Sprintf("[%d].", i)); err != nil {
				return nil, err
			}
		}
		return recs, nil
	}
	var rec struct {
		OSV
		Vulns *[]OSV `json:"vulns"`
	}
	if err := json.Unmarshal(data, &rec); err != nil {
		return nil, jsonErr(name, data, err)
	}
	if rec.ID == "" && rec.Vulns == nil && rec.Modified == "" && rec.SchemaVersion == "" && len(rec.Affected) == 0 {
		return nil, &FormatError{Name: name, Msg: "not OSV, NVD or KEV data (no id, vulnerabilities or catalogVersion)", other: true}
	}
	if rec.Vulns != nil && rec.ID == "" {
		for i := range *rec.Vulns {
			if err := (*rec.Vulns)[i].validate(name, fmt.Sprintf("vulns[%d].", i)); err != nil {
				return nil, err
			}
		}
		return *rec.Vulns, nil
	}
	if err := rec.OSV.validate(name, ""); err != nil {
		return nil, err
	}
	return []OSV{rec.OSV}, nil
}

// validate checks what matching relies on. Unknown range types and events
// without a known key are left for the matcher to ignore (the schema grows).
func (o *OSV) validate(name, path string) error {
	if o.ID == "" {
		return formatErr(name, path+"id", "missing: every OSV record needs an id")
	}
	if o.Published != "" {
		t, err := parseTime(o.Published)
		if err != nil {
			return formatErr(name, path+"published", err.Error())
		}
		o.publishedTime = t
	}
	for i, a := range o.Affected {
		ap := fmt.Sprintf("%saffected[%d]", path, i)
		if (a.Package.Name == "") != (a.Package.Ecosystem == "") {
			return formatErr(name, ap+".package", "needs both ecosystem and name")
		}
		for j, r := range a.Ranges {
			rp := fmt.Sprintf("%s.ranges[%d]", ap, j)
			if r.Type == "" {
				return formatErr(name, rp+".type", "missing: use SEMVER, ECOSYSTEM or GIT")
			}
			if len(r.Events) == 0 {
				return formatErr(name, rp+".events", "a range needs at least one event")
			}
			for k, e := range r.Events {
				if e.count() > 1 {
					return formatErr(name, fmt.Sprintf("%s.events[%d]", rp, k),
						"an event has exactly one of introduced, fixed, last_affected, limit")
				}
			}
		}
	}
	return nil
}

func (e OSVEvent) count() int {
	n := 0
	for _, s := range []string{e.Introduced, e.Fixed, e.LastAffected, e.Limit} {
		if s != "" {
			n++
		}
	}
	return n
}

// databaseSeverity reads database_specific.severity (GHSA: CRITICAL, HIGH,
// MODERATE, LOW), ignoring anything else in the object.
func databaseSeverity(raw json.RawMessage) string {
	if len(raw) == 0 || raw[0] != '{' {
		return ""
	}
	var ds struct {
		Severity json.RawMessage `json:"severity"`
	}
	if json.Unmarshal(raw, &ds) != nil {
		return ""
	}
	var s string
	if json.Unmarshal(ds.Severity, &s) != nil {
		return ""
	}
	return s
}
