# The ten per-device rules of fleet.yaml in Rego, for OPA. input.device is
# one device (the JSON names of iotguard's model, timestamps as Unix
# seconds, unset ones left out); data.models maps model IDs to models,
# data.policy holds the policy with defaults, data.now is the assessment
# time in Unix seconds. fail maps the ID of each rule the device fails to
# its message.
package iotguard.bench

day := 86400

dev := input.device

mdl := object.get(data.models, dev.model, {})

setting(name) := object.get(dev, ["settings", name], object.get(mdl, ["default_settings", name], false))

fail["camera-not-on-guest-network"] := msg if {
	mdl.kind == "camera"
	endswith(dev.zone, "-guest")
	msg := sprintf("camera %s is on the guest network %s", [dev.id, dev.zone])
}

seen_recently if data.now - dev.last_seen < 31 * day

fail["safety-device-seen-recently"] := msg if {
	endswith(dev.zone, "-safety")
	dev.lifecycle == "active"
	not seen_recently
	msg := sprintf("%s in %s was last seen %v", [dev.id, dev.zone, object.get(dev, "last_seen", "never")])
}

fail["rsa-device-keys-3072"] := msg if {
	dev.certificate.key_type == "rsa"
	dev.certificate.key_bits < 3072
	msg := sprintf("%s has a %d-bit RSA key", [dev.id, dev.certificate.key_bits])
}

telnet_port(p) if p.port == 23

telnet_port(p) if p.service == "telnet"

fail["no-telnet-port"] := msg if {
	some p in dev.ports
	telnet_port(p)
	msg := sprintf("%s listens on Telnet", [dev.id])
}

fail["telnet-setting-off"] := msg if {
	setting("telnet") == true
	msg := sprintf("%s has Telnet enabled", [dev.id])
}

fail["certificate-valid-beyond-warning"] := msg if {
	dev.certificate.not_after - data.now < (data.policy.cert_expiry_warning_days + 1) * day
	msg := sprintf("%s: certificate %s expires %v", [dev.id, dev.certificate.subject, dev.certificate.not_after])
}

exposed_locations := {"outdoor", "public", "unattended"}

# A device's own tamper_detection setting overrides its model's hardening.
tamper_detection := object.get(dev.settings, "tamper_detection", object.get(mdl, ["hardening", "tamper_detection"], false))

exposed_ok if {
	mdl.hardening.secure_boot == true
	tamper_detection == true
}

fail["exposed-tamper-and-secure-boot"] := msg if {
	dev.location in exposed_locations
	not exposed_ok
	msg := sprintf("%s is %s without tamper detection and secure boot", [dev.id, dev.location])
}

fail["support-ends-beyond-90-days"] := msg if {
	end := mdl.update.support_end
	end - data.now < 91 * day
	msg := sprintf("%s: support for %s ends %v", [dev.id, dev.model, end])
}

fail["old-firmware-release"] := msg if {
	dev.firmware != object.get(mdl, "firmware_version", "")
	some f in object.get(mdl, "firmware", [])
	f.version == dev.firmware
	data.now - object.get(f, "released", 0) >= 181 * day
	msg := sprintf("%s runs firmware %s; the latest is %s", [dev.id, dev.firmware, object.get(mdl, "firmware_version", "")])
}

fail["clock-skew-within-policy"] := msg if {
	abs(dev.clock_skew_seconds) > data.policy.max_clock_skew_seconds
	msg := sprintf("%s clock is %d s off", [dev.id, dev.clock_skew_seconds])
}
