// Package azureiot reads Azure IoT Hub device registries into iotguard
// evidence (model.CloudThing). It accepts:
//
//   - one device twin JSON object (az iot hub device-twin show) or device
//     identity (az iot hub device-identity show);
//   - a JSON array of them (az iot hub device-twin list, device-identity
//     list, the twin query REST API);
//   - JSON lines, one device per line: the devices blob of an IoT Hub
//     export job (ExportDevicesAsync, az iot hub device-identity export).
//
// The package is a pure reader: bytes in, model values out, no network.
// Symmetric keys, connection strings, SAS tokens and other secrets are
// dropped on read and never appear in results or error messages.
package azureiot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// MaxSize is the largest input Parse accepts: an export of a few hundred
// thousand devices with their twins.
const MaxSize = 256 << 20

// MaxLineSize is the longest line of JSON lines input. One device with its
// twin stays far below it (IoT Hub caps tags and each property section at
// 32 KiB).
const MaxLineSize = 1 << 20

// Limits; tests lower them.
var (
	maxSize     int64 = MaxSize
	maxLineSize       = MaxLineSize
)

// Provider is the CloudThing provider name.
const Provider = "azure-iot-hub"

// Input kinds, as Result.Kind reports them.
const (
	KindTwin      = "device-twin"      // one pretty-printed JSON object
	KindTwinList  = "device-twin-list" // a JSON array of twins or identities
	KindJSONLines = "json-lines"       // one device per line (IoT Hub export)
)

// Result is what one Azure IoT Hub file holds.
type Result struct {
	Kind   string             `json:"kind"`
	Things []model.CloudThing `json:"things"`
	// Notes say what was dropped on read (keys, secrets, oversize values,
	// module twins), in counts only; they never quote the dropped data.
	Notes []string `json:"notes,omitempty"`
}

// ParseFile reads one Azure IoT Hub file.
func ParseFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads device twins or an IoT Hub export; name is the file name for
// messages. The shape is detected from the content: a first non-blank line
// that is a complete JSON object means JSON lines, '[' an array of twins,
// anything else one (pretty-printed) twin.
func Parse(name string, r io.Reader) (*Result, error) {
	lr := &io.LimitedReader{R: r, N: maxSize + 1}
	p := &parser{file: name}
	head, eof, err := readHead(lr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", safetext.Escape(name, 300), err)
	}
	skip := 0
	if bytes.HasPrefix(head, bom) {
		skip = len(bom)
	}
	if len(bytes.TrimSpace(head[skip:])) == 0 && eof {
		return nil, formatErr(name, "", "the file is empty: expected a device twin, an array of twins or JSON lines (IoT Hub export)")
	}
	shape := detect(head[skip:], eof)
	if shape == lines {
		br := bufio.NewReaderSize(io.MultiReader(bytes.NewReader(head[skip:]), lr), 4096)
		return p.finish(p.jsonLines(br, lr))
	}
	data, err := io.ReadAll(io.MultiReader(bytes.NewReader(head), lr))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", safetext.Escape(name, 300), err)
	}
	if int64(len(data)) > maxSize {
		return nil, tooLarge(name)
	}
	data = data[skip:]
	// The first line was longer than the peek: decide on the whole input.
	if shape == unknown && detect(data, true) == lines {
		mr := &io.LimitedReader{R: bytes.NewReader(data), N: maxSize + 1}
		return p.finish(p.jsonLines(bufio.NewReaderSize(mr, 4096), mr))
	}
	return p.finish(p.document(data))
}

// peekSize is how much input Parse reads to tell JSON lines from a
// document; longer first lines are decided after reading everything.
const peekSize = 64 << 10

// readHead reads until the first non-blank line is complete, peekSize
// bytes were read, or the input ends (eof). It allocates no more than the
// input needs, so small files stay cheap.
func readHead(r io.Reader) (head []byte, eof bool, err error) {
	buf := make([]byte, 0, 512)
	started := false
	for scanned, empty := 0, 0; len(buf) < peekSize; {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		end := min(cap(buf), peekSize)
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, true, nil
		}
		if err != nil {
			return nil, false, err
		}
		// As bufio does: a reader that never returns data nor an error.
		if n > 0 {
			empty = 0
		} else if empty++; empty >= 100 {
			return nil, false, io.ErrNoProgress
		}
		for ; scanned < len(buf); scanned++ {
			c := buf[scanned]
			switch {
			case !started:
				// A BOM counts as blank here.
				started = !isSpace(c) && !(scanned < len(bom) && c == bom[scanned])
			case c == '\n':
				return buf, false, nil
			}
		}
	}
	return buf, false, nil
}

var bom = []byte("\xef\xbb\xbf")

type shape int

const (
	document shape = iota
	lines
	unknown
)

// detect tells JSON lines (the first non-blank line is a complete JSON
// object) from a document; complete says b is the whole input.
func detect(b []byte, complete bool) shape {
	b = bytes.TrimLeft(b, " \t\r\n")
	if len(b) == 0 {
		if complete {
			return document
		}
		return unknown
	}
	if b[0] != '{' {
		return document
	}
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		if complete {
			return document // one line: a single twin
		}
		return unknown
	}
	if json.Valid(b[:i]) {
		return lines
	}
	return document
}

// finish adds the notes to a result.
func (p *parser) finish(res *Result, err error) (*Result, error) {
	if err != nil {
		return nil, err
	}
	res.Notes = p.notes()
	return res, nil
}

func tooLarge(name string) error {
	return inputerr.Escaped(inputerr.TooLarge(ErrFormat, ErrTooLarge, name, maxSize,
		": split it into several files (for an export in JSON lines, e.g. split -l 100000 devices.txt part-)"))
}

// document reads one twin object or an array of twins.
func (p *parser) document(data []byte) (*Result, error) {
	if !json.Valid(data) {
		var raw json.RawMessage
		err := json.Unmarshal(data, &raw)
		var se *json.SyntaxError
		if errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value") {
			line, col := inputerr.Position(data, se.Offset-1)
			return nil, &FormatError{Name: p.file, Line: line, Col: col, Msg: "a second JSON document follows the first: put several twins in one JSON array, or one device per line (JSON lines)", Kind: ErrFormat, Escape: true}
		}
		return nil, syntaxErr(p.file, data, err)
	}
	trimmed := bytes.TrimSpace(data)
	switch trimmed[0] {
	case '{':
		t, err := p.decodeDevice(data, "")
		if err != nil {
			return nil, err
		}
		res := &Result{Kind: KindTwin}
		if ct, ok := p.thing(t); ok {
			res.Things = append(res.Things, ct)
		}
		return res, p.err
	case '[':
		return p.array(data)
	}
	return nil, formatErr(p.file, "", "expected a device twin object, an array of twins (az iot hub device-twin list) or JSON lines (IoT Hub export), got %s", inputerr.DescribeJSON(trimmed))
}

// array streams the elements of a JSON array of twins, positioning errors
// by the line where the element starts.
func (p *parser) array(data []byte) (*Result, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // '[', already validated
		return nil, syntaxErr(p.file, data, err)
	}
	res := &Result{Kind: KindTwinList, Things: []model.CloudThing{}}
	for i := 0; dec.More(); i++ {
		off := int(dec.InputOffset())
		for off < len(data) && (data[off] == ',' || isSpace(data[off])) {
			off++
		}
		line, _ := inputerr.Position(data, int64(off))
		path := fmt.Sprintf("[%d]", i)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, syntaxErr(p.file, data, err)
		}
		if inputerr.DescribeJSON(raw) != "an object" {
			return nil, &FormatError{Name: p.file, Line: line, Path: path, Msg: "expected a device twin object, got " + inputerr.DescribeJSON(raw), Kind: ErrFormat, Escape: true}
		}
		p.line = line
		t, err := p.decodeDevice(raw, path)
		if err != nil {
			return nil, err
		}
		if ct, ok := p.thing(t); ok {
			res.Things = append(res.Things, ct)
		}
		if p.err != nil {
			return nil, p.err
		}
	}
	return res, nil
}

// jsonLines streams one device per line.
func (p *parser) jsonLines(br *bufio.Reader, lr *io.LimitedReader) (*Result, error) {
	res := &Result{Kind: KindJSONLines, Things: []model.CloudThing{}}
	var buf []byte
	for line := 1; ; line++ {
		b, err := readLine(br, &buf)
		if lr.N <= 0 {
			return nil, tooLarge(p.file)
		}
		if errors.Is(err, errLineTooLong) {
			return nil, &FormatError{Name: p.file, Line: line, Msg: fmt.Sprintf("the line is longer than the %d MiB limit for one device: each device must be one JSON object on one line", maxLineSize>>20), Kind: ErrFormat, Escape: true}
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("%s: %w", safetext.Escape(p.file, 300), err)
		}
		lead := len(b) - len(bytes.TrimLeft(b, " \t"))
		if b = bytes.TrimSpace(b); len(b) > 0 {
			p.line = line
			if b[0] != '{' {
				return nil, &FormatError{Name: p.file, Line: line, Col: lead + 1, Msg: "expected one device JSON object per line, got " + inputerr.DescribeJSON(b), Kind: ErrFormat, Escape: true}
			}
			if !json.Valid(b) {
				var raw json.RawMessage
				uerr := json.Unmarshal(b, &raw)
				var se *json.SyntaxError
				if errors.As(uerr, &se) {
					msg := strings.TrimPrefix(se.Error(), "json: ")
					if strings.Contains(msg, "after top-level value") {
						msg = "unexpected data after the device object: put each device on its own line"
					} else if msg == "unexpected end of JSON input" {
						msg = "the object is not closed: each device must be a complete JSON object on one line"
					} else {
						msg = "invalid JSON: " + msg + " (look for a missing comma, quote or brace)"
					}
					return nil, &FormatError{Name: p.file, Line: line, Col: lead + int(se.Offset), Msg: msg, Kind: ErrFormat, Escape: true}
				}
				return nil, &FormatError{Name: p.file, Line: line, Msg: "invalid JSON", Kind: ErrFormat, Escape: true}
			}
			t, derr := p.decodeDevice(b, "")
			if derr != nil {
				return nil, derr
			}
			if ct, ok := p.thing(t); ok {
				res.Things = append(res.Things, ct)
			}
			if p.err != nil {
				return nil, p.err
			}
		}
		if err == io.EOF {
			return res, nil
		}
	}
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its ending, at most maxLineSize
// bytes. The slice is valid until the next call.
func readLine(br *bufio.Reader, buf *[]byte) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		*buf = append((*buf)[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(*buf) > maxLineSize {
				return nil, errLineTooLong
			}
			line, err = br.ReadSlice('\n')
			*buf = append(*buf, line...)
		}
		line = *buf
	}
	line = bytes.TrimSuffix(line, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > maxLineSize {
		return nil, errLineTooLong
	}
	return line, err
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }
