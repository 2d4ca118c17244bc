package azureiot

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
	"github.com/iotguard/iotguard/internal/redact"
	"github.com/iotguard/iotguard/model"
)

func ts(s string) model.Timestamp {
	t, err := model.ParseTimestamp(s)
	if err != nil {
		panic(err)
	}
	return t
}

const (
	tp1 = "9c5a0f0c5b3e2e8d6a1f4b7c9d0e1f2a3b4c5d6e"
	tp2 = "0e7099d2fef682d88b06a6249d552b9430e8df323acf4e549050aacc67d1a045"
)

// There are no public Azure IoT Hub sample files among the shared fixtures;
// testdata/ holds files written from the documented shapes (device twins
// and the devices blob of an import/export job).
func TestTestdata(t *testing.T) {
	p := func(f string) string { return filepath.Join("testdata", f) }
	thermostat := model.CloudThing{
		Provider: "azure-iot-hub", Name: "thermostat-0001", Type: "dtmi:com:example:Thermostat;1",
		Status: "enabled", ConnectionState: "disconnected", LastActivity: ts("2024-03-01T10:15:42.1234567Z"),
		AuthType: "sas",
		Attributes: map[string]string{
			"deploymentLocation.building": "43", "deploymentLocation.floor": "1", "owner": "facilities", "criticality": "2",
		},
		FirmwareVersion: "1.4.2",
		ReportedSettings: map[string]string{
			"firmware.currentFwVersion": "1.4.2", "firmware.pendingFwVersion": "", "firmware.fwUpdateStatus": "current",
			"firmware.lastFwUpdateEndTime": "2024-01-10T03:00:00Z", "telemetryInterval": "30",
			"maxTempSinceLastReboot": "22.50", "serialNumber": "SN-TH-0001",
		},
		Source: p("twin-sas.json"),
	}
	camera := model.CloudThing{
		Provider: "azure-iot-hub", Name: "camera-lobby-02", Type: "dtmi:com:contoso:Camera;2",
		Status: "disabled", ConnectionState: "disconnected", AuthType: "selfSigned",
		Thumbprints:     []string{tp1, tp2},
		Attributes:      map[string]string{"$statusReason": "decommissioned 2024-02"},
		FirmwareVersion: "3.1.0",
		ReportedSettings: map[string]string{
			"deviceInformation.manufacturer": "Contoso", "deviceInformation.model": "CAM-200",
			"deviceInformation.swVersion": "3.1.0", "deviceInformation.osName": "Linux",
			"deviceInformation.totalStorage": "16384", "privacyShutter": "true",
		},
		Source: p("twin-x509.json"),
	}
	export := p("devices-export.jsonl")
	tests := []struct {
		file  string
		want  *Result
		notes int
	}{
		{"twin-sas.json", &Result{Kind: KindTwin, Things: []model.CloudThing{thermostat}}, 0},
		{"twin-x509.json", &Result{Kind: KindTwin, Things: []model.CloudThing{camera}}, 0},
		{"twins-list.json", &Result{Kind: KindTwinList, Things: []model.CloudThing{
			{
				Provider: "azure-iot-hub", Name: "meter-17", Status: "enabled", ConnectionState: "connected",
				LastActivity: ts("2024-03-02T08:00:01.5Z"), AuthType: "certificateAuthority",
				Attributes: map[string]string{"site": "plant-a", "line.name": "L3", "line.safety": "true"},
				// firmwareVersion and firmware_version rank alike: the first
				// in sorted order wins.
				FirmwareVersion:  "5.0.1",
				ReportedSettings: map[string]string{"firmwareVersion": "5.0.1", "firmware_version": "5.0.0"},
				Source:           p("twins-list.json"),
			},
			{
				Provider: "azure-iot-hub", Name: "edge-gw-01", Status: "enabled", ConnectionState: "connected",
				LastActivity: ts("2024-03-02T08:01:00Z"), AuthType: "sas",
				Attributes: map[string]string{"site": "plant-a", "role": "gateway", "$iotEdge": "true"},
				Source:     p("twins-list.json"),
			},
			{
				Provider: "azure-iot-hub", Name: "sensor-new", Status: "enabled", ConnectionState: "disconnected",
				AuthType: "sas", Source: p("twins-list.json"),
			},
		}}, 0},
		{"devices-export.jsonl", &Result{Kind: KindJSONLines, Things: []model.CloudThing{
			{
				Provider: "azure-iot-hub", Name: "thermostat-0001", Status: "enabled", AuthType: "sas",
				Attributes:       map[string]string{"deploymentLocation.building": "43", "deploymentLocation.floor": "1"},
				FirmwareVersion:  "1.4.2",
				ReportedSettings: map[string]string{"firmware.currentFwVersion": "1.4.2"},
				Source:           export,
			},
			{
				Provider: "azure-iot-hub", Name: "thermostat-0002", Status: "enabled", AuthType: "sas",
				Attributes:       map[string]string{"deploymentLocation.building": "44", "deploymentLocation.floor": "2"},
				FirmwareVersion:  "1.3.9",
				ReportedSettings: map[string]string{"firmware.currentFwVersion": "1.3.9"},
				Source:           export,
			},
			{
				Provider: "azure-iot-hub", Name: "camera-lobby-02", Status: "disabled", AuthType: "selfSigned",
				Thumbprints:      []string{tp1}, // primary and secondary are the same certificate
				Attributes:       map[string]string{"$statusReason": "decommissioned 2024-02"},
				FirmwareVersion:  "3.1.0",
				ReportedSettings: map[string]string{"deviceInformation.swVersion": "3.1.0"},
				Source:           export,
			},
			{
				Provider: "azure-iot-hub", Name: "meter-17", Status: "enabled", AuthType: "certificateAuthority",
				Attributes:       map[string]string{"site": "plant-a"},
				FirmwareVersion:  "5.0.1",
				ReportedSettings: map[string]string{"firmwareVersion": "5.0.1"},
				Source:           export,
			},
			{
				Provider: "azure-iot-hub", Name: "edge-gw-01", Status: "enabled", AuthType: "sas",
				Attributes: map[string]string{"site": "plant-a", "role": "gateway", "$iotEdge": "true"},
				Source:     export,
			},
		}}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := ParseFile(p(tt.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Notes) != tt.notes {
				t.Errorf("notes: %q", got.Notes)
			}
			got.Notes = nil
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	res, _ := ParseFile(export)
	if want := "the symmetric keys of 3 device(s) were dropped"; len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], want) {
		t.Errorf("notes %q, want %q...", res.Notes, want)
	}
}

// TestShapes checks the detection of JSON lines against pretty-printed
// documents, with BOMs, CRLF line ends and blank lines.
type shapeCase struct {
	name, in string
	kind     string
	names    []string
}

func TestShapes(t *testing.T) {
	tests := []shapeCase{
		{"jsonl crlf bom blank", "\xef\xbb\xbf\r\n\n" + `{"id":"a"}` + "\r\n\r\n" + `{"deviceId":"b"}` + "\r\n", KindJSONLines, []string{"a", "b"}},
		{"jsonl no final newline", `{"id":"a"}` + "\n" + `{"id":"b"}`, KindJSONLines, []string{"a", "b"}},
		{"single line", `{"deviceId":"a"}`, KindTwin, []string{"a"}},
		{"pretty", "{\n  \"deviceId\": \"a\"\n}\n", KindTwin, []string{"a"}},
		{"bom pretty", "\xef\xbb\xbf{\n\"deviceId\": \"a\"}", KindTwin, []string{"a"}},
		{"array one line", `[{"deviceId":"a"},{"deviceId":"b"}]`, KindTwinList, []string{"a", "b"}},
		{"empty array", " [ ] ", KindTwinList, nil},
		{"device id wins over id", `{"deviceId":"a","id":"b"}`, KindTwin, []string{"a"}},
		{"module twin skipped", `[{"deviceId":"a"},{"deviceId":"a","moduleId":"m"}]`, KindTwinList, []string{"a"}},
		{"unknown fields", `{"deviceId":"a","newThing":{"x":[1,{"y":null}]},"tags":null,"properties":null}`, KindTwin, []string{"a"}},
	}
	// A first line longer than the peek window is still JSON lines.
	var long strings.Builder
	long.WriteString(`{"id":"long","tags":{`)
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&long, `"t%02d":"%s",`, i, strings.Repeat("v", 1000))
	}
	long.WriteString(`"last":"x"}}`)
	if long.Len() <= peekSize {
		t.Fatalf("bad test: %d", long.Len())
	}
	tests = append(tests,
		shapeCase{"jsonl long first line", long.String() + "\n" + `{"id":"b"}` + "\n", KindJSONLines, []string{"long", "b"}},
		shapeCase{"long single line", long.String(), KindTwin, []string{"long"}},
		shapeCase{"long blank prefix", strings.Repeat(" \n", peekSize) + `{"id":"a"}` + "\n" + `{"id":"b"}`, KindJSONLines, []string{"a", "b"}},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Parse("in", strings.NewReader(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, th := range res.Things {
				names = append(names, th.Name)
			}
			if res.Kind != tt.kind || !cmp.Equal(names, tt.names) {
				t.Errorf("got %s %q, want %s %q", res.Kind, names, tt.kind, tt.names)
			}
		})
	}
}

// TestKeysDropped feeds documents full of keys and secrets and asserts
// that nothing of them remains in the marshalled result.
func TestKeysDropped(t *testing.T) {
	const (
		primary   = "UHJpbWFyeUtleVNob3VsZE5ldmVyQmVLZXB0MDAwMQ=="
		secondary = "U2Vjb25kYXJ5S2V5U2hvdWxkTmV2ZXJCZUtlcHQwMQ=="
		hubKey    = "SHViT3duZXJLZXlTaG91bGROZXZlckJlS2VwdDAwMDE="
		acctKey   = "QWNjb3VudEtleVNob3VsZE5ldmVyQmVLZXB0MDAwMDE="
		sasSig    = "aBcDeF%2BgHiJkL%3D"
		password  = "correct-horse-battery-staple"
		pemBody   = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7"
	)
	secrets := []string{primary, secondary, hubKey, acctKey, sasSig, password, pemBody}
	device := map[string]any{
		"id":     "leaky-01",
		"status": "enabled",
		"authentication": map[string]any{
			"type":           "sas",
			"symmetricKey":   map[string]any{"primaryKey": primary, "secondaryKey": secondary},
			"x509Thumbprint": map[string]any{"primaryThumbprint": nil, "secondaryThumbprint": nil},
		},
		"connectionString": "HostName=hub.azure-devices.net;DeviceId=leaky-01;SharedAccessKey=" + primary,
		"tags": map[string]any{
			"site":             "plant-a",
			"connection":       "HostName=hub.azure-devices.net;SharedAccessKeyName=iothubowner;SharedAccessKey=" + hubKey,
			"storage":          "DefaultEndpointsProtocol=https;AccountName=logs;AccountKey=" + acctKey + ";EndpointSuffix=core.windows.net",
			"admin":            map[string]any{"user": "root", "password": password},
			"connectionString": "anything",
			"sas":              "SharedAccessSignature sr=hub.azure-devices.net%2Fdevices%2Fleaky-01&sig=" + sasSig + "&se=1700000000",
		},
		"properties": map[string]any{
			"desired": map[string]any{"primaryKey": primary},
			"reported": map[string]any{
				"firmwareVersion": "2.0.0",
				"lastError":       "auth failed with HostName=hub;DeviceId=leaky-01;SharedAccessKey=" + primary + " at boot",
				"upload":          "https://logs.blob.core.windows.net/c/f?sv=2021&sig=" + sasSig + "&se=2030",
				"tls":             map[string]any{"clientKey": "-----BEGIN PRIVATE KEY-----\n" + pemBody + "\n-----END PRIVATE KEY-----\n", "privateKey": pemBody},
				"credentials":     map[string]any{"sasToken": "SharedAccessSignature sig=" + sasSig},
				"note":            "key is -----BEGIN EC PRIVATE KEY-----\n" + pemBody,
			},
		},
	}
	line, _ := json.Marshal(device)
	twin := map[string]any{}
	for k, v := range device {
		twin[k] = v
	}
	delete(twin, "id")
	twin["deviceId"] = "leaky-02"
	twin["authenticationType"] = "sas"
	pretty, _ := json.MarshalIndent(twin, "", "  ")
	list, _ := json.MarshalIndent([]any{twin, device}, "", "  ")
	for name, in := range map[string][]byte{
		"jsonl": append(append(line, '\n'), line...),
		"twin":  pretty,
		"list":  list,
	} {
		t.Run(name, func(t *testing.T) {
			res, err := Parse(name, bytes.NewReader(in))
			if err != nil {
				t.Fatal(err)
			}
			out, _ := json.Marshal(res)
			for _, s := range secrets {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("secret %.12q... left a trace in:\n%s", s, out)
				}
			}
			if redact.HasPrivateKey(string(out)) {
				t.Errorf("private key header in:\n%s", out)
			}
			if len(res.Notes) < 2 {
				t.Errorf("notes: %q", res.Notes)
			}
			th := res.Things[0]
			if th.FirmwareVersion != "2.0.0" || th.Attributes["site"] != "plant-a" {
				t.Errorf("harmless values lost: %+v", th)
			}
			want := "https://logs.blob.core.windows.net/c/f?sv=2021&sig=[REDACTED]&se=2030"
			if got := th.ReportedSettings["upload"]; got != want {
				t.Errorf("upload = %q, want %q", got, want)
			}
			want = "auth failed with HostName=hub;DeviceId=leaky-01;SharedAccessKey=[REDACTED] at boot"
			if got := th.ReportedSettings["lastError"]; got != want {
				t.Errorf("lastError = %q, want %q", got, want)
			}
			t.Logf("%s", out)
		})
	}

	// Errors never quote a key that sits where a thumbprint should be.
	bad := fmt.Sprintf(`{"deviceId": "x", "x509Thumbprint": {"primaryThumbprint": %q}}`, primary)
	_, err := Parse("bad.json", strings.NewReader(bad))
	if err == nil || strings.Contains(err.Error(), primary) || !strings.Contains(err.Error(), "x509Thumbprint.primaryThumbprint: is not a hexadecimal") {
		t.Errorf("got %v", err)
	}
}

func TestErrors(t *testing.T) {
	good := `{"id":"ok"}` + "\n"
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "bad: the file is empty"},
		{"blank", " \n\r\n ", "bad: the file is empty"},
		{"not json", "hello", "bad:1:1: invalid JSON"},
		{"top string", `"x"`, "expected a device twin object, an array of twins (az iot hub device-twin list) or JSON lines (IoT Hub export), got a string"},
		{"truncated", "{\n\"deviceId\": \"a\",\n", "the JSON ends early"},
		{"two documents", "{\n\"deviceId\": \"a\"\n}\n{\n\"deviceId\": \"b\"\n}\n", "bad:4:1: a second JSON document follows the first"},
		{"array element", "[\n  {\"deviceId\": \"a\"},\n  5\n]", "bad:3: [1]: expected a device twin object, got a number"},
		{"array type", "[\n  {\"deviceId\": \"a\"},\n  {\"deviceId\": \"b\",\n   \"status\": true}\n]", "bad:3: [1].status: expected a string, got a JSON bool"},
		{"array missing id", "[\n{\"deviceId\": \"a\"},\n\n{\"status\": \"enabled\"}]", "bad:4: the device has no deviceId (device twin) or id (export line)"},
		{"twin type", `{"deviceId": "a", "authentication": {"type": 1}}`, "bad: authentication.type: expected a string, got a JSON number"},
		{"tags array", `{"deviceId": "a", "tags": [1]}`, "bad: tags: expected an object, got an array"},
		{"reported string", `{"deviceId": "a", "properties": {"reported": "x"}}`, "bad: properties.reported: expected an object, got a string"},
		{"bad time", `{"deviceId": "a", "lastActivityTime": "yesterday"}`, `bad: lastActivityTime: "yesterday" is not a time`},
		{"bad thumbprint", `{"deviceId": "a", "x509Thumbprint": {"secondaryThumbprint": "abc"}}`, "bad: x509Thumbprint.secondaryThumbprint: is not a hexadecimal SHA-1 or SHA-256 thumbprint (3 characters"},
		{"long id", `{"deviceId": "` + strings.Repeat("d", 2000) + `"}`, "bad: deviceId: is 2000 bytes long"},
		{"jsonl syntax", good + good + `{"id": "a" "status": "enabled"}` + "\n", "bad:3:12: invalid JSON: invalid character '\"' after object key:value pair"},
		{"jsonl not object", good + "[1]\n", "bad:2:1: expected one device JSON object per line, got an array"},
		{"jsonl indented", good + "  \t[1]\n", "bad:2:4: expected one device JSON object per line, got an array"},
		{"jsonl indented syntax", good + `   {"id": "a" "status": "enabled"}` + "\n", "bad:2:15: invalid JSON"},
		{"jsonl trailing", good + `{"id":"a"} {"id":"b"}` + "\n", "bad:2:12: unexpected data after the device object: put each device on its own line"},
		{"jsonl unclosed", good + `{"id":"a",` + "\n" + `"status":"x"}` + "\n", "bad:2:10: the object is not closed"},
		{"jsonl type", good + good + good + `{"id": 5}` + "\n", "bad:4: id: expected a string, got a JSON number"},
		{"jsonl no id", good + `{"status": "enabled"}`, "bad:2: the device has no deviceId"},
		{"jsonl thumbprint", good + `{"id": "a", "authentication": {"x509Thumbprint": {"primaryThumbprint": "zz"}}}`, "bad:2: authentication.x509Thumbprint.primaryThumbprint: is not a hexadecimal"},
		{"jsonl time", good + `{"id": "a", "lastActivityTime": 5}`, "bad:2: lastActivityTime: expected a string, got a JSON number"},
		{"hostile value", "{\"deviceId\": \"a\", \"lastActivityTime\": \"\\u001b[2J" + strings.Repeat("x", 100) + "\"}", `lastActivityTime: "\x1b[2Jxxxxx`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad", strings.NewReader(tt.in))
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error does not match ErrFormat: %T %v", err, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.want) {
				t.Errorf("message %q\ndoes not contain %q", msg, tt.want)
			}
			if strings.ContainsAny(msg, "\x00\x1b\r\n") || len(msg) > 2500 {
				t.Errorf("unsafe message: %q", msg)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	defer func(s int64, l int) { maxSize, maxLineSize = s, l }(maxSize, maxLineSize)
	maxSize, maxLineSize = 1<<20, 1<<10

	long := `{"id":"a","tags":{"x":"` + strings.Repeat("y", 2000) + `"}}`
	_, err := Parse("lines.jsonl", strings.NewReader(`{"id":"ok"}`+"\n"+long+"\n"))
	if err == nil || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "lines.jsonl:2: the line is longer than the 0 MiB limit") {
		// 1 KiB shows as 0 MiB here; MaxLineSize is 1 MiB.
		t.Errorf("long line: %v", err)
	}

	maxLineSize = MaxLineSize
	line := `{"id":"dev","tags":{"pad":"` + strings.Repeat("p", 900) + `"}}` + "\n"
	big := strings.Repeat(line, (1<<20)/len(line)+2)
	for name, in := range map[string]string{
		"jsonl": big,
		"array": "[" + strings.Repeat(`{"deviceId":"d"},`, (1<<20)/17+1) + `{"deviceId":"d"}]`,
	} {
		_, err := Parse(name, strings.NewReader(in))
		if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), name+": input is larger than the 1 MiB limit: split it") {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Just under the limit is read.
	under := strings.Repeat(line, (1<<20)/len(line))
	res, err := Parse("under", strings.NewReader(under))
	if err != nil || len(res.Things) != (1<<20)/len(line) {
		t.Errorf("under the limit: %v", err)
	}
	if MaxSize != 256<<20 || MaxLineSize != 1<<20 {
		t.Errorf("limits changed: %d %d", MaxSize, MaxLineSize)
	}
}

func TestCaps(t *testing.T) {
	tags := map[string]any{}
	for i := 0; i < maxEntries+20; i++ {
		tags[fmt.Sprintf("t%03d", i)] = i
	}
	deep := map[string]any{"v": "deep"}
	for i := 0; i < maxDepth+2; i++ {
		deep = map[string]any{"d": deep}
	}
	reported := map[string]any{
		"big":                            strings.Repeat("b", maxValueLen+1),
		"list":                           []any{"a", "b"},
		"nothing":                        nil,
		"deep":                           deep,
		"$version":                       3,
		strings.Repeat("k", maxKeyLen+1): "x",
	}
	b, _ := json.Marshal(map[string]any{"deviceId": "capped", "tags": tags, "properties": map[string]any{"reported": reported}})
	res, err := Parse("caps.json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	th := res.Things[0]
	if len(th.Attributes) != maxEntries {
		t.Errorf("%d tags kept, want %d", len(th.Attributes), maxEntries)
	}
	if len(th.ReportedSettings) != 0 {
		t.Errorf("reported kept: %q", th.ReportedSettings)
	}
	// 20 tags, the long value, the long key and the too-deep object.
	if len(res.Notes) != 1 || !strings.HasPrefix(res.Notes[0], "23 tag or reported value(s) beyond the size caps") {
		t.Errorf("notes: %q", res.Notes)
	}
	// Nine levels below the root are kept.
	nine := map[string]any{"v": "ok"}
	for i := 0; i < maxDepth-1; i++ {
		nine = map[string]any{"d": nine}
	}
	b, _ = json.Marshal(map[string]any{"deviceId": "n", "tags": nine})
	res, err = Parse("nine.json", bytes.NewReader(b))
	if err != nil || len(res.Things[0].Attributes) != 1 {
		t.Errorf("depth %d: %v %v", maxDepth, err, res.Things[0].Attributes)
	}
}

func TestFirmwareRank(t *testing.T) {
	tests := []struct {
		key  string
		want int
	}{
		{"firmwareVersion", 0}, {"fw_version", 0}, {"firmware.currentFwVersion", 0}, {"firmware.version", 0},
		{"FW.Version", 0}, {"firmware", 1}, {"fw", 2}, {"deviceInformation.swVersion", 3},
		{"firmware.pendingFwVersion", -1}, {"firmware.fwUpdateStatus", -1}, {"swVersion", -1}, {"version", -1}, {"model", -1},
	}
	for _, tt := range tests {
		if got := firmwareRank(tt.key); got != tt.want {
			t.Errorf("firmwareRank(%q) = %d, want %d", tt.key, got, tt.want)
		}
	}
}

// TestReaders checks that results do not depend on how the reader splits
// the input.
func TestReaders(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json*"))
	if len(files) < 4 {
		t.Fatalf("testdata: %v", files)
	}
	for _, f := range files {
		want, err := ParseFile(f)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := os.ReadFile(f)
		for name, r := range map[string]io.Reader{
			"one byte": iotest.OneByteReader(bytes.NewReader(data)),
			"half":     iotest.HalfReader(bytes.NewReader(data)),
			"data+EOF": iotest.DataErrReader(bytes.NewReader(data)),
		} {
			got, err := Parse(f, r)
			if err != nil {
				t.Fatalf("%s %s: %v", f, name, err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s %s (-want +got):\n%s", f, name, diff)
			}
		}
	}
	// A reader that never makes progress is an I/O error, not a hang.
	_, err := Parse("stuck", stuckReader{})
	if !errors.Is(err, io.ErrNoProgress) || errors.Is(err, ErrFormat) {
		t.Errorf("stuck reader: %v", err)
	}
}

type stuckReader struct{}

func (stuckReader) Read([]byte) (int, error) { return 0, nil }

func TestHostileFileName(t *testing.T) {
	_, err := Parse("evil\x1b[2J\n.json", strings.NewReader("{"))
	if err == nil || strings.ContainsAny(err.Error(), "\x1b\n") || !strings.Contains(err.Error(), `evil\x1b[2J\x0a.json`) {
		t.Errorf("file name not escaped: %q", err)
	}
}

func TestIOError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := Parse("x.json", iotest.ErrReader(boom))
	if !errors.Is(err, boom) || errors.Is(err, ErrFormat) || !strings.HasPrefix(err.Error(), "x.json: ") {
		t.Errorf("got %v", err)
	}
	// A failure in the middle of JSON lines.
	_, err = Parse("y.jsonl", &failAfter{data: []byte(`{"id":"a"}` + "\n" + `{"id":"b"}`), err: boom})
	if !errors.Is(err, boom) || errors.Is(err, ErrFormat) {
		t.Errorf("mid-stream: %v", err)
	}
	_, err = ParseFile(filepath.Join(t.TempDir(), "missing.json"))
	if err == nil || errors.Is(err, ErrFormat) {
		t.Errorf("missing file: %v", err)
	}
}

// failAfter returns data, then err.
type failAfter struct {
	data []byte
	err  error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}
