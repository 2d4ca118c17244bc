// Package fingerprint counts 64-bit fingerprints (hashes of identifiers)
// in memory that does not grow with their number: past a limit, sorted runs
// go to a temporary file and are merged when counting is done. What an
// assessment needs of a million identifiers is which ones repeat, and how
// often a few chosen ones occur; that is what a finished Multiset keeps.
package fingerprint

import (
	"bufio"
	"container/heap"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// DefaultLimit is how many fingerprints a Multiset holds in memory before
// it spills a run to disk: 8 MiB.
const DefaultLimit = 1 << 20

// ErrTempFile marks a failure to create, write or read back the temporary
// file: a fault of the environment (TMPDIR missing, full or read-only),
// not of the input.
var ErrTempFile = errors.New("temporary file")

// tempErr wraps a temporary-file failure with where and how to fix it.
func tempErr(op string, err error) error {
	return fmt.Errorf("fingerprint: %w in %s: %s: %w (set TMPDIR to a writable directory with room for 8 bytes per identifier)", ErrTempFile, os.TempDir(), op, err)
}

// Multiset counts fingerprints. Add and Want while filling, then Finish;
// after Finish, Count and Repeated may be called concurrently. Close
// removes the temporary file, if there was one.
type Multiset struct {
	limit   int
	buf     []uint64
	scratch []uint64 // for sorting buf

	file    *os.File
	w       *bufio.Writer
	runs    []int64 // number of fingerprints in each run, in file order
	spilled bool

	want     map[uint64]int // wanted fingerprints -> exact count after Finish
	repeated map[uint64]int // after Finish: fingerprints added more than once
	finished bool
}

// New returns an empty set that keeps up to limit fingerprints in memory
// (DefaultLimit when limit <= 0).
func New(limit int) *Multiset {
	if limit <= 0 {
		limit = DefaultLimit
	}
	return &Multiset{limit: limit}
}

// Add counts one occurrence of h.
func (m *Multiset) Add(h uint64) error {
	if m.finished {
		return errors.New("fingerprint: Add after Finish")
	}
	m.buf = append(m.buf, h)
	if len(m.buf) >= m.limit {
		return m.spill()
	}
	return nil
}

// Want asks for the exact count of h, whether or not it repeats: a
// spilled set forgets the fingerprints that occur once, except these.
func (m *Multiset) Want(h uint64) {
	if m.want == nil {
		m.want = map[uint64]int{}
	}
	m.want[h] = 0
}

// spill writes the buffer as one sorted run.
func (m *Multiset) spill() error {
	if m.file == nil {
		f, err := os.CreateTemp("", "iotguard-fingerprints-*")
		if err != nil {
			return tempErr("create", err)
		}
		// Unlinked at once where the system allows it, so that nothing is
		// left behind however the process ends; Close removes it otherwise.
		_ = os.Remove(f.Name())
		m.file, m.w = f, bufio.NewWriterSize(f, 64<<10)
	}
	m.sort()
	var b [8]byte
	for _, h := range m.buf {
		binary.LittleEndian.PutUint64(b[:], h)
		if _, err := m.w.Write(b[:]); err != nil {
			return tempErr("write", err)
		}
	}
	m.runs = append(m.runs, int64(len(m.buf)))
	m.buf = m.buf[:0]
	m.spilled = true
	return nil
}

// sort sorts buf: by radix, eight bits at a time, for large buffers of
// hashes (uniform over 64 bits, which a comparison sort gains nothing
// from); sorting spilled runs was a twentieth of a million-device
// assessment.
func (m *Multiset) sort() {
	a := m.buf
	if len(a) < 1024 {
		slices.Sort(a)
		return
	}
	if cap(m.scratch) < len(a) {
		m.scratch = make([]uint64, len(a))
	}
	b := m.scratch[:len(a)]
	for shift := uint(0); shift < 64; shift += 8 {
		var counts [256]int
		for _, h := range a {
			counts[(h>>shift)&0xff]++
		}
		if counts[(a[0]>>shift)&0xff] == len(a) {
			continue // every hash has this digit
		}
		pos := 0
		for i, n := range counts {
			counts[i] = pos
			pos += n
		}
		for _, h := range a {
			d := (h >> shift) & 0xff
			b[counts[d]] = h
			counts[d]++
		}
		a, b = b, a
	}
	if &a[0] != &m.buf[0] {
		copy(m.buf, a)
	}
}

// Finish ends the filling. A set that never spilled keeps its sorted
// fingerprints; a spilled one merges its runs and keeps only the repeated
// and the wanted fingerprints with their counts.
func (m *Multiset) Finish() error {
	if m.finished {
		return nil
	}
	m.finished = true
	if !m.spilled {
		m.sort()
		m.scratch = nil
		m.buf = slices.Clip(m.buf)
		for h := range m.want {
			m.want[h] = m.memCount(h)
		}
		m.repeated = map[uint64]int{}
		for i := 0; i < len(m.buf); {
			j := i + 1
			for j < len(m.buf) && m.buf[j] == m.buf[i] {
				j++
			}
			if j-i > 1 {
				m.repeated[m.buf[i]] = j - i
			}
			i = j
		}
		return nil
	}
	if len(m.buf) > 0 {
		if err := m.spill(); err != nil {
			return err
		}
	}
	m.buf = nil
	if err := m.w.Flush(); err != nil {
		return tempErr("write", err)
	}
	m.repeated = map[uint64]int{}
	return m.merge(func(h uint64, n int) {
		if n > 1 {
			m.repeated[h] = n
		}
		if _, ok := m.want[h]; ok {
			m.want[h] = n
		}
	})
}

// merge reads the sorted runs together and calls fn once per distinct
// fingerprint with its count, in ascending order.
func (m *Multiset) merge(fn func(h uint64, n int)) error {
	var rs runHeap
	var off int64
	for _, n := range m.runs {
		r := &run{r: bufio.NewReaderSize(io.NewSectionReader(m.file, off*8, n*8), 32<<10), left: n}
		off += n
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			rs = append(rs, r)
		}
	}
	heap.Init(&rs)
	var cur uint64
	count := 0
	for len(rs) > 0 {
		r := rs[0]
		if count > 0 && r.h != cur {
			fn(cur, count)
			count = 0
		}
		cur = r.h
		count++
		ok, err := r.next()
		if err != nil {
			return err
		}
		if ok {
			heap.Fix(&rs, 0)
		} else {
			heap.Pop(&rs)
		}
	}
	if count > 0 {
		fn(cur, count)
	}
	return nil
}

// Count returns how many times h was added. exact is false only for a
// spilled set asked about a fingerprint that is neither repeated nor
// wanted: it occurred at most once, and n is 1, which is right for a
// fingerprint the caller knows it added.
func (m *Multiset) Count(h uint64) (n int, exact bool) {
	if !m.spilled {
		return m.memCount(h), true
	}
	if n, ok := m.want[h]; ok {
		return n, true
	}
	if n, ok := m.repeated[h]; ok {
		return n, true
	}
	return 1, false
}

// CountAdded is Count for a fingerprint the caller knows it added: its
// count if it repeats, else 1. It looks only at the repeated fingerprints,
// so it costs one map lookup however many were added. Call it after
// Finish.
func (m *Multiset) CountAdded(h uint64) int {
	if n, ok := m.repeated[h]; ok {
		return n
	}
	return 1
}

func (m *Multiset) memCount(h uint64) int {
	i, found := slices.BinarySearch(m.buf, h)
	if !found {
		return 0
	}
	n := 0
	for ; i < len(m.buf) && m.buf[i] == h; i++ {
		n++
	}
	return n
}

// Repeated returns the fingerprints added more than once, in ascending
// order. Call it after Finish.
func (m *Multiset) Repeated() []uint64 {
	var out []uint64
	if m.spilled {
		for h := range m.repeated {
			out = append(out, h)
		}
		slices.Sort(out)
		return out
	}
	for i := 1; i < len(m.buf); i++ {
		if m.buf[i] == m.buf[i-1] && (len(out) == 0 || out[len(out)-1] != m.buf[i]) {
			out = append(out, m.buf[i])
		}
	}
	return out
}

// Spilled reports whether the set went to disk.
func (m *Multiset) Spilled() bool { return m.spilled }

// Close releases the temporary file.
func (m *Multiset) Close() error {
	if m.file == nil {
		return nil
	}
	name := m.file.Name()
	err := m.file.Close()
	m.file = nil
	if rerr := os.Remove(name); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
		err = rerr
	}
	return err
}

// run is one sorted run being merged.
type run struct {
	r    *bufio.Reader
	left int64
	h    uint64
}

func (r *run) next() (bool, error) {
	if r.left == 0 {
		return false, nil
	}
	var b [8]byte
	if _, err := io.ReadFull(r.r, b[:]); err != nil {
		return false, tempErr("read back", err)
	}
	r.h = binary.LittleEndian.Uint64(b[:])
	r.left--
	return true, nil
}

type runHeap []*run

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return h[i].h < h[j].h }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*run)) }
func (h *runHeap) Pop() any {
	old := *h
	r := old[len(old)-1]
	*h = old[:len(old)-1]
	return r
}
