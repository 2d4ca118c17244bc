package rules

import (
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary packs to the loader: it must return a set or
// positioned errors, never panic, and every error must name the file.
func FuzzLoad(f *testing.F) {
	f.Add([]byte("rules:" + okRule))
	f.Add([]byte("rules:\n  - id: a\n    title: x\n    controls: [S01]\n    severity: low\n    scope: device\n    expression: |\n      device.zone ==\n    remediation: x\n"))
	f.Add([]byte("rules:\n  - id: a\n    message: \"{{device.id\\\"}}\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<14 {
			return
		}
		set, err := Parse("fuzz.yaml", data, Options{})
		if err != nil {
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		set.Test()
	})
}
