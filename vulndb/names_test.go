package vulndb

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/iotguard/iotguard/internal/fixtures"
	"github.com/iotguard/iotguard/model"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct{ eco, in, want string }{
		{"PyPI", "Friendly-Bard", "friendly-bard"},
		{"PyPI", "FRIENDLY__BARD", "friendly-bard"},
		{"PyPI", "friendly.bard", "friendly-bard"},
		{"PyPI", "friendly-._bard", "friendly-bard"},
		{"PyPI", "Gradio", "gradio"},
		{"npm", "@Scope/Pkg", "@scope/pkg"},
		{"Go", "github.com/BurntSushi/toml", "github.com/BurntSushi/toml"},
		{"crates.io", "serde_json", "serde-json"},
		{"Maven", "org.Apache:Log4j", "org.apache:log4j"},
		{"Debian", " OpenSSL ", "openssl"},
	}
	for _, tc := range tests {
		if got := normalizeName(tc.eco, tc.in); got != tc.want {
			t.Errorf("normalizeName(%q, %q) = %q, want %q", tc.eco, tc.in, got, tc.want)
		}
	}
}

func TestPackageQueries(t *testing.T) {
	tests := []struct {
		c    model.Component
		want []pkgQuery
	}{
		{model.Component{PURL: "pkg:golang/github.com/gin-gonic/gin@v1.5.0"}, []pkgQuery{{"Go", "", "github.com/gin-gonic/gin", "v1.5.0"}}},
		{model.Component{PURL: "pkg:npm/%40angular/core@16.0.0"}, []pkgQuery{{"npm", "", "@angular/core", "16.0.0"}}},
		{model.Component{PURL: "pkg:npm/@angular/core@16.0.0", Version: "16.0.1"}, []pkgQuery{{"npm", "", "@angular/core", "16.0.1"}}},
		{model.Component{PURL: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1?type=jar"}, []pkgQuery{{"Maven", "", "org.apache.logging.log4j:log4j-core", "2.14.1"}}},
		{model.Component{PURL: "pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64&upstream=openssl&distro=debian-12"},
			[]pkgQuery{{"Debian", "12", "libssl3", "3.0.11-1~deb12u2"}, {"Debian", "12", "openssl", "3.0.11-1~deb12u2"}}},
		{model.Component{PURL: "pkg:deb/ubuntu/gcc-12@12.3.0-1ubuntu1~22.04?upstream=gcc-12%4012.3.0-1ubuntu1~22.04&distro=jammy"},
			[]pkgQuery{{"Ubuntu", "22.04", "gcc-12", "12.3.0-1ubuntu1~22.04"}}},
		{model.Component{PURL: "pkg:deb/debian/bash@5.2.15-2?epoch=1"}, []pkgQuery{{"Debian", "", "bash", "1:5.2.15-2"}}},
		{model.Component{PURL: "pkg:apk/alpine/libcrypto3@3.1.4-r5?arch=x86_64&upstream=openssl&distro=alpine-3.19.1"},
			[]pkgQuery{{"Alpine", "3.19.1", "libcrypto3", "3.1.4-r5"}, {"Alpine", "3.19.1", "openssl", "3.1.4-r5"}}},
		{model.Component{PURL: "pkg:rpm/redhat/openssl@1.1.1k-7.el8_6?epoch=1"}, []pkgQuery{{"Red Hat", "", "openssl", "1:1.1.1k-7.el8_6"}}},
		{model.Component{PURL: "pkg:cargo/serde_json@1.0.0"}, []pkgQuery{{"crates.io", "", "serde_json", "1.0.0"}}},
		{model.Component{PURL: "pkg:composer/laravel/framework@10.0.0"}, []pkgQuery{{"Packagist", "", "laravel/framework", "10.0.0"}}},
		{model.Component{PURL: "pkg:pypi/django@4.2#sub/path"}, []pkgQuery{{"PyPI", "", "django", "4.2"}}},
		{model.Component{PURL: "pkg:generic/openssl@1.1.1w", Name: "openssl", Version: "1.1.1w"}, nil},
		{model.Component{Name: "openssl", Version: "3.0.2-0ubuntu1.10", Ecosystem: "Ubuntu:22.04:LTS"}, []pkgQuery{{"Ubuntu", "22.04:LTS", "openssl", "3.0.2-0ubuntu1.10"}}},
		{model.Component{PURL: "not a purl", Name: "flask", Version: "2.0", Ecosystem: "PyPI"}, []pkgQuery{{"PyPI", "", "flask", "2.0"}}},
		{model.Component{Name: "busybox", Version: "1.36"}, nil},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, packageQueries(tc.c), cmp.AllowUnexported(pkgQuery{})); d != "" {
			t.Errorf("%+v (-want +got)\n%s", tc.c, d)
		}
	}
}

func TestReleaseMatches(t *testing.T) {
	tests := []struct {
		variant, release string
		want             bool
	}{
		{"12", "12", true}, {"12", "12.4", true}, {"12", "11", false}, {"12", "120", false},
		{"v3.18", "3.18.4", true}, {"v3.18", "v3.18", true}, {"v3.18", "3.19", false},
		{"22.04:LTS", "22.04", true}, {"Pro:18.04:LTS", "18.04", true}, {"22.04:LTS", "20.04", false},
		{"", "12", true}, {"12", "", true},
	}
	for _, tc := range tests {
		if got := releaseMatches(tc.variant, tc.release); got != tc.want {
			t.Errorf("releaseMatches(%q, %q) = %v", tc.variant, tc.release, got)
		}
	}
}

func TestParseCPE(t *testing.T) {
	c, err := parseCPE(`cpe:2.3:o:Cisco:IOS:15.2\(4\)m:*:*:*:*:*:*:*`)
	if err != nil || c.part != "o" || c.vendor != "cisco" || c.version != "15.2(4)m" || c.update != "*" {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = parseCPE("cpe:/h:tp-link:archer_c7:2.0")
	if err != nil || c.part != "h" || c.product != "archer_c7" || c.version != "2.0" || c.other != "*" {
		t.Fatalf("%+v %v", c, err)
	}
	c, err = parseCPE(`cpe:2.3:a:vendor\:x:prod:1.0`)
	if err != nil || c.vendor != "vendor:x" || c.key() == "vendor:x:prod" {
		t.Fatalf("escaped colon: %+v %v", c, err)
	}
	for _, bad := range []string{"", "cpe:2.3:a", "cpe:2.3:q:v:p:1", "cpe:2.3:a:*:p:1", "xyz", "cpe:2.3:a:v:p:1:2:3:4:5:6:7:8:9"} {
		if _, err := parseCPE(bad); err == nil {
			t.Errorf("parseCPE(%q) accepted", bad)
		}
	}
}

// TestOSVTestdataMatchesSchema validates this package's hand-written OSV
// records and the OSV fixtures against the OSV JSON schema fixture, so the
// test data is in the real format.
func TestOSVTestdataMatchesSchema(t *testing.T) {
	schemaPath := fixtures.Path(t, "osv", "schema.json")
	raw, err := os.ReadFile(schemaPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("osv-schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("osv-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("testdata", "osv", "*.json"))
	files = append(files, fixtures.Path(t, "osv", "GO-2020-0001.json"), fixtures.Path(t, "osv", "GHSA-9v2f-6vcg-3hgv.json"))
	if len(files) != 5 {
		t.Fatalf("found %d OSV files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}
