package fleetgen

import (
	"github.com/iotguard/iotguard/model"
)

// zoneClass is the kind of network zone a device sits in; every site has
// one zone of each class.
type zoneClass int

const (
	zoneIoT      zoneClass = iota // segregated IoT zone: cameras, gateways, sensors, meters
	zoneBuilding                  // flat building-automation zone: thermostats, speakers
	zoneSafety                    // segregated, wired safety zone: door controllers
	zoneLegacy                    // isolated zone for unsupported devices
	zoneGuest                     // guest Wi-Fi, not meant for IoT
	numZones
)

var zoneSuffix = [numZones]string{"iot", "building", "safety", "legacy", "guest"}

// platform says which software stack a model's firmware is built on, for
// its SBOM.
type platform int

const (
	linuxPlatform platform = iota
	rtosPlatform
)

type weightedLocation struct {
	loc    model.LocationClass
	weight int // percent
}

// modelSpec is the static description of one device model; New turns it
// into a model.DeviceModel with dates and a firmware history drawn from
// the seed.
type modelSpec struct {
	id, vendor, vendorSlug, name, kind, hardware string
	prefix, serial                               string // device ID and serial-number prefixes
	oui                                          [3]byte
	weight                                       int // share of the regular mix, per mille
	zone                                         zoneClass
	cert, rsa                                    bool // devices carry a certificate; RSA rather than ECDSA
	creds                                        model.CredentialState
	ports                                        []model.Port
	sensors                                      []string
	settings                                     map[string]bool
	hardened                                     bool // tamper detection, storage encryption, no debug ports
	locations                                    []weightedLocation
	safety                                       bool
	legacy                                       bool // past its end of support
	owner                                        string
	siteOwner                                    bool // devices are owned by the site's team (owner-SITE)
	major, minor                                 int  // first version of the firmware history
	supportYears                                 int
	platform                                     platform
	extra                                        []string // SBOM components beyond the platform's
}

func decl(n int, proto, service string, tls, admin bool) model.Port {
	return model.Port{Port: n, Protocol: proto, Service: service, TLS: tls, Admin: admin}
}

var (
	httpsAdmin = decl(443, "tcp", "https", true, true)
	rtsps      = decl(322, "tcp", "rtsps", true, false)
	coaps      = decl(5684, "udp", "coaps", true, false)
)

var (
	secured      = []weightedLocation{{model.Secured, 100}}
	domeCam      = []weightedLocation{{model.Secured, 80}, {model.Public, 15}, {model.Outdoor, 5}}
	bulletCam    = []weightedLocation{{model.Outdoor, 70}, {model.Secured, 30}}
	doorLocs     = []weightedLocation{{model.Secured, 50}, {model.Unattended, 50}}
	airSensor    = []weightedLocation{{model.Secured, 80}, {model.Public, 20}}
	leakSensor   = []weightedLocation{{model.Secured, 70}, {model.Unattended, 30}}
	meterLocs    = []weightedLocation{{model.Unattended, 60}, {model.Outdoor, 40}}
	privacyOff   = map[string]bool{"microphone": false, "location": false, "analytics": false}
	cameraOn     = map[string]bool{"camera": true, "microphone": false, "location": false, "analytics": false, "telnet": false}
	gatewayConf  = map[string]bool{"telnet": false, "analytics": false}
	speakerConf  = map[string]bool{"microphone": true, "analytics": false, "location": false}
	sensorConfig = map[string]bool{"microphone": false, "analytics": false}
)

// modelSpecs is the product range of the synthetic operator: 13 current
// models across seven kinds, and one camera past its end of support.
var modelSpecs = []modelSpec{
	{
		id: "cam-x200", vendor: "Veridian Optics", vendorSlug: "veridian-optics", name: "X200 Dome Camera", kind: "camera", hardware: "B",
		prefix: "cam", serial: "VOX2", oui: [3]byte{0x3c, 0xe1, 0xa1}, weight: 120, zone: zoneIoT,
		cert: true, creds: model.CredUnique, ports: []model.Port{httpsAdmin, rtsps},
		sensors: []string{"camera"}, settings: cameraOn, hardened: true, locations: domeCam,
		owner: "security-ops", major: 4, minor: 0, supportYears: 5, platform: linuxPlatform, extra: []string{"lighttpd"},
	},
	{
		id: "cam-b40", vendor: "Veridian Optics", vendorSlug: "veridian-optics", name: "B40 Outdoor Bullet Camera", kind: "camera", hardware: "A2",
		prefix: "cam", serial: "VOB4", oui: [3]byte{0x3c, 0xe1, 0xa1}, weight: 60, zone: zoneIoT,
		cert: true, creds: model.CredUnique, ports: []model.Port{httpsAdmin, rtsps},
		sensors: []string{"camera"}, settings: cameraOn, hardened: true, locations: bulletCam,
		owner: "security-ops", major: 2, minor: 3, supportYears: 6, platform: linuxPlatform, extra: []string{"lighttpd"},
	},
	{
		id: "cam-h3", vendor: "Halcyon Vision", vendorSlug: "halcyon-vision", name: "H3 Indoor Camera", kind: "camera", hardware: "1",
		prefix: "cam", serial: "HVH3", oui: [3]byte{0x70, 0x2c, 0x1f}, weight: 40, zone: zoneIoT,
		cert: true, rsa: true, creds: model.CredUnique, ports: []model.Port{httpsAdmin},
		sensors: []string{"camera"}, settings: cameraOn, hardened: true, locations: secured,
		owner: "security-ops", major: 1, minor: 8, supportYears: 4, platform: linuxPlatform, extra: []string{"lighttpd"},
	},
	{
		id: "thermo-t500", vendor: "Calida Climate", vendorSlug: "calida", name: "T500 Smart Thermostat", kind: "thermostat", hardware: "3",
		prefix: "tst", serial: "CLT5", oui: [3]byte{0x70, 0xb3, 0xd5}, weight: 100, zone: zoneBuilding,
		cert: true, creds: model.CredUnique, ports: []model.Port{coaps},
		sensors: []string{"temperature", "humidity"}, settings: privacyOff, locations: secured,
		owner: "facilities", siteOwner: true, major: 2, minor: 1, supportYears: 5, platform: rtosPlatform, extra: []string{"libcoap"},
	},
	{
		id: "thermo-e2", vendor: "Nordlys Controls", vendorSlug: "nordlys", name: "E2 Zone Controller", kind: "thermostat", hardware: "2.1",
		prefix: "tst", serial: "NCE2", oui: [3]byte{0x00, 0x50, 0xc2}, weight: 80, zone: zoneBuilding,
		cert: true, creds: model.CredUnique, ports: []model.Port{coaps},
		sensors: []string{"temperature", "humidity", "co2"}, settings: privacyOff, locations: secured,
		owner: "facilities", siteOwner: true, major: 5, minor: 0, supportYears: 7, platform: rtosPlatform, extra: []string{"libcoap"},
	},
	{
		id: "door-dc4", vendor: "Portis Security", vendorSlug: "portis", name: "DC4 Door Controller", kind: "door-controller", hardware: "4.1",
		prefix: "door", serial: "PSD4", oui: [3]byte{0x00, 0x1b, 0xc5}, weight: 50, zone: zoneSafety,
		cert: true, creds: model.CredUnique, ports: []model.Port{httpsAdmin},
		settings: map[string]bool{}, hardened: true, locations: doorLocs, safety: true,
		owner: "security-ops", major: 7, minor: 0, supportYears: 8, platform: linuxPlatform,
	},
	{
		id: "door-ac8", vendor: "Kestrel Access", vendorSlug: "kestrel", name: "AC8 Access Reader", kind: "door-controller", hardware: "C",
		prefix: "door", serial: "KAC8", oui: [3]byte{0x00, 0x0e, 0x8f}, weight: 30, zone: zoneSafety,
		cert: true, rsa: true, creds: model.CredUnique, ports: []model.Port{httpsAdmin},
		settings: map[string]bool{}, hardened: true, locations: doorLocs, safety: true,
		owner: "security-ops", major: 3, minor: 4, supportYears: 6, platform: rtosPlatform,
	},
	{
		id: "gw-eg300", vendor: "Stratum Networks", vendorSlug: "stratum-networks", name: "EG-300 Edge Gateway", kind: "gateway", hardware: "1.3",
		prefix: "gw", serial: "SNEG", oui: [3]byte{0xd8, 0x3a, 0xdd}, weight: 30, zone: zoneIoT,
		cert: true, creds: model.CredUnique,
		ports:    []model.Port{decl(22, "tcp", "ssh", false, true), httpsAdmin, decl(8883, "tcp", "mqtt", true, false)},
		settings: gatewayConf, locations: secured,
		owner: "platform-team", major: 3, minor: 0, supportYears: 5, platform: linuxPlatform, extra: []string{"dropbear", "mosquitto"},
	},
	{
		id: "gw-lx10", vendor: "Lumio Radio", vendorSlug: "lumio", name: "LX10 LoRaWAN Gateway", kind: "gateway", hardware: "2",
		prefix: "gw", serial: "LRLX", oui: [3]byte{0x24, 0x6f, 0x28}, weight: 10, zone: zoneIoT,
		cert: true, creds: model.CredUnique,
		ports:    []model.Port{httpsAdmin, decl(1700, "udp", "semtech-udp", false, false)},
		settings: gatewayConf, locations: secured,
		owner: "platform-team", major: 1, minor: 4, supportYears: 5, platform: linuxPlatform, extra: []string{"dropbear"},
	},
	{
		id: "sensor-s3", vendor: "Aeris Sense", vendorSlug: "aeris-sense", name: "S3 Air & Occupancy Sensor", kind: "sensor", hardware: "2",
		prefix: "env", serial: "AES3", oui: [3]byte{0x24, 0x0a, 0xc4}, weight: 200, zone: zoneIoT,
		creds: model.CredNone, ports: []model.Port{coaps},
		sensors: []string{"co2", "temperature", "humidity", "occupancy"}, settings: sensorConfig, hardened: true, locations: airSensor,
		owner: "facilities", siteOwner: true, major: 2, minor: 0, supportYears: 5, platform: rtosPlatform, extra: []string{"libcoap", "tinycbor"},
	},
	{
		id: "sensor-wl2", vendor: "Aeris Sense", vendorSlug: "aeris-sense", name: "WL2 Water Leak Sensor", kind: "sensor", hardware: "1",
		prefix: "leak", serial: "AEW2", oui: [3]byte{0x24, 0x0a, 0xc4}, weight: 100, zone: zoneIoT,
		creds: model.CredNone, ports: []model.Port{coaps},
		sensors: []string{"water-leak", "temperature"}, settings: sensorConfig, hardened: true, locations: leakSensor,
		owner: "facilities", siteOwner: true, major: 1, minor: 2, supportYears: 6, platform: rtosPlatform, extra: []string{"libcoap"},
	},
	{
		id: "speaker-m1", vendor: "Sonora Audio", vendorSlug: "sonora-audio", name: "Meet M1 Conference Speaker", kind: "speaker", hardware: "1",
		prefix: "spk", serial: "SAM1", oui: [3]byte{0x94, 0x9f, 0x3e}, weight: 30, zone: zoneBuilding,
		cert: true, creds: model.CredNone, ports: []model.Port{httpsAdmin},
		sensors: []string{"microphone"}, settings: speakerConf, locations: secured,
		owner: "workplace-it", major: 12, minor: 2, supportYears: 4, platform: linuxPlatform,
	},
	{
		id: "meter-em7", vendor: "Voltara Metering", vendorSlug: "voltara", name: "EM7 Sub-meter", kind: "meter", hardware: "7",
		prefix: "mtr", serial: "VEM7", oui: [3]byte{0x00, 0x1e, 0xc0}, weight: 150, zone: zoneIoT,
		cert: true, creds: model.CredNone, ports: []model.Port{decl(4059, "tcp", "dlms", true, false)},
		sensors: []string{"energy"}, settings: privacyOff, hardened: true, locations: meterLocs,
		owner: "energy-team", major: 6, minor: 1, supportYears: 10, platform: rtosPlatform,
	},
	{
		// The legacy yard camera: past its end of support; its devices
		// belong in the isolated legacy zone until they are replaced.
		id: "cam-v90", vendor: "Veridian Optics", vendorSlug: "veridian-optics", name: "V90 Bullet Camera (legacy)", kind: "camera", hardware: "A",
		prefix: "cam", serial: "VOV9", oui: [3]byte{0x3c, 0xe1, 0xa1}, weight: 0, zone: zoneLegacy,
		cert: true, rsa: true, creds: model.CredUnique, ports: []model.Port{httpsAdmin},
		sensors: []string{"camera"}, settings: cameraOn, hardened: true, locations: secured, legacy: true,
		owner: "security-ops", major: 5, minor: 4, platform: linuxPlatform, extra: []string{"lighttpd"},
	},
}

// satisfies reports whether devices of spec s can carry a problem with
// need n.
func (s *modelSpec) satisfies(n need) bool {
	if s.legacy != n.legacy {
		return false
	}
	hasTCPTLS := false
	for _, p := range s.ports {
		if p.TLS && p.Protocol == "tcp" {
			hasTCPTLS = true
		}
	}
	outdoor := false
	for _, l := range s.locations {
		if l.loc == model.Outdoor {
			outdoor = true
		}
	}
	switch {
	case n.cert && !s.cert,
		n.password && s.creds != model.CredUnique,
		n.tls && !hasTCPTLS,
		n.outdoor && !(outdoor && s.hardened),
		n.gateway && s.kind != "gateway",
		n.safety && !s.safety,
		n.nonSafety && s.safety:
		return false
	}
	return true
}
