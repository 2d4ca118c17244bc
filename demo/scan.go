package demo

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/iotguard/iotguard/model"
)

// The nmap scan: Northwind's red team scanned the depot's legacy camera
// VLAN two days before the assessment (nmap -sV with ssl-enum-ciphers).
// It finds the eight V90 cameras there (matched to the inventory by MAC
// and address), all accepting TLS 1.0 with ciphers nmap grades F (RSA-1024
// key, SHA-1 signature, 3DES and RC4 offered); one of them also answers
// telnet, which no declaration mentions; and a video recorder that is in no
// inventory.

const (
	scanNet     = "10.20.80.0/24"
	scanPorts   = "21-23,80,443,554,8000,8080,8443"
	unknownHost = "10.20.80.240"
	unknownMAC  = "3C:EF:8C:7D:40:19"
)

// scanPortList is every port the scan probed, in order.
var scanPortList = []int{21, 22, 23, 80, 443, 554, 8000, 8080, 8443}

type tlsCipher struct {
	name, kex, strength string
}

// v90TLS is what ssl-enum-ciphers reports for the V90's HTTPS port.
var v90TLS = []struct {
	version  string
	ciphers  []tlsCipher
	warnings []string
}{
	{"TLSv1.0", v90Ciphers(false), v90Warnings},
	{"TLSv1.1", v90Ciphers(false), v90Warnings},
	{"TLSv1.2", v90Ciphers(true), v90Warnings},
}

var v90Warnings = []string{
	"64-bit block cipher 3DES vulnerable to SWEET32 attack",
	"Broken cipher RC4 is deprecated by RFC 7465",
	"Insecure certificate signature (SHA1), score capped at F",
}

func v90Ciphers(tls12 bool) []tlsCipher {
	cs := []tlsCipher{
		{"TLS_RSA_WITH_AES_128_CBC_SHA", "rsa 1024", "F"},
		{"TLS_RSA_WITH_AES_256_CBC_SHA", "rsa 1024", "F"},
		{"TLS_RSA_WITH_3DES_EDE_CBC_SHA", "rsa 1024", "F"},
		{"TLS_RSA_WITH_RC4_128_SHA", "rsa 1024", "F"},
	}
	if tls12 {
		cs = append([]tlsCipher{{"TLS_RSA_WITH_AES_128_GCM_SHA256", "rsa 1024", "F"}}, cs...)
	}
	return cs
}

// xmlAttr escapes an attribute value as nmap writes it (newlines as &#xa;).
func xmlAttr(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#xa;")
	return r.Replace(s)
}

func sslEnumCiphers(b *strings.Builder) {
	var out strings.Builder
	for _, v := range v90TLS {
		fmt.Fprintf(&out, "\n  %s: \n    ciphers: \n", v.version)
		for _, c := range v.ciphers {
			fmt.Fprintf(&out, "      %s (%s) - %s\n", c.name, c.kex, c.strength)
		}
		out.WriteString("    compressors: \n      NULL\n    cipher preference: server\n    warnings: \n")
		for _, w := range v.warnings {
			fmt.Fprintf(&out, "      %s\n", w)
		}
	}
	out.WriteString("  least strength: F")
	fmt.Fprintf(b, "<script id=\"ssl-enum-ciphers\" output=\"%s\">", xmlAttr(out.String()))
	for _, v := range v90TLS {
		fmt.Fprintf(b, "<table key=\"%s\">\n<table key=\"ciphers\">\n", v.version)
		for _, c := range v.ciphers {
			fmt.Fprintf(b, "<table>\n<elem key=\"strength\">%s</elem>\n<elem key=\"name\">%s</elem>\n<elem key=\"kex_info\">%s</elem>\n</table>\n",
				c.strength, c.name, c.kex)
		}
		b.WriteString("</table>\n<table key=\"compressors\">\n<elem>NULL</elem>\n</table>\n<elem key=\"cipher preference\">server</elem>\n<table key=\"warnings\">\n")
		for _, w := range v.warnings {
			fmt.Fprintf(b, "<elem>%s</elem>\n", w)
		}
		b.WriteString("</table>\n</table>\n")
	}
	b.WriteString("<elem key=\"least strength\">F</elem>\n</script>")
}

// scanHost is one host the scan reports.
type scanHost struct {
	ip, mac, vendor, hostname string
	open                      []int // open ports, ascending
	device                    *model.Device
}

func (g *gen) nmapScan() []byte {
	start := g.today.AddDate(0, 0, -2).Add(22*time.Hour + 14*time.Minute + 5*time.Second)

	// The legacy VLAN's cameras, in address order, and the unknown
	// recorder. One camera's debug telnet was left on by a technician.
	var hosts []scanHost
	var legacy []*model.Device
	for i := range g.devices {
		d := &g.devices[i]
		if d.Zone == zoneLegacy && d.Lifecycle == model.Active {
			legacy = append(legacy, d)
		}
	}
	if len(legacy) == 0 {
		panic("demo: no device in the scanned VLAN")
	}
	telnet := legacy[g.rng.IntN(len(legacy))]
	for _, d := range legacy {
		h := scanHost{ip: d.IP, mac: strings.ToUpper(d.MAC), vendor: "Veridian Optics", hostname: d.Hostname, open: []int{443}, device: d}
		const tlsWhat = "the legacy V90 cameras accept TLS 1.0 and 1.1 on their web interface (nmap ssl-enum-ciphers)"
		g.problem("device-tls-minimum", d.ID, tlsWhat)
		g.problem("weak-tls-ciphers", d.ID, "the legacy V90 cameras offer 3DES and RC4 ciphers that nmap grades F")
		if d == telnet {
			h.open = []int{23, 443}
			const what = "a legacy V90 camera answers telnet, seen only by the scan: a technician left its debug shell on"
			g.problem("insecure-protocols", d.ID, what)
			g.problem("ports-outside-baseline", d.ID, what)
			g.problem("device-ports-outside-mud", d.ID, what)
		}
		hosts = append(hosts, h)
	}
	hosts = append(hosts, scanHost{ip: unknownHost, mac: unknownMAC, vendor: "Veridian Optics", open: []int{80, 554, 8000}})
	g.problem("unregistered-device", "host "+unknownHost, "a video recorder a contractor installed in the legacy camera VLAN is in no inventory")
	sort.SliceStable(hosts, func(i, j int) bool { return ipLess(hosts[i].ip, hosts[j].ip) })

	args := "nmap -sS -sV -T3 -p " + scanPorts + " --script ssl-enum-ciphers -oX depot-legacy-cameras.xml " + scanNet
	var b strings.Builder
	b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE nmaprun>\n")
	b.WriteString("<?xml-stylesheet href=\"file:///usr/bin/../share/nmap/nmap.xsl\" type=\"text/xsl\"?>\n")
	// "--" may not appear in an XML comment: nmap writes it as "-&#45;".
	fmt.Fprintf(&b, "<!-- Nmap 7.94SVN scan initiated %s as: %s -->\n", start.Format("Mon Jan _2 15:04:05 2006"),
		strings.ReplaceAll(args, "--", "-&#45;"))
	fmt.Fprintf(&b, "<nmaprun scanner=\"nmap\" args=\"%s\" start=\"%d\" startstr=\"%s\" version=\"7.94SVN\" xmloutputversion=\"1.05\">\n",
		xmlAttr(args), start.Unix(), start.Format("Mon Jan _2 15:04:05 2006"))
	fmt.Fprintf(&b, "<scaninfo type=\"syn\" protocol=\"tcp\" numservices=\"%d\" services=\"%s\"/>\n", len(scanPortList), scanPorts)
	b.WriteString("<verbose level=\"0\"/>\n<debugging level=\"0\"/>\n")
	at := start.Add(3 * time.Second)
	for i, h := range hosts {
		hs := at.Add(time.Duration(i*7) * time.Second)
		he := hs.Add(time.Duration(95+g.rng.IntN(40)) * time.Second)
		fmt.Fprintf(&b, "<host starttime=\"%d\" endtime=\"%d\"><status state=\"up\" reason=\"arp-response\" reason_ttl=\"0\"/>\n", hs.Unix(), he.Unix())
		fmt.Fprintf(&b, "<address addr=\"%s\" addrtype=\"ipv4\"/>\n", h.ip)
		fmt.Fprintf(&b, "<address addr=\"%s\" addrtype=\"mac\" vendor=\"%s\"/>\n", h.mac, xmlAttr(h.vendor))
		if h.hostname != "" {
			fmt.Fprintf(&b, "<hostnames>\n<hostname name=\"%s\" type=\"PTR\"/>\n</hostnames>\n", h.hostname)
		} else {
			b.WriteString("<hostnames>\n</hostnames>\n")
		}
		b.WriteString("<ports>")
		var closed []string
		for _, p := range scanPortList {
			if !contains(h.open, p) {
				closed = append(closed, fmt.Sprint(p))
			}
		}
		fmt.Fprintf(&b, "<extraports state=\"closed\" count=\"%d\">\n<extrareasons reason=\"reset\" count=\"%d\" proto=\"tcp\" ports=\"%s\"/>\n</extraports>\n",
			len(closed), len(closed), portRanges(closed))
		for _, p := range h.open {
			fmt.Fprintf(&b, "<port protocol=\"tcp\" portid=\"%d\"><state state=\"open\" reason=\"syn-ack\" reason_ttl=\"64\"/>", p)
			switch {
			case p == 23:
				b.WriteString("<service name=\"telnet\" product=\"BusyBox telnetd\" ostype=\"Linux\" method=\"probed\" conf=\"10\"><cpe>cpe:/a:busybox:busybox</cpe><cpe>cpe:/o:linux:linux_kernel</cpe></service>")
			case p == 443:
				b.WriteString("<service name=\"http\" product=\"Boa httpd\" tunnel=\"ssl\" method=\"probed\" conf=\"10\"><cpe>cpe:/a:boa:boa</cpe></service>")
				sslEnumCiphers(&b)
			case p == 80:
				b.WriteString("<service name=\"http\" product=\"Veridian NVR web admin\" method=\"probed\" conf=\"10\"/>")
			case p == 554:
				b.WriteString("<service name=\"rtsp\" method=\"probed\" conf=\"10\"/>")
			case p == 8000:
				b.WriteString("<service name=\"http-alt\" method=\"table\" conf=\"3\"/>")
			}
			b.WriteString("</port>\n")
		}
		b.WriteString("</ports>\n")
		fmt.Fprintf(&b, "<times srtt=\"%d\" rttvar=\"%d\" to=\"100000\"/>\n</host>\n", 600+g.rng.IntN(900), 300+g.rng.IntN(600))
	}
	end := start.Add(5*time.Minute + 41*time.Second)
	elapsed := end.Sub(start).Seconds()
	fmt.Fprintf(&b, "<runstats><finished time=\"%d\" timestr=\"%s\" summary=\"Nmap done at %s; 256 IP addresses (%d hosts up) scanned in %.2f seconds\" elapsed=\"%.2f\" exit=\"success\"/><hosts up=\"%d\" down=\"%d\" total=\"256\"/>\n</runstats>\n</nmaprun>\n",
		end.Unix(), end.Format("Mon Jan _2 15:04:05 2006"), end.Format("Mon Jan _2 15:04:05 2006"), len(hosts), elapsed, elapsed, len(hosts), 256-len(hosts))
	return []byte(b.String())
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// portRanges writes ports as nmap does: consecutive ports as a range.
func portRanges(ports []string) string {
	var out []string
	for i := 0; i < len(ports); {
		j := i
		for j+1 < len(ports) && atoi(ports[j+1]) == atoi(ports[j])+1 {
			j++
		}
		if j > i {
			out = append(out, ports[i]+"-"+ports[j])
		} else {
			out = append(out, ports[i])
		}
		i = j + 1
	}
	return strings.Join(out, ",")
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

// ipLess orders dotted IPv4 addresses numerically.
func ipLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := range pa {
		if x, y := atoi(pa[i]), atoi(pb[i]); x != y {
			return x < y
		}
	}
	return false
}
