package rules

import (
	"testing"
	"time"

	"github.com/iotguard/iotguard/checks"
	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// benchRules are ten device rules of the kinds the examples use.
const benchRules = `rules:
  - {id: r1, title: t, controls: [S14], severity: high, scope: device, remediation: r, expression: '!(model.kind == "camera" && device.zone == "guest-wifi")', message: '{{device.id}}'}
  - {id: r2, title: t, controls: [S27], severity: high, scope: device, remediation: r, when: 'device.zone.startsWith("safety")', expression: 'has(device.last_seen) && days_since(device.last_seen) <= 30'}
  - {id: r3, title: t, controls: [S16], severity: low, scope: device, remediation: r, when: 'has(device.certificate) && device.certificate.key_type == "rsa"', expression: 'device.certificate.key_bits >= 3072'}
  - {id: r4, title: t, controls: [S10], severity: high, scope: device, remediation: r, expression: '!device.ports.exists(p, p.port == 23 || p.service == "telnet")'}
  - {id: r5, title: t, controls: [S26], severity: high, scope: device, remediation: r, expression: '!setting("telnet")'}
  - {id: r6, title: t, controls: [P13], severity: medium, scope: device, remediation: r, when: 'device.mqtt_client_id != "" && device.serial != ""', expression: 'device.mqtt_client_id != device.serial'}
  - {id: r7, title: t, controls: [S04], severity: high, scope: device, remediation: r, when: 'device.location in ["outdoor", "public", "unattended"]', expression: 'model.hardening.tamper_detection && model.hardening.secure_boot'}
  - {id: r8, title: t, controls: [S15], severity: medium, scope: device, remediation: r, expression: '!has(model.update.support_end) || days_until(model.update.support_end) > 90'}
  - {id: r9, title: t, controls: [S03], severity: low, scope: device, remediation: r, expression: 'device.lifecycle != "" && device.owner != "" && device.site != ""'}
  - {id: r10, title: t, controls: [S12], severity: low, scope: device, remediation: r, expression: 'device.clock_skew_seconds <= policy.max_clock_skew_seconds'}
`

func benchEnv() (*engine.Env, *model.Device) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	sol := &model.Solution{Models: []model.DeviceModel{{
		ID: "cam", Kind: "camera", FirmwareVersion: "2.2.0",
		Hardening: model.Hardening{TamperDetection: true, SecureBoot: true},
		Update:    model.UpdatePolicy{SupportEnd: model.Timestamp{Time: now.AddDate(2, 0, 0)}},
	}}}
	env := engine.NewEnv(sol, now, nil)
	d := &model.Device{
		ID: "cam-1", Serial: "SN1", Model: "cam", Firmware: "2.2.0", MQTTClientID: "c-1", Zone: "safety-1",
		Lifecycle: model.Active, Location: model.Outdoor, Site: "hq", Owner: "ops",
		LastSeen:    model.Timestamp{Time: now.AddDate(0, 0, -2)},
		Certificate: &model.Certificate{KeyType: "rsa", KeyBits: 4096},
		Ports:       []model.Port{{Port: 443, Service: "https", TLS: true}, {Port: 8883, Service: "mqtt", TLS: true}},
		Settings:    map[string]bool{"telnet": false},
	}
	env.Observe(d)
	return env, d
}

// BenchmarkDeviceRules runs ten CEL device rules on one (passing) device,
// through the engine.DeviceCheck interface the engine calls.
func BenchmarkDeviceRules(b *testing.B) {
	set, err := Parse("bench.yaml", []byte(benchRules), Options{})
	if err != nil {
		b.Fatal(err)
	}
	env, d := benchEnv()
	var cks []engine.DeviceCheck
	for _, c := range set.Checks() {
		cks = append(cks, c.(engine.DeviceCheck))
	}
	for _, c := range cks {
		if r := c.CheckDevice(env, d); r.Status != model.Pass {
			b.Fatalf("%s: %+v", c.Meta().ID, r)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range cks {
			c.CheckDevice(env, d)
		}
	}
}

// BenchmarkDeviceRulesNoLoopCostLimit is BenchmarkDeviceRules without the
// runtime cost limit on the rule that iterates (r4), to show what cost
// tracking adds.
func BenchmarkDeviceRulesNoLoopCostLimit(b *testing.B) {
	trackLoopCost = false
	defer func() { trackLoopCost = true }()
	BenchmarkDeviceRules(b)
}

// BenchmarkBuiltinDeviceChecks runs the first ten built-in device checks on
// the same device, for comparison.
func BenchmarkBuiltinDeviceChecks(b *testing.B) {
	env, d := benchEnv()
	var cks []engine.DeviceCheck
	for _, c := range checks.All() {
		if dc, ok := c.(engine.DeviceCheck); ok && len(cks) < 10 {
			cks = append(cks, dc)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, c := range cks {
			c.CheckDevice(env, d)
		}
	}
}
