package sbom

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

func stringsReader(s string) io.Reader { return strings.NewReader(s) }

const cdxHead = `{"bomFormat":"CycloneDX","specVersion":"1.6",`

func TestErrors(t *testing.T) {
	gateway, err := os.ReadFile(filepath.Join("testdata", "gateway-fw-1.6.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	gatewayXML, err := os.ReadFile(filepath.Join("testdata", "gateway-fw-1.6.cdx.xml"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		in   string
		want []string // substrings of the message
		line int      // 0: not checked
		path string
	}{
		{name: "empty", in: "", want: []string{"not a recognised SBOM"}},
		{name: "plain text", in: "hello world\n", want: []string{"not a recognised SBOM", "CycloneDX JSON or XML", "SPDX"}},
		{name: "truncated JSON", in: string(gateway[:300]), want: []string{"truncated JSON"}, line: 10},
		{name: "JSON syntax", in: cdxHead + "\n\"components\":[\n{\"name\":\"a\",}]}", want: []string{"malformed JSON", "invalid character"}, line: 3},
		{name: "top-level array", in: `[{"bomFormat":"CycloneDX"}]`, want: []string{"expected an object at the top level, found array"}},
		{name: "name is a number", in: cdxHead + `"components":[{"name":"a"},{"name":"b","components":[{"name":5}]}]}`,
			want: []string{"expected a string, found number"}, path: "components.components.name"},
		{name: "components is an object", in: cdxHead + `"components":{"name":"a"}}`,
			want: []string{"expected an array, found object"}, path: "components"},
		{name: "hashes of wrong type", in: cdxHead + `"components":[{"name":"a","hashes":"sha"}]}`,
			want: []string{"expected an array, found string"}, path: "components.hashes"},
		{name: "CycloneDX 2.0", in: `{"bomFormat":"CycloneDX","specVersion":"2.0"}`,
			want: []string{`CycloneDX "2.0" is not supported`, "1.2, 1.3, 1.4, 1.5 and 1.6"}, path: "specVersion"},
		{name: "CycloneDX 1.1", in: `{"bomFormat":"CycloneDX","specVersion":"1.1"}`, want: []string{`CycloneDX "1.1" is not supported`}},
		{name: "specVersion number", in: `{"bomFormat":"CycloneDX","specVersion":1.6}`, want: []string{`expected a string such as "1.6", found a number`}},
		{name: "specVersion missing", in: `{"bomFormat":"CycloneDX","components":[]}`, want: []string{"missing"}, path: "specVersion"},
		{name: "bomFormat wrong", in: `{"bomFormat":"SPDX","specVersion":"1.6"}`, want: []string{`expected "CycloneDX", found "SPDX"`}, path: "bomFormat"},
		{name: "bomFormat missing", in: `{"specVersion":"1.6","components":[]}`, want: []string{`"bomFormat": "CycloneDX"`}, path: "bomFormat"},
		{name: "SPDX 3.0", in: `{"spdxVersion":"SPDX-3.0"}`, want: []string{`SPDX version "SPDX-3.0" is not supported`, "SPDX-2.2 and SPDX-2.3"}},
		{name: "SPDX 2.1 JSON", in: `{"spdxVersion":"SPDX-2.1"}`, want: []string{`"SPDX-2.1" is not supported`}},
		{name: "SPDX 3 JSON-LD", in: `{"@context":"https://spdx.org/rdf/3.0.1/spdx-context.jsonld","@graph":[]}`, want: []string{"SPDX 3 (JSON-LD) is not supported"}},
		{name: "other JSON", in: `{"version":"2.1.0","runs":[]}`, want: []string{"neither CycloneDX", "nor SPDX"}},
		{name: "component without name", in: cdxHead + `"components":[{"type":"library","name":"a"},{"type":"library","version":"1"}]}`,
			want: []string{"a component needs a name"}, path: "components[1]"},
		{name: "nested component without name", in: cdxHead + `"components":[{"type":"library","name":"a","components":[{"type":"library"}]}]}`,
			want: []string{"a component needs a name"}, path: "components[0].components[0]"},
		{name: "bad end-of-support date", in: cdxHead + `"components":[{"name":"a","properties":[{"name":"x","value":"y"},{"name":"cdx:lifecycle:milestone:endOfSupport","value":"next year"}]}]}`,
			want: []string{`"next year" is not a date`}, path: "components[0].properties[1] (cdx:lifecycle:milestone:endOfSupport)"},
		{name: "VEX without id", in: cdxHead + `"vulnerabilities":[{"analysis":{"state":"not_affected"}}]}`,
			want: []string{"needs an id"}, path: "vulnerabilities[0]"},
		{name: "SPDX package without name", in: `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a"}]}`,
			want: []string{"a package needs a name"}, path: "packages[0]"},
		{name: "SPDX package without SPDXID", in: `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"name":"a"}]}`,
			want: []string{`package "a" needs an SPDXID`}, path: "packages[0]"},
		{name: "SPDX bad SPDXID", in: `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"pkg-a","name":"a"}]}`,
			want: []string{"failed to parse", "pkg-a"}},
		{name: "SPDX bad validUntilDate", in: `{"spdxVersion":"SPDX-2.3","SPDXID":"SPDXRef-DOCUMENT","packages":[{"SPDXID":"SPDXRef-a","name":"a","validUntilDate":"soon"}]}`,
			want: []string{`"soon" is not a date`}, path: "packages[0].validUntilDate"},
		{name: "truncated XML", in: string(gatewayXML[:900]), want: []string{"truncated XML"}, line: 21},
		{name: "XML wrong namespace version", in: `<bom xmlns="http://cyclonedx.org/schema/bom/1.1" version="1"/>`, want: []string{`CycloneDX "1.1" is not supported`}, line: 1},
		{name: "XML without namespace", in: `<?xml version="1.0"?>` + "\n" + `<bom version="1"/>`, want: []string{"the XML root is <bom>, not a CycloneDX <bom>"}, line: 2},
		{name: "SPDX RDF", in: `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"></rdf:RDF>`, want: []string{"SPDX RDF/XML is not supported"}},
		{name: "XML only a prolog", in: `<?xml version="1.0"?><!-- nothing -->`, want: []string{"without a root element"}},
		{name: "XML Latin-1", in: `<?xml version="1.0" encoding="ISO-8859-1"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6"/>`, want: []string{`opening charset "ISO-8859-1": not supported, save the SBOM as UTF-8`}},
		{name: "XML external entity", in: `<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library"><name>&xxe;</name></component></components></bom>`,
			want: []string{"malformed XML", "invalid character entity &xxe;"}, line: 3},
		{name: "XML entity expansion", in: `<?xml version="1.0"?>
<!DOCTYPE bom [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library"><name>&b;</name></component></components></bom>`,
			want: []string{"invalid character entity &b;"}},
		{name: "XML unknown licence element", in: `<bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"><components><component type="library"><name>a</name><licenses><foo/></licenses></component></components></bom>`,
			want: []string{"unknown element: foo"}, line: 1},
		{name: "tag-value SPDX 2.1", in: "# c\nSPDXVersion: SPDX-2.1\nDataLicense: CC0-1.0\n", want: []string{`"SPDX-2.1" is not supported`}, line: 2, path: "SPDXVersion"},
		{name: "tag-value without colon", in: "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n\nthis line has none\n", want: []string{`expected "Tag: value"`}, line: 4},
		{name: "tag-value unclosed text", in: "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nDocumentComment: <text>starts\nand never ends\n", want: []string{"never closed"}, line: 3, path: "DocumentComment"},
		{name: "tag-value bad supplier", in: "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\nPackageName: a\nSPDXID: SPDXRef-a\nPackageSupplier: Alien: Zorg\nPackageVersion: 1\n",
			want: []string{"unrecognized PackageSupplier type Alien"}, line: 7},
		{name: "tag-value package without SPDXID", in: "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\n\nPackageName: a\nPackageVersion: 1\n",
			want: []string{"does not have SPDX identifier"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sb, err := Parse("in.sbom", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("no error; got %+v", sb)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("errors.Is(%v, ErrFormat) = false", err)
			}
			if errors.Is(err, ErrTooLarge) {
				t.Errorf("ErrTooLarge on small input: %v", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("not a *FormatError: %T %v", err, err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "in.sbom") {
				t.Errorf("message %q does not start with the file name", msg)
			}
			for _, w := range tt.want {
				if !strings.Contains(msg, w) {
					t.Errorf("message %q does not contain %q", msg, w)
				}
			}
			if tt.line != 0 && fe.Line != tt.line {
				t.Errorf("line = %d, want %d (%s)", fe.Line, tt.line, msg)
			}
			if tt.path != "" && fe.Path != tt.path {
				t.Errorf("path = %q, want %q (%s)", fe.Path, tt.path, msg)
			}
			assertSafe(t, msg)
			t.Log(msg)
		})
	}
}

// assertSafe checks that an error message cannot hurt a terminal or a log.
func assertSafe(t *testing.T, msg string) {
	t.Helper()
	if len(msg) > 600 {
		t.Errorf("message is %d bytes long", len(msg))
	}
	for _, r := range msg {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			t.Errorf("message contains control character %U: %q", r, msg)
			return
		}
	}
}

func TestOversize(t *testing.T) {
	defer func(old int64) { maxSize = old }(maxSize)
	maxSize = 1 << 20
	doc := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[]}`
	exact := doc + strings.Repeat(" ", int(maxSize)-len(doc))
	if _, err := Parse("exact.json", strings.NewReader(exact)); err != nil {
		t.Errorf("input of exactly maxSize refused: %v", err)
	}
	_, err := Parse("big.json", strings.NewReader(exact+" "))
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrFormat) {
		t.Fatalf("err = %v, want ErrTooLarge and ErrFormat", err)
	}
	for _, w := range []string{"big.json: ", "larger than the 1 MiB limit", "split the SBOM"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%q does not contain %q", err, w)
		}
	}
	if MaxSize != 256<<20 {
		t.Errorf("MaxSize = %d", MaxSize)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestReadError(t *testing.T) {
	_, err := Parse("x.json", failingReader{})
	if err == nil || errors.Is(err, ErrFormat) || err.Error() != "x.json: disk on fire" {
		t.Fatalf("err = %v, want a wrapped read error that is not ErrFormat", err)
	}
}

// TestHostileStrings checks that control characters, terminal escapes,
// bidirectional overrides and invalid UTF-8 from the file never reach the
// model, and that errors quote hostile values safely.
func TestHostileStrings(t *testing.T) {
	doc := cdxHead + `"metadata":{"component":{"type":"firmware","name":"fw\u001b[2J\u202e","version":"1\r\n2"}},
	"components":[{"type":"library","bom-ref":"r\u0000ef","name":"\u001b]0;pwned\u0007evil\u200f name","version":"1.0\u0085",
	  "supplier":{"name":"\u202eACME"},"licenses":[{"license":{"id":"MIT\u001b[0m"}}],"hashes":[{"alg":"SHA-256","content":" AB\tCD "}]}],
	"vulnerabilities":[{"id":"CVE-1\u001b[1m","analysis":{"state":"exploitable","detail":"line1\nline2\u001b[31m\ttab"},"affects":[{"ref":"r\u0000ef"}]}]}`
	sb, err := Parse("hostile.json", strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	c := sb.Components[0]
	got := []string{sb.Subject, sb.SubjectVersion, c.Name, c.Version, c.BOMRef, c.Supplier, c.Licenses[0], c.Hashes["SHA-256"],
		sb.VEX[0].Vulnerability, sb.VEX[0].Component}
	want := []string{"fw[2J", "1  2", "]0;pwnedevil name", "1.0", "ref", "ACME", "MIT[0m", "ab cd", "CVE-1[1m", "ref"}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("value %d = %q, want %q", i, got[i], want[i])
		}
	}
	if d := sb.VEX[0].Detail; d != "line1\nline2[31m\ttab" {
		t.Errorf("detail = %q (line breaks and tabs kept, escapes dropped)", d)
	}

	// invalid UTF-8 in XML is a syntax error; in tag-value it is replaced
	tv := "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nDocumentName: d\n\nPackageName: bad\xff\xfename\nSPDXID: SPDXRef-a\nPackageVersion: 1\x1b[5m\n"
	sb, err = Parse("hostile.spdx", strings.NewReader(tv))
	if err != nil {
		t.Fatal(err)
	}
	if c := sb.Components[0]; c.Name != "bad\uFFFDname" || c.Version != "1[5m" {
		t.Errorf("tag-value values %q %q", c.Name, c.Version)
	}

	// a hostile, huge value echoed in an error is quoted and cut
	huge := "\x1b[2J" + strings.Repeat("A", 100000)
	_, err = Parse("h.json", strings.NewReader(`{"bomFormat":"CycloneDX","specVersion":"`+strings.ReplaceAll(huge, "\x1b", `\u001b`)+`"}`))
	if err == nil || !strings.Contains(err.Error(), `"\x1b[2JAAAA`) {
		t.Fatalf("err = %v", err)
	}
	assertSafe(t, err.Error())

	// a key in a tag-value file is never repeated in an error
	_, err = Parse("k.spdx", strings.NewReader("SPDXVersion: SPDX-2.3\n-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"))
	if err == nil || strings.Contains(err.Error(), "MIIE") || strings.Contains(err.Error(), "PRIVATE") {
		t.Fatalf("err = %v", err)
	}
	assertSafe(t, err.Error())
}

func TestSniff(t *testing.T) {
	tests := []struct {
		in   string
		want kind
	}{
		{"", kindUnknown},
		{"   \n\t", kindUnknown},
		{"\n  {\"a\":1}", kindJSON},
		{"[1]", kindJSON},
		{"<?xml version=\"1.0\"?><bom/>", kindXML},
		{"SPDXVersion: SPDX-2.3\n", kindTagValue},
		{"# comment\n\n  SPDXVersion: SPDX-2.3\n", kindTagValue},
		{"DataLicense: CC0-1.0\nSPDXVersion: SPDX-2.3\n", kindTagValue},
		{"DataLicense: CC0-1.0\n", kindUnknown},               // no SPDXVersion
		{"hello world\nSPDXVersion: SPDX-2.3\n", kindUnknown}, // first line is no tag
		{"Data License: x\nSPDXVersion: SPDX-2.3\n", kindUnknown},
	}
	for _, tt := range tests {
		if got := sniff([]byte(tt.in)); got != tt.want {
			t.Errorf("sniff(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	// a UTF-8 byte-order mark is accepted
	doc := "\xef\xbb\xbf" + `{"bomFormat":"CycloneDX","specVersion":"1.5"}`
	sb, err := Parse("bom.json", bytes.NewReader([]byte(doc)))
	if err != nil || sb.Format != "cyclonedx-1.5-json" || sb.Components == nil {
		t.Errorf("BOM-prefixed JSON: %+v %v", sb, err)
	}
}
