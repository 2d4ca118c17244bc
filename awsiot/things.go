package awsiot

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/redact"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// Size caps of what one thing keeps. AWS allows 50 attributes of 128-byte
// names and 800-byte values; the caps leave room for hand-made files
// without letting one entry grow without bound.
const (
	maxAttrs    = 256
	maxKeyLen   = 256
	maxValueLen = 1024
	maxIDLen    = 1024 // thing names, ARNs, IDs (AWS: 128 to 2048 bytes)
)

// thing is one entry of list-things or search-index, or a describe-thing
// document. Unknown members are ignored.
type thing struct {
	ThingName       string                     `json:"thingName"`
	ThingID         string                     `json:"thingId"`
	ThingArn        string                     `json:"thingArn"`
	ThingTypeName   string                     `json:"thingTypeName"`
	Attributes      map[string]json.RawMessage `json:"attributes"`
	DefaultClientID string                     `json:"defaultClientId"`
	// Connectivity comes from fleet indexing (aws iot search-index).
	Connectivity *struct {
		Connected *bool           `json:"connected"`
		Timestamp json.RawMessage `json:"timestamp"` // epoch milliseconds
	} `json:"connectivity"`
}

func (p *parser) things(raw json.RawMessage) ([]model.CloudThing, error) {
	return objectList(p.file, raw, "things", "things", "a thing", p.thing)
}

func (p *parser) thing(path string, t *thing) (model.CloudThing, error) {
	if strings.TrimSpace(t.ThingName) == "" {
		return model.CloudThing{}, formatErr(p.file, inputerr.JoinPath(path, "thingName"), "is missing or empty: every thing needs its thingName")
	}
	for _, f := range []struct{ name, v string }{
		{"thingName", t.ThingName}, {"thingArn", t.ThingArn}, {"thingId", t.ThingID}, {"thingTypeName", t.ThingTypeName},
	} {
		if len(f.v) > maxIDLen {
			return model.CloudThing{}, formatErr(p.file, inputerr.JoinPath(path, f.name), "is %d bytes long, more than the %d-byte limit (AWS allows at most 2048)", len(f.v), maxIDLen)
		}
	}
	ct := model.CloudThing{
		Provider: Provider,
		Name:     redact.String(t.ThingName),
		ID:       redact.String(t.ThingArn),
		Type:     redact.String(t.ThingTypeName),
		Source:   p.file,
	}
	if ct.ID == "" {
		ct.ID = redact.String(t.ThingID)
	}
	attrs, fw, err := p.attributes(inputerr.JoinPath(path, "attributes"), t.Attributes)
	if err != nil {
		return model.CloudThing{}, err
	}
	ct.Attributes, ct.FirmwareVersion = attrs, fw
	if c := t.Connectivity; c != nil && c.Connected != nil {
		if *c.Connected {
			// The timestamp is when the device connected: it is online now,
			// so the connect time is not its last activity.
			ct.ConnectionState = "connected"
		} else {
			ct.ConnectionState = "disconnected"
			ts, err := epoch(p.file, inputerr.JoinPath(path, "connectivity.timestamp"), c.Timestamp, time.Millisecond)
			if err != nil {
				return model.CloudThing{}, err
			}
			ct.LastActivity = ts
		}
	}
	return ct, nil
}

// attributes copies registry attributes, dropping secrets and oversize
// entries, and picks the firmware version from the common attribute names.
func (p *parser) attributes(path string, in map[string]json.RawMessage) (map[string]string, string, error) {
	if len(in) == 0 {
		return nil, "", nil
	}
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make(map[string]string, len(keys))
	fw, fwRank := "", -1
	for _, k := range keys {
		if redact.SecretName(k) {
			p.droppedSecrets++
			continue
		}
		v, ok, err := scalar(in[k])
		if err != nil {
			return nil, "", formatErr(p.file, keyPath(path, k), "%s", err)
		}
		if !ok {
			continue
		}
		if len(k) > maxKeyLen || len(v) > maxValueLen || len(out) >= maxAttrs {
			p.droppedLong++
			continue
		}
		if redact.SecretValue(v) {
			p.droppedSecrets++
			continue
		}
		if r := redact.String(v); r != v {
			p.droppedSecrets++
			v = r
		}
		out[k] = v
		if r := firmwareRank(k); r >= 0 && v != "" && (fwRank < 0 || r < fwRank) {
			fw, fwRank = v, r
		}
	}
	if len(out) == 0 {
		return nil, fw, nil
	}
	return out, fw, nil
}

// scalar renders a JSON string, number or boolean as text; ok is false for
// null. AWS attribute values are strings; numbers and booleans in
// hand-made files are accepted as their text.
func scalar(raw json.RawMessage) (string, bool, error) {
	switch d := inputerr.DescribeJSON(raw); d {
	case "a string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false, err
		}
		return s, true, nil
	case "a number", "a boolean":
		return strings.TrimSpace(string(raw)), true, nil
	case "null":
		return "", false, nil
	default:
		return "", false, fmt.Errorf("expected a string value, got %s", d)
	}
}

// firmwareKeys rank attribute names that hold the firmware version: lower
// is more specific.
var firmwareKeys = map[string]int{
	"firmwareversion": 0, "fwversion": 0, "currentfwversion": 0, "firmwarever": 0, "fwver": 0,
	"firmware": 1, "firmwarerevision": 1, "firmwarerev": 1, "fwrevision": 1, "fwrev": 1,
	"fw": 2,
}

func firmwareRank(key string) int {
	if r, ok := firmwareKeys[redact.NormKey(key)]; ok {
		return r
	}
	return -1
}

// epoch reads an AWS CLI timestamp: a number of seconds (or unit) since
// 1970, as the CLI prints by default, or an ISO 8601 string, as it prints
// with cli_timestamp_format = iso8601. Absent or null is the zero time.
func epoch(file, path string, raw json.RawMessage, unit time.Duration) (model.Timestamp, error) {
	switch inputerr.DescribeJSON(raw) {
	case "nothing", "null":
		return model.Timestamp{}, nil
	case "a string":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return model.Timestamp{}, formatErr(file, path, "%s", err)
		}
		if strings.TrimSpace(s) == "" {
			return model.Timestamp{}, nil
		}
		ts, err := model.ParseTimestamp(s)
		if err != nil {
			return model.Timestamp{}, formatErr(file, path, "%s is not a time: expected epoch seconds or ISO 8601 (2019-06-10T10:03:37Z)", safetext.QuoteWithSize(s))
		}
		return ts, nil
	case "a number":
		f, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
		ms := f * float64(unit/time.Millisecond)
		// Up to the year 9999; anything else is not a real timestamp.
		if err != nil || math.IsNaN(ms) || ms < 0 || ms > 253402300799999 {
			return model.Timestamp{}, formatErr(file, path, "%s is not a time: expected epoch seconds between 1970 and 9999", safetext.QuoteWithSize(string(raw)))
		}
		return model.Timestamp{Time: time.UnixMilli(int64(math.Round(ms))).UTC()}, nil
	default:
		return model.Timestamp{}, formatErr(file, path, "expected epoch seconds or an ISO 8601 time, got %s", inputerr.DescribeJSON(raw))
	}
}
