package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"sync"

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

// idSet detects duplicate device IDs in a stream with little memory: it
// keeps a 64-bit hash of each ID and the line it was on. A hash match is
// confirmed by reading the earlier line again (confirm), so a hash
// collision never reports a false duplicate.
type idSet struct {
	seed    maphash.Seed
	m       map[uint64]uint32
	confirm func(line int) (string, error)
}

func newIDSet(confirm func(line int) (string, error)) *idSet {
	return &idSet{seed: maphash.MakeSeed(), m: map[uint64]uint32{}, confirm: confirm}
}

// add records id at line; if id was seen before it returns that line.
func (s *idSet) add(id string, line int) (prev int, dup bool, err error) {
	h := maphash.String(s.seed, id)
	if p, ok := s.m[h]; ok {
		if s.confirm != nil {
			other, err := s.confirm(int(p))
			if err != nil {
				return 0, false, err
			}
			if other != id {
				return 0, false, nil // hash collision, not a duplicate
			}
		}
		return int(p), true, nil
	}
	if line > math.MaxUint32 {
		line = math.MaxUint32
	}
	s.m[h] = uint32(line)
	return 0, false, nil
}

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
		ids = newIDSet(f.idAt)
	}
	err := f.stream(ctx, ids, func(_ int, d *model.Device) error { return fn(d) })
	if err == nil && !verified {
		f.mu.Lock()
		f.verified = true
		f.mu.Unlock()
	}
	return err
}

func (f *fileInventory) stream(ctx context.Context, ids *idSet, fn func(line int, d *model.Device) error) error {
	file, err := os.Open(f.path)
	if err != nil {
		return fmt.Errorf("open devices file: %w", err)
	}
	defer file.Close()
	return streamDevicesWith(ctx, file, f.name, f.format, f.rules, ids, fn, f.columns)
}

var errStop = errors.New("stop")

// idAt re-reads the file to return the ID of the device on line.
func (f *fileInventory) idAt(line int) (string, error) {
	id := ""
	err := f.stream(context.Background(), nil, func(l int, d *model.Device) error {
		if l == line {
			id = d.ID
			return errStop
		}
		if l > line {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return "", err
	}
	return id, nil
}

// streamDevices decodes devices from r in the given format, validates each
// and calls fn with its line. ids, when not nil, detects duplicate IDs.
func streamDevices(ctx context.Context, r io.Reader, name, format string, rules *deviceRules, ids *idSet, fn func(line int, d *model.Device) error) error {
	return streamDevicesWith(ctx, r, name, format, rules, ids, fn, nil)
}

// streamDevicesWith is streamDevices with a CSV column mapping: header
// names of another tool's export mapped to iotguard's column names.
func streamDevicesWith(ctx context.Context, r io.Reader, name, format string, rules *deviceRules, ids *idSet, fn func(line int, d *model.Device) error, columns map[string]string) error {
	s := &streamer{ctx: ctx, name: name, rules: rules, ids: ids, fn: fn, columns: columns}
	switch {
	case format == "csv":
		return s.csv(r)
	case decodeWorkers() > 1:
		return s.jsonlParallel(r, decodeWorkers())
	default:
		return s.jsonl(r)
	}
}

// streamer holds the state of one pass over a side file.
type streamer struct {
	columns map[string]string
	ctx     context.Context
	name    string
	rules   *deviceRules
	ids     *idSet
	fn      func(line int, d *model.Device) error
	d       model.Device

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
		prev, dup, err := s.ids.add(d.ID, line)
		if err != nil {
			return err
		}
		if dup {
			return inputErr(s.name, line, 0, "id", "duplicate device id %s: line %d has it too; device ids must be unique across the inventory", q(d.ID), prev)
		}
	}
	return s.fn(line, d)
}
