package checks

import (
	"net"
	"net/netip"
	"strings"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// flowChecks evaluate declared and observed data flows.
var flowChecks = []engine.Check{
	flowPurpose{},
	piiFlowLegalBasis{},
	piiFlowEncryption{},
	piiFlowAgreement{},
	piiFlowRetention{},
	indirectDataCollection{},
	privacyPreferencesPropagated{},
	sensorDataDeclared{},
	flowEgressAllowed{},
	observedFlowDeclared{},
}

// endpointKind is the kind of a flow endpoint ("model:cam" is a model).
type endpointKind string

// Flow endpoint kinds; the empty kind is an endpoint of unknown form.
const (
	endpointModel    endpointKind = "model"
	endpointZone     endpointKind = "zone"
	endpointService  endpointKind = "service"
	endpointExternal endpointKind = "external"
)

// parseEndpoint splits a flow endpoint into its kind and reference. An
// endpoint of unknown form returns the empty kind and the trimmed input.
func parseEndpoint(s string) (endpointKind, string) {
	s = strings.TrimSpace(s)
	prefix, ref, ok := strings.Cut(s, ":")
	if !ok {
		return "", s
	}
	switch k := endpointKind(strings.ToLower(strings.TrimSpace(prefix))); k {
	case endpointModel, endpointZone, endpointService, endpointExternal:
		return k, strings.TrimSpace(ref)
	}
	return "", s
}

// flowName names a flow for messages, falling back to its endpoints.
func flowName(f *model.DataFlow) string {
	if f.ID != "" {
		return f.ID
	}
	return f.Source + " -> " + f.Destination
}

// recipientOutsideController reports whether the recipient is someone other than the
// controller inside the solution: a processor, third party, joint
// controller, or anyone at an external destination.
func recipientOutsideController(f *model.DataFlow) bool {
	switch strings.ToLower(strings.TrimSpace(f.Recipient.Role)) {
	case "processor", "third-party", "joint-controller":
		return true
	}
	kind, _ := parseEndpoint(f.Destination)
	return kind == endpointExternal
}

type flowPurpose struct{}

func (flowPurpose) Meta() engine.Meta {
	return engine.Meta{
		ID: "flow-purpose", Version: "1", Title: "Every data flow has a declared purpose",
		Description: "Each connection to another device, service or recipient must have a stated purpose; a flow " +
			"without one cannot be justified, minimised or explained to users.",
		Controls: []string{"P16", "P01"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvMUD},
		Remediation: "Declare why the data flows (the function it serves) in the flow's purpose, or remove the flow if nothing needs it.",
	}
}

func (flowPurpose) CheckFlow(_ *engine.Env, f *model.DataFlow) engine.Result {
	if strings.TrimSpace(f.Purpose) != "" {
		return engine.Pass()
	}
	name := flowName(f)
	if f.ID != "" {
		name += " (" + f.Source + " to " + f.Destination + ")"
	}
	if f.PII {
		return engine.Failf("PII flow %s has no declared purpose", name).WithSeverity(model.High)
	}
	return engine.Failf("flow %s has no declared purpose", name)
}

type piiFlowLegalBasis struct{}

func (piiFlowLegalBasis) Meta() engine.Meta {
	return engine.Meta{
		ID: "pii-flow-legal-basis", Version: "1", Title: "PII flow has a legal basis and recorded consent",
		Description: "Personal data may only flow on a declared legal basis; where the basis is consent, the consent " +
			"must be recorded so that it can be shown and withdrawn.",
		Controls: []string{"P01", "P06"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvAttestation},
		Remediation: "Declare the legal basis of the flow (consent, contract, legal-obligation, ...); where it is consent, capture and store each person's consent before data flows.",
	}
}

func (piiFlowLegalBasis) CheckFlow(_ *engine.Env, f *model.DataFlow) engine.Result {
	if !f.PII {
		return engine.NotApplicable("the flow carries no personal data")
	}
	basis := strings.ToLower(strings.TrimSpace(f.LegalBasis))
	switch {
	case basis == "":
		return engine.Failf("PII flow %s has no legal basis", flowName(f))
	case basis == "consent" && !f.ConsentRecorded:
		return engine.Failf("PII flow %s relies on consent but consent is not recorded", flowName(f))
	}
	return engine.Pass()
}

type piiFlowEncryption struct{}

func (piiFlowEncryption) Meta() engine.Meta {
	return engine.Meta{
		ID: "pii-flow-encryption", Version: "1", Title: "Personal and external data flows are encrypted",
		Description: "Personal data must be encrypted in transit, and so must any data leaving the solution for an " +
			"external destination.",
		Controls: []string{"P01", "S10"}, Severity: model.High, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvScan},
		Remediation: "Carry the flow over TLS or DTLS (https, mqtts, coaps) or an encrypted tunnel, and mark it encrypted once verified.",
	}
}

func (piiFlowEncryption) CheckFlow(_ *engine.Env, f *model.DataFlow) engine.Result {
	if f.Encrypted {
		return engine.Pass()
	}
	if f.PII {
		return engine.Failf("PII flow %s (%s) from %s to %s is not encrypted", flowName(f), strings.Join(f.Data, ", "), f.Source, f.Destination).
			WithEvidence("protocol %s port %d", f.Protocol, f.Port)
	}
	if kind, host := parseEndpoint(f.Destination); kind == endpointExternal {
		return engine.Failf("flow %s to external host %s is not encrypted", flowName(f), host).
			WithEvidence("protocol %s port %d", f.Protocol, f.Port).WithSeverity(model.Medium)
	}
	return engine.NotApplicable("unencrypted flow carries no personal data and stays inside the solution")
}

type piiFlowAgreement struct{}

func (piiFlowAgreement) Meta() engine.Meta {
	return engine.Meta{
		ID: "pii-flow-agreement", Version: "1", Title: "PII recipients are named and bound by an agreement",
		Description: "Every processor or third party receiving personal data needs a data processing agreement or " +
			"contract, and every external recipient must be named so that accountability is clear.",
		Controls: []string{"P12"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvAttestation},
		Remediation: "Name the organisation receiving the data and sign a data processing agreement (or contract) with it; reference the agreement in the flow's recipient.",
	}
}

func (piiFlowAgreement) CheckFlow(_ *engine.Env, f *model.DataFlow) engine.Result {
	if !f.PII {
		return engine.NotApplicable("the flow carries no personal data")
	}
	role := strings.ToLower(strings.TrimSpace(f.Recipient.Role))
	noAgreement := (role == "processor" || role == "third-party") && strings.TrimSpace(f.Recipient.Agreement) == ""
	kind, host := parseEndpoint(f.Destination)
	noName := kind == endpointExternal && strings.TrimSpace(f.Recipient.Name) == ""
	switch {
	case noAgreement && noName:
		return engine.Failf("PII flow %s goes to an unnamed %s at %s without an agreement", flowName(f), role, host)
	case noAgreement:
		return engine.Failf("PII flow %s goes to %s %q without an agreement", flowName(f), role, f.Recipient.Name)
	case noName:
		return engine.Failf("PII flow %s goes to external host %s with no named recipient", flowName(f), host)
	}
	return engine.Pass()
}

type piiFlowRetention struct{}

func (piiFlowRetention) Meta() engine.Meta {
	return engine.Meta{
		ID: "pii-flow-retention", Version: "1", Title: "PII flow has a defined retention within policy",
		Description: "Personal data must be kept no longer than needed: every PII flow declares how long its data is " +
			"kept, within the policy's maximum.",
		Controls: []string{"P06"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvConfig},
		Remediation: "Set and enforce a retention period for the flow's data at the destination (automatic deletion), no longer than the policy maximum (365 days by default).",
	}
}

func (piiFlowRetention) CheckFlow(env *engine.Env, f *model.DataFlow) engine.Result {
	if !f.PII {
		return engine.NotApplicable("the flow carries no personal data")
	}
	max := env.Policy.MaxPIIRetentionDays
	switch {
	case f.RetentionDays <= 0:
		return engine.Failf("PII flow %s has no defined retention period", flowName(f))
	case f.RetentionDays > max:
		return engine.Failf("PII flow %s keeps data %d days, more than the %d-day maximum", flowName(f), f.RetentionDays, max)
	}
	return engine.Pass()
}

// bystanderCategories are data categories that describe people other than
// the user, or their devices.
var bystanderCategories = []string{
	"neighbour-wifi", "neighbor-wifi", "wifi-scan", "ble-scan", "raw-audio", "bystander-video",
	"neighbour-mac", "neighbor-mac", "ssid-list",
}

type indirectDataCollection struct{}

func (indirectDataCollection) Meta() engine.Meta {
	return engine.Meta{
		ID: "indirect-data-collection", Version: "1", Title: "Bystander data collection is declared and purposeful",
		Description: "Flows must not carry data about people other than the user (neighbouring Wi-Fi, Bluetooth scans, " +
			"raw audio, bystander video) unless it is declared as indirect collection with a purpose.",
		Controls: []string{"P09"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow},
		Remediation: "Stop collecting bystander data (filter scans, process audio on the device, mask video), or declare it in the flow's indirect list with a purpose that requires it.",
	}
}

func (indirectDataCollection) CheckFlow(_ *engine.Env, f *model.DataFlow) engine.Result {
	var undeclared []string
	for _, c := range f.Data {
		if hasFold(bystanderCategories, c) && !hasFold(f.Indirect, c) {
			undeclared = append(undeclared, c)
		}
	}
	noPurpose := len(f.Indirect) > 0 && strings.TrimSpace(f.Purpose) == ""
	switch {
	case len(undeclared) > 0 && noPurpose:
		return engine.Failf("flow %s carries undeclared bystander data (%s) and its indirect collection has no purpose", flowName(f), strings.Join(undeclared, ", "))
	case len(undeclared) > 0:
		return engine.Failf("flow %s carries undeclared bystander data: %s", flowName(f), strings.Join(undeclared, ", "))
	case noPurpose:
		return engine.Failf("flow %s collects indirect data (%s) without a declared purpose", flowName(f), strings.Join(f.Indirect, ", "))
	}
	return engine.Pass()
}

type privacyPreferencesPropagated struct{}

func (privacyPreferencesPropagated) Meta() engine.Meta {
	return engine.Meta{
		ID: "privacy-preferences-propagated", Version: "1", Title: "Privacy preferences reach every other recipient of PII",
		Description: "When personal data goes to a processor, third party, joint controller or external host, the " +
			"user's privacy preferences (opt-outs, consent withdrawal) must travel with it.",
		Controls: []string{"P10"}, Severity: model.Low, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow},
		Remediation: "Pass users' privacy preferences and consent changes to the recipient (API call, signal in the payload or contractual process) and mark the flow preferences_honoured.",
	}
}

func (privacyPreferencesPropagated) CheckFlow(_ *engine.Env, f *model.DataFlow) engine.Result {
	if !f.PII {
		return engine.NotApplicable("the flow carries no personal data")
	}
	if !recipientOutsideController(f) {
		return engine.NotApplicable("the recipient is the controller inside the solution")
	}
	if !f.PreferencesHonoured {
		who := f.Recipient.Name
		if who == "" {
			who = f.Destination
		}
		role := f.Recipient.Role
		if role == "" {
			role = "external recipient"
		}
		return engine.Failf("PII flow %s to %s %s does not honour users' privacy preferences", flowName(f), role, who)
	}
	return engine.Pass()
}

// sensorOf maps a data category token to the sensor that produces it.
var sensorOf = map[string]string{
	"video": "camera", "image": "camera",
	"audio": "microphone", "voice": "microphone",
	"location": "location", "gps": "location",
}

// sensorData is a sensor and the flow's data categories derived from it.
type sensorData struct {
	sensor     string
	categories []string
}

// sensorsFor groups the flow's sensor-derived data categories by sensor, in
// first-seen order. Categories are split into words so that "raw-audio" or
// "gps-position" count too.
func sensorsFor(data []string) []sensorData {
	var out []sensorData
	for _, c := range data {
		for _, tok := range strings.FieldsFunc(strings.ToLower(c), func(r rune) bool { return r == '-' || r == '_' || r == ' ' || r == '/' }) {
			s, ok := sensorOf[tok]
			if !ok {
				continue
			}
			i := 0
			for i < len(out) && out[i].sensor != s {
				i++
			}
			if i == len(out) {
				out = append(out, sensorData{sensor: s})
			}
			out[i].categories = append(out[i].categories, c)
			break
		}
	}
	return out
}

// modelHasSensor accepts "gps" as a documented location sensor.
func modelHasSensor(m *model.DeviceModel, sensor string) bool {
	return hasFold(m.Sensors, sensor) || (sensor == "location" && hasFold(m.Sensors, "gps"))
}

type sensorDataDeclared struct{}

func (sensorDataDeclared) Meta() engine.Meta {
	return engine.Meta{
		ID: "sensor-data-declared", Version: "1", Title: "Sensor data in flows comes from documented sensors",
		Description: "A model that sends video, audio or location must document the camera, microphone or location " +
			"sensor it comes from; otherwise users are not told what the device senses.",
		Controls: []string{"P04"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvTelemetry},
		Remediation: "Document the sensor in the model's sensors (and the user documentation), or stop the device from sending that data.",
	}
}

func (sensorDataDeclared) CheckFlow(env *engine.Env, f *model.DataFlow) engine.Result {
	kind, id := parseEndpoint(f.Source)
	if kind != endpointModel {
		return engine.NotApplicable("the flow does not start at a device model")
	}
	sensors := sensorsFor(f.Data)
	if len(sensors) == 0 {
		return engine.Pass()
	}
	m := env.Model(id)
	var missing, categories []string
	for _, sd := range sensors {
		if m == nil || !modelHasSensor(m, sd.sensor) {
			missing = append(missing, sd.sensor)
			categories = append(categories, sd.categories...)
		}
	}
	switch {
	case m == nil:
		return engine.Failf("flow %s carries %s from model %s, which is not declared, so its sensors are undocumented", flowName(f), strings.Join(categories, ", "), id)
	case len(missing) > 0:
		return engine.Failf("flow %s carries %s but model %s does not document a %s sensor", flowName(f), strings.Join(categories, ", "), id, strings.Join(missing, " or ")).
			WithEvidence("model sensors: [%s]", strings.Join(m.Sensors, ", "))
	}
	return engine.Pass()
}

// egressHost reduces a host, URL or host:port to a lower-case host name.
func egressHost(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if _, rest, ok := strings.Cut(s, "://"); ok {
		s = rest
	}
	if i := strings.IndexAny(s, "/?#"); i >= 0 {
		s = s[:i]
	}
	if h, _, err := net.SplitHostPort(s); err == nil {
		s = h
	}
	return strings.TrimSuffix(strings.Trim(s, "[]"), ".")
}

// egressAllowed reports whether host matches an allow-list entry: an exact
// host, a "*.domain" wildcard (subdomains only), or a CIDR prefix holding
// the host's address.
func egressAllowed(allow []string, host string) bool {
	h := egressHost(host)
	ip, ipErr := netip.ParseAddr(h)
	for _, e := range allow {
		e = strings.ToLower(strings.TrimSpace(e))
		if p, err := netip.ParsePrefix(e); err == nil {
			if ipErr == nil && p.Contains(ip.Unmap()) {
				return true
			}
			continue
		}
		e = egressHost(e)
		switch {
		case e == "*":
			return true
		case strings.HasPrefix(e, "*."):
			if strings.HasSuffix(h, e[1:]) {
				return true
			}
		case e == h:
			return true
		}
	}
	return false
}

type flowEgressAllowed struct{}

func (flowEgressAllowed) Meta() engine.Meta {
	return engine.Meta{
		ID: "flow-egress-allowed", Version: "1", Title: "External flows are within the source zone's egress allow-list",
		Description: "A flow from a zone to an external host must be allowed by that zone's egress allow-list; " +
			"otherwise either the flow is blocked in practice or the allow-list is not what is enforced.",
		Controls: []string{"S14", "P01"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvConfig, model.EvMUD},
		Remediation: "Add the host to the zone's egress allow-list if the flow is intended, or stop the flow if it is not.",
	}
}

func (flowEgressAllowed) CheckFlow(env *engine.Env, f *model.DataFlow) engine.Result {
	dk, host := parseEndpoint(f.Destination)
	if dk != endpointExternal {
		return engine.NotApplicable("the flow does not leave the solution")
	}
	sk, zone := parseEndpoint(f.Source)
	if sk != endpointZone {
		// The zones a model's devices live in are not known per flow.
		return engine.NotApplicable("the flow does not start at a network zone")
	}
	n := env.Network(zone)
	if n == nil {
		return engine.Failf("flow %s to %s starts at zone %s, which is not declared, so its egress cannot be checked", flowName(f), host, zone)
	}
	if len(n.EgressAllowList) == 0 {
		return engine.NotApplicable("zone " + zone + " has no egress allow-list (network-egress-restricted reports it)")
	}
	if !egressAllowed(n.EgressAllowList, host) {
		return engine.Failf("flow %s goes to %s, which is not in zone %s's egress allow-list", flowName(f), host, zone).
			WithEvidence("allow-list: [%s]", strings.Join(n.EgressAllowList, ", "))
	}
	return engine.Pass()
}

type observedFlowDeclared struct{}

func (observedFlowDeclared) Meta() engine.Meta {
	return engine.Meta{
		ID: "observed-flow-declared", Version: "1", Title: "Every observed flow matches a declared flow",
		Description: "Traffic seen on the network must match a declared flow with the same source and destination; " +
			"an undeclared flow is unexplained data collection or a compromise.",
		Controls: []string{"P16", "S11"}, Severity: model.Medium, Scope: model.AssetFlow,
		Inputs:      []model.EvidenceKind{model.EvFlow, model.EvScan, model.EvMUD},
		Remediation: "Find out what produces the traffic: declare the flow with its purpose if it is legitimate, or block it and investigate the device if not.",
	}
}

func (observedFlowDeclared) CheckFlow(env *engine.Env, f *model.DataFlow) engine.Result {
	if !f.Observed {
		return engine.NotApplicable("the flow is declared, not observed")
	}
	for i := range env.Solution.Flows {
		d := &env.Solution.Flows[i]
		if !d.Observed && sameEndpoint(d.Source, f.Source) && sameEndpoint(d.Destination, f.Destination) {
			return engine.Pass()
		}
	}
	return engine.Failf("observed flow %s from %s to %s matches no declared flow", flowName(f), f.Source, f.Destination).
		WithEvidence("protocol %s port %d", f.Protocol, f.Port)
}

// sameEndpoint compares endpoints, ignoring case and spaces around the parts.
func sameEndpoint(a, b string) bool {
	ak, ar := parseEndpoint(a)
	bk, br := parseEndpoint(b)
	return ak == bk && strings.EqualFold(ar, br)
}
