package server

// go test ./server -run=^$ -fuzz=FuzzImportDevices -fuzztime=60s
// Seeds live in testdata/fuzz/FuzzImportDevices/.

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzImportDevices feeds arbitrary bodies to the device import decoder,
// as JSON lines and as CSV: it must never panic, must stop, and every
// error must be a short, printable message (it is returned to the
// client in the API's error object).
func FuzzImportDevices(f *testing.F) {
	f.Add([]byte(`{"id":"d1","model":"cam","lifecycle":"active"}`+"\n"+`{"id":"d2","model":"cam","ports":[{"port":23,"protocol":"tcp","service":"telnet"}]}`), false)
	f.Add([]byte("id,model,lifecycle,certificate.not_after,settings.telnet\nd1,cam,active,2027-01-01,true\n"), true)
	f.Add([]byte("{\"id\":\"d\\u0000\"}\n{\"ID\":\"x\"}\n"), false)
	f.Fuzz(func(t *testing.T, body []byte, csv bool) {
		format := "jsonl"
		if csv {
			format = "csv"
		}
		dec, err := newDeviceDecoder(bytes.NewReader(body), format)
		if err != nil {
			checkImportMessage(t, err)
			return
		}
		for n := 0; ; n++ {
			if n > len(body)+1 {
				t.Fatalf("decoder yielded %d devices from %d bytes: it does not stop", n, len(body))
			}
			d, ok, err := dec.next()
			if err != nil {
				checkImportMessage(t, err)
				return
			}
			if !ok {
				break
			}
			if d.ID == "" || len(d.ID) > maxDeviceID {
				t.Fatalf("accepted a device with ID %q", d.ID)
			}
		}
		if dec.err != nil {
			checkImportMessage(t, dec.err)
		}
	})
}

func checkImportMessage(t *testing.T, err error) {
	t.Helper()
	msg := err.Error()
	if len(msg) > 2000 || !utf8.ValidString(msg) || strings.ContainsAny(msg, "\x00\x1b") {
		t.Fatalf("unsafe import error (%d bytes): %q", len(msg), msg)
	}
}
