package checks

import (
	"github.com/iotguard/iotguard/model"
)

// editNetwork changes the baseline's first network zone.
func editNetwork(fn func(n *model.Network)) func(*model.Solution, *[]model.Device) {
	return func(sol *model.Solution, _ *[]model.Device) { fn(&sol.Networks[0]) }
}

var networkCases = map[string][]conformanceCase{
	"network-internet-inbound": {
		{name: "no inbound", want: model.Pass},
		{name: "inbound", edit: editNetwork(func(n *model.Network) { n.InternetInbound = true }),
			want: model.Fail, msg: "zone iot-cameras accepts inbound connections from the internet"},
	},
	"network-egress-restricted": {
		{name: "allow-list", want: model.Pass},
		{name: "IoT zone without allow-list", edit: editNetwork(func(n *model.Network) { n.EgressAllowList = nil }),
			want: model.Fail, msg: "iot zone iot-cameras allows egress to any destination"},
		{name: "zone without purpose or allow-list", edit: editNetwork(func(n *model.Network) { n.Purpose, n.EgressAllowList = "", nil }),
			want: model.Fail, msg: "no declared purpose"},
		{name: "safety zone without allow-list", edit: editNetwork(func(n *model.Network) { n.Purpose, n.EgressAllowList = "Safety", nil }),
			want: model.Fail, msg: "no allow-list"},
		{name: "guest zone", edit: editNetwork(func(n *model.Network) { n.Purpose, n.EgressAllowList = "guest", nil }),
			want: model.NotApplicableResult},
	},
	"network-wifi-security": {
		{name: "wired", want: model.Pass},
		{name: "WPA2", edit: editNetwork(func(n *model.Network) { n.WiFiSecurity = "wpa2" }), want: model.Pass},
		{name: "open", edit: editNetwork(func(n *model.Network) { n.WiFiSecurity = "open" }),
			want: model.Fail, msg: "zone iot-cameras uses open Wi-Fi"},
		{name: "WEP", edit: editNetwork(func(n *model.Network) { n.WiFiSecurity = "WEP" }),
			want: model.Fail, msg: "uses WEP Wi-Fi"},
	},
	"network-safety-segregation": {
		{name: "no safety devices", want: model.NotApplicableResult},
		{name: "safety device in a segregated zone", edit: func(_ *model.Solution, d *[]model.Device) {
			(*d)[0].SafetyCritical = true
		}, want: model.Pass},
		{name: "safety model in an open zone", edit: func(sol *model.Solution, _ *[]model.Device) {
			sol.Models[0].SafetyCritical = true
			sol.Networks[0].Segregated = false
		}, want: model.Fail, msg: "zone iot-cameras hosts safety-critical devices (2) but is not segregated"},
		{name: "safety zone without devices", edit: editNetwork(func(n *model.Network) { n.Purpose, n.Segregated = "safety", false }),
			want: model.Fail, msg: "safety zone iot-cameras is not segregated"},
		{name: "safety devices elsewhere", edit: func(sol *model.Solution, d *[]model.Device) {
			(*d)[0].SafetyCritical = true
			(*d)[0].Zone = "plant"
			sol.Networks[0].Segregated = false
		}, want: model.NotApplicableResult},
	},
}
