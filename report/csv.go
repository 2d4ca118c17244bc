package report

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/iotguard/iotguard/model"
)

// CSVHeader is the header row of the CSV report: one row per finding.
var CSVHeader = []string{"severity", "check", "controls", "asset_type", "asset", "message", "evidence", "remediation"}

// csvSafe defuses spreadsheet formula injection: a cell that starts with
// = + - @ (or a tab or carriage return, which some spreadsheets skip) is
// prefixed with a single quote so it is read as text.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func renderCSV(w io.Writer, a *model.Assessment) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CSVHeader); err != nil {
		return err
	}
	for i := range a.Findings {
		f := &a.Findings[i]
		row := []string{
			string(f.Severity), f.Check, strings.Join(f.Controls, ";"), string(f.AssetType),
			f.Asset, f.Message, f.Evidence, f.Remediation,
		}
		for j := range row {
			row[j] = csvSafe(row[j])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
