package checks

import (
	"strings"
	"testing"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// devEdit edits the baseline device with the given ID.
func devEdit(id string, fn func(d *model.Device)) func(*model.Solution, *[]model.Device) {
	return func(_ *model.Solution, ds *[]model.Device) {
		for i := range *ds {
			if (*ds)[i].ID == id {
				fn(&(*ds)[i])
				return
			}
		}
		panic("no baseline device " + id)
	}
}

// devAndModel edits the first device and the baseline model together.
func devAndModel(fd func(d *model.Device), fm func(m *model.DeviceModel)) func(*model.Solution, *[]model.Device) {
	return func(s *model.Solution, ds *[]model.Device) {
		fd(&(*ds)[0])
		fm(&s.Models[0])
	}
}

// devAndNet edits the first device and the baseline network together.
func devAndNet(fd func(d *model.Device), fn func(n *model.Network)) func(*model.Solution, *[]model.Device) {
	return func(s *model.Solution, ds *[]model.Device) {
		fd(&(*ds)[0])
		fn(&s.Networks[0])
	}
}

func retire(d *model.Device) {
	d.Lifecycle = model.Decommissioned
	d.Decommissioned = ts("2026-10-01")
	d.Wiped = true
	d.LastSeen = ts("2026-09-30")
	d.Certificate.Revoked = true
}

func supportEndedJune(m *model.DeviceModel) { m.Update.SupportEnd = ts("2026-06-30") }

var deviceCases = map[string][]conformanceCase{
	"inventory-required-fields": {
		{name: "complete record", want: model.Pass},
		{name: "serial and owner missing", edit: func(s *model.Solution, ds *[]model.Device) {
			s.Models[0].Owner = ""
			devEdit("cam-1", func(d *model.Device) { d.Serial, d.Owner = "", " " })(s, ds)
		}, want: model.Fail, msg: "lacks serial, owner", severity: model.Low},
		{name: "owner inherited from the model", edit: devEdit("cam-1", func(d *model.Device) { d.Owner = "" }), want: model.Pass},
		{name: "lifecycle missing", edit: devEdit("cam-1", func(d *model.Device) { d.Lifecycle = "" }),
			want: model.Fail, msg: "lacks lifecycle"},
	},
	"firmware-drift": {
		{name: "reported equals inventory", want: model.Pass},
		{name: "same version written differently", edit: devEdit("cam-1", func(d *model.Device) { d.ReportedFirmware = "v2.1" }), want: model.Pass},
		{name: "nothing reported", edit: devEdit("cam-1", func(d *model.Device) { d.ReportedFirmware = "" }), want: model.NotApplicableResult},
		{name: "reported differs", edit: devEdit("cam-1", func(d *model.Device) { d.ReportedFirmware = "2.0.0" }),
			want: model.Fail, msg: "reports firmware 2.0.0 but the inventory records 2.1.0", severity: model.Medium},
		{name: "inventory empty", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "" }),
			want: model.Fail, msg: "the inventory records none"},
	},
	"duplicate-serial": {
		{name: "unique", want: model.Pass},
		{name: "no serial", edit: devEdit("cam-1", func(d *model.Device) { d.Serial = "" }), want: model.NotApplicableResult},
		{name: "shared with another device", edit: devEdit("cam-2", func(d *model.Device) { d.Serial = "sn-0001 " }),
			want: model.Fail, msg: "serial number SN-0001 is used by 2 devices", severity: model.High},
	},
	"duplicate-mac": {
		{name: "unique", want: model.Pass},
		{name: "no MAC", edit: devEdit("cam-1", func(d *model.Device) { d.MAC = "" }), want: model.NotApplicableResult},
		{name: "shared with another device", edit: devEdit("cam-2", func(d *model.Device) { d.MAC = "AA:BB:CC:00:00:01" }),
			want: model.Fail, msg: "MAC address aa:bb:cc:00:00:01 is used by 2 devices", severity: model.Medium},
	},
	"duplicate-mqtt-client-id": {
		{name: "unique", want: model.Pass},
		{name: "no client ID", edit: devEdit("cam-1", func(d *model.Device) { d.MQTTClientID = "" }), want: model.NotApplicableResult},
		{name: "shared with another device", edit: devEdit("cam-2", func(d *model.Device) { d.MQTTClientID = "cam-1" }),
			want: model.Fail, msg: "MQTT client ID cam-1 is used by 2 devices", severity: model.High},
	},
	"shared-certificate": {
		{name: "unique", want: model.Pass},
		{name: "no certificate", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate = nil }), want: model.NotApplicableResult},
		{name: "no fingerprint", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.Fingerprint = "" }), want: model.NotApplicableResult},
		{name: "shared with another device", edit: devEdit("cam-2", func(d *model.Device) { d.Certificate.Fingerprint = "fp-0001" }),
			want: model.Fail, msg: "certificate fingerprint fp-0001 is used by 2 devices", severity: model.Critical},
		{name: "long fingerprint abbreviated", edit: func(s *model.Solution, ds *[]model.Device) {
			fp := "3f2a0000000000000000000000000000000000000000000000000000000000009c"
			(*ds)[0].Certificate.Fingerprint, (*ds)[1].Certificate.Fingerprint = fp, fp
		}, want: model.Fail, msg: "certificate fingerprint 3f2a…9c is used by 2 devices"},
	},
	"certificate-validity": {
		{name: "valid", want: model.Pass},
		{name: "no certificate", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate = nil }), want: model.NotApplicableResult},
		{name: "no dates", edit: devEdit("cam-1", func(d *model.Device) {
			d.Certificate.NotBefore, d.Certificate.NotAfter = model.Timestamp{}, model.Timestamp{}
		}), want: model.NotApplicableResult},
		{name: "retired device", edit: devEdit("cam-1", func(d *model.Device) {
			retire(d)
			d.Certificate.NotAfter = ts("2026-01-01")
		}), want: model.NotApplicableResult},
		{name: "expired", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.NotAfter = ts("2026-11-01") }),
			want: model.Fail, msg: "expired on 2026-11-01 (29 days ago)", severity: model.High},
		{name: "not yet valid", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.NotBefore = ts("2027-01-01") }),
			want: model.Fail, msg: "not valid before 2027-01-01", severity: model.High},
		{name: "expiring soon", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.NotAfter = ts("2026-12-15") }),
			want: model.Fail, msg: "expires on 2026-12-15, in 14 days", severity: model.Low},
		{name: "expiring after the warning period", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.NotAfter = ts("2027-01-15") }),
			want: model.Pass},
	},
	"certificate-self-signed": {
		{name: "CA-issued", want: model.Pass},
		{name: "no certificate", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate = nil }), want: model.NotApplicableResult},
		{name: "flagged self-signed", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.SelfSigned = true }),
			want: model.Fail, msg: "self-signed", severity: model.High},
		{name: "subject equals issuer", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.Issuer = "CN=cam-1" }),
			want: model.Fail, msg: "subject and issuer are both CN=cam-1"},
		{name: "both empty", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.Subject, d.Certificate.Issuer = "", "" }),
			want: model.Pass},
	},
	"certificate-weak-key": {
		{name: "P-256 with SHA-256", want: model.Pass},
		{name: "RSA 2048", edit: devEdit("cam-1", func(d *model.Device) {
			d.Certificate.KeyType, d.Certificate.KeyBits, d.Certificate.SignatureAlgorithm = "RSA", 2048, "sha256WithRSAEncryption"
		}), want: model.Pass},
		{name: "no key information", edit: devEdit("cam-1", func(d *model.Device) {
			d.Certificate.KeyType, d.Certificate.KeyBits, d.Certificate.SignatureAlgorithm = "", 0, ""
		}), want: model.NotApplicableResult},
		{name: "RSA 1024", edit: devEdit("cam-1", func(d *model.Device) {
			d.Certificate.KeyType, d.Certificate.KeyBits, d.Certificate.SignatureAlgorithm = "rsa", 1024, "sha256WithRSAEncryption"
		}), want: model.Fail, msg: "RSA key of 1024 bits (minimum 2048)", severity: model.High},
		{name: "small curve from its name", edit: devEdit("cam-1", func(d *model.Device) {
			d.Certificate.KeyBits, d.Certificate.Curve = 0, "secp192r1"
		}), want: model.Fail, msg: "elliptic-curve key of 192 bits (minimum 256)"},
		{name: "SHA-1 signature", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.SignatureAlgorithm = "ecdsa-with-SHA1" }),
			want: model.Fail, msg: "signature algorithm ecdsa-with-SHA1 uses a broken hash"},
		{name: "MD5 signature and short RSA key", edit: devEdit("cam-1", func(d *model.Device) {
			d.Certificate.KeyType, d.Certificate.KeyBits, d.Certificate.SignatureAlgorithm = "rsa", 512, "MD5withRSA"
		}), want: model.Fail, msg: "RSA key of 512 bits (minimum 2048) and signature algorithm MD5withRSA"},
	},
	"certificate-revoked-in-use": {
		{name: "not revoked", want: model.Pass},
		{name: "no certificate", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate = nil }), want: model.NotApplicableResult},
		{name: "revoked on a retired device", edit: devEdit("cam-1", retire), want: model.Pass},
		{name: "revoked on an active device", edit: devEdit("cam-1", func(d *model.Device) { d.Certificate.Revoked = true }),
			want: model.Fail, msg: "device is active but its certificate fp-0001 is revoked", severity: model.High},
		{name: "revoked on a provisioned device", edit: devEdit("cam-1", func(d *model.Device) {
			d.Lifecycle, d.Certificate.Revoked = model.Provisioned, true
		}), want: model.Fail, msg: "device is provisioned"},
	},
	"default-credentials": {
		{name: "unique credentials", want: model.Pass},
		{name: "certificate only", edit: devEdit("cam-1", func(d *model.Device) { d.Credentials = model.CredNone }), want: model.Pass},
		{name: "not recorded", edit: devEdit("cam-1", func(d *model.Device) { d.Credentials = "" }), want: model.NotApplicableResult},
		{name: "factory default", edit: devEdit("cam-1", func(d *model.Device) { d.Credentials = model.CredDefault }),
			want: model.Fail, msg: "factory default credentials", severity: model.Critical},
	},
	"shared-credentials": {
		{name: "unique credentials", want: model.Pass},
		{name: "not recorded", edit: devEdit("cam-1", func(d *model.Device) { d.Credentials = "" }), want: model.NotApplicableResult},
		{name: "shared", edit: devEdit("cam-1", func(d *model.Device) { d.Credentials = model.CredShared }),
			want: model.Fail, msg: "shared with other devices", severity: model.High},
	},
	"insecure-protocols": {
		{name: "TLS services only", want: model.Pass},
		{name: "no observed ports", edit: devEdit("cam-1", func(d *model.Device) { d.Ports = nil }), want: model.NotApplicableResult},
		{name: "telnet and MQTT 1883", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 23, Protocol: "tcp", Service: "telnet"}, model.Port{Port: 1883, Protocol: "tcp"})
		}), want: model.Fail, msg: "insecure protocols listening: tcp/23 (Telnet), tcp/1883 (MQTT without TLS)", severity: model.High},
		{name: "FTP by port", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 21, Protocol: "tcp"})
		}), want: model.Fail, msg: "tcp/21 (FTP)"},
		{name: "HTTP admin", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 8080, Protocol: "tcp", Service: "HTTP", Admin: true})
		}), want: model.Fail, msg: "tcp/8080 (HTTP admin interface without TLS)"},
		{name: "HTTP admin by port", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 80, Protocol: "tcp", Admin: true})
		}), want: model.Fail, msg: "tcp/80 (HTTP admin"},
		{name: "plain HTTP without admin", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 80, Protocol: "tcp", Service: "http"})
		}), want: model.Pass},
		{name: "MQTT service without TLS", edit: devEdit("cam-1", func(d *model.Device) { d.Ports[1].TLS = false }),
			want: model.Fail, msg: "tcp/8883 (MQTT without TLS)"},
		{name: "CoAP without DTLS", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 5683, Protocol: "udp", Service: "coap"})
		}), want: model.Fail, msg: "udp/5683 (CoAP without DTLS)"},
		{name: "CoAP by port", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 5683, Protocol: "udp"})
		}), want: model.Fail, msg: "udp/5683 (CoAP without DTLS)"},
		{name: "SNMP v2c", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 161, Protocol: "udp", Service: "snmp", Version: "v2c"})
		}), want: model.Fail, msg: "udp/161 (SNMP v1/v2c)"},
		{name: "SNMP by port without version", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 161, Protocol: "udp"})
		}), want: model.Fail, msg: "udp/161 (SNMP v1/v2c)"},
		{name: "SNMPv3", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 161, Protocol: "udp", Service: "snmp", Version: "V3"})
		}), want: model.Pass},
		{name: "SSH identified on port 23", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 23, Protocol: "tcp", Service: "ssh"})
		}), want: model.Pass},
	},
	"ports-outside-baseline": {
		{name: "declared ports only", want: model.Pass},
		{name: "no observed ports", edit: devEdit("cam-1", func(d *model.Device) { d.Ports = nil }), want: model.NotApplicableResult},
		{name: "unknown model", edit: devEdit("cam-1", func(d *model.Device) { d.Model = "nope" }), want: model.NotApplicableResult},
		{name: "model declares no ports", edit: func(s *model.Solution, _ *[]model.Device) { s.Models[0].Ports = nil }, want: model.NotApplicableResult},
		{name: "extra SSH port", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 22, Protocol: "tcp", Service: "ssh"})
		}), want: model.Fail, msg: "ports not declared by model cam: tcp/22 (ssh)", severity: model.Medium},
		{name: "same number, other protocol", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 443, Protocol: "udp"})
		}), want: model.Fail, msg: "udp/443"},
		{name: "protocol case differs", edit: devEdit("cam-1", func(d *model.Device) { d.Ports[0].Protocol = "TCP" }), want: model.Pass},
	},
	"unauthenticated-version-banner": {
		{name: "no banners", want: model.Pass},
		{name: "no observed ports", edit: devEdit("cam-1", func(d *model.Device) { d.Ports = nil }), want: model.NotApplicableResult},
		{name: "SSH version before login", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 22, Protocol: "tcp", Service: "ssh", Banner: "SSH-2.0-OpenSSH_7.4"})
		}), want: model.Fail, msg: `tcp/22 "SSH-2.0-OpenSSH_7.4"`, severity: model.Low},
		{name: "explicitly unauthenticated", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports[0].Banner, d.Ports[0].Authenticated = "lighttpd/1.4.35", boolp(false)
		}), want: model.Fail, msg: "lighttpd/1.4.35"},
		{name: "version behind authentication", edit: devEdit("cam-1", func(d *model.Device) { d.Ports[0].Banner = "lighttpd/1.4.35" }),
			want: model.Pass},
		{name: "banner without version", edit: devEdit("cam-1", func(d *model.Device) {
			d.Ports = append(d.Ports, model.Port{Port: 22, Protocol: "tcp", Service: "ssh", Banner: "SSH server"})
		}), want: model.Pass},
	},
	"stale-active-device": {
		{name: "seen today", want: model.Pass},
		{name: "retired", edit: devEdit("cam-1", retire), want: model.NotApplicableResult},
		{name: "not seen for months", edit: devEdit("cam-1", func(d *model.Device) { d.LastSeen = ts("2026-06-01") }),
			want: model.Fail, msg: "device is active but was last seen 182 days ago, on 2026-06-01 (limit 90 days)", severity: model.Medium},
		{name: "provisioned, never seen", edit: devEdit("cam-1", func(d *model.Device) {
			d.Lifecycle, d.LastSeen = model.Provisioned, model.Timestamp{}
		}), want: model.Fail, msg: "device is provisioned but has never been seen"},
		{name: "just within the period", edit: devEdit("cam-1", func(d *model.Device) { d.LastSeen = ts("2026-09-02") }), want: model.Pass},
	},
	"decommissioned-still-credentialed": {
		{name: "active device", want: model.NotApplicableResult},
		{name: "revoked and silent", edit: devEdit("cam-1", retire), want: model.Pass},
		{name: "certificate not revoked", edit: devEdit("cam-1", func(d *model.Device) {
			retire(d)
			d.Certificate.Revoked = false
		}), want: model.Fail, msg: "device is decommissioned but its certificate fp-0001 is not revoked", severity: model.High},
		{name: "seen after decommissioning", edit: devEdit("cam-1", func(d *model.Device) {
			retire(d)
			d.Lifecycle, d.LastSeen = model.RMA, ts("2026-11-30T08:00:00Z")
		}), want: model.Fail, msg: "it was seen on 2026-11-30T08:00:00Z, 60 days after it was decommissioned on 2026-10-01"},
		{name: "no certificate", edit: devEdit("cam-1", func(d *model.Device) {
			retire(d)
			d.Certificate = nil
		}), want: model.Pass},
	},
	"decommissioned-not-wiped": {
		{name: "active device", want: model.NotApplicableResult},
		{name: "wiped", edit: devEdit("cam-1", retire), want: model.Pass},
		{name: "not wiped", edit: devEdit("cam-1", func(d *model.Device) {
			retire(d)
			d.Lifecycle, d.Wiped = model.RMA, false
		}), want: model.Fail, msg: "device is rma but no wipe is recorded", severity: model.Medium},
	},
	"exposed-without-tamper-protection": {
		{name: "secured location", want: model.NotApplicableResult},
		{name: "location not recorded", edit: devEdit("cam-1", func(d *model.Device) { d.Location = "" }), want: model.NotApplicableResult},
		{name: "outdoor, hardened model", edit: devEdit("cam-1", func(d *model.Device) { d.Location = model.Outdoor }), want: model.Pass},
		{name: "tamper detection turned off on the device", edit: devEdit("cam-1", func(d *model.Device) {
			d.Location, d.Settings = model.Unattended, map[string]bool{"tamper_detection": false}
		}), want: model.Fail, msg: "device in a location classed unattended has tamper detection off", severity: model.High},
		{name: "model without encryption and with debug", edit: devAndModel(
			func(d *model.Device) { d.Location = model.Public },
			func(m *model.DeviceModel) {
				m.Hardening.StorageEncryption, m.Hardening.DebugInterfacesEnabled = false, true
			}),
			want: model.Fail, msg: "storage encryption off, debug interfaces enabled"},
		{name: "debug disabled on the device", edit: devAndModel(
			func(d *model.Device) { d.Location, d.Settings = model.Outdoor, map[string]bool{"debug_port": false} },
			func(m *model.DeviceModel) { m.Hardening.DebugInterfacesEnabled = true }),
			want: model.Pass},
		{name: "unknown model", edit: devEdit("cam-1", func(d *model.Device) { d.Location, d.Model = model.Outdoor, "nope" }),
			want: model.NotApplicableResult},
		{name: "unknown model with debug port on", edit: devEdit("cam-1", func(d *model.Device) {
			d.Location, d.Model, d.Settings = model.Outdoor, "nope", map[string]bool{"debug_port": true}
		}), want: model.Fail, msg: "debug interfaces enabled"},
	},
	"unacknowledged-tamper-events": {
		{name: "no alarms", want: model.Pass},
		{name: "open alarms", edit: devEdit("cam-1", func(d *model.Device) { d.TamperEvents = 3 }),
			want: model.Fail, msg: "3 tamper alarms not acknowledged", severity: model.High},
	},
	"support-period-ended": {
		{name: "supported", want: model.Pass},
		{name: "no support end", edit: func(s *model.Solution, _ *[]model.Device) { s.Models[0].Update.SupportEnd = model.Timestamp{} },
			want: model.NotApplicableResult},
		{name: "unknown model", edit: devEdit("cam-1", func(d *model.Device) { d.Model = "nope" }), want: model.NotApplicableResult},
		{name: "retired device", edit: devAndModel(retire, supportEndedJune), want: model.NotApplicableResult},
		{name: "support ended", edit: func(s *model.Solution, _ *[]model.Device) { supportEndedJune(&s.Models[0]) },
			want: model.Fail, msg: "device is active but support for model cam ended on 2026-06-30 (153 days ago)", severity: model.High},
	},
	"end-of-support-not-isolated": {
		{name: "supported", want: model.NotApplicableResult},
		{name: "ended, segregated zone", edit: func(s *model.Solution, _ *[]model.Device) { supportEndedJune(&s.Models[0]) },
			want: model.Pass},
		{name: "ended, flat network", edit: func(s *model.Solution, _ *[]model.Device) {
			supportEndedJune(&s.Models[0])
			s.Networks[0].Segregated = false
		}, want: model.Fail, msg: "is in zone iot-cameras, which is not segregated", severity: model.High},
		{name: "ended, reachable from the internet", edit: func(s *model.Solution, _ *[]model.Device) {
			supportEndedJune(&s.Models[0])
			s.Networks[0].InternetInbound = true
		}, want: model.Fail, msg: "allows inbound connections from the internet"},
		{name: "ended, undeclared zone", edit: devAndModel(func(d *model.Device) { d.Zone = "lobby" }, supportEndedJune),
			want: model.Fail, msg: "is in zone lobby, which is not declared"},
		{name: "ended, no zone", edit: devAndModel(func(d *model.Device) { d.Zone = "" }, supportEndedJune),
			want: model.Fail, msg: "has no network zone recorded"},
	},
	"firmware-outdated": {
		{name: "latest firmware", want: model.Pass},
		{name: "within the lag", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "2.0.0" }), want: model.Pass},
		{name: "unknown release date", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "1.5.0" }), want: model.NotApplicableResult},
		{name: "no firmware recorded", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "" }), want: model.NotApplicableResult},
		{name: "unknown model", edit: devEdit("cam-1", func(d *model.Device) { d.Model = "nope" }), want: model.NotApplicableResult},
		{name: "far behind", edit: devAndModel(
			func(d *model.Device) { d.Firmware = "1.0.0" },
			func(m *model.DeviceModel) {
				m.Firmware = append(m.Firmware, model.FirmwareRelease{Version: "1.0.0", Released: ts("2025-09-01")})
			}),
			want: model.Fail, msg: "firmware 1.0.0 (released 2025-09-01) is 395 days behind the latest 2.1.0 (released 2026-10-01); limit 180 days", severity: model.Medium},
		{name: "latest taken from the release list", edit: devAndModel(
			func(d *model.Device) { d.Firmware = "v1.0" },
			func(m *model.DeviceModel) {
				m.FirmwareReleased = model.Timestamp{}
				m.Firmware = append(m.Firmware, model.FirmwareRelease{Version: "1.0.0", Released: ts("2025-09-01")})
			}),
			want: model.Fail, msg: "is 395 days behind the latest 2.1.0"},
	},
	"missing-security-update": {
		{name: "security release installed", want: model.Pass},
		{name: "unknown model", edit: devEdit("cam-1", func(d *model.Device) { d.Model = "nope" }), want: model.NotApplicableResult},
		{name: "no firmware recorded", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "" }), want: model.NotApplicableResult},
		{name: "retired device", edit: devEdit("cam-1", func(d *model.Device) {
			retire(d)
			d.Firmware = "1.9.0"
		}), want: model.NotApplicableResult},
		{name: "security release overdue", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "1.9.0" }),
			want: model.Fail, msg: "security release 2.0.0 (released 2026-06-01) is not installed: device runs 1.9.0, 152 days past the 30-day patch deadline", severity: model.High},
		{name: "pre-release of the fix", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "2.0.0-rc.3" }),
			want: model.Fail, msg: "security release 2.0.0"},
		{name: "several overdue", edit: devAndModel(
			func(d *model.Device) { d.Firmware = "1.8" },
			func(m *model.DeviceModel) {
				m.Firmware = append(m.Firmware, model.FirmwareRelease{Version: "1.9.0", Released: ts("2026-03-01"), Security: true})
			}),
			want: model.Fail, msg: "security release 1.9.0 (released 2026-03-01) is not installed: device runs 1.8, 244 days past the 30-day patch deadline (2 overdue security releases in all)"},
		{name: "new security release within the deadline", edit: func(s *model.Solution, _ *[]model.Device) {
			s.Models[0].Firmware = append(s.Models[0].Firmware, model.FirmwareRelease{Version: "2.1.1", Released: ts("2026-11-15"), Security: true})
		}, want: model.Pass},
		{name: "device ahead of the security release", edit: devEdit("cam-1", func(d *model.Device) { d.Firmware = "2.0.1" }), want: model.Pass},
	},
	"telemetry-silent": {
		{name: "reporting", want: model.Pass},
		{name: "provisioned device", edit: devEdit("cam-1", func(d *model.Device) { d.Lifecycle = model.Provisioned }), want: model.NotApplicableResult},
		{name: "silent for two days", edit: devEdit("cam-1", func(d *model.Device) { d.LastTelemetry = ts("2026-11-28") }),
			want: model.Fail, msg: "last sent security telemetry 60 hours ago, on 2026-11-28 (limit 24 hours)", severity: model.Low},
		{name: "never reported", edit: devEdit("cam-1", func(d *model.Device) { d.LastTelemetry = model.Timestamp{} }),
			want: model.Fail, msg: "never sent security telemetry"},
	},
	"clock-skew": {
		{name: "accurate", want: model.Pass},
		{name: "at the tolerance", edit: devEdit("cam-1", func(d *model.Device) { d.ClockSkewSeconds = -300 }), want: model.Pass},
		{name: "ten minutes slow", edit: devEdit("cam-1", func(d *model.Device) { d.ClockSkewSeconds = -600 }),
			want: model.Fail, msg: "device clock is off by -600 seconds (tolerance 300)", severity: model.Low},
		{name: "custom tolerance", edit: func(s *model.Solution, ds *[]model.Device) {
			s.Policy.MaxClockSkewSeconds = 1
		}, want: model.Fail, msg: "off by +2 seconds (tolerance 1)"},
	},
	"reused-device-identity": {
		{name: "never re-used", want: model.NotApplicableResult},
		{name: "new identity", edit: devEdit("cam-1", func(d *model.Device) { d.PreviousIdentity = "fp-old" }), want: model.Pass},
		{name: "same certificate as before", edit: devEdit("cam-1", func(d *model.Device) { d.PreviousIdentity = "FP-0001" }),
			want: model.Fail, msg: "still presents its previous certificate FP-0001", severity: model.High},
		{name: "old identity on another device", edit: devEdit("cam-1", func(d *model.Device) { d.PreviousIdentity = "fp-0002" }),
			want: model.Fail, msg: "previous identity fp-0002 of this re-used device is still the certificate of 1 other device(s)"},
	},
	"safety-device-not-segregated": {
		{name: "not safety-critical", want: model.NotApplicableResult},
		{name: "safety device in a segregated zone", edit: devEdit("cam-1", func(d *model.Device) { d.SafetyCritical = true }), want: model.Pass},
		{name: "safety device in a flat zone", edit: devAndNet(
			func(d *model.Device) { d.SafetyCritical = true },
			func(n *model.Network) { n.Segregated = false }),
			want: model.Fail, msg: "safety-critical device is in zone iot-cameras, which is not segregated", severity: model.High},
		{name: "safety model, no zone", edit: devAndModel(
			func(d *model.Device) { d.Zone = "" },
			func(m *model.DeviceModel) { m.SafetyCritical = true }),
			want: model.Fail, msg: "safety-critical device has no network zone recorded"},
		{name: "safety device reachable from the internet", edit: devAndNet(
			func(d *model.Device) { d.SafetyCritical = true },
			func(n *model.Network) { n.Segregated, n.InternetInbound = false, true }),
			want: model.Fail, msg: "which is not segregated and allows inbound connections from the internet"},
	},
	"device-in-unsuitable-network": {
		{name: "IoT zone", want: model.Pass},
		{name: "no zone", edit: devEdit("cam-1", func(d *model.Device) { d.Zone = "" }),
			want: model.Fail, msg: "device has no network zone recorded", severity: model.Medium},
		{name: "undeclared zone", edit: devEdit("cam-1", func(d *model.Device) { d.Zone = "lobby" }),
			want: model.Fail, msg: "device is in zone lobby, which is not declared"},
		{name: "guest Wi-Fi", edit: func(s *model.Solution, _ *[]model.Device) { s.Networks[0].Purpose = "Guest" },
			want: model.Fail, msg: "which is a Guest network"},
		{name: "WEP", edit: func(s *model.Solution, _ *[]model.Device) { s.Networks[0].WiFiSecurity = "wep" },
			want: model.Fail, msg: "which uses wep Wi-Fi"},
		{name: "WPA3", edit: func(s *model.Solution, _ *[]model.Device) { s.Networks[0].WiFiSecurity = "wpa3" }, want: model.Pass},
	},
	"device-owner-missing": {
		{name: "device owner", want: model.Pass},
		{name: "model owner only", edit: devEdit("cam-1", func(d *model.Device) { d.Owner = "" }), want: model.Pass},
		{name: "no owner at all", edit: devAndModel(func(d *model.Device) { d.Owner = "" }, func(m *model.DeviceModel) { m.Owner = "" }),
			want: model.Fail, msg: "neither the device nor its model cam has an owner", severity: model.Low},
		{name: "unknown model", edit: devEdit("cam-1", func(d *model.Device) { d.Owner, d.Model = "", "nope" }),
			want: model.Fail, msg: "its model nope is not declared"},
	},
}

// TestDeviceChecksTolerateEmptyDevices runs every device check on empty
// and half-filled devices: whatever is missing, a check decides without
// panicking.
func TestDeviceChecksTolerateEmptyDevices(t *testing.T) {
	sol, _ := baseline()
	devices := []model.Device{
		{},
		{ID: "x", Model: "nope", Lifecycle: model.Active, Location: model.Outdoor, SafetyCritical: true, PreviousIdentity: "p",
			Certificate: &model.Certificate{}, Ports: []model.Port{{}}, Settings: map[string]bool{}},
		{ID: "y", Model: "cam", Lifecycle: model.Decommissioned, Location: model.Public, Zone: "nope",
			Certificate: &model.Certificate{Revoked: true}, Firmware: "0", ReportedFirmware: "1"},
	}
	env := engine.NewEnv(sol, now, nil)
	for i := range devices {
		env.Observe(&devices[i])
	}
	for _, c := range deviceChecks {
		for i := range devices {
			r := c.(engine.DeviceCheck).CheckDevice(env, &devices[i])
			if r.Status == "" || r.Status == model.Error {
				t.Errorf("%s on device %d: status %q %q", c.Meta().ID, i, r.Status, r.Message)
			}
		}
	}
}

// TestDeviceChecksPassWithoutAllocating holds the device checks to their
// budget: millions of devices pass through them.
func TestDeviceChecksPassWithoutAllocating(t *testing.T) {
	sol, devices := baseline()
	env := engine.NewEnv(sol, now, nil)
	for i := range devices {
		// engine.Index lower-cases identifiers when it looks them up,
		// which allocates for upper-case ones; that cost is the index's.
		devices[i].Serial = strings.ToLower(devices[i].Serial)
		env.Observe(&devices[i])
	}
	for _, c := range deviceChecks {
		ck := c.(engine.DeviceCheck)
		n := testing.AllocsPerRun(20, func() { ck.CheckDevice(env, &devices[0]) })
		if n > 0 {
			t.Errorf("%s allocates %v times on a passing device", c.Meta().ID, n)
		}
	}
}
