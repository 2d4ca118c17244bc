package oscal

import (
	"bytes"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
)

func exportedCatalog(t *testing.T, controls []*model.Control) []byte {
	t.Helper()
	doc := ExportCatalog(controls, CatalogOptions{Version: "1.0.0", Modified: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)})
	var buf bytes.Buffer
	if err := WriteCatalog(&buf, doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCatalogExportIsValidOSCAL(t *testing.T) {
	validateOSCAL(t, exportedCatalog(t, catalog.MustLoad().Controls))
}

// TestCatalogExportWithOverlayIsValidOSCAL covers the optional parts:
// organisation guidance and licensed official text.
func TestCatalogExportWithOverlayIsValidOSCAL(t *testing.T) {
	c := catalog.MustLoad()
	o, err := c.ParseOverlay("overlay.yaml", []byte(`source: test
controls:
  S15:
    clause: "7.1.2.15"
    official:
      title: Official heading
      control: Official control text
      purpose: Official purpose
      guidance: Official guidance
  S03:
    guidance:
      - role: ISP
        text: Our CMDB is the inventory of record; sync it nightly.
`))
	if err != nil {
		t.Fatal(err)
	}
	data := exportedCatalog(t, c.WithOverlay(o).Controls)
	validateOSCAL(t, data)
	got, err := ReadCatalog(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c.WithOverlay(o).Controls, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("overlay catalog round trip (-exported +read):\n%s", diff)
	}
}

func TestCatalogRoundTrip(t *testing.T) {
	want := catalog.MustLoad().Controls
	got, err := ReadCatalog(bytes.NewReader(exportedCatalog(t, want)))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 45 {
		t.Fatalf("read %d controls, want 45", len(got))
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("catalog round trip (-exported +read):\n%s", diff)
	}
}

func TestCatalogExportIsStable(t *testing.T) {
	controls := catalog.MustLoad().Controls
	if a, b := exportedCatalog(t, controls), exportedCatalog(t, controls); !bytes.Equal(a, b) {
		t.Error("two exports of the same catalog differ")
	}
}
