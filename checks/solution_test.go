package checks

import (
	"github.com/iotguard/iotguard/model"
)

var solutionCases = map[string][]conformanceCase{
	"persistent-identifier-linkability": {
		{name: "one destination", asset: "identifiers", want: model.Pass},
		{name: "same destination twice", edit: addFlow(func(f *model.DataFlow) {
			f.ID, f.Data = "snapshots", []string{"image"}
		}), asset: "identifiers", want: model.Pass},
		{name: "same identifier from another source", edit: addFlow(func(f *model.DataFlow) {
			f.ID, f.Source, f.Destination = "doorbell", "model:doorbell", "external:analytics.example"
		}), asset: "identifiers", want: model.Pass},
		{name: "two destinations", edit: addFlow(func(f *model.DataFlow) {
			f.ID, f.Destination, f.Identifiers = "analytics", "external:analytics.example", []string{"Device-ID", "mac"}
		}), asset: "identifier device-id from model:cam", want: model.Fail,
			msg: "device-id from model:cam is sent to 2 destinations: service:video-cloud, external:analytics.example"},
		{name: "no flows", edit: editSolution(func(sol *model.Solution) { sol.Flows = nil }), asset: "identifiers", want: model.Pass},
	},
	"telemetry-coverage": {
		{name: "every active device reports", asset: "fleet telemetry", want: model.Pass},
		{name: "half report", edit: func(_ *model.Solution, d *[]model.Device) {
			(*d)[1].LastTelemetry = ts("2026-11-20")
		}, asset: "fleet telemetry", want: model.Fail,
			msg: "1 of 2 active devices (50.0%) reported telemetry within 24 h; policy requires 95%"},
		{name: "never reported", edit: func(_ *model.Solution, d *[]model.Device) {
			(*d)[0].LastTelemetry = model.Timestamp{}
		}, want: model.Fail, msg: "1 of 2 active devices"},
		{name: "lower target met", edit: func(sol *model.Solution, d *[]model.Device) {
			sol.Policy.TelemetryCoveragePercent = 50
			(*d)[1].LastTelemetry = model.Timestamp{}
		}, want: model.Pass},
		{name: "no active devices", edit: func(_ *model.Solution, d *[]model.Device) {
			for i := range *d {
				(*d)[i].Lifecycle = model.Provisioned
			}
		}, want: model.NotApplicableResult},
	},
	"stakeholder-contacts": {
		{name: "all roles with contacts", asset: "organization", want: model.Pass},
		{name: "only ISP and ISD", edit: editSolution(func(sol *model.Solution) {
			delete(sol.Organization.Roles, model.IU)
			delete(sol.Organization.Roles, model.IDD)
		}), want: model.Pass},
		{name: "ISD missing", edit: editSolution(func(sol *model.Solution) { delete(sol.Organization.Roles, model.ISD) }),
			asset: "organization", want: model.Fail, msg: "ISD role not assigned"},
		{name: "no roles", edit: editSolution(func(sol *model.Solution) { sol.Organization.Roles = nil }),
			want: model.Fail, msg: "ISP role not assigned; ISD role not assigned"},
		{name: "role without contact", edit: editSolution(func(sol *model.Solution) {
			sol.Organization.Roles[model.IU] = model.Party{Name: "Facilities"}
		}), want: model.Fail, msg: "IU (Facilities) has no contact"},
		{name: "role without name or contact", edit: editSolution(func(sol *model.Solution) {
			sol.Organization.Roles[model.ISP] = model.Party{}
		}), want: model.Fail, msg: "ISP has neither name nor contact"},
	},
}
