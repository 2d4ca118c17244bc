package manifest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
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
	work := func(content string) ([]string, string) {
		var mu sync.Mutex
		var got []string
		s := &streamer{ctx: context.Background(), name: "d.jsonl", rules: rules,
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
		slices.Sort(got)
		if err != nil {
			return got, err.Error()
		}
		return got, ""
	}
	for name, content := range files {
		if name == "duplicate" {
			continue // a parallel pass follows a pass that checked IDs
		}
		seqDevs, seqErr := run(content, false)
		parDevs, parErr := work(content)
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

// A file inventory checks each device's ID in its first pass; only a
// verified file is handed out in parallel, and CSV never is.
func TestDevicesParallelAfterVerification(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 1500; i++ {
		fmt.Fprintf(&b, `{"id":"d%d","model":"cam"}`+"\n", i)
	}
	path := filepath.Join(dir, "devices.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	l := &Loaded{Solution: &model.Solution{Models: []model.DeviceModel{{ID: "cam"}}}}
	if err := l.UseDevicesFile(path, nil); err != nil {
		t.Fatal(err)
	}
	inv := l.Inventory.(*fileInventory)
	pass := func() (workers map[int]int, ids []string) {
		var mu sync.Mutex
		workers = map[int]int{}
		err := inv.DevicesParallel(context.Background(), func(w int, d *model.Device) error {
			mu.Lock()
			defer mu.Unlock()
			workers[w]++
			ids = append(ids, d.ID)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.Sort(ids)
		return workers, ids
	}
	first, ids1 := pass()
	if len(first) != 1 || first[0] != 1500 {
		t.Errorf("unverified file: devices per worker %v, want all 1500 on worker 0", first)
	}
	second, ids2 := pass()
	if decodeWorkers() > 1 && len(second) < 2 {
		t.Logf("verified file: devices per worker %v (one worker took them all)", second)
	}
	total := 0
	for w, n := range second {
		if w < 0 || w >= inv.Workers() {
			t.Errorf("worker %d outside 0..%d", w, inv.Workers()-1)
		}
		total += n
	}
	if total != 1500 {
		t.Errorf("verified file: %d devices, want 1500", total)
	}
	if diff := cmp.Diff(ids1, ids2); diff != "" {
		t.Errorf("the two passes saw different devices:\n%s", diff)
	}
}
