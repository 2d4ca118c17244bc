package manifest

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/iotguard/iotguard/internal/atomicfile"
	"github.com/iotguard/iotguard/model"
)

// WriteOptions tune Write.
type WriteOptions struct {
	// DevicesFile, when set (e.g. "devices.jsonl"), is the side file the
	// devices are written to as JSON lines, relative to the folder; the
	// manifest then says devices: {file: ...}. Empty writes them inline.
	DevicesFile string
	// DevicesWritten says the caller streams the devices into DevicesFile
	// itself (large generated fleets); Write then only references it.
	DevicesWritten bool
	// Header is an optional comment written at the top of the manifest
	// (without the leading "# ").
	Header string
}

// Write writes dir/iotguard.yaml (and the devices side file, if any),
// each atomically. Fields with zero values are left out; they load back
// as the same zero values. The folder is created if needed.
func Write(dir string, sol *model.Solution, devices []model.Device, opts WriteOptions) error {
	if sol == nil {
		return fmt.Errorf("write manifest: no solution")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write manifest: %w", err)
	}
	if opts.DevicesFile != "" {
		switch strings.ToLower(filepath.Ext(opts.DevicesFile)) {
		case ".jsonl", ".ndjson":
		default:
			return fmt.Errorf("write manifest: devices side file %q must be named .jsonl (devices are written as JSON lines)", opts.DevicesFile)
		}
		if _, msg := localPath(opts.DevicesFile); msg != "" {
			return fmt.Errorf("write manifest: devices side file %q %s: use a name inside the folder", opts.DevicesFile, msg)
		}
		side := filepath.Join(dir, filepath.FromSlash(opts.DevicesFile))
		if err := os.MkdirAll(filepath.Dir(side), 0o755); err != nil {
			return fmt.Errorf("write manifest: %w", err)
		}
		var err error
		if !opts.DevicesWritten {
			err = atomicfile.Write(side, 0o644, func(w io.Writer) error {
				return WriteJSONL(w, devices)
			})
		}
		if err != nil {
			return err
		}
	}
	data, err := render(sol, devices, opts)
	if err != nil {
		return err
	}
	return atomicfile.WriteBytes(filepath.Join(dir, FileName), 0o644, data)
}

// WriteJSONL writes devices as JSON lines, the side-file format.
func WriteJSONL(w io.Writer, devices []model.Device) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range devices {
		if err := enc.Encode(&devices[i]); err != nil {
			return fmt.Errorf("device %s: %w", q(devices[i].ID), err)
		}
	}
	return bw.Flush()
}

// render produces the manifest YAML.
func render(sol *model.Solution, devices []model.Device, opts WriteOptions) ([]byte, error) {
	root := encodeNode(reflect.ValueOf(sol).Elem())
	if root == nil {
		root = &yaml.Node{Kind: yaml.MappingNode}
	}
	switch {
	case opts.DevicesFile != "":
		root.Content = append(root.Content, keyNode("devices"), &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{
			keyNode("file"), strNode(opts.DevicesFile),
		}})
	case len(devices) > 0:
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for i := range devices {
			n := encodeNode(reflect.ValueOf(&devices[i]).Elem())
			if n == nil {
				n = &yaml.Node{Kind: yaml.MappingNode}
			}
			seq.Content = append(seq.Content, n)
		}
		root.Content = append(root.Content, keyNode("devices"), seq)
	}
	header := "iotguard solution manifest, format version 1 (docs/manifest.md).\n" +
		"Editor completion: iotguard schema manifest > iotguard.schema.json"
	if opts.Header != "" {
		header = opts.Header + "\n" + header
	}
	root.HeadComment = header
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("write manifest: %w", err)
	}
	return buf.Bytes(), nil
}

func keyNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
func strNode(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

var textMarshaler = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()

// encodeNode encodes v by its yaml tags. Struct fields with zero values are
// left out (nil is returned for a struct with nothing set); pointers that
// are set, map values and list elements are always written, so that e.g.
// authenticated: false and a setting turned off survive.
func encodeNode(v reflect.Value) *yaml.Node {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		n := encodeNode(v.Elem())
		if n == nil && v.Elem().Kind() == reflect.Struct {
			n = &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
		}
		return n
	}
	if v.Type().Implements(textMarshaler) {
		b, err := v.Interface().(encoding.TextMarshaler).MarshalText()
		if err != nil || len(b) == 0 {
			return nil
		}
		if _, ok := v.Interface().(model.Timestamp); ok {
			// Plain, so dates read as dates: 2026-03-01.
			return &yaml.Node{Kind: yaml.ScalarNode, Value: string(b)}
		}
		return strNode(string(b))
	}
	switch v.Kind() {
	case reflect.Struct:
		m := &yaml.Node{Kind: yaml.MappingNode}
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = strings.ToLower(f.Name)
			}
			fv := v.Field(i)
			if fv.Kind() != reflect.Pointer && fv.IsZero() {
				continue
			}
			if (fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0 {
				continue
			}
			n := encodeNode(fv)
			if n == nil {
				continue
			}
			m.Content = append(m.Content, keyNode(name), n)
		}
		if len(m.Content) == 0 {
			return nil
		}
		return m
	case reflect.Slice, reflect.Array:
		s := &yaml.Node{Kind: yaml.SequenceNode}
		for i := 0; i < v.Len(); i++ {
			n := encodeNode(v.Index(i))
			if n == nil {
				n = emptyOf(v.Index(i))
			}
			s.Content = append(s.Content, n)
		}
		if isScalarSeq(s) {
			s.Style = yaml.FlowStyle
		}
		return s
	case reflect.Map:
		keys := v.MapKeys()
		sort.Slice(keys, func(i, j int) bool {
			a, b := keys[i].String(), keys[j].String()
			if v.Type().Key() == reflect.TypeOf(model.Stakeholder("")) {
				// Roles in the standard's order: ISD, ISP, IU, IDD.
				ia, ib := slices.Index(model.Stakeholders, model.Stakeholder(a)), slices.Index(model.Stakeholders, model.Stakeholder(b))
				if ia != ib {
					return uint(ia) < uint(ib) // unknown roles (-1) last
				}
			}
			return a < b
		})
		m := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range keys {
			n := encodeNode(v.MapIndex(k))
			if n == nil {
				n = emptyOf(v.MapIndex(k))
			}
			m.Content = append(m.Content, keyNode(k.String()), n)
		}
		return m
	case reflect.String:
		return strNode(v.String())
	case reflect.Bool:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(v.Bool())}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(v.Int(), 10)}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(v.Uint(), 10)}
	case reflect.Float32, reflect.Float64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: strconv.FormatFloat(v.Float(), 'g', -1, 64)}
	}
	return nil
}

// emptyOf is the node for a zero list element or map value.
func emptyOf(v reflect.Value) *yaml.Node {
	if v.Type().Implements(textMarshaler) {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	switch v.Kind() {
	case reflect.Struct, reflect.Map:
		return &yaml.Node{Kind: yaml.MappingNode, Style: yaml.FlowStyle}
	case reflect.Slice, reflect.Array:
		return &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
}

func isScalarSeq(s *yaml.Node) bool {
	if len(s.Content) == 0 || len(s.Content) > 8 {
		return len(s.Content) == 0
	}
	for _, c := range s.Content {
		if c.Kind != yaml.ScalarNode || len(c.Value) > 30 || strings.ContainsAny(c.Value, "\n\"'") {
			return false
		}
	}
	return true
}
