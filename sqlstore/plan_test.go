package sqlstore_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/sqlstore"
	"github.com/iotguard/iotguard/store"
)

// TestSQLiteDeviceListPlans checks that after a bulk import (which runs
// PRAGMA optimize) SQLite counts a filtered list through the filter's own
// index, and picks a page sorted by last seen from a covering index
// without reading every matching row, which cost 40 ms a page on 100,000
// devices with the version 1 indexes.
func TestSQLiteDeviceListPlans(t *testing.T) {
	t.Parallel()
	dsn := sqliteDSN(t)
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	must(t, err)
	ts := st.Tenant("acme")
	_, err = st.Platform().CreateTenant(ctx, store.Actor{Name: "t"}, store.Tenant{ID: "acme", Name: "Acme"})
	must(t, err)
	_, err = ts.CreateSolution(ctx, store.Actor{Name: "t"}, store.Solution{ID: "fleet", Name: "Fleet"})
	must(t, err)
	i := 0
	_, err = ts.ImportDevices(ctx, store.Actor{Name: "t"}, "fleet", func() (model.Device, bool, error) {
		if i == 5000 {
			return model.Device{}, false, nil
		}
		i++
		d := killDevice(i)
		if i%10 == 0 {
			d.Lifecycle = model.Decommissioned
		}
		return d, true, nil
	}, 1000)
	must(t, err)
	must(t, st.Close())

	db, err := sql.Open("sqlite", dsn)
	must(t, err)
	defer db.Close()
	var stat string
	if err := db.QueryRow("SELECT stat FROM sqlite_stat1 WHERE tbl = 'devices' AND idx = 'devices_model'").Scan(&stat); err != nil {
		t.Fatalf("no planner statistics for devices_model after a bulk import: %v", err)
	}
	plan := func(q string) string {
		rows, err := db.Query("EXPLAIN QUERY PLAN " + q)
		must(t, err)
		defer rows.Close()
		var b strings.Builder
		for rows.Next() {
			var id, parent, unused int
			var detail string
			must(t, rows.Scan(&id, &parent, &unused, &detail))
			fmt.Fprintln(&b, detail)
		}
		return b.String()
	}
	where := "tenant_id = 'acme' AND solution_id = 'fleet' AND model = 'cam-b' AND lifecycle = 'active'"
	if p := plan("SELECT COUNT(*) FROM devices WHERE " + where); !strings.Contains(p, "COVERING INDEX devices_model") {
		t.Errorf("counting a model filter should read devices_model alone; plan:\n%s", p)
	}
	if p := plan("SELECT id FROM devices WHERE " + where + " ORDER BY last_seen DESC, id DESC LIMIT 51"); !strings.Contains(p, "COVERING INDEX") {
		t.Errorf("picking a page sorted by last_seen should read a covering index; plan:\n%s", p)
	}
}
