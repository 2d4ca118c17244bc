package checks

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/engine"
	"github.com/iotguard/iotguard/model"
)

// containsFoldReference is containsFold without its ASCII fast path.
func containsFoldReference(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}

// The ASCII fast path of containsFold answers as EqualFold at every
// position does, also around runes that fold to ASCII letters (ſ to s,
// the Kelvin sign to k).
func TestContainsFoldMatchesEqualFold(t *testing.T) {
	alphabet := []string{"s", "S", "h", "H", "a", "A", "1", "-", "m", "d", "5", "k", "ſ", "K", "é", "\xff"}
	subs := []string{"md2", "md4", "md5", "sha1", "sha-1", "k", "SH", "", "ſh", "éa"}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		var b strings.Builder
		for n := r.IntN(12); n > 0; n-- {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		s := b.String()
		for _, sub := range subs {
			if got, want := containsFold(s, sub), containsFoldReference(s, sub); got != want {
				t.Fatalf("containsFold(%q, %q) = %v, want %v", s, sub, got, want)
			}
		}
		want := false
		for _, h := range []string{"md2", "md4", "md5", "sha1", "sha-1"} {
			want = want || containsFoldReference(s, h)
		}
		if got := weakHash(s); got != want {
			t.Fatalf("weakHash(%q) = %v, want %v", s, got, want)
		}
	}
}

// The firmware checks answer from a table made once per run for the
// model and firmware pairs of the fleet; a device outside the table (an
// environment whose first pass did not see it) gets the same verdict
// computed directly.
func TestFirmwareVerdictsSameFromTheTable(t *testing.T) {
	cases := allCases()
	for _, id := range []string{"firmware-outdated", "missing-security-update"} {
		if len(cases[id]) == 0 {
			t.Fatalf("no conformance cases for %s", id)
		}
		var ck engine.DeviceCheck
		for _, c := range All() {
			if c.Meta().ID == id {
				ck = c.(engine.DeviceCheck)
			}
		}
		for _, tc := range cases[id] {
			sol, devices, ev := tc.inputs()
			observed := engine.NewEnv(sol, now, testFiles).WithEvidence(ev)
			direct := engine.NewEnv(sol, now, testFiles).WithEvidence(ev)
			prepared := make([]model.Device, len(devices))
			for i := range devices {
				prepared[i] = observed.Prepare(&devices[i])
			}
			observed.Index.Freeze()
			for i := range prepared {
				d := direct.Enrich(devices[i])
				got, want := ck.CheckDevice(observed, &prepared[i]), ck.CheckDevice(direct, &d)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s/%s, device %s: table differs from direct (-direct +table):\n%s", id, tc.name, devices[i].ID, diff)
				}
			}
		}
	}
}
