package suites

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	. "github.com/winston-conformance/winston-conformance/harness/conformance" //nolint:revive // the checks' vocabulary
)

// unknownRoute is a path under /api/v2/ that no Winston route can have.
const unknownRoute = "/api/v2/conformance-check/no-such-route"

// unknownTableNumber is a table number no venue is expected to have; a
// conforming server refuses an unknown plan whether the table exists or
// not, so the check holds either way.
const unknownTableNumber = 98765

// malformedJSON is cut off in the middle of an object.
const malformedJSON = `{"sort": {"createdAt": 1}, "limit": `

// maxLimit is the largest page the reporting guide allows.
const maxLimit = 1000

// unknownPlanStatuses are the create-order route's documented error
// statuses: the page says an unknown plan places no order, not which of
// the two refuses it.
var unknownPlanStatuses = []int{404, 400}

// overLimit is what an answer to a limit over the cap shows.
type overLimit int

const (
	// overLimitKept: refused (a 4xx), or a page capped at the cap.
	overLimitKept overLimit = iota
	// overLimitBroken: more items than the cap, a 2xx that is no list,
	// a 5xx, or no answer.
	overLimitBroken
	// overLimitUnknown: a page of fewer items than the cap, which a
	// server that caps and one that does not both give when the query
	// matches no more.
	overLimitUnknown
)

// overLimitAnswered judges the answer to a limit over the cap: the guide
// says "at most 1000", so a refusal (4xx) and a page of exactly 1000 items
// keep the rule; more items, a 2xx that is no list, or a 5xx do not. A
// page of fewer items tells nothing, and says how many it held.
func overLimitAnswered(resp *client.Response) (overLimit, int) {
	if resp == nil || resp.Err != nil {
		return overLimitBroken, 0
	}
	if resp.Status >= 400 && resp.Status < 500 {
		return overLimitKept, 0
	}
	if resp.Status != 200 {
		return overLimitBroken, 0
	}
	items, err := Items(resp)
	switch {
	case err != nil, len(items) > maxLimit:
		return overLimitBroken, len(items)
	case len(items) == maxLimit:
		return overLimitKept, len(items)
	}
	return overLimitUnknown, len(items)
}

func errorChecks() map[string]Check {
	return map[string]Check{
		"ERR-001": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				// The contract's rule is "a 4xx, never a 2xx or 5xx" (400 is
				// usual, 422 is as correct): the exact code is not documented.
				t.Expect4xx(ep.ID, t.Post(ctx, ep, nil, client.WithRawBody([]byte(malformedJSON))), "a body that is not JSON")
			})
		}},
		"ERR-002": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				t.Expect4xx(ep.ID+` (limit "5")`, t.Post(ctx, ep, With(ep.Request, "limit", "5")), "a limit sent as a string")
			})
		}},
		"ERR-003": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				// The large query matches the most items: a cap shows
				// only where more than the cap could be listed.
				query := ep.Request
				if ep.Large != nil {
					query = ep.Large
				}
				where := fmt.Sprintf("%s (limit %d)", ep.ID, maxLimit+1)
				expected := fmt.Sprintf("a 4xx, or a 200 with at most %d items (the guide caps limit at %d; a server may refuse a larger one or cap it)", maxLimit, maxLimit)
				resp := t.Post(ctx, ep, With(query, "limit", maxLimit+1))
				switch kept, n := overLimitAnswered(resp); kept {
				case overLimitUnknown:
					t.NotJudged(where, expected, resp, fmt.Sprintf("the query matched %d items, fewer than %d, so a page that is capped and one that is not look alike", n, maxLimit))
				default:
					t.Observe(where, kept == overLimitKept, expected, resp)
				}
				for _, limit := range []any{-1, 2.5} {
					resp := t.Post(ctx, ep, With(ep.Request, "limit", limit))
					t.Expect4xx(fmt.Sprintf("%s (limit %v)", ep.ID, limit), resp, "a limit that is not a count")
				}
			})
		}},
		"ERR-004": {Run: func(ctx SpecContext, t *T) {
			t.ExpectStatus(unknownRoute, t.API.Post(ctx, unknownRoute, map[string]any{}), 404)
		}},
		"ERR-005": {Run: func(ctx SpecContext, t *T) {
			// On the fixture's table, and on a table number that is
			// not there: an unknown number creates a table on plan_id,
			// and an unknown plan must not get one either. The plan is
			// unknown everywhere, so the sandbox's fixtures do.
			for _, ep := range t.ExercisedOnAnyPlan() {
				for _, number := range []int{t.Fx.TableNumber, unknownTableNumber} {
					body := With(ep.Request, "plan_id", t.Fx.UnknownPlanID, "number", number)
					t.ExpectStatus(fmt.Sprintf("%s (table %d, plan %s)", ep.ID, number, t.Fx.UnknownPlanID), t.Post(ctx, ep, body), unknownPlanStatuses...)
				}
			}
		}},
		"ERR-006": {Run: checkErrorBodies},
		"ERR-007": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				const field = "conformanceNoSuchField"
				resp := t.Post(ctx, ep, With(ep.Request, "sort", map[string]any{field: 1}))
				// 422 refuses a well-formed body as well as 400 does (the
				// other checks take either); the body must name the field.
				if t.ExpectStatus(ep.ID+" (sort on "+field+")", resp, 400, 422) {
					t.Observe(ep.ID, namesField(resp.Body, field), "a 400 or 422 body that names "+field+" in its message (text, or a JSON string value; an echo of the request does not name it)", resp)
				}
			})
		}},
		"ERR-008": {Run: checkRetryAfter, JudgesRateLimit: true},
	}
}

// provocation is a request sent to get a 4xx, and its answer.
type provocation struct {
	what string
	resp *client.Response
}

// checkErrorBodies provokes each kind of client error on the endpoints and
// reads the bodies: every 4xx must explain itself. An endpoint where no
// provocation got a 4xx gave no body to read, and that is a violation: the
// rule cannot have held where it was never seen.
func checkErrorBodies(ctx SpecContext, t *T) {
	// A route that is not there: the router's refusal, with the key.
	route := t.API.Post(ctx, unknownRoute, map[string]any{})
	switch {
	case route.Exchange.ReplayMiss:
		// A cassette recorded before the check asked this: re-record.
		t.Observe(unknownRoute, false, "a 4xx to read", route)
	case route.Err == nil && route.Status >= 400 && route.Status <= 499:
		t.Observe(unknownRoute, explains(route.Body), "a body that explains the "+strconv.Itoa(route.Status)+" in words (text, or a JSON string value)", route)
	default:
		t.NotJudged(unknownRoute, "a 4xx to read", route, "not a 4xx: ERR-004 judges its status")
	}
	t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
		provocations := []provocation{
			{"no credentials", t.Post(ctx, ep, ep.Request, client.WithAuth(client.AuthNone))},
			{"malformed JSON", t.Post(ctx, ep, nil, client.WithRawBody([]byte(malformedJSON)))},
			{"GET", t.Post(ctx, ep, nil, client.WithMethod(http.MethodGet))},
		}
		if !ep.Mutating && !catalogue.CreatesData(ep.Path) {
			// A refusal of a field's value, which a validation layer
			// writes (the others come from the auth layer, the JSON
			// parser and the router). Never to an order route: a
			// server that ignores the field would place an order.
			provocations = append(provocations, provocation{`limit "5"`, t.Post(ctx, ep, With(ep.Request, "limit", "5"))})
			// The content-type refusal (STRUCT-004) and the method
			// refusal, each written by a layer of its own. Not to an
			// order route either: a server that ignores them would
			// place an order. PUT only where mutations are allowed, as
			// STRUCT-002 sends it: one honoured would change data.
			raw, _ := json.Marshal(ep.Request)
			provocations = append(provocations,
				provocation{"Content-Type text/plain", t.Post(ctx, ep, nil, client.WithRawBody(raw), client.WithContentType("text/plain"))})
			if t.Env().Config.AllowMutations {
				provocations = append(provocations, provocation{"PUT", t.Post(ctx, ep, ep.Request, client.WithMethod(http.MethodPut))})
			}
		}
		read := 0
		var got []string
		for _, p := range provocations {
			where := ep.ID + " (" + p.what + ")"
			if p.resp.Exchange.ReplayMiss {
				// A cassette recorded before the check asked this: the
				// miss makes the check a re-record, never a pass.
				t.Observe(where, false, "a 4xx to read", p.resp)
				continue
			}
			if p.resp.Err != nil || p.resp.Status < 400 || p.resp.Status > 499 {
				t.NotJudged(where, "a 4xx to read", p.resp, "not a 4xx: its status is judged by the status checks, not here")
				got = append(got, p.what+": "+Summary(p.resp))
				continue
			}
			read++
			t.Observe(where, explains(p.resp.Body), "a body that explains the "+strconv.Itoa(p.resp.Status)+" in words (text, or a JSON string value)", p.resp)
		}
		if read == 0 {
			t.Observe(ep.ID, false, "at least one 4xx body to judge: none of no credentials, malformed JSON, GET, a bad field value, a text/plain body and (where mutations are allowed) PUT got a 4xx ("+strings.Join(got, "; ")+")", provocations[0].resp)
		}
	})
}

// checkRetryAfter sends a burst at once, without retries, and reads every
// 429: each must say when to retry. No 429 at all leaves the rule untested,
// and the skip says how to provoke one.
func checkRetryAfter(ctx SpecContext, t *T) {
	for _, ep := range t.Exercised() {
		n := max(t.Fx.RateLimitBurst, 1)
		req := ep.Request
		if _, paged := req["limit"]; paged {
			// The answers are not judged, only their status: ask for
			// as little as possible.
			req = With(req, "limit", 1)
		}
		resps := make([]*client.Response, n)
		var wg sync.WaitGroup
		for i := range resps {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resps[i] = t.Post(ctx, ep, req, client.WithoutRetry(), client.WithoutRateLimit())
			}()
		}
		wg.Wait()
		limited := 0
		for _, r := range resps {
			if r.Err != nil || r.Status != http.StatusTooManyRequests {
				continue
			}
			limited++
			ra := r.Header.Get("Retry-After")
			t.Observe(ep.ID, validRetryAfter(ra), "a Retry-After header (seconds or an HTTP date) on 429", r)
		}
		if limited == 0 {
			if r := unanswered(resps); r != nil {
				// No request of the burst was answered at all (no
				// connection, the key refused, the endpoint down): that
				// says nothing of a rate limit, and is the run's setup or
				// an outage, as Observe records it.
				t.Observe(ep.ID+" (burst)", false, "an answer to the burst's requests (200, or 429 with a Retry-After header)", r)
				continue
			}
			fix := "raise fixtures.rateLimitBurst in your catalogue (WINSTON_CATALOGUE) to provoke one"
			if t.Env().Config.IsReplay() {
				fix = "the recorded run got none either; a live run, with a larger fixtures.rateLimitBurst if need be, may provoke one"
			}
			Skip(fmt.Sprintf("the target did not rate-limit a burst of %d requests to %s, so no 429 could be read: %s", n, ep.Path, fix))
		}
	}
}

// unanswered is the first of resps when none of them is an answer that
// could show a rate limit (no connection, 401 or 403, a 5xx), and nil when
// one is.
func unanswered(resps []*client.Response) *client.Response {
	for _, r := range resps {
		if r.Err == nil && r.Status < 500 && r.Status != http.StatusUnauthorized && r.Status != http.StatusForbidden {
			return nil
		}
	}
	if len(resps) == 0 {
		return nil
	}
	return resps[0]
}

func validRetryAfter(v string) bool {
	if v == "" {
		return false
	}
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
		return n >= 0
	}
	_, err := http.ParseTime(v)
	return err == nil
}
