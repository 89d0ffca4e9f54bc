// Package openapi checks Cabane's API responses against PeerTube 7.0's
// OpenAPI document, the contract PeerTube's apps are written to.
//
// It is a test helper, imported only by _test files: the library it uses
// (github.com/getkin/kin-openapi) never reaches the binary, and deps.txt,
// which lists what the binary links, does not change with it. A well-kept
// validator earns its place over hand-written checks: the document is 20,000
// lines of allOf, nullable and $ref chains that only a full OpenAPI 3.0
// implementation follows correctly.
//
// Two checks, both needed: Check validates a response (status, content
// type, body) against the operation's schema, which marks few fields
// required; Complete then asks for every field the schema lists, since what
// PeerTube actually sends (every field, null when empty) is the stronger
// contract its apps rely on.
package openapi

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"
)

// The document, as testdata/SOURCES.md says where it comes from.
//
//go:embed testdata/peertube-openapi-7.0.0.yaml
var document []byte

// Contract is the loaded document and its router.
type Contract struct {
	doc    *openapi3.T
	router routers.Router
}

// load parses the 1.3 MB document once per test binary (about a second):
// the result is read-only after, so sharing it is safe.
var load = sync.OnceValues(func() (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("load the OpenAPI document: %w", err)
	}
	if err := applyErrata(doc); err != nil {
		return nil, err
	}
	if err := applyCreatorErrata(doc); err != nil {
		return nil, err
	}
	if err := applySocialErrata(doc); err != nil {
		return nil, err
	}
	if err := applyUsersErrata(doc); err != nil {
		return nil, err
	}
	if err := applyRedundancyErrata(doc); err != nil { // redundancy (#12)
		return nil, err
	}
	if err := applyExportsErrata(doc); err != nil { // export (#11 point 4)
		return nil, err
	}
	// Paths are matched as Cabane serves them, whatever the host: the
	// document's servers are PeerTube's test instances.
	doc.Servers = nil
	router, err := legacy.NewRouter(doc, openapi3.DisableExamplesValidation(), openapi3.DisableSchemaDefaultsValidation())
	if err != nil {
		return nil, fmt.Errorf("route the OpenAPI document: %w", err)
	}
	return &Contract{doc: doc, router: router}, nil
})

// Load returns the contract, failing the test if the document cannot be
// read.
func Load(t testing.TB) *Contract {
	t.Helper()
	c, err := load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Check validates one response to req: its status must be one the
// operation documents (or its default), its content type one the status
// documents, and its body must match that schema. It returns the errors,
// nil when the response keeps the contract.
func (c *Contract) Check(req *http.Request, status int, header http.Header, body []byte) error {
	r := req.Clone(context.Background())
	// The router matches on the path alone; a trailing slash (which
	// PeerTube's router accepts) names the same operation.
	if p := r.URL.Path; len(p) > 1 && strings.HasSuffix(p, "/") {
		r.URL.Path = strings.TrimSuffix(p, "/")
	}
	r.URL.Host, r.Host = "", ""
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		return fmt.Errorf("%s %s is not an operation of the document: %w", req.Method, req.URL.Path, err)
	}
	// PeerTube answers errors (400 with invalid-params, 401, 403, 404...)
	// on operations whose documentation lists only their success: such an
	// answer must be PeerTube's error body (RFC 7807 plus "error"), which
	// its apps read for the message.
	if status >= 400 && route.Operation.Responses.Status(status) == nil {
		if err := checkProblem(status, header, body); err != nil {
			return fmt.Errorf("%s %s → %d (%s): %w", req.Method, req.URL.Path, status, route.Operation.OperationID, err)
		}
		return nil
	}
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route},
		Status:                 status,
		Header:                 header,
		Options: &openapi3filter.Options{
			IncludeResponseStatus: true,
			MultiError:            true,
			// Formats ("url", "hostname", "seconds") are PeerTube's own
			// words, not JSON Schema's: kin-openapi would refuse them.
			SchemaValidationOptions: []openapi3.SchemaValidationOption{openapi3.DisableReadOnlyValidation()},
		},
	}
	in.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		return fmt.Errorf("%s %s → %d breaks the contract of %s: %w", req.Method, req.URL.Path, status, route.Operation.OperationID, err)
	}
	return nil
}

// Complete lists the fields that the response schema of req's operation
// (for status) names and that body lacks, as paths ("data[].account.host").
// Fields under a value that is null are not asked for. allowed lists paths
// that may be absent, each for a reason the caller gives in a comment.
func (c *Contract) Complete(req *http.Request, status int, body []byte, allowed ...string) ([]string, error) {
	r := req.Clone(context.Background())
	r.URL.Path = strings.TrimSuffix(r.URL.Path, "/")
	r.URL.Host, r.Host = "", ""
	route, _, err := c.router.FindRoute(r)
	if err != nil {
		return nil, err
	}
	ref := route.Operation.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("%s has no response %d", route.Operation.OperationID, status)
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil, fmt.Errorf("%s %d has no JSON schema", route.Operation.OperationID, status)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode the body: %w", err)
	}
	var missing []string
	walk(mt.Schema.Value, v, "", func(path string) {
		if !slices.Contains(allowed, path) && !slices.Contains(missing, path) {
			missing = append(missing, path)
		}
	})
	sort.Strings(missing)
	return missing, nil
}

// walk calls absent for every property of s (and of the schemas it is made
// of with allOf) that v lacks, recursing into the values present.
func walk(s *openapi3.Schema, v any, path string, absent func(string)) {
	if s == nil || v == nil {
		return
	}
	switch v := v.(type) {
	case map[string]any:
		for name, p := range properties(s) {
			sub := join(path, name)
			val, ok := v[name]
			if !ok {
				absent(sub)
				continue
			}
			walk(p, val, sub, absent)
		}
	case []any:
		items := s.Items
		for _, a := range s.AllOf {
			if items == nil && a.Value != nil {
				items = a.Value.Items
			}
		}
		if items == nil {
			return
		}
		for _, e := range v {
			walk(items.Value, e, path+"[]", absent)
		}
	}
}

// properties merges s's own properties with those of its allOf parts (the
// document builds VideoDetails as Video plus more); a property defined
// twice takes the later definition (VideoDetails' channel is a full
// VideoChannel, Video's a summary).
func properties(s *openapi3.Schema) map[string]*openapi3.Schema {
	out := map[string]*openapi3.Schema{}
	for _, a := range s.AllOf {
		if a.Value != nil {
			for k, v := range properties(a.Value) {
				out[k] = v
			}
		}
	}
	for k, p := range s.Properties {
		if p.Value != nil {
			out[k] = p.Value
		}
	}
	return out
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// Response is one live response, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req with client, checks the response against the contract
// (failing the test with every discrepancy) and returns it.
func (c *Contract) Do(t testing.TB, client *http.Client, req *http.Request) Response {
	t.Helper()
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Check(req, res.StatusCode, res.Header, b); err != nil {
		t.Errorf("%v\nbody: %s", err, clip(b))
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: b}
}

func clip(b []byte) string {
	if len(b) > 2000 {
		return string(b[:2000]) + "… (" + strconv.Itoa(len(b)) + " bytes)"
	}
	return string(b)
}

// checkProblem checks an error body: a JSON object with the status, and a
// message in detail and error (PeerTube's res.fail()).
func checkProblem(status int, header http.Header, body []byte) error {
	ct := header.Get("Content-Type")
	if !strings.HasPrefix(ct, "application/json") && !strings.HasPrefix(ct, "application/problem+json") {
		return fmt.Errorf("an error body must be JSON, not %q", ct)
	}
	var p struct {
		Status        int    `json:"status"`
		Detail, Error string `json:"-"`
		RawDetail     any    `json:"detail"`
		RawError      any    `json:"error"`
		InvalidParams any    `json:"invalid-params"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return fmt.Errorf("the error body is not a JSON object: %w", err)
	}
	d, ok1 := p.RawDetail.(string)
	e, ok2 := p.RawError.(string)
	if p.Status != status || !ok1 || !ok2 || d == "" || e == "" {
		return fmt.Errorf("the error body lacks PeerTube's status, detail and error: %s", clip(body))
	}
	if p.InvalidParams != nil {
		if _, ok := p.InvalidParams.(map[string]any); !ok {
			return fmt.Errorf("invalid-params must be an object: %s", clip(body))
		}
	}
	return nil
}
