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
