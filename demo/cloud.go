package demo

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/iotguard/iotguard/model"
)

// Cloud registry exports.
//
// AWS IoT holds the mall's door controllers and gateways (aws iot
// list-things) and runs Device Defender audits (aws iot
// list-audit-findings): the audit flags the certificate the two cloned
// mall door controllers share, and the registry still holds a bench unit
// from commissioning that is in no inventory.
//
// Azure IoT Hub holds the HQ thermostats (device twins as JSON lines, one
// twin a line, as `az iot hub query` piped through jq -c writes them): one
// thermostat returned to the vendor (RMA) is still enabled there.

const (
	awsAccount  = "123456789012" // AWS's documentation account ID
	awsRegion   = "eu-west-1"
	benchThing  = "mall-door-bench-01"
	iotHubModel = "dtmi:calida:t500;2"
)

type awsThing struct {
	ThingName     string            `json:"thingName"`
	ThingTypeName string            `json:"thingTypeName,omitempty"`
	ThingArn      string            `json:"thingArn"`
	Attributes    map[string]string `json:"attributes"`
	Version       int               `json:"version"`
}

func (g *gen) awsListThings() []byte {
	thingType := map[string]string{doorDC4: "PortisDC4", gateway: "StratumEG300"}
	var things []awsThing
	for i := range g.devices {
		d := &g.devices[i]
		if d.Site != mall.code || thingType[d.Model] == "" {
			continue
		}
		things = append(things, awsThing{
			ThingName: d.ID, ThingTypeName: thingType[d.Model],
			ThingArn: "arn:aws:iot:" + awsRegion + ":" + awsAccount + ":thing/" + d.ID,
			Attributes: map[string]string{
				"site": d.Site, "serialNumber": d.Serial, "firmwareVersion": d.Firmware, "zone": d.Zone,
			},
			Version: 1 + g.rng.IntN(6),
		})
	}
	// A unit registered on the commissioning bench and never removed.
	things = append(things, awsThing{
		ThingName: benchThing, ThingTypeName: "PortisDC4",
		ThingArn:   "arn:aws:iot:" + awsRegion + ":" + awsAccount + ":thing/" + benchThing,
		Attributes: map[string]string{"site": mall.code, "firmwareVersion": "7.0.2", "note": "commissioning bench"},
		Version:    1,
	})
	g.problem("unregistered-device", "aws-iot "+benchThing, "a door controller registered in AWS IoT on the commissioning bench is in no inventory")
	sort.Slice(things, func(i, j int) bool { return things[i].ThingName < things[j].ThingName })
	return jsonFile(map[string]any{"things": things})
}

type awsResource struct {
	ResourceType       string            `json:"resourceType"`
	ResourceIdentifier map[string]string `json:"resourceIdentifier"`
	AdditionalInfo     map[string]string `json:"additionalInfo,omitempty"`
}

type awsFinding struct {
	TaskID                     string        `json:"taskId"`
	CheckName                  string        `json:"checkName"`
	TaskStartTime              float64       `json:"taskStartTime"`
	FindingTime                float64       `json:"findingTime"`
	Severity                   string        `json:"severity"`
	NonCompliantResource       awsResource   `json:"nonCompliantResource"`
	RelatedResources           []awsResource `json:"relatedResources"`
	ReasonForNonCompliance     string        `json:"reasonForNonCompliance"`
	ReasonForNonComplianceCode string        `json:"reasonForNonComplianceCode"`
}

// epoch writes t as AWS CLI output does: seconds with milliseconds.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (g *gen) awsAuditFindings() []byte {
	// The certificate the cloned mall door controllers share.
	byFP := map[string][]*model.Device{}
	for i := range g.devices {
		d := &g.devices[i]
		if d.Site == mall.code && d.Model == doorDC4 && d.Certificate != nil {
			byFP[d.Certificate.Fingerprint] = append(byFP[d.Certificate.Fingerprint], d)
		}
	}
	var shared string
	for fp, ds := range byFP {
		if len(ds) > 1 {
			shared = fp
		}
	}
	if shared == "" {
		panic("demo: no shared certificate among the mall door controllers")
	}
	var findings []awsFinding
	// Two daily audits, the latest first, as list-audit-findings sorts them.
	for day := 1; day <= 2; day++ {
		start := g.today.AddDate(0, 0, -day).Add(3*time.Hour + 30*time.Minute + time.Duration(g.rng.IntN(600))*time.Second)
		var related []awsResource
		for _, d := range byFP[shared] {
			connected := start.Add(-time.Duration(2+g.rng.IntN(20)) * time.Hour)
			related = append(related, awsResource{
				ResourceType:       "CLIENT_ID",
				ResourceIdentifier: map[string]string{"clientId": d.MQTTClientID},
				AdditionalInfo:     map[string]string{"CONNECTION_TIME": fmt.Sprint(connected.UnixMilli())},
			})
		}
		findings = append(findings, awsFinding{
			TaskID: digest("audit", start.String())[:32], CheckName: "DEVICE_CERTIFICATE_SHARED_CHECK",
			TaskStartTime: epoch(start), FindingTime: epoch(start.Add(420 * time.Millisecond)),
			Severity: "CRITICAL",
			NonCompliantResource: awsResource{
				ResourceType:       "DEVICE_CERTIFICATE",
				ResourceIdentifier: map[string]string{"deviceCertificateId": shared},
			},
			RelatedResources:           related,
			ReasonForNonCompliance:     "Certificate shared by one or more devices.",
			ReasonForNonComplianceCode: "CERTIFICATE_SHARED_BY_MULTIPLE_DEVICES",
		})
	}
	g.problem("cloud-audit-findings", "DEVICE_CERTIFICATE:"+shared,
		"AWS IoT Device Defender reports the certificate the two cloned mall door controllers share")
	return jsonFile(map[string]any{"findings": findings})
}

// ---------------------------------------------------------------- Azure

type twinMeta struct {
	LastUpdated string `json:"$lastUpdated"`
}

type twinThumbprint struct {
	Primary   *string `json:"primaryThumbprint"`
	Secondary *string `json:"secondaryThumbprint"`
}

type twin struct {
	DeviceID                  string         `json:"deviceId"`
	Etag                      string         `json:"etag"`
	DeviceEtag                string         `json:"deviceEtag"`
	Status                    string         `json:"status"`
	StatusReason              string         `json:"statusReason,omitempty"`
	StatusUpdateTime          string         `json:"statusUpdateTime"`
	ConnectionState           string         `json:"connectionState"`
	LastActivityTime          string         `json:"lastActivityTime"`
	CloudToDeviceMessageCount int            `json:"cloudToDeviceMessageCount"`
	AuthenticationType        string         `json:"authenticationType"`
	X509Thumbprint            twinThumbprint `json:"x509Thumbprint"`
	ModelID                   string         `json:"modelId"`
	Version                   int            `json:"version"`
	Tags                      map[string]any `json:"tags"`
	Properties                struct {
		Desired  map[string]any `json:"desired"`
		Reported map[string]any `json:"reported"`
	} `json:"properties"`
	Capabilities struct {
		IoTEdge bool `json:"iotEdge"`
	} `json:"capabilities"`
}

// azureTime writes t as IoT Hub does, with seven fractional digits.
func azureTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.0000000Z") }

const azureNever = "0001-01-01T00:00:00Z"

func (g *gen) azureTwins() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	stillEnabled := ""
	for i := range g.devices {
		d := &g.devices[i]
		if d.Site != hq.code || d.Model != thermo {
			continue
		}
		version := 20 + g.rng.IntN(400)
		t := twin{
			DeviceID: d.ID, Etag: twinEtag(version), DeviceEtag: deviceEtag(d.ID),
			Status: "enabled", StatusUpdateTime: azureNever, ConnectionState: "Connected",
			AuthenticationType: "certificateAuthority", ModelID: iotHubModel, Version: version,
			Tags: map[string]any{"site": d.Site, "building": "HQ tower", "owner": d.Owner, "zone": d.Zone},
		}
		seen := d.LastSeen.Add(-time.Duration(g.rng.IntN(59000)) * time.Millisecond)
		t.LastActivityTime = azureTime(seen)
		updated := azureTime(seen.Add(-time.Duration(g.rng.IntN(3600)) * time.Second))
		t.Properties.Desired = map[string]any{
			"setpointC": 21.5, "schedule": "office-hours", "$metadata": twinMeta{LastUpdated: updated}, "$version": 3 + g.rng.IntN(9),
		}
		t.Properties.Reported = map[string]any{
			"firmwareVersion": d.ReportedFirmware, "temperatureC": 20.0 + float64(g.rng.IntN(30))/10,
			"$metadata": twinMeta{LastUpdated: updated}, "$version": 100 + g.rng.IntN(900),
		}
		switch {
		case d.Lifecycle == model.Provisioned:
			t.ConnectionState, t.LastActivityTime = "Disconnected", azureNever
			delete(t.Properties.Reported, "temperatureC")
		case d.Lifecycle.Retired() && stillEnabled == "" && d.Lifecycle == model.RMA:
			// Sent back to Calida, but nobody disabled it in IoT Hub: its
			// identity could still connect.
			stillEnabled = d.ID
			t.ConnectionState = "Disconnected"
			g.problem("decommissioned-enabled-in-cloud", d.ID, "a thermostat returned to the vendor (RMA) is still enabled in Azure IoT Hub")
		case d.Lifecycle.Retired():
			t.Status, t.ConnectionState = "disabled", "Disconnected"
			t.StatusReason = "Retired " + date(d.Decommissioned.Time) + " (" + string(d.Lifecycle) + ")"
			t.StatusUpdateTime = azureTime(d.Decommissioned.Add(9*time.Hour + time.Duration(g.rng.IntN(28800))*time.Second))
		}
		if err := enc.Encode(&t); err != nil {
			panic("demo: " + err.Error())
		}
	}
	if stillEnabled == "" {
		panic("demo: no HQ thermostat returned to the vendor")
	}
	return buf.Bytes()
}

// twinEtag is a twin's ETag as IoT Hub writes it: its version as eight
// big-endian bytes, base64-encoded.
func twinEtag(version int) string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(version))
	return base64.StdEncoding.EncodeToString(b[:])
}

// deviceEtag is a device identity's ETag: a base64-encoded number.
func deviceEtag(id string) string {
	d := digest("etag", id)
	n := 0
	for _, c := range d[:9] {
		n = n*10 + int(c)%10
	}
	return base64.StdEncoding.EncodeToString([]byte(fmt.Sprint(100000000 + n)))
}
