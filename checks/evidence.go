package checks

import (
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// Checks on imported evidence: SBOMs, vulnerability matches, scans,
// certificates, MUD profiles and cloud registries. Each is not applicable
// when its kind of evidence was not given, so a manifest without evidence
// files is not penalised twice for what model-level checks already say.
var evidenceChecks = []engine.Check{
	vulnerableFirmware{}, sbomPerFirmware{}, sbomSupplierComplete{}, componentEndOfLife{},
	unregisteredDevice{}, deviceTLSMinimum{}, weakTLSCiphers{}, certificateUntrustedIssuer{},
	flowOutsideMUD{}, devicePortsOutsideMUD{}, cloudAuditFindings{}, decommissionedEnabledInCloud{},
}

// ------------------------------------------------------------ vulnerabilities

type vulnerableFirmware struct{}

func (vulnerableFirmware) Meta() engine.Meta {
	return engine.Meta{
		ID: "vulnerable-firmware", Version: "1",
		Title:       "No firmware in service has known vulnerable components",
		Description: "Components of the firmware that devices run, from its SBOM, match no OSV or NVD advisory, unless a VEX statement says the firmware is not affected. Known-exploited (CISA KEV) advisories are critical; the patch SLA runs from publication.",
		Controls:    []string{"S22"}, Severity: model.High, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvSBOM, model.EvVuln, model.EvInventory},
		Remediation: "Update the affected devices to firmware with the fixed component version; until then isolate or quarantine them, and publish a VEX statement if the component is not exploitable in this firmware.",
	}
}

func (vulnerableFirmware) CheckSolution(env *engine.Env) []engine.Result {
	ev := env.Evidence()
	if ev == nil || ev.VulnDB == "" {
		return []engine.Result{engine.NotApplicable("no vulnerability database was given (--vulndb or evidence.vulndb)")}
	}
	var out []engine.Result
	for i := range ev.Vulnerabilities {
		v := &ev.Vulnerabilities[i]
		fw := engine.FirmwareRef{Model: v.Model, Firmware: v.Firmware}
		asset := "firmware " + fw.String()
		devices := env.Fleet.ByFirmware[fw]
		if v.Model != "" && devices == 0 {
			continue // no device runs this firmware
		}
		if v.Suppressed {
			r := engine.NotApplicable(fmt.Sprintf("%s %s: %s suppressed by VEX (%s)", v.Component, v.Version, v.Advisory, v.Justification))
			r.Asset = asset
			out = append(out, r)
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "%s %s is affected by %s", v.Component, v.Version, v.Advisory)
		if len(v.Aliases) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(v.Aliases, ", "))
		}
		fmt.Fprintf(&b, ", affected %s", v.Affected)
		if v.Fixed != "" {
			fmt.Fprintf(&b, ", fixed in %s", v.Fixed)
		} else {
			b.WriteString(", no fixed version known")
		}
		if v.KEV {
			b.WriteString("; known exploited (CISA KEV)")
		}
		sev := v.Severity
		if sev == "" {
			sev = model.Medium
		}
		if v.KEV {
			sev = model.Critical
		}
		if v.Published.Set() {
			sla := slaDays(env.Policy.PatchSLADays, sev)
			if late := env.DaysSince(v.Published) - sla; late > 0 {
				fmt.Fprintf(&b, "; remediation overdue by %d days (SLA %d days)", late, sla)
			}
		}
		if devices > 0 {
			fmt.Fprintf(&b, "; %d devices run %s", devices, fw)
		}
		r := engine.Failf("%s", b.String()).WithSeverity(sev).WithEvidence("%s", firstNonEmpty(v.PURL, v.Component+"@"+v.Version))
		r.Asset = asset
		r.AssetType = model.AssetModel
		if v.Fixed != "" {
			r.Remediation = fmt.Sprintf("Update %s to %s or later in the %s firmware, roll it out to the %d devices, and isolate them until patched.", v.Component, v.Fixed, fw, devices)
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		r := engine.Passf("no component of firmware in service matches an advisory in %s", ev.VulnDB)
		r.Asset = "vulnerabilities"
		out = append(out, r)
	}
	return out
}

func slaDays(p model.PatchSLA, s model.Severity) int {
	switch s {
	case model.Critical:
		return p.Critical
	case model.High:
		return p.High
	case model.Medium:
		return p.Medium
	}
	return p.Low
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}

// ------------------------------------------------------------ SBOMs

type sbomPerFirmware struct{}

func (sbomPerFirmware) Meta() engine.Meta {
	return engine.Meta{
		ID: "sbom-per-firmware", Version: "1",
		Title:       "Every firmware in service has its SBOM",
		Description: "For models that have SBOMs, every firmware version a device runs has an SBOM bound to it, so its components can be checked for vulnerabilities.",
		Controls:    []string{"S03", "S08"}, Severity: model.Medium, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvSBOM, model.EvInventory},
		Remediation: "Obtain or generate the SBOM of that firmware build (CycloneDX or SPDX) and bind it to the model and version in the manifest (evidence.sboms).",
	}
}

func (sbomPerFirmware) CheckSolution(env *engine.Env) []engine.Result {
	ev := env.Evidence()
	if ev == nil || len(ev.SBOMs) == 0 {
		return []engine.Result{engine.NotApplicable("no SBOM files were read")}
	}
	var out []engine.Result
	for _, fw := range env.Fleet.SortedFirmware() {
		sboms := env.SBOMs(fw.Model)
		if len(sboms) == 0 {
			continue // model-sbom-declared speaks for models without any
		}
		found := false
		for _, sb := range sboms {
			if sb.Firmware == fw.Firmware {
				found = true
				break
			}
		}
		var r engine.Result
		if found {
			r = engine.Pass()
		} else {
			have := make([]string, 0, len(sboms))
			for _, sb := range sboms {
				have = append(have, sb.Firmware)
			}
			r = engine.Failf("%d devices run %s firmware %s, which has no SBOM (SBOMs exist for %s)",
				env.Fleet.ByFirmware[fw], fw.Model, fw.Firmware, strings.Join(have, ", "))
		}
		r.Asset = "firmware " + fw.String()
		r.AssetType = model.AssetModel
		out = append(out, r)
	}
	if len(out) == 0 {
		return []engine.Result{engine.NotApplicable("no model in service has SBOMs")}
	}
	return out
}

type sbomSupplierComplete struct{}

func (sbomSupplierComplete) Meta() engine.Meta {
	return engine.Meta{
		ID: "sbom-supplier-complete", Version: "1",
		Title:       "SBOM components name supplier, version, identifier and licence",
		Description: "Every component in each SBOM has a supplier, a version, a package URL or CPE (so advisories can match it) and a licence.",
		Controls:    []string{"S23"}, Severity: model.Low, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvSBOM},
		Remediation: "Ask the supplier for a complete SBOM, or enrich it in your build (syft, cdxgen) with suppliers, purls and licences.",
	}
}

func (sbomSupplierComplete) CheckSolution(env *engine.Env) []engine.Result {
	ev := env.Evidence()
	if ev == nil || len(ev.SBOMs) == 0 {
		return []engine.Result{engine.NotApplicable("no SBOM files were read")}
	}
	var out []engine.Result
	for i := range ev.SBOMs {
		sb := &ev.SBOMs[i]
		var noSupplier, noVersion, noID, noLicence int
		for _, c := range sb.Components {
			if blank(c.Supplier) {
				noSupplier++
			}
			if blank(c.Version) {
				noVersion++
			}
			if blank(c.PURL) && len(c.CPEs) == 0 {
				noID++
			}
			if len(c.Licenses) == 0 {
				noLicence++
			}
		}
		var gaps []string
		for _, g := range []struct {
			n    int
			what string
		}{{noSupplier, "a supplier"}, {noVersion, "a version"}, {noID, "a purl or CPE"}, {noLicence, "a licence"}} {
			if g.n > 0 {
				gaps = append(gaps, fmt.Sprintf("%d lack %s", g.n, g.what))
			}
		}
		r := engine.Pass()
		if len(gaps) > 0 {
			r = engine.Failf("of %d components, %s", len(sb.Components), strings.Join(gaps, ", "))
		}
		r.Asset = "sbom " + sb.Source
		r.AssetType = model.AssetModel
		out = append(out, r)
	}
	return out
}

type componentEndOfLife struct{}

func (componentEndOfLife) Meta() engine.Meta {
	return engine.Meta{
		ID: "component-end-of-life", Version: "1",
		Title:       "No SBOM component is past its end of life or support",
		Description: "Components whose supplier declared an end of life or end of support (CycloneDX lifecycle properties) that has passed no longer receive fixes.",
		Controls:    []string{"S23", "S15"}, Severity: model.Medium, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvSBOM},
		Remediation: "Replace the component with a supported version or an alternative in the next firmware release, and record the residual risk until then.",
	}
}

func (componentEndOfLife) CheckSolution(env *engine.Env) []engine.Result {
	ev := env.Evidence()
	if ev == nil || len(ev.SBOMs) == 0 {
		return []engine.Result{engine.NotApplicable("no SBOM files were read")}
	}
	var out []engine.Result
	for i := range ev.SBOMs {
		sb := &ev.SBOMs[i]
		var late []string
		for _, c := range sb.Components {
			end := c.EndOfLife
			if !end.Set() || (c.EndOfSupport.Set() && c.EndOfSupport.Before(end.Time)) {
				end = c.EndOfSupport
			}
			if end.Set() && env.Now.After(end.Time) {
				late = append(late, fmt.Sprintf("%s %s (%s)", c.Name, c.Version, end))
			}
		}
		r := engine.Pass()
		if len(late) > 0 {
			r = engine.Failf("%d components are past end of life or support: %s", len(late), listSome(late, 5))
		}
		r.Asset = "sbom " + sb.Source
		r.AssetType = model.AssetModel
		out = append(out, r)
	}
	return out
}

func listSome(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// ------------------------------------------------------------ scans and registries

type unregisteredDevice struct{}

func (unregisteredDevice) Meta() engine.Meta {
	return engine.Meta{
		ID: "unregistered-device", Version: "1",
		Title:       "Every device on the network or in the cloud registry is in the inventory",
		Description: "Hosts that answered a network scan, and things registered in a cloud IoT registry, match an inventory device by MAC, IP address, hostname or ID.",
		Controls:    []string{"S03"}, Severity: model.High, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvScan, model.EvInventory, model.EvConfig},
		Remediation: "Identify the host or thing: add it to the inventory with its owner and model, or remove it from the network and the registry.",
	}
}

func (unregisteredDevice) CheckSolution(env *engine.Env) []engine.Result {
	ev := env.Evidence()
	if ev == nil || (len(ev.Scans) == 0 && len(ev.Cloud) == 0) {
		return []engine.Result{engine.NotApplicable("no network scan or cloud registry export was read")}
	}
	var out []engine.Result
	for _, h := range env.UnmatchedHosts() {
		if h.Status != "" && h.Status != "up" {
			continue
		}
		name := firstNonEmpty(strings.Join(h.Addresses, ", "), h.MAC, strings.Join(h.Hostnames, ", "))
		var ports []string
		for _, p := range h.Ports {
			ports = append(ports, fmt.Sprintf("%d/%s %s", p.Port, p.Protocol, p.Service))
		}
		msg := fmt.Sprintf("host %s is on the network but not in the inventory", name)
		if h.MAC != "" && !strings.Contains(name, h.MAC) {
			msg += " (MAC " + h.MAC + ")"
		}
		if len(ports) > 0 {
			msg += "; open ports: " + listSome(ports, 6)
		}
		r := engine.Failf("%s", msg)
		r.Asset = "host " + name
		r.AssetType = model.AssetDevice
		out = append(out, r)
	}
	for _, t := range env.UnmatchedCloud() {
		r := engine.Failf("%s thing %s is registered but not in the inventory", t.Provider, t.Name)
		r.Asset = t.Provider + " " + t.Name
		r.AssetType = model.AssetDevice
		out = append(out, r)
	}
	if len(out) == 0 {
		r := engine.Passf("every scanned host and registered thing is in the inventory")
		r.Asset = "network and registries"
		out = append(out, r)
	}
	return out
}

type deviceTLSMinimum struct{}

func (deviceTLSMinimum) Meta() engine.Meta {
	return engine.Meta{
		ID: "device-tls-minimum", Version: "1",
		Title:       "Device TLS services refuse old protocol versions",
		Description: "TLS services the scan found on the device accept no protocol version below the policy minimum (TLS 1.2 by default).",
		Controls:    []string{"S16", "S10"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvScan},
		Remediation: "Disable TLS 1.0/1.1 (and SSL) in the device firmware's TLS configuration, or update to firmware that does.",
	}
}

func (deviceTLSMinimum) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	min := env.Policy.MinTLS.Rank()
	seen := false
	var bad []string
	for _, p := range d.Ports {
		if len(p.TLSVersions) == 0 {
			continue
		}
		seen = true
		var old []string
		for _, v := range p.TLSVersions {
			if r := v.Rank(); r >= 0 && r < min {
				old = append(old, string(v))
			}
		}
		if len(old) > 0 {
			bad = append(bad, fmt.Sprintf("%d/%s accepts TLS %s", p.Port, p.Protocol, strings.Join(old, ", ")))
		}
	}
	switch {
	case !seen:
		return engine.NotApplicable("no TLS versions were scanned on this device")
	case len(bad) > 0:
		return engine.Failf("%s (minimum %s)", strings.Join(bad, "; "), env.Policy.MinTLS)
	}
	return engine.Pass()
}

type weakTLSCiphers struct{}

func (weakTLSCiphers) Meta() engine.Meta {
	return engine.Meta{
		ID: "weak-tls-ciphers", Version: "1",
		Title:       "Device TLS services offer no weak ciphers",
		Description: "No TLS service on the device accepts a cipher suite the scan graded below A (export, RC4, 3DES, CBC with SHA-1, anonymous).",
		Controls:    []string{"S16"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvScan},
		Remediation: "Restrict the device's TLS cipher suites to AEAD suites with forward secrecy (ECDHE with AES-GCM or ChaCha20-Poly1305).",
	}
}

func (weakTLSCiphers) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	seen := false
	var bad []string
	for _, p := range d.Ports {
		if len(p.TLSVersions) > 0 || len(p.WeakCiphers) > 0 {
			seen = true
		}
		if len(p.WeakCiphers) > 0 {
			bad = append(bad, fmt.Sprintf("%d/%s: %s", p.Port, p.Protocol, listSome(p.WeakCiphers, 3)))
		}
	}
	switch {
	case !seen:
		return engine.NotApplicable("no TLS ciphers were scanned on this device")
	case len(bad) > 0:
		return engine.Failf("weak ciphers accepted on %s", strings.Join(bad, "; "))
	}
	return engine.Pass()
}

type certificateUntrustedIssuer struct{}

func (certificateUntrustedIssuer) Meta() engine.Meta {
	return engine.Meta{
		ID: "certificate-untrusted-issuer", Version: "1",
		Title:       "Device certificate chains to a trusted CA",
		Description: "The device certificate verifies against the solution's trusted CA certificates (evidence.trusted_cas).",
		Controls:    []string{"S16"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvCert},
		Remediation: "Re-issue the device certificate from the fleet's device CA and revoke the current one, or add the issuing CA to the trusted set if it is legitimate.",
	}
}

func (certificateUntrustedIssuer) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	c := d.Certificate
	if c == nil || c.Trusted == nil {
		return engine.NotApplicable("no certificate verified against a trusted CA set")
	}
	if !*c.Trusted {
		return engine.Failf("certificate %s issued by %q does not chain to a trusted CA", abbrevFP(c.Fingerprint), c.Issuer)
	}
	return engine.Pass()
}

func abbrevFP(fp string) string {
	if len(fp) > 12 {
		return fp[:4] + "…" + fp[len(fp)-2:]
	}
	return fp
}

// ------------------------------------------------------------ MUD

func protocolNumber(p string) int {
	switch strings.ToLower(p) {
	case "tcp", "https", "http", "mqtt", "mqtts", "amqps":
		return 6
	case "udp", "coap", "coaps", "dtls":
		return 17
	}
	return 0
}

type flowOutsideMUD struct{}

func (flowOutsideMUD) Meta() engine.Meta {
	return engine.Meta{
		ID: "flow-outside-mud", Version: "1",
		Title:       "Device flows stay within the model's MUD profile",
		Description: "Flows from a device model to external hosts or services are allowed by the from-device policy of the model's MUD profile (RFC 8520).",
		Controls:    []string{"S10", "S11", "P16"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvMUD, model.EvFlow},
		Remediation: "Either stop the flow (firmware or firewall), or, if it is intended, have the manufacturer add it to the MUD profile and declare its purpose.",
	}
}

func (flowOutsideMUD) CheckFlow(env *engine.Env, f *model.DataFlow) engine.Result {
	src, srcID := splitEndpoint(f.Source)
	if src != "model" {
		return engine.NotApplicable("the flow's source is not a device model")
	}
	p := env.MUD(srcID)
	if p == nil {
		return engine.NotApplicable("model " + srcID + " has no MUD profile")
	}
	dst, dstID := splitEndpoint(f.Destination)
	host, target := "", ""
	switch dst {
	case "external":
		host, target = dstID, dstID
	case "service":
		if s := env.Service(dstID); s != nil {
			host = endpointHost(s.Endpoint)
			target = host
		}
	case "zone", "model":
		host, target = model.MUDHostLocalNetworks, "the local network ("+f.Destination+")"
	}
	if host == "" {
		return engine.NotApplicable("the destination has no host name to compare with the profile")
	}
	if p.Allows(model.MUDFromDevice, host, protocolNumber(f.Protocol), f.Port) {
		return engine.Pass()
	}
	port := ""
	if f.Port != 0 {
		port = fmt.Sprintf(" port %d", f.Port)
	}
	return engine.Failf("flow %s from %s to %s%s is not allowed by the MUD profile %s", f.ID, srcID, target, port, firstNonEmpty(p.URL, p.Source))
}

func splitEndpoint(e string) (kind, id string) {
	k, v, ok := strings.Cut(e, ":")
	if !ok {
		return "", e
	}
	return strings.ToLower(k), v
}

// endpointHost extracts the host of a URL or host:port endpoint.
func endpointHost(ep string) string {
	if ep == "" {
		return ""
	}
	if strings.Contains(ep, "://") {
		if u, err := url.Parse(ep); err == nil {
			return u.Hostname()
		}
	}
	h, _, _ := strings.Cut(ep, "/")
	if i := strings.LastIndex(h, ":"); i > 0 && !strings.Contains(h[:i], ":") {
		h = h[:i]
	}
	return h
}

type devicePortsOutsideMUD struct{}

func (devicePortsOutsideMUD) Meta() engine.Meta {
	return engine.Meta{
		ID: "device-ports-outside-mud", Version: "1",
		Title:       "Listening ports are allowed by the model's MUD profile",
		Description: "Every open port on the device is reachable under the to-device policy of its model's MUD profile; anything else is behaviour the design did not declare.",
		Controls:    []string{"S11", "S10"}, Severity: model.Medium, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvMUD, model.EvScan},
		Remediation: "Close the port in the firmware, or have the manufacturer declare it in the MUD profile if it is needed.",
	}
}

func (devicePortsOutsideMUD) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	p := env.MUD(d.Model)
	if p == nil || len(d.Ports) == 0 {
		return engine.NotApplicable("no MUD profile for the model, or no observed ports")
	}
	var bad []string
	for _, port := range d.Ports {
		if !p.Allows(model.MUDToDevice, model.MUDHostLocalNetworks, protocolNumber(port.Protocol), port.Port) {
			bad = append(bad, fmt.Sprintf("%d/%s", port.Port, port.Protocol))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return engine.Failf("open ports %s are not allowed by the MUD profile of %s", strings.Join(bad, ", "), d.Model)
	}
	return engine.Pass()
}

// ------------------------------------------------------------ cloud registries

type cloudAuditFindings struct{}

func (cloudAuditFindings) Meta() engine.Meta {
	return engine.Meta{
		ID: "cloud-audit-findings", Version: "1",
		Title:       "Cloud fleet audits report no non-compliant resources",
		Description: "Findings of cloud fleet auditors (AWS IoT Device Defender audit) land on the 27400 controls they evidence.",
		AnyControl:  true, Severity: model.High, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvConfig, model.EvCert},
		Remediation: "Apply the auditor's mitigation (e.g. rotate shared or weak certificates, tighten IoT policies, enable logging) and re-run the audit.",
	}
}

func (cloudAuditFindings) CheckSolution(env *engine.Env) []engine.Result {
	ev := env.Evidence()
	if ev == nil || len(ev.AuditSources) == 0 {
		return nil
	}
	var out []engine.Result
	for _, f := range ev.CloudFindings {
		msg := fmt.Sprintf("%s audit %s", f.Provider, f.Check)
		if f.Reason != "" {
			msg += ": " + f.Reason
		}
		sev := f.Severity
		if sev == "" {
			sev = model.Medium
		}
		r := engine.Failf("%s", msg).WithSeverity(sev)
		r.Asset = f.Resource
		r.AssetType = model.AssetDevice
		r.Controls = f.Controls
		if len(r.Controls) == 0 {
			r.Controls = []string{"S16"}
		}
		if f.Description != "" {
			r.Evidence = f.Description
		}
		out = append(out, r)
	}
	if len(out) == 0 {
		for _, src := range ev.AuditSources {
			r := engine.Passf("the audit in %s reports no non-compliant resource", src)
			r.Asset = "audit " + src
			r.Controls = []string{"S16", "P07", "S12"}
			out = append(out, r)
		}
	}
	return out
}

type decommissionedEnabledInCloud struct{}

func (decommissionedEnabledInCloud) Meta() engine.Meta {
	return engine.Meta{
		ID: "decommissioned-enabled-in-cloud", Version: "1",
		Title:       "Retired devices are disabled in the cloud registry",
		Description: "A device that is decommissioned or returned (RMA) is disabled or inactive in the cloud registry, so its identity can no longer connect.",
		Controls:    []string{"S05", "S27"}, Severity: model.High, Scope: model.AssetDevice,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvConfig},
		Remediation: "Disable the thing or device identity in the registry and revoke or deactivate its certificate.",
	}
}

func (decommissionedEnabledInCloud) CheckDevice(_ *engine.Env, d *model.Device) engine.Result {
	if d.CloudStatus == "" || !d.Lifecycle.Retired() {
		return engine.NotApplicable("not a retired device with a cloud registry entry")
	}
	switch strings.ToLower(d.CloudStatus) {
	case "enabled", "active", "connected":
		return engine.Failf("device is %s but its cloud registry status is %s", d.Lifecycle, d.CloudStatus)
	}
	return engine.Pass()
}
