package redact

import (
	"strings"
	"testing"
	"time"
)

// TestRedact was awsiot's; the rules are shared with azureiot.
func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"HostName=h;DeviceId=d;SharedAccessKey=abc+/==", "HostName=h;DeviceId=d;SharedAccessKey=[REDACTED]"},
		{"failed: sharedaccesskey=abc== (401)", "failed: sharedaccesskey=[REDACTED] (401)"},
		{"SharedAccessSignature sr=hub%2Fdevices%2Fd&sig=AbC%3D&se=1", "SharedAccessSignature [REDACTED]&sig=[REDACTED]&se=1"},
		{"a -----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY----- b", "a [REDACTED] b"},
		{"-----BEGIN PRIVATE KEY-----\nMIIE unterminated", "[REDACTED]"},
		{"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"},
		{"password=", "password="},
		{"password=[REDACTED]", "password=[REDACTED]"},
		{"x SIG=1 sig=2;token=3", "x SIG=[REDACTED] sig=[REDACTED];token=[REDACTED]"},
		{"İİİ sig=abc İ", "İİİ sig=[REDACTED] İ"},
	}
	for _, tt := range tests {
		if got := String(tt.in); got != tt.want {
			t.Errorf("String(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, s := range []string{
		"HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=abc=",
		"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;EndpointSuffix=core.windows.net",
		"SharedAccessSignature sr=h&sig=s&se=1",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----",
	} {
		if !SecretValue(s) {
			t.Errorf("SecretValue(%q) = false", s)
		}
	}
	for _, s := range []string{"1.2.3", "a=b;c=d", "see sig=abc in the log", ""} {
		if SecretValue(s) {
			t.Errorf("SecretValue(%q) = true", s)
		}
	}
	for _, k := range []string{"password", "adminPassword", "api_key", "Shared-Access-Key", "connectionString", "privateKey", "sasToken", "clientSecret"} {
		if !SecretName(k) {
			t.Errorf("SecretName(%q) = false", k)
		}
	}
	for _, k := range []string{"firmware", "model", "wattage", "serial", "keyType"} {
		if SecretName(k) {
			t.Errorf("SecretName(%q) = true", k)
		}
	}
}

func TestNormKeyAndPrivateKey(t *testing.T) {
	for _, k := range []string{"Shared_Access-Key", "shared.access key", "SHAREDACCESSKEY", "sharedAccessKey"} {
		if got := NormKey(k); got != "sharedaccesskey" {
			t.Errorf("NormKey(%q) = %q", k, got)
		}
	}
	for _, s := range []string{
		"-----BEGIN PRIVATE KEY-----",
		"note -----begin ec private key-----\nMHc",
		"-----BEGIN CERTIFICATE----- then -----BEGIN RSA PRIVATE KEY-----",
		"-----BEGIN OPENSSH PRIVATE KEY", // header never closed
	} {
		if !HasPrivateKey(s) {
			t.Errorf("HasPrivateKey(%q) = false", s)
		}
	}
	for _, s := range []string{"", "private key", "-----BEGIN CERTIFICATE-----\nMIIB", "-----BEGIN PUBLIC KEY----- private key"} {
		if HasPrivateKey(s) {
			t.Errorf("HasPrivateKey(%q) = true", s)
		}
	}
}

// TestLinear feeds megabytes of markers and PEM headers: redaction must
// not go quadratic on hostile input.
func TestLinear(t *testing.T) {
	for _, unit := range []string{"sig=", "-----BEGIN", "-----BEGIN PRIVATE KEY-----", "Sig=a;token=", "SharedAccessSignature "} {
		s := strings.Repeat(unit, (2<<20)/len(unit))
		start := time.Now()
		out := String(s)
		SecretValue(s)
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%q x %d took %v", unit, len(s)/len(unit), d)
		}
		if HasPrivateKey(unit) && strings.Contains(out, "PRIVATE") {
			t.Errorf("%q: a private key header survived", unit)
		}
	}
}
