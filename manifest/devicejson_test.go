package manifest

// The fast device decoder (model.DecodeDeviceJSON) must never disagree
// with the strict encoding/json path it short-cuts: where it accepts a
// line, the strict path accepts it too and gives the same device.
//
//	go test ./manifest -run=^$ -fuzz=FuzzDecodeDeviceJSON -fuzztime=60s

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/fleetgen"
	"github.com/iotguard/iotguard/model"
)

// strictDevice decodes b the slow way, as a bad line is decoded.
func strictDevice(b []byte) (model.Device, error) {
	var d model.Device
	var rd bytes.Reader
	err := decodeDeviceStrict("fuzz.jsonl", 1, b, &d, &rd)
	return d, err
}

// sameAsStrict fails when the fast path accepted b but the strict path
// rejects it or reads something else.
func sameAsStrict(t *testing.T, b []byte) (fast bool) {
	t.Helper()
	var d model.Device
	if !model.DecodeDeviceJSON(b, &d) {
		return false
	}
	want, err := strictDevice(b)
	if err != nil {
		t.Fatalf("fast path accepted what the strict path rejects (%v):\n%s", err, b)
	}
	if diff := cmp.Diff(want, d); diff != "" {
		t.Fatalf("fast path differs from the strict path (-strict +fast):\n%s\ninput: %s", diff, b)
	}
	return true
}

func FuzzDecodeDeviceJSON(f *testing.F) {
	g, err := fleetgen.New(fleetgen.Options{Devices: 200, Seed: 7, Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		f.Fatal(err)
	}
	for _, i := range []int{0, 1, 17, 99, 150} {
		b, err := json.Marshal(g.Device(i))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":"a","model":"m","lifecycle":"","settings":{"telnet":true,"telnet":false},"ports":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		sameAsStrict(t, b)
	})
}

// TestDecodeDeviceJSONEveryField sets every field of a device, its
// certificate and its ports, so that a field added to the model and not
// to the fast path fails here instead of silently taking the slow path.
func TestDecodeDeviceJSONEveryField(t *testing.T) {
	var d model.Device
	fill(t, reflect.ValueOf(&d).Elem(), "device")
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	if !sameAsStrict(t, b) {
		t.Fatalf("the fast path does not read a device with every field set; add the missing field to model/devicejson.go:\n%s", b)
	}
}

// fill gives every field of v a non-zero value the model accepts.
func fill(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch x := v.Addr().Interface().(type) {
	case *model.Timestamp:
		*x = model.Timestamp{Time: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC)}
		return
	case *model.Lifecycle:
		*x = model.LifecycleStates[1]
		return
	case *model.LocationClass:
		return // set by the caller's enum table below
	}
	switch v.Kind() {
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			fill(t, v.Field(i), path+"."+v.Type().Field(i).Name)
		}
	case reflect.String:
		if tu, ok := v.Addr().Interface().(interface{ UnmarshalText([]byte) error }); ok {
			for _, c := range enumCandidates {
				if tu.UnmarshalText([]byte(c)) == nil {
					return
				}
			}
			t.Fatalf("%s: no candidate value is valid for %s", path, v.Type())
		}
		v.SetString("x-" + path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int:
		v.SetInt(-42)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), path)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		fill(t, v.Index(0), path+"[0]")
		fill(t, v.Index(1), path+"[1]")
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(reflect.ValueOf("telnet"), reflect.ValueOf(true))
		v.SetMapIndex(reflect.ValueOf("camera"), reflect.ValueOf(false))
	default:
		t.Fatalf("%s: fill does not know %s", path, v.Kind())
	}
}

// enumCandidates hold one valid value of each enum a device holds.
var enumCandidates = []string{"active", "outdoor", "unique", "1.2", "high", "pass"}

func TestDecodeDeviceJSONCases(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		fast bool // whether the fast path takes it
	}{
		{"plain", `{"id":"d1","model":"cam","firmware":"1.0"}`, true},
		{"spaces", " {\t\"id\" : \"d1\" ,\r\n \"model\":\"cam\" } ", true},
		{"empty object", `{}`, true},
		{"unicode", `{"id":"capteur-été","owner":"Zoë"}`, true},
		{"empty date is unset", `{"id":"d","last_seen":"","certificate":{"not_after":""}}`, true},
		{"empty enum", `{"id":"d","lifecycle":""}`, false},
		{"ports and settings", `{"id":"d","ports":[{"port":23,"protocol":"tcp","service":"telnet","tls":false,"authenticated":true,"tls_versions":["TLS1.2","1.3"],"weak_ciphers":[]}],"settings":{"telnet":true}}`, true},
		{"empty lists", `{"id":"d","ports":[]}`, true},
		{"negative int", `{"id":"d","clock_skew_seconds":-30}`, true},
		{"null where it means nil", `{"id":"d","certificate":null,"settings":null,"ports":null}`, true},
		{"null in a port", `{"id":"d","ports":[{"port":1,"authenticated":null,"tls_versions":null,"weak_ciphers":null}],"certificate":{"trusted":null}}`, true},
		{"long strings", `{"id":"a-device-id-longer-than-eight","owner":"Zoë Ångström and more text","certificate":{"subject":"CN=x,O=y"}}`, true},
		// Left to encoding/json: these take the slow path.
		{"escape", `{"id":"d\u00e9"}`, false},
		{"null string", `{"id":null}`, false},
		{"null int", `{"id":"d","tamper_events":null}`, false},
		{"nullx", `{"id":"d","certificate":nullx}`, false},
		{"escape after eight", `{"id":"abcdefghijk\u00e9"}`, false},
		{"control after eight", "{\"id\":\"abcdefghijk\x01\"}", false},
		{"invalid utf-8 after eight", "{\"id\":\"abcdefghijk\xff\"}", false},
		{"other case", `{"ID":"d"}`, false},
		{"duplicate", `{"id":"a","id":"b"}`, false},
		{"float", `{"id":"d","tamper_events":1.0}`, false},
		{"exponent", `{"id":"d","tamper_events":1e2}`, false},
		{"leading zero", `{"id":"d","tamper_events":01}`, false},
		{"huge int", `{"id":"d","tamper_events":123456789012345678901}`, false},
		{"bad enum", `{"id":"d","lifecycle":"zombie"}`, false},
		{"bad date", `{"id":"d","last_seen":"yesterday"}`, false},
		{"unknown field", `{"id":"d","colour":"red"}`, false},
		{"trailing data", `{"id":"d"} {}`, false},
		{"trailing comma", `{"id":"d",}`, false},
		{"unclosed", `{"id":"d"`, false},
		{"invalid utf-8", "{\"id\":\"d\xff\"}", false},
		{"control character", "{\"id\":\"d\x01\"}", false},
		{"bool as string", `{"id":"d","wiped":"true"}`, false},
		{"truex", `{"id":"d","wiped":truex}`, false},
		{"array", `[]`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameAsStrict(t, []byte(tc.in)); got != tc.fast {
				t.Errorf("fast path took it: %v, want %v", got, tc.fast)
			}
		})
	}
}
