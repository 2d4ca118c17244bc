package model

// Evidence is what iotguard read from other tools' files: SBOMs,
// vulnerability matches, certificates, network scans, MUD profiles and
// cloud registries. Importers (one package per format) produce these
// values from bytes; the engine merges them into devices and checks use
// them. Nothing here holds a secret: importers drop keys on read.
type Evidence struct {
	SBOMs []SBOM `json:"sboms,omitempty"`
	// Vulnerabilities are advisory matches of SBOM components, computed
	// from a vulnerability database.
	Vulnerabilities []VulnMatch `json:"vulnerabilities,omitempty"`
	// Certificates are parsed X.509 certificates, keyed in use by SHA-256
	// fingerprint.
	Certificates []CertificateInfo `json:"certificates,omitempty"`
	// Revoked holds serial numbers (lower-case hex) listed in CRLs, per
	// issuer.
	Revoked []RevokedSerial `json:"revoked,omitempty"`
	Scans   []Scan          `json:"scans,omitempty"`
	MUD     []MUDProfile    `json:"mud,omitempty"`
	Cloud   []CloudThing    `json:"cloud,omitempty"`
	// CloudFindings are audit findings of cloud fleet auditors (AWS IoT
	// Device Defender).
	CloudFindings []CloudFinding `json:"cloud_findings,omitempty"`
	// VulnDB describes the vulnerability database the matches come from;
	// empty when none was consulted.
	VulnDB string `json:"vulndb,omitempty"`
	// AuditSources are the audit-finding files read, so that "no findings"
	// can be told from "no audit".
	AuditSources []string `json:"audit_sources,omitempty"`
}

// Component is one software component of an SBOM.
type Component struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl,omitempty"`
	// BOMRef is the component's identifier inside its SBOM (CycloneDX
	// bom-ref, SPDX SPDXID), used by VEX statements.
	BOMRef   string   `json:"bom_ref,omitempty"`
	Type     string   `json:"type,omitempty"` // library, firmware, operating-system, application, device...
	CPEs     []string `json:"cpes,omitempty"`
	Supplier string   `json:"supplier,omitempty"`
	Licenses []string `json:"licenses,omitempty"`
	// Hashes maps an algorithm (SHA-256, SHA-1...) to a hex digest.
	Hashes map[string]string `json:"hashes,omitempty"`
	// Ecosystem is the OSV ecosystem derived from the purl (npm, PyPI,
	// Go, Maven, Debian, Alpine...), empty when unknown.
	Ecosystem string `json:"ecosystem,omitempty"`
	// EndOfSupport and EndOfLife come from lifecycle properties
	// (cdx:lifecycle:milestone:endOfSupport, ...endOfLife).
	EndOfSupport Timestamp `json:"end_of_support,omitzero"`
	EndOfLife    Timestamp `json:"end_of_life,omitzero"`
}

// VEXStatement is an exploitability statement from a VEX document or the
// vulnerabilities section of an SBOM.
type VEXStatement struct {
	Vulnerability string `json:"vulnerability"` // CVE, GHSA, OSV ID
	// Component is a bom-ref or purl the statement applies to; empty means
	// every component.
	Component string `json:"component,omitempty"`
	// State is not_affected, affected, fixed, under_investigation,
	// exploitable, false_positive, resolved...
	State         string `json:"state"`
	Justification string `json:"justification,omitempty"`
	Detail        string `json:"detail,omitempty"`
}

// SBOM is one software bill of materials, bound to a device model and a
// firmware version.
type SBOM struct {
	Source string `json:"source"` // file it was read from
	Format string `json:"format"` // e.g. cyclonedx-1.6-json, spdx-2.3-tag-value
	// Subject names the described component (metadata.component or the
	// SPDX document's main package), with its version.
	Subject        string         `json:"subject,omitempty"`
	SubjectVersion string         `json:"subject_version,omitempty"`
	Model          string         `json:"model,omitempty"`
	Firmware       string         `json:"firmware,omitempty"`
	Components     []Component    `json:"components"`
	VEX            []VEXStatement `json:"vex,omitempty"`
	// EndOfSupport of the subject itself, when the SBOM declares it.
	EndOfSupport Timestamp `json:"end_of_support,omitzero"`
}

// VulnMatch is one advisory that affects one component of a firmware.
type VulnMatch struct {
	Model     string   `json:"model,omitempty"`
	Firmware  string   `json:"firmware,omitempty"`
	Component string   `json:"component"`
	Version   string   `json:"version"`
	PURL      string   `json:"purl,omitempty"`
	Ecosystem string   `json:"ecosystem,omitempty"`
	Advisory  string   `json:"advisory"`
	Aliases   []string `json:"aliases,omitempty"`
	Summary   string   `json:"summary,omitempty"`
	Severity  Severity `json:"severity"`
	// CVSS is the highest CVSS base score known, 0 when none.
	CVSS float64 `json:"cvss,omitempty"`
	// Affected describes the matching range, e.g. ">=1.0.0, <1.2.3".
	Affected string `json:"affected"`
	// Fixed is the first fixed version, empty when none is known.
	Fixed string `json:"fixed,omitempty"`
	// KEV marks advisories in CISA's Known Exploited Vulnerabilities
	// catalogue.
	KEV bool `json:"kev,omitempty"`
	// Published is when the advisory was published (patch SLAs run from it).
	Published Timestamp `json:"published,omitzero"`
	// Suppressed is set by a VEX not_affected statement.
	Suppressed    bool   `json:"suppressed,omitempty"`
	Justification string `json:"justification,omitempty"`
}

// CertificateInfo is what iotguard read from one X.509 certificate.
type CertificateInfo struct {
	Certificate
	Source   string   `json:"source"`
	IsCA     bool     `json:"is_ca,omitempty"`
	DNSNames []string `json:"dns_names,omitempty"`
	// ChainsToTrusted is set when a CA set was given and the certificate
	// verifies against it.
	ChainsToTrusted *bool `json:"chains_to_trusted,omitempty"`
}

// RevokedSerial is one entry of a CRL.
type RevokedSerial struct {
	Issuer string    `json:"issuer"`
	Serial string    `json:"serial"`
	When   Timestamp `json:"when,omitzero"`
}

// ScanHost is one host of a network scan.
type ScanHost struct {
	Addresses []string `json:"addresses"` // IPv4/IPv6
	MAC       string   `json:"mac,omitempty"`
	Vendor    string   `json:"vendor,omitempty"`
	Hostnames []string `json:"hostnames,omitempty"`
	Status    string   `json:"status,omitempty"` // up, down
	// Ports are the open ports with services, versions, banners and the
	// TLS versions and weak ciphers ssl-enum-ciphers reported.
	Ports []Port `json:"ports"`
}

// Scan is one network scan (nmap XML).
type Scan struct {
	Source  string     `json:"source"`
	Scanner string     `json:"scanner"`
	Started Timestamp  `json:"started,omitzero"`
	Hosts   []ScanHost `json:"hosts"`
}

// MUDProfile is the intended network behaviour of a device model (RFC 8520).
type MUDProfile struct {
	// Name is the profile's systeminfo, or its URL when it has none.
	Name   string `json:"name"`
	Source string `json:"source"`
	URL    string `json:"url,omitempty"` // mud-url
	// Model is the device model the profile is bound to.
	Model       string   `json:"model,omitempty"`
	Systeminfo  string   `json:"systeminfo,omitempty"`
	ACLs        []MUDACL `json:"acls"`
	FromDevice  []string `json:"from_device_policy,omitempty"` // ACL names
	ToDevice    []string `json:"to_device_policy,omitempty"`
	LastUpdate  string   `json:"last_update,omitempty"`
	CacheHours  int      `json:"cache_validity,omitempty"`
	IsSupported bool     `json:"is_supported"`
}

// MUDACL is one access list of a MUD profile.
type MUDACL struct {
	Name string   `json:"name"`
	Type string   `json:"type,omitempty"` // ipv4-acl-type, ipv6-acl-type
	ACEs []MUDACE `json:"aces"`
}

// MUDACE is one access-control entry.
type MUDACE struct {
	Name string `json:"name"`
	// Direction is "from-device" or "to-device" (from the policy that uses
	// the ACL), or "" when the ACL is not referenced.
	Direction string `json:"direction,omitempty"`
	// Host is a DNS name (ietf-acldns src-dnsname/dst-dnsname) or network.
	Host string `json:"host,omitempty"`
	// Controller, Manufacturer, SameManufacturer, Local describe MUD
	// abstractions (ietf-mud matches).
	Controller       string `json:"controller,omitempty"`
	Manufacturer     string `json:"manufacturer,omitempty"`
	SameManufacturer bool   `json:"same_manufacturer,omitempty"`
	LocalNetworks    bool   `json:"local_networks,omitempty"`
	Protocol         int    `json:"protocol,omitempty"` // 6 tcp, 17 udp
	SrcPort          string `json:"src_port,omitempty"` // "443" or "1024-65535"
	DstPort          string `json:"dst_port,omitempty"`
	Action           string `json:"action"` // accept, drop, reject
}

// CloudThing is a device as a cloud registry knows it (AWS IoT thing, Azure
// IoT Hub device twin).
type CloudThing struct {
	Provider string `json:"provider"` // aws-iot, azure-iot-hub
	Name     string `json:"name"`
	ID       string `json:"id,omitempty"`
	Type     string `json:"type,omitempty"` // thing type / model
	// Attributes are registry attributes and twin tags (never secrets).
	Attributes map[string]string `json:"attributes,omitempty"`
	// Status is the registry's own state: enabled, disabled, ACTIVE...
	Status           string            `json:"status,omitempty"`
	ConnectionState  string            `json:"connection_state,omitempty"`
	LastActivity     Timestamp         `json:"last_activity,omitzero"`
	AuthType         string            `json:"auth_type,omitempty"` // sas, selfSigned, certificateAuthority, x509...
	CertificateIDs   []string          `json:"certificate_ids,omitempty"`
	Thumbprints      []string          `json:"thumbprints,omitempty"` // certificate SHA-1/SHA-256 thumbprints
	FirmwareVersion  string            `json:"firmware_version,omitempty"`
	ReportedSettings map[string]string `json:"reported_settings,omitempty"`
	Source           string            `json:"source"`
}

// CloudFinding is an audit finding of a cloud fleet auditor.
type CloudFinding struct {
	Provider     string   `json:"provider"`
	Check        string   `json:"check"` // e.g. DEVICE_CERTIFICATE_SHARED_CHECK
	Severity     Severity `json:"severity"`
	ResourceType string   `json:"resource_type,omitempty"`
	Resource     string   `json:"resource"`
	Reason       string   `json:"reason,omitempty"`
	Description  string   `json:"description,omitempty"`
	// Controls are the 27400 controls the finding evidences, mapped by the
	// importer from its check.
	Controls []string `json:"controls"`
	Source   string   `json:"source"`
}
