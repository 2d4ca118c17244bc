// Package vulndb imports vulnerability data (OSV records, NVD CVE JSON 2.0,
// the CISA KEV catalogue) into one on-disk index and matches SBOM
// components against it; ApplyVEX then suppresses what VEX statements
// declare not exploitable.
//
// The index is built once (Build, Import) and reused (Open): a key table
// of ecosystem + package names (and CPE vendor + product pairs) sorted for
// binary search, and per-key advisory blobs read with ReadAt, so a lookup
// never scans advisories. The layout is documented in
// docs/importers/vulndb.md; FormatVersion guards it.
//
// Parsers (Parse, ParseFile, ParseOSV, ParseNVD, ParseKEV) are pure readers
// from bytes: unknown fields are ignored, malformed input is an error
// matching ErrFormat that names the file and where in it, and input is
// bounded by MaxSize (MaxFeedSize for streamed NVD feeds). Text from the
// files is stripped of control characters before it is stored.
//
// Version ordering per ecosystem lives in package vercmp.
package vulndb
