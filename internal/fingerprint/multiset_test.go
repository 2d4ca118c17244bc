package fingerprint

import (
	"errors"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMultisetMatchesMap fills sets of several sizes and memory limits
// (in memory, one run, many runs) and checks every answer against plain
// counting in a map.
func TestMultisetMatchesMap(t *testing.T) {
	for _, tc := range []struct {
		name         string
		n, distinct  int
		limit, wants int
	}{
		{"empty", 0, 1, 4, 0},
		{"in memory", 1000, 700, 5000, 10},
		{"one spill at the end", 1000, 700, 1000, 10},
		{"many runs", 10000, 6000, 97, 50},
		{"all the same", 500, 1, 7, 1},
		{"all distinct", 5000, 1 << 62, 64, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(tc.n)))
			m := New(tc.limit)
			defer m.Close()
			want := map[uint64]int{}
			var added []uint64
			for i := 0; i < tc.n; i++ {
				h := r.Uint64N(uint64(tc.distinct)) * 0x9e3779b97f4a7c15
				if err := m.Add(h); err != nil {
					t.Fatal(err)
				}
				want[h]++
				added = append(added, h)
			}
			// Wanted: some added once or more, and some never added.
			var wanted []uint64
			for i := 0; i < tc.wants && i < len(added); i++ {
				wanted = append(wanted, added[r.IntN(len(added))])
			}
			wanted = append(wanted, 12345, 0)
			for _, h := range wanted {
				m.Want(h)
			}
			if err := m.Finish(); err != nil {
				t.Fatal(err)
			}
			if spilled := tc.n >= tc.limit; m.Spilled() != spilled {
				t.Errorf("spilled = %v, want %v", m.Spilled(), spilled)
			}
			var repeated []uint64
			for h, n := range want {
				if n > 1 {
					repeated = append(repeated, h)
				}
			}
			slices.Sort(repeated)
			if got := m.Repeated(); !slices.Equal(repeated, got) {
				t.Errorf("Repeated: %d fingerprints, want %d:\n%s", len(got), len(repeated), cmp.Diff(repeated, got))
			}
			for _, h := range wanted {
				if n, exact := m.Count(h); n != want[h] || !exact {
					t.Errorf("Count(wanted %x) = %d, %v; want %d, exact", h, n, exact, want[h])
				}
			}
			for h, c := range want {
				if n := m.CountAdded(h); n != c {
					t.Fatalf("CountAdded(%x) = %d, want %d", h, n, c)
				}
				n, exact := m.Count(h)
				switch {
				case exact && n != c:
					t.Fatalf("Count(%x) = %d exactly, want %d", h, n, c)
				case !exact && (c != 1 || n != 1):
					t.Fatalf("Count(%x) = %d inexact, but it was added %d times", h, n, c)
				}
			}
		})
	}
}

func TestMultisetAddAfterFinish(t *testing.T) {
	m := New(4)
	if err := m.Finish(); err != nil {
		t.Fatal(err)
	}
	if err := m.Add(1); err == nil {
		t.Fatal("Add after Finish was accepted")
	}
}

// A temporary folder that cannot be written is the environment's fault,
// and the error says where and what to do.
func TestMultisetTempFileError(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir()+"/missing")
	m := New(2)
	defer m.Close()
	err := m.Add(1)
	if err == nil {
		err = m.Add(2)
	}
	if !errors.Is(err, ErrTempFile) || !strings.Contains(err.Error(), "set TMPDIR") {
		t.Fatalf("got %v, want an ErrTempFile that says how to fix it", err)
	}
}

// The radix sort sorts, whatever the digits: random, all equal, equal in
// some bytes only, already sorted, reversed.
func TestSortHashes(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	gens := map[string]func(i int) uint64{
		"random":       func(int) uint64 { return r.Uint64() },
		"all equal":    func(int) uint64 { return 42 },
		"low byte":     func(int) uint64 { return uint64(r.IntN(256)) },
		"high bytes":   func(int) uint64 { return r.Uint64() &^ 0xffffff },
		"sorted":       func(i int) uint64 { return uint64(i) * 977 },
		"reversed":     func(i int) uint64 { return ^uint64(i) },
		"few distinct": func(int) uint64 { return uint64(r.IntN(5)) << 60 },
	}
	for name, gen := range gens {
		for _, n := range []int{0, 1, 1023, 1024, 5000} {
			m := New(1 << 20)
			for i := 0; i < n; i++ {
				m.buf = append(m.buf, gen(i))
			}
			want := slices.Clone(m.buf)
			slices.Sort(want)
			m.sort()
			if !slices.Equal(want, m.buf) {
				t.Errorf("%s, %d hashes: not sorted", name, n)
			}
		}
	}
}
