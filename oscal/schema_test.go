package oscal

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/iotguard/iotguard/internal/fixtures"
)

var (
	schemaOnce sync.Once
	schema     *jsonschema.Schema
	schemaErr  error
)

// oscalSchema compiles the NIST OSCAL complete JSON schema (draft-07) from
// the shared fixtures. It skips the test where the fixtures are absent (and
// fails under CI=true).
func oscalSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	path := fixtures.Path(t, "oscal", "oscal_complete_schema-1-2-2.json")
	schemaOnce.Do(func() {
		f, err := os.Open(path)
		if err != nil {
			schemaErr = err
			return
		}
		defer f.Close()
		doc, err := jsonschema.UnmarshalJSON(f)
		if err != nil {
			schemaErr = err
			return
		}
		abs, _ := filepath.Abs(path)
		c := jsonschema.NewCompiler()
		if schemaErr = c.AddResource(abs, doc); schemaErr != nil {
			return
		}
		schema, schemaErr = c.Compile(abs)
	})
	if schemaErr != nil {
		t.Fatalf("OSCAL schema: %v", schemaErr)
	}
	return schema
}

// validateOSCAL validates a JSON document against the OSCAL schema.
func validateOSCAL(t *testing.T, data []byte) {
	t.Helper()
	sch := oscalSchema(t)
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("document is not JSON: %v", err)
	}
	if err := sch.Validate(inst); err != nil {
		t.Fatalf("document is not valid OSCAL:\n%v", err)
	}
}
