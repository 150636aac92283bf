package conformance

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// ShapesEntryName is the Ginkgo report entry that carries the response
// shapes observed by the schema check, for drift detection.
const ShapesEntryName = "winston.shapes"

// Exercised returns the endpoints this requirement covers that may be
// called in this run. A mutating endpoint is left out where mutations are
// not allowed, and where its example would place an order on the embedded
// catalogue's plan and table against a real environment (NeedsOwnFixtures:
// they are the sandbox's, and the environment's 404 would read as a broken
// contract); the reason is recorded as a finding, so the report can say
// what was not exercised and why.
func (t *T) Exercised() []catalogue.Endpoint { return t.exercised(true) }

// ExercisedOnAnyPlan is Exercised for a check whose orders do not rest on
// the catalogue's plan and table (they name a plan that exists nowhere):
// it keeps the ordering endpoints that Exercised leaves out while the
// fixtures are the sandbox's.
func (t *T) ExercisedOnAnyPlan() []catalogue.Endpoint { return t.exercised(false) }

func (t *T) exercised(ownFixtures bool) []catalogue.Endpoint {
	var out []catalogue.Endpoint
	for _, ep := range t.Endpoints() {
		mutating := ep.Mutating || catalogue.CreatesData(ep.Path)
		if mutating && !t.env.Config.AllowMutations {
			t.Record(evidence.Finding{Endpoint: ep.ID, OK: true, Observed: "not exercised",
				Facts: map[string]string{"skipped": t.env.Config.MutationsReason + "; set WINSTON_ALLOW_MUTATIONS=true to include it"}})
			continue
		}
		if reason := NeedsOwnFixtures(t.env); mutating && ownFixtures && reason != "" {
			t.Record(evidence.Finding{Endpoint: ep.ID, OK: true, Observed: "not exercised",
				Facts: map[string]string{"skipped": reason}})
			continue
		}
		out = append(out, ep)
	}
	return out
}

// Post sends body to the endpoint's path.
func (t *T) Post(ctx context.Context, ep catalogue.Endpoint, body any, opts ...client.Option) *client.Response {
	if ep.Mutating {
		// The client refuses it unsent where mutations are off, whatever
		// the check meant: the last guard, after Exercised and the gates.
		opts = append(opts[:len(opts):len(opts)], client.WithMutation())
	}
	return t.API.Post(ctx, ep.Path, body, opts...)
}

// Each runs fn for every endpoint, concurrently up to the client's bound.
func (t *T) Each(ctx context.Context, eps []catalogue.Endpoint, fn func(ep catalogue.Endpoint)) {
	client.Each(ctx, t.API, eps, fn)
}

// ExpectStatus records whether resp has one of the wanted statuses.
//
// Where every status wanted is a refusal (a 4xx), a 502, 503 or 504 is
// judged as Expect4xx judges it: when the path still serves, the 5xx was
// this bad request's.
func (t *T) ExpectStatus(endpoint string, resp *client.Response, want ...int) bool {
	refusal := len(want) > 0
	for _, w := range want {
		refusal = refusal && w >= 400 && w < 500
	}
	if judged, ok := t.statusOfALongAnswer(endpoint, statusList(want), resp, slices.Contains(want, resp.Status), refusal); judged {
		return ok
	}
	ok := resp.Err == nil && slices.Contains(want, resp.Status)
	t.observe(endpoint, ok, statusList(want), resp, refusal)
	return ok
}

// Expect4xx records whether resp is a client error (400-499): never a 2xx
// and never a 5xx.
//
// A 502, 503 or 504 is judged here when the same path answered other
// requests of the run: a backend that crashes on the bad request behind a
// gateway answers so, and an outage of the path would not have answered
// the others. Where the path has not answered otherwise, it is an outage,
// not judged, as in Observe.
func (t *T) Expect4xx(endpoint string, resp *client.Response, what string) bool {
	expected := "a 4xx for " + what + " (never 2xx, never 5xx)"
	if judged, ok := t.statusOfALongAnswer(endpoint, expected, resp, resp.Status >= 400 && resp.Status < 500, true); judged {
		return ok
	}
	ok := resp.Err == nil && resp.Status >= 400 && resp.Status < 500
	t.observe(endpoint, ok, expected, resp, true)
	return ok
}

// statusOfALongAnswer judges the status of an answer whose body was longer
// than WINSTON_MAX_BODY (and so not read): a check of the status alone
// needs no body, and a wrong status is a violation whatever the body.
// judged is false for any other answer, and for an outage's or a
// throttling status, which observe judges as it always does.
func (t *T) statusOfALongAnswer(endpoint, expected string, resp *client.Response, statusOK, refusal bool) (judged, ok bool) {
	if resp == nil || resp.Status == 0 || !errors.Is(resp.Err, client.ErrBodyTooLarge) {
		return false, false
	}
	switch resp.Status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		// An outage or throttling: observe judges them as it always does.
		return false, false
	}
	observed := Summary(resp)
	if t.routeMissing(endpoint, expected, observed, resp, statusOK, refusal) {
		// A 404 that says the path is no route, as for a short answer.
		return true, statusOK
	}
	t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed, OK: statusOK})
	if !statusOK {
		t.keepDetail(endpoint, expected, observed, resp)
	}
	return true, statusOK
}

func statusList(want []int) string {
	parts := make([]string, len(want))
	for i, w := range want {
		parts[i] = strconv.Itoa(w)
	}
	return strings.Join(parts, " or ")
}

// Summary is a one-line account of an answer, for findings.
func Summary(resp *client.Response) string {
	if resp == nil {
		return "no request"
	}
	if resp.Err != nil && (resp.Status == 0 || !errors.Is(resp.Err, client.ErrBodyTooLarge)) {
		return evidence.NoAnswerPrefix + redactor().String(resp.Err.Error())
	}
	s := strconv.Itoa(resp.Status)
	if ct := resp.Header.Get("Content-Type"); ct != "" {
		s += " (" + ct + ")"
	}
	if resp.Err != nil {
		s += "; its body, longer than WINSTON_MAX_BODY, was not read"
	}
	return s
}

// IsJSONContentType reports whether a Content-Type header names JSON.
func IsJSONContentType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && mt == "application/json"
}

// With returns a copy of body with the given fields set (nil deletes).
func With(body map[string]any, kv ...any) map[string]any {
	out := make(map[string]any, len(body)+len(kv)/2)
	for k, v := range body {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if kv[i+1] == nil {
			delete(out, k)
			continue
		}
		out[k] = kv[i+1]
	}
	return out
}

// TargetOrigin is the https origin the run talks to: the configured base
// URL, or in replay the origin the spec's cassette was recorded from (so that
// a redirect's Location is judged against the host that sent it).
func (t *T) TargetOrigin() *url.URL {
	if t.env.Config.IsReplay() && t.cassette.Target != "" {
		if u, err := url.Parse(t.cassette.Target); err == nil {
			return u
		}
	}
	return t.env.Config.BaseURL
}

// Now is the reference time the spec's fixtures were resolved against
// (${now-36h} and the like): WINSTON_NOW, the cassette's in replay, or the
// start of the run.
func (t *T) Now() time.Time { return t.env.referenceNow(t.cassette) }
