package mud

import (
	"bytes"
	"regexp"
	"testing"

	"github.com/iotguard/iotguard/model"
)

var specRE = regexp.MustCompile(`^(!?[0-9]{1,5}|[0-9]{1,5}-[0-9]{1,5})$`)

// FuzzParse: Parse never panics, and what it accepts is usable: every
// entry has a known action, every port spec is readable, and Allows
// answers for it without panicking.
func FuzzParse(f *testing.F) {
	f.Add([]byte(baseDoc))
	f.Add([]byte(`{"ietf-mud:mud":{"mud-version":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("fuzz.json", bytes.NewReader(data))
		if err != nil {
			if p != nil {
				t.Fatal("profile returned with an error")
			}
			return
		}
		for _, acl := range p.ACLs {
			for _, ace := range acl.ACEs {
				switch ace.Action {
				case "accept", "drop", "reject":
				default:
					t.Fatalf("entry %q has action %q", ace.Name, ace.Action)
				}
				for _, spec := range []string{ace.SrcPort, ace.DstPort} {
					if spec != "" && !specRE.MatchString(spec) {
						t.Fatalf("unreadable port spec %q", spec)
					}
				}
				for _, h := range []string{ace.Host, "192.168.0.1", model.MUDHostLocalNetworks, ""} {
					p.Allows(FromDevice, h, ace.Protocol, 443)
					p.Allows(ToDevice, h, 0, 0)
				}
			}
		}
	})
}
