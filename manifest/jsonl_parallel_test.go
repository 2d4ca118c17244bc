package manifest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
)

// TestParallelDecodingMatchesSequential streams the same files through
// the sequential and the parallel JSON lines readers: the same devices in
// the same order, and the same first error at the same line.
func TestParallelDecodingMatchesSequential(t *testing.T) {
	var good strings.Builder
	good.WriteString("\ufeff")
	for i := 0; i < 2000; i++ {
		if i%97 == 0 {
			good.WriteString("\n   \n") // blank lines keep their numbers
		}
		fmt.Fprintf(&good, `{"id":"d%d","model":"cam","lifecycle":"active","last_seen":"2026-03-01T10:00:00Z","ports":[{"port":%d,"protocol":"tcp"}]}`+"\n", i, 1+i%1000)
	}
	files := map[string]string{
		"good":      good.String(),
		"bad json":  strings.Replace(good.String(), `{"id":"d1500"`, `{"id":"d1500",,`, 1),
		"bad field": strings.Replace(good.String(), `{"id":"d700"`, `{"idd":"x","id":"d700"`, 1),
		"duplicate": strings.Replace(good.String(), `{"id":"d1800"`, `{"id":"d3"`, 1),
		"bad model": strings.Replace(good.String(), `{"id":"d900","model":"cam"`, `{"id":"d900","model":"camm"`, 1),
		"too long":  good.String() + `{"id":"x","model":"cam","serial":"` + strings.Repeat("a", MaxLineSize) + `"}` + "\n",
	}
	rules := newDeviceRules(&model.Solution{Models: []model.DeviceModel{{ID: "cam"}}})
	run := func(content string, parallel bool) ([]string, string) {
		var got []string
		s := &streamer{ctx: context.Background(), name: "d.jsonl", rules: rules, ids: idsFor([]byte(content), "d.jsonl", "jsonl", rules),
			fn: func(line int, d *model.Device) error {
				got = append(got, fmt.Sprintf("%d:%s:%d:%s", line, d.ID, d.Ports[0].Port, d.LastSeen))
				return nil
			}}
		var err error
		if parallel {
			err = s.jsonlParallel(strings.NewReader(content), 3)
		} else {
			err = s.jsonl(strings.NewReader(content))
		}
		if err == nil {
			err = s.ids.check("d.jsonl")
		}
		s.ids.close()
		msg := ""
		if err != nil {
			msg = err.Error()
		}
		return got, msg
	}
	// In a parallel pass (work set: decoded, validated and handed on by
	// the decoding goroutines) every device arrives, in some order, and
	// the error is the first in file order, as the sequential reader's.
	work := func(content string, transient bool) ([]string, string) {
		var mu sync.Mutex
		var got []string
		s := &streamer{ctx: context.Background(), name: "d.jsonl", rules: rules, ids: idsFor([]byte(content), "d.jsonl", "jsonl", rules), transient: transient,
			work: func(w int, d *model.Device) error {
				if w < 0 || w >= 3 {
					t.Errorf("worker %d of 3", w)
				}
				mu.Lock()
				defer mu.Unlock()
				got = append(got, fmt.Sprintf("%s:%d:%s", d.ID, d.Ports[0].Port, d.LastSeen))
				return nil
			}}
		err := s.jsonlParallel(strings.NewReader(content), 3)
		if err == nil {
			err = s.ids.check("d.jsonl")
		}
		s.ids.close()
		slices.Sort(got)
		if err != nil {
			return got, err.Error()
		}
		return got, ""
	}
	for name, content := range files {
		seqDevs, seqErr := run(content, false)
		parDevs, parErr := work(content, false)
		trDevs, trErr := work(content, true)
		if parErr != trErr {
			t.Errorf("%s: transient decoding fails otherwise:\n copied    %q\n transient %q", name, parErr, trErr)
		}
		// Which devices a failing pass hands on before it stops depends on
		// the workers' timing; a pass that succeeds hands on all of them.
		if diff := cmp.Diff(parDevs, trDevs); parErr == "" && diff != "" {
			t.Errorf("%s: transient decoding differs (-copied +transient):\n%s", name, diff)
		}
		if seqErr != parErr {
			t.Errorf("%s, parallel pass: errors differ:\n sequential %q\n parallel   %q", name, seqErr, parErr)
		}
		if seqErr == "" {
			var want []string
			for _, d := range seqDevs {
				want = append(want, d[strings.IndexByte(d, ':')+1:])
			}
			slices.Sort(want)
			if diff := cmp.Diff(want, parDevs); diff != "" {
				t.Errorf("%s, parallel pass: devices differ (-sequential +parallel):\n%s", name, diff)
			}
		}
	}
	for name, content := range files {
		seqDevs, seqErr := run(content, false)
		parDevs, parErr := run(content, true)
		if diff := cmp.Diff(seqDevs, parDevs); diff != "" {
			t.Errorf("%s: devices differ (-sequential +parallel):\n%s", name, diff)
		}
		if seqErr != parErr {
			t.Errorf("%s: errors differ:\n sequential %q\n parallel   %q", name, seqErr, parErr)
		}
		if name == "good" && (seqErr != "" || len(seqDevs) != 2000) {
			t.Errorf("good file: %d devices, error %q", len(seqDevs), seqErr)
		}
		if name != "good" && seqErr == "" {
			t.Errorf("%s: no error", name)
		}
	}
}

// A file inventory hands its devices out in parallel from the first pass,
// which also checks that IDs are unique, as Devices does.
func TestDevicesParallel(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&b, `{"id":"d%d","model":"cam"}`+"\n", i)
	}
	write := func(name, content string) *fileInventory {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		l := &Loaded{Solution: &model.Solution{Models: []model.DeviceModel{{ID: "cam"}}}}
		if err := l.UseDevicesFile(path, nil); err != nil {
			t.Fatal(err)
		}
		return l.Inventory.(*fileInventory)
	}
	pass := func(inv *fileInventory) (workers map[int]int, ids []string, err error) {
		var mu sync.Mutex
		workers = map[int]int{}
		err = inv.DevicesParallel(context.Background(), false, func(w int, d *model.Device) error {
			mu.Lock()
			defer mu.Unlock()
			workers[w]++
			ids = append(ids, d.ID)
			return nil
		})
		slices.Sort(ids)
		return workers, ids, err
	}
	inv := write("devices.jsonl", b.String())
	var seen []string
	for i := 0; i < 2; i++ { // unverified, then verified
		workers, ids, err := pass(inv)
		if err != nil {
			t.Fatal(err)
		}
		total := 0
		for w, n := range workers {
			if w < 0 || w >= inv.Workers() {
				t.Errorf("worker %d outside 0..%d", w, inv.Workers()-1)
			}
			total += n
		}
		if total != 1500 {
			t.Errorf("pass %d: %d devices, want 1500", i+1, total)
		}
		if seen != nil {
			if diff := cmp.Diff(seen, ids); diff != "" {
				t.Errorf("the two passes saw different devices:\n%s", diff)
			}
		}
		seen = ids
	}

	dup := write("dup.jsonl", strings.Replace(b.String(), `{"id":"d1400"`, `{"id":"d2"`, 1))
	var want error
	if err := dup.Devices(context.Background(), func(*model.Device) error { return nil }); err != nil {
		want = err
	}
	_, _, err := pass(write("dup2.jsonl", strings.Replace(b.String(), `{"id":"d1400"`, `{"id":"d2"`, 1)))
	if want == nil || err == nil || strings.ReplaceAll(err.Error(), "dup2", "dup") != want.Error() {
		t.Errorf("duplicate ID: parallel error %v, want %v", err, want)
	}
}

// Cancelling a parallel pass stops it: DevicesParallel returns the
// context's error, and fn is not called once it has returned.
func TestDevicesParallelCancel(t *testing.T) {
	const n = 20000
	l := loadWith(t, "devices: {file: devices.jsonl}\n", map[string]string{"devices.jsonl": bigJSONL(n)})
	inv := l.Inventory.(*fileInventory)
	for _, verified := range []bool{false, true} {
		if verified {
			if _, err := l.Validate(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel := context.WithCancel(context.Background())
		var seen atomic.Int64
		var returned atomic.Bool
		err := inv.DevicesParallel(ctx, true, func(int, *model.Device) error {
			if returned.Load() {
				t.Error("fn called after DevicesParallel returned")
			}
			if seen.Add(1) == 100 {
				cancel()
			}
			return nil
		})
		returned.Store(true)
		if !errors.Is(err, context.Canceled) || seen.Load() >= n {
			t.Errorf("verified %v: after cancel: %v, %d of %d devices", verified, err, seen.Load(), n)
		}
		cancel()
	}
}
