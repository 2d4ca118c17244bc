package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/iotguard/iotguard/apiclient"
	"github.com/iotguard/iotguard/fleetgen"
	"github.com/iotguard/iotguard/model"
)

// filter is one filtered-list query; every one also asks for
// lifecycle=active and sort=-last_seen.
type filter struct {
	Model, Zone string
}

// fleet is what the load needs to know about the stored devices: their
// IDs (detail requests), the values filters can take, and how many
// devices each filter must find (checked against the server's total).
type fleet struct {
	ids []string
	// active holds, per active device, its model and zone as indexes
	// into models and zones: filters are drawn from real devices, so
	// none is empty.
	active []struct{ model, zone uint16 }
	models []string
	zones  []string
	// expect is the number of active devices matching each filter.
	expect map[filter]int
}

func newFleet(n int) *fleet {
	return &fleet{ids: make([]string, 0, n), expect: map[filter]int{}}
}

// add records one device as it is imported.
func (f *fleet) add(d *model.Device) error {
	f.ids = append(f.ids, d.ID)
	if d.Lifecycle != model.Active {
		return nil
	}
	mi, err := index(&f.models, d.Model)
	if err != nil {
		return err
	}
	zi, err := index(&f.zones, d.Zone)
	if err != nil {
		return err
	}
	f.active = append(f.active, struct{ model, zone uint16 }{mi, zi})
	f.expect[filter{Model: d.Model}]++
	f.expect[filter{Zone: d.Zone}]++
	f.expect[filter{Model: d.Model, Zone: d.Zone}]++
	return nil
}

// index returns v's position in *names, appending it when new. fleetgen
// has a few dozen models and a few zones per site, far below 65536.
func index(names *[]string, v string) (uint16, error) {
	for i, s := range *names {
		if s == v {
			return uint16(i), nil
		}
	}
	if len(*names) >= 1<<16 {
		return 0, fmt.Errorf("more than 65536 distinct values of a device field")
	}
	*names = append(*names, v)
	return uint16(len(*names) - 1), nil
}

// randomFilter draws a filter from a random active device: by model, by
// zone, or by both.
func (f *fleet) randomFilter(r *rand.Rand) filter {
	d := f.active[r.IntN(len(f.active))]
	switch r.IntN(3) {
	case 0:
		return filter{Model: f.models[d.model]}
	case 1:
		return filter{Zone: f.zones[d.zone]}
	default:
		return filter{Model: f.models[d.model], Zone: f.zones[d.zone]}
	}
}

// importResult is the import phase.
type importResult struct {
	Devices       int     `json:"devices"`
	Seconds       float64 `json:"seconds"`
	DevicesPerSec float64 `json:"devices_per_sec"`
}

// importFleet streams n fleetgen devices to the server as JSON lines in
// one request (the server stores them in transactions of 1000) and
// indexes them on the way.
func importFleet(ctx context.Context, c *apiclient.Client, tenant, solution string, n int, seed uint64) (*fleet, importResult, error) {
	g, err := fleetgen.New(fleetgen.Options{Devices: n, Seed: seed})
	if err != nil {
		return nil, importResult{}, err
	}
	f := newFleet(n)
	var (
		i       int
		addErr  error
		genDone = make(chan struct{})
	)
	next := func() (model.Device, bool) {
		if i == n || addErr != nil {
			close(genDone)
			return model.Device{}, false
		}
		d := g.Device(i)
		i++
		addErr = f.add(&d)
		return d, true
	}
	start := time.Now()
	got, err := c.ImportDeviceList(ctx, tenant, solution, next)
	elapsed := time.Since(start)
	if err != nil {
		return nil, importResult{}, fmt.Errorf("importing %d devices: %w", n, err)
	}
	// The generator runs in the client's writer goroutine; the server
	// answers only after reading the body to its end, but wait for the
	// goroutine explicitly before reading what it built.
	<-genDone
	if addErr != nil {
		return nil, importResult{}, addErr
	}
	if got != n {
		return nil, importResult{}, fmt.Errorf("the server imported %d devices, not %d", got, n)
	}
	return f, importResult{Devices: n, Seconds: elapsed.Seconds(), DevicesPerSec: float64(n) / elapsed.Seconds()}, nil
}

// walkResult is the unmeasured walk over the whole list that checks what
// was stored and collects the cursors the list load starts from.
type walkResult struct {
	Pages   int     `json:"pages"`
	Seconds float64 `json:"seconds"`
}

// walkAll pages through the whole device list (sorted by ID, 100 a page)
// and checks that it holds exactly the imported devices, in ID order. The
// cursors it returns let the list load start walking at random pages
// instead of every connection reading page 1.
func walkAll(ctx context.Context, c *apiclient.Client, tenant, solution string, f *fleet) ([]string, walkResult, error) {
	want := make(map[string]bool, len(f.ids))
	for _, id := range f.ids {
		want[id] = true
	}
	total := len(want)
	cursors := []string{""}
	start := time.Now()
	seen, prev := 0, ""
	q := apiclient.DeviceQuery{Limit: 100}
	for {
		p, err := c.ListDevices(ctx, tenant, solution, q)
		if err != nil {
			return nil, walkResult{}, fmt.Errorf("walking the device list after %d devices: %w", seen, err)
		}
		if p.Total != total {
			return nil, walkResult{}, fmt.Errorf("the device list says total %d, %d were imported", p.Total, total)
		}
		for _, d := range p.Items {
			if !want[d.ID] {
				return nil, walkResult{}, fmt.Errorf("the device list returned %q, which was not imported (or twice)", d.ID)
			}
			if d.ID <= prev {
				return nil, walkResult{}, fmt.Errorf("the device list is not in ID order: %q after %q", d.ID, prev)
			}
			delete(want, d.ID)
			prev = d.ID
			seen++
		}
		if p.Next == "" {
			break
		}
		cursors = append(cursors, p.Next)
		q.Cursor = p.Next
	}
	if len(want) > 0 {
		return nil, walkResult{}, fmt.Errorf("the device list misses %d imported devices", len(want))
	}
	return cursors, walkResult{Pages: len(cursors), Seconds: time.Since(start).Seconds()}, nil
}
