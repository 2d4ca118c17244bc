package mud

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

func TestParseLuminaireFixture(t *testing.T) {
	path := fixtures.Path(t, "mud", "Luminaire_150.json")
	got, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	const host = "fw-update.luminaire.example.com"
	want := &model.MUDProfile{
		Name:        "MUD-enabled Luminaire",
		Source:      path,
		URL:         "https://luminaire.example.com/Luminaire_150",
		Systeminfo:  "MUD-enabled Luminaire",
		FromDevice:  []string{"mud-21966-v4fr"},
		ToDevice:    []string{"mud-21966-v4to"},
		LastUpdate:  "2018-06-29T19:50:19+02:00",
		CacheHours:  48,
		IsSupported: true,
		ACLs: []model.MUDACL{
			{Name: "mud-21966-v4to", Type: "ipv4-acl-type", ACEs: []model.MUDACE{
				{Name: "cl0-todev", Direction: "to-device", Host: host, Protocol: 6, SrcPort: "443", Action: "accept"},
				{Name: "myctl0-todev", Direction: "to-device", Controller: "my-controller", Protocol: 17, SrcPort: "5684", Action: "accept"},
				{Name: "loc0-todev", Direction: "to-device", LocalNetworks: true, Protocol: 17, SrcPort: "5683", Action: "accept"},
			}},
			{Name: "mud-21966-v4fr", Type: "ipv4-acl-type", ACEs: []model.MUDACE{
				{Name: "cl0-frdev", Direction: "from-device", Host: host, Protocol: 6, DstPort: "443", Action: "accept"},
				{Name: "myctl0-frdev", Direction: "from-device", Controller: "my-controller", Protocol: 17, DstPort: "5684", Action: "accept"},
				{Name: "loc0-frdev", Direction: "from-device", LocalNetworks: true, Protocol: 17, DstPort: "5683", Action: "accept"},
			}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Luminaire_150.json (-want +got):\n%s", diff)
	}
	// Counts, stated separately so a failure reads plainly.
	aces := 0
	for _, a := range got.ACLs {
		aces += len(a.ACEs)
	}
	if len(got.ACLs) != 2 || aces != 6 {
		t.Errorf("got %d ACLs with %d entries, want 2 with 6", len(got.ACLs), aces)
	}
}

func TestParseFeatures(t *testing.T) {
	path := filepath.Join("testdata", "features.json")
	got, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fr, to := "from-device", "to-device"
	want := &model.MUDProfile{
		Name:        "Example camera v2",
		Source:      path,
		URL:         "https://things.example.org/camera-v2.json",
		Systeminfo:  "Example camera v2",
		FromDevice:  []string{"cam-fr"},
		ToDevice:    []string{"cam-to"},
		LastUpdate:  "2024-03-01T08:00:00Z",
		CacheHours:  48, // default when cache-validity is absent
		IsSupported: false,
		ACLs: []model.MUDACL{
			{Name: "cam-fr", Type: "ipv6-acl-type", ACEs: []model.MUDACE{
				{Name: "block-telemetry", Direction: fr, Host: "telemetry.example.org", Protocol: 6, DstPort: "443", Action: "drop"},
				{Name: "cloud", Direction: fr, Host: "Cloud.Example.org", Protocol: 6, DstPort: "8000-8443", Action: "accept"},
				{Name: "any-https", Direction: fr, Protocol: 6, DstPort: "443-65535", Action: "reject"},
				{Name: "ntp", Direction: fr, Host: "2001:db8:0:1::/64", Protocol: 17, DstPort: "0-123", Action: "accept"},
				{Name: "ctl", Direction: fr, Controller: "https://controller.example.org/coap", Protocol: 17, DstPort: "!53", Action: "accept"},
				{Name: "mfg", Direction: fr, Manufacturer: "hub.example.org", Action: "accept"},
				{Name: "same", Direction: fr, SameManufacturer: true, Protocol: 1, Action: "accept"},
				{Name: "model", Direction: fr, Manufacturer: "bridge.example.net", Action: "accept"},
			}},
			{Name: "cam-to", Type: "ipv4-acl-type", ACEs: []model.MUDACE{
				{Name: "rtsp-local", Direction: to, Host: "192.168.0.0/16", Protocol: 6, DstPort: "554", Action: "accept"},
			}},
			{Name: "unused", ACEs: []model.MUDACE{}},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("features.json (-want +got):\n%s", diff)
	}
}

// mutate returns the Luminaire-shaped base document with old replaced.
func mutate(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(baseDoc, old) {
		t.Fatalf("base document lacks %q", old)
	}
	return strings.Replace(baseDoc, old, new, 1)
}

const baseDoc = `{
  "ietf-mud:mud": {
    "mud-version": 1,
    "mud-url": "https://example.com/dev",
    "last-update": "2020-01-01T00:00:00Z",
    "cache-validity": 24,
    "is-supported": true,
    "from-device-policy": {"access-lists": {"access-list": [{"name": "fr"}]}}
  },
  "ietf-access-control-list:acls": {"acl": [
    {"name": "fr", "type": "ipv4-acl-type", "aces": {"ace": [
      {"name": "a0",
       "matches": {"ipv4": {"ietf-acldns:dst-dnsname": "cloud.example.com", "protocol": 6},
                   "tcp": {"destination-port": {"operator": "eq", "port": 443}}},
       "actions": {"forwarding": "accept"}}
    ]}}
  ]}
}`

func TestParseBase(t *testing.T) {
	p, err := Parse("base.json", strings.NewReader(baseDoc))
	if err != nil {
		t.Fatal(err)
	}
	if p.CacheHours != 24 || len(p.ACLs) != 1 || p.ACLs[0].ACEs[0].DstPort != "443" {
		t.Errorf("unexpected profile %+v", p)
	}
}

func TestParseErrors(t *testing.T) {
	lum, err := os.ReadFile(fixtures.Path(t, "mud", "Luminaire_150.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, doc string
		want      []string // substrings of the message
	}{
		{"empty", "  \n", []string{"x.json: empty input"}},
		{"garbage", "not json at all", []string{"x.json:1:3: malformed JSON"}},
		{"truncated", string(lum[:len(lum)/2]), []string{"x.json:", "truncated JSON"}},
		{"trailing", baseDoc + "{}", []string{"malformed JSON", "after top-level value"}},
		{"array", `[{"ietf-mud:mud":{}}]`, []string{"expected an object at the top level, found array"}},
		{"no container", `{"ietf-access-control-list:acls": {"acl": []}}`, []string{`missing the "ietf-mud:mud" container`}},
		{"container wrong type", `{"ietf-mud:mud": "yes"}`, []string{"ietf-mud:mud: expected an object, found string"}},
		{"no url", mutate(t, `"mud-url": "https://example.com/dev",`, ""), []string{"ietf-mud:mud: missing mud-url"}},
		{"bad url", mutate(t, `"https://example.com/dev"`, `"example.com/dev"`), []string{"mud-url", "not an absolute https URL"}},
		{"no version", mutate(t, `"mud-version": 1,`, ""), []string{"missing mud-version"}},
		{"version 2", mutate(t, `"mud-version": 1`, `"mud-version": 2`), []string{"ietf-mud:mud.mud-version: unsupported MUD version 2"}},
		{"version type", mutate(t, `"mud-version": 1`, `"mud-version": true`), []string{"ietf-mud:mud.mud-version", "expected a number, found bool"}},
		{"no last-update", mutate(t, `"last-update": "2020-01-01T00:00:00Z",`, ""), []string{"missing last-update"}},
		{"bad last-update", mutate(t, `"2020-01-01T00:00:00Z"`, `"yesterday"`), []string{"last-update", `"yesterday" is not a date-time`}},
		{"no is-supported", mutate(t, `"is-supported": true,`, ""), []string{"missing is-supported"}},
		{"is-supported type", mutate(t, `"is-supported": true`, `"is-supported": "yes"`), []string{"ietf-mud:mud.is-supported", "expected true or false, found string"}},
		{"cache not a number", mutate(t, `"cache-validity": 24`, `"cache-validity": "abc"`), []string{"ietf-mud:mud.cache-validity", `"abc" is not a whole number`}},
		{"cache fraction", mutate(t, `"cache-validity": 24`, `"cache-validity": 1.5`), []string{"ietf-mud:mud.cache-validity", `"1.5" is not a whole number`}},
		{"cache range", mutate(t, `"cache-validity": 24`, `"cache-validity": 500`), []string{"cache-validity", "from 1 to 168"}},
		{"undefined acl", mutate(t, `[{"name": "fr"}]`, `[{"name": "frr"}]`), []string{"from-device-policy.access-lists.access-list[0].name", `"frr" is not defined`, "did you mean fr?"}},
		{"acl without name", mutate(t, `{"name": "fr", "type"`, `{"type"`), []string{"acl[0]: access list without a name"}},
		{"duplicate acl", mutate(t, `"acl": [`, `"acl": [{"name": "fr"},`), []string{"acl[1].name", `"fr" is defined twice`}},
		{"ace without name", mutate(t, `{"name": "a0",`, `{`), []string{"acl[0].aces.ace[0]: access-control entry without a name"}},
		{"no forwarding", mutate(t, `"actions": {"forwarding": "accept"}`, `"actions": {}`), []string{"ace[0].actions: missing actions.forwarding"}},
		{"bad forwarding", mutate(t, `"forwarding": "accept"`, `"forwarding": "allow"`), []string{"actions.forwarding", `unknown action "allow"`}},
		{"port range", mutate(t, `"port": 443`, `"port": 70000`), []string{"destination-port.port", `"70000" is not a whole number from 0 to 65535`}},
		{"port type", mutate(t, `"port": 443`, `"port": [443]`), []string{"destination-port.port", "expected a number, found array"}},
		{"port missing", mutate(t, `"operator": "eq", "port": 443`, `"operator": "eq"`), []string{"destination-port: missing port"}},
		{"bad operator", mutate(t, `"operator": "eq"`, `"operator": "lt"`), []string{"destination-port.operator", `unknown operator "lt"`}},
		{"half range", mutate(t, `"operator": "eq", "port": 443`, `"lower-port": 1`), []string{"needs both lower-port and upper-port"}},
		{"inverted range", mutate(t, `"operator": "eq", "port": 443`, `"lower-port": 9, "upper-port": 1`), []string{"lower-port 9 is above upper-port 1"}},
		{"protocol contradiction", mutate(t, `"protocol": 6`, `"protocol": 17`), []string{"matches.ipv4.protocol", "protocol 17 contradicts the tcp match"}},
		{"protocol type", mutate(t, `"protocol": 6`, `"protocol": {"tcp": true}`), []string{"protocol", "expected a number, found object"}},
		{"tcp and udp", mutate(t, `"tcp": {`, `"udp": {}, "tcp": {`), []string{"both tcp and udp"}},
		{"ipv4 and ipv6", mutate(t, `"ipv4": {`, `"ipv6": {}, "ipv4": {`), []string{"both ipv4 and ipv6"}},
		{"hostile dnsname", mutate(t, `"cloud.example.com"`, `"evil\u001b[31m.example.com"`), []string{"dst-dnsname", `"evil\x1b[31m.example.com" is not a DNS name`}},
		{"bad network", mutate(t, `"ietf-acldns:dst-dnsname": "cloud.example.com"`, `"destination-ipv4-network": "10.0.0.0/99"`), []string{"destination-ipv4-network", "is not a network"}},
		{"bad model", mutate(t, `"matches": {`, `"matches": {"ietf-mud:mud": {"model": "no url"}, `), []string{"ietf-mud:mud.model", "is not a MUD URL"}},
		{"both controllers", mutate(t, `"matches": {`, `"matches": {"ietf-mud:mud": {"controller": "https://c.example", "my-controller": [null]}, `), []string{"both controller and my-controller"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse("x.json", strings.NewReader(tc.doc))
			if err == nil {
				t.Fatalf("no error; got %+v", p)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error does not match ErrFormat: %v", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Name != "x.json" {
				t.Errorf("error is not a *FormatError naming the file: %#v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if strings.ContainsRune(err.Error(), 0x1b) {
				t.Errorf("error carries a raw escape character: %q", err)
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	defer func(old int64) { maxSize = old }(maxSize)
	maxSize = 1 << 20
	doc := baseDoc + strings.Repeat(" ", 1<<20)
	_, err := Parse("big.json", strings.NewReader(doc))
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrFormat) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	if want := "big.json: input is larger than the 1 MiB limit"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	// Exactly at the limit is accepted.
	doc = baseDoc + strings.Repeat(" ", int(maxSize)-len(baseDoc))
	if _, err := Parse("edge.json", strings.NewReader(doc)); err != nil {
		t.Errorf("input of exactly MaxSize refused: %v", err)
	}
	if MaxSize != 4<<20 {
		t.Errorf("MaxSize = %d", MaxSize)
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk on fire") }

func TestParseReadError(t *testing.T) {
	_, err := Parse("r.json", failingReader{})
	if err == nil || errors.Is(err, ErrFormat) || !strings.Contains(err.Error(), "r.json: disk on fire") {
		t.Fatalf("read error: got %v", err)
	}
	if _, err := ParseFile(filepath.Join(t.TempDir(), "absent.json")); err == nil || errors.Is(err, ErrFormat) {
		t.Fatalf("absent file: got %v", err)
	}
}

func TestParseBOMAndStringNumbers(t *testing.T) {
	doc := "\xef\xbb\xbf" + strings.Replace(baseDoc, `"port": 443`, `"port": "443"`, 1)
	p, err := Parse("bom.json", bytes.NewReader([]byte(doc)))
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ACLs[0].ACEs[0].DstPort; got != "443" {
		t.Errorf("DstPort = %q", got)
	}
}

func TestAllowsLuminaire(t *testing.T) {
	p, err := ParseFile(fixtures.Path(t, "mud", "Luminaire_150.json"))
	if err != nil {
		t.Fatal(err)
	}
	const fw = "fw-update.luminaire.example.com"
	tests := []struct {
		dir, host      string
		protocol, port int
		want           bool
	}{
		{FromDevice, fw, 6, 443, true},
		{FromDevice, "FW-Update.Luminaire.Example.COM.", 6, 443, true},
		{FromDevice, fw, 0, 0, true}, // unknown protocol and port
		{FromDevice, fw, 6, 80, false},
		{FromDevice, fw, 17, 443, false},
		{FromDevice, "evil.example.com", 6, 443, false},
		{FromDevice, "", 6, 443, false},
		{FromDevice, model.MUDHostMyController, 17, 5684, true},
		{FromDevice, model.MUDHostMyController, 6, 5684, false},
		{FromDevice, "controller.example.com", 17, 5684, false},
		{FromDevice, "192.168.1.20", 17, 5683, true},
		{FromDevice, "fe80::1", 17, 5683, true},
		{FromDevice, "bulb.local", 17, 5683, true},
		{FromDevice, model.MUDHostLocalNetworks, 17, 5683, true},
		{FromDevice, "8.8.8.8", 17, 5683, false},
		{FromDevice, "192.168.1.20", 17, 5684, false},
		// The to-device list only admits return traffic (source ports), so
		// no connection initiated toward the luminaire is allowed.
		{ToDevice, fw, 6, 443, false},
		{ToDevice, "192.168.1.5", 17, 5683, false},
		{ToDevice, model.MUDHostMyController, 17, 5684, false},
		{"sideways", fw, 6, 443, false},
	}
	for _, tc := range tests {
		if got := p.Allows(tc.dir, tc.host, tc.protocol, tc.port); got != tc.want {
			t.Errorf("Allows(%s, %q, %d, %d) = %v, want %v", tc.dir, tc.host, tc.protocol, tc.port, got, tc.want)
		}
	}
	if (*model.MUDProfile)(nil).Allows(FromDevice, fw, 6, 443) {
		t.Error("nil profile allows")
	}
}

func TestAllowsFeatures(t *testing.T) {
	p, err := ParseFile(filepath.Join("testdata", "features.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		dir, host      string
		protocol, port int
		want           bool
	}{
		{FromDevice, "telemetry.example.org", 6, 443, false}, // drop comes first
		{FromDevice, "cloud.example.org", 6, 8000, true},
		{FromDevice, "cloud.example.org", 6, 8443, true},
		{FromDevice, "cloud.example.org", 6, 7999, false},
		{FromDevice, "anything.example", 6, 443, false}, // reject entry
		{FromDevice, "anything.example", 6, 80, false},  // no entry
		{FromDevice, "2001:db8:0:1::99", 17, 123, true},
		{FromDevice, "[2001:db8:0:1::99]", 17, 100, true},
		{FromDevice, "2001:db8:0:2::1", 17, 123, false},
		{FromDevice, "controller.example.org", 17, 5683, true},
		{FromDevice, "https://controller.example.org/coap", 17, 5683, true},
		{FromDevice, "controller.example.org", 17, 53, false}, // neq 53
		{FromDevice, "hub.example.org", 6, 1234, false},       // any-https rejects first
		{FromDevice, "hub.example.org", 6, 80, true},
		{FromDevice, model.MUDHostSameManufacturer, 1, 0, true},
		{FromDevice, model.MUDHostSameManufacturer, 6, 0, false},
		{FromDevice, "bridge.example.net", 17, 9, true},
		{ToDevice, "192.168.3.4", 6, 554, true},
		{ToDevice, "10.0.0.1", 6, 554, false},
		{ToDevice, "192.168.3.4", 6, 80, false},
	}
	for _, tc := range tests {
		if got := p.Allows(tc.dir, tc.host, tc.protocol, tc.port); got != tc.want {
			t.Errorf("Allows(%s, %q, %d, %d) = %v, want %v", tc.dir, tc.host, tc.protocol, tc.port, got, tc.want)
		}
	}
}
