package model

import (
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// Host tokens that stand for MUD abstractions in Allows: a caller that
// knows the peer is on the local network, is the device's controller, or
// is a device of the same manufacturer passes these instead of a name.
const (
	MUDHostLocalNetworks    = "local-networks"
	MUDHostMyController     = "my-controller"
	MUDHostSameManufacturer = "same-manufacturer"
)

// Directions of a MUD policy.
const (
	MUDFromDevice = "from-device"
	MUDToDevice   = "to-device"
)

// Allows reports whether the profile permits a flow that is initiated in
// direction (FromDevice: the device connects to host:port; ToDevice: host
// connects to the device's port). The access lists of that direction's
// policy are evaluated in order and the first matching entry decides
// (RFC 8519); a flow no entry matches is refused, since a MUD profile is
// an allow-list.
//
// An entry matches when:
//   - its protocol is unset, or equals protocol (0 means unknown: any);
//   - its destination-port is unset, or contains port (0 means unknown:
//     any); an entry that constrains only the source port describes the
//     return traffic of a flow the other side initiated, and never
//     matches an initiated flow;
//   - its peer matches host: a DNS name (case-insensitive, trailing dot
//     ignored) or an IP address within its network; local-networks
//     matches private, loopback and link-local addresses, *.local names
//     and the token HostLocalNetworks; my-controller matches
//     HostMyController; controller matches its URI or the URI's host;
//     manufacturer matches that authority; same-manufacturer matches
//     HostSameManufacturer. An entry without a peer matches any host;
//     an empty host matches only those.
func (p *MUDProfile) Allows(direction, host string, protocol, port int) bool {
	if p == nil || (direction != MUDFromDevice && direction != MUDToDevice) {
		return false
	}
	host = mudNormHost(host)
	for _, acl := range mudACLsFor(p, direction) {
		for i := range acl.ACEs {
			ace := &acl.ACEs[i]
			if mudACEMatches(ace, host, protocol, port) {
				return ace.Action == "accept"
			}
		}
	}
	return false
}

// aclsFor lists the direction's ACLs in policy order. Profiles built by
// hand without policy lists fall back to the entries' Direction.
func mudACLsFor(p *MUDProfile, direction string) []MUDACL {
	names := p.FromDevice
	if direction == MUDToDevice {
		names = p.ToDevice
	}
	var out []MUDACL
	if len(p.FromDevice) == 0 && len(p.ToDevice) == 0 {
		for _, acl := range p.ACLs {
			var aces []MUDACE
			for _, ace := range acl.ACEs {
				if ace.Direction == direction {
					aces = append(aces, ace)
				}
			}
			if len(aces) > 0 {
				out = append(out, MUDACL{Name: acl.Name, Type: acl.Type, ACEs: aces})
			}
		}
		return out
	}
	for _, n := range names {
		for _, acl := range p.ACLs {
			if acl.Name == n {
				out = append(out, acl)
				break
			}
		}
	}
	return out
}

func mudACEMatches(ace *MUDACE, host string, protocol, port int) bool {
	if ace.Protocol != 0 && protocol != 0 && ace.Protocol != protocol {
		return false
	}
	if ace.SrcPort != "" && ace.DstPort == "" {
		return false // return traffic only
	}
	if ace.DstPort != "" && port != 0 && !mudPortIn(ace.DstPort, port) {
		return false
	}
	if ace.Host != "" && !mudHostIn(ace.Host, host) {
		return false
	}
	if ace.LocalNetworks && !mudIsLocal(host) {
		return false
	}
	if ace.Controller != "" && !mudControllerIs(ace.Controller, host) {
		return false
	}
	if ace.Manufacturer != "" && !strings.EqualFold(ace.Manufacturer, host) {
		return false
	}
	if ace.SameManufacturer && host != MUDHostSameManufacturer {
		return false
	}
	return true
}

func mudNormHost(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.TrimSuffix(h, ".")
	if strings.HasPrefix(h, "[") && strings.HasSuffix(h, "]") {
		h = h[1 : len(h)-1]
	}
	return h
}

func mudParseAddr(h string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(h)
	if err != nil {
		return netip.Addr{}, false
	}
	return a.WithZone("").Unmap(), true
}

// hostIn matches an entry's DNS name or network against host.
func mudHostIn(aceHost, host string) bool {
	if host == "" {
		return false
	}
	if pfx, err := netip.ParsePrefix(aceHost); err == nil {
		a, ok := mudParseAddr(host)
		return ok && pfx.Contains(a)
	}
	return mudNormHost(aceHost) == host
}

func mudIsLocal(host string) bool {
	if host == MUDHostLocalNetworks || strings.HasSuffix(host, ".local") {
		return true
	}
	a, ok := mudParseAddr(host)
	return ok && (a.IsPrivate() || a.IsLoopback() || a.IsLinkLocalUnicast())
}

func mudControllerIs(ctl, host string) bool {
	if host == "" {
		return false
	}
	if ctl == MUDHostMyController {
		return host == MUDHostMyController
	}
	if strings.EqualFold(mudNormHost(ctl), host) {
		return true
	}
	u, err := url.Parse(ctl)
	return err == nil && u.Hostname() != "" && strings.EqualFold(u.Hostname(), host)
}

// mudPortIn reports whether port is within spec: "N", "LO-HI" or "!N".
func mudPortIn(spec string, port int) bool {
	if rest, ok := strings.CutPrefix(spec, "!"); ok {
		n, err := strconv.Atoi(rest)
		return err == nil && n != port
	}
	lo, hi, isRange := strings.Cut(spec, "-")
	a, err := strconv.Atoi(lo)
	if err != nil {
		return false
	}
	if !isRange {
		return a == port
	}
	b, err := strconv.Atoi(hi)
	return err == nil && a <= port && port <= b
}
