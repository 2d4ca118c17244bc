package model

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
	"unsafe"
)

// DecodeDeviceJSON is the fast path for reading one device object, the
// record large inventories hold millions of: it decodes b into d without
// reflection and reports whether it could. It succeeds only on the plain
// form that encoding/json with DisallowUnknownFields would also accept, and
// gives then exactly the same Device: one object of known fields, named in
// their exact case, each at most once, null only where it means nil (the
// certificate, settings, ports and their lists, the optional booleans), no
// backslash escape, valid UTF-8, integers without fraction or exponent, and no empty enum (which
// the manifest reads as unset and encoding/json as an error).
//
// On false, d may be partly written: the caller resets it and decodes b
// with encoding/json, which either succeeds with the same meaning (for the
// rare forms this path leaves out) or produces the precise error the user
// needs. The fast path therefore never has to explain anything.
func DecodeDeviceJSON(b []byte, d *Device) bool {
	s := jsonScan{b: b}
	return s.decode(d)
}

// A DeviceDecoder decodes as DecodeDeviceJSON does, for a stream whose
// devices are looked at one at a time and then dropped (an assessment's
// passes over a large inventory): the device it decodes is transient.
// Its strings are views of the input, and its certificate, ports,
// settings and their lists live in the decoder, so that the fast path
// allocates nothing. Such a device is valid only until the input bytes
// change or the next Decode; whoever keeps any part of it copies that
// part (strings.Clone). The zero value is ready to use; a DeviceDecoder
// is not safe for concurrent use.
type DeviceDecoder struct {
	cert     Certificate
	ports    []Port
	settings map[string]bool
	bools    []bool
	tls      []TLSVersion
	ciphers  []string
}

func (dd *DeviceDecoder) portArena() *[]Port      { return &dd.ports }
func (dd *DeviceDecoder) tlsArena() *[]TLSVersion { return &dd.tls }
func (dd *DeviceDecoder) cipherArena() *[]string  { return &dd.ciphers }

// ownList returns a list for the device being decoded, with the elements
// of vs (often on the decoder's stack): a copy of its own, or, decoding
// transiently with dd, a part of one of dd's arenas, which Decode empties
// for each device. A pointer into an arena stays valid when a later
// append moves it.
func ownList[T any](dd *DeviceDecoder, arena func(*DeviceDecoder) *[]T, vs []T) []T {
	if dd == nil {
		return append(make([]T, 0, len(vs)), vs...)
	}
	a := arena(dd)
	n := len(*a)
	*a = append(*a, vs...)
	return (*a)[n:len(*a):len(*a)]
}

// Decode decodes b into d as DecodeDeviceJSON, transiently (see
// DeviceDecoder).
func (dd *DeviceDecoder) Decode(b []byte, d *Device) bool {
	if dd.ports == nil {
		// Not nil even when empty: encoding/json gives [] as an empty slice.
		dd.ports, dd.bools, dd.tls, dd.ciphers = make([]Port, 0, 8), make([]bool, 0, 8), make([]TLSVersion, 0, 8), make([]string, 0, 8)
	}
	dd.ports, dd.bools, dd.tls, dd.ciphers = dd.ports[:0], dd.bools[:0], dd.tls[:0], dd.ciphers[:0]
	s := jsonScan{b: b, t: dd}
	return s.decode(d)
}

func (s *jsonScan) decode(d *Device) bool {
	s.space()
	if !s.device(d) {
		return false
	}
	s.space()
	return s.i == len(s.b)
}

// jsonScan walks a JSON text; every method returns false at the first
// thing the fast path does not handle.
type jsonScan struct {
	b    []byte
	line string         // string(b), made when the first string is read
	t    *DeviceDecoder // transient decoding into this decoder's memory
	i    int
}

// newBool returns a fresh *bool for an optional boolean.
func (s *jsonScan) newBool() *bool {
	if s.t == nil {
		return new(bool)
	}
	// A pointer into the arena stays valid when a later append moves it.
	s.t.bools = append(s.t.bools, false)
	return &s.t.bools[len(s.t.bools)-1]
}

func (s *jsonScan) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next skips space and consumes c.
func (s *jsonScan) next(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c { // no space: the common case
		s.i++
		return true
	}
	s.space()
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// Masks for the word-at-a-time string scan.
const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// special returns a word with the high bit set in the lowest byte of w that
// a string cannot hold without a closer look (the closing quote, a
// backslash, a control character or a non-ASCII byte), and possibly in
// later bytes; zero when all eight bytes are plain. The subtractions borrow
// only upwards, so the lowest flagged byte is always a true one.
func special(w uint64) uint64 {
	quote := w ^ (lows * '"')
	slash := w ^ (lows * '\\')
	return ((quote-lows) & ^quote | (slash-lows) & ^slash | (w - lows*0x20) | w) & highs
}

// rawSpan reads a string and returns where its bytes are in the input.
// Strings are most of a device's bytes, so it looks at eight at a time.
func (s *jsonScan) rawSpan() (start, end int, ok bool) {
	if !s.next('"') {
		return 0, 0, false
	}
	start = s.i
	ascii := true
	for {
		for s.i+8 <= len(s.b) {
			m := special(binary.LittleEndian.Uint64(s.b[s.i:]))
			if m != 0 {
				s.i += bits.TrailingZeros64(m) >> 3
				break
			}
			s.i += 8
		}
		if s.i >= len(s.b) {
			return 0, 0, false
		}
		switch c := s.b[s.i]; {
		case c == '"':
			end = s.i
			s.i++
			if !ascii && !utf8.Valid(s.b[start:end]) {
				return 0, 0, false
			}
			return start, end, true
		case c == '\\' || c < 0x20:
			return 0, 0, false
		case c >= 0x80:
			ascii = false
		}
		s.i++
	}
}

// raw reads a string and returns its bytes, aliasing the input.
func (s *jsonScan) raw() ([]byte, bool) {
	start, end, ok := s.rawSpan()
	return s.b[start:end], ok
}

// str reads a string. It is a slice of one string copy of the whole line,
// made once: a device has some thirty strings, and one allocation instead
// of thirty was a tenth of an assessment's time. Whoever keeps a device's
// string long after the device (a report's findings) clones it, so as not
// to keep the whole line alive.
func (s *jsonScan) str(dst *string) bool {
	start, end, ok := s.rawSpan()
	switch {
	case !ok || start == end:
		if ok {
			*dst = ""
		}
	case s.t != nil:
		*dst = unsafe.String(&s.b[start], end-start)
	default:
		if s.line == "" {
			s.line = string(s.b)
		}
		*dst = s.line[start:end]
	}
	return ok
}

// null consumes a JSON null, which encoding/json reads as nil for
// pointers, slices and maps.
func (s *jsonScan) null() bool {
	s.space()
	if len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "null" {
		s.i += 4
		return s.delimited()
	}
	return false
}

func (s *jsonScan) boolean(dst *bool) bool {
	s.space()
	switch {
	case len(s.b)-s.i >= 4 && string(s.b[s.i:s.i+4]) == "true":
		*dst = true
		s.i += 4
	case len(s.b)-s.i >= 5 && string(s.b[s.i:s.i+5]) == "false":
		*dst = false
		s.i += 5
	default:
		return false
	}
	return s.delimited()
}

// delimited says whether a literal or number ends where it should: a
// run like "truex" or "12a" is not for the fast path.
func (s *jsonScan) delimited() bool {
	if s.i == len(s.b) {
		return true
	}
	switch s.b[s.i] {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}

func (s *jsonScan) integer(dst *int) bool {
	s.space()
	neg := false
	if s.i < len(s.b) && s.b[s.i] == '-' {
		neg = true
		s.i++
	}
	start := s.i
	var v int
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		v = v*10 + int(s.b[s.i]-'0')
		s.i++
	}
	n := s.i - start
	// No digits, a leading zero, or more digits than surely fit: leave it
	// to encoding/json.
	if n == 0 || n > 18 || (n > 1 && s.b[start] == '0') || !s.delimited() {
		return false
	}
	if neg {
		v = -v
	}
	*dst = v
	return true
}

// enum reads a string into an enum; an empty one is left to the caller's
// slow path, which knows whether empty means unset there.
func (s *jsonScan) enum(set func([]byte) error) bool {
	v, ok := s.raw()
	return ok && len(v) > 0 && set(v) == nil
}

// timestamp reads a date; empty is unset, as Timestamp.UnmarshalJSON has it.
func (s *jsonScan) timestamp(dst *Timestamp) bool {
	v, ok := s.raw()
	return ok && dst.UnmarshalText(v) == nil
}

// object calls field for each member; field is given the member's name and
// returns the member's bit in a mask of the fields seen, 0 if unknown, and
// whether its value was read. A repeated field leaves the fast path.
func (s *jsonScan) object(field func(name []byte) (bit uint64, ok bool)) bool {
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	var seen uint64
	for {
		name, ok := s.raw()
		if !ok || !s.next(':') {
			return false
		}
		bit, ok := field(name)
		if !ok || bit == 0 || seen&bit != 0 {
			return false
		}
		seen |= bit
		if s.next(',') {
			continue
		}
		return s.next('}')
	}
}

// array calls elem for each element.
func (s *jsonScan) array(elem func() bool) bool {
	if !s.next('[') {
		return false
	}
	if s.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if s.next(',') {
			continue
		}
		return s.next(']')
	}
}

func (s *jsonScan) device(d *Device) bool {
	return s.object(func(name []byte) (uint64, bool) {
		switch string(name) {
		case "id":
			return 1 << 0, s.str(&d.ID)
		case "serial":
			return 1 << 1, s.str(&d.Serial)
		case "model":
			return 1 << 2, s.str(&d.Model)
		case "firmware":
			return 1 << 3, s.str(&d.Firmware)
		case "mac":
			return 1 << 4, s.str(&d.MAC)
		case "ip":
			return 1 << 5, s.str(&d.IP)
		case "hostname":
			return 1 << 6, s.str(&d.Hostname)
		case "mqtt_client_id":
			return 1 << 7, s.str(&d.MQTTClientID)
		case "certificate":
			if s.null() {
				d.Certificate = nil
				return 1 << 8, true
			}
			var c *Certificate
			if s.t != nil {
				c = &s.t.cert
				*c = Certificate{}
			} else {
				c = new(Certificate)
			}
			d.Certificate = c
			return 1 << 8, s.certificate(c)
		case "lifecycle":
			return 1 << 9, s.enum(d.Lifecycle.UnmarshalText)
		case "site":
			return 1 << 10, s.str(&d.Site)
		case "location":
			return 1 << 11, s.enum(d.Location.UnmarshalText)
		case "zone":
			return 1 << 12, s.str(&d.Zone)
		case "last_seen":
			return 1 << 13, s.timestamp(&d.LastSeen)
		case "decommissioned":
			return 1 << 14, s.timestamp(&d.Decommissioned)
		case "wiped":
			return 1 << 15, s.boolean(&d.Wiped)
		case "credentials":
			return 1 << 16, s.enum(d.Credentials.UnmarshalText)
		case "settings":
			if s.null() {
				d.Settings = nil
				return 1 << 17, true
			}
			return 1 << 17, s.settings(d)
		case "ports":
			if s.null() {
				d.Ports = nil
				return 1 << 18, true
			}
			return 1 << 18, s.ports(&d.Ports)
		case "reported_firmware":
			return 1 << 19, s.str(&d.ReportedFirmware)
		case "last_telemetry":
			return 1 << 20, s.timestamp(&d.LastTelemetry)
		case "clock_skew_seconds":
			return 1 << 21, s.integer(&d.ClockSkewSeconds)
		case "tamper_events":
			return 1 << 22, s.integer(&d.TamperEvents)
		case "owner":
			return 1 << 23, s.str(&d.Owner)
		case "safety_critical":
			return 1 << 24, s.boolean(&d.SafetyCritical)
		case "previous_identity":
			return 1 << 25, s.str(&d.PreviousIdentity)
		case "cloud_status":
			return 1 << 26, s.str(&d.CloudStatus)
		}
		return 0, false
	})
}

func (s *jsonScan) certificate(c *Certificate) bool {
	return s.object(func(name []byte) (uint64, bool) {
		switch string(name) {
		case "file":
			return 1 << 0, s.str(&c.File)
		case "fingerprint":
			return 1 << 1, s.str(&c.Fingerprint)
		case "subject":
			return 1 << 2, s.str(&c.Subject)
		case "issuer":
			return 1 << 3, s.str(&c.Issuer)
		case "serial":
			return 1 << 4, s.str(&c.Serial)
		case "not_before":
			return 1 << 5, s.timestamp(&c.NotBefore)
		case "not_after":
			return 1 << 6, s.timestamp(&c.NotAfter)
		case "key_type":
			return 1 << 7, s.str(&c.KeyType)
		case "key_bits":
			return 1 << 8, s.integer(&c.KeyBits)
		case "curve":
			return 1 << 9, s.str(&c.Curve)
		case "signature_algorithm":
			return 1 << 10, s.str(&c.SignatureAlgorithm)
		case "self_signed":
			return 1 << 11, s.boolean(&c.SelfSigned)
		case "revoked":
			return 1 << 12, s.boolean(&c.Revoked)
		case "trusted":
			if s.null() {
				c.Trusted = nil
				return 1 << 13, true
			}
			v := s.newBool()
			c.Trusted = v
			return 1 << 13, s.boolean(v)
		}
		return 0, false
	})
}

func (s *jsonScan) settings(d *Device) bool {
	if s.t != nil {
		if s.t.settings == nil {
			s.t.settings = make(map[string]bool, 4)
		}
		clear(s.t.settings)
		d.Settings = s.t.settings
	} else if d.Settings == nil {
		d.Settings = make(map[string]bool, 4)
	}
	if !s.next('{') {
		return false
	}
	if s.next('}') {
		return true
	}
	for {
		name, ok := s.raw()
		if !ok || !s.next(':') {
			return false
		}
		var v bool
		if !s.boolean(&v) {
			return false
		}
		// A repeated key: the last value wins, as with encoding/json.
		d.Settings[string(name)] = v
		if s.next(',') {
			continue
		}
		return s.next('}')
	}
}

func (s *jsonScan) ports(dst *[]Port) bool {
	// Decode into a buffer on the stack and allocate the exact slice once:
	// ports are a third of a device's decoding time otherwise. encoding/json
	// gives an empty, non-nil slice for [], and so does this.
	var buf [8]Port
	ports := buf[:0]
	ok := s.array(func() bool {
		ports = append(ports, Port{})
		return s.port(&ports[len(ports)-1])
	})
	*dst = ownList(s.t, (*DeviceDecoder).portArena, ports)
	return ok
}

func (s *jsonScan) port(p *Port) bool {
	return s.object(func(name []byte) (uint64, bool) {
		switch string(name) {
		case "port":
			return 1 << 0, s.integer(&p.Port)
		case "protocol":
			return 1 << 1, s.str(&p.Protocol)
		case "state":
			return 1 << 2, s.str(&p.State)
		case "service":
			return 1 << 3, s.str(&p.Service)
		case "tls":
			return 1 << 4, s.boolean(&p.TLS)
		case "version":
			return 1 << 5, s.str(&p.Version)
		case "banner":
			return 1 << 6, s.str(&p.Banner)
		case "admin":
			return 1 << 7, s.boolean(&p.Admin)
		case "authenticated":
			if s.null() {
				p.Authenticated = nil
				return 1 << 8, true
			}
			v := s.newBool()
			p.Authenticated = v
			return 1 << 8, s.boolean(v)
		case "tls_versions":
			if s.null() {
				p.TLSVersions = nil
				return 1 << 9, true
			}
			var buf [4]TLSVersion
			vs := buf[:0]
			ok := s.array(func() bool {
				// An element of a list is not a field: empty is an error
				// there, which encoding/json reports.
				raw, ok := s.raw()
				if !ok {
					return false
				}
				var v TLSVersion
				if v.UnmarshalText(raw) != nil {
					return false
				}
				vs = append(vs, v)
				return true
			})
			p.TLSVersions = ownList(s.t, (*DeviceDecoder).tlsArena, vs)
			return 1 << 9, ok
		case "weak_ciphers":
			if s.null() {
				p.WeakCiphers = nil
				return 1 << 10, true
			}
			var buf [4]string
			vs := buf[:0]
			ok := s.array(func() bool {
				var v string
				if !s.str(&v) {
					return false
				}
				vs = append(vs, v)
				return true
			})
			p.WeakCiphers = ownList(s.t, (*DeviceDecoder).cipherArena, vs)
			return 1 << 10, ok
		}
		return 0, false
	})
}
