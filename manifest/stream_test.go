package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/model"
)

func loadWith(t *testing.T, devicesLine string, files map[string]string) *Loaded {
	t.Helper()
	all := map[string]string{FileName: base + devicesLine}
	for k, v := range files {
		all[k] = v
	}
	dir := writeFiles(t, all)
	l, err := Load(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

const jsonlInventory = "\ufeff" + `{"id":"d1","model":"cam","lifecycle":"active","ports":[{"port":443,"protocol":"tcp","service":"https","tls":true,"version":"","banner":"","admin":false,"authenticated":null}],"settings":{"telnet":false}}

  {"id":"d2","model":"sensor","lifecycle":"","location":"outdoor","last_seen":"2026-02-01T10:00:00Z","certificate":{"fingerprint":"ab","not_after":"2027-01-01","key_bits":256}}  ` + "\r\n" +
	`{"id":"d3","model":"sensor","clock_skew_seconds":-5,"tamper_events":2,"safety_critical":true}`

const csvInventory = "\ufeffID,Model,lifecycle,location,last_seen,certificate.fingerprint,certificate.not_after,certificate.key_bits,settings.telnet,settings.Camera,ports,clock_skew_seconds,safety_critical\n" +
	"d1,cam,active,,,,,,false,,443/tcp/https/tls;23/tcp/telnet/noauth/version=1.0,,\n" +
	"\n" +
	`d2,sensor,,outdoor,2026-02-01T10:00:00Z,ab,2027-01-01,256,,,,,` + "\r\n" +
	`d3,sensor,,,,,,,,yes,,-5,true` + "\n"

func wantInventory() []model.Device {
	no := false
	return []model.Device{
		{ID: "d1", Model: "cam", Lifecycle: model.Active, Settings: map[string]bool{"telnet": false},
			Ports: []model.Port{{Port: 443, Protocol: "tcp", Service: "https", TLS: true}}},
		{ID: "d2", Model: "sensor", Location: model.Outdoor, LastSeen: ts("2026-02-01T10:00:00Z"),
			Certificate: &model.Certificate{Fingerprint: "ab", NotAfter: ts("2027-01-01"), KeyBits: 256}},
		{ID: "d3", Model: "sensor", ClockSkewSeconds: -5, SafetyCritical: true},
		// CSV only: the extra port and setting below.
		{Ports: []model.Port{{Port: 23, Protocol: "tcp", Service: "telnet", Authenticated: &no, Version: "1.0"}}, Settings: map[string]bool{"Camera": true}},
	}
}

func TestStreamJSONL(t *testing.T) {
	l := loadWith(t, "devices: {file: devices.jsonl}\n", map[string]string{"devices.jsonl": jsonlInventory})
	if l.DevicesFile != "devices.jsonl" || l.DevicesFormat != "jsonl" {
		t.Errorf("DevicesFile %q format %q", l.DevicesFile, l.DevicesFormat)
	}
	want := wantInventory()[:3]
	want[2].TamperEvents = 2
	for pass := 1; pass <= 2; pass++ {
		if diff := cmpDiff(want, collect(t, l)); diff != "" {
			t.Errorf("pass %d (-want +got):\n%s", pass, diff)
		}
	}
}

func TestStreamCSV(t *testing.T) {
	l := loadWith(t, "devices: {file: devices.csv}\n", map[string]string{"devices.csv": csvInventory})
	w := wantInventory()
	want := w[:3]
	want[0].Ports = append(want[0].Ports, w[3].Ports...)
	want[2].Settings = w[3].Settings
	for pass := 1; pass <= 2; pass++ {
		if diff := cmpDiff(want, collect(t, l)); diff != "" {
			t.Errorf("pass %d (-want +got):\n%s", pass, diff)
		}
	}
}

func TestStreamFormatOverride(t *testing.T) {
	l := loadWith(t, "devices: {file: inventory.txt, format: csv}\n", map[string]string{"inventory.txt": "id,model\nd1,cam\n"})
	if n, err := l.Validate(context.Background()); n != 1 || err != nil {
		t.Fatalf("%d %v", n, err)
	}
}

// bigJSONL makes n valid device lines.
func bigJSONL(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, `{"id":"dev-%06d","model":"sensor","lifecycle":"active","last_seen":"2026-02-01T00:00:00Z"}`+"\n", i)
	}
	return b.String()
}

func TestStreamCountsAndCancel(t *testing.T) {
	const n = 5000
	l := loadWith(t, "devices: {file: devices.jsonl}\n", map[string]string{"devices.jsonl": bigJSONL(n)})
	got, err := l.Validate(context.Background())
	if err != nil || got != n {
		t.Fatalf("Validate: %d %v", got, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	seen := 0
	err = l.Inventory.Devices(ctx, func(d *model.Device) error {
		seen++
		if seen == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || seen >= n {
		t.Fatalf("after cancel: %v, %d devices", err, seen)
	}
	stop := errors.New("stop here")
	err = l.Inventory.Devices(context.Background(), func(*model.Device) error { return stop })
	if !errors.Is(err, stop) {
		t.Fatalf("fn error not passed through: %v", err)
	}
}

func TestStreamLongLine(t *testing.T) {
	long := `{"id":"d1","model":"cam","owner":"` + strings.Repeat("x", MaxLineSize) + `"}` + "\n"
	for _, tc := range []struct{ name, data string }{
		{"devices.jsonl", `{"id":"d0","model":"cam"}` + "\n" + long},
		{"devices.csv", "id,model,owner\nd0,cam,\nd1,cam,\"" + strings.Repeat("y", MaxLineSize+100) + "\"\n"},
		{"devices.csv", "id,model,owner\nd0,cam,\nd1,cam,\"" + strings.Repeat("unclosed quote\n", MaxLineSize/10)},
	} {
		l := loadWith(t, "devices: {file: "+tc.name+"}\n", map[string]string{tc.name: tc.data})
		_, err := l.Validate(context.Background())
		if !errors.Is(err, ErrInput) || !strings.Contains(err.Error(), "1 MiB limit") {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(err.Error()) > 400 {
			t.Errorf("%s: message too long (%d bytes)", tc.name, len(err.Error()))
		}
	}
}

func TestStreamErrors(t *testing.T) {
	rules := newDeviceRules(&model.Solution{Models: []model.DeviceModel{{ID: "cam"}, {ID: "sensor"}}})
	cases := []struct {
		format, data string
		want         string // error text
	}{
		{"jsonl", `{"id":"d1","model":"cam"} {"id":"d2"}`, "devices.jsonl:1:27: unexpected data after the device object"},
		{"jsonl", `["d1","cam"]`, `devices.jsonl:1:1: expected a JSON object`},
		{"jsonl", `{"id":"d1","model":"cam","ports":[{"port":"443"}]}`, `devices.jsonl:1: ports[0].port: expected a whole number, got the string "443"`},
		{"jsonl", `{"id":"d1","model":"cam","settings":{"telnet":"off"}}`, `devices.jsonl:1: settings.telnet: expected true or false, got the string "off"`},
		{"jsonl", `{"id":"d1","model":"cam","certificate":{"not_after":"soon"}}`, `devices.jsonl:1: certificate.not_after: "soon" is not a date`},
		{"jsonl", `{"id":"d1","model":"cam","certificate":{"keybits":1}}`, `devices.jsonl:1: certificate.keybits: unknown field "keybits" (did you mean key_bits?)`},
		{"jsonl", `{"id":"d1","model":"cam","lifecycle":7}`, `devices.jsonl:1: lifecycle: expected a string, got the number 7`},
		{"jsonl", `{"id":"d1","model":"cam"`, `devices.jsonl:1:24: invalid JSON: the object is not closed`},
		{"jsonl", `{"model":"cam"}`, `devices.jsonl:1: id: required`},
		{"jsonl", `{"id":"d1","model":"cam","ports":[{"port":70000}]}`, `devices.jsonl:1: ports[0].port: port 70000 is out of range`},
		{"csv", "id,model,id\n", `devices.csv:1:3: id: column "id" appears twice`},
		{"csv", "id,serial\n", `devices.csv:1: the header has no model column`},
		{"csv", "id,model,settings.\n", `devices.csv:1:3: settings.: settings column without a setting name`},
		{"csv", "id,model\nd1\n", `devices.csv:2:1: wrong number of cells`},
		{"csv", "id,model,wiped\nd1,cam,maybe\n", `devices.csv:2:8: wiped: expected true or false, got "maybe"`},
		{"csv", "id,model,tamper_events\nd1,cam,two\n", `devices.csv:2:8: tamper_events: expected a whole number, got "two"`},
		{"csv", "id,model,ports\nd1,cam,443/tcp/https/tsl\n", `devices.csv:2:8: ports: unknown port flag "tsl" in "443/tcp/https/tsl" (did you mean tls?)`},
		{"csv", "id,model,ports\nd1,cam,https\n", `devices.csv:2:8: ports: "https" is not a port`},
		{"csv", "id,model\nd1,ca\"m\n", `devices.csv:2:6: bare " in non-quoted-field`},
		{"csv", "id,model\nd1,\n", `devices.csv:2: model: required`},
	}
	for _, tc := range cases {
		name := "devices." + tc.format
		err := streamDevices(context.Background(), strings.NewReader(tc.data), name, tc.format, rules, idsFor([]byte(tc.data), name, tc.format, rules), func(int, *model.Device) error { return nil })
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%q:\n got %v\nwant %s...", tc.data, err, tc.want)
			continue
		}
		if !errors.Is(err, ErrInput) {
			t.Errorf("%q: not ErrInput", tc.data)
		}
	}
}

func TestEmptyTextToNull(t *testing.T) {
	cases := map[string]string{
		`{"id":"","lifecycle":""}`:                            `{"id":"","lifecycle":null}`,
		`{"lifecycle" : "" , "certificate":{"not_after":""}}`: `{"lifecycle" : null , "certificate":{"not_after":null}}`,
		`{"owner":"a:\"\"","location":""}`:                    `{"owner":"a:\"\"","location":null}`,
		`{"id":"x"}`:                                          `{"id":"x"}`,
	}
	for in, want := range cases {
		if got := string(emptyTextToNull([]byte(in))); got != want {
			t.Errorf("%s: got %s, want %s", in, got, want)
		}
	}
}

// idsFor is the duplicate-ID check of a stream over data, which it reads
// again to name the lines of a duplicate.
func idsFor(data []byte, name, format string, rules *deviceRules) *idSet {
	return newIDSet(func(fn func(int, *model.Device) error) error {
		return streamDevices(context.Background(), bytes.NewReader(data), name, format, rules, nil, fn)
	})
}

// A hash collision between two different IDs must not be reported as a
// duplicate: the stream is read again to confirm. Every ID hashes the same
// here, so every pair collides.
func TestIDSetConfirmsCollisions(t *testing.T) {
	rules := newDeviceRules(&model.Solution{Models: []model.DeviceModel{{ID: "cam"}}})
	for _, tc := range []struct {
		name, data, want string
	}{
		{"collisions only", `{"id":"a","model":"cam"}` + "\n" + `{"id":"b","model":"cam"}` + "\n" + `{"id":"c","model":"cam"}` + "\n", ""},
		{"a real duplicate among collisions", `{"id":"a","model":"cam"}` + "\n" + `{"id":"b","model":"cam"}` + "\n\n" + `{"id":"a","model":"cam"}` + "\n" + `{"id":"b","model":"cam"}` + "\n",
			`d.jsonl:4: id: duplicate device id "a": line 1 has it too`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ids := idsFor([]byte(tc.data), "d.jsonl", "jsonl", rules)
			ids.hash = func(string) uint64 { return 42 }
			err := streamDevices(context.Background(), strings.NewReader(tc.data), "d.jsonl", "jsonl", rules, ids, func(int, *model.Device) error { return nil })
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("collisions reported as a duplicate: %v", err)
			case tc.want != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.want)):
				t.Fatalf("got %v, want %s...", err, tc.want)
			}
		})
	}
}

// Past its memory, the set spills to disk and still names the first
// duplicate.
func TestIDSetSpills(t *testing.T) {
	defer func(n int) { idSetMemory = n }(idSetMemory)
	idSetMemory = 50
	rules := newDeviceRules(&model.Solution{Models: []model.DeviceModel{{ID: "sensor"}}})
	data := bigJSONL(1000)
	for _, tc := range []struct{ name, data, want string }{
		{"no duplicate", data, ""},
		{"duplicate", strings.Replace(data, `"dev-000900"`, `"dev-000017"`, 1), `duplicate device id "dev-000017": line 18 has it too`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := streamDevices(context.Background(), strings.NewReader(tc.data), "d.jsonl", "jsonl", rules,
				idsFor([]byte(tc.data), "d.jsonl", "jsonl", rules), func(int, *model.Device) error { return nil })
			if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
		})
	}
}

func BenchmarkJSONL(b *testing.B) {
	b.Run("rfc3339", func(b *testing.B) { benchJSONL(b, []byte(bigJSONL(10000))) })
	b.Run("dates", func(b *testing.B) {
		benchJSONL(b, []byte(strings.ReplaceAll(bigJSONL(10000), "T00:00:00Z", "")))
	})
}

func benchJSONL(b *testing.B, data []byte) {
	rules := newDeviceRules(&model.Solution{Models: []model.DeviceModel{{ID: "sensor"}}})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		err := streamDevices(context.Background(), bytes.NewReader(data), "b.jsonl", "jsonl", rules, idsFor(data, "b.jsonl", "jsonl", rules), func(int, *model.Device) error { return nil })
		if err != nil {
			b.Fatal(err)
		}
	}
}
