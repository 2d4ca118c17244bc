package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// goRule is one of the ten benchmark rules written by hand in Go, as an
// engine device check, so that it runs through the same interface as the
// CEL rules and the built-in checks.
type goRule struct {
	id    string
	sev   model.Severity
	check func(env *engine.Env, d *model.Device, m *model.DeviceModel) engine.Result
}

func (r *goRule) Meta() engine.Meta {
	return engine.Meta{ID: r.id, Version: "1", Title: r.id, Severity: r.sev, Scope: model.AssetDevice}
}

// emptyModel is the model of a device whose model is not declared, as the
// CEL rules see it.
var emptyModel = &model.DeviceModel{}

func (r *goRule) CheckDevice(env *engine.Env, d *model.Device) engine.Result {
	m := env.Model(d.Model)
	if m == nil {
		m = emptyModel
	}
	return r.check(env, d, m)
}

var epoch = time.Unix(0, 0).UTC()

// at is a timestamp as CEL reads it: the epoch when unset.
func at(t model.Timestamp) time.Time {
	if !t.Set() {
		return epoch
	}
	return t.Time
}

// daysBetween is the rules' days_between: whole days from a to b.
func daysBetween(a, b time.Time) int64 { return int64(b.Sub(a).Hours() / 24) }

var (
	pass = engine.Result{Status: model.Pass}
	na   = engine.Result{Status: model.NotApplicableResult}
)

func fail(format string, args ...any) engine.Result {
	return engine.Result{Status: model.Fail, Message: fmt.Sprintf(format, args...)}
}

// goRules returns the ten rules of rules/fleet.yaml as Go checks.
func goRules() []engine.DeviceCheck {
	rs := []*goRule{
		{"camera-not-on-guest-network", model.High, func(_ *engine.Env, d *model.Device, m *model.DeviceModel) engine.Result {
			if m.Kind == "camera" && strings.HasSuffix(d.Zone, "-guest") {
				return fail("camera %s is on the guest network %s", d.ID, d.Zone)
			}
			return pass
		}},
		{"safety-device-seen-recently", model.High, func(env *engine.Env, d *model.Device, _ *model.DeviceModel) engine.Result {
			if !strings.HasSuffix(d.Zone, "-safety") || d.Lifecycle != model.Active {
				return na
			}
			if d.LastSeen.Set() && daysBetween(d.LastSeen.Time, env.Now) <= 30 {
				return pass
			}
			return fail("%s in %s was last seen %s", d.ID, d.Zone, d.LastSeen)
		}},
		{"rsa-device-keys-3072", model.Low, func(_ *engine.Env, d *model.Device, _ *model.DeviceModel) engine.Result {
			if d.Certificate == nil || d.Certificate.KeyType != "rsa" {
				return na
			}
			if d.Certificate.KeyBits >= 3072 {
				return pass
			}
			return fail("%s has a %d-bit RSA key", d.ID, d.Certificate.KeyBits)
		}},
		{"no-telnet-port", model.High, func(_ *engine.Env, d *model.Device, _ *model.DeviceModel) engine.Result {
			for i := range d.Ports {
				if p := &d.Ports[i]; p.Port == 23 || p.Service == "telnet" {
					return fail("%s listens on Telnet", d.ID)
				}
			}
			return pass
		}},
		{"telnet-setting-off", model.High, func(_ *engine.Env, d *model.Device, m *model.DeviceModel) engine.Result {
			if v, _ := d.Setting(m, "telnet"); v {
				return fail("%s has Telnet enabled", d.ID)
			}
			return pass
		}},
		{"certificate-valid-beyond-warning", model.Medium, func(env *engine.Env, d *model.Device, _ *model.DeviceModel) engine.Result {
			if d.Certificate == nil || !d.Certificate.NotAfter.Set() {
				return na
			}
			if daysBetween(env.Now, d.Certificate.NotAfter.Time) > int64(env.Policy.CertExpiryWarningDays) {
				return pass
			}
			return fail("%s: certificate %s expires %s", d.ID, d.Certificate.Subject, d.Certificate.NotAfter)
		}},
		{"exposed-tamper-and-secure-boot", model.High, func(_ *engine.Env, d *model.Device, m *model.DeviceModel) engine.Result {
			switch d.Location {
			case model.Outdoor, model.Public, model.Unattended:
			default:
				return na
			}
			tamper := m.Hardening.TamperDetection
			if v, ok := d.Settings["tamper_detection"]; ok {
				tamper = v
			}
			if m.Hardening.SecureBoot && tamper {
				return pass
			}
			return fail("%s is %s without tamper detection and secure boot", d.ID, d.Location)
		}},
		{"support-ends-beyond-90-days", model.Medium, func(env *engine.Env, d *model.Device, m *model.DeviceModel) engine.Result {
			if !m.Update.SupportEnd.Set() || daysBetween(env.Now, m.Update.SupportEnd.Time) > 90 {
				return pass
			}
			return fail("%s: support for %s ends %s", d.ID, m.ID, m.Update.SupportEnd)
		}},
		{"old-firmware-release", model.Medium, func(env *engine.Env, d *model.Device, m *model.DeviceModel) engine.Result {
			if d.Firmware == m.FirmwareVersion {
				return na
			}
			for i := range m.Firmware {
				f := &m.Firmware[i]
				if f.Version == d.Firmware && daysBetween(at(f.Released), env.Now) > 180 {
					return fail("%s runs firmware %s; the latest is %s", d.ID, d.Firmware, m.FirmwareVersion)
				}
			}
			return pass
		}},
		{"clock-skew-within-policy", model.Low, func(env *engine.Env, d *model.Device, _ *model.DeviceModel) engine.Result {
			max := env.Policy.MaxClockSkewSeconds
			if d.ClockSkewSeconds <= max && d.ClockSkewSeconds >= -max {
				return pass
			}
			return fail("%s clock is %d s off", d.ID, d.ClockSkewSeconds)
		}},
	}
	out := make([]engine.DeviceCheck, len(rs))
	for i, r := range rs {
		out[i] = r
	}
	return out
}
