package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
)

// key is one match: a component (by index) and an advisory ID.
type key struct {
	comp int32
	id   string
}

type matchSet map[key]bool

// parseIotguard reads `iotguard vuln scan --format json` output.
func (c *corpus) parseIotguard(data []byte) (matchSet, []string, error) {
	var out struct {
		Matches []struct {
			Component string `json:"component"`
			Version   string `json:"version"`
			PURL      string `json:"purl"`
			Advisory  string `json:"advisory"`
		} `json:"matches"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, nil, fmt.Errorf("iotguard output: %w", err)
	}
	byPURL := map[string]int32{}
	for i := range c.comps {
		byPURL[c.comps[i].purl] = int32(i)
	}
	set := matchSet{}
	var unmapped []string
	for _, m := range out.Matches {
		ci, ok := byPURL[m.PURL]
		if !ok {
			unmapped = append(unmapped, m.PURL+" "+m.Advisory)
			continue
		}
		set[key{ci, m.Advisory}] = true
	}
	return set, unmapped, nil
}

var pep503 = regexp.MustCompile(`[-_.]+`)

// osvNames are the names osv-scanner may report for a component: the
// SBOM name and osv-scalibr's normalised one (group:artifact for Maven,
// PEP 503 for PyPI).
func osvNames(comp *component) []string {
	names := []string{comp.name}
	switch comp.eco {
	case ecoMaven:
		names = append(names, comp.group+":"+comp.name)
	case ecoPyPI:
		names = append(names, strings.ToLower(pep503.ReplaceAllString(comp.name, "-")))
	}
	return names
}

// parseOSVScanner reads osv-scanner's JSON output.
func (c *corpus) parseOSVScanner(data []byte) (matchSet, []string, error) {
	var out struct {
		Results []struct {
			Packages []struct {
				Package struct {
					Name      string `json:"name"`
					Version   string `json:"version"`
					Ecosystem string `json:"ecosystem"`
				} `json:"package"`
				Vulnerabilities []struct {
					ID string `json:"id"`
				} `json:"vulnerabilities"`
			} `json:"packages"`
		} `json:"results"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, nil, fmt.Errorf("osv-scanner output: %w", err)
	}
	lookup := map[string]int32{}
	for i := range c.comps {
		comp := &c.comps[i]
		for _, n := range osvNames(comp) {
			k := comp.eco + "\x00" + n + "\x00" + comp.version
			if old, ok := lookup[k]; ok && old != int32(i) {
				lookup[k] = -1 // ambiguous
			} else {
				lookup[k] = int32(i)
			}
		}
	}
	set := matchSet{}
	var unmapped []string
	for _, res := range out.Results {
		for _, p := range res.Packages {
			base, _, _ := strings.Cut(p.Package.Ecosystem, ":")
			ci, ok := lookup[base+"\x00"+p.Package.Name+"\x00"+p.Package.Version]
			for _, v := range p.Vulnerabilities {
				if !ok || ci < 0 {
					unmapped = append(unmapped, fmt.Sprintf("%s %s@%s %s", p.Package.Ecosystem, p.Package.Name, p.Package.Version, v.ID))
					continue
				}
				set[key{ci, v.ID}] = true
			}
		}
	}
	return set, unmapped, nil
}

// expectedSet is the oracle's answer: every (component, advisory) the
// OSV rules give.
func (c *corpus) expectedSet() matchSet {
	set := matchSet{}
	for i := range c.comps {
		for _, ai := range c.comps[i].expected {
			set[key{int32(i), c.advs[ai].id}] = true
		}
	}
	return set
}

// class is a kind of difference with its count and a few examples.
type class struct {
	what      string
	explained bool
	count     int
	examples  []string
}

type comparison struct {
	iotguard, osv, expected int
	agree                   int // reported by both tools
	agreeWrong              int // reported by both, not by the OSV rules
	disagree                []*class
	bothMiss                []*class
	unexplained             int
	disagreements           int
	unmapped                []string
}

func addClass(list *[]*class, what string, explained bool, example string) {
	for _, c := range *list {
		if c.what == what {
			c.count++
			if len(c.examples) < 3 {
				c.examples = append(c.examples, example)
			}
			return
		}
	}
	*list = append(*list, &class{what: what, explained: explained, count: 1, examples: []string{example}})
}

// compare classifies every match either tool or the oracle gives.
func (c *corpus) compare(iot, osv matchSet) *comparison {
	exp := c.expectedSet()
	cmp := &comparison{iotguard: len(iot), osv: len(osv), expected: len(exp)}
	union := map[key]bool{}
	for _, s := range []matchSet{iot, osv, exp} {
		for k := range s {
			union[k] = true
		}
	}
	keys := make([]key, 0, len(union))
	for k := range union {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.comp != b.comp {
			return int(a.comp - b.comp)
		}
		return strings.Compare(a.id, b.id)
	})
	byComp := map[int32][]string{}
	for k := range iot {
		byComp[k.comp] = append(byComp[k.comp], k.id)
	}
	for _, k := range keys {
		inI, inO, inE := iot[k], osv != nil && osv[k], exp[k]
		comp := &c.comps[k.comp]
		ex := fmt.Sprintf("%s %s", comp.purl, k.id)
		ai, known := c.byID[k.id]
		switch {
		case inI && inO:
			cmp.agree++
			if !inE {
				cmp.agreeWrong++
				cmp.unexplained++
				addClass(&cmp.disagree, "both tools report a match the OSV rules do not give", false, ex+c.describe(k))
			}
		case inI && !inO && osv != nil:
			cmp.disagreements++
			why := ""
			if inE && known {
				why = c.osvMiss(comp, ai)
			}
			switch {
			case why != "":
				addClass(&cmp.disagree, "only iotguard: "+why, true, ex)
			case inE:
				cmp.unexplained++
				addClass(&cmp.disagree, "only iotguard, and the OSV rules agree with it: osv-scanner misses it (unexplained)", false, ex+c.describe(k))
			default:
				cmp.unexplained++
				addClass(&cmp.disagree, "only iotguard, against the OSV rules (iotguard false positive)", false, ex+c.describe(k))
			}
		case !inI && inO:
			cmp.disagreements++
			switch {
			case inE && known && c.aliasReported(ai, byComp[k.comp]):
				addClass(&cmp.disagree, "only osv-scanner: "+whyAliasMrg, true, ex)
			case inE:
				cmp.unexplained++
				addClass(&cmp.disagree, "only osv-scanner, and the OSV rules agree with it: iotguard misses it (unexplained)", false, ex+c.describe(k))
			default:
				cmp.unexplained++
				addClass(&cmp.disagree, "only osv-scanner, against the OSV rules (osv-scanner false positive)", false, ex+c.describe(k))
			}
		case inI && osv == nil && !inE:
			cmp.unexplained++
			addClass(&cmp.disagree, "iotguard reports a match the OSV rules do not give (osv-scanner not run)", false, ex+c.describe(k))
		case inE && !inI && !inO:
			// Neither tool reports it (or osv-scanner did not run).
			whyI, explained := "iotguard misses it (unexplained)", false
			if known && c.aliasReported(ai, byComp[k.comp]) {
				whyI, explained = whyAliasMrg, true
			}
			if osv != nil {
				whyO := ""
				if known {
					whyO = c.osvMiss(comp, ai)
				}
				if whyO == "" {
					whyO, explained = "osv-scanner misses it (unexplained)", false
				}
				whyI += "; " + whyO
			}
			d := ""
			if !explained {
				cmp.unexplained++
				d = c.describe(k)
			}
			addClass(&cmp.bothMiss, whyI, explained, ex+d)
		}
	}
	return cmp
}

// aliasReported: iotguard reported, for the same component, an advisory
// that shares an ID or alias with advisory ai.
func (c *corpus) aliasReported(ai int32, reported []string) bool {
	a := &c.advs[ai]
	ids := append([]string{a.id}, a.aliases...)
	for _, id := range reported {
		if id == a.id {
			continue
		}
		bi, ok := c.byID[id]
		if !ok {
			continue
		}
		b := &c.advs[bi]
		for _, x := range append([]string{b.id}, b.aliases...) {
			if slices.Contains(ids, x) {
				return true
			}
		}
	}
	return false
}

// describe prints what an unexplained difference needs for diagnosis: the
// component version, its position, and the advisory's affected entries.
func (c *corpus) describe(k key) string {
	comp := &c.comps[k.comp]
	ai, ok := c.byID[k.id]
	if !ok {
		return " (advisory not in the corpus)"
	}
	rec := c.record(&c.advs[ai])
	aff, _ := json.Marshal(rec.Affected)
	pos := int32(-1)
	if comp.pkg >= 0 {
		pos = c.versionIndex(comp)
	}
	hist := ""
	if comp.pkg >= 0 {
		hist = strings.Join(c.pkgs[comp.pkg].hist, " < ")
	}
	return fmt.Sprintf("\n        version %s (position %d; history %s)\n        affected %s", comp.version, pos, hist, aff)
}

func (cmp *comparison) print(w *os.File) {
	fmt.Fprintf(w, "\nmatches (component, advisory ID): iotguard %d, osv-scanner %d, OSV rules (generator's oracle) %d\n",
		cmp.iotguard, cmp.osv, cmp.expected)
	fmt.Fprintf(w, "agreements %d, disagreements %d, unexplained %d\n", cmp.agree, cmp.disagreements, cmp.unexplained)
	printClasses := func(title string, cls []*class) {
		if len(cls) == 0 {
			return
		}
		fmt.Fprintln(w, title)
		for _, cl := range cls {
			tag := "explained"
			if !cl.explained {
				tag = "UNEXPLAINED"
			}
			fmt.Fprintf(w, "  %6d  [%s] %s\n", cl.count, tag, cl.what)
			for _, e := range cl.examples {
				fmt.Fprintf(w, "          e.g. %s\n", e)
			}
		}
	}
	printClasses("differences between the tools:", cmp.disagree)
	printClasses("expected by the OSV rules, reported by neither tool:", cmp.bothMiss)
	if len(cmp.unmapped) > 0 {
		fmt.Fprintf(w, "UNMAPPED output rows (%d), e.g. %s\n", len(cmp.unmapped), strings.Join(cmp.unmapped[:min(3, len(cmp.unmapped))], "; "))
	}
}
