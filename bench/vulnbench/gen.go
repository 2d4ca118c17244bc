package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Ecosystems of the corpus, as OSV names them.
const (
	ecoAlpine = "Alpine"
	ecoDebian = "Debian"
	ecoGo     = "Go"
	ecoNPM    = "npm"
	ecoPyPI   = "PyPI"
	ecoMaven  = "Maven"
)

// ecosystems lists the corpus ecosystems with their share of advisories
// and of SBOM components (an IoT fleet SBOM: distro packages first).
var ecosystems = []struct {
	name          string
	advShare      float64
	compShare     float64
	releases      []string // OSV ecosystem suffixes (distros)
	distroVersion map[string]string
}{
	{ecoDebian, 0.28, 0.30, []string{"11", "12", "13"}, nil},
	{ecoAlpine, 0.14, 0.20, []string{"v3.17", "v3.18", "v3.19", "v3.20"}, nil},
	{ecoNPM, 0.16, 0.20, nil, nil},
	{ecoPyPI, 0.16, 0.12, nil, nil},
	{ecoGo, 0.10, 0.10, nil, nil},
	{ecoMaven, 0.16, 0.08, nil, nil},
}

func isDistro(eco string) bool { return eco == ecoAlpine || eco == ecoDebian }

// Event kinds of the oracle's ranges.
const (
	evIntroduced = iota + 1
	evFixed
	evLastAffected
)

// event is a range event by position in the package history; idx -1 is
// "introduced": "0".
type event struct {
	kind uint8
	idx  int32
}

type rangeSpec struct{ events []event }

// contains applies the OSV schema's evaluation to positions.
func (r rangeSpec) contains(v int32) bool {
	aff := false
	for _, e := range r.events {
		switch e.kind {
		case evIntroduced:
			if v >= e.idx {
				aff = true
			}
		case evFixed:
			if v >= e.idx {
				aff = false
			}
		case evLastAffected:
			if v > e.idx {
				aff = false
			}
		}
	}
	return aff
}

// affEntry is one affected[] entry of an advisory.
type affEntry struct {
	pkg      int32
	suffix   string // ecosystem suffix: "v3.19", "12", or ""
	ranges   []rangeSpec
	versions []int32 // the versions list, ascending positions
	gitFirst bool    // a GIT range precedes the ECOSYSTEM range (PYSEC)
	shuffle  bool    // events written out of order
}

func (e *affEntry) contains(v int32) bool {
	if slices.Contains(e.versions, v) {
		return true
	}
	for _, r := range e.ranges {
		if r.contains(v) {
			return true
		}
	}
	return false
}

type advisory struct {
	id        string
	eco       string
	cve       string
	aliases   []string
	withdrawn bool
	affected  []affEntry
	twinOf    int32 // index of the advisory this one duplicates, or -1
	seq       int   // numbering for dates and text
}

type pkgInfo struct {
	eco     string
	name    string // canonical name (PEP 503 for PyPI)
	advName string // as advisories write it (a few PyPI names are not normalised)
	cdxName string // as an SBOM generator writes it
	group   string // Maven group
	hist    []string
	advs    []int32
	repo    string
}

// component is one SBOM component with what the oracle expects for it.
type component struct {
	eco      string
	pkg      int32 // advised package, or -1
	name     string
	group    string
	version  string
	purl     string
	release  string // OSV suffix of its distro release
	binary   bool   // a distro binary package: advisories name the source (upstream=)
	pointRel bool   // distro qualifier with a point release (debian-12.4)
	expected []int32
}

type corpus struct {
	cfg        config
	pkgs       []pkgInfo
	advs       []advisory
	comps      []component
	byID       map[string]int32
	advByEco   map[string][]int32
	pkgsByEco  map[string][]int32
	names      map[string]bool
	withdrawn  int
	twins      int
	binaryComp int
}

// edgeCounts counts the components with inputs on which the tools are
// known to differ, and how many of them are affected.
func (c *corpus) edgeCounts() string {
	var bin, binA, point, pointA, pyName, pyNameA int
	for i := range c.comps {
		comp := &c.comps[i]
		aff := len(comp.expected) > 0
		b := func(n, na *int) {
			*n++
			if aff {
				*na++
			}
		}
		switch {
		case comp.binary:
			b(&bin, &binA)
		case comp.pointRel:
			b(&point, &pointA)
		case comp.pkg >= 0 && c.pkgs[comp.pkg].advName != c.pkgs[comp.pkg].name:
			b(&pyName, &pyNameA)
		}
	}
	return fmt.Sprintf("distro binary packages with upstream= %d (%d affected), debian-12.N qualifiers %d (%d affected), PyPI names not normalised in advisories %d (%d affected)",
		bin, binA, point, pointA, pyName, pyNameA)
}

var words = strings.Fields(`acorn adler agate alder amber anvil apex arbor argon aspen aster atlas aurora axle
badger balsa banyan basalt beacon birch bison blaze bluff bolt boreal bramble brook cactus canyon
caper cedar cinder citrus clover cobalt comet copper coral cosmo crane crest cricket cypress dahlia
delta dune ember falcon fennel fern fjord flint fox garnet gecko geyser glacier granite gull harbor
hazel heron hickory ibis indigo iris jasper juniper kelp kestrel lark laurel lichen lily lotus lumen
lynx magma mango maple marble marsh meadow mesa mica mint moss nectar nimbus nova oak obsidian ocelot
olive onyx opal orca osprey otter pebble pepper pine plume pollen poplar prairie quartz quill raven
reed ridge robin rowan saffron sage sequoia shale sierra slate sorrel sparrow spruce summit tansy
thistle thorn tidal topaz tundra umber valley vapor velvet verbena vireo walnut willow wren yarrow
yew zephyr zinc`)

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// newName returns a package name unique within its ecosystem.
func (c *corpus) newName(r *rand.Rand, eco string) pkgInfo {
	for try := 0; ; try++ {
		w1, w2, w3 := pick(r, words), pick(r, words), pick(r, words)
		suffix := ""
		if try > 3 || r.IntN(4) == 0 {
			suffix = fmt.Sprint(r.IntN(100))
		}
		p := pkgInfo{eco: eco}
		switch eco {
		case ecoDebian, ecoAlpine:
			p.name = w1 + suffix
			if r.IntN(3) == 0 {
				p.name = w1 + "-" + w2 + suffix
			}
		case ecoNPM:
			p.name = w1 + "-" + w2 + suffix
			if r.IntN(5) == 0 {
				p.name = "@" + w3 + "/" + p.name
			}
		case ecoPyPI:
			p.name = w1 + "-" + w2 + suffix
			if r.IntN(3) == 0 {
				p.name = w1 + suffix
			}
		case ecoGo:
			host := pick(r, []string{"github.com", "github.com", "github.com", "gitlab.com"})
			p.name = host + "/" + w3 + suffix + "/" + w1 + "-" + w2
		case ecoMaven:
			p.group = pick(r, []string{"org.", "com.", "io."}) + w3 + "." + w1
			p.name = p.group + ":" + w1 + "-" + w2 + suffix
		}
		key := eco + "\x00" + p.name
		if c.names[key] {
			continue
		}
		c.names[key] = true
		p.advName, p.cdxName = p.name, p.name
		if eco == ecoMaven {
			p.cdxName = p.name[strings.IndexByte(p.name, ':')+1:]
		}
		if eco == ecoPyPI && r.IntN(5) == 0 {
			p.cdxName = titleName(p.name, "-") // the SBOM writes "Cedar-Moss"; its purl is normalised
		}
		return p
	}
}

// titleName writes a canonical PyPI name the way a project may spell it
// ("cedar-moss" as "Cedar_Moss").
func titleName(name, sep string) string {
	parts := strings.Split(name, "-")
	for i, p := range parts {
		parts[i] = strings.ToUpper(p[:1]) + p[1:]
	}
	return strings.Join(parts, sep)
}

// generate builds the whole corpus in memory, deterministically from the
// seed.
func generate(cfg config) *corpus {
	c := &corpus{cfg: cfg, byID: map[string]int32{}, advByEco: map[string][]int32{},
		pkgsByEco: map[string][]int32{}, names: map[string]bool{}}
	r := rand.New(rand.NewPCG(uint64(cfg.seed), 0x9e3779b97f4a7c15))
	// Advisory counts per ecosystem; the last takes the rounding.
	counts := make([]int, len(ecosystems))
	left := cfg.advisories
	for i, e := range ecosystems {
		counts[i] = int(float64(cfg.advisories) * e.advShare)
		if i == len(ecosystems)-1 {
			counts[i] = left
		}
		left -= counts[i]
	}
	seq := 0
	for i, e := range ecosystems {
		np := max(1, counts[i]/5)
		first := int32(len(c.pkgs))
		for range np {
			p := c.newName(r, e.name)
			p.hist = history(r, e.name, 8+r.IntN(33))
			if e.name == ecoPyPI && cfg.edgeCases && r.IntN(20) == 0 {
				p.advName = titleName(p.name, "_") // "Cedar_Moss" in the advisory: not PEP 503 normalised
				p.cdxName = p.advName
			}
			p.repo = "https://github.com/" + strings.NewReplacer("@", "", ".", "-", ":", "/").Replace(p.name)
			if e.name == ecoGo {
				p.repo = "https://" + p.name
			}
			c.pkgsByEco[e.name] = append(c.pkgsByEco[e.name], int32(len(c.pkgs)))
			c.pkgs = append(c.pkgs, p)
		}
		for n := 0; n < counts[i]; {
			// Skewed choice: a few packages carry many advisories, as
			// the kernel or openssl do.
			u := r.Float64()
			pi := first + int32(float64(np)*u*u)
			seq++
			a := c.newAdvisory(r, e.name, pi, seq, e.releases)
			c.add(a)
			n++
			if n < counts[i] && c.twinnable(a) {
				seq++
				c.add(c.twin(r, a, seq))
				n++
			}
		}
	}
	c.makeSBOM(r)
	return c
}

func (c *corpus) add(a advisory) {
	idx := int32(len(c.advs))
	if _, dup := c.byID[a.id]; dup {
		panic("duplicate advisory ID " + a.id)
	}
	c.byID[a.id] = idx
	c.advByEco[a.eco] = append(c.advByEco[a.eco], idx)
	seen := map[int32]bool{}
	for _, e := range a.affected {
		if !seen[e.pkg] {
			seen[e.pkg] = true
			c.pkgs[e.pkg].advs = append(c.pkgs[e.pkg].advs, idx)
		}
	}
	if a.withdrawn {
		c.withdrawn++
	}
	if a.twinOf >= 0 {
		c.twins++
	}
	c.advs = append(c.advs, a)
}

// twinnable: Go advisories have a GHSA twin in 25 % of cases (osv.dev's
// Go data holds both GO- and GHSA- records of one vulnerability), PyPI
// GHSA and PYSEC records pair up in 20 %.
func (c *corpus) twinnable(a advisory) bool {
	if a.withdrawn {
		return false
	}
	h := hash64(a.id)
	switch a.eco {
	case ecoGo:
		return h%4 == 0
	case ecoPyPI:
		return h%5 == 0
	}
	return false
}

func (c *corpus) twin(r *rand.Rand, a advisory, seq int) advisory {
	t := a
	t.seq, t.twinOf = seq, c.byID[a.id]
	t.affected = slices.Clone(a.affected)
	for i := range t.affected {
		t.affected[i].gitFirst = false // the GHSA copy has no GIT range
	}
	switch {
	case a.eco == ecoGo:
		t.id = ghsaID(seq)
		c.advs[t.twinOf].aliases = []string{a.cve, t.id} // GO-… names its GHSA
		t.aliases = []string{a.cve}
	case strings.HasPrefix(a.id, "PYSEC-"):
		t.id = ghsaID(seq)
		c.advs[t.twinOf].aliases = []string{a.cve, t.id}
		t.aliases = []string{a.cve}
	default:
		t.id = fmt.Sprintf("PYSEC-%d-%d", 2016+seq%10, 100+seq)
		t.aliases = []string{a.cve, a.id}
		for i := range t.affected {
			t.affected[i].gitFirst = r.IntN(2) == 0
		}
	}
	return t
}

func hash64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

// ghsaID derives a unique GHSA-xxxx-xxxx-xxxx from a sequence number.
func ghsaID(seq int) string {
	const alpha = "23456789cfghjmpqrvwx"
	const mod = uint64(4096000000000000) // 20^12
	x := (uint64(seq)*2862933555777941757 + 3037000493) % mod
	var b [14]byte
	j := len(b) - 1
	for i := range 12 {
		if i == 4 || i == 8 {
			b[j] = '-'
			j--
		}
		b[j] = alpha[x%20]
		x /= 20
		j--
	}
	return "GHSA-" + string(b[:])
}

func (c *corpus) newAdvisory(r *rand.Rand, eco string, pi int32, seq int, releases []string) advisory {
	year := 2014 + seq%12
	a := advisory{eco: eco, seq: seq, twinOf: -1, cve: fmt.Sprintf("CVE-%d-%d", year, 10000+seq)}
	switch eco {
	case ecoDebian:
		switch seq % 10 {
		case 0, 1, 2, 3:
			a.id = fmt.Sprintf("DSA-%d-1", 1000+seq)
		case 4, 5, 6:
			a.id = fmt.Sprintf("DLA-%d-1", 1000+seq)
		default:
			a.id = "DEBIAN-" + a.cve
		}
	case ecoAlpine:
		a.id = "ALPINE-" + a.cve
	case ecoGo:
		a.id = fmt.Sprintf("GO-%d-%d", year, 1000+seq)
	case ecoPyPI:
		if r.IntN(100) < 45 {
			a.id = fmt.Sprintf("PYSEC-%d-%d", year, 100+seq)
		} else {
			a.id = ghsaID(seq)
		}
	default:
		a.id = ghsaID(seq)
	}
	if !strings.HasPrefix(a.id, "DEBIAN-") && !strings.HasPrefix(a.id, "ALPINE-") {
		a.aliases = []string{a.cve}
	}
	a.withdrawn = r.IntN(200) == 0
	p := &c.pkgs[pi]
	if isDistro(eco) {
		// One affected entry per release, as the distro feeds have them.
		nrel := 1 + r.IntN(min(3, len(releases)))
		start := r.IntN(len(releases) - nrel + 1)
		base := c.ranges(r, eco, len(p.hist), false)
		for _, rel := range releases[start : start+nrel] {
			e := base
			e.suffix = rel
			if r.IntN(10) < 3 {
				e = c.ranges(r, eco, len(p.hist), false) // this release fixed elsewhere
				e.suffix = rel
			}
			e.pkg = pi
			a.affected = append(a.affected, e)
		}
		return a
	}
	e := c.ranges(r, eco, len(p.hist), strings.HasPrefix(a.id, "PYSEC-"))
	e.pkg = pi
	a.affected = append(a.affected, e)
	if r.IntN(20) == 0 {
		// A second package of the same ecosystem (a renamed fork).
		others := c.pkgsByEco[eco]
		if o := pick(r, others); o != pi {
			e2 := c.ranges(r, eco, len(c.pkgs[o].hist), false)
			e2.pkg = o
			a.affected = append(a.affected, e2)
		}
	}
	return a
}

// ranges draws an affected entry's ranges and versions list over a
// history of n versions: introduced/fixed, later introductions, two
// intervals, open ends, last_affected, versions lists alone.
func (c *corpus) ranges(r *rand.Rand, eco string, n int, pysec bool) affEntry {
	var e affEntry
	in := func(lo, hi int) int32 { return int32(lo + r.IntN(max(1, hi-lo))) } // [lo, hi)
	intro := func(i int32) event { return event{evIntroduced, i} }
	fixed := func(i int32) event { return event{evFixed, i} }
	open := false
	switch x := r.IntN(100); {
	case x < 50:
		e.ranges = []rangeSpec{{[]event{intro(-1), fixed(in(1, n))}}}
	case x < 65:
		a := in(1, n-1)
		e.ranges = []rangeSpec{{[]event{intro(a), fixed(in(int(a)+1, n))}}}
	case x < 73 && n >= 6:
		p := []int32{in(1, n/4+1), in(n/4+1, n/2), in(n/2, 3*n/4), in(3*n/4, n)}
		first := intro(p[0])
		if r.IntN(2) == 0 {
			first = intro(-1)
		}
		e.ranges = []rangeSpec{{[]event{first, fixed(p[1]), intro(p[2]), fixed(p[3])}}}
	case x < 76 && n >= 6:
		// The same two intervals as two ranges.
		p := []int32{in(1, n/4+1), in(n/4+1, n/2), in(n/2, 3*n/4), in(3*n/4, n)}
		e.ranges = []rangeSpec{{[]event{intro(p[0]), fixed(p[1])}}, {[]event{intro(p[2]), fixed(p[3])}}}
	case x < 84:
		e.ranges = []rangeSpec{{[]event{intro(in(1, n))}}} // no fix yet
		open = true
	case x < 85:
		e.ranges = []rangeSpec{{[]event{intro(-1)}}} // every version
		open = true
	case x < 93:
		first := intro(-1)
		l := in(1, n)
		if r.IntN(3) == 0 {
			first = intro(in(0, int(l)))
		}
		e.ranges = []rangeSpec{{[]event{first, {evLastAffected, l}}}}
	default:
		// A versions list only.
		k := 1 + r.IntN(4)
		for range k {
			v := in(0, n)
			if !slices.Contains(e.versions, v) {
				e.versions = append(e.versions, v)
			}
		}
		slices.Sort(e.versions)
		return e
	}
	e.shuffle = !isDistro(eco) && r.IntN(10) == 0
	// osv.dev enumerates the affected versions of most PyPI and Maven
	// records, and of some Debian ones; PYSEC records also carry a GIT
	// range first, and their list stops at the versions that existed when
	// the record was written.
	enumerate := map[string]int{ecoPyPI: 70, ecoMaven: 40, ecoDebian: 30}[eco]
	if pysec {
		enumerate = 100
		e.gitFirst = true
	}
	if r.IntN(100) < enumerate {
		limit := int32(n)
		if pysec && open {
			limit = int32(n/2 + r.IntN(n/2))
		}
		for v := int32(0); v < limit; v++ {
			for _, rg := range e.ranges {
				if rg.contains(v) {
					e.versions = append(e.versions, v)
					break
				}
			}
		}
	}
	return e
}
