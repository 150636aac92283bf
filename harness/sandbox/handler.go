package sandbox

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// Headers the sandbox sets on answers.
const (
	// SandboxHeader is on every answer of both listeners, whatever the
	// status, so reports and cassettes can tell a sandbox target apart
	// from the real Winston API.
	SandboxHeader = evidence.SandboxHeader
	// SandboxHeaderValue is the value of SandboxHeader.
	SandboxHeaderValue = "local sandbox, not the real Winston API"
	// HSTSValue is the Strict-Transport-Security value of HTTPS answers.
	HSTSValue = "max-age=31536000"
)

// Limits on what a request may hold; larger or deeper input gets a 4xx
// without being held in memory.
const (
	// MaxBodyBytes is the largest request body accepted; above it: 413.
	MaxBodyBytes = 1 << 20
	// MaxJSONDepth is the deepest nesting of arrays and objects accepted;
	// deeper: 400.
	MaxJSONDepth = 64
)

// hstsPending marks an answer whose HSTS header fault hsts-only-on-200
// drops unless the answer is a 200; it never leaves the sandbox.
const hstsPending = "X-Sandbox-Hsts-Only-On-200"

// largeAnswer is the size above which fault large-answer-octet-stream
// sends a 200 as application/octet-stream (a full page of bills is about
// 70 KiB; the examples' answers are a few KiB).
const largeAnswer = 32 << 10

// hangFor is how long fault hang holds an API request.
const hangFor = 30 * time.Second

// apiPrefix is the base path of the v2 API.
const apiPrefix = "/api/v2/"

// apiError is a refusal: the status, a message for the integrator, and
// the one body field at fault, when there is one.
type apiError struct {
	status  int
	message string
	field   string
	// echo is the request body quoted back (fault sort-error-echoes-request).
	echo json.RawMessage
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, e.message) }

// badField is the 400 for one field of the body.
func badField(field, format string, args ...any) *apiError {
	return &apiError{status: http.StatusBadRequest, field: field, message: fmt.Sprintf(format, args...)}
}

// errorBody is the JSON body of every 4xx but 401. Its field order is fixed
// for byte-identical recordings.
type errorBody struct {
	Error   string          `json:"error"`
	Message string          `json:"message"`
	Field   string          `json:"field,omitempty"`
	Request json.RawMessage `json:"request,omitempty"`
}

// route answers one API path for an authenticated tenant and a body that
// is a valid JSON object.
type route func(s *Server, t *tenant, body map[string]json.RawMessage) (any, *apiError)

var routes = map[string]route{
	"/api/v2/bills": func(s *Server, t *tenant, b map[string]json.RawMessage) (any, *apiError) {
		return s.listBills(t, b, false)
	},
	"/api/v2/list/bills": func(s *Server, t *tenant, b map[string]json.RawMessage) (any, *apiError) {
		return s.listBills(t, b, true)
	},
	"/api/v2/list/categories":    (*Server).listCategories,
	"/api/v2/list/revenueGroups": (*Server).listRevenueGroups,
	"/api/v2/categories/vatList": (*Server).listVAT,
	"/api/v2/list/products":      (*Server).listProducts,
	"/api/v2/tables":             (*Server).listTables,
	"/api/v2/tables/order":       (*Server).createOrder,
}

// productsElsewhere is where fault products-elsewhere serves products.
const productsElsewhere = "/api/v2/products"

// Routes returns the API paths the sandbox serves, sorted.
func Routes() []string {
	out := make([]string, 0, len(routes))
	for p := range routes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// serveAPI applies the checks in the documented order: path prefix,
// method, auth, rate limit, route, content type, body size, JSON, then the
// route's own validation. plain is true when the request came over the
// plain-HTTP listener (only with faults http-serves-data and
// http-serves-lists).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, plain bool) {
	s.baseHeaders(w, !plain)
	if s.faults.on(faultOutage) {
		writeText(w, http.StatusServiceUnavailable, "Service Unavailable: the sandbox simulates an outage (fault outage)")
		return
	}
	if s.faults.on(faultOneEndpointDown) && r.URL.Path == "/api/v2/list/revenueGroups" {
		writeText(w, http.StatusServiceUnavailable, "Service Unavailable: the sandbox simulates one endpoint down (fault revenue-groups-down)")
		return
	}
	if s.faults.on(faultReset) {
		// Over TLS the listener already closed the connection; this
		// covers Handler() used without TLS.
		panic(http.ErrAbortHandler)
	}
	if s.faults.on(faultHang) && !s.wait(r, hangFor) {
		return
	}
	if s.opts.Latency > 0 && !s.wait(r, s.opts.Latency) {
		return
	}
	if !strings.HasPrefix(r.URL.Path, apiPrefix) {
		s.writeError(w, &apiError{status: http.StatusNotFound, message: "no such route: the Winston API v2 routes are under /api/v2/"})
		return
	}
	bodyless := false
	if r.Method != http.MethodPost {
		switch {
		case s.faults.on(faultAcceptAnyMethod):
			bodyless = r.ContentLength == 0
		case s.faults.on(faultMethod404):
			s.writeError(w, &apiError{status: http.StatusNotFound, message: "no such route"})
			return
		default:
			w.Header().Set("Allow", http.MethodPost)
			s.writeError(w, &apiError{status: http.StatusMethodNotAllowed, message: "use POST: every Winston API v2 call is a POST with a JSON body"})
			return
		}
	}
	t, why := s.authenticate(r, plain)
	if t == nil {
		s.writeUnauthorized(w, r, why)
		return
	}
	if ok, retry := s.limiter.allow(t.key); !ok {
		if !s.faults.on(fault429NoRetryAfter) {
			w.Header().Set("Retry-After", strconv.Itoa(retry))
		}
		s.writeError(w, &apiError{status: http.StatusTooManyRequests, message: "too many requests for this API key: wait for Retry-After seconds"})
		return
	}
	handle, known := routes[r.URL.Path]
	if s.faults.on(faultProductsElsewhere) {
		// Products live at another path than the catalogue's guess.
		switch r.URL.Path {
		case "/api/v2/list/products":
			handle, known = nil, false
		case productsElsewhere:
			handle, known = (*Server).listProducts, true
		}
	}
	if !known {
		if s.faults.on(faultUnknownRoute503) {
			writeText(w, http.StatusServiceUnavailable, "no healthy upstream")
			return
		}
		if s.faults.on(faultUnknownRoute200) {
			s.writeJSON(w, []struct{}{})
			return
		}
		s.writeError(w, &apiError{status: http.StatusNotFound, message: "no such route under /api/v2/"})
		return
	}
	var body map[string]json.RawMessage
	if bodyless {
		body = map[string]json.RawMessage{}
	} else {
		if e := s.checkContentType(r); e != nil {
			s.writeError(w, e)
			return
		}
		var e *apiError
		if body, e = s.readObject(r); e != nil {
			s.writeError(w, s.as422(r, e))
			return
		}
	}
	answer, e := handle(s, t, body)
	if e != nil && strings.HasPrefix(e.field, "sort.") && s.faults.on(faultSortErrorEchoes) {
		echo, _ := json.Marshal(body)
		e = &apiError{status: e.status, message: "invalid request", echo: echo}
	}
	if e != nil {
		s.writeError(w, s.as422(r, e))
		return
	}
	answer = s.breakItems(answer, strings.HasSuffix(r.URL.Path, "/bills"))
	s.writeJSON(w, answer)
}

// breakItems applies the faults that change the items of an answer after
// the route made it; without them the answer is returned as is.
func (s *Server) breakItems(answer any, isBills bool) any {
	var change func(item map[string]any)
	switch {
	case !isBills && s.faults.on(faultNonBillItemsNoID):
		// The identifying field each non-bill schema requires.
		change = func(item map[string]any) {
			delete(item, "_id")
			delete(item, "category_id")
		}
	case isBills && s.faults.on(faultNumericBillIDs):
		change = func(item map[string]any) {
			if id, ok := item["_id"].(string); ok {
				h := fnv.New32a()
				_, _ = h.Write([]byte(id))
				item["_id"] = h.Sum32()
			}
		}
	case isBills && s.faults.on(faultBillsNoCreatedAt):
		change = func(item map[string]any) { delete(item, "createdAt") }
	default:
		return answer
	}
	return mapItems(answer, change)
}

// mapItems re-reads an answer as plain JSON and applies change to every
// item (or to the answer itself when it is an object).
func mapItems(answer any, change func(item map[string]any)) any {
	data, err := json.Marshal(answer)
	if err != nil {
		return answer
	}
	var v any
	if json.Unmarshal(data, &v) != nil {
		return answer
	}
	apply := func(o any) {
		if m, ok := o.(map[string]any); ok {
			change(m)
		}
	}
	if list, ok := v.([]any); ok {
		for _, it := range list {
			apply(it)
		}
	} else {
		apply(v)
	}
	return v
}

// baseHeaders sets what every answer carries. The Date header is
// suppressed so that two recordings of the same request are identical.
func (s *Server) baseHeaders(w http.ResponseWriter, https bool) {
	h := w.Header()
	h["Date"] = nil
	h.Set(SandboxHeader, SandboxHeaderValue)
	if https && !s.faults.on(faultNoHSTS) {
		h.Set("Strict-Transport-Security", HSTSValue)
	}
	if s.faults.on(faultHSTSOnlyOn200) {
		// Taken back by writeBytes unless the answer is a 200.
		h.Set(hstsPending, "1")
	}
}

// wait holds the request for d; false when the client went away or the
// sandbox is closing, and no answer should be written.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return true
	case <-r.Context().Done():
		return false
	case <-s.closing:
		return false
	}
}

// checkContentType accepts application/json with any parameters
// (charset=utf-8 is common); a missing or other type gets 415.
// as422 turns a 400 into 422 with the correct variant correct-422-refusals,
// except where the contract names 400: create order ("400 on validation").
// An unknown sort field gets 422 too, which ERR-007's SHOULD takes.
func (s *Server) as422(r *http.Request, e *apiError) *apiError {
	if !s.faults.on(variantStatus422) || e.status != http.StatusBadRequest || r.URL.Path == "/api/v2/tables/order" {
		return e
	}
	c := *e
	c.status = http.StatusUnprocessableEntity
	return &c
}

func (s *Server) checkContentType(r *http.Request) *apiError {
	if s.faults.on(faultIgnoreContentType) {
		return nil
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return &apiError{status: http.StatusUnsupportedMediaType, message: "the request has no Content-Type: send Content-Type: application/json"}
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/x-www-form-urlencoded" && s.faults.on(faultFormAsJSON) {
		return nil
	}
	if (err != nil || mt != "application/json") && s.faults.on(variant422ContentType) {
		return &apiError{status: http.StatusUnprocessableEntity, message: "unsupported Content-Type: send the body as JSON with Content-Type: application/json"}
	}
	if err != nil || mt != "application/json" {
		return &apiError{status: http.StatusUnsupportedMediaType, message: "unsupported Content-Type: send the body as JSON with Content-Type: application/json"}
	}
	return nil
}

// plainEmptyList is the answer of fault unlimited-bills-empty-text: an
// empty list that writeJSON sends as text/plain.
type plainEmptyList struct{}

// writeJSON sends a 200 answer. The body is marshalled before the headers
// go out, so Content-Length is exact and nothing is chunked.
func (s *Server) writeJSON(w http.ResponseWriter, v any) {
	if _, ok := v.(plainEmptyList); ok {
		writeBytes(w, http.StatusOK, "text/plain; charset=utf-8", []byte("[]"))
		return
	}
	if s.faults.on(faultV1Wrapper) {
		v = struct {
			Status string `json:"status"`
			Data   any    `json:"data"`
		}{"success", v}
	}
	data, err := json.Marshal(v)
	if err != nil {
		s.writeError(w, &apiError{status: http.StatusInternalServerError, message: "the sandbox could not encode its answer"})
		return
	}
	if s.faults.on(faultTruncatedJSON) {
		data = data[:len(data)/2]
	}
	ct := "application/json"
	switch {
	case s.faults.on(faultTextContentType):
		ct = "text/plain; charset=utf-8"
	case s.faults.on(faultLargeOctetStream) && len(data) > largeAnswer:
		ct = "application/octet-stream"
	}
	writeBytes(w, http.StatusOK, ct, data)
}

// writeError sends a refusal as the JSON error body (or an empty body with
// fault empty-error-body).
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	if s.refusalAs200(w, e.status) {
		return
	}
	if e.status >= 400 && e.status < 500 && (s.faults.on(faultEmptyErrorBody) || e.field != "" && s.faults.on(faultEmptyValidationBody)) {
		writeBytes(w, e.status, "", nil)
		return
	}
	if e.status == http.StatusUnsupportedMediaType && s.faults.on(faultEmpty415Body) {
		writeBytes(w, e.status, "", nil)
		return
	}
	if e.field != "" && e.status >= 400 && e.status < 500 && s.faults.on(variantErrorsKeyedByField) {
		data, _ := json.Marshal(map[string]map[string]string{"errors": {e.field: "is not allowed here"}})
		writeBytes(w, e.status, "application/json", data)
		return
	}
	if e.status >= 400 && e.status < 500 && s.faults.on(faultOpaqueErrorBody) {
		writeBytes(w, e.status, "application/json", []byte("{}"))
		return
	}
	data, err := json.Marshal(errorBody{Error: http.StatusText(e.status), Message: e.message, Field: e.field, Request: e.echo})
	if err != nil {
		writeText(w, e.status, e.message)
		return
	}
	writeBytes(w, e.status, "application/json", data)
}

// writeUnauthorized sends the 401 as short plain text, like the API
// introduction's example; it never contains the key (except, on purpose,
// with faults echo-key-in-401 and echo-key-in-401-on-lists).
func (s *Server) writeUnauthorized(w http.ResponseWriter, r *http.Request, why string) {
	if s.refusalAs200(w, http.StatusUnauthorized) {
		return
	}
	if s.faults.on(faultEchoKeyInHeader) {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf("Token realm=\"winston\", received=%q", r.Header.Get("Authorization")))
	}
	switch {
	case s.faults.on(faultEmpty401Body), s.faults.on(faultEmptyErrorBody):
		writeBytes(w, http.StatusUnauthorized, "", nil)
	case s.faults.on(faultOpaqueErrorBody):
		writeBytes(w, http.StatusUnauthorized, "application/json", []byte("{}"))
	case s.faults.on(faultEchoKeyIn401), s.faults.on(faultEchoKeyIn401OnLists) && strings.HasPrefix(r.URL.Path, "/api/v2/list/"):
		got := r.Header.Get("Authorization")
		if got == "" {
			got = r.URL.RawQuery
		}
		writeText(w, http.StatusUnauthorized, fmt.Sprintf("%s (received %q)", why, got))
	case s.faults.on(faultEchoKeyUpperIn401):
		writeText(w, http.StatusUnauthorized, strings.ToUpper(why+": "+r.Header.Get("Authorization")))
	case s.faults.on(faultEchoKeyEscapedIn401):
		body, _ := json.Marshal(map[string]string{"title": "Unauthorized", "detail": why + " (received " + r.Header.Get("Authorization") + ")"})
		writeBytes(w, http.StatusUnauthorized, "application/json", upperEscapes(body))
	default:
		writeText(w, http.StatusUnauthorized, why)
	}
}

// upperEscapes writes each sign inside the JSON strings of body other than
// the quotes as a \u escape with upper-case hex (fault
// echo-key-escaped-in-401).
func upperEscapes(body []byte) []byte {
	var out bytes.Buffer
	for _, c := range body {
		switch c {
		case '-', '+', '/', '@', '=':
			fmt.Fprintf(&out, "\\u%04X", c)
		default:
			out.WriteByte(c)
		}
	}
	return out.Bytes()
}

// refusalAs200 answers a client error (but a 429) as 200 [] with fault
// client-errors-as-200, and reports whether it did.
func (s *Server) refusalAs200(w http.ResponseWriter, status int) bool {
	if status < 400 || status > 499 || status == http.StatusTooManyRequests || !s.faults.on(faultClientErrorsAs200) {
		return false
	}
	writeBytes(w, http.StatusOK, "application/json", []byte("[]"))
	return true
}

func writeText(w http.ResponseWriter, status int, msg string) {
	writeBytes(w, status, "text/plain; charset=utf-8", []byte(msg+"\n"))
}

func writeBytes(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	if h.Get(hstsPending) != "" {
		h.Del(hstsPending)
		if status != http.StatusOK {
			h.Del("Strict-Transport-Security")
		}
	}
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) //nolint:gosec // G705: JSON or text/plain with nosniff-free plain content; never rendered as HTML. The client may be gone: nothing to do about it
}
