package strictyaml

import (
	"errors"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/model"
)

type inner struct {
	Port int  `yaml:"port"`
	TLS  bool `yaml:"tls"`
}

type doc struct {
	Name  string            `yaml:"name"`
	Items []inner           `yaml:"items"`
	Tags  map[string]inner  `yaml:"tags"`
	When  model.Timestamp   `yaml:"when"`
	State model.Lifecycle   `yaml:"state"`
	Extra map[string]string `yaml:"extra"`
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"unknown field with hint", "name: x\nitems:\n  - prot: 1\n", []string{"f.yaml:3:5:", "items[0].prot", `unknown field "prot" (did you mean port?)`}},
		{"wrong scalar type", "items:\n  - port: eighty\n", []string{"f.yaml:2:11:", "items[0].port", "expected a whole number"}},
		{"bool", "items:\n  - tls: yes please\n", []string{"items[0].tls", "expected true or false"}},
		{"list expected", "items: 3\n", []string{"f.yaml:1:8:", "expected a list"}},
		{"map values checked", "tags:\n  a:\n    port: x\n", []string{"tags.a.port", "expected a whole number"}},
		{"text unmarshaler positioned", "when: 2026-02-30\n", []string{"f.yaml:1:7:", "when", "is not a date"}},
		{"enum positioned", "state: retired\n", []string{"f.yaml:1:8:", "state", "provisioned, active"}},
		{"syntax error has line", "name: [\n", []string{"f.yaml:"}},
		{"duplicate key", "name: a\nname: b\n", []string{"f.yaml:2:", "already defined"}},
		{"empty", "", []string{"empty"}},
	}
	for _, tc := range tests {
		var d doc
		_, err := Decode("f.yaml", []byte(tc.in), &d)
		if err == nil {
			t.Errorf("%s: no error", tc.name)
			continue
		}
		var es Errors
		if !errors.As(err, &es) {
			t.Errorf("%s: error %T is not Errors", tc.name, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", tc.name, err, w)
			}
		}
	}
}

func TestDecodeAndPositions(t *testing.T) {
	var d doc
	p, err := Decode("f.yaml", []byte("name: x\nitems:\n  - port: 443\n    tls: true\nwhen: 2026-03-01\nstate: active\n"), &d)
	if err != nil {
		t.Fatal(err)
	}
	if d.Items[0].Port != 443 || !d.Items[0].TLS || d.When.String() != "2026-03-01" || d.State != model.Active {
		t.Errorf("decoded %+v", d)
	}
	if line, _ := p.Pos("items[0].tls"); line != 4 {
		t.Errorf("items[0].tls at line %d, want 4", line)
	}
	// Unrecorded paths fall back to the nearest parent.
	if line, _ := p.Pos("items[0].nothing"); line != 3 {
		t.Errorf("fallback line %d, want 3", line)
	}
	e := p.Errorf("items[0].port", "port %d is closed", 443)
	if e.Error() != "f.yaml:3:5: items[0].port: port 443 is closed" {
		t.Errorf("Errorf = %q", e)
	}
}

func TestErrorCountIsBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("items:\n")
	for i := 0; i < 100; i++ {
		b.WriteString("  - bad: 1\n")
	}
	var d doc
	_, err := Decode("f.yaml", []byte(b.String()), &d)
	var es Errors
	if !errors.As(err, &es) || len(es) != MaxErrors {
		t.Errorf("got %d errors, want %d", len(es), MaxErrors)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte("name: x\nitems:\n  - port: 443\n"))
	f.Add([]byte("tags: {a: {port: 1}}\nwhen: 2026-01-01\n"))
	f.Add([]byte("&a [*a]"))
	f.Fuzz(func(t *testing.T, data []byte) {
		var d doc
		_, err := Decode("fuzz.yaml", data, &d)
		if err != nil && err.Error() == "" {
			t.Error("empty error message")
		}
	})
}
