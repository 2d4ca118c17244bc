package vulndb

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"
)

// KEV is CISA's Known Exploited Vulnerabilities catalogue
// (known_exploited_vulnerabilities.json).
type KEV struct {
	Title           string     `json:"title"`
	CatalogVersion  string     `json:"catalogVersion"`
	DateReleased    string     `json:"dateReleased"`
	Count           int        `json:"count"`
	Vulnerabilities []KEVEntry `json:"vulnerabilities"`
}

// KEVEntry is one known-exploited CVE.
type KEVEntry struct {
	CVEID                      string `json:"cveID"`
	VendorProject              string `json:"vendorProject"`
	Product                    string `json:"product"`
	VulnerabilityName          string `json:"vulnerabilityName"`
	DateAdded                  string `json:"dateAdded"`
	DueDate                    string `json:"dueDate"`
	KnownRansomwareCampaignUse string `json:"knownRansomwareCampaignUse"`
}

// ParseKEV reads the KEV catalogue. Input larger than MaxSize is refused.
func ParseKEV(name string, r io.Reader) (*KEV, error) {
	data, err := readLimited(name, r, MaxSize)
	if err != nil {
		return nil, err
	}
	return parseKEVBytes(name, data)
}

func parseKEVBytes(name string, data []byte) (*KEV, error) {
	var k KEV
	if err := json.Unmarshal(data, &k); err != nil {
		return nil, jsonErr(name, data, err)
	}
	if k.Vulnerabilities == nil {
		return nil, formatErr(name, "vulnerabilities", "missing: not a KEV catalogue")
	}
	if k.DateReleased != "" {
		if _, err := parseTime(k.DateReleased); err != nil {
			return nil, formatErr(name, "dateReleased", err.Error())
		}
	}
	for i, e := range k.Vulnerabilities {
		p := fmt.Sprintf("vulnerabilities[%d]", i)
		if !strings.HasPrefix(strings.ToUpper(e.CVEID), "CVE-") {
			return nil, formatErr(name, p+".cveID", fmt.Sprintf("%q is not a CVE ID", clip(e.CVEID, 40)))
		}
		if e.DateAdded != "" {
			if _, err := parseTime(e.DateAdded); err != nil {
				return nil, formatErr(name, p+".dateAdded", err.Error())
			}
		}
	}
	return &k, nil
}

// kevSet is the catalogue reduced to what matching needs.
type kevSet map[string]kevInfo

type kevInfo struct {
	added      time.Time
	ransomware bool
}

func (k *KEV) set() kevSet {
	s := make(kevSet, len(k.Vulnerabilities))
	for _, e := range k.Vulnerabilities {
		t, _ := parseTime(e.DateAdded)
		s[strings.ToUpper(strings.TrimSpace(e.CVEID))] = kevInfo{
			added:      t,
			ransomware: strings.EqualFold(e.KnownRansomwareCampaignUse, "Known"),
		}
	}
	return s
}
