package auditlog

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// export writes a chain of n records as an export.
func export(t testing.TB, n int) []byte {
	t.Helper()
	recs, cps, w := makeChain(n)
	var buf bytes.Buffer
	e := Exporter{PublicKey: testPub, ExportedAt: t0.Add(time.Hour), Witness: w}
	if err := e.Write(&buf, seq2(recs), seq2(cps)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func lines(b []byte) []string { return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") }

func join(ls []string) []byte { return []byte(strings.Join(ls, "\n") + "\n") }

func TestExportRoundTrip(t *testing.T) {
	data := export(t, 6)
	// header, 6 records, 6 checkpoints, end
	if n := len(lines(data)); n != 14 {
		t.Fatalf("export has %d lines, want 14:\n%s", n, data)
	}
	res, err := VerifyExport(bytes.NewReader(data), testPub)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Records != 6 || res.Checkpoints != 6 || res.Head == nil || res.Head.Seq != 6 || res.KeyID != KeyID(testPub) || !res.ExportedAt.Equal(t0.Add(time.Hour)) {
		t.Errorf("VerifyExport = %+v", res)
	}
	empty := export(t, 0)
	res, err = VerifyExport(bytes.NewReader(empty), testPub)
	if err != nil || !res.OK || res.Records != 0 {
		t.Errorf("empty export: %+v, %v", res, err)
	}
}

func TestVerifyExportDetectsTampering(t *testing.T) {
	for _, tc := range []struct {
		name        string
		edit        func(ls []string) []string
		wantBad     int64
		wantProblem string
	}{
		{"record edited", func(ls []string) []string {
			ls[5] = strings.Replace(ls[5], `"alice"`, `"mallory"`, 1)
			return ls
		}, 3, "edited"},
		{"record line deleted", func(ls []string) []string { return append(ls[:5:5], ls[7:]...) }, 3, "missing"},
		{"tail cut with an end line without a head", func(ls []string) []string {
			return append(ls[:9:9], `{"type":"end","records":4,"checkpoints":4}`)
		}, 5, "no signed head"},
		{"end line dropped", func(ls []string) []string { return ls[:len(ls)-1] }, 7, "without its end line"},
		{"line after the end", func(ls []string) []string { return append(ls, ls[1]) }, 7, "follow the end"},
		{"end counts wrong", func(ls []string) []string {
			ls[len(ls)-1] = strings.Replace(ls[len(ls)-1], `"records":6`, `"records":7`, 1)
			return ls
		}, 7, "counts"},
		{"checkpoint signature changed", func(ls []string) []string {
			ls[4] = strings.Replace(ls[4], `"signature":"`, `"signature":"AA`, 1)
			return ls
		}, 2, "signature invalid"},
		{"checkpoint before its record", func(ls []string) []string {
			ls[3], ls[4] = ls[4], ls[3]
			return ls
		}, 2, "truncated"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := tc.edit(lines(export(t, 6)))
			res, err := VerifyExport(bytes.NewReader(join(ls)), testPub)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.FirstBadSeq != tc.wantBad || !strings.Contains(res.Problem, tc.wantProblem) {
				t.Errorf("VerifyExport = %+v, want first bad %d with %q", res, tc.wantBad, tc.wantProblem)
			}
		})
	}
}

func TestVerifyExportRefusesOtherKeysAndNonExports(t *testing.T) {
	data := export(t, 3)
	otherPub := []byte(strings.Repeat("k", 32))
	res, err := VerifyExport(bytes.NewReader(data), otherPub)
	if err != nil || res.OK || !strings.Contains(res.Problem, "not the trusted key") {
		t.Errorf("export checked against another key: %+v, %v", res, err)
	}
	if _, err := VerifyExport(bytes.NewReader(data), nil); err == nil {
		t.Error("verifying without a trusted key succeeds")
	}
	for name, in := range map[string]string{
		"empty":         "",
		"not JSON":      "hello\n",
		"no header":     `{"type":"record","record":{}}` + "\n",
		"unknown field": `{"type":"header","format":"iotguard-audit-export","version":1,"evil":true}` + "\n",
		"two objects":   `{"type":"header"} {"type":"header"}` + "\n",
		"huge line":     `{"type":"header","format":"` + strings.Repeat("x", maxExportLine+10) + `"}`,
	} {
		if _, err := VerifyExport(strings.NewReader(in), testPub); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	ls := lines(data)
	ls[2] = `{"type":"bogus"}`
	if _, err := VerifyExport(bytes.NewReader(join(ls)), testPub); !errors.Is(err, ErrNotExport) {
		t.Errorf("unknown line type: %v, want ErrNotExport", err)
	}
	ls = lines(data)
	ls[0] = strings.Replace(ls[0], `"version":1`, `"version":2`, 1)
	if _, err := VerifyExport(bytes.NewReader(join(ls)), testPub); err == nil || !strings.Contains(err.Error(), "version 2") {
		t.Errorf("future version: %v", err)
	}
}

// A copy cut at a checkpoint, with an end line naming that checkpoint,
// is a valid shorter export: nothing inside it can tell. The result names
// its head, which the auditor compares with the head they were promised.
func TestExportCutAtACheckpointShowsItsHead(t *testing.T) {
	ls := lines(export(t, 6))
	cp4 := strings.TrimSuffix(strings.TrimPrefix(ls[8], `{"type":"checkpoint","checkpoint":`), "}")
	cut := append(ls[:9:9], `{"type":"end","records":4,"checkpoints":4,"head":`+cp4+`}`)
	res, err := VerifyExport(bytes.NewReader(join(cut)), testPub)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK || res.Head == nil || res.Head.Seq != 4 {
		t.Errorf("VerifyExport = %+v, want OK with head 4", res)
	}
}

func TestExportHeadIsTheWitnessWhenAhead(t *testing.T) {
	recs, cps, _ := makeChain(5)
	w := Sign(testKey, 7, strings.Repeat("e", 64), t0)
	var buf bytes.Buffer
	if err := (Exporter{PublicKey: testPub, ExportedAt: t0, Witness: &w}).Write(&buf, seq2(recs), seq2(cps)); err != nil {
		t.Fatal(err)
	}
	res, err := VerifyExport(&buf, testPub)
	if err != nil {
		t.Fatal(err)
	}
	if res.OK || res.FirstBadSeq != 6 || !strings.Contains(res.Problem, "witness") {
		t.Errorf("export of a truncated log = %+v", res)
	}
}

// FuzzVerifyExport feeds arbitrary input to the export reader: it must
// never panic or hang, and must not call a mangled export intact unless
// the mangling left the log whole.
func FuzzVerifyExport(f *testing.F) {
	valid := export(f, 4)
	f.Add(valid)
	ls := lines(valid)
	f.Add(join(ls[:5]))
	f.Add(join(append(ls[:3:3], ls[5:]...)))
	f.Add([]byte(`{"type":"header","format":"iotguard-audit-export","version":1}` + "\n"))
	f.Add([]byte("{}\n{}\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		res, err := VerifyExport(bytes.NewReader(data), testPub)
		if err != nil || !res.OK {
			return
		}
		// An export that verifies must hold a chain that verifies the
		// same way when read again.
		again, err := VerifyExport(bytes.NewReader(data), testPub)
		if err != nil || again.VerifyResult != res.VerifyResult {
			t.Errorf("verification is not deterministic: %+v then %+v, %v", res, again, err)
		}
		if res.Records > 0 && (res.Head == nil || res.Head.Seq != res.Records) {
			t.Errorf("an intact export of %d records has head %+v", res.Records, res.Head)
		}
	})
}
