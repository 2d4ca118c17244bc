package report

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"

	"github.com/iotguard/iotguard/model"
)

// renderJSON writes the assessment as indented JSON (docs/report-json.md).
// The engine sorts every slice and encoding/json sorts map keys, so the
// output is stable. Lists are never null: an empty list is [].
//
// Findings are written one at a time into the document: a large fleet's
// report would otherwise be held in memory twice (marshalled, then
// indented) on top of the assessment itself.
func renderJSON(w io.Writer, a *model.Assessment) error {
	doc := normalize(a)
	findings := doc.Findings
	doc.Findings = []model.Finding{}
	var head bytes.Buffer
	enc := json.NewEncoder(&head)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	const empty = "\n  \"findings\": []"
	b := head.Bytes()
	at := bytes.Index(b, []byte(empty))
	if at < 0 || len(findings) == 0 {
		_, err := w.Write(b)
		return err
	}
	bw := bufio.NewWriter(w)
	bw.Write(b[:at])
	bw.WriteString("\n  \"findings\": [")
	var one bytes.Buffer
	fenc := json.NewEncoder(&one)
	fenc.SetIndent("    ", "  ")
	fenc.SetEscapeHTML(false)
	for i := range findings {
		f := findings[i]
		f.Controls = nonNil(f.Controls)
		one.Reset()
		if err := fenc.Encode(&f); err != nil {
			return err
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString("\n    ")
		bw.Write(bytes.TrimSuffix(one.Bytes(), []byte("\n")))
	}
	bw.WriteString("\n  ]")
	bw.Write(b[at+len(empty):])
	return bw.Flush()
}

// nonNil returns s, or an empty slice when s is nil, so JSON has [] and
// never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// normalize returns a shallow copy of a whose lists and maps are never nil.
// It does not modify a.
func normalize(a *model.Assessment) *model.Assessment {
	out := *a
	out.Summary.Controls = nonNilMap(a.Summary.Controls)
	out.Summary.Findings = nonNilMap(a.Summary.Findings)
	out.Summary.ByRole = nonNilMap(a.Summary.ByRole)
	out.Summary.ByCategory = nonNilMap(a.Summary.ByCategory)
	for _, st := range model.ControlStatuses {
		if _, ok := out.Summary.Controls[st]; !ok {
			out.Summary.Controls = copyWith(out.Summary.Controls, st, 0)
		}
	}
	for _, sv := range model.Severities {
		if _, ok := out.Summary.Findings[sv]; !ok {
			out.Summary.Findings = copyWith(out.Summary.Findings, sv, 0)
		}
	}

	out.Controls = make([]model.ControlResult, len(a.Controls))
	for i, c := range a.Controls {
		c.Stakeholders = nonNil(c.Stakeholders)
		c.Checks = nonNil(c.Checks)
		if c.Attestation != nil {
			at := *c.Attestation
			at.Evidence = nonNil(at.Evidence)
			c.Attestation = &at
		}
		out.Controls[i] = c
	}
	out.Checks = make([]model.CheckSummary, len(a.Checks))
	for i, c := range a.Checks {
		c.Controls = nonNil(c.Controls)
		c.Inputs = nonNil(c.Inputs)
		out.Checks[i] = c
	}
	// Findings are normalised as they are written (renderJSON).
	return &out
}

func nonNilMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return map[K]V{}
	}
	return m
}

// copyWith returns a copy of m with k set to v, leaving m untouched.
func copyWith[K comparable, V any](m map[K]V, k K, v V) map[K]V {
	out := make(map[K]V, len(m)+1)
	for kk, vv := range m {
		out[kk] = vv
	}
	out[k] = v
	return out
}
