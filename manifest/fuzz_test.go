package manifest

// Fuzz tests: go test ./manifest -run=^$ -fuzz=FuzzParse -fuzztime=30s
// (likewise FuzzJSONL, FuzzCSV). Seeds live in testdata/fuzz/<FuzzName>/.

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/model"
)

// checkMessage fails when an input error is not safe to print.
func checkMessage(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrInput) {
		t.Fatalf("error is not an input error: %T %v", err, err)
	}
	var ie *InputError
	if !errors.As(err, &ie) || len(ie.Problems) == 0 {
		t.Fatalf("error is not an *InputError with problems: %v", err)
	}
	for _, p := range ie.Problems {
		if s := p.Error(); strings.ContainsAny(s, "\x00\x1b\r\n") || len(s) > 4000 {
			t.Fatalf("unsafe message (%d bytes): %q", len(s), s)
		}
	}
}

func FuzzParse(f *testing.F) {
	f.Add(Starter())
	f.Add([]byte(base))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, name := range []string{"fuzz.yaml", "fuzz.json"} {
			l, err := Parse(name, data)
			if err != nil {
				checkMessage(t, err)
				continue
			}
			if l.DevicesFile != "" {
				continue
			}
			var devs []model.Device
			if err := l.Inventory.Devices(context.Background(), func(d *model.Device) error {
				devs = append(devs, *d)
				return nil
			}); err != nil {
				t.Fatalf("inline devices failed to stream after a clean load: %v", err)
			}
			// What loads writes back to a manifest that loads the same.
			out, err := render(l.Solution, devs, WriteOptions{})
			if err != nil {
				t.Fatalf("render: %v", err)
			}
			l2, err := Parse("fuzz.yaml", out)
			if err != nil {
				t.Fatalf("written manifest does not load: %v\n%s", err, out)
			}
			if diff := cmpDiff(l.Solution, l2.Solution); diff != "" {
				t.Fatalf("round trip changed the solution (-loaded +reloaded):\n%s\n%s", diff, out)
			}
			var devs2 []model.Device
			if err := l2.Inventory.Devices(context.Background(), func(d *model.Device) error {
				devs2 = append(devs2, *d)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if diff := cmpDiff(devs, devs2); diff != "" {
				t.Fatalf("round trip changed the devices:\n%s", diff)
			}
		}
	})
}

var fuzzRules = newDeviceRules(&model.Solution{Models: []model.DeviceModel{{ID: "cam"}, {ID: "sensor"}}})

// streamAll streams data and returns the devices (copied) or the error.
func streamAll(format string, data []byte) ([]model.Device, error) {
	var out []model.Device
	err := streamDevices(context.Background(), bytes.NewReader(data), "fuzz."+format, format, fuzzRules, idsFor(data, "fuzz."+format, format, fuzzRules),
		func(_ int, d *model.Device) error {
			out = append(out, *d)
			return nil
		})
	return out, err
}

func fuzzStream(t *testing.T, format string, data []byte) []model.Device {
	devs, err := streamAll(format, data)
	if err != nil {
		checkMessage(t, err)
		return nil
	}
	again, err := streamAll(format, data)
	if err != nil {
		t.Fatalf("second pass failed: %v", err)
	}
	if diff := cmpDiff(devs, again); diff != "" {
		t.Fatalf("second pass differs:\n%s", diff)
	}
	return devs
}

func FuzzJSONL(f *testing.F) {
	f.Add([]byte(jsonlInventory))
	f.Fuzz(func(t *testing.T, data []byte) {
		devs := fuzzStream(t, "jsonl", data)
		if devs == nil {
			return
		}
		// What streams writes back to JSON lines that stream the same.
		var buf bytes.Buffer
		if err := WriteJSONL(&buf, devs); err != nil {
			t.Fatal(err)
		}
		again, err := streamAll("jsonl", buf.Bytes())
		if err != nil {
			t.Fatalf("written JSON lines do not stream: %v\n%s", err, buf.Bytes())
		}
		if diff := cmpDiff(devs, again); diff != "" {
			t.Fatalf("JSONL round trip differs:\n%s", diff)
		}
	})
}

func FuzzCSV(f *testing.F) {
	f.Add([]byte(csvInventory))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzStream(t, "csv", data)
	})
}
