// Package mud reads Manufacturer Usage Description files (RFC 8520, JSON)
// into model.MUDProfile values: the "ietf-mud:mud" container and the
// access lists ("ietf-access-control-list:acls", RFC 8519) its policies
// name, with the DNS-name matches of ietf-acldns and the MUD abstractions
// (controller, manufacturer, local networks...).
//
// It is a pure reader: bytes in, domain values out, no network (the MUD
// URL is recorded, never fetched; signatures are not checked). Binding a
// profile to a device model is the manifest's job: Parse leaves
// MUDProfile.Model empty. Allows answers whether a flow is permitted.
package mud

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// MaxSize is the largest input Parse accepts, in bytes. Real MUD files are
// a few KiB; the limit bounds memory when a wrong or hostile file is given.
const MaxSize = 4 << 20

// maxSize is MaxSize, lowered by tests.
var maxSize int64 = MaxSize

// Policy directions, as ACE.Direction and Allows use them.
const (
	FromDevice = model.MUDFromDevice
	ToDevice   = model.MUDToDevice
)

// defaultCacheHours is RFC 8520's default for cache-validity.
const defaultCacheHours = 48

// ParseFile reads the MUD file at path; MUDProfile.Source and errors carry
// the path as given.
func ParseFile(path string) (*model.MUDProfile, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the file
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads one MUD file from r; name is the file name used in messages
// and as MUDProfile.Source.
//
// Errors about the input match ErrFormat (errors.Is) and are *FormatError
// values with a line or JSON path; oversize input also matches ErrTooLarge.
// Read failures of r are returned wrapped with the name and match neither.
// Fields this package does not read (extensions, documentation, eth or
// icmp matches...) are ignored, not errors.
func Parse(name string, r io.Reader) (*model.MUDProfile, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > maxSize {
		return nil, inputerr.TooLarge(ErrFormat, ErrTooLarge, name, maxSize,
			" (mud.MaxSize): a MUD file is a few KiB; check that this is the right file, or split its access lists into separate profiles")
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, formatErr(name, "", "empty input: expected a MUD file (a JSON object with an \"ietf-mud:mud\" container)")
	}
	var f fileJSON
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, jsonErr(name, data, err)
	}
	p := &parser{name: name}
	prof := p.profile(&f)
	if p.err != nil {
		return nil, p.err
	}
	prof.Source = name
	return prof, nil
}

// The JSON shapes read, after RFC 8520 section 2.1 and RFC 8519.
type fileJSON struct {
	MUD  *mudJSON  `json:"ietf-mud:mud"`
	ACLs *aclsJSON `json:"ietf-access-control-list:acls"`
}

type mudJSON struct {
	Version       *number     `json:"mud-version"`
	URL           *string     `json:"mud-url"`
	LastUpdate    *string     `json:"last-update"`
	CacheValidity *number     `json:"cache-validity"`
	IsSupported   *bool       `json:"is-supported"`
	Systeminfo    string      `json:"systeminfo"`
	FromDevice    *policyJSON `json:"from-device-policy"`
	ToDevice      *policyJSON `json:"to-device-policy"`
}

type policyJSON struct {
	AccessLists struct {
		AccessList []struct {
			Name string `json:"name"`
		} `json:"access-list"`
	} `json:"access-lists"`
}

type aclsJSON struct {
	ACL []aclJSON `json:"acl"`
}

type aclJSON struct {
	Name string `json:"name"`
	Type string `json:"type"`
	ACEs struct {
		ACE []aceJSON `json:"ace"`
	} `json:"aces"`
}

type aceJSON struct {
	Name    string `json:"name"`
	Matches struct {
		IPv4 *ipJSON   `json:"ipv4"`
		IPv6 *ipJSON   `json:"ipv6"`
		TCP  *portJSON `json:"tcp"`
		UDP  *portJSON `json:"udp"`
		ICMP *struct{} `json:"icmp"`
		MUD  *absJSON  `json:"ietf-mud:mud"`
	} `json:"matches"`
	Actions struct {
		Forwarding *string `json:"forwarding"`
	} `json:"actions"`
}

type ipJSON struct {
	Protocol *number `json:"protocol"`
	SrcDNS   string  `json:"ietf-acldns:src-dnsname"`
	DstDNS   string  `json:"ietf-acldns:dst-dnsname"`
	SrcNet4  string  `json:"source-ipv4-network"`
	DstNet4  string  `json:"destination-ipv4-network"`
	SrcNet6  string  `json:"source-ipv6-network"`
	DstNet6  string  `json:"destination-ipv6-network"`
}

type portJSON struct {
	SrcPort *portRangeJSON `json:"source-port"`
	DstPort *portRangeJSON `json:"destination-port"`
}

type portRangeJSON struct {
	Operator *string `json:"operator"`
	Port     *number `json:"port"`
	Lower    *number `json:"lower-port"`
	Upper    *number `json:"upper-port"`
}

// absJSON holds the MUD abstractions. YANG "empty" leaves are [null] in
// JSON; only their presence matters, so any value is accepted.
type absJSON struct {
	Manufacturer     string          `json:"manufacturer"`
	SameManufacturer json.RawMessage `json:"same-manufacturer"`
	Model            string          `json:"model"`
	LocalNetworks    json.RawMessage `json:"local-networks"`
	Controller       string          `json:"controller"`
	MyController     json.RawMessage `json:"my-controller"`
}

// parser keeps the first error; later checks are skipped once it is set.
type parser struct {
	name string
	err  error
}

func (p *parser) fail(path, format string, args ...any) {
	if p.err == nil {
		p.err = formatErr(p.name, path, format, args...)
	}
}

const (
	mudPath = "ietf-mud:mud"
	aclPath = "ietf-access-control-list:acls"
)

func (p *parser) profile(f *fileJSON) *model.MUDProfile {
	m := f.MUD
	if m == nil {
		p.fail("", "missing the %q container: this is not a MUD file (RFC 8520)", mudPath)
		return nil
	}
	prof := &model.MUDProfile{ACLs: []model.MUDACL{}, CacheHours: defaultCacheHours}

	switch {
	case m.Version == nil:
		p.fail(mudPath, "missing mud-version (RFC 8520 requires it; the only version is 1)")
	default:
		if v, ok := p.number(mudPath+".mud-version", *m.Version, 0, 255); ok && v != 1 {
			p.fail(mudPath+".mud-version", "unsupported MUD version %d: only version 1 (RFC 8520) is known", v)
		}
	}
	if m.URL == nil || strings.TrimSpace(*m.URL) == "" {
		p.fail(mudPath, "missing mud-url (RFC 8520 requires the URL the profile is published at)")
	} else {
		u, err := url.Parse(strings.TrimSpace(*m.URL))
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			p.fail(mudPath+".mud-url", "%s is not an absolute https URL", safetext.Quote(*m.URL))
		}
		prof.URL = safetext.Clean(*m.URL)
	}
	if m.LastUpdate == nil {
		p.fail(mudPath, "missing last-update (RFC 8520 requires it)")
	} else {
		if _, err := time.Parse(time.RFC3339, strings.TrimSpace(*m.LastUpdate)); err != nil {
			p.fail(mudPath+".last-update", "%s is not a date-time such as 2018-06-29T19:50:19+02:00", safetext.Quote(*m.LastUpdate))
		}
		prof.LastUpdate = safetext.Clean(*m.LastUpdate)
	}
	if m.IsSupported == nil {
		p.fail(mudPath, "missing is-supported (RFC 8520 requires it: true while the manufacturer supports the device)")
	} else {
		prof.IsSupported = *m.IsSupported
	}
	if m.CacheValidity != nil {
		if v, ok := p.number(mudPath+".cache-validity", *m.CacheValidity, 1, 168); ok {
			prof.CacheHours = v
		}
	}
	prof.Systeminfo = safetext.Clean(m.Systeminfo)
	prof.Name = prof.Systeminfo
	if prof.Name == "" {
		prof.Name = prof.URL
	}

	var acls []aclJSON
	if f.ACLs != nil {
		acls = f.ACLs.ACL
	}
	defined := make(map[string]bool, len(acls))
	names := make([]string, 0, len(acls))
	for i, a := range acls {
		path := fmt.Sprintf("%s.acl[%d]", aclPath, i)
		if strings.TrimSpace(a.Name) == "" {
			p.fail(path, "access list without a name")
			continue
		}
		if defined[a.Name] {
			p.fail(path+".name", "access list %s is defined twice", safetext.Quote(a.Name))
		}
		defined[a.Name] = true
		names = append(names, a.Name)
	}

	// An ACL's direction is the policy that names it. RFC 8520 has each ACL
	// in one policy; if both name it, from-device wins here, and Allows
	// still consults both policy lists.
	direction := map[string]string{}
	policy := func(pol *policyJSON, dir string) []string {
		if pol == nil {
			return nil
		}
		var out []string
		for i, ref := range pol.AccessLists.AccessList {
			path := fmt.Sprintf("%s.%s-policy.access-lists.access-list[%d].name", mudPath, dir, i)
			if !defined[ref.Name] {
				p.fail(path, "access list %s is not defined in %s%s", safetext.Quote(ref.Name), aclPath, suggest.Hint(ref.Name, names))
				continue
			}
			out = append(out, ref.Name)
			if direction[ref.Name] == "" {
				direction[ref.Name] = dir
			}
		}
		return out
	}
	prof.FromDevice = policy(m.FromDevice, FromDevice)
	prof.ToDevice = policy(m.ToDevice, ToDevice)

	for i := range acls {
		a := &acls[i]
		path := fmt.Sprintf("%s.acl[%d]", aclPath, i)
		acl := model.MUDACL{Name: safetext.Clean(a.Name), Type: safetext.Clean(stripPrefix(a.Type)), ACEs: []model.MUDACE{}}
		seen := map[string]bool{}
		for j := range a.ACEs.ACE {
			e := &a.ACEs.ACE[j]
			epath := fmt.Sprintf("%s.aces.ace[%d]", path, j)
			if strings.TrimSpace(e.Name) == "" {
				p.fail(epath, "access-control entry without a name")
				continue
			}
			if seen[e.Name] {
				p.fail(epath+".name", "entry %s appears twice in access list %s", safetext.Quote(e.Name), safetext.Quote(a.Name))
			}
			seen[e.Name] = true
			acl.ACEs = append(acl.ACEs, p.ace(epath, e, direction[a.Name]))
		}
		prof.ACLs = append(prof.ACLs, acl)
	}
	return prof
}

func (p *parser) ace(path string, e *aceJSON, dir string) model.MUDACE {
	ace := model.MUDACE{Name: safetext.Clean(e.Name), Direction: dir}

	switch fw := e.Actions.Forwarding; {
	case fw == nil:
		p.fail(path+".actions", "missing actions.forwarding (accept, drop or reject)")
	default:
		switch v := stripPrefix(strings.TrimSpace(*fw)); v {
		case "accept", "drop", "reject":
			ace.Action = v
		default:
			p.fail(path+".actions.forwarding", "unknown action %s: expected accept, drop or reject", safetext.Quote(*fw))
		}
	}

	mt := &e.Matches
	ip, ipPath := mt.IPv4, path+".matches.ipv4"
	if mt.IPv6 != nil {
		if ip != nil {
			p.fail(path+".matches", "both ipv4 and ipv6 matches: an entry matches one address family")
		}
		ip, ipPath = mt.IPv6, path+".matches.ipv6"
	}
	if ip != nil {
		if ip.Protocol != nil {
			ace.Protocol, _ = p.number(ipPath+".protocol", *ip.Protocol, 0, 255)
		}
		ace.Host = p.host(ipPath, ip, dir)
	}

	var ports *portJSON
	portPath := ""
	inferred := 0
	switch {
	case mt.TCP != nil && mt.UDP != nil:
		p.fail(path+".matches", "both tcp and udp matches: an entry matches one transport")
	case mt.TCP != nil:
		ports, portPath, inferred = mt.TCP, path+".matches.tcp", 6
	case mt.UDP != nil:
		ports, portPath, inferred = mt.UDP, path+".matches.udp", 17
	case mt.ICMP != nil:
		inferred = 1
	}
	if inferred != 0 {
		if ace.Protocol != 0 && ace.Protocol != inferred {
			p.fail(ipPath+".protocol", "protocol %d contradicts the %s match (protocol %d)", ace.Protocol, protoName(inferred), inferred)
		}
		ace.Protocol = inferred
	}
	if ports != nil {
		ace.SrcPort = p.portRange(portPath+".source-port", ports.SrcPort)
		ace.DstPort = p.portRange(portPath+".destination-port", ports.DstPort)
	}

	if a := mt.MUD; a != nil {
		apath := path + ".matches.ietf-mud:mud"
		ace.Manufacturer = safetext.Clean(a.Manufacturer)
		ace.SameManufacturer = a.SameManufacturer != nil
		ace.LocalNetworks = a.LocalNetworks != nil
		ace.Controller = safetext.Clean(a.Controller)
		if a.MyController != nil {
			if ace.Controller != "" {
				p.fail(apath, "both controller and my-controller: an entry names one")
			}
			ace.Controller = "my-controller"
		}
		if m := safetext.Clean(a.Model); m != "" && ace.Manufacturer == "" {
			// model.MUDACE has no field for a model match; a model URI's
			// authority is its manufacturer, a superset that keeps the entry
			// from looking like "any host".
			if u, err := url.Parse(m); err == nil && u.Host != "" {
				ace.Manufacturer = strings.ToLower(u.Host)
			} else {
				p.fail(apath+".model", "%s is not a MUD URL", safetext.Quote(a.Model))
			}
		}
	}
	return ace
}

// host returns the peer: the DNS name or network on the far side of the
// device, which is the destination for from-device entries and the source
// for to-device entries.
func (p *parser) host(path string, ip *ipJSON, dir string) string {
	type cand struct{ key, val string }
	dst := []cand{{"ietf-acldns:dst-dnsname", ip.DstDNS}, {"destination-ipv4-network", ip.DstNet4}, {"destination-ipv6-network", ip.DstNet6}}
	src := []cand{{"ietf-acldns:src-dnsname", ip.SrcDNS}, {"source-ipv4-network", ip.SrcNet4}, {"source-ipv6-network", ip.SrcNet6}}
	order := append(dst, src...)
	if dir == ToDevice {
		order = append(src, dst...)
	}
	for _, c := range order {
		v := strings.TrimSpace(c.val)
		if v == "" {
			continue
		}
		if strings.HasSuffix(c.key, "dnsname") {
			if !validDNSName(v) {
				p.fail(path+"."+c.key, "%s is not a DNS name", safetext.Quote(c.val))
				return ""
			}
			return strings.TrimSuffix(v, ".")
		}
		pfx, err := netip.ParsePrefix(v)
		if err != nil {
			p.fail(path+"."+c.key, "%s is not a network such as 192.0.2.0/24", safetext.Quote(c.val))
			return ""
		}
		return pfx.Masked().String()
	}
	return ""
}

// portRange renders an RFC 8519 port match as "N", "LO-HI" or "!N" (neq).
func (p *parser) portRange(path string, r *portRangeJSON) string {
	if r == nil {
		return ""
	}
	if r.Lower != nil || r.Upper != nil {
		if r.Lower == nil || r.Upper == nil {
			p.fail(path, "a port range needs both lower-port and upper-port")
			return ""
		}
		lo, ok1 := p.number(path+".lower-port", *r.Lower, 0, 65535)
		hi, ok2 := p.number(path+".upper-port", *r.Upper, 0, 65535)
		if !ok1 || !ok2 {
			return ""
		}
		if lo > hi {
			p.fail(path, "lower-port %d is above upper-port %d", lo, hi)
			return ""
		}
		if lo == hi {
			return strconv.Itoa(lo)
		}
		return fmt.Sprintf("%d-%d", lo, hi)
	}
	if r.Port == nil {
		p.fail(path, "missing port (or lower-port and upper-port)")
		return ""
	}
	n, ok := p.number(path+".port", *r.Port, 0, 65535)
	if !ok {
		return ""
	}
	op := "eq" // RFC 8519's default operator
	if r.Operator != nil {
		op = strings.TrimSpace(*r.Operator)
	}
	switch op {
	case "eq":
		return strconv.Itoa(n)
	case "lte":
		return fmt.Sprintf("0-%d", n)
	case "gte":
		return fmt.Sprintf("%d-65535", n)
	case "neq":
		return "!" + strconv.Itoa(n)
	}
	p.fail(path+".operator", "unknown operator %s: expected eq, lte, gte or neq", safetext.Quote(op))
	return ""
}

// number is an integer leaf. Both 443 and "443" are accepted (RFC 7951
// quotes some integer types, and generators differ); the parser checks
// the range, so that the error names the JSON path.
type number string

func (n *number) UnmarshalJSON(b []byte) error {
	if len(b) == 0 {
		return &json.UnmarshalTypeError{Value: "nothing", Type: reflect.TypeFor[int]()}
	}
	switch {
	case b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*n = number(s)
	case b[0] == '-' || b[0] >= '0' && b[0] <= '9':
		*n = number(b)
	default:
		// An *UnmarshalTypeError gets its JSON path filled in by
		// encoding/json; other errors would lose it.
		kind := map[byte]string{'t': "bool", 'f': "bool", 'n': "null", '[': "array", '{': "object"}[b[0]]
		return &json.UnmarshalTypeError{Value: kind, Type: reflect.TypeFor[int]()}
	}
	return nil
}

func (n number) String() string { return string(n) }

// number reads an integer within [lo, hi].
func (p *parser) number(path string, n number, lo, hi int) (int, bool) {
	v, err := strconv.Atoi(strings.TrimSpace(n.String()))
	if err != nil || v < lo || v > hi {
		p.fail(path, "%s is not a whole number from %d to %d", safetext.Quote(n.String()), lo, hi)
		return 0, false
	}
	return v, true
}

// stripPrefix drops a YANG module prefix from an identity value, as RFC
// 7951 allows ("ietf-access-control-list:accept").
func stripPrefix(s string) string {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		return s[i+1:]
	}
	return s
}

func protoName(n int) string {
	switch n {
	case 6:
		return "tcp"
	case 17:
		return "udp"
	case 1:
		return "icmp"
	}
	return strconv.Itoa(n)
}

// validDNSName accepts host names (letters, digits, hyphen, underscore),
// with an optional final dot.
func validDNSName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}
