package sbom

import (
	"encoding/json"
	"strings"

	"github.com/spdx/tools-golang/convert"
	"github.com/spdx/tools-golang/spdx"
	"github.com/spdx/tools-golang/spdx/v2/common"
	"github.com/spdx/tools-golang/spdx/v2/v2_2"
	v22tv "github.com/spdx/tools-golang/spdx/v2/v2_2/tagvalue/reader"
	"github.com/spdx/tools-golang/spdx/v2/v2_3"
	v23tv "github.com/spdx/tools-golang/spdx/v2/v2_3/tagvalue/reader"
	"github.com/spdx/tools-golang/tagvalue/reader"

	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// spdxVersions are the SPDX versions read; tools-golang converts 2.2 to
// its 2.3 model.
var spdxVersions = map[string]bool{v2_2.Version: true, v2_3.Version: true}

const spdxSupported = "SPDX-2.2 and SPDX-2.3 (JSON or tag-value)"

// parseSPDXJSON decodes into tools-golang's versioned model directly (what
// tools-golang/json.Read does after first decoding the whole document into
// interface{} values, a pass that costs several times the file size in
// memory); the version was already checked by parseJSON.
func parseSPDXJSON(name string, data []byte, version string) (*model.SBOM, error) {
	var doc spdx.Document
	switch version {
	case v2_3.Version:
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, jsonErr(name, data, err)
		}
	case v2_2.Version:
		var d v2_2.Document
		if err := json.Unmarshal(data, &d); err != nil {
			return nil, jsonErr(name, data, err)
		}
		if err := convert.Document(d, &doc); err != nil {
			return nil, formatErr(name, "", "converting SPDX 2.2 to 2.3: %s", safetext.LibMsg(err))
		}
	}
	return fromSPDX(name, &doc, "spdx-"+strings.TrimPrefix(version, "SPDX-")+"-json")
}

// parseSPDXTagValue reads tag-value with its own tokenizer, which keeps
// line numbers for errors, never repeats a whole input line in a message,
// and builds multi-line <text> values in linear time; the pairs then go to
// tools-golang's per-version tag-value parsers.
func parseSPDXTagValue(name string, data []byte) (*model.SBOM, error) {
	pairs, lines, err := readTagValues(name, data)
	if err != nil {
		return nil, err
	}
	version, vline := "", 0
	for i, p := range pairs {
		if p.Tag == "SPDXVersion" {
			version, vline = p.Value, lines[i]
			break
		}
	}
	if !spdxVersions[version] {
		return nil, &FormatError{Name: name, Line: vline, Path: "SPDXVersion", Msg: "SPDX version " + safetext.Quote(version) + " is not supported: iotguard reads " + spdxSupported, Kind: ErrFormat}
	}
	parse := func(pairs []reader.TagValuePair) (*spdx.Document, error) {
		if version == v2_3.Version {
			return v23tv.ParseTagValues(pairs)
		}
		d, err := v22tv.ParseTagValues(pairs)
		if err != nil {
			return nil, err
		}
		var doc spdx.Document
		return &doc, convert.Document(d, &doc)
	}
	doc, err := parse(pairs)
	if err != nil {
		return nil, &FormatError{Name: name, Line: errorLine(pairs, lines, err, parse), Msg: safetext.LibMsg(err), Kind: ErrFormat}
	}
	return fromSPDX(name, doc, "spdx-"+strings.TrimPrefix(version, "SPDX-")+"-tag-value")
}

// errorLine finds the line of the pair that made parse fail: the parser is
// sequential, so the shortest prefix of pairs that fails with the same
// message ends at the culprit (binary search, only on the error path).
func errorLine(pairs []reader.TagValuePair, lines []int, want error, parse func([]reader.TagValuePair) (*spdx.Document, error)) int {
	lo, hi := 1, len(pairs) // the answer k is in [lo, hi]: pairs[:k] fails alike
	for lo < hi {
		mid := (lo + hi) / 2
		if _, err := parse(pairs[:mid]); err != nil && err.Error() == want.Error() {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if _, err := parse(pairs[:lo]); err == nil || err.Error() != want.Error() {
		return 0 // failed only as a whole (an end-of-document check)
	}
	return lines[lo-1]
}

// readTagValues splits tag-value text into pairs the way tools-golang's
// reader does: blank and '#' lines are skipped, "Tag: value" splits at the
// first colon, and <text>...</text> values may span lines.
func readTagValues(name string, data []byte) ([]reader.TagValuePair, []int, error) {
	var pairs []reader.TagValuePair
	var lines []int
	var text strings.Builder
	inText, textTag, textLine := false, "", 0
	s := string(data)
	for n := 1; len(s) > 0; n++ {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		line = strings.TrimSuffix(line, "\r")
		if inText {
			before, _, closed := strings.Cut(line, "</text>")
			text.WriteString(before)
			if !closed {
				text.WriteByte('\n')
				continue
			}
			pairs = append(pairs, reader.TagValuePair{Tag: textTag, Value: text.String()})
			lines = append(lines, textLine)
			inText = false
			continue
		}
		l := strings.TrimLeft(line, " \t\v\f\r\u0085\u00a0")
		if l == "" || l[0] == '#' {
			continue
		}
		tag, value, ok := strings.Cut(l, ":")
		if !ok {
			return nil, nil, &FormatError{Name: name, Line: n, Msg: "expected \"Tag: value\" (no colon on this line)", Kind: ErrFormat}
		}
		tag = strings.TrimSpace(tag)
		if _, after, ok := strings.Cut(value, "<text>"); ok {
			if v, _, closed := strings.Cut(after, "</text>"); closed {
				pairs = append(pairs, reader.TagValuePair{Tag: tag, Value: v})
				lines = append(lines, n)
				continue
			}
			text.Reset()
			text.WriteString(after)
			text.WriteByte('\n')
			inText, textTag, textLine = true, tag, n
			continue
		}
		pairs = append(pairs, reader.TagValuePair{Tag: tag, Value: strings.TrimSpace(value)})
		lines = append(lines, n)
	}
	if inText {
		return nil, nil, &FormatError{Name: name, Line: textLine, Path: safetext.Clean(textTag), Msg: "<text> is never closed with </text> (the file may be truncated)", Kind: ErrFormat}
	}
	if len(pairs) == 0 {
		return nil, nil, formatErr(name, "", "no \"Tag: value\" lines found")
	}
	return pairs, lines, nil
}

// fromSPDX converts a 2.3-model document. Every package is a component,
// including the one the document DESCRIBES: in SPDX the subject is a
// package like any other, with its own CPEs, supplier and licences.
func fromSPDX(name string, doc *spdx.Document, format string) (*model.SBOM, error) {
	sb := &model.SBOM{Format: format}
	pkgIndex := map[common.ElementID]int{} // SPDX ID -> index in Components
	for i, p := range doc.Packages {
		if p == nil {
			continue
		}
		at := index("packages", i)
		comp := model.Component{
			Name:    safetext.Clean(p.PackageName),
			Version: safetext.Clean(p.PackageVersion),
			BOMRef:  safetext.Clean(common.RenderElementID(p.PackageSPDXIdentifier)),
			Type:    strings.ToLower(safetext.Clean(p.PrimaryPackagePurpose)),
		}
		if comp.Name == "" {
			return nil, formatErr(name, at, "a package needs a name")
		}
		if p.PackageSPDXIdentifier == "" {
			return nil, formatErr(name, at, "package %s needs an SPDXID (SPDXRef-...)", safetext.Quote(comp.Name))
		}
		if _, dup := pkgIndex[p.PackageSPDXIdentifier]; dup {
			continue // SPDXIDs are unique per spec; a repeat is a copy
		}
		if s := p.PackageSupplier; s != nil {
			comp.Supplier = spdxParty(s.Supplier)
		}
		for _, l := range []string{p.PackageLicenseConcluded, p.PackageLicenseDeclared} {
			if l = safetext.Clean(l); l != "NOASSERTION" && l != "NONE" {
				comp.Licenses = appendUnique(comp.Licenses, l)
			}
		}
		for _, c := range p.PackageChecksums {
			alg, val := spdxAlgorithm(safetext.Clean(string(c.Algorithm))), strings.ToLower(safetext.Clean(c.Value))
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
		for _, ref := range p.PackageExternalReferences {
			if ref == nil {
				continue
			}
			t, loc := safetext.Clean(ref.RefType), safetext.Clean(ref.Locator)
			switch {
			case refTypeIs(t, "cpe22Type"), refTypeIs(t, "cpe23Type"):
				comp.CPEs = appendUnique(comp.CPEs, loc)
			case refTypeIs(t, "purl") && comp.PURL == "":
				comp.PURL = redactPURL(loc)
			}
		}
		comp.Ecosystem = Ecosystem(comp.PURL)
		if v := safetext.Clean(p.ValidUntilDate); v != "" {
			// SPDX 2.3 §7.27: "the end of the support period for a package
			// from the supplier"
			ts, err := parseDate(name, at+".validUntilDate", v)
			if err != nil {
				return nil, err
			}
			comp.EndOfSupport = ts
		}
		pkgIndex[p.PackageSPDXIdentifier] = len(sb.Components)
		sb.Components = append(sb.Components, comp)
	}
	// several things may be described (files, packages): the first
	// described package, in relationship order, is the subject
	for _, id := range describedIDs(doc) {
		if i, ok := pkgIndex[id]; ok {
			c := sb.Components[i]
			sb.Subject, sb.SubjectVersion, sb.EndOfSupport = c.Name, c.Version, c.EndOfSupport
			break
		}
	}
	return sb, nil
}

// describedIDs returns the element IDs the document DESCRIBES (or that
// are DESCRIBED_BY it), in relationship order.
func describedIDs(doc *spdx.Document) []common.ElementID {
	var ids []common.ElementID
	local := func(e common.DocElementID) bool {
		return e.DocumentRefID == "" && e.SpecialID == "" && e.ElementRefID != ""
	}
	isDoc := func(e common.DocElementID) bool {
		return local(e) && (e.ElementRefID == doc.SPDXIdentifier || e.ElementRefID == "DOCUMENT")
	}
	for _, r := range doc.Relationships {
		if r == nil {
			continue
		}
		switch strings.ToUpper(strings.TrimSpace(r.Relationship)) {
		case "DESCRIBES":
			if isDoc(r.RefA) && local(r.RefB) {
				ids = append(ids, r.RefB.ElementRefID)
			}
		case "DESCRIBED_BY":
			if isDoc(r.RefB) && local(r.RefA) {
				ids = append(ids, r.RefA.ElementRefID)
			}
		}
	}
	return ids
}

// spdxParty strips the "Organization: " / "Person: " prefix (when a
// reader left it) and maps NOASSERTION to "".
func spdxParty(s string) string {
	s = safetext.Clean(s)
	for _, p := range []string{"Organization:", "Person:", "Tool:"} {
		if strings.HasPrefix(s, p) {
			s = strings.TrimSpace(s[len(p):])
		}
	}
	if s == "NOASSERTION" {
		return ""
	}
	return s
}

// spdxAlgorithm writes SPDX checksum algorithms (SHA1, SHA256) the way
// CycloneDX and the model do (SHA-1, SHA-256); others are kept.
func spdxAlgorithm(a string) string {
	switch a {
	case "SHA1", "SHA224", "SHA256", "SHA384", "SHA512":
		return "SHA-" + a[3:]
	}
	return a
}

// refTypeIs matches an external reference type given bare (cpe23Type) or
// as the URI some tools write (http://spdx.org/rdf/references/cpe23Type).
func refTypeIs(t, want string) bool {
	return t == want || strings.HasSuffix(t, "/"+want) || strings.HasSuffix(t, "#"+want)
}
