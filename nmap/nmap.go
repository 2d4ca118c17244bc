// Package nmap reads nmap XML output (-oX) into model.Scan values: hosts
// with their addresses, MAC and vendor, host names and status; the open
// ports with nmap's service, product and version; and the TLS versions
// and weak cipher suites the ssl-enum-ciphers script found.
//
// It is a pure reader: bytes in, domain values out, no network. The file
// is streamed host by host, so memory follows the hosts kept, not the file
// size. Matching hosts to inventory devices (by MAC, IP or host name) is
// the engine's job; this package only normalises the keys: MACs in
// lower-case colon form, IP addresses in canonical form, host names in
// lower case without a final dot.
package nmap

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/iotguard/iotguard/internal/inputerr"
	"github.com/iotguard/iotguard/internal/safetext"
	"github.com/iotguard/iotguard/model"
)

// MaxSize is the largest input Parse accepts, in bytes. A scan of a large
// network with scripts can reach tens of MiB; the limit bounds the work
// done on a wrong or hostile file.
const MaxSize = 256 << 20

// maxSize is MaxSize, lowered by tests.
var maxSize int64 = MaxSize

// ParseFile reads the nmap XML file at path; Scan.Source and errors carry
// the path as given.
func ParseFile(path string) (*model.Scan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError already names the file
	}
	defer f.Close()
	return Parse(path, f)
}

// Parse reads one nmap XML document from r; name is the file name used in
// messages and as Scan.Source.
//
// A run that nmap finished with an error and no hosts (runstats/finished
// errormsg, e.g. "Error resolving name") parses to a Scan with no hosts
// and no error: the file is well-formed and says that nothing was found.
//
// Errors about the input match ErrFormat (errors.Is) and are *FormatError
// values with a line; oversize input also matches ErrTooLarge. Read
// failures of r are returned wrapped with the name and match neither.
// Elements and attributes this package does not read are ignored.
func Parse(name string, r io.Reader) (*model.Scan, error) {
	lr := &limitReader{r: r, left: maxSize}
	dec := xml.NewDecoder(lr)
	// Strict stays on and Entity stays nil: only the five predefined
	// entities and character references are expanded, never declared ones.
	dec.CharsetReader = charsetReader
	p := &parser{name: name, dec: dec}
	scan, err := p.run()
	if err != nil {
		if errors.Is(err, errTooLarge) {
			return nil, inputerr.TooLarge(ErrFormat, ErrTooLarge, name, maxSize,
				" (nmap.MaxSize): split the scan into smaller runs (e.g. one per subnet) and pass each file")
		}
		var re *readError
		if errors.As(err, &re) {
			return nil, fmt.Errorf("%s: %w", name, re.err)
		}
		return nil, err
	}
	scan.Source = name
	return scan, nil
}

// errTooLarge is returned by limitReader past the limit.
var errTooLarge = errors.New("input too large")

// readError marks a failure of the underlying reader, so it is not
// mistaken for bad input.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }

// limitReader fails with errTooLarge once more than left bytes are read.
type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(b []byte) (int, error) {
	if l.left < 0 {
		return 0, errTooLarge
	}
	if int64(len(b)) > l.left+1 {
		b = b[:l.left+1]
	}
	n, err := l.r.Read(b)
	l.left -= int64(n)
	if l.left < 0 {
		return 0, errTooLarge
	}
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// charsetReader accepts ASCII declarations (a subset of UTF-8); nmap
// writes UTF-8 and other encodings are refused with a hint.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "us-ascii", "ascii":
		return in, nil
	}
	return nil, fmt.Errorf("the file declares encoding %s; only UTF-8 is read: convert the file (iconv -t UTF-8) or re-run nmap with -oX", safetext.Quote(label))
}

// The XML shapes read, after nmap's DTD (docs/nmap.dtd).
type xhost struct {
	Status *struct {
		State string `xml:"state,attr"`
	} `xml:"status"`
	Addresses []struct {
		Addr     string `xml:"addr,attr"`
		AddrType string `xml:"addrtype,attr"`
		Vendor   string `xml:"vendor,attr"`
	} `xml:"address"`
	Hostnames []struct {
		Name string `xml:"name,attr"`
	} `xml:"hostnames>hostname"`
	// A host may have several <ports> blocks; all their ports are read.
	Ports []xport `xml:"ports>port"`
}

type xport struct {
	Protocol string `xml:"protocol,attr"`
	PortID   string `xml:"portid,attr"`
	State    *struct {
		State string `xml:"state,attr"`
	} `xml:"state"`
	Service *xservice `xml:"service"`
	Scripts []xscript `xml:"script"`
}

type xservice struct {
	Name      string `xml:"name,attr"`
	Product   string `xml:"product,attr"`
	Version   string `xml:"version,attr"`
	ExtraInfo string `xml:"extrainfo,attr"`
	Tunnel    string `xml:"tunnel,attr"`
}

type xscript struct {
	ID     string   `xml:"id,attr"`
	Output string   `xml:"output,attr"`
	Elems  []xelem  `xml:"elem"`
	Tables []xtable `xml:"table"`
}

type xtable struct {
	Key    string   `xml:"key,attr"`
	Elems  []xelem  `xml:"elem"`
	Tables []xtable `xml:"table"`
}

type xelem struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

type parser struct {
	name string
	dec  *xml.Decoder
}

func (p *parser) line() int {
	l, _ := p.dec.InputPos()
	return l
}

func (p *parser) fail(line int, path, format string, args ...any) error {
	return &FormatError{Name: p.name, Line: line, Path: path, Msg: fmt.Sprintf(format, args...), Kind: ErrFormat}
}

func (p *parser) tokenErr(err error) error {
	if errors.Is(err, errTooLarge) {
		return errTooLarge
	}
	var re *readError
	if errors.As(err, &re) {
		return re
	}
	return xmlErr(p.name, p.line(), err)
}

func (p *parser) run() (*model.Scan, error) {
	var scan *model.Scan
	closed := false
	hosts := 0
	for {
		tok, err := p.dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, p.tokenErr(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			if bytes.Contains(bytes.ToUpper(t), []byte("ENTITY")) {
				return nil, p.fail(p.line(), "", "the document type declares entities (<!ENTITY ...>): refused, because entity expansion can exhaust memory or read local files; nmap never writes entity declarations")
			}
		case xml.StartElement:
			switch {
			case closed:
				return nil, p.fail(p.line(), "", "content after </nmaprun>: an nmap XML file has one root element (were two files concatenated?)")
			case scan == nil:
				if t.Name.Local != "nmaprun" {
					return nil, p.fail(p.line(), "", "root element is <%s>, not <nmaprun>: this is not nmap XML output (nmap -oX)", safetext.Clean(t.Name.Local))
				}
				s, err := p.root(t)
				if err != nil {
					return nil, err
				}
				scan = s
			case t.Name.Local == "host":
				hosts++
				line := p.line()
				var h xhost
				if err := p.dec.DecodeElement(&h, &t); err != nil {
					return nil, p.tokenErr(err)
				}
				host, err := p.host(line, hosts, &h)
				if err != nil {
					return nil, err
				}
				scan.Hosts = append(scan.Hosts, host)
			default:
				// scaninfo, runstats, hosthint, taskbegin...: not needed.
				if err := p.dec.Skip(); err != nil {
					return nil, p.tokenErr(err)
				}
			}
		case xml.EndElement:
			closed = true // the root's end: Token checks nesting
		}
	}
	if scan == nil {
		return nil, p.fail(0, "", "no <nmaprun> element: this is not nmap XML output (nmap -oX)")
	}
	return scan, nil
}

func (p *parser) root(t xml.StartElement) (*model.Scan, error) {
	scan := &model.Scan{Hosts: []model.ScanHost{}}
	scanner, version, start := "nmap", "", ""
	for _, a := range t.Attr {
		switch a.Name.Local {
		case "scanner":
			if v := safetext.Clean(a.Value); v != "" {
				scanner = v
			}
		case "version":
			version = safetext.Clean(a.Value)
		case "start":
			start = strings.TrimSpace(a.Value)
		}
	}
	scan.Scanner = strings.TrimSpace(scanner + " " + version)
	if start != "" {
		secs, err := strconv.ParseInt(start, 10, 64)
		if err != nil || secs < 0 || secs > 1<<40 {
			return nil, p.fail(p.line(), "nmaprun.start", "%s is not a Unix time in seconds", safetext.Quote(start))
		}
		scan.Started = model.Timestamp{Time: time.Unix(secs, 0).UTC()}
	}
	return scan, nil
}

func (p *parser) host(line, n int, h *xhost) (model.ScanHost, error) {
	out := model.ScanHost{Addresses: []string{}, Ports: []model.Port{}}
	path := fmt.Sprintf("host[%d]", n)
	if h.Status != nil {
		out.Status = strings.ToLower(safetext.Clean(h.Status.State))
	}
	for _, a := range h.Addresses {
		addr := strings.TrimSpace(a.Addr)
		switch typ := strings.ToLower(strings.TrimSpace(a.AddrType)); typ {
		case "mac":
			mac, err := net.ParseMAC(addr)
			if err != nil {
				return out, p.fail(line, path+".address", "%s is not a MAC address", safetext.Quote(a.Addr))
			}
			if out.MAC == "" {
				out.MAC = mac.String()
				out.Vendor = safetext.Clean(a.Vendor)
			}
		case "ipv4", "ipv6", "":
			// nmap's DTD defaults addrtype to ipv4; the address decides.
			ip, err := netip.ParseAddr(addr)
			if err != nil {
				return out, p.fail(line, path+".address", "%s is not an IP address", safetext.Quote(a.Addr))
			}
			out.Addresses = appendNew(out.Addresses, ip.Unmap().String())
		default:
			// Unknown address kinds are another tool's extension: skipped.
		}
	}
	for _, hn := range h.Hostnames {
		name := strings.TrimSuffix(strings.ToLower(safetext.Clean(hn.Name)), ".")
		if name != "" {
			out.Hostnames = appendNew(out.Hostnames, name)
		}
	}
	for i := range h.Ports {
		port, keep, err := p.port(line, fmt.Sprintf("%s.ports.port[%d]", path, i+1), &h.Ports[i])
		if err != nil {
			return out, err
		}
		if keep {
			out.Ports = append(out.Ports, port)
		}
	}
	return out, nil
}

// port converts one <port>; keep is false for ports that are not open
// (and for IP protocol scan entries, whose "port" is a protocol number).
func (p *parser) port(line int, path string, x *xport) (model.Port, bool, error) {
	id, err := strconv.Atoi(strings.TrimSpace(x.PortID))
	if err != nil || id < 0 || id > 65535 {
		return model.Port{}, false, p.fail(line, path+".portid", "%s is not a port number from 0 to 65535", safetext.Quote(x.PortID))
	}
	proto := strings.ToLower(safetext.Clean(x.Protocol))
	state := ""
	if x.State != nil {
		state = strings.ToLower(strings.TrimSpace(x.State.State))
	}
	open := state == "open" || (state == "open|filtered" && proto == "udp")
	if !open || proto == "ip" {
		return model.Port{}, false, nil
	}
	// An absent protocol stays empty: the checks treat it as any.
	port := model.Port{Port: id, Protocol: proto, State: state}
	svc := x.Service
	if svc == nil {
		svc = &xservice{}
	}
	port.Service, port.TLS = serviceName(svc)
	product, version := safetext.Clean(svc.Product), safetext.Clean(svc.Version)
	port.Banner = strings.TrimSpace(product + " " + version)
	port.Version = version
	for i := range x.Scripts {
		s := &x.Scripts[i]
		switch s.ID {
		case "ssl-enum-ciphers":
			versions, weak := sslEnumCiphers(s)
			port.TLSVersions = mergeVersions(port.TLSVersions, versions)
			for _, c := range weak {
				port.WeakCiphers = appendNew(port.WeakCiphers, c)
			}
			if len(versions) > 0 {
				port.TLS = true
			}
		case "ssl-cert", "ssl-date":
			// Both need a completed TLS handshake.
			if strings.TrimSpace(s.Output) != "" || len(s.Elems) > 0 || len(s.Tables) > 0 {
				port.TLS = true
			}
		}
	}
	if port.Service == "snmp" {
		port.Version = snmpVersion(svc, x.Scripts)
	}
	return port, true, nil
}

// tlsServices are nmap service names that imply TLS or DTLS, with the
// plain service name to report (empty: keep the name).
var tlsServices = map[string]string{
	"https": "", "https-alt": "https", "ssl": "", "imaps": "", "pop3s": "", "smtps": "",
	"ldaps": "", "ftps": "", "ftps-data": "", "ircs": "", "nntps": "", "telnets": "",
	"secure-mqtt": "mqtt", "mqtts": "mqtt", "coaps": "coap", "amqps": "", "dtls": "",
}

// serviceName normalises nmap's service name and says whether TLS wraps
// it: tunnel="ssl" or an "ssl/" prefix (older nmap) wrap the named
// service, and HTTP over TLS is reported as https. nmap's "unknown"
// becomes empty, so that checks fall back to the port number.
func serviceName(s *xservice) (string, bool) {
	name := strings.ToLower(safetext.Clean(s.Name))
	tls := strings.EqualFold(strings.TrimSpace(s.Tunnel), "ssl")
	if rest, ok := strings.CutPrefix(name, "ssl/"); ok {
		name, tls = rest, true
	}
	if plain, ok := tlsServices[name]; ok {
		tls = true
		if plain != "" {
			name = plain
		}
	}
	switch {
	case name == "unknown":
		name = ""
	case tls && (name == "http" || name == "http-alt" || name == "http-proxy"):
		name = "https"
	}
	return name, tls
}

// snmpVersion says which SNMP versions the agent answered. nmap's SNMP
// probe and the community-based scripts (snmp-sysdescr, snmp-interfaces,
// snmp-brute...) succeed only over v1/v2c, and a community in the version
// line ("(public)") means the same; snmp-info and "SNMPv3 server" show v3.
// Anything v1/v2c wins, since that is what an attacker can use; nothing
// known gives "".
func snmpVersion(s *xservice, scripts []xscript) string {
	text := strings.ToLower(s.Product + " " + s.Version + " " + s.ExtraInfo)
	v12 := strings.Contains(text, "snmpv1") || strings.Contains(text, "snmpv2") ||
		strings.Contains(text, "public") || strings.Contains(text, "private") || strings.Contains(text, "community")
	v3 := strings.Contains(text, "snmpv3")
	for _, sc := range scripts {
		out := strings.TrimSpace(sc.Output)
		ok := (out != "" || len(sc.Elems) > 0 || len(sc.Tables) > 0) && !strings.HasPrefix(strings.ToUpper(out), "ERROR")
		switch {
		case !ok:
		case sc.ID == "snmp-info":
			v3 = true
		case sc.ID == "snmp-brute":
			if strings.Contains(strings.ToLower(out), "- valid credentials") { // "public - Valid credentials"
				v12 = true
			}
		case strings.HasPrefix(sc.ID, "snmp-"):
			v12 = true
		}
	}
	switch {
	case v12:
		return "v1/v2c"
	case v3:
		return "v3"
	}
	return ""
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
