// Package apiclient is a small client of iotguard's HTTP API, for the CLI
// (`iotguard assess --server URL --token T`) and the load benchmark.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/iotguard/iotguard/model"
	"github.com/iotguard/iotguard/store"
)

// Client calls one iotguard server with one token.
type Client struct {
	base  string
	token string
	// HTTP is the transport; the default has no overall timeout because
	// imports stream for as long as they need. Bound calls with contexts.
	HTTP *http.Client
	// UserAgent names the caller in the server's logs.
	UserAgent string
}

// New returns a client of the server at baseURL (e.g. http://127.0.0.1:8400).
func New(baseURL, token string) *Client {
	return &Client{base: strings.TrimRight(baseURL, "/"), token: token, HTTP: http.DefaultClient, UserAgent: "iotguard-apiclient"}
}

// Error is a failed call: the HTTP status and the server's error object.
type Error struct {
	Status    int
	Code      string
	Message   string
	Details   []string
	RequestID string
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("iotguard server: %d %s: %s", e.Status, e.Code, e.Message)
	if len(e.Details) > 0 {
		msg += " (" + strings.Join(e.Details, "; ") + ")"
	}
	return msg
}

// errorBody mirrors server.ErrorBody without importing the server.
type errorBody struct {
	Error struct {
		Code      string   `json:"code"`
		Message   string   `json:"message"`
		Details   []string `json:"details"`
		RequestID string   `json:"request_id"`
	} `json:"error"`
}

// maxErrorBody bounds how much of a failed response is read.
const maxErrorBody = 1 << 20

// do sends a request and decodes a JSON response into out (when not nil).
func (c *Client) do(ctx context.Context, method, path string, q url.Values, body io.Reader, contentType string, out any) error {
	u := c.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return fmt.Errorf("iotguard server: %w", err)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.UserAgent)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		// The URL is in err; the token is only ever in a header.
		return fmt.Errorf("iotguard server: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return decodeError(resp)
	}
	if out == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("iotguard server: %s %s: reading the response: %w", method, path, err)
	}
	return nil
}

func decodeError(resp *http.Response) error {
	e := &Error{Status: resp.StatusCode}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
	var eb errorBody
	if json.Unmarshal(b, &eb) == nil && eb.Error.Code != "" {
		e.Code, e.Message, e.Details, e.RequestID = eb.Error.Code, eb.Error.Message, eb.Error.Details, eb.Error.RequestID
		return e
	}
	// Not an iotguard error object: a proxy's page, say.
	e.Code = "http_" + strconv.Itoa(resp.StatusCode)
	e.Message = http.StatusText(resp.StatusCode)
	return e
}

func jsonBody(v any) (io.Reader, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("iotguard server: encoding the request: %w", err)
	}
	return bytes.NewReader(b), nil
}

func tenantPath(tenant string, parts ...string) string {
	p := "/api/v1/tenants/" + url.PathEscape(tenant)
	for _, s := range parts {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// Me returns the caller's user and memberships.
func (c *Client) Me(ctx context.Context) (Me, error) {
	var me Me
	err := c.do(ctx, "GET", "/api/v1/me", nil, nil, "", &me)
	return me, err
}

// Me is the caller as the server sees it.
type Me struct {
	User        store.User         `json:"user"`
	Memberships []store.Membership `json:"memberships"`
	TokenID     string             `json:"token_id"`
}

// PushAssessment stores an assessment (the JSON report of iotguard
// assess) for a solution and returns its record.
func (c *Client) PushAssessment(ctx context.Context, tenant, solution string, a *model.Assessment) (store.AssessmentRecord, error) {
	var rec store.AssessmentRecord
	body, err := jsonBody(a)
	if err != nil {
		return rec, err
	}
	err = c.do(ctx, "POST", tenantPath(tenant, "solutions", solution, "assessments"), nil, body, "application/json", &rec)
	return rec, err
}

// CreateSolution creates a solution in a tenant.
func (c *Client) CreateSolution(ctx context.Context, tenant, name, description string) (store.Solution, error) {
	var sol store.Solution
	body, err := jsonBody(map[string]string{"name": name, "description": description})
	if err != nil {
		return sol, err
	}
	err = c.do(ctx, "POST", tenantPath(tenant, "solutions"), nil, body, "application/json", &sol)
	return sol, err
}

// DeviceQuery filters, sorts and pages a device list; zero values are
// left out.
type DeviceQuery struct {
	Model, Zone, Site, Lifecycle, Search, Sort string
	Cursor                                     string
	Limit                                      int
}

func (q DeviceQuery) values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("model", q.Model)
	set("zone", q.Zone)
	set("site", q.Site)
	set("lifecycle", q.Lifecycle)
	set("q", q.Search)
	set("sort", q.Sort)
	set("cursor", q.Cursor)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	return v
}

// DevicePage is one page of devices.
type DevicePage struct {
	Items []model.Device `json:"items"`
	Next  string         `json:"next"`
	Total int            `json:"total"`
}

// ListDevices returns one page of a solution's devices.
func (c *Client) ListDevices(ctx context.Context, tenant, solution string, q DeviceQuery) (DevicePage, error) {
	var p DevicePage
	err := c.do(ctx, "GET", tenantPath(tenant, "solutions", solution, "devices"), q.values(), nil, "", &p)
	return p, err
}

// GetDevice returns one device.
func (c *Client) GetDevice(ctx context.Context, tenant, solution, device string) (model.Device, error) {
	var d model.Device
	err := c.do(ctx, "GET", tenantPath(tenant, "solutions", solution, "devices", device), nil, nil, "", &d)
	return d, err
}

// Import formats.
const (
	JSONLines = "application/x-ndjson"
	CSV       = "text/csv"
)

// ImportDevices streams an inventory (JSON lines or CSV, per contentType)
// to the server, which stores it in whole batches, and returns how many
// devices were imported. On error, the server's details say how many
// devices of whole batches were kept.
func (c *Client) ImportDevices(ctx context.Context, tenant, solution, contentType string, r io.Reader) (int, error) {
	var res struct {
		Imported int `json:"imported"`
	}
	err := c.do(ctx, "POST", tenantPath(tenant, "solutions", solution, "devices"), nil, r, contentType, &res)
	return res.Imported, err
}

// ImportDeviceList streams devices produced by next (until it returns
// false) as JSON lines, without holding them all in memory.
func (c *Client) ImportDeviceList(ctx context.Context, tenant, solution string, next func() (model.Device, bool)) (int, error) {
	pr, pw := io.Pipe()
	go func() {
		enc := json.NewEncoder(pw)
		for {
			d, ok := next()
			if !ok {
				pw.Close()
				return
			}
			if err := enc.Encode(&d); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
	}()
	n, err := c.ImportDevices(ctx, tenant, solution, JSONLines, pr)
	// Unblock the writer if the request ended early.
	pr.CloseWithError(io.ErrClosedPipe)
	return n, err
}
