// Package oscal reads and writes the parts of NIST OSCAL (JSON, 1.1.2 and
// later) that iotguard uses: catalogs and assessment results. No usable Go
// OSCAL library exists here, so these are small hand-written structs.
package oscal

import (
	"crypto/sha1"
	"fmt"
)

// Version is the OSCAL model version iotguard writes.
const Version = "1.1.2"

// NS is the namespace of iotguard's own props and parts.
const NS = "https://iotguard.dev/ns/oscal"

// Property is an OSCAL prop.
type Property struct {
	Name    string `json:"name"`
	Value   string `json:"value"`
	NS      string `json:"ns,omitempty"`
	Class   string `json:"class,omitempty"`
	Remarks string `json:"remarks,omitempty"`
}

// Link is an OSCAL link.
type Link struct {
	Href string `json:"href"`
	Rel  string `json:"rel,omitempty"`
	Text string `json:"text,omitempty"`
}

// Part is an OSCAL part.
type Part struct {
	ID    string     `json:"id,omitempty"`
	Name  string     `json:"name"`
	NS    string     `json:"ns,omitempty"`
	Class string     `json:"class,omitempty"`
	Title string     `json:"title,omitempty"`
	Props []Property `json:"props,omitempty"`
	Prose string     `json:"prose,omitempty"`
	Parts []Part     `json:"parts,omitempty"`
	Links []Link     `json:"links,omitempty"`
}

// Party is an OSCAL metadata party.
type Party struct {
	UUID           string   `json:"uuid"`
	Type           string   `json:"type"`
	Name           string   `json:"name,omitempty"`
	EmailAddresses []string `json:"email-addresses,omitempty"`
}

// Role is an OSCAL metadata role.
type Role struct {
	ID    string `json:"id"`
	Title string `json:"title"`
}

// ResponsibleParty links a role to parties.
type ResponsibleParty struct {
	RoleID     string   `json:"role-id"`
	PartyUUIDs []string `json:"party-uuids"`
}

// Metadata is OSCAL document metadata.
type Metadata struct {
	Title              string             `json:"title"`
	LastModified       string             `json:"last-modified"`
	Version            string             `json:"version"`
	OSCALVersion       string             `json:"oscal-version"`
	Props              []Property         `json:"props,omitempty"`
	Links              []Link             `json:"links,omitempty"`
	Roles              []Role             `json:"roles,omitempty"`
	Parties            []Party            `json:"parties,omitempty"`
	ResponsibleParties []ResponsibleParty `json:"responsible-parties,omitempty"`
	Remarks            string             `json:"remarks,omitempty"`
}

// Citation is a back-matter resource citation.
type Citation struct {
	Text string `json:"text"`
}

// RLink is a back-matter resource link.
type RLink struct {
	Href      string `json:"href"`
	MediaType string `json:"media-type,omitempty"`
}

// Resource is a back-matter resource.
type Resource struct {
	UUID        string     `json:"uuid"`
	Title       string     `json:"title,omitempty"`
	Description string     `json:"description,omitempty"`
	Props       []Property `json:"props,omitempty"`
	Citation    *Citation  `json:"citation,omitempty"`
	RLinks      []RLink    `json:"rlinks,omitempty"`
}

// BackMatter holds resources referenced from the document.
type BackMatter struct {
	Resources []Resource `json:"resources,omitempty"`
}

// UUIDv5 derives a stable name-based UUID (RFC 9562 version 5), so that the
// same input always exports to the same document and diffs stay clean.
func UUIDv5(name string) string {
	// Namespace: a fixed random UUID owned by iotguard.
	ns := []byte{0x6f, 0x1c, 0x2a, 0x0e, 0x8b, 0x51, 0x4d, 0x3f, 0x9a, 0x47, 0x1e, 0x52, 0xc3, 0x0d, 0x7b, 0x90}
	h := sha1.New()
	h.Write(ns)
	h.Write([]byte(name))
	s := h.Sum(nil)
	s[6] = (s[6] & 0x0f) | 0x50
	s[8] = (s[8] & 0x3f) | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", s[0:4], s[4:6], s[6:8], s[8:10], s[10:16])
}

// PropValues returns the values of every prop called name in iotguard's namespace.
func PropValues(props []Property, name string) []string {
	var out []string
	for _, p := range props {
		if p.Name == name && (p.NS == NS || p.NS == "") {
			out = append(out, p.Value)
		}
	}
	return out
}

// PropValue returns the first such value, or "".
func PropValue(props []Property, name string) string {
	if v := PropValues(props, name); len(v) > 0 {
		return v[0]
	}
	return ""
}
