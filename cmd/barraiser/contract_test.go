package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/barraiser/barraiser/web"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// contract is the API's OpenAPI document, ready to validate requests and
// responses with.
var contract = sync.OnceValues(func() (validator.Validator, error) {
	doc, err := libopenapi.NewDocument(web.OpenAPI)
	if err != nil {
		return nil, fmt.Errorf("parse web/openapi.json: %w", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return nil, fmt.Errorf("build the validator: %v", errs)
	}
	return v, nil
})

// contractMu serialises validations: the validator keeps caches.
var contractMu sync.Mutex

// checkedTransport checks every API request a test makes, and the
// response to it, against the OpenAPI document. A request that succeeds
// must match it; a request that fails may be malformed on purpose, but
// the error response must match the document all the same.
type checkedTransport struct {
	t    testing.TB
	base http.RoundTripper
}

// withContract returns c with its transport checked against the document.
func withContract(t testing.TB, c *http.Client) *http.Client {
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = checkedTransport{t: t, base: base}
	return c
}

func (ct checkedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !strings.HasPrefix(req.URL.Path, "/api/v1/") {
		return ct.base.RoundTrip(req)
	}
	v, err := contract()
	if err != nil {
		ct.t.Error(err)
		return ct.base.RoundTrip(req)
	}
	var body []byte
	if req.Body != nil {
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	copyOf := func() *http.Request {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(body))
		return r
	}
	contractMu.Lock()
	reqOK, reqErrs := v.ValidateHttpRequest(copyOf())
	contractMu.Unlock()

	resp, err := ct.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	what := req.Method + " " + req.URL.Path
	if !reqOK && resp.StatusCode < 400 {
		ct.t.Errorf("%s got %d but the request does not match web/openapi.json: %v", what, resp.StatusCode, reqErrs)
	}
	// A WebSocket's 101 carries the connection as its body: check the
	// status alone.
	checked := resp
	if resp.StatusCode == http.StatusSwitchingProtocols {
		checked = &http.Response{StatusCode: resp.StatusCode, Header: http.Header{}, Body: http.NoBody, Request: resp.Request}
	} else {
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		checked = &http.Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: io.NopCloser(bytes.NewReader(b)), Request: resp.Request}
	}
	contractMu.Lock()
	respOK, respErrs := v.ValidateHttpResponse(copyOf(), checked)
	contractMu.Unlock()
	if !respOK {
		ct.t.Errorf("%s: the %d response does not match web/openapi.json: %v", what, resp.StatusCode, respErrs)
	}
	return resp, nil
}

// TestContractCatchesMismatches checks that the checked transport reports
// a response the document does not allow.
func TestContractCatchesMismatches(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v1/me", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"kind":"robot"}`) // not api_key or browser
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	rec := &recorder{TB: t}
	c := withContract(rec, &http.Client{})
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/me", nil)
	req.Header.Set("Authorization", "Bearer br_x")
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(rec.errors) == 0 {
		t.Error("a response outside the document passed the check")
	}
}

// recorder collects the errors a check reports instead of failing.
type recorder struct {
	testing.TB
	errors []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Error(args ...any) { r.errors = append(r.errors, fmt.Sprint(args...)) }
