package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// DefaultBatch is the import batch size when the caller gives none.
const DefaultBatch = 1000

// maxBatch bounds one import transaction.
const maxBatch = 10000

// deviceRow is a device as stored: the indexed columns and the JSON.
type deviceRow struct {
	id, model, zone, site, lifecycle, serial, hostname string
	lastSeen                                           int64
	data                                               string
}

func (r deviceRow) values() []any {
	return []any{r.id, r.model, r.zone, r.site, r.lifecycle, r.serial, r.hostname, r.lastSeen, r.data}
}

// deviceColumns are the deviceRow columns, in values() order.
var deviceColumns = []string{"id", "model", "zone", "site", "lifecycle", "serial", "hostname", "last_seen", "data"}

// checkDeviceID accepts the IDs real registries use (AWS thing names, Azure
// device IDs with their punctuation) but no control characters.
func checkDeviceID(id string) error {
	if id == "" || len(id) > 256 || !utf8.ValidString(id) || strings.IndexFunc(id, unicode.IsControl) >= 0 {
		return fmt.Errorf("device ID %q: use 1-256 bytes of printable UTF-8: %w", truncate(id, 40), store.ErrInvalid)
	}
	return nil
}

func newDeviceRow(d model.Device) (deviceRow, error) {
	if err := checkDeviceID(d.ID); err != nil {
		return deviceRow{}, err
	}
	if d.Lifecycle != "" && !slices.Contains(model.LifecycleStates, d.Lifecycle) {
		return deviceRow{}, fmt.Errorf("device %q: lifecycle %q: use one of %v: %w", truncate(d.ID, 40), d.Lifecycle, model.LifecycleStates, store.ErrInvalid)
	}
	for _, f := range []struct{ name, v string }{{"model", d.Model}, {"zone", d.Zone}, {"site", d.Site}, {"serial", d.Serial}, {"hostname", d.Hostname}} {
		if err := checkText("device "+f.name, f.v, 256); err != nil {
			return deviceRow{}, fmt.Errorf("device %q: %w", truncate(d.ID, 40), err)
		}
	}
	data, err := json.Marshal(d)
	if err != nil {
		return deviceRow{}, fmt.Errorf("device %q: %w: %v", truncate(d.ID, 40), store.ErrInvalid, err)
	}
	r := deviceRow{id: d.ID, model: d.Model, zone: d.Zone, site: d.Site, lifecycle: string(d.Lifecycle),
		serial: d.Serial, hostname: d.Hostname, data: string(data)}
	if !d.LastSeen.IsZero() {
		r.lastSeen = micros(d.LastSeen.Time)
	}
	return r, nil
}

func (t *tenantStore) ImportDevices(ctx context.Context, by store.Actor, solutionID string, next func() (model.Device, bool, error), batch int) (int, error) {
	actor, err := actorName(by)
	if err != nil {
		return 0, fmt.Errorf("import devices: %w", err)
	}
	switch {
	case batch == 0:
		batch = DefaultBatch
	case batch < 0 || batch > maxBatch:
		return 0, fmt.Errorf("import devices: batch size %d: use 1-%d: %w", batch, maxBatch, store.ErrInvalid)
	}
	if _, err := t.getSolution(ctx, t.s.b, solutionID); err != nil {
		return 0, fmt.Errorf("import devices: %w", err)
	}
	total := 0
	for {
		rows := make([]deviceRow, 0, batch)
		end := false
		for len(rows) < batch {
			d, ok, err := next()
			if err != nil {
				return total, fmt.Errorf("import devices: after %d devices: %w", total+len(rows), err)
			}
			if !ok {
				end = true
				break
			}
			r, err := newDeviceRow(d)
			if err != nil {
				return total, fmt.Errorf("import devices: after %d devices: %w", total+len(rows), err)
			}
			rows = append(rows, r)
		}
		if len(rows) > 0 {
			if err := t.importBatch(ctx, actor, solutionID, rows); err != nil {
				return total, fmt.Errorf("import devices: after %d devices: %w", total, err)
			}
			total += len(rows)
		}
		if end || ctx.Err() != nil {
			if end {
				t.s.optimize(ctx)
			}
			return total, ctx.Err()
		}
	}
}

// importBatch upserts one batch and its audit record in one transaction.
func (t *tenantStore) importBatch(ctx context.Context, actor, solutionID string, rows []deviceRow) error {
	rows = dedupeRows(rows)
	digest := batchDigest(rows)
	return t.s.write(ctx, func(w *txw) error {
		if err := t.lockSolution(ctx, w.q, solutionID); err != nil {
			return err
		}
		var existing int
		var err error
		if tx, ok := w.q.(pgTxQ); ok {
			existing, err = t.upsertCopy(ctx, tx, solutionID, rows, w.now.UnixMicro())
		} else {
			existing, err = t.upsertInsert(ctx, w.q, solutionID, rows, w.now.UnixMicro())
		}
		if err != nil {
			return err
		}
		if added := len(rows) - existing; added > 0 {
			if _, err := w.q.exec(ctx, "UPDATE solutions SET device_count = device_count + ? WHERE tenant_id = ? AND id = ?", added, t.id, solutionID); err != nil {
				return dbErr("count devices", err)
			}
		}
		return w.audit(t.id, actor, "device.import", "solution", solutionID, nil, precomputed(digest))
	})
}

// dedupeRows keeps the last of rows with the same ID: one statement may
// not change a row twice (PostgreSQL refuses).
func dedupeRows(rows []deviceRow) []deviceRow {
	seen := make(map[string]int, len(rows))
	out := rows[:0:0]
	for _, r := range rows {
		if i, ok := seen[r.id]; ok {
			out[i] = r
			continue
		}
		seen[r.id] = len(out)
		out = append(out, r)
	}
	return out
}

// batchDigest digests a batch's device IDs and contents, sorted by ID.
func batchDigest(rows []deviceRow) string {
	sorted := slices.Clone(rows)
	slices.SortFunc(sorted, func(a, b deviceRow) int { return strings.Compare(a.id, b.id) })
	h := sha256.New()
	for _, r := range sorted {
		h.Write([]byte(r.id))
		h.Write([]byte{0})
		h.Write([]byte(r.data))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}

const deviceUpsert = ` ON CONFLICT (tenant_id, solution_id, id) DO UPDATE SET model = excluded.model, zone = excluded.zone,
	site = excluded.site, lifecycle = excluded.lifecycle, serial = excluded.serial, hostname = excluded.hostname,
	last_seen = excluded.last_seen, data = excluded.data, updated_at = excluded.updated_at`

// sqliteChunk keeps one INSERT under SQLite's 32766 bound parameters.
const sqliteChunk = 500

// upsertInsert writes rows with multi-row INSERT ... ON CONFLICT and
// returns how many already existed.
func (t *tenantStore) upsertInsert(ctx context.Context, q querier, solutionID string, rows []deviceRow, now int64) (int, error) {
	existing := 0
	for start := 0; start < len(rows); start += sqliteChunk {
		chunk := rows[start:min(start+sqliteChunk, len(rows))]
		args := []any{t.id, solutionID}
		for _, r := range chunk {
			args = append(args, r.id)
		}
		var n int
		if err := q.queryRow(ctx, "SELECT COUNT(*) FROM devices WHERE tenant_id = ? AND solution_id = ? AND id IN ("+placeholders(len(chunk))+")", args...).Scan(&n); err != nil {
			return 0, dbErr("count existing devices", err)
		}
		existing += n
		var b strings.Builder
		b.WriteString("INSERT INTO devices (tenant_id, solution_id, " + strings.Join(deviceColumns, ", ") + ", updated_at) VALUES ")
		args = args[:0]
		for i, r := range chunk {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			args = append(args, t.id, solutionID)
			args = append(args, r.values()...)
			args = append(args, now)
		}
		b.WriteString(deviceUpsert)
		if _, err := q.exec(ctx, b.String(), args...); err != nil {
			return 0, dbErr("insert devices", err)
		}
	}
	return existing, nil
}

// upsertCopy streams rows into a temporary table with COPY, then upserts
// from it: far fewer round trips and parse work than INSERTs.
func (t *tenantStore) upsertCopy(ctx context.Context, tx pgTxQ, solutionID string, rows []deviceRow, now int64) (int, error) {
	if _, err := tx.exec(ctx, `CREATE TEMP TABLE IF NOT EXISTS iotguard_import (id TEXT, model TEXT, zone TEXT, site TEXT,
		lifecycle TEXT, serial TEXT, hostname TEXT, last_seen BIGINT, data TEXT) ON COMMIT DELETE ROWS`); err != nil {
		return 0, dbErr("create import table", err)
	}
	src := make([][]any, len(rows))
	for i, r := range rows {
		src[i] = r.values()
	}
	if _, err := tx.tx.CopyFrom(ctx, pgx.Identifier{"iotguard_import"}, deviceColumns, pgx.CopyFromRows(src)); err != nil {
		return 0, dbErr("copy devices", err)
	}
	// xmax = 0 marks a row this statement inserted rather than updated:
	// counting them avoids a join of the batch with the whole fleet.
	cols := strings.Join(deviceColumns, ", ")
	var added int
	if err := tx.queryRow(ctx, "WITH up AS (INSERT INTO devices (tenant_id, solution_id, "+cols+", updated_at) SELECT ?, ?, "+cols+", ? FROM iotguard_import"+
		deviceUpsert+" RETURNING (xmax = 0) AS inserted) SELECT COUNT(*) FILTER (WHERE inserted) FROM up",
		t.id, solutionID, now).Scan(&added); err != nil {
		return 0, dbErr("upsert devices", err)
	}
	return len(rows) - added, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// deviceSorts maps a sort name to its column; only these reach SQL.
var deviceSorts = map[string]string{"id": "id", "last_seen": "last_seen", "model": "model"}

func (t *tenantStore) ListDevices(ctx context.Context, solutionID string, dq store.DeviceQuery) (store.DevicePage, error) {
	n, err := limit(dq.Page)
	if err != nil {
		return store.DevicePage{}, fmt.Errorf("list devices: %w", err)
	}
	sortName := dq.Sort
	if sortName == "" {
		sortName = "id"
	}
	desc := strings.HasPrefix(sortName, "-")
	col, ok := deviceSorts[strings.TrimPrefix(sortName, "-")]
	if !ok {
		return store.DevicePage{}, fmt.Errorf("list devices: sort %q: use id, last_seen or model, with a leading - to reverse: %w", dq.Sort, store.ErrInvalid)
	}
	if dq.Lifecycle != "" && !slices.Contains(model.LifecycleStates, dq.Lifecycle) {
		return store.DevicePage{}, fmt.Errorf("list devices: lifecycle %q: use one of %v: %w", dq.Lifecycle, model.LifecycleStates, store.ErrInvalid)
	}
	c, err := decodeCursor(dq.After, "devices:"+sortName)
	if err != nil {
		return store.DevicePage{}, fmt.Errorf("list devices: %w", err)
	}
	sol, err := t.getSolution(ctx, t.s.b, solutionID)
	if err != nil {
		return store.DevicePage{}, fmt.Errorf("list devices: %w", err)
	}

	where := "tenant_id = ? AND solution_id = ?"
	args := []any{t.id, solutionID}
	for _, f := range []struct{ col, v string }{{"model", dq.Model}, {"zone", dq.Zone}, {"site", dq.Site}, {"lifecycle", string(dq.Lifecycle)}} {
		if f.v != "" {
			where += " AND " + f.col + " = ?"
			args = append(args, f.v)
		}
	}
	if dq.Search != "" {
		// substr is a case-sensitive prefix test with the same meaning on
		// both backends (LIKE is case-insensitive on SQLite only).
		k := utf8.RuneCountInString(dq.Search)
		where += " AND (substr(id, 1, ?) = ? OR substr(serial, 1, ?) = ? OR substr(hostname, 1, ?) = ?)"
		args = append(args, k, dq.Search, k, dq.Search, k, dq.Search)
	}

	var page store.DevicePage
	if len(args) == 2 {
		// Unfiltered: the count kept with each import batch, instead of
		// counting a large fleet on every page.
		page.Total = sol.Devices
	} else if err := t.s.b.queryRow(ctx, "SELECT COUNT(*) FROM devices WHERE "+where, args...).Scan(&page.Total); err != nil {
		return store.DevicePage{}, dbErr("count devices", err)
	}

	op, dir := ">", "ASC"
	if desc {
		op, dir = "<", "DESC"
	}
	// The page's keys come from an index alone (every device index holds
	// every filter and sort column); only the page's rows are then read.
	// Selecting data directly would make the database read, and sort,
	// every matching row with its JSON.
	q := "SELECT id FROM devices WHERE " + where
	if c != nil {
		if col == "id" {
			q += " AND id " + op + " ?"
			args = append(args, c.ID)
		} else {
			q += " AND (" + col + ", id) " + op + " (?, ?)"
			if col == "last_seen" {
				args = append(args, c.Num, c.ID)
			} else {
				args = append(args, c.Str, c.ID)
			}
		}
	}
	if col == "id" {
		q += " ORDER BY id " + dir
	} else {
		q += " ORDER BY " + col + " " + dir + ", id " + dir
	}
	q += " LIMIT ?"
	args = append(args, n+1)
	q = "SELECT d.data, d." + col + ", d.id FROM devices d JOIN (" + q + ") k ON d.id = k.id" +
		" WHERE d.tenant_id = ? AND d.solution_id = ? ORDER BY "
	if col == "id" {
		q += "d.id " + dir
	} else {
		q += "d." + col + " " + dir + ", d.id " + dir
	}
	args = append(args, t.id, solutionID)
	rows, err := t.s.b.query(ctx, q, args...)
	if err != nil {
		return store.DevicePage{}, dbErr("list devices", err)
	}
	defer rows.Close()
	page.Devices = make([]model.Device, 0, n)
	var last cursor
	for rows.Next() {
		var (
			data, id string
			key      any
		)
		if err := rows.Scan(&data, &key, &id); err != nil {
			return store.DevicePage{}, dbErr("list devices", err)
		}
		if len(page.Devices) == n {
			page.Next = last.encode()
			break
		}
		var d model.Device
		if err := decodeDevice(data, &d); err != nil {
			return store.DevicePage{}, dbErr("decode device", err)
		}
		page.Devices = append(page.Devices, d)
		last = cursor{Sort: "devices:" + sortName, ID: id}
		switch v := key.(type) {
		case int64:
			last.Num = v
		case string:
			last.Str = v
		case []byte:
			last.Str = string(v)
		}
	}
	if err := rows.Err(); err != nil {
		return store.DevicePage{}, dbErr("list devices", err)
	}
	return page, nil
}

func (t *tenantStore) GetDevice(ctx context.Context, solutionID, deviceID string) (model.Device, error) {
	var data string
	err := t.s.b.queryRow(ctx, "SELECT data FROM devices WHERE tenant_id = ? AND solution_id = ? AND id = ?", t.id, solutionID, deviceID).Scan(&data)
	if isNoRows(err) {
		return model.Device{}, fmt.Errorf("device %q in solution %q: %w", truncate(deviceID, 40), solutionID, store.ErrNotFound)
	}
	if err != nil {
		return model.Device{}, dbErr("get device", err)
	}
	var d model.Device
	if err := decodeDevice(data, &d); err != nil {
		return model.Device{}, dbErr("decode device", err)
	}
	return d, nil
}

// decodeDevice reads a stored device: the fast path nearly always, since
// the store wrote it with json.Marshal.
func decodeDevice(data string, d *model.Device) error {
	b := []byte(data)
	if model.DecodeDeviceJSON(b, d) {
		return nil
	}
	*d = model.Device{}
	return json.Unmarshal(b, d)
}
