package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/iotguard/iotguard/internal/fingerprint"
	"github.com/iotguard/iotguard/internal/suggest"
	"github.com/iotguard/iotguard/model"
)

// deviceRules validates one device against the solution: required fields
// and the model reference.
type deviceRules struct {
	models   map[string]struct{}
	modelIDs []string // sorted, for suggestions
	anyModel bool     // previews without a manifest accept any model
}

func newDeviceRules(sol *model.Solution) *deviceRules {
	r := &deviceRules{models: make(map[string]struct{}, len(sol.Models))}
	for _, m := range sol.Models {
		if m.ID == "" {
			continue
		}
		if _, dup := r.models[m.ID]; !dup {
			r.models[m.ID] = struct{}{}
			r.modelIDs = append(r.modelIDs, m.ID)
		}
	}
	sort.Strings(r.modelIDs)
	return r
}

// fieldProblem is a problem with one field of a device.
type fieldProblem struct{ field, msg string }

// check returns the device's problems, or nil. It does not allocate when
// the device is valid.
func (r *deviceRules) check(d *model.Device) []fieldProblem {
	var out []fieldProblem
	if strings.TrimSpace(d.ID) == "" {
		out = append(out, fieldProblem{"id", "required: every device needs a unique id"})
	}
	switch {
	case strings.TrimSpace(d.Model) == "":
		out = append(out, fieldProblem{"model", "required: name the device's model, one of the ids under models (" + r.declared() + ")"})
	case r.anyModel:
	default:
		if _, ok := r.models[d.Model]; !ok {
			out = append(out, fieldProblem{"model", fmt.Sprintf("model %s is not declared under models%s (%s): declare the model or correct the device",
				q(d.Model), suggest.Hint(d.Model, r.modelIDs), r.declared())})
		}
	}
	for i, p := range d.Ports {
		if p.Port <= 0 || p.Port > 65535 {
			out = append(out, fieldProblem{fmt.Sprintf("ports[%d].port", i), fmt.Sprintf("port %d is out of range: use 1-65535", p.Port)})
		}
	}
	return out
}

func (r *deviceRules) declared() string {
	if len(r.modelIDs) == 0 {
		return "none are declared yet"
	}
	return "declared: " + list(r.modelIDs, 10)
}

// idSet finds duplicate device IDs in a stream in memory that does not
// grow with the inventory: a 64-bit hash of each ID goes into a
// fingerprint.Multiset (8 MiB of hashes, then sorted runs on disk). When the
// stream has ended, the repeated hashes are confirmed, and their lines
// found, by reading the stream again (rescan): a hash collision never
// reports a false duplicate, and the error names the first line that
// repeats an ID and the line that had it before, as a reader that checked
// line by line would.
type idSet struct {
	hash   func(id string) uint64
	set    *fingerprint.Multiset
	rescan func(fn func(line int, d *model.Device) error) error
}

// idSetMemory is how many ID hashes an idSet keeps in memory before it
// spills; tests lower it.
var idSetMemory = fingerprint.DefaultLimit

func newIDSet(rescan func(fn func(line int, d *model.Device) error) error) *idSet {
	seed := maphash.MakeSeed()
	return &idSet{
		hash:   func(id string) uint64 { return maphash.String(seed, id) },
		set:    fingerprint.New(idSetMemory),
		rescan: rescan,
	}
}

func (s *idSet) add(id string) error { return s.set.Add(s.hash(id)) }

// check reports the first duplicate ID of a stream that ended cleanly.
func (s *idSet) check(name string) error {
	if err := s.set.Finish(); err != nil {
		return fmt.Errorf("read %s: duplicate check: %w", name, err)
	}
	repeated := s.set.Repeated()
	if len(repeated) == 0 {
		return nil
	}
	if s.rescan == nil {
		return fmt.Errorf("read %s: %d device ids appear more than once, and the stream cannot be read again to name them", name, len(repeated))
	}
	suspect := make(map[uint64]bool, len(repeated))
	for _, h := range repeated {
		suspect[h] = true
	}
	first := map[string]int{}
	var dup error
	err := s.rescan(func(line int, d *model.Device) error {
		if !suspect[s.hash(d.ID)] {
			return nil
		}
		if prev, ok := first[d.ID]; ok {
			dup = inputErr(name, line, 0, "id", "duplicate device id %s: line %d has it too; device ids must be unique across the inventory", q(d.ID), prev)
			return errStop
		}
		first[d.ID] = line
		return nil
	})
	if dup != nil {
		return dup
	}
	if err != nil && !errors.Is(err, errStop) {
		return err
	}
	return nil // the repeated hashes were collisions of different IDs
}

func (s *idSet) close() { _ = s.set.Close() }

// fileInventory streams devices from a JSON-lines or CSV side file. Each
// Devices call re-opens the file; ID uniqueness is checked until one pass
// has completed without error.
type fileInventory struct {
	path    string // to open
	name    string // in messages
	format  string // jsonl or csv
	rules   *deviceRules
	columns map[string]string // CSV header -> iotguard column

	mu       sync.Mutex
	verified bool
}

// Devices implements engine.Inventory. The device passed to fn is reused
// for the next line: fn must not keep it.
func (f *fileInventory) Devices(ctx context.Context, fn func(d *model.Device) error) error {
	f.mu.Lock()
	verified := f.verified
	f.mu.Unlock()
	var ids *idSet
	if !verified {
		ids = newIDSet(func(fn func(line int, d *model.Device) error) error { return f.stream(ctx, nil, fn) })
	}
	err := f.stream(ctx, ids, func(_ int, d *model.Device) error { return fn(d) })
	if err == nil && !verified {
		f.mu.Lock()
		f.verified = true
		f.mu.Unlock()
	}
	return err
}

// DevicesParallel implements engine.ParallelInventory: the devices of a
// JSON-lines file are decoded, validated and handed to fn on the decoding
// goroutines, in no particular order; with transient, decoded without
// copying, valid only until fn returns. Errors are those of Devices, and
// the first in file order: the workers hash the IDs, and the hashes are
// counted in file order, as Devices counts the IDs. A CSV file, or a
// machine with one core, gets Devices, on worker 0.
func (f *fileInventory) DevicesParallel(ctx context.Context, transient bool, fn func(worker int, d *model.Device) error) error {
	if f.format == "csv" || decodeWorkers() < 2 {
		return f.Devices(ctx, func(d *model.Device) error { return fn(0, d) })
	}
	f.mu.Lock()
	verified := f.verified
	f.mu.Unlock()
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("open devices file: %w", err)
	}
	defer file.Close()
	s := &streamer{ctx: ctx, name: f.name, rules: f.rules, work: fn, transient: transient}
	if !verified {
		s.ids = newIDSet(func(fn func(line int, d *model.Device) error) error { return f.stream(ctx, nil, fn) })
		defer s.ids.close()
	}
	err = s.jsonlParallel(file, decodeWorkers())
	if err == nil && s.ids != nil {
		err = s.ids.check(f.name)
	}
	if err == nil && !verified {
		f.mu.Lock()
		f.verified = true
		f.mu.Unlock()
	}
	return err
}

// Workers implements engine.ParallelInventory.
func (f *fileInventory) Workers() int { return decodeWorkers() }

func (f *fileInventory) stream(ctx context.Context, ids *idSet, fn func(line int, d *model.Device) error) error {
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("open devices file: %w", err)
	}
	defer file.Close()
	return streamDevicesWith(ctx, file, f.name, f.format, f.rules, ids, fn, f.columns)
}

var errStop = errors.New("stop")

// streamDevices decodes devices from r in the given format, validates each
// and calls fn with its line. ids, when not nil, detects duplicate IDs.
func streamDevices(ctx context.Context, r io.Reader, name, format string, rules *deviceRules, ids *idSet, fn func(line int, d *model.Device) error) error {
	return streamDevicesWith(ctx, r, name, format, rules, ids, fn, nil)
}

// streamDevicesWith is streamDevices with a CSV column mapping: header
// names of another tool's export mapped to iotguard's column names.
func streamDevicesWith(ctx context.Context, r io.Reader, name, format string, rules *deviceRules, ids *idSet, fn func(line int, d *model.Device) error, columns map[string]string) error {
	s := &streamer{ctx: ctx, name: name, rules: rules, ids: ids, fn: fn, columns: columns}
	var err error
	switch {
	case format == "csv":
		err = s.csv(r)
	case decodeWorkers() > 1:
		err = s.jsonlParallel(r, decodeWorkers())
	default:
		err = s.jsonl(r)
	}
	if ids != nil {
		defer ids.close()
		if err == nil {
			err = ids.check(name)
		}
	}
	return err
}

// streamer holds the state of one pass over a side file.
type streamer struct {
	columns map[string]string
	ctx     context.Context
	name    string
	rules   *deviceRules
	ids     *idSet
	fn      func(line int, d *model.Device) error
	// work, when set, replaces fn in a parallel pass: it is called on the
	// decoding goroutine (numbered from 0) with each valid device.
	work func(worker int, d *model.Device) error
	// transient devices are decoded with dd, without copying (see
	// model.DeviceDecoder): valid only until work returns.
	transient bool
	dd        model.DeviceDecoder
	d         model.Device

	rd bytes.Reader // reused for each JSON line
}

// emit validates the decoded device and hands it on.
func (s *streamer) emit(line int) error { return s.emitDevice(line, &s.d) }

// emitDevice validates d and hands it on.
func (s *streamer) emitDevice(line int, d *model.Device) error {
	if ps := s.rules.check(d); ps != nil {
		return inputErr(s.name, line, 0, ps[0].field, "%s", ps[0].msg)
	}
	if s.ids != nil {
		if err := s.ids.add(d.ID); err != nil {
			return fmt.Errorf("read %s: %w", s.name, err)
		}
	}
	return s.fn(line, d)
}
