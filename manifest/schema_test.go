package manifest

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema()))
	if err != nil {
		t.Fatalf("schema is not JSON: %v", err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("iotguard.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("iotguard.schema.json")
	if err != nil {
		t.Fatalf("schema does not compile: %v", err)
	}
	return sch
}

// yamlInstance converts YAML to the JSON value an editor validates, as a
// YAML 1.2 language server sees it (dates are strings).
func yamlInstance(t *testing.T, data []byte) any {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		t.Fatal(err)
	}
	v := nodeValue(t, &n)
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return inst
}

func nodeValue(t *testing.T, n *yaml.Node) any {
	switch n.Kind {
	case yaml.DocumentNode:
		return nodeValue(t, n.Content[0])
	case yaml.AliasNode:
		return nodeValue(t, n.Alias)
	case yaml.MappingNode:
		m := map[string]any{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(t, n.Content[i+1])
		}
		return m
	case yaml.SequenceNode:
		s := []any{}
		for _, c := range n.Content {
			s = append(s, nodeValue(t, c))
		}
		return s
	}
	switch n.Tag {
	case "!!int":
		v, err := strconv.ParseInt(n.Value, 0, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	case "!!float":
		v, err := strconv.ParseFloat(n.Value, 64)
		if err != nil {
			t.Fatal(err)
		}
		return v
	case "!!bool":
		return n.Value == "true"
	case "!!null":
		return nil
	}
	return n.Value
}

func TestSchemaValidatesStarterAndFullExample(t *testing.T) {
	sch := compileSchema(t)
	if err := sch.Validate(yamlInstance(t, Starter())); err != nil {
		t.Errorf("starter does not validate: %v", err)
	}
	full, err := render(fullSolution(), fullDevices(), WriteOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(yamlInstance(t, full)); err != nil {
		t.Errorf("full example does not validate: %v\n%s", err, full)
	}
	side, err := render(fullSolution(), nil, WriteOptions{DevicesFile: "devices.jsonl"})
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(yamlInstance(t, side)); err != nil {
		t.Errorf("side-file example does not validate: %v", err)
	}
	// Spellings the loader accepts validate too.
	ok := base + "$schema: ./iotguard.schema.json\npolicy: {min_tls: 1.2}\nservices:\n  - {id: api, tls: TLS1.3}\ndevices: {file: d.csv, format: csv}\n"
	if err := sch.Validate(yamlInstance(t, []byte(strings.Replace(ok, "services:\n  - id: broker\n", "", 1)))); err != nil {
		t.Errorf("accepted spellings do not validate: %v", err)
	}
}

func TestSchemaRejects(t *testing.T) {
	sch := compileSchema(t)
	for name, doc := range map[string]string{
		"unknown field":          base + "atestations: []\n",
		"unknown nested field":   strings.Replace(base, "vendor: X", "vendr: X", 1),
		"missing version":        strings.Replace(base, "version: 1\n", "", 1),
		"wrong version":          strings.Replace(base, "version: 1", "version: 2", 1),
		"wrong type":             base + "policy: {stale_device_days: ninety}\n",
		"negative policy":        base + "policy: {min_rsa_bits: -1}\n",
		"bad lifecycle":          base + "devices: [{id: d1, model: cam, lifecycle: retired}]\n",
		"device without model":   base + "devices: [{id: d1}]\n",
		"bad role":               strings.Replace(base, "  name: ACME\n", "  name: ACME\n  roles: {isp: {name: x}}\n", 1),
		"unknown control":        base + "attestations: [{control: S29, status: implemented}]\n",
		"not-assessed":           base + "attestations: [{control: S01, status: not-assessed}]\n",
		"bad date":               base + "attestations: [{control: S01, status: implemented, date: 1st of May}]\n",
		"escaping evidence":      base + "attestations: [{control: S01, status: implemented, evidence: [{path: ../x.pdf}]}]\n",
		"bad sha256":             base + "attestations: [{control: S01, status: implemented, evidence: [{path: x.pdf, sha256: abc}]}]\n",
		"side file unknown key":  base + "devices: {flie: d.jsonl}\n",
		"side file wrong format": base + "devices: {file: d.jsonl, format: xml}\n",
		"bad flow reference":     base + "flows: [{id: f, source: cam, destination: zone:iot}]\n",
		"bad tls":                base + "policy: {min_tls: 1.4}\n",
	} {
		if err := sch.Validate(yamlInstance(t, []byte(doc))); err == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

func TestSchemaShape(t *testing.T) {
	var s map[string]any
	if err := json.Unmarshal(Schema(), &s); err != nil {
		t.Fatal(err)
	}
	if s["$schema"] != "https://json-schema.org/draft/2020-12/schema" || s["additionalProperties"] != false {
		t.Errorf("header: %v %v", s["$schema"], s["additionalProperties"])
	}
	defs := s["$defs"].(map[string]any)
	for _, name := range []string{"Device", "DeviceModel", "Service", "Network", "DataFlow", "Policy", "Attestation", "EvidenceFile", "DevicesFile", "Certificate", "Port"} {
		if _, ok := defs[name]; !ok {
			t.Errorf("$defs lacks %s", name)
		}
	}
	if !bytes.Equal(Schema(), Schema()) {
		t.Error("Schema is not deterministic")
	}
}
