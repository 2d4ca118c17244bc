package storetest

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

func testSolutions(t *testing.T, b Backend) {
	e := newEnv(t, b)
	got, err := e.a.GetSolution(ctx, "plant")
	must(t, err)
	if got.Name != "Plant A" || got.Devices != 0 || !got.CreatedAt.Equal(e.clock.Now()) {
		t.Errorf("GetSolution = %+v", got)
	}
	gotB, err := e.b.GetSolution(ctx, "plant")
	must(t, err)
	if gotB.Name != "Plant B" {
		t.Errorf("tenant B's solution with the same ID = %+v", gotB)
	}
	for _, tc := range []struct {
		name string
		s    store.Solution
		want error
	}{
		{"duplicate", store.Solution{ID: "plant", Name: "again"}, store.ErrConflict},
		{"no name", store.Solution{ID: "x"}, store.ErrInvalid},
		{"bad ID", store.Solution{ID: "a/b", Name: "x"}, store.ErrInvalid},
		{"long description", store.Solution{Name: "x", Description: strings.Repeat("d", 5000)}, store.ErrInvalid},
	} {
		_, err := e.a.CreateSolution(ctx, e.by, tc.s)
		wantErr(t, tc.name, err, tc.want)
	}
	_, err = e.st.Tenant("nope").CreateSolution(ctx, e.by, store.Solution{Name: "x"})
	wantErr(t, "solution of an unknown tenant", err, store.ErrNotFound)
	_, err = e.a.GetSolution(ctx, "nope")
	wantErr(t, "unknown solution", err, store.ErrNotFound)

	var want []string
	want = append(want, "plant")
	for i := 0; i < 7; i++ {
		s, err := e.a.CreateSolution(ctx, e.by, store.Solution{Name: fmt.Sprintf("generated %d", i), Description: "d"})
		must(t, err)
		want = append(want, s.ID)
	}
	slices.Sort(want)
	all := collect(t, 3, func(p store.Page) ([]store.Solution, string, error) { return e.a.ListSolutions(ctx, p) })
	var ids []string
	for _, s := range all {
		ids = append(ids, s.ID)
	}
	if diff := gocmp.Diff(want, ids); diff != "" {
		t.Errorf("ListSolutions IDs (-want +got):\n%s", diff)
	}
	_, _, err = e.a.ListSolutions(ctx, store.Page{Limit: 1001})
	wantErr(t, "limit 1001", err, store.ErrInvalid)
	_, _, err = e.a.ListSolutions(ctx, store.Page{Limit: -1})
	wantErr(t, "limit -1", err, store.ErrInvalid)
	_, _, err = e.a.ListSolutions(ctx, store.Page{After: "garbage!"})
	wantErr(t, "garbage cursor", err, store.ErrInvalid)
	defaultPage, _, err := e.a.ListSolutions(ctx, store.Page{})
	must(t, err)
	if len(defaultPage) != 8 {
		t.Errorf("default page has %d solutions, want 8", len(defaultPage))
	}
}

// device makes a test device; its fields cycle so filters and sorts have
// something to do. Times are whole seconds: model.Timestamp keeps seconds.
func device(i int) model.Device {
	d := model.Device{
		ID:        "dev-" + name(i),
		Serial:    "SN" + name(i*7%10000),
		Model:     []string{"cam-a", "cam-b", "sensor-x"}[i%3],
		Firmware:  "1.0." + fmt.Sprint(i%4),
		Hostname:  "host-" + name(i),
		Lifecycle: []model.Lifecycle{model.Active, model.Active, model.Provisioned, model.Decommissioned}[i%4],
		Site:      []string{"north", "south"}[i%2],
		Zone:      "z" + fmt.Sprint(i%5),
		Settings:  map[string]bool{"telnet": i%2 == 0},
		Ports:     []model.Port{{Port: 443, Protocol: "tcp", Service: "https", TLS: true}},
	}
	if i%6 != 0 {
		d.LastSeen = model.Timestamp{Time: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i*37%1000) * time.Minute)}
	}
	return d
}

// stream feeds devices to ImportDevices.
func stream(devs []model.Device) func() (model.Device, bool, error) {
	i := 0
	return func() (model.Device, bool, error) {
		if i == len(devs) {
			return model.Device{}, false, nil
		}
		i++
		return devs[i-1], true, nil
	}
}

func devices(from, to int) []model.Device {
	var out []model.Device
	for i := from; i < to; i++ {
		out = append(out, device(i))
	}
	return out
}

func testDevices(t *testing.T, b Backend) {
	e := newEnv(t, b)
	n, err := e.a.ImportDevices(ctx, e.by, "plant", stream(devices(0, 2345)), 1000)
	must(t, err)
	if n != 2345 {
		t.Errorf("imported %d, want 2345", n)
	}
	sol, err := e.a.GetSolution(ctx, "plant")
	must(t, err)
	if sol.Devices != 2345 {
		t.Errorf("solution counts %d devices, want 2345", sol.Devices)
	}
	got, err := e.a.GetDevice(ctx, "plant", "dev-00007")
	must(t, err)
	if diff := gocmp.Diff(device(7), got); diff != "" {
		t.Errorf("GetDevice (-imported +got):\n%s", diff)
	}

	// Re-import overlapping devices (updated) and new ones; a repeated ID
	// within a batch keeps its last version.
	again := devices(2300, 2400)
	for i := range again {
		again[i].Firmware = "2.0.0"
	}
	dup := device(2399)
	dup.Firmware = "3.0.0"
	again = append(again, dup)
	n, err = e.a.ImportDevices(ctx, e.by, "plant", stream(again), 0)
	must(t, err)
	if n != 101 {
		t.Errorf("re-import returned %d, want 101", n)
	}
	sol, err = e.a.GetSolution(ctx, "plant")
	must(t, err)
	if sol.Devices != 2400 {
		t.Errorf("solution counts %d devices after re-import, want 2400", sol.Devices)
	}
	got, err = e.a.GetDevice(ctx, "plant", "dev-02300")
	must(t, err)
	if got.Firmware != "2.0.0" {
		t.Errorf("updated device firmware = %q", got.Firmware)
	}
	got, err = e.a.GetDevice(ctx, "plant", "dev-02399")
	must(t, err)
	if got.Firmware != "3.0.0" {
		t.Errorf("device repeated in a batch has firmware %q, want the last one", got.Firmware)
	}

	// A bad device stops the import; the batches before it stay whole.
	bad := devices(5000, 5015)
	bad[12].Lifecycle = "exploded"
	n, err = e.a.ImportDevices(ctx, e.by, "plant", stream(bad), 5)
	wantErr(t, "bad lifecycle", err, store.ErrInvalid)
	if n != 10 {
		t.Errorf("import with a bad 13th device stored %d, want the 2 whole batches (10)", n)
	}
	_, err = e.a.GetDevice(ctx, "plant", "dev-05010")
	wantErr(t, "device of the failed batch", err, store.ErrNotFound)
	boom := errors.New("boom")
	n, err = e.a.ImportDevices(ctx, e.by, "plant", func() (model.Device, bool, error) { return model.Device{}, false, boom }, 5)
	if !errors.Is(err, boom) || n != 0 {
		t.Errorf("stream error: n=%d err=%v", n, err)
	}
	for _, tc := range []struct {
		name  string
		d     model.Device
		batch int
		want  error
	}{
		{"empty ID", model.Device{}, 10, store.ErrInvalid},
		{"control character in ID", model.Device{ID: "a\nb"}, 10, store.ErrInvalid},
		{"batch too large", device(1), 10001, store.ErrInvalid},
		{"negative batch", device(1), -1, store.ErrInvalid},
	} {
		_, err := e.a.ImportDevices(ctx, e.by, "plant", stream([]model.Device{tc.d}), tc.batch)
		wantErr(t, tc.name, err, tc.want)
	}
	_, err = e.a.ImportDevices(ctx, e.by, "nope", stream(devices(0, 1)), 10)
	wantErr(t, "unknown solution", err, store.ErrNotFound)
	_, err = e.a.GetDevice(ctx, "plant", "nope")
	wantErr(t, "unknown device", err, store.ErrNotFound)

	// One audit record per committed batch: 3 + 1 + 2.
	var imports int
	for _, a := range actions(t, e.st, e.ta) {
		if a == "device.import" {
			imports++
		}
	}
	if imports != 6 {
		t.Errorf("%d device.import records, want 6 (one per batch)", imports)
	}
	verifyOK(t, e.st)
}

func testDeviceListing(t *testing.T, b Backend) {
	e := newEnv(t, b)
	all := devices(0, 257)
	_, err := e.a.ImportDevices(ctx, e.by, "plant", stream(all), 100)
	must(t, err)

	key := map[string]func(d model.Device) (string, int64){
		"id":        func(d model.Device) (string, int64) { return "", 0 },
		"model":     func(d model.Device) (string, int64) { return d.Model, 0 },
		"last_seen": func(d model.Device) (string, int64) { return "", lastSeen(d) },
	}
	filters := []struct {
		name string
		q    store.DeviceQuery
		keep func(d model.Device) bool
	}{
		{"all", store.DeviceQuery{}, func(model.Device) bool { return true }},
		{"model", store.DeviceQuery{Model: "cam-b"}, func(d model.Device) bool { return d.Model == "cam-b" }},
		{"zone and site", store.DeviceQuery{Zone: "z2", Site: "south"}, func(d model.Device) bool { return d.Zone == "z2" && d.Site == "south" }},
		{"lifecycle", store.DeviceQuery{Lifecycle: model.Decommissioned}, func(d model.Device) bool { return d.Lifecycle == model.Decommissioned }},
		{"search ID prefix", store.DeviceQuery{Search: "dev-001"}, func(d model.Device) bool { return strings.HasPrefix(d.ID, "dev-001") }},
		{"search serial prefix", store.DeviceQuery{Search: "SN000"}, func(d model.Device) bool { return strings.HasPrefix(d.Serial, "SN000") }},
		{"search hostname prefix", store.DeviceQuery{Search: "host-0002"}, func(d model.Device) bool { return strings.HasPrefix(d.Hostname, "host-0002") }},
		{"search is case-sensitive", store.DeviceQuery{Search: "DEV-"}, func(model.Device) bool { return false }},
		{"no match", store.DeviceQuery{Model: "nope"}, func(model.Device) bool { return false }},
	}
	for _, sortName := range []string{"", "id", "-id", "model", "-model", "last_seen", "-last_seen"} {
		for _, f := range filters {
			t.Run(f.name+"/sort="+sortName, func(t *testing.T) {
				var want []string
				var kept []model.Device
				for _, d := range all {
					if f.keep(d) {
						kept = append(kept, d)
					}
				}
				base := strings.TrimPrefix(sortName, "-")
				if base == "" {
					base = "id"
				}
				k := key[base]
				slices.SortFunc(kept, func(x, y model.Device) int {
					xs, xn := k(x)
					ys, yn := k(y)
					c := cmp.Or(strings.Compare(xs, ys), cmp.Compare(xn, yn), strings.Compare(x.ID, y.ID))
					if strings.HasPrefix(sortName, "-") {
						return -c
					}
					return c
				})
				for _, d := range kept {
					want = append(want, d.ID)
				}
				q := f.q
				q.Sort = sortName
				var got []string
				pages := 0
				q.Limit = 20
				for {
					page, err := e.a.ListDevices(ctx, "plant", q)
					must(t, err)
					if page.Total != len(want) {
						t.Fatalf("Total = %d, want %d", page.Total, len(want))
					}
					for _, d := range page.Devices {
						got = append(got, d.ID)
					}
					pages++
					if page.Next == "" {
						break
					}
					if len(page.Devices) != 20 {
						t.Fatalf("a page with a next cursor has %d devices", len(page.Devices))
					}
					q.After = page.Next
				}
				if diff := gocmp.Diff(want, got); diff != "" {
					t.Errorf("device IDs over %d pages (-want +got):\n%s", pages, diff)
				}
			})
		}
	}

	page, err := e.a.ListDevices(ctx, "plant", store.DeviceQuery{Page: store.Page{Limit: 1}, Sort: "model"})
	must(t, err)
	if diff := gocmp.Diff(device(0), page.Devices[0]); diff != "" {
		t.Errorf("listed device (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		name string
		q    store.DeviceQuery
	}{
		{"unknown sort", store.DeviceQuery{Sort: "serial"}},
		{"unknown lifecycle", store.DeviceQuery{Lifecycle: "exploded"}},
		{"cursor of another sort", store.DeviceQuery{Sort: "id", Page: store.Page{After: page.Next}}},
		{"limit too large", store.DeviceQuery{Page: store.Page{Limit: 5000}}},
	} {
		_, err := e.a.ListDevices(ctx, "plant", tc.q)
		wantErr(t, tc.name, err, store.ErrInvalid)
	}
	_, err = e.a.ListDevices(ctx, "nope", store.DeviceQuery{})
	wantErr(t, "unknown solution", err, store.ErrNotFound)
	empty, err := e.b.ListDevices(ctx, "plant", store.DeviceQuery{})
	must(t, err)
	if empty.Total != 0 || len(empty.Devices) != 0 || empty.Next != "" {
		t.Errorf("tenant B's solution of the same ID lists %+v", empty)
	}
}

func lastSeen(d model.Device) int64 {
	if d.LastSeen.IsZero() {
		return 0
	}
	return d.LastSeen.UnixMicro()
}

// pngHeader is the start of a PNG file: sniffing must say image/png
// whatever name or type the client claims.
var pngHeader = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00")

func testEvidence(t *testing.T, b Backend) {
	e := newEnv(t, b)
	pdf := []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")
	m, err := e.a.PutEvidence(ctx, e.by, "../../reports/pen-test.pdf", bytes.NewReader(pdf), 1<<20)
	must(t, err)
	want := store.EvidenceMeta{
		SHA256: fmt.Sprintf("%x", hashOf(string(pdf))), Name: "pen-test.pdf", Size: int64(len(pdf)),
		MediaType: "application/pdf", UploadedBy: e.user.ID, UploadedAt: e.clock.Now(),
	}
	if diff := gocmp.Diff(want, m); diff != "" {
		t.Errorf("PutEvidence (-want +got):\n%s", diff)
	}
	e.clock.Advance(time.Second)
	again, err := e.a.PutEvidence(ctx, e.by, "copy.pdf", bytes.NewReader(pdf), 1<<20)
	must(t, err)
	if diff := gocmp.Diff(want, again); diff != "" {
		t.Errorf("the same content again is deduplicated (-want +got):\n%s", diff)
	}
	meta, rc, err := e.a.GetEvidence(ctx, strings.ToUpper(m.SHA256))
	must(t, err)
	content, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(content, pdf) {
		t.Errorf("GetEvidence content = %q", content)
	}
	if diff := gocmp.Diff(want, meta); diff != "" {
		t.Errorf("GetEvidence (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name, file string
		data       []byte
		want       string
	}{
		{"png named .txt", "notes.txt", pngHeader, "image/png"},
		{"html named .pdf", "report.pdf", []byte("<!DOCTYPE html><html><script>alert(1)</script></html>"), "text/html; charset=utf-8"},
		{"text", "log.txt", []byte("plain words\n"), "text/plain; charset=utf-8"},
		{"binary", "blob", []byte{0, 1, 2, 3, 0xff}, "application/octet-stream"},
	} {
		e.clock.Advance(time.Second)
		m, err := e.a.PutEvidence(ctx, e.by, tc.file, bytes.NewReader(tc.data), 1<<20)
		must(t, err)
		if m.MediaType != tc.want {
			t.Errorf("%s: media type %q, want %q", tc.name, m.MediaType, tc.want)
		}
	}

	exact := bytes.Repeat([]byte("a"), 100)
	_, err = e.a.PutEvidence(ctx, e.by, "exact", bytes.NewReader(exact), 100)
	must(t, err)
	_, err = e.a.PutEvidence(ctx, e.by, "big", bytes.NewReader(append(exact, 'b')), 100)
	wantErr(t, "one byte over the limit", err, store.ErrTooLarge)
	_, err = e.a.PutEvidence(ctx, e.by, "empty", bytes.NewReader(nil), 100)
	wantErr(t, "empty file", err, store.ErrInvalid)
	_, _, err = e.a.GetEvidence(ctx, fmt.Sprintf("%x", hashOf("nothing")))
	wantErr(t, "unknown digest", err, store.ErrNotFound)
	_, _, err = e.a.GetEvidence(ctx, "../etc/passwd")
	wantErr(t, "malformed digest", err, store.ErrInvalid)

	list := collect(t, 2, func(p store.Page) ([]store.EvidenceMeta, string, error) { return e.a.ListEvidence(ctx, p) })
	if len(list) != 6 {
		t.Fatalf("ListEvidence has %d files, want 6", len(list))
	}
	if list[len(list)-1].SHA256 != m.SHA256 {
		t.Errorf("ListEvidence is not newest first: last is %s", list[len(list)-1].Name)
	}
	for i := 1; i < len(list); i++ {
		if list[i].UploadedAt.After(list[i-1].UploadedAt) {
			t.Errorf("ListEvidence out of order at %d", i)
		}
	}
	var uploads int
	for _, a := range actions(t, e.st, e.ta) {
		if a == "evidence.upload" {
			uploads++
		}
	}
	if uploads != 6 {
		t.Errorf("%d evidence.upload records, want 6 (none for the duplicate)", uploads)
	}
	verifyOK(t, e.st)
}
