package sqlstore_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/sqlstore"
	"github.com/iotguard/iotguard/store"
)

// Environment of the helper process of the kill -9 test.
const (
	helperDSN = "IOTGUARD_HELPER_IMPORT_DSN"
	helperKey = "IOTGUARD_HELPER_IMPORT_KEY"
)

const (
	killDevices = 200000
	killBatch   = 1000
)

func killDevice(i int) model.Device {
	return model.Device{
		ID: fmt.Sprintf("dev-%06d", i), Serial: fmt.Sprintf("SN%06d", i), Model: []string{"cam-a", "cam-b", "sensor-x"}[i%3],
		Firmware: "1.2.3", Hostname: fmt.Sprintf("host-%06d", i), Lifecycle: model.Active, Site: "north", Zone: fmt.Sprintf("z%d", i%7),
		Settings: map[string]bool{"telnet": i%5 == 0},
	}
}

// TestHelperImport is not a test: it is the process TestKill9DuringImport
// starts and kills. It imports killDevices devices and reports each
// committed batch on stdout.
func TestHelperImport(t *testing.T) {
	dsn := os.Getenv(helperDSN)
	if dsn == "" {
		t.Skip("helper process of TestKill9DuringImport")
	}
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: os.Getenv(helperKey)})
	must(t, err)
	i := 0
	next := func() (model.Device, bool, error) {
		// Asking for the first device of a batch means the previous
		// batch has committed.
		if i > 0 && i%killBatch == 0 {
			fmt.Printf("committed %d\n", i/killBatch)
		}
		if i == killDevices {
			return model.Device{}, false, nil
		}
		i++
		return killDevice(i - 1), true, nil
	}
	_, err = st.Tenant("acme").ImportDevices(ctx, store.Actor{Name: "importer"}, "fleet", next, killBatch)
	must(t, err)
	fmt.Println("done")
	st.Close()
}

func TestKill9DuringImportSQLite(t *testing.T) {
	t.Parallel()
	testKill9(t, sqliteDSN(t))
}

func TestKill9DuringImportPostgres(t *testing.T) {
	t.Parallel()
	testKill9(t, postgresDSN(t))
}

// testKill9 starts an import of 200,000 devices in another process, kills
// it with SIGKILL after some batches have committed, and checks that only
// whole batches are stored, the audit chain verifies, and importing again
// continues cleanly.
func testKill9(t *testing.T, dsn string) {
	key := filepath.Join(t.TempDir(), "audit.key")
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: key})
	must(t, err)
	sys := store.Actor{Name: "system"}
	_, err = st.Platform().CreateTenant(ctx, sys, store.Tenant{ID: "acme", Name: "ACME"})
	must(t, err)
	_, err = st.Tenant("acme").CreateSolution(ctx, sys, store.Solution{ID: "fleet", Name: "Fleet"})
	must(t, err)
	must(t, st.Close())

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperImport$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperDSN+"="+dsn, helperKey+"="+key)
	stdout, err := cmd.StdoutPipe()
	must(t, err)
	cmd.Stderr = os.Stderr
	must(t, cmd.Start())
	committed := 0
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		if n, ok := strings.CutPrefix(line, "committed "); ok {
			committed, _ = strconv.Atoi(n)
			if committed >= 7 {
				break
			}
		}
		if line == "done" {
			t.Fatal("the import finished before it could be killed")
		}
	}
	// Let it get into the next batch's transaction, then kill it.
	time.Sleep(time.Duration(3+committed%5) * time.Millisecond)
	must(t, cmd.Process.Signal(syscall.SIGKILL))
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("helper was not killed by SIGKILL: %v", err)
	}

	st, err = sqlstore.Open(ctx, dsn, sqlstore.Options{KeyFile: key})
	must(t, err)
	defer st.Close()
	ts := st.Tenant("acme")
	page, err := ts.ListDevices(ctx, "fleet", store.DeviceQuery{Page: store.Page{Limit: 1}})
	must(t, err)
	n := page.Total
	t.Logf("killed after %d reported batches; %d devices stored", committed, n)
	if n%killBatch != 0 || n < committed*killBatch || n >= killDevices {
		t.Fatalf("%d devices after kill -9: not whole batches of %d (at least %d reported committed)", n, killBatch, committed)
	}
	sol, err := ts.GetSolution(ctx, "fleet")
	must(t, err)
	if sol.Devices != n {
		t.Errorf("solution counts %d devices, the table holds %d", sol.Devices, n)
	}
	res, err := st.Audit().Verify(ctx)
	must(t, err)
	if !res.OK {
		t.Fatalf("audit log after kill -9: %+v", res)
	}
	var imports int
	recs, _, err := st.Audit().List(ctx, "acme", store.Page{Limit: 1000})
	must(t, err)
	for _, r := range recs {
		if r.Action == "device.import" {
			imports++
		}
	}
	if imports != n/killBatch {
		t.Errorf("%d device.import records for %d whole batches", imports, n/killBatch)
	}

	// Importing again continues cleanly: overlap the last batch and add more.
	from, to := n-killBatch/2, n+5*killBatch
	i := from
	added, err := ts.ImportDevices(ctx, sys, "fleet", func() (model.Device, bool, error) {
		if i == to {
			return model.Device{}, false, nil
		}
		i++
		return killDevice(i - 1), true, nil
	}, killBatch)
	must(t, err)
	if added != to-from {
		t.Errorf("re-import stored %d, want %d", added, to-from)
	}
	sol, err = ts.GetSolution(ctx, "fleet")
	must(t, err)
	if sol.Devices != to {
		t.Errorf("%d devices after the re-import, want %d", sol.Devices, to)
	}
	res, err = st.Audit().Verify(ctx)
	must(t, err)
	if !res.OK {
		t.Fatalf("audit log after the re-import: %+v", res)
	}
}
