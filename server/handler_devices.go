package server

import (
	"fmt"
	"mime"
	"net/http"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// devicePage is a page of devices with the total that match the filter.
type devicePage struct {
	Items []model.Device `json:"items"`
	Next  string         `json:"next,omitempty"`
	Total int            `json:"total"`
}

// importResult says how many devices an import stored.
type importResult struct {
	Imported int `json:"imported"`
}

func (s *Server) listDevices(w http.ResponseWriter, r *http.Request) error {
	q := newQuery(r)
	dq := store.DeviceQuery{
		Page:      q.page(),
		Model:     q.str("model"),
		Zone:      q.str("zone"),
		Site:      q.str("site"),
		Lifecycle: model.Lifecycle(q.enum("lifecycle", lifecycleNames())),
		Search:    q.str("q"),
		Sort:      q.enum("sort", deviceSorts),
	}
	if err := q.err(); err != nil {
		return err
	}
	if _, err := s.solution(r); err != nil {
		return err
	}
	page, err := s.tenant(r).ListDevices(r.Context(), pathParam(r, "solution"), dq)
	if err != nil {
		return fmt.Errorf("list devices: %w", err)
	}
	if page.Devices == nil {
		page.Devices = []model.Device{}
	}
	writeJSON(w, http.StatusOK, devicePage{Items: page.Devices, Next: page.Next, Total: page.Total})
	return nil
}

func (s *Server) getDevice(w http.ResponseWriter, r *http.Request) error {
	d, err := s.tenant(r).GetDevice(r.Context(), pathParam(r, "solution"), pathParam(r, "device"))
	if err != nil {
		return fmt.Errorf("device: %w", err)
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

// importDevices streams a JSON lines or CSV body into the store in
// batches: memory stays flat however large the inventory, and each batch
// commits with its audit record. A bad line stops the import; the batches
// before it stay, and the answer says how many devices they held.
func (s *Server) importDevices(w http.ResponseWriter, r *http.Request) error {
	format := "jsonl"
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil {
			return unsupported(ct, importTypes)
		}
		switch mt {
		case "application/x-ndjson", "application/jsonl", "application/json-lines":
		case "text/csv":
			format = "csv"
		default:
			return unsupported(mt, importTypes)
		}
	}
	if _, err := s.solution(r); err != nil {
		return err
	}
	dec, err := newDeviceDecoder(r.Body, format)
	if err != nil {
		return err
	}
	n, err := s.tenant(r).ImportDevices(r.Context(), actor(r), pathParam(r, "solution"), dec.next, s.opt.ImportBatch)
	if err == nil {
		err = dec.err
	}
	if err != nil {
		// The decoder's own error is the one to report; the store only
		// passed it on.
		if dec.err != nil {
			err = dec.err
		}
		status, detail := classify(err)
		if status >= http.StatusInternalServerError || status == statusClientClosed {
			return fmt.Errorf("import devices: %w", err)
		}
		return &apiError{status: status, code: detail.Code, msg: detail.Message,
			details: append(detail.Details, fmt.Sprintf("%d devices were imported, in whole batches, before the error", n))}
	}
	writeJSON(w, http.StatusOK, importResult{Imported: n})
	return nil
}

var importTypes = []string{"application/x-ndjson", "text/csv"}
