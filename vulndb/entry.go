package vulndb

import (
	"encoding/binary"
	"errors"
	"math"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/vercmp"
)

// An index entry is one advisory as it applies to one package key. It is
// encoded as
//
//	uvarint len | match part | uvarint len | meta part
//
// so a reader can evaluate the match part and skip the meta part of
// advisories that do not apply. Strings are uvarint length + bytes.
//
// Match part of an OSV advisory (kind 1): uvarint count of affected
// entries, each: variant (ecosystem suffix), uvarint count of ranges (each:
// byte type 1 SEMVER / 2 ECOSYSTEM, uvarint count of events, each: byte
// kind 1 introduced / 2 fixed / 3 last_affected / 4 limit, version), uvarint
// count of versions, versions. Events are stored sorted by version.
//
// Match part of an NVD CVE (kind 2): uvarint count of rules, each: part,
// version, update, edition, language, sw_edition, target_sw, target_hw,
// other, versionStartIncluding, versionStartExcluding, versionEndIncluding,
// versionEndExcluding.
//
// Meta part: id, uvarint count + aliases, uvarint count + upstream IDs,
// summary, varint published (Unix seconds, 0 none), byte severity (0
// critical .. 4 info), uvarint CVSS x10, byte flags (1 = known exploited
// according to the source).
const (
	entryOSV = 1
	entryNVD = 2

	rangeSEMVER    = 1
	rangeECOSYSTEM = 2

	evIntroduced   = 1
	evFixed        = 2
	evLastAffected = 3
	evLimit        = 4

	flagKEV = 1
)

var errCorrupt = errors.New("corrupt entry")

type eventSpec struct {
	kind uint8
	v    string
}

type rangeSpec struct {
	typ    uint8
	events []eventSpec
	parsed []vercmp.Version // bounds, parsed on first use
}

type affectedSpec struct {
	variant  string
	ranges   []rangeSpec
	versions []string
}

type metaSpec struct {
	id        string
	aliases   []string
	upstream  []string
	summary   string
	published time.Time
	severity  model.Severity
	cvss      float64
	kev       bool
}

// encoder appends to a byte slice.
type encoder struct{ b []byte }

func (e *encoder) uvarint(x uint64) { e.b = binary.AppendUvarint(e.b, x) }
func (e *encoder) varint(x int64)   { e.b = binary.AppendVarint(e.b, x) }
func (e *encoder) byte1(x uint8)    { e.b = append(e.b, x) }
func (e *encoder) str(s string)     { e.uvarint(uint64(len(s))); e.b = append(e.b, s...) }
func (e *encoder) strs(ss []string) {
	e.uvarint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

// section writes a length-prefixed part built by fill.
func (e *encoder) section(fill func(*encoder)) {
	var sub encoder
	fill(&sub)
	e.uvarint(uint64(len(sub.b)))
	e.b = append(e.b, sub.b...)
}

// decoder reads what encoder wrote; any overrun sets err and yields zero
// values, so corrupt input never panics.
type decoder struct {
	b   []byte
	err error
}

func (d *decoder) fail() { d.err = errCorrupt; d.b = nil }

func (d *decoder) uvarint() uint64 {
	x, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) varint() int64 {
	x, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail()
		return 0
	}
	d.b = d.b[n:]
	return x
}

func (d *decoder) byte1() uint8 {
	if len(d.b) < 1 {
		d.fail()
		return 0
	}
	x := d.b[0]
	d.b = d.b[1:]
	return x
}

func (d *decoder) bytes() []byte {
	n := d.uvarint()
	if n > uint64(len(d.b)) {
		d.fail()
		return nil
	}
	x := d.b[:n]
	d.b = d.b[n:]
	return x
}

func (d *decoder) str() string { return string(d.bytes()) }

// count reads a count, refusing counts the remaining bytes cannot hold
// (each item takes at least min bytes), so corrupt counts cannot make
// huge allocations.
func (d *decoder) count(min int) int {
	n := d.uvarint()
	if n > uint64(len(d.b)/min) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *decoder) strs() []string {
	n := d.count(1)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// sub splits off a length-prefixed part.
func (d *decoder) sub() decoder { return decoder{b: d.bytes(), err: d.err} }

func encodeOSVMatch(e *encoder, affs []affectedSpec) {
	e.byte1(entryOSV)
	e.uvarint(uint64(len(affs)))
	for _, a := range affs {
		e.str(a.variant)
		e.uvarint(uint64(len(a.ranges)))
		for _, r := range a.ranges {
			e.byte1(r.typ)
			e.uvarint(uint64(len(r.events)))
			for _, ev := range r.events {
				e.byte1(ev.kind)
				e.str(ev.v)
			}
		}
		e.strs(a.versions)
	}
}

func decodeOSVMatch(d *decoder) []affectedSpec {
	n := d.count(3)
	affs := make([]affectedSpec, n)
	for i := range affs {
		a := &affs[i]
		a.variant = d.str()
		a.ranges = make([]rangeSpec, d.count(2))
		for j := range a.ranges {
			r := &a.ranges[j]
			r.typ = d.byte1()
			r.events = make([]eventSpec, d.count(2))
			for k := range r.events {
				r.events[k] = eventSpec{kind: d.byte1(), v: d.str()}
			}
		}
		a.versions = d.strs()
	}
	return affs
}

func encodeNVDMatch(e *encoder, rules []cpeRule) {
	e.byte1(entryNVD)
	e.uvarint(uint64(len(rules)))
	for _, r := range rules {
		c := r.c
		for _, s := range []string{c.part, c.version, c.update, c.edition, c.language, c.swEdition,
			c.targetSW, c.targetHW, c.other, r.startIncluding, r.startExcluding, r.endIncluding, r.endExcluding} {
			e.str(s)
		}
	}
}

func decodeNVDMatch(d *decoder, key string) []cpeRule {
	vendor, product := splitCPEKey(key)
	rules := make([]cpeRule, d.count(13))
	for i := range rules {
		r := &rules[i]
		r.c = cpe{part: d.str(), vendor: vendor, product: product, version: d.str(), update: d.str(),
			edition: d.str(), language: d.str(), swEdition: d.str(), targetSW: d.str(), targetHW: d.str(), other: d.str()}
		r.startIncluding, r.startExcluding, r.endIncluding, r.endExcluding = d.str(), d.str(), d.str(), d.str()
	}
	return rules
}

var severityCodes = []model.Severity{model.Critical, model.High, model.Medium, model.Low, model.Info}

func encodeMeta(e *encoder, m *metaSpec) {
	e.str(m.id)
	e.strs(m.aliases)
	e.strs(m.upstream)
	e.str(m.summary)
	var pub int64
	if !m.published.IsZero() {
		pub = m.published.Unix()
	}
	e.varint(pub)
	code := uint8(2)
	for i, s := range severityCodes {
		if s == m.severity {
			code = uint8(i)
		}
	}
	e.byte1(code)
	e.uvarint(uint64(math.Round(m.cvss * 10)))
	var flags uint8
	if m.kev {
		flags |= flagKEV
	}
	e.byte1(flags)
}

func decodeMeta(d *decoder) metaSpec {
	var m metaSpec
	m.id = d.str()
	m.aliases = d.strs()
	m.upstream = d.strs()
	m.summary = d.str()
	if pub := d.varint(); pub != 0 {
		m.published = time.Unix(pub, 0).UTC()
	}
	code := d.byte1()
	if int(code) >= len(severityCodes) {
		d.fail()
		return m
	}
	m.severity = severityCodes[code]
	m.cvss = float64(min(d.uvarint(), 100)) / 10
	m.kev = d.byte1()&flagKEV != 0
	return m
}

// encodeEntry builds one complete entry.
func encodeEntry(match func(*encoder), meta *metaSpec) []byte {
	var e encoder
	e.section(match)
	e.section(func(e *encoder) { encodeMeta(e, meta) })
	return e.b
}
