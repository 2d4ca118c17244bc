package catalog

import "testing"

// FuzzParseOverlay feeds arbitrary bytes to the overlay parser: it must
// return an overlay or an error, never panic, and never change the catalog.
func FuzzParseOverlay(f *testing.F) {
	c := MustLoad()
	f.Add([]byte("controls:\n  S15:\n    clause: \"7.1.2.15\"\n"))
	f.Add([]byte("source: x\ncontrols:\n  S03:\n    guidance:\n      - role: ISP\n        text: t\n"))
	f.Add([]byte("controls: {P07: {references: [{framework: etsi, id: \"5.1-1\", relation: equivalent}]}}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := c.ParseOverlay("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Error("empty error message")
			}
			return
		}
		oc := c.WithOverlay(o)
		if len(oc.Controls) != 45 {
			t.Fatalf("overlay changed the number of controls to %d", len(oc.Controls))
		}
		if c.Control("S15").Clause != "" {
			t.Fatal("overlay changed the shared catalog")
		}
	})
}
