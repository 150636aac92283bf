package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	. "github.com/winston-conformance/winston-conformance/harness/conformance" //nolint:revive // the checks' vocabulary
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// nonJSONTypes are the Content-Types STRUCT-004 sends a JSON body under:
// plain text, and the form type that curl -d and HTML forms send by
// default, which a server's form parser may take where its JSON parser
// should have refused.
var nonJSONTypes = []string{"text/plain", "application/x-www-form-urlencoded"}

// otherMethods are the methods the contract leaves out: every call is a POST.
var otherMethods = []string{http.MethodGet, http.MethodPut, http.MethodPatch, http.MethodDelete}

// eachOK sends each exercised endpoint's valid example and hands the 200
// answers to judge; anything but a 200 is a violation of its own.
func eachOK(judge func(t *T, ep catalogue.Endpoint, resp *client.Response)) Check {
	return Check{Run: func(ctx SpecContext, t *T) {
		t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
			resp := t.Post(ctx, ep, ep.Request)
			if t.ExpectStatus(ep.ID, resp, 200) {
				judge(t, ep, resp)
			}
		})
	}}
}

// readable200 reports whether resp is a 200 for a check whose rule is
// about 200 answers (their type, wrapper or schema). Another status to a
// valid request is STRUCT-001's (and AUTH-001's) violation, recorded here
// as not judged, so that one broken answer is not counted by every check
// that reads it; a 401, 403 or 404 (the key's or the route's, which the
// run's hints explain), no answer, a 429 and an outage are observed as
// what they are.
func readable200(t *T, where string, resp *client.Response) bool {
	switch {
	case resp.Err != nil, resp.Status == 200, resp.Unavailable(),
		resp.Status == http.StatusUnauthorized, resp.Status == http.StatusForbidden, resp.Status == http.StatusNotFound, resp.Status == http.StatusTooManyRequests:
		return t.ExpectStatus(where, resp, 200)
	}
	t.NotJudged(where, "a 200 answer to read", resp, fmt.Sprintf("the valid request got %d, not a 200 to read: STRUCT-001 judges its status", resp.Status))
	return false
}

// eachOKRead is eachOK for a check whose rule is about 200 answers: a
// valid request that gets another status is STRUCT-001's to judge.
func eachOKRead(judge func(t *T, ep catalogue.Endpoint, resp *client.Response)) Check {
	return Check{Run: func(ctx SpecContext, t *T) {
		t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
			resp := t.Post(ctx, ep, ep.Request)
			if readable200(t, ep.ID, resp) {
				judge(t, ep, resp)
			}
		})
	}}
}

func structureChecks() map[string]Check {
	return map[string]Check{
		"STRUCT-001": eachOK(func(t *T, ep catalogue.Endpoint, resp *client.Response) {
			t.Observe(ep.ID, json.Valid(resp.Body), "a body that parses as JSON", resp)
		}),
		"STRUCT-002": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				for _, m := range methodsFor(t, ep) {
					resp := t.Post(ctx, ep, ep.Request, client.WithMethod(m))
					t.Expect4xx(ep.ID+" ("+m+")", resp, m+" on a POST-only API")
				}
			})
		}},
		"STRUCT-003": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				for _, m := range methodsFor(t, ep) {
					resp := t.Post(ctx, ep, ep.Request, client.WithMethod(m))
					ok := resp.Err == nil && resp.Status == http.StatusMethodNotAllowed && allowsPost(resp.Header)
					t.Observe(ep.ID+" ("+m+")", ok, `405 with "Allow: POST"`, resp)
				}
			})
		}},
		"STRUCT-004": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				raw, _ := json.Marshal(ep.Request)
				for _, ct := range nonJSONTypes {
					resp := t.Post(ctx, ep, nil, client.WithRawBody(raw), client.WithContentType(ct))
					// 422 refuses what the server cannot read as 400 does
					// (ERR-007 takes it too); a 404 or 405 would say the
					// route or method is wrong, which it is not.
					t.ExpectStatus(ep.ID+" ("+ct+")", resp, 415, 400, 422)
				}
			})
		}},
		"STRUCT-005": {Run: checkJSONContentType},
		"STRUCT-006": eachOKRead(func(t *T, ep catalogue.Endpoint, resp *client.Response) {
			t.Observe(ep.ID, !isV1Wrapper(resp.Body), `no {"status": ..., "data": ...} envelope`, resp)
		}),
	}
}

// checkJSONContentType reads the Content-Type of each endpoint's 200
// answer to its example and, for a list, to its large query too: a full
// page (100 bills, tens of KiB) is where a server that streams big
// answers through another writer would lose the JSON type, and the rule
// is about every 200, not the small ones. The example must get 200 (as in
// STRUCT-001); the large query's status is the list checks' to judge.
func checkJSONContentType(ctx SpecContext, t *T) {
	t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
		resp := t.Post(ctx, ep, ep.Request)
		if readable200(t, ep.ID+" (example)", resp) {
			t.Observe(ep.ID+" (example)", IsJSONContentType(resp.Header.Get("Content-Type")), "Content-Type: application/json", resp)
		}
		if ep.Large == nil {
			return
		}
		where := ep.ID + " (large query, default page)"
		resp = t.Post(ctx, ep, With(ep.Large, "limit", nil))
		if resp.Err != nil || resp.Status != 200 {
			t.NotJudged(where, "Content-Type: application/json", resp, "not a 200: the list checks judge its status")
			return
		}
		if isJSON := IsJSONContentType(resp.Header.Get("Content-Type")); isJSON && emptyList(resp.Body) {
			// The full page is asked for because a large answer is where
			// a server's framework may switch types; a JSON [] shows
			// nothing of that (a [] of another type is still wrong).
			t.NotJudged(where, "Content-Type: application/json", resp, "an empty list: not the large answer this half of the check is about")
			return
		}
		t.Observe(where, IsJSONContentType(resp.Header.Get("Content-Type")), "Content-Type: application/json", resp)
	})
}

// methodsFor returns the other methods a check sends to ep, each with the
// endpoint's valid request body (so that a refusal of an empty body is not
// taken for a refusal of the method). Where mutations are not allowed only
// GET is sent: a target that wrongly honoured PUT, PATCH or DELETE would
// change data. What is left out is recorded, as Exercised does.
func methodsFor(t *T, ep catalogue.Endpoint) []string {
	if t.Env().Config.AllowMutations {
		return otherMethods
	}
	t.Record(evidence.Finding{Endpoint: ep.ID + " (PUT, PATCH, DELETE)", OK: true, Observed: "not sent",
		Facts: map[string]string{"skipped": t.Env().Config.MutationsReason + "; set WINSTON_ALLOW_MUTATIONS=true to send them"}})
	return []string{http.MethodGet}
}

func allowsPost(h http.Header) bool {
	for _, v := range h.Values("Allow") {
		for _, m := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(m), http.MethodPost) {
				return true
			}
		}
	}
	return false
}

// isV1Wrapper reports whether body is an object with the v1 envelope's
// "status" and "data" members.
func isV1Wrapper(body []byte) bool {
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil {
		return false
	}
	_, hasStatus := obj["status"]
	_, hasData := obj["data"]
	return hasStatus && hasData
}
