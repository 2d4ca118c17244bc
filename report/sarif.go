package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"sort"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// SARIF constants.
const (
	sarifVersion   = "2.1.0"
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	// InformationURI is where iotguard documents itself.
	InformationURI = "https://github.com/iotguard/iotguard"
	// fingerprintKey names iotguard's partial fingerprint; bump the suffix
	// if the hashed fields ever change.
	fingerprintKey = "iotguardFinding/v1"
)

// securitySeverity maps severities to the CVSS-like "security-severity"
// that GitHub code scanning reads.
var securitySeverity = map[model.Severity]string{
	model.Critical: "9.5",
	model.High:     "8.0",
	model.Medium:   "5.5",
	model.Low:      "3.0",
	model.Info:     "0.0",
}

// sarifLevel maps severities to SARIF levels.
func sarifLevel(s model.Severity) string {
	switch s {
	case model.Critical, model.High:
		return "error"
	case model.Medium:
		return "warning"
	}
	return "note"
}

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool              sarifTool         `json:"tool"`
	AutomationDetails *sarifAutomation  `json:"automationDetails,omitempty"`
	Invocations       []sarifInvocation `json:"invocations"`
	Results           []sarifResult     `json:"results"`
	Properties        map[string]any    `json:"properties,omitempty"`
}

type sarifAutomation struct {
	ID string `json:"id"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	SemanticVer    string      `json:"semanticVersion,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	EndTimeUTC          string              `json:"endTimeUtc,omitempty"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level      string          `json:"level"`
	Message    sarifText       `json:"message"`
	Associated *sarifRuleIndex `json:"associatedRule,omitempty"`
}

type sarifRuleIndex struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Kind                string            `json:"kind"`
	Level               string            `json:"level"`
	Message             sarifText         `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]any    `json:"properties"`
}

type sarifLocation struct {
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	Kind               string `json:"kind"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
}

// ruleName turns a check ID such as "device-default-credentials" into a
// SARIF rule name, "DeviceDefaultCredentials".
func ruleName(id string) string {
	var b strings.Builder
	for _, part := range strings.FieldsFunc(id, func(r rune) bool { return r == '-' || r == '_' || r == '.' || r == ' ' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// Fingerprint is the stable identity of a finding across runs: a SHA-256
// of its check, asset type, asset and message.
func Fingerprint(f *model.Finding) string {
	h := sha256.New()
	for _, s := range []string{f.Check, string(f.AssetType), f.Asset, f.Message} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func renderSARIF(w io.Writer, a *model.Assessment, opt Options) error {
	version := a.ToolVersion
	if version == "" {
		version = "dev"
	}
	// Controls of checks that name them per result (the attestation check)
	// come from their findings.
	dynamic := map[string][]string{}
	for i := range a.Findings {
		f := &a.Findings[i]
		for _, c := range f.Controls {
			if !slices.Contains(dynamic[f.Check], c) {
				dynamic[f.Check] = append(dynamic[f.Check], c)
			}
		}
	}

	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "iotguard", Version: version, InformationURI: InformationURI, Rules: []sarifRule{}}},
		AutomationDetails: &sarifAutomation{ID: "iotguard/" + a.Solution + "/" +
			a.AssessedAt.UTC().Format("2006-01-02T15:04:05Z")},
		Results: []sarifResult{},
		Properties: map[string]any{
			"solution":     a.Solution,
			"organization": a.Organization,
			"assessedAt":   a.AssessedAt.UTC().Format("2006-01-02T15:04:05Z"),
			"score":        a.Summary.Score,
			"devices":      a.Summary.Devices,
		},
	}
	if a.Role != "" {
		run.Properties["role"] = string(a.Role)
	}
	if a.FindingsTruncated > 0 {
		run.Properties["findingsTruncated"] = a.FindingsTruncated
	}
	if strings.HasPrefix(version, "v") || (len(version) > 0 && version[0] >= '0' && version[0] <= '9') {
		run.Tool.Driver.SemanticVer = strings.TrimPrefix(version, "v")
	}

	ruleIndex := map[string]int{}
	for i := range a.Checks {
		c := &a.Checks[i]
		controls := slices.Clone(c.Controls)
		if len(controls) == 0 {
			controls = slices.Clone(dynamic[c.ID])
			sort.Strings(controls)
		}
		controls = dedupe(controls)
		tags := slices.Clone(controls)
		cats := map[model.Category]bool{}
		for _, id := range controls {
			cats[category(opt, id)] = true
		}
		for _, cat := range model.Categories {
			if cats[cat] {
				tags = append(tags, string(cat))
			}
		}
		if len(cats) == 0 {
			tags = append(tags, string(model.Security))
		}
		short := strings.TrimSpace(c.Title)
		if short == "" {
			short = c.ID
		}
		full := strings.TrimSpace(c.Description)
		if full == "" {
			full = short
		}
		help := strings.TrimSpace(c.Remediation)
		if help == "" {
			help = "See the iotguard documentation of check " + c.ID + "."
		}
		helpMD := help
		if len(controls) > 0 {
			helpMD += "\n\nEvidences ISO/IEC 27400 controls: " + strings.Join(controls, ", ") + "."
		}
		ruleIndex[c.ID] = len(run.Tool.Driver.Rules)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID:                   c.ID,
			Name:                 ruleName(c.ID),
			ShortDescription:     sarifText{Text: short},
			FullDescription:      sarifText{Text: full},
			Help:                 sarifText{Text: help, Markdown: helpMD},
			DefaultConfiguration: sarifConfig{Level: sarifLevel(c.Severity)},
			Properties: map[string]any{
				"tags":              nonNil(tags),
				"security-severity": securitySeverity[c.Severity],
				"severity":          string(c.Severity),
				"controls":          nonNil(controls),
				"scope":             string(c.Scope),
				"version":           c.Version,
			},
		})
	}

	inv := sarifInvocation{ExecutionSuccessful: true, EndTimeUTC: a.AssessedAt.UTC().Format("2006-01-02T15:04:05Z")}
	for _, c := range erroredChecks(a) {
		msgs := c.Errors
		if len(msgs) == 0 {
			msgs = []string{plural(c.Error, "error", "errors")}
		}
		for _, m := range msgs {
			n := sarifNotification{Level: "error", Message: sarifText{Text: c.ID + ": " + m}}
			if idx, ok := ruleIndex[c.ID]; ok {
				n.Associated = &sarifRuleIndex{ID: c.ID, Index: idx}
			}
			inv.Notifications = append(inv.Notifications, n)
		}
	}
	run.Invocations = []sarifInvocation{inv}

	for i := range a.Findings {
		f := &a.Findings[i]
		idx, ok := ruleIndex[f.Check]
		if !ok {
			// A finding of a check missing from a.Checks: add a rule so
			// the log stays self-consistent.
			idx = len(run.Tool.Driver.Rules)
			ruleIndex[f.Check] = idx
			run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
				ID: f.Check, Name: ruleName(f.Check),
				ShortDescription:     sarifText{Text: nonEmpty(f.Title, f.Check)},
				FullDescription:      sarifText{Text: nonEmpty(f.Title, f.Check)},
				Help:                 sarifText{Text: nonEmpty(f.Remediation, f.Check)},
				DefaultConfiguration: sarifConfig{Level: sarifLevel(f.Severity)},
				Properties: map[string]any{"tags": append(dedupe(f.Controls), string(model.Security)),
					"security-severity": securitySeverity[f.Severity], "severity": string(f.Severity),
					"controls": nonNil(f.Controls)},
			})
		}
		msg := f.Message
		if strings.TrimSpace(msg) == "" {
			msg = nonEmpty(f.Title, f.Check) + " failed"
		}
		props := map[string]any{
			"controls":  nonNil(f.Controls),
			"severity":  string(f.Severity),
			"asset":     f.Asset,
			"assetType": string(f.AssetType),
			"tags":      dedupe(f.Controls),
		}
		if f.Evidence != "" {
			props["evidence"] = f.Evidence
		}
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Check, RuleIndex: idx, Kind: "fail", Level: sarifLevel(f.Severity),
			Message: sarifText{Text: msg},
			Locations: []sarifLocation{{LogicalLocations: []sarifLogical{{
				Name: f.Asset, Kind: string(f.AssetType), FullyQualifiedName: string(f.AssetType) + "/" + f.Asset,
			}}}},
			PartialFingerprints: map[string]string{fingerprintKey: Fingerprint(f)},
			Properties:          props,
		})
	}

	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchemaURI, Version: sarifVersion, Runs: []sarifRun{run}})
}

// dedupe returns the distinct strings of ss in order, never nil.
func dedupe(ss []string) []string {
	out := []string{}
	for _, s := range ss {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

func nonEmpty(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}
