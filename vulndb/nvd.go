package vulndb

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// CVE is one NVD CVE record (CVE API / feed schema 2.0), reduced to what
// matching needs.
type CVE struct {
	ID           string
	Published    time.Time
	LastModified time.Time
	// Status is NVD's vulnStatus (Analyzed, Modified, Rejected...).
	Status string
	// Description is the English description.
	Description string
	// CVSS is the base score chosen from the metrics (highest v3.x, else
	// v4.0, else v2), with its vector and version.
	CVSS        float64
	CVSSVector  string
	CVSSVersion string
	// KEV is set when NVD carries CISA's known-exploited fields.
	KEV bool
	// Matches are the vulnerable CPE match criteria of all configurations.
	Matches []CPEMatch
}

// CPEMatch is one vulnerable cpeMatch entry.
type CPEMatch struct {
	Criteria              string `json:"criteria"`
	VersionStartIncluding string `json:"versionStartIncluding,omitempty"`
	VersionStartExcluding string `json:"versionStartExcluding,omitempty"`
	VersionEndIncluding   string `json:"versionEndIncluding,omitempty"`
	VersionEndExcluding   string `json:"versionEndExcluding,omitempty"`
}

// Rejected reports whether NVD rejected (withdrew) the CVE.
func (c *CVE) Rejected() bool { return strings.EqualFold(c.Status, "Rejected") }

type nvdCVE struct {
	ID             string `json:"id"`
	Published      string `json:"published"`
	LastModified   string `json:"lastModified"`
	VulnStatus     string `json:"vulnStatus"`
	CisaExploitAdd string `json:"cisaExploitAdd"`
	Descriptions   []struct {
		Lang  string `json:"lang"`
		Value string `json:"value"`
	} `json:"descriptions"`
	Metrics struct {
		V40 []nvdMetric `json:"cvssMetricV40"`
		V31 []nvdMetric `json:"cvssMetricV31"`
		V30 []nvdMetric `json:"cvssMetricV30"`
		V2  []nvdMetric `json:"cvssMetricV2"`
	} `json:"metrics"`
	Configurations []struct {
		Nodes []struct {
			Negate   bool `json:"negate"`
			CPEMatch []struct {
				Vulnerable bool `json:"vulnerable"`
				CPEMatch
			} `json:"cpeMatch"`
		} `json:"nodes"`
	} `json:"configurations"`
}

type nvdMetric struct {
	Type     string `json:"type"`
	CVSSData struct {
		Version      string  `json:"version"`
		VectorString string  `json:"vectorString"`
		BaseScore    float64 `json:"baseScore"`
	} `json:"cvssData"`
}

// nvdItem is one element of a "vulnerabilities" array: NVD's {"cve": ...}
// or a KEV entry.
type nvdItem struct {
	CVE *nvdCVE `json:"cve"`
	KEVEntry
}

// ParseNVD reads NVD CVE JSON 2.0: an API response or yearly feed
// ({"vulnerabilities": [{"cve": ...}]}, streamed, so feeds up to
// MaxFeedSize fit) or a single CVE object. Rejected CVEs are returned too
// (see CVE.Rejected).
func ParseNVD(name string, r io.Reader) ([]CVE, error) {
	var out []CVE
	err := streamNVD(name, r, MaxFeedSize, func(c CVE) error {
		out = append(out, c)
		return nil
	})
	return out, err
}

// streamNVD decodes a top-level object key by key so that the
// vulnerabilities array is never held in memory as a whole.
func streamNVD(name string, r io.Reader, limit int64, emit func(CVE) error) error {
	lr := &limitedReader{r: r, n: limit}
	dec := json.NewDecoder(lr)
	fail := func(err error) error {
		if lr.over {
			return tooLarge(name, limit)
		}
		var fe *FormatError
		if errors.As(err, &fe) {
			return err
		}
		return formatErr(name, "", fmt.Sprintf("offset %d: %v", dec.InputOffset(), cleanJSONErr(err)))
	}
	tok, err := dec.Token()
	if err != nil {
		return fail(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return formatErr(name, "", "expected a JSON object (NVD CVE API response, feed or CVE record)")
	}
	rest := map[string]json.RawMessage{}
	seen := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fail(err)
		}
		key, _ := tok.(string)
		switch key {
		case "vulnerabilities":
			seen = true
			if err := streamArray(dec, func(i int) error {
				var it nvdItem
				if err := dec.Decode(&it); err != nil {
					return err
				}
				if it.CVE == nil {
					return formatErr(name, fmt.Sprintf("vulnerabilities[%d]", i), `expected {"cve": {...}} (is this a KEV catalogue?)`)
				}
				c, err := it.CVE.convert(name, fmt.Sprintf("vulnerabilities[%d].cve.", i))
				if err != nil {
					return err
				}
				return emit(c)
			}); err != nil {
				return fail(err)
			}
		case "CVE_Items":
			return formatErr(name, "CVE_Items", "this is an NVD 1.1 feed, which NVD retired: use the CVE API 2.0 or the 2.0 feeds (nvdcve-2.0-YEAR.json)")
		default:
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return fail(err)
			}
			if len(rest) < 64 {
				rest[key] = raw
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return fail(err)
	}
	if seen {
		return nil
	}
	if _, ok := rest["id"]; !ok {
		return formatErr(name, "", `not NVD CVE JSON 2.0: no "vulnerabilities" array and no CVE "id"`)
	}
	// A single CVE object: put the small object back together.
	doc, _ := json.Marshal(rest)
	var one nvdCVE
	if err := json.Unmarshal(doc, &one); err != nil {
		return formatErr(name, "", cleanJSONErr(err).Error())
	}
	c, err := one.convert(name, "")
	if err != nil {
		return err
	}
	return emit(c)
}

// streamArray walks the elements of the array whose value comes next.
func streamArray(dec *json.Decoder, each func(i int) error) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '[' {
		if tok == nil { // null
			return nil
		}
		return errors.New("vulnerabilities is not an array")
	}
	for i := 0; dec.More(); i++ {
		if err := each(i); err != nil {
			return err
		}
	}
	_, err = dec.Token()
	return err
}

func (n *nvdCVE) convert(name, path string) (CVE, error) {
	if n.ID == "" {
		return CVE{}, formatErr(name, path+"id", "missing: every CVE needs an id")
	}
	c := CVE{ID: n.ID, Status: n.VulnStatus, KEV: n.CisaExploitAdd != ""}
	var err error
	if n.Published != "" {
		if c.Published, err = parseTime(n.Published); err != nil {
			return CVE{}, formatErr(name, path+"published", err.Error())
		}
	}
	if n.LastModified != "" {
		if c.LastModified, err = parseTime(n.LastModified); err != nil {
			return CVE{}, formatErr(name, path+"lastModified", err.Error())
		}
	}
	for _, d := range n.Descriptions {
		if d.Lang == "en" || c.Description == "" {
			c.Description = d.Value
		}
		if d.Lang == "en" {
			break
		}
	}
	c.CVSS, c.CVSSVector, c.CVSSVersion = n.bestMetric()
	for i, cfg := range n.Configurations {
		for j, node := range cfg.Nodes {
			if node.Negate {
				continue // "not running on": never what makes a component vulnerable
			}
			for k, m := range node.CPEMatch {
				if !m.Vulnerable {
					continue
				}
				if _, err := parseCPE(m.Criteria); err != nil {
					return CVE{}, formatErr(name, fmt.Sprintf("%sconfigurations[%d].nodes[%d].cpeMatch[%d].criteria", path, i, j, k), err.Error())
				}
				c.Matches = append(c.Matches, m.CPEMatch)
			}
		}
	}
	return c, nil
}

// bestMetric picks the highest v3.x base score, else v4.0, else v2.
func (n *nvdCVE) bestMetric() (float64, string, string) {
	for _, group := range [][]nvdMetric{append(n.Metrics.V31, n.Metrics.V30...), n.Metrics.V40, n.Metrics.V2} {
		best := -1
		for i, m := range group {
			if best < 0 || m.CVSSData.BaseScore > group[best].CVSSData.BaseScore {
				best = i
			}
		}
		if best >= 0 {
			d := group[best].CVSSData
			return d.BaseScore, d.VectorString, d.Version
		}
	}
	return 0, "", ""
}

// limitedReader is io.LimitReader that remembers whether input went past
// the limit, so the error can say so.
type limitedReader struct {
	r    io.Reader
	n    int64
	over bool
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Probe one byte: exactly the limit is fine, more is not.
		var b [1]byte
		if n, _ := l.r.Read(b[:]); n > 0 {
			l.over = true
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

var errTooLarge = errors.New("input too large")
