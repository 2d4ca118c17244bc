package fleetgen

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/iotguard/iotguard/model"
)

// builder builds devices; each goroutine has its own.
type builder struct {
	g   *Generator
	r   rng
	buf []byte
}

func newBuilder(g *Generator) *builder { return &builder{g: g, buf: make([]byte, 0, 128)} }

const hexDigits = "0123456789abcdef"

var (
	tlsModern = []model.TLSVersion{"1.2", "1.3"}
	tlsLegacy = []model.TLSVersion{"1.0", "1.1", "1.2"}
	weakSuite = []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"}
)

// Cloud registry states.
const (
	cloudEnabled  = "enabled"
	cloudDisabled = "disabled"
)

// device overwrites d with device i.
func (b *builder) device(i int, d *model.Device) {
	g := b.g
	p, partner := g.problemOf(i)
	var prob Problem
	var nd need
	if p >= 0 {
		prob, nd = problems[p].Name, problems[p].need
	}

	// The second device of a pair copies its identifier from the first,
	// which is built again (pairs are rare, and this keeps device i a
	// function of i alone).
	var first *model.Device
	if partner {
		first = new(model.Device)
		newBuilder(g).device(i-1, first)
	}

	r := &b.r
	r.seed(hash2(g.seed, streamDevice), hash2(g.seed^streamDevice, uint64(i)))

	var mi int
	switch {
	case partner:
		mi = g.byID[first.Model]
	case p >= 0:
		mi = pickModel(g.eligible[p], r)
	default:
		mi = pickModel(g.regular, r)
	}
	info := &g.models[mi]
	s := info.spec
	site := i / g.perSite
	host := i % g.perSite

	lc := model.Active
	switch {
	case p < 0:
		switch x := r.intn(1000); {
		case x < 25:
			lc = model.Provisioned
		case x < 55:
			lc = model.Decommissioned
		case x < 60:
			lc = model.RMA
		}
	case nd.retired:
		lc = model.Decommissioned
		if prob == DecommissionedNotWiped && r.intn(2) == 0 {
			lc = model.RMA
		}
	}

	zone := s.zone
	switch prob {
	case SafetyNotSegregated, EndOfSupportNotIsolated:
		zone = zoneBuilding
	case UnsuitableNetwork:
		zone = zoneGuest
	}

	*d = model.Device{
		Model:          s.id,
		Lifecycle:      lc,
		Site:           g.siteIDs[site],
		Zone:           g.zones[site][zone],
		Owner:          info.owners[site],
		SafetyCritical: s.safety,
		Credentials:    s.creds,
	}

	// Identifiers.
	b.buf = append(b.buf[:0], s.prefix...)
	b.buf = append(b.buf, '-')
	b.buf = appendPadded(b.buf, i, 8)
	d.ID = string(b.buf)
	b.buf = append(b.buf, g.hostTail[site]...)
	d.Hostname = string(b.buf)
	b.buf = append(b.buf[:0], orgTenant...)
	b.buf = append(b.buf, '/')
	b.buf = append(b.buf, d.ID...)
	d.MQTTClientID = string(b.buf)

	if prob != IncompleteRecord {
		b.buf = append(b.buf[:0], s.serial...)
		b.buf = append(b.buf, '-')
		b.buf = appendPadded(b.buf, 20+r.intn(6), 2)
		b.buf = appendPadded(b.buf, 1+r.intn(52), 2)
		b.buf = append(b.buf, '-')
		b.buf = appendPadded(b.buf, i, 8)
		d.Serial = string(b.buf)
	}

	// MAC: the vendor's OUI and a bijective scramble of the index (24 bits).
	suffix := uint32(i)*0x9e3779 + uint32(g.seed)&0xffffff
	suffix &= 0xffffff
	b.buf = b.buf[:0]
	for k, x := range [6]byte{s.oui[0], s.oui[1], s.oui[2], byte(suffix >> 16), byte(suffix >> 8), byte(suffix)} {
		if k > 0 {
			b.buf = append(b.buf, ':')
		}
		b.buf = append(b.buf, hexDigits[x>>4], hexDigits[x&15])
	}
	d.MAC = string(b.buf)

	// IP: the site's /16, hosts numbered from .0.1.
	h := host + 1
	b.buf = append(b.buf[:0], g.ipPrefix[site]...)
	b.buf = appendPadded(b.buf, h>>8, 1)
	b.buf = append(b.buf, '.')
	b.buf = appendPadded(b.buf, h&255, 1)
	d.IP = string(b.buf)

	// Location.
	d.Location = s.locations[len(s.locations)-1].loc
	x := r.intn(100)
	for _, l := range s.locations {
		if x < l.weight {
			d.Location = l.loc
			break
		}
		x -= l.weight
	}

	// Firmware: most devices run the latest release, some the previous
	// one; both are within the policy.
	rels := info.releases
	fw := len(rels) - 1
	if !s.legacy && r.intn(100) < 30 {
		fw--
	}
	switch prob {
	case OutdatedFirmware:
		fw = r.intn(4)
	case MissingSecurityUpdate:
		fw = 4
	}
	d.Firmware = rels[fw]
	d.ReportedFirmware = d.Firmware
	if prob == FirmwareDrift {
		if fw == len(rels)-1 {
			d.ReportedFirmware = rels[fw-1] // rolled back outside the update process
		} else {
			d.ReportedFirmware = rels[len(rels)-1] // updated by hand, inventory not told
		}
	}

	// Activity.
	now, today := g.now, g.today
	ts := func(t time.Time) model.Timestamp { return model.Timestamp{Time: t} }
	switch lc {
	case model.Active:
		d.LastSeen = ts(now.Add(-time.Duration(60+r.intn(6*3600)) * time.Second))
		d.LastTelemetry = ts(now.Add(-time.Duration(60+r.intn(4*3600)) * time.Second))
		d.CloudStatus = cloudEnabled
	case model.Provisioned:
		d.LastSeen = ts(now.Add(-time.Duration(86400+r.intn(19*86400)) * time.Second))
		d.CloudStatus = cloudEnabled
	default:
		dec := today.AddDate(0, 0, -(10 + r.intn(390)))
		d.Decommissioned = ts(dec)
		d.LastSeen = ts(dec.Add(-time.Duration(3600+r.intn(72*3600)) * time.Second))
		d.LastTelemetry = d.LastSeen
		d.Wiped = true
		d.CloudStatus = cloudDisabled
	}
	switch prob {
	case StaleDevice:
		d.LastSeen = ts(now.Add(-time.Duration(91*86400+r.intn(309*86400)) * time.Second))
		d.LastTelemetry = d.LastSeen
	case SilentTelemetry:
		d.LastTelemetry = ts(now.Add(-time.Duration(25*3600+r.intn(29*86400)) * time.Second))
	case DecommissionedNotWiped:
		d.Wiped = false
	case RetiredEnabledInCloud:
		d.CloudStatus = cloudEnabled
	}

	d.ClockSkewSeconds = r.intn(9) - 4
	switch prob {
	case ClockSkew:
		d.ClockSkewSeconds = 420 + r.intn(3181)
		if r.intn(2) == 0 {
			d.ClockSkewSeconds = -d.ClockSkewSeconds
		}
	case TamperEvents:
		d.TamperEvents = 1 + r.intn(4)
	case DefaultCredentials:
		d.Credentials = model.CredDefault
	case SharedCredentials:
		d.Credentials = model.CredShared
	case OutdoorWithoutTamper:
		d.Location = model.Outdoor
		d.Settings = map[string]bool{"tamper_detection": false}
	}

	if s.cert {
		d.Certificate = b.certificate(i, d, s, prob)
	}
	if lc == model.Active {
		d.Ports = b.ports(d, s, prob)
	}

	if partner {
		switch prob {
		case SharedCertificate:
			c := *first.Certificate
			d.Certificate = &c
		case DuplicateClientID:
			d.MQTTClientID = first.MQTTClientID
		case ClonedDevice:
			d.Serial, d.MAC = first.Serial, first.MAC
		}
	}
}

// certificate is the device's identity certificate from the operator's
// device CA: ECDSA P-256 (RSA-2048 for some models), issued 30-730 days
// ago for three years, revoked when the device is retired.
func (b *builder) certificate(i int, d *model.Device, s *modelSpec, prob Problem) *model.Certificate {
	g, r := b.g, &b.r
	var seed [16]byte
	binary.LittleEndian.PutUint64(seed[:8], g.seed)
	binary.LittleEndian.PutUint64(seed[8:], uint64(i))
	sum := sha256.Sum256(seed[:])
	var serial [8]byte
	binary.BigEndian.PutUint64(serial[:], r.u64()&^(1<<63)) // positive, as RFC 5280 requires
	issued := g.today.AddDate(0, 0, -(30 + r.intn(700)))
	c := &model.Certificate{
		Fingerprint: hex.EncodeToString(sum[:]),
		Subject:     "CN=" + d.ID + ",O=" + orgName,
		Issuer:      deviceCA,
		Serial:      hex.EncodeToString(serial[:]),
		NotBefore:   model.Timestamp{Time: issued},
		NotAfter:    model.Timestamp{Time: issued.AddDate(3, 0, 0)},
		Revoked:     d.Lifecycle.Retired(),
	}
	if s.rsa {
		c.KeyType, c.KeyBits, c.SignatureAlgorithm = "rsa", 2048, "sha256WithRSAEncryption"
	} else {
		c.KeyType, c.KeyBits, c.Curve, c.SignatureAlgorithm = "ecdsa", 256, "P-256", "ecdsa-with-SHA256"
	}
	switch prob {
	case ExpiredCertificate:
		end := g.today.AddDate(0, 0, -(1 + r.intn(200)))
		c.NotBefore, c.NotAfter = model.Timestamp{Time: end.AddDate(-3, 0, 0)}, model.Timestamp{Time: end}
	case ExpiringCertificate:
		end := g.today.AddDate(0, 0, 2+r.intn(24))
		c.NotBefore, c.NotAfter = model.Timestamp{Time: end.AddDate(-3, 0, 0)}, model.Timestamp{Time: end}
	case SelfSignedCertificate:
		c.Issuer, c.SelfSigned = c.Subject, true
	case WeakKey:
		c.KeyType, c.KeyBits, c.Curve, c.SignatureAlgorithm = "rsa", 1024, "", "sha256WithRSAEncryption"
	case RevokedCertificateInUse:
		c.Revoked = true
	case DecommissionedStillCredentialed:
		c.Revoked = false
	case ReusedIdentity:
		d.PreviousIdentity = c.Fingerprint
	}
	return c
}

// ports are what the last scan of an active device saw: the model's
// declared ports, authenticated, TLS ports offering TLS 1.2 and 1.3.
func (b *builder) ports(d *model.Device, s *modelSpec, prob Problem) []model.Port {
	out := make([]model.Port, len(s.ports), len(s.ports)+1)
	auth := new(bool)
	*auth = true
	firstTLS := -1
	for k, p := range s.ports {
		p.Authenticated = auth
		if p.TLS && p.Protocol == "tcp" {
			p.TLSVersions = append([]model.TLSVersion(nil), tlsModern...)
			if firstTLS < 0 {
				firstTLS = k
			}
		}
		out[k] = p
	}
	switch prob {
	case TelnetOpen:
		out = append(out, model.Port{Port: 23, Protocol: "tcp", Service: "telnet", Admin: true, Authenticated: auth})
		d.Settings = map[string]bool{"telnet": true}
	case MQTTPlaintext:
		out = append(out, model.Port{Port: 1883, Protocol: "tcp", Service: "mqtt", Authenticated: new(bool)})
	case UndeclaredPort:
		out = append(out, model.Port{Port: 8080, Protocol: "tcp", Service: "http", Authenticated: auth})
	case VersionBanner:
		p := &out[0]
		p.Authenticated = nil
		switch p.Service {
		case "ssh":
			p.Banner = "SSH-2.0-dropbear_2022.83"
		case "https", "http":
			p.Banner = "Server: " + s.vendorSlug + "-httpd/" + d.Firmware
		default:
			p.Banner = s.vendor + " " + p.Service + " server, firmware " + d.Firmware
		}
	case LegacyTLS:
		out[firstTLS].TLSVersions = append([]model.TLSVersion(nil), tlsLegacy...)
	case WeakCiphers:
		out[firstTLS].WeakCiphers = append([]string(nil), weakSuite...)
	}
	return out
}
