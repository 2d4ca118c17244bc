package catalog

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Framework is a standard or regulation the catalog cross-references.
type Framework struct {
	Key     string   `json:"key" yaml:"key"`
	Title   string   `json:"title" yaml:"title"`
	Aliases []string `json:"aliases" yaml:"aliases"`
	// IDFormat describes well-formed element IDs for error messages.
	IDFormat string `json:"id_format" yaml:"id_format"`
	valid    func(id string) bool
}

// ValidID reports whether id is a well-formed element of the framework.
func (f *Framework) ValidID(id string) bool { return f.valid(id) }

func numberedSet(prefix string, counts map[string]int) map[string]bool {
	set := map[string]bool{}
	for group, n := range counts {
		for i := 1; i <= n; i++ {
			set[prefix+group+strconv.Itoa(i)] = true
		}
	}
	return set
}

func inSet(set map[string]bool) func(string) bool {
	return func(id string) bool { return set[id] }
}

// ETSI EN 303 645 V2.1.1 provisions: number of provisions per clause.
var etsiProvisions = func() map[string]bool {
	set := numberedSet("", map[string]int{
		"5.1-": 5, "5.2-": 3, "5.3-": 16, "5.4-": 4, "5.5-": 8, "5.6-": 9, "5.7-": 2,
		"5.8-": 3, "5.9-": 3, "5.10-": 1, "5.11-": 4, "5.12-": 3, "5.13-": 1, "6-": 5,
	})
	set["4-1"] = true
	return set
}()

// ISO/IEC 27001:2022 Annex A: controls per theme.
var iso27001Controls = numberedSet("A.", map[string]int{"5.": 37, "6.": 8, "7.": 14, "8.": 34})

// ISO/IEC 27701:2019 Annex A (controllers) and Annex B (processors).
var iso27701Controls = func() map[string]bool {
	a := numberedSet("A.7.", map[string]int{"2.": 8, "3.": 10, "4.": 9, "5.": 4})
	b := numberedSet("B.8.", map[string]int{"2.": 6, "3.": 1, "4.": 3, "5.": 8})
	for k := range b {
		a[k] = true
	}
	return a
}()

// EU Cyber Resilience Act, Regulation (EU) 2024/2847: Annex I part I point 1,
// point 2 (a)-(m), part II points 1-8, and Annex II points 1-9.
var craPoints = func() map[string]bool {
	set := numberedSet("I.2.", map[string]int{"": 8})
	set["I.1.1"] = true
	for c := 'a'; c <= 'm'; c++ {
		set["I.1.2."+string(c)] = true
	}
	for k := range numberedSet("II.", map[string]int{"": 9}) {
		set[k] = true
	}
	return set
}()

var iec62443Pattern = regexp.MustCompile(`^(CR|SAR|EDR|HDR|NDR) ([1-7])\.([0-9]{1,2})$`)

// Highest requirement number per foundational requirement in IEC 62443-4-2.
var iec62443Max = map[string]int{"1": 14, "2": 13, "3": 14, "4": 3, "5": 4, "6": 2, "7": 8}

func validIEC62443(id string) bool {
	m := iec62443Pattern.FindStringSubmatch(id)
	if m == nil {
		return false
	}
	n, _ := strconv.Atoi(m[3])
	return n >= 1 && n <= iec62443Max[m[2]]
}

var nist8259A = map[string]bool{
	"device-identification": true, "device-configuration": true, "data-protection": true,
	"logical-access-to-interfaces": true, "software-update": true, "cybersecurity-state-awareness": true,
}

var nist8259B = map[string]bool{
	"documentation": true, "information-and-query-reception": true,
	"information-dissemination": true, "education-and-awareness": true,
}

// Frameworks is the registry of cross-referenced frameworks, in display order.
var Frameworks = []*Framework{
	{Key: "etsi-en-303-645", Title: "ETSI EN 303 645 V2.1.1 (consumer IoT baseline)",
		Aliases: []string{"etsi", "en303645", "303645"}, IDFormat: `provision such as "5.1-1" or "6-2"`, valid: inSet(etsiProvisions)},
	{Key: "nist-ir-8259a", Title: "NIST IR 8259A (IoT device cybersecurity capability core baseline)",
		Aliases: []string{"8259a", "nistir8259a"}, IDFormat: keysFormat(nist8259A), valid: inSet(nist8259A)},
	{Key: "nist-ir-8259b", Title: "NIST IR 8259B (IoT non-technical supporting capability core baseline)",
		Aliases: []string{"8259b", "nistir8259b"}, IDFormat: keysFormat(nist8259B), valid: inSet(nist8259B)},
	{Key: "iec-62443-4-2", Title: "IEC 62443-4-2:2019 (technical security requirements for IACS components)",
		Aliases: []string{"62443", "iec62443", "62443-4-2"}, IDFormat: `requirement such as "CR 1.5" or "EDR 2.13"`, valid: validIEC62443},
	{Key: "iso-27001-2022", Title: "ISO/IEC 27001:2022 Annex A",
		Aliases: []string{"27001", "iso27001"}, IDFormat: `Annex A control such as "A.8.8"`, valid: inSet(iso27001Controls)},
	{Key: "iso-27701-2019", Title: "ISO/IEC 27701:2019 Annexes A and B",
		Aliases: []string{"27701", "iso27701"}, IDFormat: `Annex A or B control such as "A.7.2.5" or "B.8.5.6"`, valid: inSet(iso27701Controls)},
	{Key: "eu-cra", Title: "EU Cyber Resilience Act, Regulation (EU) 2024/2847, Annexes I and II",
		Aliases: []string{"cra"}, IDFormat: `point such as "I.1.2.d", "I.2.1" or "II.7"`, valid: inSet(craPoints)},
}

func keysFormat(set map[string]bool) string {
	keys := make([]string, 0, len(set))
	for k := range set {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return "one of " + strings.Join(keys, ", ")
}

// FrameworkKeys lists the canonical framework keys.
func FrameworkKeys() []string {
	keys := make([]string, len(Frameworks))
	for i, f := range Frameworks {
		keys[i] = f.Key
	}
	return keys
}

// LookupFramework finds a framework by key or alias, case-insensitively.
func LookupFramework(name string) (*Framework, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	for _, f := range Frameworks {
		if f.Key == n {
			return f, nil
		}
		for _, a := range f.Aliases {
			if a == n {
				return f, nil
			}
		}
	}
	return nil, fmt.Errorf("unknown framework %q: valid frameworks are %s", name, strings.Join(FrameworkKeys(), ", "))
}
