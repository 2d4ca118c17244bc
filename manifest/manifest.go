// Package manifest reads, validates and writes iotguard's solution manifest
// (iotguard.yaml; JSON is accepted too): the organisation and its roles,
// device models, services, networks, data flows, policy parameters and
// attestations, plus the devices, inline or streamed from a JSON-lines or
// CSV side file. Decoding is strict: every problem names the file, line,
// column and field path, suggests the nearest valid name, and says how to
// fix it. Schema returns the JSON Schema of the format and Starter a
// commented starter manifest. docs/manifest.md documents the format.
package manifest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/internal/strictyaml"
	"github.com/iotguard/iotguard/model"
)

// FileName is the conventional name of the manifest.
const FileName = "iotguard.yaml"

// Version is the manifest format version this package reads and writes.
const Version = 1

// Size limits. A manifest larger than MaxManifestSize is refused (large
// inventories belong in a side file); a side-file line or CSV record longer
// than MaxLineSize stops the stream with an error.
const (
	MaxManifestSize = 64 << 20
	MaxLineSize     = 1 << 20
)

// Loaded is a parsed, validated manifest.
type Loaded struct {
	Path      string           // manifest path as given
	Dir       string           // folder of the manifest (side files and evidence are relative to it)
	Solution  *model.Solution  // everything but devices
	Inventory engine.Inventory // streams devices (inline list or side file), validating as it goes
	Files     fs.FS            // os.DirFS(Dir), for evidence files
	// DevicesFile is the devices side file as the manifest names it, or ""
	// when the devices are inline; DevicesFormat is "jsonl" or "csv".
	DevicesFile   string
	DevicesFormat string
	// Evidence are the evidence files the manifest names, resolved.
	Evidence *EvidenceFiles
}

// Validate streams every device once, so that side-file problems surface
// before any report is written. It returns the number of devices.
func (l *Loaded) Validate(ctx context.Context) (int, error) {
	n := 0
	err := l.Inventory.Devices(ctx, func(*model.Device) error { n++; return nil })
	return n, err
}

// Load reads the manifest at path (at most MaxManifestSize bytes) and
// parses it. A file that cannot be read is an I/O error; everything wrong
// with its content is an *InputError.
func Load(path string) (*Loaded, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil {
		if fi.IsDir() {
			return nil, inputErr(path, 0, 0, "", "is a folder, not a manifest file: name the manifest itself, e.g. %s", filepath.Join(path, FileName))
		}
		if fi.Mode().IsRegular() && fi.Size() > MaxManifestSize {
			return nil, tooBig(path, fi.Size())
		}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxManifestSize+1))
	if err != nil {
		return nil, fmt.Errorf("read manifest %s: %w", path, err)
	}
	if len(data) > MaxManifestSize {
		return nil, tooBig(path, int64(len(data)))
	}
	return Parse(path, data)
}

func tooBig(path string, size int64) error {
	return inputErr(path, 0, 0, "", "the manifest is %s, more than the %d MiB limit: move the devices into a side file (devices: {file: devices.jsonl}), which is streamed and has no size limit",
		humanSize(size), MaxManifestSize>>20)
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// sideFile is the mapping form of `devices`.
type sideFile struct {
	File   string `yaml:"file"`
	Format string `yaml:"format"`
	// Columns maps the header names of another tool's CSV export to
	// iotguard's columns, e.g. {"Asset Tag": id, "Serial No": serial}.
	Columns map[string]string `yaml:"columns"`
}

// Parse parses and validates manifest data; path is used in messages and
// to locate side files and evidence (relative to its folder).
func Parse(path string, data []byte) (*Loaded, error) {
	if len(data) > MaxManifestSize {
		return nil, tooBig(path, int64(len(data)))
	}
	if strings.EqualFold(filepath.Ext(path), ".json") {
		if err := jsonSyntax(path, data); err != nil {
			return nil, err
		}
		data = jsonEscapesForYAML(data)
	}
	top, err := parseYAML(path, data)
	if err != nil {
		return nil, err
	}
	if err := checkExpansion(path, top); err != nil {
		return nil, err
	}
	expandMerges(top, 0)
	var keyProblems problems
	checkKeys(path, top, "", &keyProblems)
	if err := keyProblems.err(); err != nil {
		return nil, err
	}

	// Take `devices` (and an editor's `$schema`) out of the top mapping;
	// the rest is a model.Solution.
	solNode := *top
	solNode.Content = nil
	var devKey, devNode *yaml.Node
	var ps problems
	structural := false
	keys := map[string]bool{}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		keys[k.Value] = true
		switch k.Value {
		case "devices":
			if devKey != nil {
				ps.add(&Problem{File: path, Line: k.Line, Column: k.Column, Path: "devices",
					Msg: fmt.Sprintf("devices is given twice (first on line %d): keep one", devKey.Line)})
				structural = true
				continue
			}
			devKey, devNode = k, v
		case "$schema":
			if v.Kind != yaml.ScalarNode {
				ps.add(&Problem{File: path, Line: v.Line, Column: v.Column, Path: "$schema", Msg: "expected a string (the URL or path of the JSON Schema)"})
				structural = true
			}
		default:
			solNode.Content = append(solNode.Content, k, v)
		}
	}

	sol := &model.Solution{}
	doc, err := decodeStrict(path, &solNode, sol, "", &ps)
	structural = structural || err != nil
	var devices []model.Device
	var devDoc *strictyaml.Doc
	var side sideFile
	var sideNode *yaml.Node
	if devNode != nil {
		for devNode.Kind == yaml.AliasNode && devNode.Alias != nil {
			devNode = devNode.Alias
		}
		switch {
		case devNode.Kind == yaml.SequenceNode:
			devDoc, err = decodeStrict(path, devNode, &devices, "devices", &ps)
			structural = structural || err != nil
		case devNode.Kind == yaml.MappingNode:
			sideNode = devNode
			devDoc, err = decodeStrict(path, devNode, &side, "devices", &ps)
			structural = structural || err != nil
		case devNode.Kind == yaml.ScalarNode && devNode.Tag == "!!null":
		case devNode.Kind == yaml.ScalarNode:
			hint := ""
			if ext := strings.ToLower(filepath.Ext(devNode.Value)); ext == ".jsonl" || ext == ".ndjson" || ext == ".csv" {
				hint = fmt.Sprintf(" (did you mean devices: {file: %s}?)", devNode.Value)
			}
			ps.add(&Problem{File: path, Line: devNode.Line, Column: devNode.Column, Path: "devices",
				Msg: fmt.Sprintf("expected a list of devices or a side file {file: PATH}, got %s%s", q(devNode.Value), hint)})
			structural = true
		default:
			ps.add(&Problem{File: path, Line: devNode.Line, Column: devNode.Column, Path: "devices",
				Msg: "expected a list of devices or a side file {file: PATH}"})
			structural = true
		}
	}
	if structural {
		// Structure is wrong: semantic checks would only add noise.
		return nil, ps.err()
	}

	v := &validator{file: path, doc: doc, ps: &ps, dir: filepath.Dir(path)}
	v.solution(sol, keys)
	rules := newDeviceRules(sol)
	l := &Loaded{
		Path:     path,
		Dir:      filepath.Dir(path),
		Solution: sol,
		Files:    os.DirFS(filepath.Dir(path)),
		Evidence: v.files,
	}
	switch {
	case sideNode != nil:
		inv := v.sideFile(&side, devDoc, rules)
		if inv != nil {
			l.Inventory = inv
			l.DevicesFile = side.File
			l.DevicesFormat = inv.format
		}
	default:
		v.inlineDevices(devices, devDoc, rules)
		l.Inventory = engine.SliceInventory(devices)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return l, nil
}

// decodeStrict decodes node into v with strictyaml, after checkText has
// positioned (and nulled) bad enum and date values, which strictyaml
// reports without a line. It returns an error when the structure is wrong
// (unknown fields, wrong kinds): then v is not decoded.
func decodeStrict(file string, node *yaml.Node, v any, base string, ps *problems) (doc *strictyaml.Doc, err error) {
	checkText(file, node, reflect.TypeOf(v), base, ps)
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = inputErr(file, node.Line, node.Column, base, "the YAML decoder failed on this input (%v): check the syntax here", r)
			}
		}()
		doc, err = strictyaml.DecodeNode(file, node, v, base)
	}()
	if err != nil {
		var es strictyaml.Errors
		if errors.As(err, &es) {
			for _, e := range es {
				if strings.Contains(e.Msg, "already defined at line") {
					e.Msg += ": a key may appear once in a mapping; keep one"
				}
			}
		}
		ps.addErr(file, err)
	}
	return doc, err
}

// parseYAML parses data into a node tree and returns the top mapping.
func parseYAML(file string, data []byte) (top *yaml.Node, err error) {
	var root, second yaml.Node
	func() {
		defer func() {
			if r := recover(); r != nil {
				err = inputErr(file, 0, 0, "", "the YAML parser failed on this input (%v): check the syntax", r)
			}
		}()
		dec := yaml.NewDecoder(bytes.NewReader(data))
		if err = dec.Decode(&root); err == io.EOF {
			err = nil
			return
		}
		if err == nil {
			if err = dec.Decode(&second); err == io.EOF {
				err = nil
			} else if err == nil {
				line := second.Line
				if len(second.Content) > 0 {
					line = second.Content[0].Line
				}
				err = inputErr(file, line, 0, "", "a second YAML document starts here: a manifest is one document; remove the '---' line and merge the sections")
			}
		}
	}()
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) {
			return nil, ie
		}
		return nil, yamlSyntax(file, data, err)
	}
	if root.Kind == 0 || (root.Kind == yaml.DocumentNode && len(root.Content) == 0) {
		return nil, inputErr(file, 1, 0, "", "the manifest is empty: start from the output of `iotguard init`, which writes a commented example")
	}
	top = &root
	if top.Kind == yaml.DocumentNode {
		top = top.Content[0]
	}
	for top.Kind == yaml.AliasNode && top.Alias != nil {
		top = top.Alias
	}
	if top.Kind != yaml.MappingNode {
		what := "a list"
		if top.Kind == yaml.ScalarNode {
			what = "the value " + q(top.Value)
		}
		return nil, inputErr(file, top.Line, top.Column, "", "expected a mapping of sections (version, name, organization, models, ...), got %s", what)
	}
	return top, nil
}

// yamlSyntax turns a yaml.v3 syntax error into a positioned problem with a
// hint.
func yamlSyntax(file string, data []byte, err error) error {
	var ps problems
	ps.addErr(file, strictyamlSyntax(file, err))
	lines := bytes.Split(data, []byte("\n"))
	for _, p := range ps.list {
		tabbed := p.Line > 0 && p.Line <= len(lines) && bytes.Contains(lines[p.Line-1], []byte("\t"))
		switch {
		case strings.Contains(p.Msg, "tab") || (tabbed && strings.Contains(p.Msg, "cannot start any token")):
			p.Msg += ": YAML indents with spaces only; replace the tabs with spaces"
		case strings.Contains(p.Msg, "mapping values are not allowed"):
			p.Msg += ": a value containing \": \" must be quoted, or the indentation is off"
		case strings.Contains(p.Msg, "did not find expected"):
			p.Msg += ": a bracket, brace or quote is not closed, or the indentation is off"
		case strings.Contains(p.Msg, "invalid leading UTF-8") || strings.Contains(p.Msg, "invalid UTF-8") || strings.Contains(p.Msg, "invalid Unicode"):
			p.Msg += ": save the file as UTF-8"
		}
	}
	return ps.err()
}

// parserMessages are yaml.v3's parser error messages, whose line numbers
// are 0-based (its scanner errors are 1-based).
var parserMessages = []string{
	"did not find expected ',' or ']'", "did not find expected ',' or '}'", "did not find expected '-' indicator",
	"did not find expected <document start>", "did not find expected <stream-start>", "did not find expected key",
	"did not find expected node content", "found duplicate %TAG directive", "found duplicate %YAML directive",
	"found incompatible YAML document", "found undefined tag handle",
}

// strictyamlSyntax reuses strictyaml's conversion of yaml.v3 messages
// ("yaml: line N: ...") into positioned errors.
func strictyamlSyntax(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	var line int
	if n, _ := fmt.Sscanf(msg, "line %d:", &line); n == 1 {
		_, rest, _ := strings.Cut(msg, ": ")
		for _, pm := range parserMessages {
			if strings.HasPrefix(rest, pm) {
				// yaml.v3 reports parser (not scanner) errors with a
				// 0-based line.
				line++
				break
			}
		}
		return &Problem{File: file, Line: line, Msg: rest}
	}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		var ps problems
		for _, m := range te.Errors {
			ps.add(strictyamlSyntax(file, errors.New(m)).(*Problem))
		}
		return ps.err()
	}
	return &Problem{File: file, Msg: msg}
}

// jsonSyntax reports a JSON syntax error with its line and column.
func jsonSyntax(file string, data []byte) error {
	var v any
	dec := json.NewDecoder(strings.NewReader(string(data)))
	err := dec.Decode(&v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			off := int(dec.InputOffset())
			line, col := lineCol(data, off)
			return inputErr(file, line, col, "", "unexpected data after the top-level JSON object: a manifest is one object")
		}
		return nil
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line, col := lineCol(data, int(se.Offset))
		return inputErr(file, line, col, "", "invalid JSON: %s (look for a missing comma, quote or brace just before this point)", strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		line, col := lineCol(data, len(data))
		if len(strings.TrimSpace(string(data))) == 0 {
			return inputErr(file, 1, 0, "", "the manifest is empty: start from the output of `iotguard init`")
		}
		return inputErr(file, line, col, "", "invalid JSON: the document ends early (an object or string is not closed)")
	}
	return inputErr(file, 0, 0, "", "invalid JSON: %v", err)
}

// jsonEscapesForYAML rewrites the two JSON string escapes that YAML lacks
// or reads differently, so valid JSON parses as YAML: "\/" becomes "/", and
// a UTF-16 surrogate pair "\ud83d\ude00" becomes "\U0001f600" (a lone
// surrogate becomes U+FFFD, as encoding/json reads it).
func jsonEscapesForYAML(data []byte) []byte {
	if !bytes.Contains(data, []byte(`\`)) {
		return data
	}
	out := make([]byte, 0, len(data))
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case !inString:
			if c == '"' {
				inString = true
			}
			out = append(out, c)
		case c == '"':
			inString = false
			out = append(out, c)
		case c == '\\' && i+1 < len(data):
			switch data[i+1] {
			case '/':
				out = append(out, '/')
				i++
			case 'u':
				r1, ok1 := hex4(data, i+2)
				switch {
				case !ok1 || !utf16.IsSurrogate(r1):
					out = append(out, data[i:i+2]...)
					i++
				default:
					r2, ok2 := rune(0), false
					if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
						r2, ok2 = hex4(data, i+8)
					}
					if r := utf16.DecodeRune(r1, r2); ok2 && r != utf8.RuneError {
						out = fmt.Appendf(out, `\U%08x`, r)
						i += 11
					} else {
						out = append(out, `\ufffd`...)
						i += 5
					}
				}
			default:
				out = append(out, c, data[i+1])
				i++
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

func hex4(data []byte, i int) (rune, bool) {
	if i+4 > len(data) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(data[i:i+4]), 16, 32)
	return rune(v), err == nil
}

// lineCol converts a byte offset into a 1-based line and column.
func lineCol(data []byte, off int) (line, col int) {
	if off > len(data) {
		off = len(data)
	}
	line, col = 1, 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}
