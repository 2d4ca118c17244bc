package azureiot

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/redact"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// Size caps of what one device keeps. IoT Hub caps tags and reported
// properties at 32 KiB each and nests at most 10 levels (5 in older hubs).
const (
	maxEntries  = 256  // flattened tags, and reported properties, per device
	maxKeyLen   = 256  // flattened key path, e.g. "location.building"
	maxValueLen = 1024 // one value
	maxDepth    = 10
	maxIDLen    = 1024 // deviceId, modelId... (IoT Hub: 128 bytes)
)

// present records whether a member was there without copying its content:
// used for keys, which must never be held in a string.
type present bool

func (p *present) UnmarshalJSON(b []byte) error {
	*p = present(len(b) > 0 && string(b) != "null" && string(b) != `""`)
	return nil
}

type thumbprints struct {
	Primary   *string `json:"primaryThumbprint"`
	Secondary *string `json:"secondaryThumbprint"`
}

// device is the union of a device twin, a device identity and a line of an
// IoT Hub export; unknown members (etag, version, capabilities...) are
// ignored. Symmetric keys are only detected, never read.
type device struct {
	DeviceID           string       `json:"deviceId"`
	ID                 string       `json:"id"` // export lines name the device "id"
	ModuleID           string       `json:"moduleId"`
	ModelID            string       `json:"modelId"`
	Status             string       `json:"status"`
	StatusReason       string       `json:"statusReason"`
	ConnectionState    string       `json:"connectionState"`
	LastActivityTime   string       `json:"lastActivityTime"`
	AuthenticationType string       `json:"authenticationType"`
	X509Thumbprint     *thumbprints `json:"x509Thumbprint"`
	Authentication     *struct {
		Type           string       `json:"type"`
		X509Thumbprint *thumbprints `json:"x509Thumbprint"`
		SymmetricKey   *struct {
			PrimaryKey   present `json:"primaryKey"`
			SecondaryKey present `json:"secondaryKey"`
		} `json:"symmetricKey"`
	} `json:"authentication"`
	Capabilities *struct {
		IotEdge bool `json:"iotEdge"`
	} `json:"capabilities"`
	Tags       json.RawMessage `json:"tags"`
	Properties *struct {
		Reported json.RawMessage `json:"reported"`
	} `json:"properties"`
}

// parser holds per-file state: the file name, the current line and what
// was dropped.
type parser struct {
	file string
	line int   // line of the current device (JSON lines and arrays), 0 when unknown
	err  error // the first error of thing()

	keys    int // devices whose symmetric keys were dropped
	secrets int // tag or reported values dropped or redacted as secrets
	long    int // values beyond the size caps
	modules int // module twins skipped
}

func (p *parser) notes() []string {
	var n []string
	if p.keys > 0 {
		n = append(n, fmt.Sprintf("the symmetric keys of %d device(s) were dropped and not kept (export with ExcludeKeys, e.g. az iot hub device-identity export --include-keys false, so that the file holds no keys)", p.keys))
	}
	if p.secrets > 0 {
		n = append(n, fmt.Sprintf("%d tag or reported value(s) that looked like secrets (connection strings, SAS tokens, passwords, private keys) were dropped or redacted", p.secrets))
	}
	if p.long > 0 {
		n = append(n, fmt.Sprintf("%d tag or reported value(s) beyond the size caps (%d entries, %d-byte names, %d-byte values, %d levels) were not kept", p.long, maxEntries, maxKeyLen, maxValueLen, maxDepth))
	}
	if p.modules > 0 {
		n = append(n, fmt.Sprintf("%d module twin(s) were skipped: iotguard reads device twins", p.modules))
	}
	return n
}

// errAt makes a positioned error for the current device.
func (p *parser) errAt(path, format string, args ...any) *FormatError {
	return &FormatError{Name: p.file, Line: p.line, Path: path, Msg: fmt.Sprintf(format, args...), Kind: ErrFormat, Escape: true}
}

// decodeDevice decodes one device object; path prefixes error paths.
func (p *parser) decodeDevice(b []byte, path string) (*device, error) {
	var d device
	if err := json.Unmarshal(b, &d); err != nil {
		e := typeErr(p.file, path, err)
		var fe *FormatError
		if asFormat(e, &fe) && fe.Line == 0 {
			fe.Line = p.line
		}
		return nil, e
	}
	return &d, nil
}

// thing turns a decoded device into a CloudThing; ok is false when the
// entry is skipped (module twins). Errors go to p.err.
func (p *parser) thing(d *device) (model.CloudThing, bool) {
	fail := func(e *FormatError) (model.CloudThing, bool) {
		p.err = e
		return model.CloudThing{}, false
	}
	if d.Authentication != nil && d.Authentication.SymmetricKey != nil &&
		(d.Authentication.SymmetricKey.PrimaryKey || d.Authentication.SymmetricKey.SecondaryKey) {
		p.keys++
	}
	if strings.TrimSpace(d.ModuleID) != "" {
		p.modules++
		return model.CloudThing{}, false
	}
	name, field := d.DeviceID, "deviceId"
	if strings.TrimSpace(name) == "" {
		name, field = d.ID, "id"
	}
	if strings.TrimSpace(name) == "" {
		return fail(p.errAt("", "the device has no deviceId (device twin) or id (export line)"))
	}
	for _, f := range []struct{ name, v string }{
		{field, name}, {"modelId", d.ModelID}, {"status", d.Status}, {"statusReason", d.StatusReason},
		{"connectionState", d.ConnectionState}, {"authenticationType", d.AuthenticationType},
	} {
		if len(f.v) > maxIDLen {
			return fail(p.errAt(f.name, "is %d bytes long, more than the %d-byte limit (IoT Hub allows 128)", len(f.v), maxIDLen))
		}
	}
	ct := model.CloudThing{
		Provider:        Provider,
		Name:            redact.String(name),
		Type:            redact.String(d.ModelID),
		Status:          redact.String(d.Status),
		ConnectionState: strings.ToLower(redact.String(d.ConnectionState)),
		AuthType:        redact.String(d.AuthenticationType),
		Source:          p.file,
	}
	if ct.AuthType == "" && d.Authentication != nil {
		ct.AuthType = redact.String(d.Authentication.Type)
	}
	if s := strings.TrimSpace(d.LastActivityTime); s != "" {
		ts, err := model.ParseTimestamp(s)
		if err != nil {
			return fail(p.errAt("lastActivityTime", "%s is not a time: expected ISO 8601 such as 2024-03-01T10:00:00.123Z", safetext.QuoteWithSize(s)))
		}
		// IoT Hub writes 0001-01-01T00:00:00Z for "never".
		if ts.Year() > 1 {
			ct.LastActivity = ts
		}
	}
	tps := []*thumbprints{d.X509Thumbprint}
	if d.Authentication != nil {
		tps = append(tps, d.Authentication.X509Thumbprint)
	}
	for i, tp := range tps {
		if tp == nil {
			continue
		}
		base := "x509Thumbprint"
		if i > 0 {
			base = "authentication.x509Thumbprint"
		}
		for _, v := range []struct {
			field string
			s     *string
		}{{"primaryThumbprint", tp.Primary}, {"secondaryThumbprint", tp.Secondary}} {
			if v.s == nil || strings.TrimSpace(*v.s) == "" {
				continue
			}
			norm, ok := thumbprint(*v.s)
			if !ok {
				// Not quoted: a misplaced key could sit here.
				return fail(p.errAt(base+"."+v.field, "is not a hexadecimal SHA-1 or SHA-256 thumbprint (%d characters; expected 40 or 64 hex digits)", len(*v.s)))
			}
			if !contains(ct.Thumbprints, norm) {
				ct.Thumbprints = append(ct.Thumbprints, norm)
			}
		}
	}
	attrs, tagFW, err := p.flatten("tags", d.Tags)
	if err != nil {
		return fail(err)
	}
	var reported map[string]string
	var fw string
	if d.Properties != nil {
		if reported, fw, err = p.flatten("properties.reported", d.Properties.Reported); err != nil {
			return fail(err)
		}
	}
	// The device's own report wins over a tag the back end set.
	if fw == "" {
		fw = tagFW
	}
	ct.FirmwareVersion = fw
	// Registry fields without a CloudThing field; '$' cannot start a tag
	// name, so these never collide with tags.
	if r := strings.TrimSpace(d.StatusReason); r != "" {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["$statusReason"] = redact.String(r)
	}
	if d.Capabilities != nil && d.Capabilities.IotEdge {
		if attrs == nil {
			attrs = map[string]string{}
		}
		attrs["$iotEdge"] = "true"
	}
	ct.Attributes, ct.ReportedSettings = attrs, reported
	return ct, true
}

// thumbprint normalises a certificate thumbprint to lower-case hex without
// separators; ok is false unless it is 40 (SHA-1) or 64 (SHA-256) digits.
func thumbprint(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':' || c == ' ' || c == '-':
			continue
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'f':
			b.WriteByte(c)
		case c >= 'A' && c <= 'F':
			b.WriteByte(c + 'a' - 'A')
		default:
			return "", false
		}
	}
	if n := b.Len(); n != 40 && n != 64 {
		return "", false
	}
	return b.String(), true
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// flatten turns a tags or reported-properties object into "a.b" -> text,
// keeping scalars only, dropping secrets, '$' metadata ($metadata,
// $version) and entries beyond the caps. It also returns the firmware
// version found under the common names.
func (p *parser) flatten(path string, raw json.RawMessage) (map[string]string, string, *FormatError) {
	switch inputerr.DescribeJSON(raw) {
	case "nothing", "null":
		return nil, "", nil
	case "an object":
	default:
		return nil, "", p.errAt(path, "expected an object, got %s", inputerr.DescribeJSON(raw))
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep numbers as written: 1.10 stays "1.10"
	var tree map[string]any
	if err := dec.Decode(&tree); err != nil {
		return nil, "", p.errAt(path, "%s", strings.TrimPrefix(err.Error(), "json: "))
	}
	f := flattener{p: p, out: map[string]string{}, fwRank: -1}
	f.walk("", tree, 1)
	if len(f.out) == 0 {
		return nil, f.fw, nil
	}
	return f.out, f.fw, nil
}

type flattener struct {
	p      *parser
	out    map[string]string
	fw     string
	fwRank int
}

func (f *flattener) walk(prefix string, obj map[string]any, depth int) {
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// $metadata, $version; __t marks a Plug and Play component.
		if strings.HasPrefix(k, "$") || k == "__t" {
			continue
		}
		if redact.SecretName(k) {
			f.p.secrets++
			continue
		}
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		switch v := obj[k].(type) {
		case map[string]any:
			if depth >= maxDepth {
				f.p.long++
				continue
			}
			f.walk(key, v, depth+1)
		case string:
			f.add(key, v)
		case json.Number:
			f.add(key, v.String())
		case bool:
			f.add(key, fmt.Sprint(v))
		}
		// Arrays and null are not scalars: not kept.
	}
}

func (f *flattener) add(key, v string) {
	if len(key) > maxKeyLen || len(v) > maxValueLen || len(f.out) >= maxEntries {
		f.p.long++
		return
	}
	if redact.SecretValue(v) {
		f.p.secrets++
		return
	}
	if r := redact.String(v); r != v {
		f.p.secrets++
		v = r
	}
	f.out[key] = v
	if r := firmwareRank(key); r >= 0 && v != "" && (f.fwRank < 0 || r < f.fwRank) {
		f.fw, f.fwRank = v, r
	}
}

// firmwareKeys rank the names of firmware versions: lower is more
// specific.
var firmwareKeys = map[string]int{
	"firmwareversion": 0, "fwversion": 0, "currentfwversion": 0, "firmwarever": 0, "fwver": 0,
	"firmware": 1, "firmwarerevision": 1, "firmwarerev": 1, "fwrevision": 1, "fwrev": 1,
	"fw": 2,
}

// firmwareRank ranks a flattened key: firmwareVersion, firmware.version,
// firmware.currentFwVersion (the Azure firmware update sample), fw, and
// last deviceInformation.swVersion (the Plug and Play DeviceInformation
// interface, "the version of the software or firmware"). -1: not firmware.
func firmwareRank(key string) int {
	segs := strings.Split(key, ".")
	last := redact.NormKey(segs[len(segs)-1])
	if r, ok := firmwareKeys[last]; ok {
		return r
	}
	if len(segs) >= 2 {
		parent := redact.NormKey(segs[len(segs)-2])
		if (parent == "firmware" || parent == "fw") && (last == "version" || last == "currentversion") {
			return 0
		}
		if parent == "deviceinformation" && last == "swversion" {
			return 3
		}
	}
	return -1
}

func asFormat(err error, fe **FormatError) bool {
	e, ok := err.(*FormatError)
	if ok {
		*fe = e
	}
	return ok
}
