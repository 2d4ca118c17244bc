package oscal

import (
	"bytes"
	"testing"

	"github.com/iotguard/iotguard/catalog"
)

// FuzzReadCatalog: reading an OSCAL catalog never panics, and whatever it
// accepts has a label on every control.
func FuzzReadCatalog(f *testing.F) {
	var buf bytes.Buffer
	WriteCatalog(&buf, ExportCatalog(catalog.MustLoad().Controls[:2], CatalogOptions{}))
	f.Add(buf.Bytes())
	f.Add([]byte(`{"catalog":{"groups":[{"controls":[{"id":"x","title":"t"}]}]}}`))
	f.Add([]byte(`{"catalog":{"groups":[{"controls":[{"id":"x","title":"t","props":[{"name":"label","value":"S01"}],"links":[{"href":"#nowhere"}]}]}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		controls, err := ReadCatalog(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, c := range controls {
			if c.ID == "" {
				t.Fatal("accepted a control without a label")
			}
		}
	})
}
