package engine

import (
	"strings"

	"github.com/iotguard/iotguard/model"
)

// evidenceIndex holds lookups over imported evidence. It is built once,
// before the first pass, and read-only afterwards except for the match
// marks, which only the (sequential) first pass writes.
type evidenceIndex struct {
	ev *model.Evidence

	scanByKey map[string]int // "mac:…", "ip:…", "host:…" -> host number
	hosts     []*model.ScanHost
	hostSeen  []bool // matched by some device in pass 1

	certByFP     map[string]*model.CertificateInfo
	certBySource map[string]*model.CertificateInfo
	revoked      map[string]bool // issuer + "|" + serial

	cloudByName map[string]int
	cloudSeen   []bool

	mudByModel  map[string]*model.MUDProfile
	sbomByModel map[string][]*model.SBOM // model -> SBOMs
	vulnsByKey  map[string][]*model.VulnMatch
}

// NormalizeMAC writes a MAC address as lower-case hex pairs joined by
// colons, so scans, inventories and registries compare equal.
func NormalizeMAC(mac string) string {
	var hex []byte
	for i := 0; i < len(mac); i++ {
		c := mac[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			hex = append(hex, c)
		case c >= 'A' && c <= 'F':
			hex = append(hex, c+'a'-'A')
		}
	}
	if len(hex) != 12 {
		return strings.ToLower(strings.TrimSpace(mac))
	}
	var b strings.Builder
	for i := 0; i < 12; i += 2 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.Write(hex[i : i+2])
	}
	return b.String()
}

// NormalizeFingerprint writes a certificate fingerprint as lower-case hex
// without separators.
func NormalizeFingerprint(fp string) string {
	var b strings.Builder
	for i := 0; i < len(fp); i++ {
		c := fp[i]
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'f':
			b.WriteByte(c)
		case c >= 'A' && c <= 'F':
			b.WriteByte(c + 'a' - 'A')
		}
	}
	return b.String()
}

// FirmwareKey names a model's firmware version in indexes and assets.
func FirmwareKey(modelID, firmware string) string { return modelID + "@" + firmware }

func newEvidenceIndex(ev *model.Evidence) *evidenceIndex {
	x := &evidenceIndex{
		ev:           ev,
		scanByKey:    map[string]int{},
		certByFP:     map[string]*model.CertificateInfo{},
		certBySource: map[string]*model.CertificateInfo{},
		revoked:      map[string]bool{},
		cloudByName:  map[string]int{},
		mudByModel:   map[string]*model.MUDProfile{},
		sbomByModel:  map[string][]*model.SBOM{},
		vulnsByKey:   map[string][]*model.VulnMatch{},
	}
	if ev == nil {
		return x
	}
	for si := range ev.Scans {
		for hi := range ev.Scans[si].Hosts {
			h := &ev.Scans[si].Hosts[hi]
			n := len(x.hosts)
			x.hosts = append(x.hosts, h)
			if h.MAC != "" {
				x.scanByKey["mac:"+NormalizeMAC(h.MAC)] = n
			}
			for _, a := range h.Addresses {
				x.scanByKey["ip:"+strings.ToLower(a)] = n
			}
			for _, hn := range h.Hostnames {
				x.scanByKey["host:"+strings.ToLower(hn)] = n
			}
		}
	}
	x.hostSeen = make([]bool, len(x.hosts))
	for _, r := range ev.Revoked {
		x.revoked[strings.ToLower(r.Issuer)+"|"+strings.ToLower(r.Serial)] = true
	}
	for i := range ev.Certificates {
		c := &ev.Certificates[i]
		if x.revoked[strings.ToLower(c.Issuer)+"|"+strings.ToLower(c.Serial)] {
			c.Revoked = true
		}
		x.certByFP[NormalizeFingerprint(c.Fingerprint)] = c
		if c.Source != "" {
			x.certBySource[c.Source] = c
		}
	}
	for i := range ev.Cloud {
		x.cloudByName[strings.ToLower(ev.Cloud[i].Name)] = i
	}
	x.cloudSeen = make([]bool, len(ev.Cloud))
	for i := range ev.MUD {
		if m := ev.MUD[i].Model; m != "" {
			x.mudByModel[m] = &ev.MUD[i]
		}
	}
	for i := range ev.SBOMs {
		s := &ev.SBOMs[i]
		x.sbomByModel[s.Model] = append(x.sbomByModel[s.Model], s)
	}
	for i := range ev.Vulnerabilities {
		v := &ev.Vulnerabilities[i]
		k := FirmwareKey(v.Model, v.Firmware)
		x.vulnsByKey[k] = append(x.vulnsByKey[k], v)
	}
	return x
}

// host finds the scan host of a device by MAC, then IP, then hostname.
func (x *evidenceIndex) host(d *model.Device) int {
	if len(x.hosts) == 0 {
		return -1
	}
	if d.MAC != "" {
		if n, ok := x.scanByKey["mac:"+NormalizeMAC(d.MAC)]; ok {
			return n
		}
	}
	if d.IP != "" {
		if n, ok := x.scanByKey["ip:"+strings.ToLower(d.IP)]; ok {
			return n
		}
	}
	if d.Hostname != "" {
		if n, ok := x.scanByKey["host:"+strings.ToLower(d.Hostname)]; ok {
			return n
		}
	}
	return -1
}

func (x *evidenceIndex) cloud(d *model.Device) int {
	if len(x.cloudByName) == 0 {
		return -1
	}
	if n, ok := x.cloudByName[strings.ToLower(d.ID)]; ok {
		return n
	}
	return -1
}

// enrich merges evidence into a device: observed ports from a scan,
// certificate facts from parsed certificates and CRLs, last activity and
// status from cloud registries. hostSeen and cloudSeen, when not nil,
// record which scan hosts and cloud things the device matched (first pass
// only; parallel workers each mark their own). Enrichment only adds facts
// or replaces observed ones with fresher observations; it never invents a
// device.
func (x *evidenceIndex) enrich(d *model.Device, hostSeen, cloudSeen []bool) {
	if x.ev == nil {
		return
	}
	if n := x.host(d); n >= 0 {
		h := x.hosts[n]
		if hostSeen != nil {
			hostSeen[n] = true
		}
		d.Ports = mergePorts(d.Ports, h.Ports)
		if d.MAC == "" && h.MAC != "" {
			d.MAC = NormalizeMAC(h.MAC)
		}
		if d.IP == "" && len(h.Addresses) > 0 {
			d.IP = h.Addresses[0]
		}
	}
	if c := d.Certificate; c != nil && (len(x.certByFP) > 0 || len(x.revoked) > 0) {
		var info *model.CertificateInfo
		if c.Fingerprint != "" {
			info = x.certByFP[NormalizeFingerprint(c.Fingerprint)]
		}
		if info == nil && c.File != "" {
			info = x.certBySource[c.File]
		}
		if info != nil {
			cp := *c
			fillCertificate(&cp, info)
			d.Certificate = &cp
		} else if c.Serial != "" && x.revoked[strings.ToLower(c.Issuer)+"|"+strings.ToLower(c.Serial)] {
			cp := *c
			cp.Revoked = true
			d.Certificate = &cp
		}
	}
	if n := x.cloud(d); n >= 0 {
		t := &x.ev.Cloud[n]
		if cloudSeen != nil {
			cloudSeen[n] = true
		}
		if t.LastActivity.Set() && t.LastActivity.After(d.LastSeen.Time) {
			d.LastSeen = t.LastActivity
		}
		if d.ReportedFirmware == "" && t.FirmwareVersion != "" {
			d.ReportedFirmware = t.FirmwareVersion
		}
		if t.Status != "" {
			d.CloudStatus = t.Status
		}
	}
}

// fillCertificate completes what the inventory declared with what the
// certificate itself says; the parsed certificate is authoritative for the
// facts it carries.
func fillCertificate(dst *model.Certificate, info *model.CertificateInfo) {
	src := &info.Certificate
	dst.Fingerprint = NormalizeFingerprint(src.Fingerprint)
	dst.Subject, dst.Issuer, dst.Serial = src.Subject, src.Issuer, src.Serial
	dst.NotBefore, dst.NotAfter = src.NotBefore, src.NotAfter
	dst.KeyType, dst.KeyBits, dst.Curve = src.KeyType, src.KeyBits, src.Curve
	dst.SignatureAlgorithm = src.SignatureAlgorithm
	dst.SelfSigned = src.SelfSigned
	dst.Revoked = dst.Revoked || src.Revoked
	trusted := info.ChainsToTrusted
	if trusted == nil {
		trusted = src.Trusted
	}
	if trusted != nil {
		t := *trusted
		dst.Trusted = &t
	}
}

// mergePorts overlays scanned ports on declared ones: a scan is the
// fresher observation of the same (port, protocol).
func mergePorts(declared, scanned []model.Port) []model.Port {
	if len(declared) == 0 {
		return scanned
	}
	out := make([]model.Port, 0, len(declared)+len(scanned))
	out = append(out, scanned...)
	for _, p := range declared {
		dup := false
		for _, s := range scanned {
			if s.Port == p.Port && strings.EqualFold(s.Protocol, p.Protocol) {
				dup = true
				break
			}
		}
		if !dup {
			out = append(out, p)
		}
	}
	return out
}
