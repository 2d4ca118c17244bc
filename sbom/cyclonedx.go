package sbom

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"net/url"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"

	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// cdxVersions are the CycloneDX spec versions read. 1.2 and 1.3 are
// accepted besides 1.4–1.6 because real generators still write them (the
// proton-bridge fixture is 1.2) and cyclonedx-go reads them with the same
// model; 1.0/1.1 predate JSON and bom-refs and are refused.
var cdxVersions = map[string]bool{"1.2": true, "1.3": true, "1.4": true, "1.5": true, "1.6": true}

const cdxSupported = "1.2, 1.3, 1.4, 1.5 and 1.6"

const cdxNamespacePrefix = "http://cyclonedx.org/schema/bom/"

// Lifecycle property names (CycloneDX property taxonomy).
const (
	propEndOfSupport           = "cdx:lifecycle:milestone:endOfSupport"
	propEndOfGuaranteedSupport = "cdx:lifecycle:milestone:endOfGuaranteedSupport"
	propEndOfLife              = "cdx:lifecycle:milestone:endOfLife"
)

// jsonProbe reads only the fields that tell JSON SBOM formats apart.
type jsonProbe struct {
	BOMFormat   json.RawMessage `json:"bomFormat"`
	SpecVersion json.RawMessage `json:"specVersion"`
	SPDXVersion json.RawMessage `json:"spdxVersion"`
	Context     json.RawMessage `json:"@context"`
}

// parseJSON detects CycloneDX or SPDX JSON and parses it.
func parseJSON(name string, data []byte) (*model.SBOM, error) {
	var p jsonProbe
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, jsonErr(name, data, err)
	}
	switch {
	case present(p.SPDXVersion):
		v, ok := rawString(p.SPDXVersion)
		if !ok {
			return nil, formatErr(name, "spdxVersion", "expected a string such as \"SPDX-2.3\"")
		}
		if !spdxVersions[v] {
			return nil, formatErr(name, "spdxVersion", "SPDX version %s is not supported: iotguard reads %s", safetext.Quote(v), spdxSupported)
		}
		return parseSPDXJSON(name, data, v)
	case present(p.BOMFormat) || present(p.SpecVersion):
		f, ok := rawString(p.BOMFormat)
		if !ok || f != cdx.BOMFormat {
			if !present(p.BOMFormat) {
				return nil, formatErr(name, "bomFormat", "missing: a CycloneDX document has \"bomFormat\": \"CycloneDX\"")
			}
			return nil, formatErr(name, "bomFormat", "expected \"CycloneDX\", found %s", rawShown(p.BOMFormat))
		}
		if !present(p.SpecVersion) {
			return nil, formatErr(name, "specVersion", "missing: say which CycloneDX version the document follows (%s are supported)", cdxSupported)
		}
		v, ok := rawString(p.SpecVersion)
		if !ok {
			return nil, formatErr(name, "specVersion", "expected a string such as \"1.6\", found %s", rawShown(p.SpecVersion))
		}
		if !cdxVersions[v] {
			return nil, formatErr(name, "specVersion", "CycloneDX %s is not supported: iotguard reads CycloneDX %s", safetext.Quote(v), cdxSupported)
		}
		// what cdx.NewBOMDecoder(r, BOMFileFormatJSON).Decode does, minus
		// its io.ReadAll copy of the (up to 256 MiB) input
		var bom cdx.BOM
		if err := json.Unmarshal(data, &bom); err != nil {
			return nil, jsonErr(name, data, err)
		}
		return fromCycloneDX(name, &bom, "cyclonedx-"+v+"-json")
	case present(p.Context) && bytes.Contains(p.Context, []byte("spdx.org/rdf/3")):
		return nil, formatErr(name, "", "SPDX 3 (JSON-LD) is not supported: iotguard reads %s; export SPDX 2.3 JSON instead", spdxSupported)
	}
	return nil, formatErr(name, "", "a JSON document that is neither CycloneDX (no \"bomFormat\"/\"specVersion\") nor SPDX (no \"spdxVersion\")")
}

func present(r json.RawMessage) bool { return len(r) > 0 && string(r) != "null" }

func rawString(r json.RawMessage) (string, bool) {
	var s string
	if err := json.Unmarshal(r, &s); err != nil {
		return "", false
	}
	return s, true
}

// rawShown shows a JSON value from the input in an error.
func rawShown(r json.RawMessage) string {
	if s, ok := rawString(r); ok {
		return safetext.Quote(s)
	}
	if len(r) > 0 {
		switch r[0] {
		case '{':
			return "an object"
		case '[':
			return "an array"
		case 't', 'f':
			return "a boolean"
		}
	}
	return "a number"
}

// parseCycloneDXXML reads CycloneDX XML. encoding/xml never resolves
// external entities or DTDs: a DOCTYPE is skipped and an undeclared
// entity reference is a syntax error, so XXE and entity expansion cannot
// happen. The root is checked before decoding so that the error can name
// what was found.
func parseCycloneDXXML(name string, data []byte) (*model.SBOM, error) {
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = func(charset string, _ io.Reader) (io.Reader, error) {
		return nil, errors.New("not supported, save the SBOM as UTF-8")
	}
	line := func() int { l, _ := dec.InputPos(); return l }
	var start xml.StartElement
	for {
		tok, err := dec.Token()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, formatErr(name, "", "an XML document without a root element")
			}
			return nil, xmlErr(name, line(), err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			start = se
			break
		}
	}
	ns := start.Name.Space
	if start.Name.Local != "bom" || !strings.HasPrefix(ns, cdxNamespacePrefix) {
		what := "<" + start.Name.Local + ">"
		if ns != "" {
			what += " in namespace " + safetext.Quote(ns)
		}
		hint := ""
		if start.Name.Local == "RDF" {
			hint = "; SPDX RDF/XML is not supported, export SPDX 2.3 JSON or tag-value instead"
		}
		return nil, &FormatError{Name: name, Line: line(), Msg: "the XML root is " + what + ", not a CycloneDX <bom> in namespace " + cdxNamespacePrefix + "<version>" + hint, Kind: ErrFormat}
	}
	v := strings.TrimPrefix(ns, cdxNamespacePrefix)
	if !cdxVersions[v] {
		return nil, &FormatError{Name: name, Line: line(), Msg: "CycloneDX " + safetext.Quote(v) + " is not supported: iotguard reads CycloneDX " + cdxSupported, Kind: ErrFormat}
	}
	var bom cdx.BOM
	if err := dec.DecodeElement(&bom, &start); err != nil {
		return nil, xmlErr(name, line(), err)
	}
	return fromCycloneDX(name, &bom, "cyclonedx-"+v+"-xml")
}

// cdxReader converts one decoded BOM.
type cdxReader struct {
	name       string
	sb         *model.SBOM
	subject    *cdx.Component
	seen       map[string]bool // bom-refs already taken
	subjectRef string
}

func fromCycloneDX(name string, bom *cdx.BOM, format string) (*model.SBOM, error) {
	r := &cdxReader{name: name, sb: &model.SBOM{Format: format}, seen: map[string]bool{}}
	if m := bom.Metadata; m != nil {
		var eos model.Timestamp
		var err error
		if c := m.Component; c != nil {
			r.subject = c
			r.subjectRef = redactPURL(safetext.Clean(c.BOMRef))
			r.sb.Subject = safetext.Clean(c.Name)
			r.sb.SubjectVersion = safetext.Clean(c.Version)
			if eos, _, err = r.lifecycle("metadata.component.properties", c.Properties); err != nil {
				return nil, err
			}
		}
		if !eos.Set() {
			// generators also put the product's milestones on the BOM
			if eos, _, err = r.lifecycle("metadata.properties", m.Properties); err != nil {
				return nil, err
			}
		}
		r.sb.EndOfSupport = eos
		if c := m.Component; c != nil {
			if err := r.walk("metadata.component.components", c.Components); err != nil {
				return nil, err
			}
		}
	}
	if err := r.walk("components", bom.Components); err != nil {
		return nil, err
	}
	if err := r.vex(bom.Vulnerabilities); err != nil {
		return nil, err
	}
	return r.sb, nil
}

// walk flattens nested components depth-first, parents before children.
func (r *cdxReader) walk(path string, list *[]cdx.Component) error {
	if list == nil {
		return nil
	}
	for i := range *list {
		c := &(*list)[i]
		at := index(path, i)
		ref := redactPURL(safetext.Clean(c.BOMRef)) // generators use the purl as bom-ref
		if ref != "" {
			if r.seen[ref] {
				continue // bom-refs are unique per spec; a repeat is a copy
			}
			r.seen[ref] = true
		}
		if !r.isSubject(c, ref) {
			comp, err := r.component(at, c)
			if err != nil {
				return err
			}
			r.sb.Components = append(r.sb.Components, comp)
		}
		if err := r.walk(at+".components", c.Components); err != nil {
			return err
		}
	}
	return nil
}

// isSubject reports whether c repeats metadata.component: same bom-ref,
// or, when the subject has none, same name, version and purl.
func (r *cdxReader) isSubject(c *cdx.Component, ref string) bool {
	if r.subject == nil {
		return false
	}
	if r.subjectRef != "" {
		return ref == r.subjectRef
	}
	return safetext.Clean(c.Name) == r.sb.Subject && safetext.Clean(c.Version) == r.sb.SubjectVersion &&
		safetext.Clean(c.PackageURL) == safetext.Clean(r.subject.PackageURL)
}

func (r *cdxReader) component(at string, c *cdx.Component) (model.Component, error) {
	comp := model.Component{
		Name:    safetext.Clean(c.Name),
		Version: safetext.Clean(c.Version),
		PURL:    redactPURL(safetext.Clean(c.PackageURL)),
		BOMRef:  redactPURL(safetext.Clean(c.BOMRef)),
		Type:    safetext.Clean(string(c.Type)),
	}
	if comp.Name == "" {
		return comp, formatErr(r.name, at, "a component needs a name")
	}
	if cpe := safetext.Clean(c.CPE); cpe != "" {
		comp.CPEs = []string{cpe}
	}
	comp.Supplier = cdxSupplier(c)
	if c.Licenses != nil {
		for _, l := range *c.Licenses {
			comp.Licenses = appendUnique(comp.Licenses, safetext.Clean(l.Expression))
			if l.License != nil {
				id := safetext.Clean(l.License.ID)
				if id == "" {
					id = safetext.Clean(l.License.Name)
				}
				comp.Licenses = appendUnique(comp.Licenses, id)
			}
		}
	}
	if c.Hashes != nil {
		for _, h := range *c.Hashes {
			alg, val := safetext.Clean(string(h.Algorithm)), strings.ToLower(safetext.Clean(h.Value))
			if alg == "" || val == "" {
				continue
			}
			if comp.Hashes == nil {
				comp.Hashes = map[string]string{}
			}
			if _, dup := comp.Hashes[alg]; !dup {
				comp.Hashes[alg] = val
			}
		}
	}
	comp.Ecosystem = Ecosystem(comp.PURL)
	var err error
	comp.EndOfSupport, comp.EndOfLife, err = r.lifecycle(at+".properties", c.Properties)
	return comp, err
}

// cdxSupplier picks who supplies the component: supplier, else
// manufacturer (hardware BOMs), else publisher, else author(s).
func cdxSupplier(c *cdx.Component) string {
	if c.Supplier != nil {
		if s := safetext.Clean(c.Supplier.Name); s != "" {
			return s
		}
	}
	if c.Manufacturer != nil {
		if s := safetext.Clean(c.Manufacturer.Name); s != "" {
			return s
		}
	}
	if s := safetext.Clean(c.Publisher); s != "" {
		return s
	}
	if s := safetext.Clean(c.Author); s != "" {
		return s
	}
	if c.Authors != nil {
		for _, a := range *c.Authors {
			if s := safetext.Clean(a.Name); s != "" {
				return s
			}
		}
	}
	return ""
}

// lifecycle reads the end-of-support and end-of-life milestones from
// properties; endOfGuaranteedSupport stands in for endOfSupport when that
// is absent. The first occurrence of a name wins.
func (r *cdxReader) lifecycle(path string, props *[]cdx.Property) (eos, eol model.Timestamp, err error) {
	if props == nil {
		return
	}
	var guaranteed model.Timestamp
	for j, p := range *props {
		var dst *model.Timestamp
		switch safetext.Clean(p.Name) {
		case propEndOfSupport:
			dst = &eos
		case propEndOfGuaranteedSupport:
			dst = &guaranteed
		case propEndOfLife:
			dst = &eol
		default:
			continue
		}
		if dst.Set() {
			continue
		}
		if *dst, err = parseDate(r.name, index(path, j)+" ("+safetext.Clean(p.Name)+")", safetext.Clean(p.Value)); err != nil {
			return
		}
	}
	if !eos.Set() {
		eos = guaranteed
	}
	return
}

// vex turns vulnerabilities that carry an analysis into one statement per
// (vulnerability, affected ref). Vulnerabilities without analysis.state
// are findings, not exploitability statements, and are skipped.
func (r *cdxReader) vex(list *[]cdx.Vulnerability) error {
	if list == nil {
		return nil
	}
	type key struct{ id, ref string }
	done := map[key]bool{}
	for i, v := range *list {
		if v.Analysis == nil || safetext.Clean(string(v.Analysis.State)) == "" {
			continue
		}
		id := safetext.Clean(v.ID)
		if id == "" {
			return formatErr(r.name, index("vulnerabilities", i), "a vulnerability with an analysis needs an id (CVE, GHSA, OSV...)")
		}
		var refs []string
		if v.Affects != nil {
			for _, a := range *v.Affects {
				refs = appendUnique(refs, redactPURL(vexRef(safetext.Clean(a.Ref))))
			}
		}
		if len(refs) == 0 {
			refs = []string{""} // applies to every component
		}
		for _, ref := range refs {
			if done[key{id, ref}] {
				continue
			}
			done[key{id, ref}] = true
			r.sb.VEX = append(r.sb.VEX, model.VEXStatement{
				Vulnerability: id,
				Component:     ref,
				State:         safetext.Clean(string(v.Analysis.State)),
				Justification: safetext.Clean(string(v.Analysis.Justification)),
				Detail:        safetext.CleanText(v.Analysis.Detail),
			})
		}
	}
	return nil
}

// vexRef reduces a BOM-Link (urn:cdx:serial/version#bom-ref), which a
// standalone VEX uses to point into another BOM, to the bom-ref so that it
// matches the components of that SBOM.
func vexRef(ref string) string {
	if !strings.HasPrefix(ref, "urn:cdx:") {
		return ref
	}
	_, frag, ok := strings.Cut(ref, "#")
	if !ok || frag == "" {
		return ref
	}
	if u, err := url.PathUnescape(frag); err == nil {
		return safetext.Clean(u)
	}
	return frag
}
