package apiclient_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iotguard/iotguard/apiclient"
	"github.com/iotguard/iotguard/catalog"
	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/server"
	"github.com/iotguard/iotguard/sqlstore"
)

// setup runs the real handler over SQLite, bootstrapped, with a solution.
func setup(t *testing.T) (c *apiclient.Client, tenant, solution string, url string) {
	t.Helper()
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	cat := catalog.MustLoad()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "db.sqlite"), sqlstore.Options{Catalog: cat, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	token, _ := server.NewToken()
	if err := server.Bootstrap(ctx, st, "admin@example.test", token, io.Discard); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.New(st, cat, server.Options{Logger: quiet}))
	t.Cleanup(ts.Close)
	c = apiclient.New(ts.URL+"/", token)
	me, err := c.Me(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tenant = me.Memberships[0].TenantID
	sol, err := c.CreateSolution(ctx, tenant, "fleet", "")
	if err != nil {
		t.Fatal(err)
	}
	return c, tenant, sol.ID, ts.URL
}

func TestPushAssessment(t *testing.T) {
	c, tenant, sol, _ := setup(t)
	a := &model.Assessment{SchemaVersion: "1", Tool: "iotguard", ToolVersion: "test", AssessedAt: time.Now().Add(-time.Minute).UTC(),
		Summary: model.Summary{Score: 82.5}}
	rec, err := c.PushAssessment(context.Background(), tenant, sol, a)
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID == "" || rec.SolutionID != sol || rec.Summary.Score != 82.5 {
		t.Errorf("record %+v", rec)
	}
}

func TestErrorsCarryTheErrorObject(t *testing.T) {
	c, tenant, _, url := setup(t)
	_, err := c.PushAssessment(context.Background(), tenant, "no-such-solution", &model.Assessment{AssessedAt: time.Now()})
	var ae *apiclient.Error
	if !errors.As(err, &ae) || ae.Status != 404 || ae.Code != "not_found" || ae.RequestID == "" {
		t.Fatalf("error %#v", err)
	}
	bad := apiclient.New(url, "igt_wrong")
	_, err = bad.Me(context.Background())
	if !errors.As(err, &ae) || ae.Status != 401 || ae.Code != "unauthenticated" {
		t.Errorf("error %v", err)
	}
	if strings.Contains(err.Error(), "igt_wrong") {
		t.Errorf("the token is in the error: %v", err)
	}
	_, err = c.ListDevices(context.Background(), tenant, "x", apiclient.DeviceQuery{Sort: "colour"})
	if !errors.As(err, &ae) || ae.Status != 400 || len(ae.Details) == 0 || !strings.Contains(err.Error(), "sort") {
		t.Errorf("error %v", err)
	}
}

func TestDevices(t *testing.T) {
	c, tenant, sol, _ := setup(t)
	ctx := context.Background()
	i := 0
	n, err := c.ImportDeviceList(ctx, tenant, sol, func() (model.Device, bool) {
		if i == 2500 {
			return model.Device{}, false
		}
		i++
		return model.Device{ID: fmt.Sprintf("dev-%05d", i), Model: []string{"cam", "gw"}[i%2], Zone: "ot", Lifecycle: model.Active}, true
	})
	if err != nil || n != 2500 {
		t.Fatalf("import: %d, %v", n, err)
	}
	n, err = c.ImportDevices(ctx, tenant, sol, apiclient.CSV, strings.NewReader("id,model\ncsv-1,cam\n"))
	if err != nil || n != 1 {
		t.Fatalf("CSV import: %d, %v", n, err)
	}
	p, err := c.ListDevices(ctx, tenant, sol, apiclient.DeviceQuery{Model: "gw", Sort: "-id", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if p.Total != 1250 || len(p.Items) != 10 || p.Items[0].ID != "dev-02499" || p.Next == "" {
		t.Errorf("page: total %d, %d items, first %s", p.Total, len(p.Items), p.Items[0].ID)
	}
	p2, err := c.ListDevices(ctx, tenant, sol, apiclient.DeviceQuery{Model: "gw", Sort: "-id", Limit: 10, Cursor: p.Next})
	if err != nil || p2.Items[0].ID != "dev-02479" {
		t.Errorf("page 2: %v %+v", err, p2.Items)
	}
	d, err := c.GetDevice(ctx, tenant, sol, "dev-00001")
	if err != nil || d.Model != "gw" {
		t.Errorf("device %+v, %v", d, err)
	}
	_, err = c.ImportDevices(ctx, tenant, sol, apiclient.JSONLines, strings.NewReader(`{"id":"x"}`+"\n"))
	var ae *apiclient.Error
	if !errors.As(err, &ae) || ae.Status != 400 {
		t.Errorf("bad import: %v", err)
	}
}
