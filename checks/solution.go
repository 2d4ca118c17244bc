package checks

import (
	"sort"
	"strings"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// solutionChecks evaluate the solution as a whole.
var solutionChecks = []engine.Check{
	persistentIdentifierLinkability{},
	telemetryCoverage{},
	stakeholderContacts{},
}

type persistentIdentifierLinkability struct{}

func (persistentIdentifierLinkability) Meta() engine.Meta {
	return engine.Meta{
		ID: "persistent-identifier-linkability", Version: "1", Title: "No persistent identifier is sent to several destinations",
		Description: "When the same serial number, MAC, IMEI or account ID from a source reaches more than one service " +
			"or recipient, their records can be joined to profile the person behind the device.",
		Controls: []string{"P13"}, Severity: model.High, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvFlow},
		Remediation: "Send each destination a different pseudonymous identifier (e.g. a keyed hash per destination) or none, so that recipients cannot link their records.",
	}
}

// linkGroup is one persistent identifier from one source, and where it goes.
type linkGroup struct {
	source, identifier string
	destinations       []string
	flows              []string
}

func (persistentIdentifierLinkability) CheckSolution(env *engine.Env) []engine.Result {
	groups := map[string]*linkGroup{}
	var keys []string
	for i := range env.Solution.Flows {
		f := &env.Solution.Flows[i]
		sk, sref := parseEndpoint(f.Source)
		for _, id := range f.Identifiers {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			key := string(sk) + ":" + strings.ToLower(sref) + "\x00" + strings.ToLower(id)
			g := groups[key]
			if g == nil {
				g = &linkGroup{source: strings.TrimSpace(f.Source), identifier: id}
				groups[key] = g
				keys = append(keys, key)
			}
			seen := false
			for _, d := range g.destinations {
				if sameEndpoint(d, f.Destination) {
					seen = true
					break
				}
			}
			if !seen {
				g.destinations = append(g.destinations, strings.TrimSpace(f.Destination))
			}
			g.flows = append(g.flows, flowName(f))
		}
	}
	sort.Strings(keys)
	var out []engine.Result
	for _, k := range keys {
		g := groups[k]
		if len(g.destinations) < 2 {
			continue
		}
		r := engine.Failf("%s from %s is sent to %d destinations: %s", g.identifier, g.source, len(g.destinations), strings.Join(g.destinations, ", ")).
			WithEvidence("flows: %s", strings.Join(g.flows, ", "))
		r.Asset = "identifier " + g.identifier + " from " + g.source
		out = append(out, r)
	}
	if len(out) == 0 {
		r := engine.Passf("no persistent identifier from one source reaches more than one destination (%d identifier/source pairs)", len(keys))
		r.Asset = "identifiers"
		out = append(out, r)
	}
	return out
}

type telemetryCoverage struct{}

func (telemetryCoverage) Meta() engine.Meta {
	return engine.Meta{
		ID: "telemetry-coverage", Version: "1", Title: "Active devices report security telemetry",
		Description: "Monitoring only covers devices that report: the share of active devices that sent telemetry " +
			"within the policy's gap must reach the policy's coverage target.",
		Controls: []string{"S12"}, Severity: model.Medium, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvTelemetry, model.EvInventory},
		Remediation: "Find the silent active devices (telemetry-silent findings), restore their telemetry agent or connectivity, or move devices no longer in use out of the active state.",
	}
}

func (telemetryCoverage) CheckSolution(env *engine.Env) []engine.Result {
	const asset = "fleet telemetry"
	var r engine.Result
	f := env.Fleet
	target := env.Policy.TelemetryCoveragePercent
	switch {
	case f == nil || f.Active == 0:
		r = engine.NotApplicable("no active devices")
	// Integer cross-multiplication: exact, no rounding in the device's favour.
	case 100*f.ActiveReporting < target*f.Active:
		pct := float64(100*f.ActiveReporting) / float64(f.Active)
		r = engine.Failf("%d of %d active devices (%.1f%%) reported telemetry within %d h; policy requires %d%%",
			f.ActiveReporting, f.Active, pct, env.Policy.TelemetryMaxGapHours, target)
	default:
		r = engine.Passf("%d of %d active devices reported telemetry within %d h", f.ActiveReporting, f.Active, env.Policy.TelemetryMaxGapHours)
	}
	r.Asset = asset
	return []engine.Result{r}
}

type stakeholderContacts struct{}

func (stakeholderContacts) Meta() engine.Meta {
	return engine.Meta{
		ID: "stakeholder-contacts", Version: "1", Title: "Service provider and developer roles are assigned with contacts",
		Description: "Someone must be named, with a contact, for the IoT service provider and service developer roles " +
			"(and every other declared role), so that security responsibilities have an owner.",
		Controls: []string{"S02"}, Severity: model.Low, Scope: model.AssetSolution,
		Inputs:      []model.EvidenceKind{model.EvInventory, model.EvAttestation},
		Remediation: "Name the team or company acting as ISP and ISD (and any other role) under organization.roles, each with a reachable contact.",
	}
}

func (stakeholderContacts) CheckSolution(env *engine.Env) []engine.Result {
	roles := env.Solution.Organization.Roles
	var problems []string
	for _, s := range []model.Stakeholder{model.ISP, model.ISD} {
		if _, ok := roles[s]; !ok {
			problems = append(problems, string(s)+" role not assigned")
		}
	}
	// Known roles first, in catalog order, then any others sorted.
	order := append([]model.Stakeholder(nil), model.Stakeholders...)
	var extra []string
	for s := range roles {
		known := false
		for _, k := range model.Stakeholders {
			known = known || s == k
		}
		if !known {
			extra = append(extra, string(s))
		}
	}
	sort.Strings(extra)
	for _, s := range extra {
		order = append(order, model.Stakeholder(s))
	}
	for _, s := range order {
		p, ok := roles[s]
		if !ok {
			continue
		}
		name, contact := strings.TrimSpace(p.Name) == "", strings.TrimSpace(p.Contact) == ""
		switch {
		case name && contact:
			problems = append(problems, string(s)+" has neither name nor contact")
		case name:
			problems = append(problems, string(s)+" has no name")
		case contact:
			problems = append(problems, string(s)+" ("+p.Name+") has no contact")
		}
	}
	var r engine.Result
	if len(problems) > 0 {
		r = engine.Failf("organization roles: %s", strings.Join(problems, "; "))
	} else {
		r = engine.Pass()
	}
	r.Asset = "organization"
	return []engine.Result{r}
}
