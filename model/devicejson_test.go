package model

// go test ./model -run=^$ -fuzz=FuzzDecodeDeviceJSON -fuzztime=60s
// Seeds live in testdata/fuzz/FuzzDecodeDeviceJSON/.

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// FuzzDecodeDeviceJSON checks that the fast path never accepts what
// encoding/json with DisallowUnknownFields rejects, and never reads
// something else. (manifest has the same test against its own reader,
// which also reads an empty enum as unset.)
func FuzzDecodeDeviceJSON(f *testing.F) {
	f.Add([]byte(`{"id":"cam-1","model":"cam","lifecycle":"active","last_seen":"2026-02-01T10:00:00Z","certificate":{"key_type":"rsa","key_bits":2048,"trusted":true},"settings":{"telnet":false},"ports":[{"port":443,"protocol":"tcp","service":"https","tls":true,"tls_versions":["1.2"]}]}`))
	f.Add([]byte(`{"id":"a-device-id-longer-than-eight","certificate":null,"ports":[{"port":1,"authenticated":null,"tls_versions":null}],"settings":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var fast Device
		if !DecodeDeviceJSON(b, &fast) {
			return
		}
		var want Device
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("fast path accepted what encoding/json rejects (%v): %s", err, b)
		}
		if dec.More() {
			t.Fatalf("fast path accepted trailing data: %s", b)
		}
		if diff := cmp.Diff(want, fast); diff != "" {
			t.Fatalf("fast path differs from encoding/json (-want +fast):\n%s\ninput: %s", diff, b)
		}
		// Transient decoding, into a decoder that decoded another device
		// first, gives the same device.
		var dd DeviceDecoder
		var other, transient Device
		dd.Decode([]byte(`{"id":"other","settings":{"x":true},"ports":[{"port":1,"authenticated":true,"tls_versions":["1.0"],"weak_ciphers":["RC4"]}],"certificate":{"subject":"s","trusted":false}}`), &other)
		if !dd.Decode(b, &transient) {
			t.Fatalf("transient decoding refused what the fast path took: %s", b)
		}
		if diff := cmp.Diff(want, transient); diff != "" {
			t.Fatalf("transient decoding differs from encoding/json (-want +transient):\n%s\ninput: %s", diff, b)
		}
	})
}
