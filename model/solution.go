package model

// Solution is the description of one IoT solution: who runs it, what
// devices and services it has, how data flows, the organisation's policy
// parameters and what people attest. Devices are not held here: they are
// streamed from an Inventory, so that fleets of millions fit in memory.
type Solution struct {
	Version      int           `yaml:"version" json:"version"`
	Name         string        `yaml:"name" json:"name"`
	Organization Organization  `yaml:"organization" json:"organization"`
	Models       []DeviceModel `yaml:"models" json:"models"`
	Services     []Service     `yaml:"services" json:"services"`
	Networks     []Network     `yaml:"networks" json:"networks"`
	Flows        []DataFlow    `yaml:"flows" json:"flows"`
	Policy       Policy        `yaml:"policy" json:"policy"`
	Attestations []Attestation `yaml:"attestations" json:"attestations"`
	// Evidence names other tools' files (SBOMs, vulnerability database,
	// certificates, scans, MUD profiles, cloud registry exports).
	Evidence EvidenceSources `yaml:"evidence" json:"evidence"`
	// Rules are CEL rule packs (files or folders) run beside the built-in
	// checks.
	Rules []string `yaml:"rules" json:"rules,omitempty"`
}

// EvidenceSources names files that evidence the solution. Paths are
// relative to the manifest and may be globs (sboms/*.cdx.json).
type EvidenceSources struct {
	SBOMs []SBOMRef `yaml:"sboms" json:"sboms,omitempty"`
	// VulnDB is a vulnerability index built by `iotguard vulndb import`,
	// or OSV/NVD/KEV files and folders to build one from.
	VulnDB       []string `yaml:"vulndb" json:"vulndb,omitempty"`
	Certificates []string `yaml:"certificates" json:"certificates,omitempty"`
	// TrustedCAs are the CA certificates device certificates must chain to.
	TrustedCAs []string `yaml:"trusted_cas" json:"trusted_cas,omitempty"`
	CRLs       []string `yaml:"crls" json:"crls,omitempty"`
	Nmap       []string `yaml:"nmap" json:"nmap,omitempty"`
	MUD        []MUDRef `yaml:"mud" json:"mud,omitempty"`
	// AWS are AWS IoT exports: list-things, describe-thing,
	// describe-certificate, list-audit-findings.
	AWS []string `yaml:"aws" json:"aws,omitempty"`
	// Azure are Azure IoT Hub device twins or bulk-export JSON lines.
	Azure []string `yaml:"azure" json:"azure,omitempty"`
}

// SBOMRef binds an SBOM file to a device model and firmware version. An
// empty firmware takes the SBOM's own subject version.
type SBOMRef struct {
	File     string `yaml:"file" json:"file"`
	Model    string `yaml:"model" json:"model,omitempty"`
	Firmware string `yaml:"firmware" json:"firmware,omitempty"`
}

// MUDRef binds a MUD file to a device model.
type MUDRef struct {
	File  string `yaml:"file" json:"file"`
	Model string `yaml:"model" json:"model,omitempty"`
}

// Organization names the organisation and who acts in each role.
type Organization struct {
	Name  string                `yaml:"name" json:"name"`
	Roles map[Stakeholder]Party `yaml:"roles" json:"roles"`
}

// Party is a person, team or company with a contact.
type Party struct {
	Name    string `yaml:"name" json:"name"`
	Contact string `yaml:"contact" json:"contact"`
}

// Port is a network port a device or model listens on.
type Port struct {
	Port     int    `yaml:"port" json:"port"`
	Protocol string `yaml:"protocol" json:"protocol"` // tcp or udp
	// State is the scan's port state (open, open|filtered); empty when declared.
	State   string `yaml:"state" json:"state,omitempty"`
	Service string `yaml:"service" json:"service"` // e.g. https, mqtt, telnet, coap, snmp
	// TLS says whether the service is protected by TLS or DTLS.
	TLS bool `yaml:"tls" json:"tls"`
	// Version is the service version, where relevant (e.g. SNMP "v2c").
	Version string `yaml:"version" json:"version"`
	// Banner is the version banner the service shows before authentication.
	Banner string `yaml:"banner" json:"banner"`
	// Admin marks a management interface.
	Admin bool `yaml:"admin" json:"admin"`
	// Authenticated says whether the service requires authentication.
	Authenticated *bool `yaml:"authenticated" json:"authenticated"`
	// TLSVersions are the TLS versions the port accepts, as a scan saw them
	// (nmap ssl-enum-ciphers).
	TLSVersions []TLSVersion `yaml:"tls_versions" json:"tls_versions,omitempty"`
	// WeakCiphers are accepted cipher suites a scan graded below A.
	WeakCiphers []string `yaml:"weak_ciphers" json:"weak_ciphers,omitempty"`
}

// UpdatePolicy says how a model's software is updated and for how long.
type UpdatePolicy struct {
	Mechanism  string    `yaml:"mechanism" json:"mechanism"` // ota, manual, none
	Signed     bool      `yaml:"signed" json:"signed"`
	Automatic  bool      `yaml:"automatic" json:"automatic"`
	SupportEnd Timestamp `yaml:"support_end" json:"support_end"`
	// StagedRollout says updates go to a canary group first.
	StagedRollout bool `yaml:"staged_rollout" json:"staged_rollout"`
}

// DisclosurePolicy is a model's vulnerability disclosure arrangement.
type DisclosurePolicy struct {
	URL         string `yaml:"url" json:"url"`
	Contact     string `yaml:"contact" json:"contact"`
	SecurityTxt bool   `yaml:"security_txt" json:"security_txt"`
	// Advisories says where machine-readable advisories (CSAF, VEX) are published.
	Advisories string `yaml:"advisories" json:"advisories"`
}

// EvidenceFile is a file that supports a claim, pinned by its digest.
type EvidenceFile struct {
	Path   string `yaml:"path" json:"path"`
	SHA256 string `yaml:"sha256" json:"sha256"`
}

// Document is a dated document such as a test report or threat model.
type Document struct {
	Date     Timestamp      `yaml:"date" json:"date"`
	Summary  string         `yaml:"summary" json:"summary"`
	Evidence []EvidenceFile `yaml:"evidence" json:"evidence"`
}

// Certification is a certificate of conformity, e.g. to ETSI EN 303 645.
type Certification struct {
	Scheme  string    `yaml:"scheme" json:"scheme"`
	Scope   string    `yaml:"scope" json:"scope"` // security, privacy or both
	Issued  Timestamp `yaml:"issued" json:"issued"`
	Expires Timestamp `yaml:"expires" json:"expires"`
}

// Hardening is what a model does to resist physical attack.
type Hardening struct {
	TamperDetection        bool `yaml:"tamper_detection" json:"tamper_detection"`
	StorageEncryption      bool `yaml:"storage_encryption" json:"storage_encryption"`
	DebugInterfacesEnabled bool `yaml:"debug_interfaces_enabled" json:"debug_interfaces_enabled"`
	SecureBoot             bool `yaml:"secure_boot" json:"secure_boot"`
	// FactoryReset says the model can wipe user data and credentials.
	FactoryReset bool `yaml:"factory_reset" json:"factory_reset"`
}

// DeviceModel is a device type: vendor, model and what it ships with.
type DeviceModel struct {
	ID              string `yaml:"id" json:"id"`
	Vendor          string `yaml:"vendor" json:"vendor"`
	Model           string `yaml:"model" json:"model"`
	Kind            string `yaml:"kind" json:"kind"` // camera, thermostat, gateway, sensor...
	HardwareVersion string `yaml:"hardware_version" json:"hardware_version"`
	// FirmwareVersion is the latest firmware the vendor offers.
	FirmwareVersion  string    `yaml:"firmware_version" json:"firmware_version"`
	FirmwareReleased Timestamp `yaml:"firmware_released" json:"firmware_released"`
	// Firmware lists known firmware versions with their release dates, so
	// checks can tell how far behind a device is.
	Firmware   []FirmwareRelease `yaml:"firmware" json:"firmware"`
	SBOMs      []string          `yaml:"sboms" json:"sboms"`
	Update     UpdatePolicy      `yaml:"update" json:"update"`
	Disclosure DisclosurePolicy  `yaml:"disclosure" json:"disclosure"`
	// SupportContact is where users get help (URL or e-mail).
	SupportContact string `yaml:"support_contact" json:"support_contact"`
	// DefaultCredentials is how the model ships: default, unique or none.
	DefaultCredentials CredentialState `yaml:"default_credentials" json:"default_credentials"`
	// DefaultSettings are the settings as shipped, e.g. camera, microphone,
	// location, analytics, telnet.
	DefaultSettings map[string]bool `yaml:"default_settings" json:"default_settings"`
	// Ports are the listening ports the design declares: the secure baseline.
	Ports     []Port    `yaml:"ports" json:"ports"`
	MUD       string    `yaml:"mud" json:"mud"`
	Hardening Hardening `yaml:"hardening" json:"hardening"`
	// Sensors the model has (camera, microphone, location, ...), as documented.
	Sensors          []string        `yaml:"sensors" json:"sensors"`
	ThreatModel      *Document       `yaml:"threat_model" json:"threat_model"`
	SecurityTest     *Document       `yaml:"security_test" json:"security_test"`
	UserGuide        string          `yaml:"user_guide" json:"user_guide"`
	PrivacyStatement string          `yaml:"privacy_statement" json:"privacy_statement"`
	Certifications   []Certification `yaml:"certifications" json:"certifications"`
	Owner            string          `yaml:"owner" json:"owner"`
	SafetyCritical   bool            `yaml:"safety_critical" json:"safety_critical"`
}

// FirmwareRelease is one released firmware version of a model.
type FirmwareRelease struct {
	Version  string    `yaml:"version" json:"version"`
	Released Timestamp `yaml:"released" json:"released"`
	Security bool      `yaml:"security" json:"security"` // contains security fixes
}

// Certificate is what iotguard knows of a device's X.509 certificate,
// declared in the inventory or read from the certificate file.
type Certificate struct {
	File               string    `yaml:"file" json:"file,omitempty"`
	Fingerprint        string    `yaml:"fingerprint" json:"fingerprint,omitempty"` // SHA-256, hex
	Subject            string    `yaml:"subject" json:"subject,omitempty"`
	Issuer             string    `yaml:"issuer" json:"issuer,omitempty"`
	Serial             string    `yaml:"serial" json:"serial,omitempty"`
	NotBefore          Timestamp `yaml:"not_before" json:"not_before,omitzero"`
	NotAfter           Timestamp `yaml:"not_after" json:"not_after,omitzero"`
	KeyType            string    `yaml:"key_type" json:"key_type,omitempty"` // rsa, ecdsa, ed25519
	KeyBits            int       `yaml:"key_bits" json:"key_bits,omitempty"`
	Curve              string    `yaml:"curve" json:"curve,omitempty"`
	SignatureAlgorithm string    `yaml:"signature_algorithm" json:"signature_algorithm,omitempty"`
	SelfSigned         bool      `yaml:"self_signed" json:"self_signed,omitempty"`
	Revoked            bool      `yaml:"revoked" json:"revoked,omitempty"`
	// Trusted says whether the certificate chains to one of the solution's
	// trusted CAs; nil when no CA set was given.
	Trusted *bool `yaml:"trusted" json:"trusted,omitempty"`
}

// Device is one device in the inventory.
type Device struct {
	ID           string `yaml:"id" json:"id"`
	Serial       string `yaml:"serial" json:"serial,omitempty"`
	Model        string `yaml:"model" json:"model"`
	Firmware     string `yaml:"firmware" json:"firmware,omitempty"`
	MAC          string `yaml:"mac" json:"mac,omitempty"`
	IP           string `yaml:"ip" json:"ip,omitempty"`
	Hostname     string `yaml:"hostname" json:"hostname,omitempty"`
	MQTTClientID string `yaml:"mqtt_client_id" json:"mqtt_client_id,omitempty"`
	// Certificate is the device's identity certificate, if any.
	Certificate *Certificate  `yaml:"certificate" json:"certificate,omitempty"`
	Lifecycle   Lifecycle     `yaml:"lifecycle" json:"lifecycle,omitempty"`
	Site        string        `yaml:"site" json:"site,omitempty"`
	Location    LocationClass `yaml:"location" json:"location,omitempty"`
	Zone        string        `yaml:"zone" json:"zone,omitempty"`
	LastSeen    Timestamp     `yaml:"last_seen" json:"last_seen,omitzero"`
	// Decommissioned is when the device left service, if it did.
	Decommissioned Timestamp       `yaml:"decommissioned" json:"decommissioned,omitzero"`
	Wiped          bool            `yaml:"wiped" json:"wiped,omitempty"`
	Credentials    CredentialState `yaml:"credentials" json:"credentials,omitempty"`
	// Settings are the device's current settings, overriding the model's
	// defaults (e.g. telnet, debug_port, tamper_detection, logging, camera).
	Settings map[string]bool `yaml:"settings" json:"settings,omitempty"`
	// Ports are the listening ports observed on the device.
	Ports []Port `yaml:"ports" json:"ports,omitempty"`
	// ReportedFirmware is the version the device itself last reported.
	ReportedFirmware string `yaml:"reported_firmware" json:"reported_firmware,omitempty"`
	// LastTelemetry is when the device last sent security telemetry.
	LastTelemetry Timestamp `yaml:"last_telemetry" json:"last_telemetry,omitzero"`
	// ClockSkewSeconds is the device clock's offset from true time.
	ClockSkewSeconds int `yaml:"clock_skew_seconds" json:"clock_skew_seconds,omitempty"`
	// TamperEvents counts tamper alarms not yet acknowledged.
	TamperEvents   int    `yaml:"tamper_events" json:"tamper_events,omitempty"`
	Owner          string `yaml:"owner" json:"owner,omitempty"`
	SafetyCritical bool   `yaml:"safety_critical" json:"safety_critical,omitempty"`
	// PreviousIdentity is the certificate fingerprint the device had before
	// it was re-used, if it was.
	PreviousIdentity string `yaml:"previous_identity" json:"previous_identity,omitempty"`
	// CloudStatus is the device's state in a cloud registry (enabled,
	// disabled, ACTIVE, INACTIVE...), when one was read.
	CloudStatus string `yaml:"cloud_status" json:"cloud_status,omitempty"`
}

// Setting returns the device's value for a setting, falling back to the
// model's default; ok is false when neither declares it.
func (d *Device) Setting(m *DeviceModel, name string) (value, ok bool) {
	if v, ok := d.Settings[name]; ok {
		return v, true
	}
	if m != nil {
		if v, ok := m.DefaultSettings[name]; ok {
			return v, true
		}
	}
	return false, false
}

// Logging describes where a service's logs go and how they are protected.
type Logging struct {
	Enabled bool   `yaml:"enabled" json:"enabled"`
	Sink    string `yaml:"sink" json:"sink"`
	// Integrity is how tampering is prevented or detected: worm,
	// hash-chain, signed, or none.
	Integrity     string `yaml:"integrity" json:"integrity"`
	Encrypted     bool   `yaml:"encrypted" json:"encrypted"`
	RetentionDays int    `yaml:"retention_days" json:"retention_days"`
	// RedactsSecrets says credentials and personal data are masked.
	RedactsSecrets bool `yaml:"redacts_secrets" json:"redacts_secrets"`
	// Alerts lists the security events that raise alerts.
	Alerts []string `yaml:"alerts" json:"alerts"`
}

// Service is a cloud or on-premises service or endpoint of the solution.
type Service struct {
	ID       string `yaml:"id" json:"id"`
	Name     string `yaml:"name" json:"name"`
	Kind     string `yaml:"kind" json:"kind"` // api, broker, web, storage, analytics, admin
	Endpoint string `yaml:"endpoint" json:"endpoint"`
	Protocol string `yaml:"protocol" json:"protocol"` // https, mqtts, mqtt, http, coap, coaps, amqps
	Port     int    `yaml:"port" json:"port"`
	// TLS is the lowest TLS version the endpoint accepts; "none" for plaintext.
	TLS            TLSVersion `yaml:"tls" json:"tls"`
	Authentication string     `yaml:"authentication" json:"authentication"` // mtls, oauth2, password, api-key, none
	InternetFacing bool       `yaml:"internet_facing" json:"internet_facing"`
	Admin          bool       `yaml:"admin" json:"admin"`
	Logging        Logging    `yaml:"logging" json:"logging"`
	// Lockout is the number of failed logins before lockout or throttling; 0 means none.
	Lockout int `yaml:"lockout" json:"lockout"`
	// PrivacyControls are the data subject functions the service offers.
	PrivacyControls []string `yaml:"privacy_controls" json:"privacy_controls"` // access, deletion, export, withdraw-consent
	// PrivacyNotice is the URL or path of the notice covering this service.
	PrivacyNotice string `yaml:"privacy_notice" json:"privacy_notice"`
	// NoticeCategories are the data categories the privacy notice covers.
	NoticeCategories []string `yaml:"notice_categories" json:"notice_categories"`
	// AutomatedDecisions lists decisions the service makes about people
	// without a human, and whether a human can review them.
	AutomatedDecisions []AutomatedDecision `yaml:"automated_decisions" json:"automated_decisions"`
	Owner              string              `yaml:"owner" json:"owner"`
}

// AutomatedDecision is a decision about people made by a machine.
type AutomatedDecision struct {
	Name        string `yaml:"name" json:"name"`
	HumanReview bool   `yaml:"human_review" json:"human_review"`
}

// Network is a network zone and what may cross its boundary.
type Network struct {
	ID   string `yaml:"id" json:"id"`
	VLAN int    `yaml:"vlan" json:"vlan"`
	// Purpose says what the zone is for (iot, safety, guest, corporate...).
	Purpose         string `yaml:"purpose" json:"purpose"`
	InternetInbound bool   `yaml:"internet_inbound" json:"internet_inbound"`
	// EgressAllowList restricts outbound destinations; empty means any.
	EgressAllowList []string `yaml:"egress_allow_list" json:"egress_allow_list"`
	WiFiSecurity    string   `yaml:"wifi_security" json:"wifi_security"` // wpa3, wpa2, wep, open, or empty for wired
	// Segregated says the zone is separated from other zones by a firewall.
	Segregated bool `yaml:"segregated" json:"segregated"`
	// AllowedFlows are the zones or services this zone may reach.
	AllowedFlows []string `yaml:"allowed_flows" json:"allowed_flows"`
}

// Recipient is who receives data in a flow.
type Recipient struct {
	Name string `yaml:"name" json:"name"`
	// Role is controller, processor, joint-controller or third-party.
	Role string `yaml:"role" json:"role"`
	// Agreement references the data processing agreement or contract.
	Agreement string `yaml:"agreement" json:"agreement"`
}

// DataFlow is data moving from a source to a destination.
type DataFlow struct {
	ID string `yaml:"id" json:"id"`
	// Source and Destination are "model:ID", "zone:ID", "service:ID" or
	// "external:HOST".
	Source      string `yaml:"source" json:"source"`
	Destination string `yaml:"destination" json:"destination"`
	// Data lists the categories of data carried (e.g. video, temperature,
	// badge-id, location).
	Data []string `yaml:"data" json:"data"`
	PII  bool     `yaml:"pii" json:"pii"`
	// Purpose is why the data flows.
	Purpose string `yaml:"purpose" json:"purpose"`
	// LegalBasis is the GDPR-style basis: consent, contract,
	// legal-obligation, vital-interest, public-task, legitimate-interest.
	LegalBasis string `yaml:"legal_basis" json:"legal_basis"`
	// ConsentRecorded says consent is captured where the basis is consent.
	ConsentRecorded bool `yaml:"consent_recorded" json:"consent_recorded"`
	RetentionDays   int  `yaml:"retention_days" json:"retention_days"`
	// Identifiers are persistent identifiers sent (serial, mac, imei,
	// account-id, device-id).
	Identifiers []string  `yaml:"identifiers" json:"identifiers"`
	Encrypted   bool      `yaml:"encrypted" json:"encrypted"`
	Protocol    string    `yaml:"protocol" json:"protocol"`
	Port        int       `yaml:"port" json:"port"`
	Recipient   Recipient `yaml:"recipient" json:"recipient"`
	// Indirect lists data collected about people other than the user
	// (bystander video, neighbour Wi-Fi, raw audio), if any.
	Indirect []string `yaml:"indirect" json:"indirect"`
	// PreferencesHonoured says user privacy preferences reach this recipient.
	PreferencesHonoured bool `yaml:"preferences_honoured" json:"preferences_honoured"`
	// Observed marks flows seen on the network rather than declared.
	Observed bool `yaml:"observed" json:"observed"`
}

// Policy holds the thresholds the checks use. Zero values take the
// documented defaults (see Defaults).
type Policy struct {
	StaleDeviceDays          int        `yaml:"stale_device_days" json:"stale_device_days"`
	MinRSABits               int        `yaml:"min_rsa_bits" json:"min_rsa_bits"`
	MinECBits                int        `yaml:"min_ec_bits" json:"min_ec_bits"`
	MinTLS                   TLSVersion `yaml:"min_tls" json:"min_tls"`
	CertExpiryWarningDays    int        `yaml:"cert_expiry_warning_days" json:"cert_expiry_warning_days"`
	FirmwareMaxLagDays       int        `yaml:"firmware_max_lag_days" json:"firmware_max_lag_days"`
	PatchSLADays             PatchSLA   `yaml:"patch_sla_days" json:"patch_sla_days"`
	AttestationReviewDays    int        `yaml:"attestation_review_days" json:"attestation_review_days"`
	SecurityTestMaxAgeDays   int        `yaml:"security_test_max_age_days" json:"security_test_max_age_days"`
	TelemetryMaxGapHours     int        `yaml:"telemetry_max_gap_hours" json:"telemetry_max_gap_hours"`
	TelemetryCoveragePercent int        `yaml:"telemetry_coverage_percent" json:"telemetry_coverage_percent"`
	LogRetentionDays         int        `yaml:"log_retention_days" json:"log_retention_days"`
	MaxClockSkewSeconds      int        `yaml:"max_clock_skew_seconds" json:"max_clock_skew_seconds"`
	MaxPIIRetentionDays      int        `yaml:"max_pii_retention_days" json:"max_pii_retention_days"`
	// PrivacySettings are settings that must be off by default.
	PrivacySettings []string `yaml:"privacy_settings" json:"privacy_settings"`
}

// PatchSLA is the days allowed to fix a vulnerability, per severity.
type PatchSLA struct {
	Critical int `yaml:"critical" json:"critical"`
	High     int `yaml:"high" json:"high"`
	Medium   int `yaml:"medium" json:"medium"`
	Low      int `yaml:"low" json:"low"`
}

// DefaultPolicy holds the documented defaults.
var DefaultPolicy = Policy{
	StaleDeviceDays:          90,
	MinRSABits:               2048,
	MinECBits:                256,
	MinTLS:                   "1.2",
	CertExpiryWarningDays:    30,
	FirmwareMaxLagDays:       180,
	PatchSLADays:             PatchSLA{Critical: 14, High: 30, Medium: 90, Low: 180},
	AttestationReviewDays:    365,
	SecurityTestMaxAgeDays:   365,
	TelemetryMaxGapHours:     24,
	TelemetryCoveragePercent: 95,
	LogRetentionDays:         90,
	MaxClockSkewSeconds:      300,
	MaxPIIRetentionDays:      365,
	PrivacySettings:          []string{"camera", "microphone", "location", "analytics"},
}

// WithDefaults returns p with every zero value replaced by its default.
func (p Policy) WithDefaults() Policy {
	d := DefaultPolicy
	set := func(v *int, def int) {
		if *v == 0 {
			*v = def
		}
	}
	set(&p.StaleDeviceDays, d.StaleDeviceDays)
	set(&p.MinRSABits, d.MinRSABits)
	set(&p.MinECBits, d.MinECBits)
	if p.MinTLS == "" {
		p.MinTLS = d.MinTLS
	}
	set(&p.CertExpiryWarningDays, d.CertExpiryWarningDays)
	set(&p.FirmwareMaxLagDays, d.FirmwareMaxLagDays)
	set(&p.PatchSLADays.Critical, d.PatchSLADays.Critical)
	set(&p.PatchSLADays.High, d.PatchSLADays.High)
	set(&p.PatchSLADays.Medium, d.PatchSLADays.Medium)
	set(&p.PatchSLADays.Low, d.PatchSLADays.Low)
	set(&p.AttestationReviewDays, d.AttestationReviewDays)
	set(&p.SecurityTestMaxAgeDays, d.SecurityTestMaxAgeDays)
	set(&p.TelemetryMaxGapHours, d.TelemetryMaxGapHours)
	set(&p.TelemetryCoveragePercent, d.TelemetryCoveragePercent)
	set(&p.LogRetentionDays, d.LogRetentionDays)
	set(&p.MaxClockSkewSeconds, d.MaxClockSkewSeconds)
	set(&p.MaxPIIRetentionDays, d.MaxPIIRetentionDays)
	if p.PrivacySettings == nil {
		p.PrivacySettings = d.PrivacySettings
	}
	return p
}

// Attestation is what a person states about a control, with evidence.
type Attestation struct {
	Control   string        `yaml:"control" json:"control"`
	Status    ControlStatus `yaml:"status" json:"status"`
	Statement string        `yaml:"statement" json:"statement"`
	Owner     string        `yaml:"owner" json:"owner"`
	Date      Timestamp     `yaml:"date" json:"date"`
	ReviewDue Timestamp     `yaml:"review_due" json:"review_due"`
	// Justification is required when Status is not-applicable.
	Justification string         `yaml:"justification" json:"justification"`
	Evidence      []EvidenceFile `yaml:"evidence" json:"evidence"`
}
