package manifest

import (
	"encoding"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// csvSetter stores one non-empty cell into a device.
type csvSetter func(d *model.Device, s string) error

func str(f func(d *model.Device) *string) csvSetter {
	return func(d *model.Device, s string) error { *f(d) = s; return nil }
}

func text(f func(d *model.Device) encoding.TextUnmarshaler) csvSetter {
	return func(d *model.Device, s string) error { return f(d).UnmarshalText([]byte(s)) }
}

func boolean(f func(d *model.Device) *bool) csvSetter {
	return func(d *model.Device, s string) error {
		v, err := parseBool(s)
		*f(d) = v
		return err
	}
}

func integer(f func(d *model.Device) *int) csvSetter {
	return func(d *model.Device, s string) error {
		v, err := strconv.Atoi(s)
		if err != nil {
			return fmt.Errorf("expected a whole number, got %s", q(s))
		}
		*f(d) = v
		return nil
	}
}

func parseBool(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "true", "yes", "y", "1", "on":
		return true, nil
	case "false", "no", "n", "0", "off":
		return false, nil
	}
	return false, fmt.Errorf("expected true or false, got %s", q(s))
}

func cert(d *model.Device) *model.Certificate {
	if d.Certificate == nil {
		d.Certificate = &model.Certificate{}
	}
	return d.Certificate
}

// csvColumns are the CSV columns besides settings.NAME.
var csvColumns = map[string]csvSetter{
	"id":                 str(func(d *model.Device) *string { return &d.ID }),
	"serial":             str(func(d *model.Device) *string { return &d.Serial }),
	"model":              str(func(d *model.Device) *string { return &d.Model }),
	"firmware":           str(func(d *model.Device) *string { return &d.Firmware }),
	"mac":                str(func(d *model.Device) *string { return &d.MAC }),
	"ip":                 str(func(d *model.Device) *string { return &d.IP }),
	"hostname":           str(func(d *model.Device) *string { return &d.Hostname }),
	"mqtt_client_id":     str(func(d *model.Device) *string { return &d.MQTTClientID }),
	"lifecycle":          text(func(d *model.Device) encoding.TextUnmarshaler { return &d.Lifecycle }),
	"site":               str(func(d *model.Device) *string { return &d.Site }),
	"location":           text(func(d *model.Device) encoding.TextUnmarshaler { return &d.Location }),
	"zone":               str(func(d *model.Device) *string { return &d.Zone }),
	"last_seen":          text(func(d *model.Device) encoding.TextUnmarshaler { return &d.LastSeen }),
	"decommissioned":     text(func(d *model.Device) encoding.TextUnmarshaler { return &d.Decommissioned }),
	"wiped":              boolean(func(d *model.Device) *bool { return &d.Wiped }),
	"credentials":        text(func(d *model.Device) encoding.TextUnmarshaler { return &d.Credentials }),
	"owner":              str(func(d *model.Device) *string { return &d.Owner }),
	"safety_critical":    boolean(func(d *model.Device) *bool { return &d.SafetyCritical }),
	"reported_firmware":  str(func(d *model.Device) *string { return &d.ReportedFirmware }),
	"last_telemetry":     text(func(d *model.Device) encoding.TextUnmarshaler { return &d.LastTelemetry }),
	"clock_skew_seconds": integer(func(d *model.Device) *int { return &d.ClockSkewSeconds }),
	"tamper_events":      integer(func(d *model.Device) *int { return &d.TamperEvents }),
	"previous_identity":  str(func(d *model.Device) *string { return &d.PreviousIdentity }),
	"ports":              parsePortsCell,

	"certificate.file":                str(func(d *model.Device) *string { return &cert(d).File }),
	"certificate.fingerprint":         str(func(d *model.Device) *string { return &cert(d).Fingerprint }),
	"certificate.subject":             str(func(d *model.Device) *string { return &cert(d).Subject }),
	"certificate.issuer":              str(func(d *model.Device) *string { return &cert(d).Issuer }),
	"certificate.serial":              str(func(d *model.Device) *string { return &cert(d).Serial }),
	"certificate.not_before":          text(func(d *model.Device) encoding.TextUnmarshaler { return &cert(d).NotBefore }),
	"certificate.not_after":           text(func(d *model.Device) encoding.TextUnmarshaler { return &cert(d).NotAfter }),
	"certificate.key_type":            str(func(d *model.Device) *string { return &cert(d).KeyType }),
	"certificate.key_bits":            integer(func(d *model.Device) *int { return &cert(d).KeyBits }),
	"certificate.curve":               str(func(d *model.Device) *string { return &cert(d).Curve }),
	"certificate.signature_algorithm": str(func(d *model.Device) *string { return &cert(d).SignatureAlgorithm }),
	"certificate.self_signed":         boolean(func(d *model.Device) *bool { return &cert(d).SelfSigned }),
	"certificate.revoked":             boolean(func(d *model.Device) *bool { return &cert(d).Revoked }),
}

// CSVColumns lists the CSV column names in a stable order; settings.NAME
// columns (one per setting) come in addition.
func CSVColumns() []string {
	names := make([]string, 0, len(csvColumns))
	for n := range csvColumns {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		ci, cj := strings.HasPrefix(names[i], "certificate."), strings.HasPrefix(names[j], "certificate.")
		if ci != cj {
			return cj
		}
		return names[i] < names[j]
	})
	return names
}

const portsSyntax = "write PORT/PROTOCOL[/SERVICE[/FLAG...]] entries separated by ';', such as 443/tcp/https/tls;23/tcp/telnet (flags: tls, admin, auth, noauth, version=V)"

// parsePortsCell reads "443/tcp/https/tls;23/tcp/telnet".
func parsePortsCell(d *model.Device, s string) error {
	for _, e := range strings.Split(s, ";") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		parts := strings.Split(e, "/")
		n, err := strconv.Atoi(strings.TrimSpace(parts[0]))
		if err != nil || n <= 0 || n > 65535 {
			return fmt.Errorf("%s is not a port (1-65535): %s", q(parts[0]), portsSyntax)
		}
		p := model.Port{Port: n}
		if len(parts) > 1 {
			p.Protocol = strings.ToLower(strings.TrimSpace(parts[1]))
		}
		if len(parts) > 2 {
			p.Service = strings.TrimSpace(parts[2])
		}
		for _, f := range parts[min(3, len(parts)):] {
			f = strings.TrimSpace(f)
			switch {
			case f == "tls":
				p.TLS = true
			case f == "admin":
				p.Admin = true
			case f == "auth" || f == "noauth":
				v := f == "auth"
				p.Authenticated = &v
			case strings.HasPrefix(f, "version="):
				p.Version = strings.TrimPrefix(f, "version=")
			case f == "":
			default:
				return fmt.Errorf("unknown port flag %s in %s%s: %s", q(f), q(e), suggest.Hint(f, []string{"tls", "admin", "auth", "noauth", "version="}), portsSyntax)
			}
		}
		d.Ports = append(d.Ports, p)
	}
	return nil
}

// limitedReader fails once more than limit bytes have been read past mark,
// bounding the memory one CSV record can take.
type limitedReader struct {
	r     io.Reader
	n     int64 // bytes read so far
	limit int64 // fail when n exceeds this
}

var errRecordTooLong = errors.New("record too long")

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n > l.limit {
		return 0, errRecordTooLong
	}
	n, err := l.r.Read(p)
	l.n += int64(n)
	return n, err
}

// csvColumn is one column of the header.
type csvColumn struct {
	name    string
	set     csvSetter
	setting string // for settings.NAME
}

// csv streams devices from CSV with a header row of column names.
func (s *streamer) csv(r io.Reader) error {
	lr := &limitedReader{r: r, limit: MaxLineSize + 64<<10}
	cr := csv.NewReader(lr)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return nil // an empty file holds no devices
	}
	if err != nil {
		return s.csvError(err, lr)
	}
	cols, err := s.csvHeader(header)
	if err != nil {
		return err
	}
	cr.FieldsPerRecord = len(header)
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := s.ctx.Err(); err != nil {
				return err
			}
		}
		start := cr.InputOffset()
		lr.limit = start + MaxLineSize + 64<<10
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return s.csvError(err, lr)
		}
		line, _ := cr.FieldPos(0)
		if cr.InputOffset()-start > MaxLineSize {
			return inputErr(s.name, line, 0, "", "the record is longer than the %d MiB limit (an unclosed quote can cause this)", MaxLineSize>>20)
		}
		s.d = model.Device{}
		for i, cell := range rec {
			cell = strings.TrimSpace(cell)
			if cell == "" {
				continue
			}
			c := &cols[i]
			var err error
			if c.setting != "" {
				var v bool
				v, err = parseBool(cell)
				if err == nil {
					if s.d.Settings == nil {
						s.d.Settings = map[string]bool{}
					}
					s.d.Settings[c.setting] = v
				}
			} else {
				err = c.set(&s.d, cell)
			}
			if err != nil {
				l, col := cr.FieldPos(i)
				return inputErr(s.name, l, col, c.name, "%v", err)
			}
		}
		if err := s.emit(line); err != nil {
			return err
		}
	}
}

func (s *streamer) csvError(err error, lr *limitedReader) error {
	if errors.Is(err, errRecordTooLong) {
		return inputErr(s.name, 0, 0, "", "a record is longer than the %d MiB limit (an unclosed quote can cause this)", MaxLineSize>>20)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		switch {
		case errors.Is(pe.Err, csv.ErrFieldCount):
			msg = "wrong number of cells: every row needs one cell per header column (leave cells empty rather than out)"
		case errors.Is(pe.Err, csv.ErrBareQuote), errors.Is(pe.Err, csv.ErrQuote):
			msg += `: put cells containing quotes in double quotes and double the quotes inside ("a ""b"" c")`
		case errors.Is(pe.Err, errRecordTooLong):
			msg = fmt.Sprintf("a record is longer than the %d MiB limit (an unclosed quote can cause this)", MaxLineSize>>20)
		}
		return inputErr(s.name, pe.Line, pe.Column, "", "%s", msg)
	}
	return fmt.Errorf("read %s: %w", s.name, err)
}

// csvHeader maps the header row to columns.
func (s *streamer) csvHeader(header []string) ([]csvColumn, error) {
	cols := make([]csvColumn, len(header))
	seen := map[string]int{}
	known := append(CSVColumns(), "settings.NAME")
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff")
		}
		h = strings.TrimSpace(h)
		if to, ok := s.mapColumn(h); ok {
			h = to
		}
		name := h
		if low := strings.ToLower(h); !strings.HasPrefix(low, "settings.") {
			name = low
		} else {
			name = "settings." + h[len("settings."):]
		}
		col := i + 1
		if prev, dup := seen[name]; dup {
			return nil, inputErr(s.name, 1, col, name, "column %s appears twice (columns %d and %d): keep one", q(name), prev, col)
		}
		seen[name] = col
		switch {
		case strings.HasPrefix(name, "settings."):
			setting := strings.TrimPrefix(name, "settings.")
			if setting == "" {
				return nil, inputErr(s.name, 1, col, name, "settings column without a setting name: write settings.NAME, e.g. settings.telnet")
			}
			cols[i] = csvColumn{name: name, setting: setting}
		case csvColumns[name] != nil:
			cols[i] = csvColumn{name: name, set: csvColumns[name]}
		case name == "":
			return nil, inputErr(s.name, 1, col, "", "column %d has no name: every column needs a header (valid: %s)", col, strings.Join(known, ", "))
		default:
			return nil, inputErr(s.name, 1, col, name, "unknown column %s%s; valid columns: %s", q(h), suggest.Hint(h, known), strings.Join(known, ", "))
		}
	}
	for _, req := range []string{"id", "model"} {
		if _, ok := seen[req]; !ok {
			return nil, inputErr(s.name, 1, 0, "", "the header has no %s column: the first row must name the columns, including id and model", req)
		}
	}
	return cols, nil
}

// mapColumn translates another tool's header through the column mapping
// (header names compared without regard to case or surrounding blanks).
func (s *streamer) mapColumn(h string) (string, bool) {
	if len(s.columns) == 0 {
		return "", false
	}
	if to, ok := s.columns[h]; ok {
		return to, true
	}
	for from, to := range s.columns {
		if strings.EqualFold(strings.TrimSpace(from), h) {
			return to, true
		}
	}
	return "", false
}
