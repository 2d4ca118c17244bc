package main

import (
	"context"
	_ "embed"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/iotguard/iotguard/model"
)

//go:embed rules/fleet.rego
var regoPolicy string

// opaQuery is the one query the Rego rules are evaluated with: the object
// of the rules a device fails.
const opaQuery = "data.iotguard.bench.fail"

// opaRunner evaluates the Rego rules on one device at a time, on the
// fastest path OPA's Go API offers: a prepared query, input given as an
// already converted ast.Value (rego.EvalParsedInput), data (models, policy,
// now) held as AST in an in-memory store, and one read transaction reused
// for every evaluation.
type opaRunner struct {
	pq  rego.PreparedEvalQuery
	txn storage.Transaction
}

func newOPA(ctx context.Context, sol *model.Solution, pol model.Policy, now time.Time, prep ...rego.PrepareOption) (*opaRunner, error) {
	models := ast.NewObject()
	for i := range sol.Models {
		m := &sol.Models[i]
		models.Insert(ast.InternedTerm(m.ID), ast.NewTerm(toAST(reflect.ValueOf(m))))
	}
	data := ast.NewObject(
		ast.Item(ast.InternedTerm("models"), ast.NewTerm(models)),
		ast.Item(ast.InternedTerm("policy"), ast.NewTerm(toAST(reflect.ValueOf(pol)))),
		ast.Item(ast.InternedTerm("now"), ast.IntNumberTerm(int(now.Unix()))),
	)
	store := inmem.NewFromASTObject(data)
	pq, err := rego.New(
		rego.Query(opaQuery),
		rego.Module("fleet.rego", regoPolicy),
		rego.Store(store),
	).PrepareForEval(ctx, prep...)
	if err != nil {
		return nil, fmt.Errorf("opa: %w", err)
	}
	txn, err := store.NewTransaction(ctx)
	if err != nil {
		return nil, fmt.Errorf("opa: %w", err)
	}
	return &opaRunner{pq: pq, txn: txn}, nil
}

// eval returns the IDs of the rules the device (as converted by
// deviceInput) fails, calling fn for each.
func (o *opaRunner) eval(ctx context.Context, input ast.Value, fn func(rule string)) error {
	rs, err := o.pq.Eval(ctx, rego.EvalParsedInput(input), rego.EvalTransaction(o.txn))
	if err != nil {
		return err
	}
	if len(rs) != 1 || len(rs[0].Expressions) != 1 {
		return fmt.Errorf("opa: %s is undefined", opaQuery)
	}
	fails, ok := rs[0].Expressions[0].Value.(map[string]any)
	if !ok {
		return fmt.Errorf("opa: %s is %T, not an object", opaQuery, rs[0].Expressions[0].Value)
	}
	for id := range fails {
		fn(id)
	}
	return nil
}

// The hand-written conversion of a device to OPA's input, the fastest we
// know: every field under its JSON name, zero values included (so that
// Rego never meets an undefined field), timestamps as Unix seconds and
// left out when unset, nil pointers left out. toAST does the same by
// reflection; a test checks that both agree.

func str(k, v string) [2]*ast.Term { return ast.Item(ast.InternedTerm(k), ast.StringTerm(v)) }
func num(k string, v int) [2]*ast.Term {
	return ast.Item(ast.InternedTerm(k), ast.IntNumberTerm(v))
}
func boolean(k string, v bool) [2]*ast.Term { return ast.Item(ast.InternedTerm(k), ast.BooleanTerm(v)) }
func strList(k string, vs []string) [2]*ast.Term {
	ts := make([]*ast.Term, len(vs))
	for i, v := range vs {
		ts[i] = ast.StringTerm(v)
	}
	return ast.Item(ast.InternedTerm(k), ast.ArrayTerm(ts...))
}

func addTime(items [][2]*ast.Term, k string, t model.Timestamp) [][2]*ast.Term {
	if !t.Set() {
		return items
	}
	return append(items, num(k, int(t.Unix())))
}

// deviceInput converts a device to OPA's input: {"device": {...}}.
func deviceInput(d *model.Device) ast.Value {
	items := make([][2]*ast.Term, 0, 32)
	items = append(items,
		str("id", d.ID), str("serial", d.Serial), str("model", d.Model), str("firmware", d.Firmware),
		str("mac", d.MAC), str("ip", d.IP), str("hostname", d.Hostname), str("mqtt_client_id", d.MQTTClientID),
		str("lifecycle", string(d.Lifecycle)), str("site", d.Site), str("location", string(d.Location)), str("zone", d.Zone),
		boolean("wiped", d.Wiped), str("credentials", string(d.Credentials)),
		str("reported_firmware", d.ReportedFirmware), num("clock_skew_seconds", d.ClockSkewSeconds),
		num("tamper_events", d.TamperEvents), str("owner", d.Owner), boolean("safety_critical", d.SafetyCritical),
		str("previous_identity", d.PreviousIdentity), str("cloud_status", d.CloudStatus),
	)
	if c := d.Certificate; c != nil {
		ci := make([][2]*ast.Term, 0, 16)
		ci = append(ci, str("file", c.File), str("fingerprint", c.Fingerprint), str("subject", c.Subject),
			str("issuer", c.Issuer), str("serial", c.Serial), str("key_type", c.KeyType), num("key_bits", c.KeyBits),
			str("curve", c.Curve), str("signature_algorithm", c.SignatureAlgorithm), boolean("self_signed", c.SelfSigned),
			boolean("revoked", c.Revoked))
		ci = addTime(ci, "not_before", c.NotBefore)
		ci = addTime(ci, "not_after", c.NotAfter)
		if c.Trusted != nil {
			ci = append(ci, boolean("trusted", *c.Trusted))
		}
		items = append(items, ast.Item(ast.InternedTerm("certificate"), ast.ObjectTerm(ci...)))
	}
	items = addTime(items, "last_seen", d.LastSeen)
	items = addTime(items, "decommissioned", d.Decommissioned)
	items = addTime(items, "last_telemetry", d.LastTelemetry)
	settings := make([][2]*ast.Term, 0, len(d.Settings))
	for k, v := range d.Settings {
		settings = append(settings, boolean(k, v))
	}
	items = append(items, ast.Item(ast.InternedTerm("settings"), ast.ObjectTerm(settings...)))
	ports := make([]*ast.Term, len(d.Ports))
	for i := range d.Ports {
		p := &d.Ports[i]
		pi := make([][2]*ast.Term, 0, 12)
		pi = append(pi, num("port", p.Port), str("protocol", p.Protocol), str("state", p.State), str("service", p.Service),
			boolean("tls", p.TLS), str("version", p.Version), str("banner", p.Banner), boolean("admin", p.Admin),
			strList("weak_ciphers", p.WeakCiphers))
		if p.Authenticated != nil {
			pi = append(pi, boolean("authenticated", *p.Authenticated))
		}
		vs := make([]string, len(p.TLSVersions))
		for j, v := range p.TLSVersions {
			vs[j] = string(v)
		}
		pi = append(pi, strList("tls_versions", vs))
		ports[i] = ast.ObjectTerm(pi...)
	}
	items = append(items, ast.Item(ast.InternedTerm("ports"), ast.ArrayTerm(ports...)))
	return ast.NewObject(ast.Item(ast.InternedTerm("device"), ast.ObjectTerm(items...)))
}

var tTimestamp = reflect.TypeFor[model.Timestamp]()

// toAST converts any value of the model by reflection, with the same
// conventions as deviceInput. It converts the data document once.
func toAST(v reflect.Value) ast.Value {
	if v.Type() == tTimestamp {
		return ast.Number(fmt.Sprint(v.Interface().(model.Timestamp).Unix()))
	}
	switch v.Kind() {
	case reflect.Pointer:
		return toAST(v.Elem())
	case reflect.Struct:
		obj := ast.NewObject()
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			fv := v.Field(i)
			if f.Type == tTimestamp && !fv.Interface().(model.Timestamp).Set() {
				continue
			}
			if (fv.Kind() == reflect.Pointer || fv.Kind() == reflect.Interface) && fv.IsNil() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			obj.Insert(ast.InternedTerm(name), ast.NewTerm(toAST(fv)))
		}
		return obj
	case reflect.Slice, reflect.Array:
		ts := make([]*ast.Term, v.Len())
		for i := range ts {
			ts[i] = ast.NewTerm(toAST(v.Index(i)))
		}
		return ast.NewArray(ts...)
	case reflect.Map:
		obj := ast.NewObject()
		it := v.MapRange()
		for it.Next() {
			obj.Insert(ast.StringTerm(fmt.Sprint(it.Key().Interface())), ast.NewTerm(toAST(it.Value())))
		}
		return obj
	case reflect.String:
		return ast.String(v.String())
	case reflect.Bool:
		return ast.Boolean(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(fmt.Sprint(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.Number(fmt.Sprint(v.Uint()))
	case reflect.Float32, reflect.Float64:
		return ast.Number(fmt.Sprint(v.Float()))
	}
	return ast.Null{}
}
