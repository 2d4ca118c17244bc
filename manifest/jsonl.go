package manifest

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its line ending, at most
// MaxLineSize bytes. The slice is valid until the next call.
func readLine(br *bufio.Reader, buf *[]byte) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		*buf = append((*buf)[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(*buf) > MaxLineSize {
				// Skip the rest of the line is not needed: the stream stops.
				return nil, errLineTooLong
			}
			line, err = br.ReadSlice('\n')
			*buf = append(*buf, line...)
		}
		line = *buf
	}
	if len(line) > MaxLineSize+2 {
		return nil, errLineTooLong
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > MaxLineSize {
		return nil, errLineTooLong
	}
	return line, err
}

var bom = []byte("\xef\xbb\xbf")

// jsonl streams one model.Device JSON object per line; blank lines are
// skipped.
func (s *streamer) jsonl(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	for line := 1; ; line++ {
		if line%1024 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		b, err := readLine(br, &buf)
		if errors.Is(err, errLineTooLong) {
			return inputErr(s.name, line, 0, "", "the line is longer than the %d MiB limit: each device must be one JSON object on one line", MaxLineSize>>20)
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read %s: %w", s.name, err)
		}
		if line == 1 {
			b = bytes.TrimPrefix(b, bom)
		}
		b = bytes.TrimSpace(b)
		if len(b) > 0 {
			if derr := s.decodeJSON(line, b); derr != nil {
				return derr
			}
			if ferr := s.emit(line); ferr != nil {
				return ferr
			}
		}
		if err == io.EOF {
			return nil
		}
	}
}

// decodeJSON decodes one line strictly into the reused device.
func (s *streamer) decodeJSON(line int, b []byte) error { return s.decodeJSONInto(line, b, &s.d) }

// decodeJSONInto decodes one line strictly into d, which it resets first.
func (s *streamer) decodeJSONInto(line int, b []byte, d *model.Device) error {
	if b[0] != '{' {
		return inputErr(s.name, line, 1, "", "expected a JSON object such as {\"id\": \"dev-1\", \"model\": \"cam\"}, got %s: write one device object per line", describeJSON(b))
	}
	*d = model.Device{}
	// Nearly every line of a large inventory takes the fast path; the
	// rest, and every bad line, go through encoding/json, which gives the
	// same device or the error to report.
	if s.transient {
		if s.dd.Decode(b, d) {
			return nil
		}
	} else if model.DecodeDeviceJSON(b, d) {
		return nil
	}
	*d = model.Device{}
	return decodeDeviceStrict(s.name, line, b, d, &s.rd)
}

// decodeDeviceStrict decodes one line with encoding/json: unknown fields
// are errors, an empty enum or date is unset.
func decodeDeviceStrict(name string, line int, b []byte, d *model.Device, rd *bytes.Reader) error {
	b = emptyTextToNull(b)
	rd.Reset(b)
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(d); err != nil {
		return jsonLineError(name, line, b, err)
	}
	if off := int(dec.InputOffset()); off < len(b) {
		for off < len(b) && isJSONSpace(b[off]) {
			off++
		}
		if off < len(b) {
			return inputErr(name, line, off+1, "", "unexpected data after the device object: put each device on its own line")
		}
	}
	return nil
}

// emptyAsNull holds the JSON names of the enum and date fields of a device
// and its certificate.
var emptyAsNull = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range []reflect.Type{reflect.TypeOf(model.Device{}), reflect.TypeOf(model.Certificate{})} {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if reflect.PointerTo(f.Type).Implements(textUnmarshaler) {
				name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
				m[name] = true
			}
		}
	}
	return m
}()

// emptyTextToNull rewrites "field": "" to "field": null for enum and date
// fields, so that an empty value reads as unset (as an empty CSV cell or
// an absent YAML field does) rather than failing: json.Marshal of a
// model.Device writes "lifecycle": "" when the state is unset. The line
// is copied only when it has such a member.
func emptyTextToNull(b []byte) []byte {
	if !bytes.Contains(b, []byte(`""`)) {
		return b
	}
	var out []byte
	last := 0
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte(`""`))
		if j < 0 {
			break
		}
		j += i
		i = j + 2
		k := j - 1
		for k >= 0 && isJSONSpace(b[k]) {
			k--
		}
		if k < 0 || b[k] != ':' {
			continue
		}
		e := k - 1
		for e >= 0 && isJSONSpace(b[e]) {
			e--
		}
		if e < 1 || b[e] != '"' {
			continue
		}
		start := bytes.LastIndexByte(b[:e], '"')
		if start < 0 || !emptyAsNull[string(b[start+1:e])] {
			continue
		}
		out = append(out, b[last:j]...)
		out = append(out, "null"...)
		last = j + 2
	}
	if out == nil {
		return b
	}
	return append(out, b[last:]...)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// jsonLineError positions a decoding error of one line: for type, value
// and unknown-field errors it re-examines the line to name the field path
// and suggest the nearest valid field.
func jsonLineError(name string, line int, b []byte, err error) error {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return inputErr(name, line, int(se.Offset), "", "invalid JSON: %s (look for a missing comma, quote or brace)", strings.TrimPrefix(se.Error(), "json: "))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return inputErr(name, line, len(b), "", "invalid JSON: the object is not closed: each device must be a complete JSON object on one line")
	}
	if path, msg, ok := locateJSON(b, reflect.TypeOf(model.Device{}), ""); ok {
		return inputErr(name, line, 0, path, "%s", msg)
	}
	return inputErr(name, line, 0, "", "%s", strings.TrimPrefix(err.Error(), "json: "))
}

// describeJSON names a JSON value for a message.
func describeJSON(b []byte) string {
	b = bytes.TrimSpace(b)
	if len(b) == 0 {
		return "nothing"
	}
	switch b[0] {
	case '"':
		var s string
		if json.Unmarshal(b, &s) == nil {
			return "the string " + q(s)
		}
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "a list"
	case 't', 'f':
		return "the boolean " + q(string(b))
	case 'n':
		return "null"
	}
	if len(b) > 0 && (b[0] == '-' || b[0] >= '0' && b[0] <= '9') && len(b) <= 40 && utf8.Valid(b) {
		return "the number " + string(b)
	}
	return q(string(b))
}

// kindName names what a Go type expects, for a message.
func kindName(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "a list"
	case reflect.Struct, reflect.Map:
		return "an object"
	}
	return t.String()
}

// jsonFields maps the JSON names of a struct's fields to the fields.
func jsonFields(t reflect.Type) (map[string]reflect.StructField, []string) {
	m := map[string]reflect.StructField{}
	var names []string
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f
		names = append(names, name)
	}
	sort.Strings(names)
	return m, names
}

// locateJSON finds the first problem that decoding data into t would hit
// and returns its field path and a message. It runs only after decoding
// failed, so it may be slow.
func locateJSON(data []byte, t reflect.Type, path string) (string, string, bool) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	data = bytes.TrimSpace(data)
	if len(data) == 0 || string(data) == "null" {
		return "", "", false
	}
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		if data[0] != '"' {
			return path, "expected a string, got " + describeJSON(data), true
		}
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return path, "invalid string: " + strings.TrimPrefix(err.Error(), "json: "), true
		}
		if err := reflect.New(t).Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return path, err.Error(), true
		}
		return "", "", false
	}
	switch t.Kind() {
	case reflect.Struct:
		if data[0] != '{' {
			return path, "expected an object, got " + describeJSON(data), true
		}
		fields, names := jsonFields(t)
		var bad struct {
			path, msg string
			ok        bool
		}
		eachMember(data, func(key string, raw []byte) bool {
			f, ok := fields[key]
			if !ok {
				for n, ff := range fields {
					if strings.EqualFold(n, key) {
						f, ok = ff, true
						break
					}
				}
			}
			if !ok {
				bad.path, bad.ok = joinPath(path, key), true
				bad.msg = fmt.Sprintf("unknown field %s%s; valid fields here: %s", q(key), suggest.Hint(key, names), strings.Join(names, ", "))
				return false
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			bad.path, bad.msg, bad.ok = locateJSON(raw, f.Type, joinPath(path, name))
			return !bad.ok
		})
		return bad.path, bad.msg, bad.ok
	case reflect.Map:
		if data[0] != '{' {
			return path, "expected an object, got " + describeJSON(data), true
		}
		var bad struct {
			path, msg string
			ok        bool
		}
		eachMember(data, func(key string, raw []byte) bool {
			bad.path, bad.msg, bad.ok = locateJSON(raw, t.Elem(), joinPath(path, key))
			return !bad.ok
		})
		return bad.path, bad.msg, bad.ok
	case reflect.Slice, reflect.Array:
		if data[0] != '[' {
			return path, "expected a list, got " + describeJSON(data), true
		}
		var raws []json.RawMessage
		if json.Unmarshal(data, &raws) != nil {
			return "", "", false
		}
		for i, raw := range raws {
			if p, m, ok := locateJSON(raw, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); ok {
				return p, m, true
			}
		}
		return "", "", false
	}
	if err := json.Unmarshal(data, reflect.New(t).Interface()); err != nil {
		return path, "expected " + kindName(t) + ", got " + describeJSON(data), true
	}
	return "", "", false
}

// eachMember calls fn for each member of a JSON object, in order, until fn
// returns false.
func eachMember(data []byte, fn func(key string, raw []byte) bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return
		}
		if !fn(key, raw) {
			return
		}
	}
}
