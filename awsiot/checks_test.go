package awsiot

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestControlsForCheck(t *testing.T) {
	tests := []struct {
		check string
		want  []string
		known bool
	}{
		{"DEVICE_CERTIFICATE_SHARED_CHECK", []string{"S16", "P07"}, true},
		{"CONFLICTING_CLIENT_IDS_CHECK", []string{"S16", "P07"}, true},
		{"DEVICE_CERTIFICATE_KEY_QUALITY_CHECK", []string{"S16"}, true},
		{"CA_CERTIFICATE_KEY_QUALITY_CHECK", []string{"S16"}, true},
		{"DEVICE_CERTIFICATE_EXPIRING_CHECK", []string{"S16"}, true},
		{"CA_CERTIFICATE_EXPIRING_CHECK", []string{"S16"}, true},
		{"DEVICE_CERTIFICATE_AGE_CHECK", []string{"S16"}, true},
		{"REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK", []string{"S16", "S05"}, true},
		{"REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK", []string{"S16", "S05"}, true},
		{"INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK", []string{"S16", "S05"}, true},
		{"IOT_POLICY_OVERLY_PERMISSIVE_CHECK", []string{"S16", "S21"}, true},
		{"IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK", []string{"S16", "S21"}, true},
		{"IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK", []string{"S16", "S21"}, true},
		{"IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK", []string{"S16", "S21"}, true},
		{"UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK", []string{"S16", "S21"}, true},
		{"AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK", []string{"S16", "S21"}, true},
		{"LOGGING_DISABLED_CHECK", []string{"S12"}, true},
		// Spelling variants: lower case, no _CHECK suffix, spaces.
		{" logging_disabled_check ", []string{"S12"}, true},
		{"DEVICE_CERTIFICATE_SHARED", []string{"S16", "P07"}, true},
		// Unknown checks default to S16 and are flagged.
		{"SOME_FUTURE_CHECK", []string{"S16"}, false},
		{"", []string{"S16"}, false},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, ControlsForCheck(tt.check)); diff != "" {
			t.Errorf("ControlsForCheck(%q) (-want +got):\n%s", tt.check, diff)
		}
		if got := IsKnownCheck(tt.check); got != tt.known {
			t.Errorf("IsKnownCheck(%q) = %v", tt.check, got)
		}
	}
	if n := len(Checks()); n != 17 {
		t.Errorf("%d checks, want the 17 Device Defender audit checks", n)
	}
	// Callers own the slice: changing it does not change the table.
	c := ControlsForCheck("LOGGING_DISABLED_CHECK")
	c[0] = "X"
	if ControlsForCheck("LOGGING_DISABLED_CHECK")[0] != "S12" {
		t.Error("ControlsForCheck returned the table's slice")
	}
	d := ControlsForCheck("UNKNOWN")
	d[0] = "X"
	if defaultControls[0] != "S16" {
		t.Error("ControlsForCheck returned defaultControls itself")
	}
}

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
		if got := redact(tt.in); got != tt.want {
			t.Errorf("redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, s := range []string{
		"HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=abc=",
		"DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc==;EndpointSuffix=core.windows.net",
		"SharedAccessSignature sr=h&sig=s&se=1",
		"-----BEGIN ENCRYPTED PRIVATE KEY-----",
	} {
		if !secretValue(s) {
			t.Errorf("secretValue(%q) = false", s)
		}
	}
	for _, s := range []string{"1.2.3", "a=b;c=d", "see sig=abc in the log", ""} {
		if secretValue(s) {
			t.Errorf("secretValue(%q) = true", s)
		}
	}
	for _, k := range []string{"password", "adminPassword", "api_key", "Shared-Access-Key", "connectionString", "privateKey", "sasToken", "clientSecret"} {
		if !secretName(k) {
			t.Errorf("secretName(%q) = false", k)
		}
	}
	for _, k := range []string{"firmware", "model", "wattage", "serial", "keyType"} {
		if secretName(k) {
			t.Errorf("secretName(%q) = true", k)
		}
	}
}
