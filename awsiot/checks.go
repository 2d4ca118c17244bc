package awsiot

import (
	"sort"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// checkInfo is what iotguard knows of one Device Defender audit check: the
// ISO/IEC 27400 controls its findings evidence, and its documented
// severity (used when a finding omits it).
type checkInfo struct {
	controls []string
	severity model.Severity
}

// Control sets of the cross-walk (see docs/importers/awsiot.md).
var (
	identity   = []string{"S16", "P07"} // shared certificates or client IDs: authentication and unique identity
	authn      = []string{"S16"}        // certificate quality, expiry, age
	revocation = []string{"S16", "S05"} // revoked but still active: authentication and secure disposal
	authz      = []string{"S16", "S21"} // over-permissive policies and roles: authorization and roles
	logging    = []string{"S12"}
)

// checkTable maps the 17 AWS IoT Device Defender audit checks.
var checkTable = map[string]checkInfo{
	"INTERMEDIATE_CA_REVOKED_FOR_ACTIVE_DEVICE_CERTIFICATES_CHECK": {revocation, model.Critical},
	"REVOKED_CA_CERTIFICATE_STILL_ACTIVE_CHECK":                    {revocation, model.Critical},
	"DEVICE_CERTIFICATE_SHARED_CHECK":                              {identity, model.Critical},
	"DEVICE_CERTIFICATE_KEY_QUALITY_CHECK":                         {authn, model.Critical},
	"CA_CERTIFICATE_KEY_QUALITY_CHECK":                             {authn, model.Critical},
	"UNAUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK":         {authz, model.Critical},
	"AUTHENTICATED_COGNITO_ROLE_OVERLY_PERMISSIVE_CHECK":           {authz, model.Critical},
	"IOT_POLICY_OVERLY_PERMISSIVE_CHECK":                           {authz, model.Critical},
	"IOT_POLICY_POTENTIAL_MISCONFIGURATION_CHECK":                  {authz, model.Medium},
	"IOT_ROLE_ALIAS_OVERLY_PERMISSIVE_CHECK":                       {authz, model.Critical},
	"IOT_ROLE_ALIAS_ALLOWS_ACCESS_TO_UNUSED_SERVICES_CHECK":        {authz, model.Medium},
	"CA_CERTIFICATE_EXPIRING_CHECK":                                {authn, model.Medium},
	"CONFLICTING_CLIENT_IDS_CHECK":                                 {identity, model.High},
	"DEVICE_CERTIFICATE_EXPIRING_CHECK":                            {authn, model.Medium},
	"DEVICE_CERTIFICATE_AGE_CHECK":                                 {authn, model.Low},
	"REVOKED_DEVICE_CERTIFICATE_STILL_ACTIVE_CHECK":                {revocation, model.Medium},
	"LOGGING_DISABLED_CHECK":                                       {logging, model.Low},
}

// defaultControls are the controls of a check this package does not know.
// Every Device Defender audit check so far is about authenticating or
// authorising devices and their certificates (S16), so a new one most
// likely is too; callers should still flag it (IsKnownCheck) so that a
// person confirms the mapping.
var defaultControls = []string{"S16"}

// ControlsForCheck returns the ISO/IEC 27400 control IDs that a Device
// Defender audit check evidences, e.g. DEVICE_CERTIFICATE_SHARED_CHECK ->
// [S16 P07]. Names match case-insensitively, with or without the _CHECK
// suffix. An unknown check returns [S16] (see defaultControls); use
// IsKnownCheck to tell the two apart. The slice is the caller's to keep.
func ControlsForCheck(check string) []string {
	if c, ok := checkTable[normCheck(check)]; ok {
		return append([]string(nil), c.controls...)
	}
	return append([]string(nil), defaultControls...)
}

// IsKnownCheck reports whether check is one of the 17 Device Defender
// audit checks this package maps.
func IsKnownCheck(check string) bool {
	_, ok := checkTable[normCheck(check)]
	return ok
}

// Checks lists the names of the known audit checks, sorted.
func Checks() []string {
	out := make([]string, 0, len(checkTable))
	for k := range checkTable {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func normCheck(s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if s != "" && !strings.HasSuffix(s, "_CHECK") {
		s += "_CHECK"
	}
	return s
}
