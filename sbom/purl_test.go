package sbom

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePURL(t *testing.T) {
	tests := []struct {
		in      string
		want    PURL
		wantErr bool
	}{
		{in: "pkg:golang/github.com/ProtonMail/proton-bridge@v1.8.0",
			want: PURL{Type: "golang", Namespace: "github.com/ProtonMail", Name: "proton-bridge", Version: "v1.8.0"}},
		{in: "pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar",
			want: PURL{Type: "maven", Namespace: "com.acme", Name: "tomcat-catalina", Version: "9.0.14", Qualifiers: map[string]string{"packaging": "jar"}}},
		{in: "pkg:npm/%40angular/animation@12.3.1",
			want: PURL{Type: "npm", Namespace: "@angular", Name: "animation", Version: "12.3.1"}},
		{in: "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
			want: PURL{Type: "deb", Namespace: "debian", Name: "curl", Version: "7.50.3-1", Qualifiers: map[string]string{"arch": "i386", "distro": "jessie"}}},
		{in: "pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs",
			want: PURL{Type: "github", Namespace: "package-url", Name: "purl-spec", Version: "244fd47e07d1004", Subpath: "everybody/loves/dogs"}},
		{in: "PKG:PyPI/Django_Allauth@1.11.1", // scheme and type are case-insensitive
			want: PURL{Type: "pypi", Name: "Django_Allauth", Version: "1.11.1"}},
		{in: "pkg://cargo/rand@0.7.2", // slashes after the scheme are tolerated
			want: PURL{Type: "cargo", Name: "rand", Version: "0.7.2"}},
		{in: "pkg:generic/openssl@1.1.10g?download_url=https://openssl.org/source/openssl-1.1.0g.tar.gz&checksum=sha256:de4d501267da",
			want: PURL{Type: "generic", Name: "openssl", Version: "1.1.10g", Qualifiers: map[string]string{
				"download_url": "https://openssl.org/source/openssl-1.1.0g.tar.gz", "checksum": "sha256:de4d501267da"}}},
		{in: "pkg:docker/customer/dockerimage@sha256%3A244fd47e07d10?repository_url=gcr.io&Empty=",
			want: PURL{Type: "docker", Namespace: "customer", Name: "dockerimage", Version: "sha256:244fd47e07d10", Qualifiers: map[string]string{"repository_url": "gcr.io"}}},
		{in: "pkg:deb/debian/busybox@1:1.35.0-4+b3?arch=armhf&distro=debian-12",
			want: PURL{Type: "deb", Namespace: "debian", Name: "busybox", Version: "1:1.35.0-4+b3", Qualifiers: map[string]string{"arch": "armhf", "distro": "debian-12"}}},
		{in: "pkg:golang//github.com//a/b/@v1", // empty segments dropped
			want: PURL{Type: "golang", Namespace: "github.com/a", Name: "b", Version: "v1"}},
		{in: "pkg:generic/name%20with%20spaces", want: PURL{Type: "generic", Name: "name with spaces"}},
		{in: "pkg:generic/a#./../sub/./x", want: PURL{Type: "generic", Name: "a", Subpath: "sub/x"}},
		{in: "", wantErr: true},
		{in: "cpe:2.3:a:busybox:busybox", wantErr: true},
		{in: "pkg:npm", wantErr: true},
		{in: "pkg:/name", wantErr: true},
		{in: "pkg:npm/", wantErr: true},
		{in: "pkg:npm/@1.0", wantErr: true},
		{in: "pkg:npm/a%zz", wantErr: true},
		{in: "pkg:npm/a@1%", wantErr: true},
		{in: "pkg:npm/a?x=%", wantErr: true},
		{in: "pkg:npm/%/a", wantErr: true},
		{in: "pkg:?/0?", wantErr: true},
		{in: "pkg:1npm/a", wantErr: true},
		{in: "pkg:n%70m/a", wantErr: true},
		{in: "pkg:npm/a?b%20c=1&ok.key-1_x=2", want: PURL{Type: "npm", Name: "a", Qualifiers: map[string]string{"ok.key-1_x": "2"}}},
	}
	for _, tt := range tests {
		got, err := ParsePURL(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParsePURL(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParsePURL(%q) (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestPURLStringRoundTrip(t *testing.T) {
	for _, s := range []string{
		"pkg:golang/github.com/ProtonMail/proton-bridge@v1.8.0",
		"pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar",
		"pkg:npm/%40angular/animation@12.3.1",
		"pkg:deb/debian/busybox@1:1.35.0-4+b3?arch=armhf&distro=debian-12",
		"pkg:github/package-url/purl-spec@244fd47e07d1004#everybody/loves/dogs",
		"pkg:generic/name%20with%20spaces",
	} {
		p, err := ParsePURL(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.String(); got != s {
			t.Errorf("String() = %q, want %q", got, s)
		}
		again, err := ParsePURL(p.String())
		if err != nil || !cmp.Equal(p, again) {
			t.Errorf("round trip of %q: %+v %v", s, again, err)
		}
	}
}

func TestEcosystem(t *testing.T) {
	tests := []struct{ purl, want string }{
		{"pkg:npm/%40angular/animation@12.3.1", "npm"},
		{"pkg:pypi/django@1.11.1", "PyPI"},
		{"pkg:golang/github.com/gorilla/context@234fd47e07d1004f0aed9c", "Go"},
		{"pkg:maven/org.apache.xmlgraphics/batik-anim@1.9.1", "Maven"},
		{"pkg:cargo/rand@0.7.2", "crates.io"},
		{"pkg:nuget/EnterpriseLibrary.Common@6.0.1304", "NuGet"},
		{"pkg:gem/ruby-advisory-db-check@0.12.4", "RubyGems"},
		{"pkg:composer/laravel/laravel@5.5.0", "Packagist"},
		{"pkg:hex/jason@1.1.2", "Hex"},
		{"pkg:pub/characters@1.2.0", "Pub"},
		{"pkg:hackage/aeson@2.1.0.0", "Hackage"},
		{"pkg:cran/A3@1.0.0", "CRAN"},
		{"pkg:NPM/lodash@4.17.21", "npm"},
		{"pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=debian-12", "Debian:12"},
		{"pkg:deb/debian/curl@7.88.1-10?distro=debian-12.4", "Debian:12"},
		{"pkg:deb/debian/curl@7.88.1-10?distro=bookworm", "Debian:12"},
		{"pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie", "Debian:8"},
		{"pkg:deb/debian/curl@7.88.1-10?distro=11", "Debian:11"},
		{"pkg:deb/debian/curl@7.88.1-10", "Debian"},
		{"pkg:deb/debian/curl@7.88.1-10?distro=sid", "Debian"},
		{"pkg:deb/Debian/curl@7.88.1-10?distro=Debian-12", "Debian:12"},
		{"pkg:deb/ubuntu/curl@7.81.0-1ubuntu1.15?distro=ubuntu-22.04", "Ubuntu"},
		{"pkg:deb/raspbian/curl@7.64.0", ""},
		{"pkg:apk/alpine/zlib@1.2.13-r1?arch=aarch64&distro=alpine-3.18.4", "Alpine:v3.18"},
		{"pkg:apk/alpine/zlib@1.2.13-r1?distro=3.19.1", "Alpine:v3.19"},
		{"pkg:apk/alpine/zlib@1.2.13-r1?distro=v3.17", "Alpine:v3.17"},
		{"pkg:apk/alpine/zlib@1.2.13-r1", "Alpine"},
		{"pkg:apk/alpine/zlib@1.2.13-r1?distro=edge", "Alpine"},
		{"pkg:apk/wolfi/zlib@1.3", ""},
		{"pkg:github/actions/checkout@v4", ""},
		{"pkg:generic/u-boot@2023.07", ""},
		{"pkg:rpm/fedora/curl@7.50.3-1.fc25", ""},
		{"pkg:unknown/x@1", ""},
		{"not a purl", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Ecosystem(tt.purl); got != tt.want {
			t.Errorf("Ecosystem(%q) = %q, want %q", tt.purl, got, tt.want)
		}
	}
}

func TestRedactPURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pkg:maven/com.example/sdk@4.2.0?repository_url=https://bot:s3cret@repo.example.com/m2",
			"pkg:maven/com.example/sdk@4.2.0?repository_url=https:%2F%2Frepo.example.com%2Fm2"},
		{"pkg:generic/fw@1?download_url=https://token@dl.example.com/fw.bin&checksum=sha256:ab",
			"pkg:generic/fw@1?checksum=sha256:ab&download_url=https:%2F%2Fdl.example.com%2Ffw.bin"},
		{"pkg:generic/fw@1?download_url=https%3A%2F%2Fu%3Ap%40dl.example.com%2Ffw.bin",
			"pkg:generic/fw@1?download_url=https:%2F%2Fdl.example.com%2Ffw.bin"},
		// unchanged, byte for byte
		{"pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar", "pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar"},
		{"pkg:generic/fw@1?vcs_url=git%2Bhttps://example.com/a@v1", "pkg:generic/fw@1?vcs_url=git%2Bhttps://example.com/a@v1"},
		{"pkg:npm/%40scope/a@1", "pkg:npm/%40scope/a@1"},
		{"not a purl?x=https://a:b@c", "not a purl?x=https://a:b@c"},
	}
	for _, tt := range tests {
		if got := redactPURL(tt.in); got != tt.want {
			t.Errorf("redactPURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
