package server

import (
	"bufio"
	"bytes"
	"encoding"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// maxImportLine bounds one JSON line or CSV record, so a body without
// newlines cannot make the server buffer it whole.
const maxImportLine = 1 << 20

// maxDeviceID bounds device IDs, which end up in URLs and indexes.
const maxDeviceID = 256

// deviceDecoder yields devices from an import body one at a time. After
// next returns false, err holds the reason when it was not the end of the
// stream.
type deviceDecoder struct {
	line int
	err  error
	read func() (model.Device, bool, error)
}

func newDeviceDecoder(r io.Reader, format string) (*deviceDecoder, error) {
	d := &deviceDecoder{}
	br := bufio.NewReaderSize(r, 64<<10)
	if format == "csv" {
		c, err := newCSVDevices(br)
		if err != nil {
			return nil, err
		}
		d.read = func() (model.Device, bool, error) { return c.next(&d.line) }
	} else {
		d.read = func() (model.Device, bool, error) { return nextJSONDevice(br, &d.line) }
	}
	return d, nil
}

// next is the store's pull function.
func (d *deviceDecoder) next() (model.Device, bool, error) {
	dev, ok, err := d.read()
	if err == nil && ok {
		err = checkDevice(&dev)
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if !errors.As(err, &mbe) {
			err = badRequest("line %d: %v", d.line, err)
		}
		d.err = err
		return model.Device{}, false, err
	}
	return dev, ok, nil
}

func checkDevice(d *model.Device) error {
	switch {
	case strings.TrimSpace(d.ID) == "":
		return errors.New("id is required")
	case len(d.ID) > maxDeviceID:
		return fmt.Errorf("id is longer than %d bytes", maxDeviceID)
	case strings.TrimSpace(d.Model) == "":
		return errors.New("model is required")
	}
	return nil
}

// readLine reads one line without its newline, failing on lines longer
// than maxImportLine.
func readLine(br *bufio.Reader) ([]byte, error) {
	var buf []byte
	for {
		chunk, err := br.ReadSlice('\n')
		buf = append(buf, chunk...)
		if len(buf) > maxImportLine {
			return nil, fmt.Errorf("line is longer than %d bytes", maxImportLine)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF && len(buf) > 0 {
			return bytes.TrimRight(buf, "\r\n"), nil
		}
		if err != nil {
			return nil, err
		}
		return bytes.TrimRight(buf, "\r\n"), nil
	}
}

// nextJSONDevice decodes the next non-blank line as one device; unknown
// fields are errors, as in the CLI's inventory files.
func nextJSONDevice(br *bufio.Reader, line *int) (model.Device, bool, error) {
	for {
		b, err := readLine(br)
		if err == io.EOF {
			return model.Device{}, false, nil
		}
		*line++
		if err != nil {
			return model.Device{}, false, err
		}
		if len(bytes.TrimSpace(b)) == 0 {
			continue
		}
		var d model.Device
		if model.DecodeDeviceJSON(b, &d) {
			return d, true, nil
		}
		d = model.Device{}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&d); err != nil {
			return model.Device{}, false, jsonLineError(err)
		}
		if dec.More() {
			return model.Device{}, false, errors.New("more than one JSON value on the line")
		}
		return d, true, nil
	}
}

func jsonLineError(err error) error {
	var ae *apiError
	if errors.As(jsonError(err), &ae) {
		return errors.New(ae.msg)
	}
	return err
}

// csvDevices reads devices from CSV with a header row. Columns are the
// device's JSON field names; certificate.FIELD and settings.NAME address
// the nested certificate and the settings. Nested lists (ports) need JSON
// lines.
type csvDevices struct {
	r    *csv.Reader
	cols []csvSetter
}

type csvSetter func(d *model.Device, cell string) error

func newCSVDevices(r io.Reader) (*csvDevices, error) {
	cr := csv.NewReader(&capReader{r: r})
	cr.ReuseRecord = true
	cr.FieldsPerRecord = 0
	header, err := cr.Read()
	if err == io.EOF {
		return &csvDevices{r: cr}, nil
	}
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, err
		}
		return nil, badRequest("CSV header: %v", err)
	}
	c := &csvDevices{r: cr}
	var problems []string
	for _, h := range header {
		set, err := csvColumn(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if err != nil {
			problems = append(problems, err.Error())
		}
		c.cols = append(c.cols, set)
	}
	if len(problems) > 0 {
		return nil, &apiError{status: http.StatusBadRequest, code: codeBadRequest, msg: "CSV header: unknown columns", details: append(problems, "valid columns: "+strings.Join(csvColumnNames(), ", ")+", settings.NAME")}
	}
	return c, nil
}

func (c *csvDevices) next(line *int) (model.Device, bool, error) {
	rec, err := c.r.Read()
	if err == io.EOF {
		return model.Device{}, false, nil
	}
	if err != nil {
		// FieldPos is only defined after a record was read; a parse
		// error carries its own line.
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			*line = pe.Line
		}
		return model.Device{}, false, err
	}
	*line, _ = c.r.FieldPos(0)
	var d model.Device
	for i, cell := range rec {
		if cell = strings.TrimSpace(cell); cell == "" {
			continue
		}
		if err := c.cols[i](&d, cell); err != nil {
			return model.Device{}, false, err
		}
	}
	return d, true, nil
}

// capReader fails a CSV record that runs past maxImportLine without a
// newline, which encoding/csv would otherwise buffer whole.
type capReader struct {
	r   io.Reader
	run int // bytes since the last newline
}

func (c *capReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if i := bytes.LastIndexByte(p[:n], '\n'); i >= 0 {
		c.run = n - i - 1
	} else {
		c.run += n
	}
	if c.run > maxImportLine {
		return n, fmt.Errorf("a CSV record is longer than %d bytes", maxImportLine)
	}
	return n, err
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

// fieldsByJSON maps a struct's JSON names to field indexes.
func fieldsByJSON(t reflect.Type) map[string]int {
	out := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = i
		}
	}
	return out
}

var (
	deviceFields = fieldsByJSON(reflect.TypeFor[model.Device]())
	certFields   = fieldsByJSON(reflect.TypeFor[model.Certificate]())
)

// csvColumn returns the setter for one header name.
func csvColumn(name string) (csvSetter, error) {
	if setting, ok := strings.CutPrefix(name, "settings."); ok && setting != "" {
		return func(d *model.Device, cell string) error {
			v, err := strconv.ParseBool(cell)
			if err != nil {
				return fmt.Errorf("%s: %q is not true or false", name, cell)
			}
			if d.Settings == nil {
				d.Settings = map[string]bool{}
			}
			d.Settings[setting] = v
			return nil
		}, nil
	}
	if f, ok := strings.CutPrefix(name, "certificate."); ok {
		i, ok := certFields[f]
		if !ok || !scalar(reflect.TypeFor[model.Certificate]().Field(i).Type) {
			return nil, fmt.Errorf("%q is not a certificate column", name)
		}
		return func(d *model.Device, cell string) error {
			if d.Certificate == nil {
				d.Certificate = &model.Certificate{}
			}
			return setScalar(reflect.ValueOf(d.Certificate).Elem().Field(i), name, cell)
		}, nil
	}
	i, ok := deviceFields[name]
	if !ok || !scalar(reflect.TypeFor[model.Device]().Field(i).Type) {
		return nil, fmt.Errorf("%q is not a device column", name)
	}
	return func(d *model.Device, cell string) error {
		return setScalar(reflect.ValueOf(d).Elem().Field(i), name, cell)
	}, nil
}

// scalar reports whether a field fits in one CSV cell.
func scalar(t reflect.Type) bool {
	if reflect.PointerTo(t).Implements(textUnmarshaler) {
		return true
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Int:
		return true
	}
	return false
}

func setScalar(v reflect.Value, name, cell string) error {
	if u, ok := v.Addr().Interface().(encoding.TextUnmarshaler); ok {
		if err := u.UnmarshalText([]byte(cell)); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(cell)
	case reflect.Bool:
		b, err := strconv.ParseBool(cell)
		if err != nil {
			return fmt.Errorf("%s: %q is not true or false", name, cell)
		}
		v.SetBool(b)
	case reflect.Int:
		n, err := strconv.Atoi(cell)
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", name, cell)
		}
		v.SetInt(int64(n))
	}
	return nil
}

func csvColumnNames() []string {
	var out []string
	dt, ct := reflect.TypeFor[model.Device](), reflect.TypeFor[model.Certificate]()
	for n, i := range deviceFields {
		if scalar(dt.Field(i).Type) {
			out = append(out, n)
		}
	}
	for n, i := range certFields {
		if scalar(ct.Field(i).Type) {
			out = append(out, "certificate."+n)
		}
	}
	slices.Sort(out)
	return out
}
