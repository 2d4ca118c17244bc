package checks

import (
	"strings"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// networkChecks evaluate the network zones devices live in.
var networkChecks = []engine.Check{
	networkInternetInbound{},
	networkEgressRestricted{},
	networkWiFiSecurity{},
	networkSafetySegregation{},
}

type networkInternetInbound struct{}

func (networkInternetInbound) Meta() engine.Meta {
	return engine.Meta{
		ID: "network-internet-inbound", Version: "1", Title: "Zone accepts no inbound connections from the internet",
		Description: "IoT zones must not be reachable from the internet: devices are then exposed to scanning and " +
			"exploitation; they should connect out to services instead.",
		Controls: []string{"S14"}, Severity: model.High, Scope: model.AssetNetwork,
		Inputs:      []model.EvidenceKind{model.EvConfig, model.EvScan},
		Remediation: "Remove port forwards and firewall rules that admit internet traffic into the zone; reach devices through an outbound connection or a VPN instead.",
	}
}

func (networkInternetInbound) CheckNetwork(_ *engine.Env, n *model.Network) engine.Result {
	if n.InternetInbound {
		return engine.Failf("zone %s accepts inbound connections from the internet", n.ID)
	}
	return engine.Pass()
}

type networkEgressRestricted struct{}

func (networkEgressRestricted) Meta() engine.Meta {
	return engine.Meta{
		ID: "network-egress-restricted", Version: "1", Title: "IoT zone restricts outbound destinations",
		Description: "An IoT or safety zone must only reach the destinations its devices need, so that a compromised " +
			"device cannot exfiltrate data or join a botnet freely.",
		Controls: []string{"S14"}, Severity: model.Medium, Scope: model.AssetNetwork,
		Inputs:      []model.EvidenceKind{model.EvConfig, model.EvFlow, model.EvMUD},
		Remediation: "Define an egress allow-list for the zone (from the models' MUD profiles and declared flows) and deny all other outbound traffic.",
	}
}

func (networkEgressRestricted) CheckNetwork(_ *engine.Env, n *model.Network) engine.Result {
	purpose := strings.ToLower(strings.TrimSpace(n.Purpose))
	if purpose != "" && purpose != "iot" && purpose != "safety" {
		return engine.NotApplicable("zone purpose " + n.Purpose + " is not an IoT or safety zone")
	}
	if len(n.EgressAllowList) == 0 {
		if purpose == "" {
			return engine.Failf("zone %s (no declared purpose) allows egress to any destination: no allow-list", n.ID)
		}
		return engine.Failf("%s zone %s allows egress to any destination: no allow-list", purpose, n.ID)
	}
	return engine.Pass()
}

type networkWiFiSecurity struct{}

func (networkWiFiSecurity) Meta() engine.Meta {
	return engine.Meta{
		ID: "network-wifi-security", Version: "1", Title: "Wi-Fi zone uses WPA2 or WPA3",
		Description: "Open and WEP Wi-Fi let anyone in radio range join the zone or read its traffic.",
		Controls:    []string{"S14"}, Severity: model.High, Scope: model.AssetNetwork,
		Inputs:      []model.EvidenceKind{model.EvConfig},
		Remediation: "Switch the zone's Wi-Fi to WPA3 (or WPA2 with a strong passphrase or 802.1X where devices lack WPA3) and rotate the key.",
	}
}

func (networkWiFiSecurity) CheckNetwork(_ *engine.Env, n *model.Network) engine.Result {
	switch strings.ToLower(strings.TrimSpace(n.WiFiSecurity)) {
	case "open":
		return engine.Failf("zone %s uses open Wi-Fi (no encryption)", n.ID)
	case "wep":
		return engine.Failf("zone %s uses WEP Wi-Fi, which is broken", n.ID)
	}
	return engine.Pass()
}

type networkSafetySegregation struct{}

func (networkSafetySegregation) Meta() engine.Meta {
	return engine.Meta{
		ID: "network-safety-segregation", Version: "1", Title: "Zone with safety-critical devices is segregated",
		Description: "A zone hosting safety-critical devices must be separated from other zones by a firewall, so that " +
			"an incident elsewhere cannot reach equipment whose failure harms people.",
		Controls: []string{"S09", "S14"}, Severity: model.High, Scope: model.AssetNetwork,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvConfig},
		Remediation: "Put the zone behind a firewall that only admits the flows the safety devices need (IEC 62443 zones and conduits), then mark it segregated.",
	}
}

func (networkSafetySegregation) CheckNetwork(env *engine.Env, n *model.Network) engine.Result {
	safetyDevices := 0
	if env.Fleet != nil {
		safetyDevices = env.Fleet.SafetyByZone[n.ID]
	}
	safetyPurpose := strings.EqualFold(strings.TrimSpace(n.Purpose), "safety")
	if safetyDevices == 0 && !safetyPurpose {
		return engine.NotApplicable("the zone hosts no safety-critical devices")
	}
	if !n.Segregated {
		if safetyDevices > 0 {
			return engine.Failf("zone %s hosts safety-critical devices (%d) but is not segregated", n.ID, safetyDevices)
		}
		return engine.Failf("safety zone %s is not segregated", n.ID)
	}
	return engine.Pass()
}
