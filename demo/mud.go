package demo

import (
	"fmt"
	"strings"
)

// MUD profiles (RFC 8520) of the models that declare one: each allows the
// model's declared flows (by DNS name and port) and its declared listening
// ports from the local network. Deliberately, the gateway profile does not
// allow the Wi-Fi footfall feed to the analytics vendor, nor the unknown
// host the gateways were seen talking to (flow-outside-mud), and no
// profile allows the ports left open on some devices: telnet, plain MQTT,
// RTSP (device-ports-outside-mud).

// mudRule is one allowed conversation: to a host the device initiates, or
// to one of the device's ports from the local network.
type mudRule struct {
	host  string
	proto int // 6 tcp, 17 udp
	port  int
}

type mudSpec struct {
	model      string
	url        string
	systeminfo string
	from       []mudRule // device-initiated, to hosts
	to         []mudRule // to the device's ports, from local networks
}

const (
	tcp = 6
	udp = 17
)

func mudSpecs() []mudSpec {
	broker, timeSrv := mudRule{"broker." + domain, tcp, 8883}, mudRule{"time." + domain, udp, 123}
	return []mudSpec{
		{
			model: camX200, url: "https://veridian-optics.example/mud/x200-dome.json",
			systeminfo: "Veridian Optics X200 Dome IP camera",
			from:       []mudRule{{"video.veridian-cloud.example", tcp, 443}, broker, {"updates.veridian-optics.example", tcp, 443}, timeSrv},
			to:         []mudRule{{"", tcp, 443}},
		},
		{
			model: camV90, url: "https://veridian-optics.example/mud/v90-bullet.json",
			systeminfo: "Veridian Optics V90 Bullet IP camera (legacy)",
			from:       []mudRule{{"video.veridian-cloud.example", tcp, 443}, timeSrv},
			to:         []mudRule{{"", tcp, 443}},
		},
		{
			model: thermo, url: "https://calida.example/mud/t500.json",
			systeminfo: "Calida T500 smart thermostat",
			from:       []mudRule{broker, {"energy.calida.example", tcp, 443}, {"bms.eastgate." + domain, tcp, 8443}, {"updates.calida.example", tcp, 443}, timeSrv},
			to:         []mudRule{{"", udp, 5684}},
		},
		{
			model: doorDC4, url: "https://portis.example/mud/dc4.json",
			systeminfo: "Portis DC4 door controller",
			from:       []mudRule{{"access.portis-cloud.example", tcp, 443}, {"updates.portis.example", tcp, 443}, timeSrv},
			to:         []mudRule{{"", tcp, 443}},
		},
		{
			model: doorDC2, url: "https://portis.example/mud/dc2.json",
			systeminfo: "Portis DC2 door controller (legacy)",
			from:       []mudRule{{"access.portis-cloud.example", tcp, 80}, {"access.portis-cloud.example", tcp, 443}, timeSrv},
			to:         []mudRule{{"", tcp, 443}, {"", udp, 161}},
		},
		{
			model: gateway, url: "https://stratum-networks.example/mud/eg300.json",
			systeminfo: "Stratum Networks EG-300 edge gateway",
			from:       []mudRule{broker, {"updates.stratum-networks.example", tcp, 443}, timeSrv},
			to:         []mudRule{{"", tcp, 22}, {"", tcp, 443}, {"", tcp, 8883}},
		},
		{
			model: speaker, url: "https://sonora-audio.example/mud/meet-m1.json",
			systeminfo: "Sonora Meet M1 conference speaker",
			from:       []mudRule{{"voice.sonora-audio.example", tcp, 443}, {"updates.sonora-audio.example", tcp, 443}, timeSrv},
			to:         []mudRule{{"", tcp, 443}},
		},
	}
}

// mudPath is where a model's MUD profile lives, relative to the manifest.
func mudPath(modelID string) string { return mudDir + modelID + ".json" }

// The RFC 8520 JSON shape, in the order MUD files usually list it.
type (
	mudFile struct {
		MUD  mudContainer `json:"ietf-mud:mud"`
		ACLs struct {
			ACL []mudACL `json:"acl"`
		} `json:"ietf-access-control-list:acls"`
	}
	mudContainer struct {
		Version       int       `json:"mud-version"`
		URL           string    `json:"mud-url"`
		LastUpdate    string    `json:"last-update"`
		CacheValidity int       `json:"cache-validity"`
		IsSupported   bool      `json:"is-supported"`
		Systeminfo    string    `json:"systeminfo"`
		MfgName       string    `json:"mfg-name"`
		ModelName     string    `json:"model-name"`
		FirmwareRev   string    `json:"firmware-rev"`
		Documentation string    `json:"documentation,omitempty"`
		FromDevice    mudPolicy `json:"from-device-policy"`
		ToDevice      mudPolicy `json:"to-device-policy"`
	}
	mudPolicy struct {
		AccessLists struct {
			AccessList []mudACLName `json:"access-list"`
		} `json:"access-lists"`
	}
	mudACLName struct {
		Name string `json:"name"`
	}
	mudACL struct {
		Name string `json:"name"`
		Type string `json:"type"`
		ACEs struct {
			ACE []mudACE `json:"ace"`
		} `json:"aces"`
	}
	mudACE struct {
		Name    string         `json:"name"`
		Matches map[string]any `json:"matches"`
		Actions struct {
			Forwarding string `json:"forwarding"`
		} `json:"actions"`
	}
)

func policy(acl string) mudPolicy {
	var p mudPolicy
	p.AccessLists.AccessList = []mudACLName{{Name: acl}}
	return p
}

func acl(name string, aces []mudACE) mudACL {
	a := mudACL{Name: name, Type: "ipv4-acl-type"}
	a.ACEs.ACE = aces
	return a
}

// ace builds one access-control entry. dnsKey is
// "ietf-acldns:dst-dnsname" or "ietf-acldns:src-dnsname" (with the rule's
// host), portKey "destination-port" or "source-port"; local matches the
// local-networks abstraction instead of a host.
func ace(name string, r mudRule, dnsKey, portKey string, local, initiatedByDevice bool) mudACE {
	ip := map[string]any{"protocol": r.proto}
	matches := map[string]any{"ipv4": ip}
	if local {
		matches["ietf-mud:mud"] = map[string]any{"local-networks": []any{nil}}
	} else {
		ip[dnsKey] = r.host
	}
	l4 := map[string]any{portKey: map[string]any{"operator": "eq", "port": r.port}}
	proto := "udp"
	if r.proto == tcp {
		proto = "tcp"
		if initiatedByDevice {
			l4["ietf-mud:direction-initiated"] = "from-device"
		}
	}
	matches[proto] = l4
	e := mudACE{Name: name, Matches: matches}
	e.Actions.Forwarding = "accept"
	return e
}

func (g *gen) mudFiles() []file {
	g.problem("flow-outside-mud", "wifi-footfall", "gateways send Wi-Fi scan data to the analytics vendor, which the EG-300 MUD profile does not allow")
	g.problem("flow-outside-mud", "observed-gw-egress", "gateways talk to an unknown internet host that the EG-300 MUD profile does not allow")
	var out []file
	for _, s := range mudSpecs() {
		m := g.modelOf(s.model)
		short := strings.TrimSuffix(s.url[strings.LastIndex(s.url, "/")+1:], ".json")
		fromName, toName := "mud-"+short+"-v4fr", "mud-"+short+"-v4to"
		var fromACEs, toACEs []mudACE
		for i, r := range s.from {
			fromACEs = append(fromACEs, ace(fmt.Sprintf("cl%d-frdev", i), r, "ietf-acldns:dst-dnsname", "destination-port", false, true))
			toACEs = append(toACEs, ace(fmt.Sprintf("cl%d-todev", i), r, "ietf-acldns:src-dnsname", "source-port", false, true))
		}
		for i, r := range s.to {
			toACEs = append(toACEs, ace(fmt.Sprintf("loc%d-todev", i), r, "", "destination-port", true, false))
			fromACEs = append(fromACEs, ace(fmt.Sprintf("loc%d-frdev", i), r, "", "source-port", true, false))
		}
		doc := mudFile{MUD: mudContainer{
			Version: 1, URL: s.url,
			LastUpdate:    g.released(s.model, m.FirmwareVersion).Format("2006-01-02T15:04:05-07:00"),
			CacheValidity: 48, IsSupported: true, Systeminfo: s.systeminfo,
			MfgName: m.Vendor, ModelName: m.Model, FirmwareRev: m.FirmwareVersion, Documentation: m.UserGuide,
			FromDevice: policy(fromName), ToDevice: policy(toName),
		}}
		doc.ACLs.ACL = []mudACL{acl(fromName, fromACEs), acl(toName, toACEs)}
		out = append(out, file{mudPath(s.model), jsonFile(doc)})
	}
	return out
}

// modelMUD is the MUD path a model declares (models[].mud), or "".
func modelMUD(modelID string) string {
	for _, s := range mudSpecs() {
		if s.model == modelID {
			return mudPath(modelID)
		}
	}
	return ""
}
