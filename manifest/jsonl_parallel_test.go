package manifest

import (
	"context"
	"fmt"
	"strings"
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
