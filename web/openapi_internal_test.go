package web

import (
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/barraiser/barraiser/agent"
	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// notAPI lists the routes the OpenAPI document leaves out: the page, its
// static files, the public share page and the health check.
var notAPI = []string{
	"GET /",
	"GET /static/*",
	"GET /favicon.ico",
	"GET /healthz",
	"GET /share/:token",
}

// documented returns "METHOD /path" for every operation of doc, with
// {param} written as Echo writes it, :param.
func documented(t *testing.T, doc []byte) []string {
	t.Helper()
	var d struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(doc, &d); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{([^}]+)\}`)
	var out []string
	for path, ops := range d.Paths {
		for method := range ops {
			if method == "parameters" || method == "summary" || method == "description" {
				continue
			}
			out = append(out, strings.ToUpper(method)+" "+param.ReplaceAllString(path, ":$1"))
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPICoversEveryRoute checks that every route the server registers
// is in the document, except those in notAPI, and that the document names
// no route the server lacks.
func TestOpenAPICoversEveryRoute(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s := NewServer(agent.NewService(nil, nil, logger), logger)
	var registered []string
	for _, r := range s.echo.Routes() {
		route := r.Method + " " + r.Path
		if !slices.Contains(notAPI, route) && !slices.Contains(registered, route) {
			registered = append(registered, route)
		}
	}
	slices.Sort(registered)
	doc := documented(t, OpenAPI)
	for _, r := range registered {
		if !slices.Contains(doc, r) {
			t.Errorf("route %s is not in web/openapi.json", r)
		}
	}
	for _, r := range doc {
		if !slices.Contains(registered, r) {
			t.Errorf("web/openapi.json documents %s, which the server does not register", r)
		}
	}
	for _, r := range notAPI {
		if slices.Contains(doc, r) {
			t.Errorf("%s is listed as not API but documented", r)
		}
	}
}

// TestOpenAPIDocumentIsValid checks the document against the OpenAPI 3.1
// specification, and that the same check rejects broken documents.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		valid bool
	}{
		{"the served document", string(OpenAPI), true},
		{"no title", strings.Replace(string(OpenAPI), `"title": "Bar Raiser API",`, ``, 1), false},
		{"a path parameter without in", strings.Replace(string(OpenAPI), `"in": "path",`, ``, 1), false},
		{"an unknown security scheme type", strings.Replace(string(OpenAPI), `"type": "http",`, `"type": "magic",`, 1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.valid && tt.doc == string(OpenAPI) {
				t.Fatal("the mutation did not apply")
			}
			doc, err := libopenapi.NewDocument([]byte(tt.doc))
			if err != nil {
				t.Fatal(err)
			}
			v, errs := validator.NewValidator(doc)
			if len(errs) > 0 {
				if tt.valid {
					t.Fatalf("building the validator: %v", errs)
				}
				return
			}
			ok, verrs := v.ValidateDocument()
			if ok != tt.valid {
				t.Errorf("valid = %v, want %v; errors: %v", ok, tt.valid, verrs)
			}
		})
	}
}

// notHTTPCodes are codes only the command line reports.
var notHTTPCodes = []string{"invalid_key_name", "invalid_webhook_url"}

// TestOpenAPIListsEveryCode checks that the document's ErrorCode names
// every code of agent's error vocabulary, and of Echo's own errors.
func TestOpenAPIListsEveryCode(t *testing.T) {
	var d struct {
		Components struct {
			Schemas struct {
				ErrorCode struct {
					Enum []string `json:"enum"`
				} `json:"ErrorCode"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(OpenAPI, &d); err != nil {
		t.Fatal(err)
	}
	documented := d.Components.Schemas.ErrorCode.Enum
	codes := slices.Collect(maps.Values(echoCodes))
	files, err := filepath.Glob("../agent/*.go")
	if err != nil {
		t.Fatal(err)
	}
	constant := regexp.MustCompile(`(?m)^\s*(?:const\s+)?E[A-Z]+\s*=\s*"([a-z_]+)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range constant.FindAllSubmatch(b, -1) {
			codes = append(codes, string(m[1]))
		}
	}
	if len(codes) < 20 {
		t.Fatalf("found only %d codes; the pattern no longer matches agent/errors.go", len(codes))
	}
	for _, c := range codes {
		if !slices.Contains(documented, c) && !slices.Contains(notHTTPCodes, c) {
			t.Errorf("code %q is not in the document's ErrorCode", c)
		}
	}
}
