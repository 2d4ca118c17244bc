// Package sbom reads software bills of materials into model.SBOM values:
// CycloneDX 1.2–1.6 (JSON and XML) and SPDX 2.2/2.3 (JSON and tag-value).
//
// It is a pure reader: bytes in, domain values out, no network. The format
// is detected from the content, not the file name. Binding an SBOM to a
// device model and firmware version is the manifest's job (models[].sboms,
// evidence.sboms); Parse leaves SBOM.Model and SBOM.Firmware empty.
package sbom

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// MaxSize is the largest input Parse accepts, in bytes. Real firmware SBOMs
// are a few MiB; the limit bounds memory when a wrong or hostile file is
// given.
const MaxSize = 256 << 20

// maxSize is MaxSize, lowered by tests.
var maxSize int64 = MaxSize

// ParseFile reads the SBOM at path. The path as given is the name in
// messages and SBOM.Source: SBOMs are often all called bom.json, so the
// base name alone would not tell them apart.
func ParseFile(path string) (*model.SBOM, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the file
	}
	defer f.Close()
	return Parse(path, f)
}

// ParseFiles reads the SBOMs at paths, as ParseFile, on up to workers
// goroutines (GOMAXPROCS when workers <= 0): a generated or real fleet
// names one SBOM per model and firmware, a hundred or more. The SBOMs come
// back in the order of paths; on errors, the one of the first path that
// failed is returned.
func ParseFiles(paths []string, workers int) ([]*model.SBOM, error) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	out := make([]*model.SBOM, len(paths))
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(workers, len(paths)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				out[i], errs[i] = ParseFile(paths[i])
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Parse reads one SBOM from r; name is the file name used in messages and
// as SBOM.Source. The format (CycloneDX JSON/XML, SPDX JSON/tag-value) is
// detected from the content.
//
// Errors about the input match ErrFormat (errors.Is) and are *FormatError
// values; oversize input also matches ErrTooLarge. Read failures of r are
// returned wrapped with the name and match neither.
func Parse(name string, r io.Reader) (*model.SBOM, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if int64(len(data)) > maxSize {
		return nil, inputerr.TooLarge(ErrFormat, ErrTooLarge, name, maxSize,
			" (sbom.MaxSize): split the SBOM into smaller documents, e.g. one per firmware image")
	}
	// A UTF-8 byte-order mark is legal at the start of both JSON-ish and
	// XML files written by Windows tools; encoding/json refuses it.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	var sb *model.SBOM
	switch kind := sniff(data); kind {
	case kindJSON:
		sb, err = parseJSON(name, data)
	case kindXML:
		sb, err = parseCycloneDXXML(name, data)
	case kindTagValue:
		sb, err = parseSPDXTagValue(name, data)
	default:
		return nil, formatErr(name, "", "not a recognised SBOM: expected CycloneDX JSON or XML, SPDX JSON or SPDX tag-value (starting with \"SPDXVersion:\")")
	}
	if err != nil {
		return nil, err
	}
	sb.Source = name
	if sb.Components == nil {
		sb.Components = []model.Component{}
	}
	return sb, nil
}

type kind int

const (
	kindUnknown kind = iota
	kindJSON
	kindXML
	kindTagValue
)

// sniff looks at the first meaningful bytes. Only the shape is decided
// here; the parsers check the format markers and report what they found.
func sniff(data []byte) kind {
	t := bytes.TrimLeft(data, " \t\r\n")
	switch {
	case len(t) == 0:
		return kindUnknown
	case t[0] == '{' || t[0] == '[':
		return kindJSON
	case t[0] == '<':
		return kindXML
	}
	if looksTagValue(t) {
		return kindTagValue
	}
	return kindUnknown
}

// looksTagValue reports whether the first line that is not blank or a
// comment is a "Tag: value" line and an SPDXVersion tag appears at the
// start of some line.
func looksTagValue(t []byte) bool {
	first := true
	for len(t) > 0 {
		line := t
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			line, t = t[:i], t[i+1:]
		} else {
			t = nil
		}
		line = bytes.TrimLeft(line, " \t\r")
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		if first {
			i := bytes.IndexByte(line, ':')
			if i <= 0 || !isTag(line[:i]) {
				return false
			}
			first = false
		}
		if bytes.HasPrefix(line, []byte("SPDXVersion:")) {
			return true
		}
	}
	return false
}

func isTag(b []byte) bool {
	for _, c := range b {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return len(b) > 0
}

// appendUnique appends s when it is not empty and not already present.
func appendUnique(list []string, s string) []string {
	if s == "" {
		return list
	}
	for _, v := range list {
		if v == s {
			return list
		}
	}
	return append(list, s)
}

// parseDate reads an end-of-support style date for field at where.
func parseDate(name, where, value string) (model.Timestamp, error) {
	ts, err := model.ParseTimestamp(value)
	if err != nil {
		return model.Timestamp{}, formatErr(name, where, "%s is not a date (YYYY-MM-DD) or time (RFC 3339)", safetext.Quote(value))
	}
	return ts, nil
}

// index builds "field[i]" locations.
func index(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }
