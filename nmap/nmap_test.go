package nmap

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

func ts(sec int64) model.Timestamp { return model.Timestamp{Time: time.Unix(sec, 0).UTC()} }

func TestParseFixtures(t *testing.T) {
	tests := []struct {
		file string
		want *model.Scan
	}{
		{
			// Real nmap 4.53 -A output: one host; its closed 443 is dropped.
			file: "scan_base.xml",
			want: &model.Scan{
				Source: "scan_base.xml", Scanner: "nmap 4.53", Started: ts(1201479002),
				Hosts: []model.ScanHost{{
					Addresses: []string{"66.35.250.168"},
					Hostnames: []string{"freshmeat.net"},
					Status:    "up",
					Ports: []model.Port{
						{State: "open", Port: 80, Protocol: "tcp", Service: "http", Version: "1.3.39", Banner: "Apache httpd 1.3.39"},
					},
				}},
			},
		},
		{
			// Odd entries: no addrtype, no protocol, <service> before
			// <state>, two <ports> blocks per host. All parse.
			file: "scan_invalid_services.xml",
			want: &model.Scan{
				Source: "scan_invalid_services.xml", Scanner: "fake_nmap",
				Hosts: []model.ScanHost{
					{Addresses: []string{"66.35.250.168"}, Ports: []model.Port{
						{State: "open", Port: 80, Service: "http", Banner: "VALID"},
						{State: "open", Port: 443, Service: "https", TLS: true, Banner: "VALID"},
					}},
					{Addresses: []string{"66.35.250.169"}, Ports: []model.Port{
						{State: "open", Port: 443, Service: "https", TLS: true, Banner: "INVALID"}, // 80 is closed
					}},
					{Addresses: []string{"66.35.250.170"}, Ports: []model.Port{{State: "open", Port: 80, Service: "http", Banner: "INVALID"}}},
					{Addresses: []string{"66.35.250.171"}, Ports: []model.Port{{State: "open", Port: 80, Service: "http", Banner: "INVALID"}}},
				},
			},
		},
		{
			// nmap finished with "Error resolving name" and found nothing:
			// a well-formed run with zero hosts, not an error.
			file: "scan_error_resolving_name.xml",
			want: &model.Scan{Source: "scan_error_resolving_name.xml", Scanner: "fake_nmap", Hosts: []model.ScanHost{}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			path := fixtures.Path(t, "nmap", tc.file)
			got, err := ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			tc.want.Source = path
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if len(got.Hosts) != len(tc.want.Hosts) {
				t.Errorf("%d hosts, want %d", len(got.Hosts), len(tc.want.Hosts))
			}
		})
	}
}

func TestParseIoTScan(t *testing.T) {
	path := filepath.Join("testdata", "iot_scan.xml")
	got, err := ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := &model.Scan{
		Source: path, Scanner: "nmap 7.94", Started: ts(1717236000),
		Hosts: []model.ScanHost{
			{
				Addresses: []string{"192.0.2.10"},
				MAC:       "00:1a:2b:3c:4d:5e",
				Vendor:    "Example Lighting",
				Hostnames: []string{"gateway-01.plant.example"}, // PTR and user name fold together
				Status:    "up",
				Ports: []model.Port{
					{State: "open", Port: 23, Protocol: "tcp", Service: "telnet", Version: "1.31.1", Banner: "BusyBox telnetd 1.31.1"},
					{State: "open", Port: 80, Protocol: "tcp", Service: "http", Version: "1.4.59", Banner: "lighttpd 1.4.59"},
					{State: "open", Port: 443, Protocol: "tcp", Service: "https", TLS: true, Version: "1.4.59", Banner: "lighttpd 1.4.59",
						TLSVersions: []model.TLSVersion{"1.0", "1.2"},
						WeakCiphers: []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_RC4_128_SHA"}},
					{State: "open", Port: 1883, Protocol: "tcp", Service: "mqtt", Version: "2.0.11", Banner: "Mosquitto 2.0.11"},
					{State: "open", Port: 8883, Protocol: "tcp", Service: "mqtt", TLS: true, TLSVersions: []model.TLSVersion{"1.2", "1.3"}},
					// "(public)": the agent answers community strings.
					{State: "open", Port: 161, Protocol: "udp", Service: "snmp", Version: "v1/v2c", Banner: "net-snmp SNMPv3 server"},
					{State: "open|filtered", Port: 5683, Protocol: "udp", Service: "coap"}, // open|filtered counts for UDP
				},
			},
			{
				Addresses: []string{"2001:db8::42"},
				Hostnames: []string{"cam-7.plant.example"},
				Status:    "up",
				Ports: []model.Port{
					// Old-style grades in the output text only; SSLv3 kept.
					{State: "open", Port: 443, Protocol: "tcp", Service: "https", TLS: true, Banner: "GoAhead WebServer",
						TLSVersions: []model.TLSVersion{"ssl3", "1.0"}, WeakCiphers: []string{"TLS_RSA_WITH_RC4_128_MD5"}},
					{State: "open", Port: 161, Protocol: "udp", Service: "snmp", Version: "v3", Banner: "SNMPv3 server"},
					{State: "open|filtered", Port: 1900, Protocol: "udp", Service: "upnp"},
					{State: "open", Port: 9999, Protocol: "tcp"}, // nmap's "unknown" service
					{State: "open", Port: 38412, Protocol: "sctp"},
				},
			},
			{Addresses: []string{"192.0.2.13"}, Status: "down", Ports: []model.Port{}},
			{
				Addresses: []string{"192.0.2.14"},
				MAC:       "aa:bb:cc:dd:ee:ff",
				Status:    "up",
				Ports: []model.Port{
					{State: "open", Port: 161, Protocol: "udp", Service: "snmp", Version: "v1/v2c"}, // snmp-sysdescr answered
					{State: "open", Port: 5684, Protocol: "udp", Service: "coap", TLS: true},
				},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("iot_scan.xml (-want +got):\n%s", diff)
	}
	ports := 0
	for _, h := range got.Hosts {
		ports += len(h.Ports)
	}
	if len(got.Hosts) != 4 || ports != 14 {
		t.Errorf("%d hosts with %d open ports, want 4 with 14", len(got.Hosts), ports)
	}
}

func TestServiceName(t *testing.T) {
	tests := []struct {
		svc  xservice
		name string
		tls  bool
	}{
		{xservice{Name: "http"}, "http", false},
		{xservice{Name: "http", Tunnel: "ssl"}, "https", true},
		{xservice{Name: "ssl/http"}, "https", true},
		{xservice{Name: "http-alt", Tunnel: "SSL"}, "https", true},
		{xservice{Name: "https"}, "https", true},
		{xservice{Name: "https-alt"}, "https", true},
		{xservice{Name: "mqtt"}, "mqtt", false},
		{xservice{Name: "mqtt", Tunnel: "ssl"}, "mqtt", true},
		{xservice{Name: "secure-mqtt"}, "mqtt", true},
		{xservice{Name: "coap"}, "coap", false},
		{xservice{Name: "coaps"}, "coap", true},
		{xservice{Name: "Telnet"}, "telnet", false},
		{xservice{Name: "ftp"}, "ftp", false},
		{xservice{Name: "ssl/ftp"}, "ftp", true},
		{xservice{Name: "snmp"}, "snmp", false},
		{xservice{Name: "unknown"}, "", false},
		{xservice{Name: "ssl/unknown"}, "", true},
		{xservice{}, "", false},
	}
	for _, tc := range tests {
		name, tls := serviceName(&tc.svc)
		if name != tc.name || tls != tc.tls {
			t.Errorf("serviceName(%+v) = %q, %v; want %q, %v", tc.svc, name, tls, tc.name, tc.tls)
		}
	}
}

func TestSNMPVersion(t *testing.T) {
	tests := []struct {
		svc     xservice
		scripts []xscript
		want    string
	}{
		{xservice{Name: "snmp"}, nil, ""},
		{xservice{Product: "SNMPv1 server"}, nil, "v1/v2c"},
		{xservice{Product: "SNMPv1 server; net-snmp SNMPv3 server"}, nil, "v1/v2c"},
		{xservice{Product: "ciscoSystems SNMPv3 server"}, nil, "v3"},
		{xservice{Product: "ciscoSystems SNMPv3 server", ExtraInfo: "public"}, nil, "v1/v2c"},
		{xservice{}, []xscript{{ID: "snmp-info", Output: "enterprise: x"}}, "v3"},
		{xservice{}, []xscript{{ID: "snmp-interfaces", Output: "eth0"}}, "v1/v2c"},
		{xservice{}, []xscript{{ID: "snmp-sysdescr", Output: "ERROR: Script execution failed"}}, ""},
		{xservice{}, []xscript{{ID: "snmp-brute", Output: "No valid credentials found"}}, ""},
		{xservice{}, []xscript{{ID: "snmp-brute", Output: "public - Valid credentials"}}, "v1/v2c"},
	}
	for i, tc := range tests {
		if got := snmpVersion(&tc.svc, tc.scripts); got != tc.want {
			t.Errorf("case %d: snmpVersion = %q, want %q", i, got, tc.want)
		}
	}
}

func TestSSLEnumCiphersText(t *testing.T) {
	out := "\n  TLSv1.2: \n    ciphers: \n      TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (secp256r1) - A\n" +
		"      TLS_RSA_WITH_3DES_EDE_CBC_SHA (rsa 2048) - C\n      TLS_RSA_EXPORT_WITH_RC4_40_MD5 (rsa 512) - F\n" +
		"  TLSv1.1: \n    ciphers: \n      TLS_RSA_WITH_3DES_EDE_CBC_SHA (rsa 2048) - C\n  DTLSv1.0: \n  least strength: F"
	versions, weak := sslEnumCiphersText(out)
	if diff := cmp.Diff([]model.TLSVersion{"1.1", "1.2"}, versions); diff != "" {
		t.Errorf("versions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_EXPORT_WITH_RC4_40_MD5"}, weak); diff != "" {
		t.Errorf("weak (-want +got):\n%s", diff)
	}
	for s, want := range map[string]bool{"A": false, "B": true, "F": true, "weak": true, "strong": false, "unknown strength": false, "": false, "G": false} {
		if weakStrength(s) != want {
			t.Errorf("weakStrength(%q) != %v", s, want)
		}
	}
}

const minimal = `<?xml version="1.0"?><nmaprun scanner="nmap" version="7.94" start="1">` +
	`<host><status state="up"/><address addr="10.0.0.1" addrtype="ipv4"/><ports>` +
	`<port protocol="tcp" portid="23"><state state="open"/><service name="telnet"/></port>` +
	`</ports></host></nmaprun>`

func sub(t *testing.T, old, new string) string {
	t.Helper()
	if !strings.Contains(minimal, old) {
		t.Fatalf("minimal document lacks %q", old)
	}
	return strings.Replace(minimal, old, new, 1)
}

func TestParseErrors(t *testing.T) {
	base, err := os.ReadFile(fixtures.Path(t, "nmap", "scan_base.xml"))
	if err != nil {
		t.Fatal(err)
	}
	const bomb = `<?xml version="1.0"?>
<!DOCTYPE nmaprun [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<nmaprun scanner="nmap">&lol3;</nmaprun>`
	const xxe = `<?xml version="1.0"?><!DOCTYPE nmaprun [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><nmaprun><host><hostnames><hostname name="&xxe;"/></hostnames></host></nmaprun>`
	tests := []struct {
		name, doc string
		want      []string
	}{
		{"empty", "", []string{"x.xml: no <nmaprun> element"}},
		{"text", "hello", []string{"no <nmaprun> element"}},
		{"json", `{"nmaprun": {}}`, []string{"no <nmaprun> element"}},
		{"wrong root", `<?xml version="1.0"?><bom/>`, []string{"x.xml:1: root element is <bom>, not <nmaprun>"}},
		{"truncated", string(base[:len(base)/2]), []string{"x.xml:", "truncated XML"}},
		{"mismatched", `<nmaprun><host></nmaprun>`, []string{"malformed XML"}},
		{"billion laughs", bomb, []string{"x.xml:6: the document type declares entities", "refused"}},
		{"external entity", xxe, []string{"declares entities"}},
		{"undeclared entity", sub(t, `name="telnet"`, `name="&xxe;"`), []string{"malformed XML", "entity"}},
		{"two roots", minimal + minimal, []string{"content after </nmaprun>"}},
		{"latin1", `<?xml version="1.0" encoding="ISO-8859-1"?><nmaprun/>`, []string{`encoding "ISO-8859-1"`, "convert the file"}},
		{"bad start", sub(t, `start="1"`, `start="yesterday"`), []string{"nmaprun.start", `"yesterday" is not a Unix time`}},
		{"bad portid", sub(t, `portid="23"`, `portid="telnet"`), []string{"x.xml:1: host[1].ports.port[1].portid", `"telnet" is not a port number`}},
		{"port range", sub(t, `portid="23"`, `portid="70000"`), []string{"host[1].ports.port[1].portid", `"70000"`}},
		{"missing portid", sub(t, ` portid="23"`, ``), []string{"portid", `"" is not a port number`}},
		{"bad ip", sub(t, `addr="10.0.0.1"`, `addr="10.0.0.300"`), []string{"host[1].address", `"10.0.0.300" is not an IP address`}},
		{"bad mac", sub(t, `addr="10.0.0.1" addrtype="ipv4"`, `addr="00:11:22" addrtype="mac"`), []string{"host[1].address", `"00:11:22" is not a MAC address`}},
		{"hostile ip", sub(t, `addr="10.0.0.1"`, `addr="&#x9b;31m"`), []string{`"\u009b31m" is not an IP address`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			scan, err := Parse("x.xml", strings.NewReader(tc.doc))
			if err == nil {
				t.Fatalf("no error; got %+v", scan)
			}
			if !errors.Is(err, ErrFormat) {
				t.Errorf("error does not match ErrFormat: %v", err)
			}
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Name != "x.xml" {
				t.Errorf("not a *FormatError naming the file: %#v", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestParseHostileStrings(t *testing.T) {
	// XML 1.0 admits C1 controls and bidi overrides; none reach the model.
	doc := sub(t, `<service name="telnet"/>`, `<service name="telnet" product="Evil&#x9b;31m&#x202e;httpd" version="1.0&#x85;"/>`)
	doc = strings.Replace(doc, `<ports>`, `<hostnames><hostname name="a&#x202e;b.example"/><hostname name=""/></hostnames><ports>`, 1)
	scan, err := Parse("x.xml", strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	h := scan.Hosts[0]
	for _, s := range append([]string{h.Ports[0].Banner, h.Ports[0].Version}, h.Hostnames...) {
		for _, r := range s {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
				t.Errorf("%q keeps control character %U", s, r)
			}
		}
	}
	if h.Ports[0].Banner != "Evil31mhttpd 1.0" || len(h.Hostnames) != 1 || h.Hostnames[0] != "ab.example" {
		t.Errorf("cleaned values: banner %q, hostnames %q", h.Ports[0].Banner, h.Hostnames)
	}
}

func TestParseDoctypeWithoutEntities(t *testing.T) {
	// nmap 7 writes <!DOCTYPE nmaprun>; older versions name the DTD by URL,
	// which encoding/xml never fetches.
	for _, dt := range []string{`<!DOCTYPE nmaprun>`, `<!DOCTYPE nmaprun PUBLIC "-//IDN nmap.org//DTD Nmap XML 1.04//EN" "https://svn.nmap.org/nmap/docs/nmap.dtd">`} {
		doc := strings.Replace(minimal, `<nmaprun`, dt+`<nmaprun`, 1)
		scan, err := Parse("x.xml", strings.NewReader(doc))
		if err != nil || len(scan.Hosts) != 1 {
			t.Errorf("%s: %v", dt, err)
		}
	}
}

func TestParseTooLarge(t *testing.T) {
	defer func(old int64) { maxSize = old }(maxSize)
	maxSize = 1 << 20
	doc := strings.Replace(minimal, `</nmaprun>`, strings.Repeat("<!-- padding -->", 1<<17)+`</nmaprun>`, 1)
	_, err := Parse("big.xml", strings.NewReader(doc))
	if !errors.Is(err, ErrTooLarge) || !errors.Is(err, ErrFormat) {
		t.Fatalf("want ErrTooLarge, got %v", err)
	}
	if want := "big.xml: input is larger than the 1 MiB limit (nmap.MaxSize): split the scan"; !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	// Exactly at the limit is accepted.
	doc = minimal + strings.Repeat(" ", int(maxSize)-len(minimal))
	if _, err := Parse("edge.xml", strings.NewReader(doc)); err != nil {
		t.Errorf("input of exactly the limit refused: %v", err)
	}
	if MaxSize != 256<<20 {
		t.Errorf("MaxSize = %d", MaxSize)
	}
}

type failingReader struct{ data string }

func (f *failingReader) Read(b []byte) (int, error) {
	if f.data == "" {
		return 0, errors.New("disk on fire")
	}
	n := copy(b, f.data)
	f.data = f.data[n:]
	return n, nil
}

func TestParseReadError(t *testing.T) {
	_, err := Parse("r.xml", &failingReader{data: minimal[:40]})
	if err == nil || errors.Is(err, ErrFormat) || err.Error() != "r.xml: disk on fire" {
		t.Fatalf("read error: got %v", err)
	}
	if _, err := ParseFile(filepath.Join(t.TempDir(), "absent.xml")); err == nil || errors.Is(err, ErrFormat) {
		t.Fatalf("absent file: got %v", err)
	}
}
