package suites

import (
	"fmt"
	"net/http"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	. "github.com/winston-conformance/winston-conformance/harness/conformance" //nolint:revive // the checks' vocabulary
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// rejected sends the endpoint's valid example with the given credential
// variants and expects one of the statuses for each.
func rejected(variants []client.Auth, want ...int) Check {
	return Check{Run: func(ctx SpecContext, t *T) {
		t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
			for _, a := range variants {
				resp := t.Post(ctx, ep, ep.Request, client.WithAuth(a))
				t.ExpectStatus(ep.ID+" ("+string(a)+")", resp, want...)
			}
		})
	}}
}

func authChecks() map[string]Check {
	return map[string]Check{
		"AUTH-001": {Run: func(ctx SpecContext, t *T) {
			t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
				t.ExpectStatus(ep.ID, t.Post(ctx, ep, ep.Request), 200)
			})
		}},
		"AUTH-002": rejected([]client.Auth{client.AuthNone}, 401),
		"AUTH-003": rejected([]client.Auth{client.AuthNoAt, client.AuthEmptyApp, client.AuthEmptyKey}, 401),
		"AUTH-004": rejected([]client.Auth{client.AuthOtherScheme, client.AuthBasic}, 401),
		"AUTH-005": rejected([]client.Auth{client.AuthWrongApp}, 401, 403),
		"AUTH-006": rejected([]client.Auth{client.AuthWrongKey, client.AuthNearKey}, 401),
		"AUTH-007": rejected([]client.Auth{client.AuthV1Query}, 401),
		"AUTH-008": {Run: checkAuthFailureBody},
		"AUTH-009": {Gates: []Gate{NeedsSecondTenant}, Run: checkTenantIsolation},
	}
}

// checkAuthFailureBody sends each kind of bad credential and reads the 401:
// it must explain, and must not quote the key (nor the placeholder the
// redactor put in its place when it was recorded, nor the wrong fixture key).
func checkAuthFailureBody(ctx SpecContext, t *T) {
	variants := []client.Auth{client.AuthNone, client.AuthWrongKey, client.AuthNoAt, client.AuthOtherScheme, client.AuthWrongApp}
	var refusals, accepted, lost atomic.Int32
	t.Each(ctx, t.Exercised(), func(ep catalogue.Endpoint) {
		for _, a := range variants {
			resp := t.Post(ctx, ep, ep.Request, client.WithAuth(a))
			where := ep.ID + " (" + string(a) + ")"
			if resp.Err != nil || resp.Status == http.StatusTooManyRequests {
				// No answer, or a 429, which Observe records as
				// throttled, not judged.
				lost.Add(1)
				t.Observe(where, false, "401 with an explaining body", resp)
				continue
			}
			if resp.Status != 401 && resp.Status != 403 {
				// The status is AUTH-002 to AUTH-007's to judge; this
				// check reads refusals only.
				accepted.Add(1)
				t.NotJudged(where, "a 401 with an explaining body", resp, fmt.Sprintf("the answer was %d, not a refusal to read (AUTH-002 to AUTH-007 judge the status)", resp.Status))
				continue
			}
			refusals.Add(1)
			t.Observe(where, explains(resp.Body), "a body that explains the 401 in words (text, or a JSON string value)", resp)
			t.Observe(where, !echoesCredential(t, string(resp.Body)), "a body that does not quote the key or the Authorization header", resp)
			// The whole answer counts: a header (WWW-Authenticate, a debug
			// header) that quotes the key leaks it as surely as the body.
			hdr := echoingHeader(t, resp.Header)
			expected := "no header that quotes the key or the Authorization header"
			if hdr != "" {
				expected += " (" + hdr + " does)"
			}
			t.Observe(where, hdr == "", expected, resp)
		}
	})
	if refusals.Load() == 0 && lost.Load() == 0 && accepted.Load() > 0 {
		// Nothing refused a bad credential, so there is no refusal to
		// read: that failure is AUTH-002 to AUTH-007's, not this rule's.
		Skip("no bad credential was refused (no 401 or 403 came), so no refusal could be read: AUTH-002 to AUTH-007 report the statuses")
	}
}

// echoingHeader names the first header of a 401 whose value quotes the
// key, or "".
func echoingHeader(t *T, h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		for _, v := range h[k] {
			if echoesCredential(t, v) {
				return k
			}
		}
	}
	return ""
}

func echoesCredential(t *T, body string) bool {
	for _, s := range []string{"<WINSTON_API_KEY", t.Fx.WrongKey} {
		if s != "" && strings.Contains(body, s) {
			return true
		}
	}
	return redact.Global().String(body) != body
}

// refusal is an answer that refused the second tenant's key.
type refusal struct {
	where string
	resp  *client.Response
}

// checkTenantIsolation lists bills with both tenants' keys: no bill may
// appear in both.
func checkTenantIsolation(ctx SpecContext, t *T) {
	// refused are the endpoints that refused the second key while they
	// took the first: a wrong second key when no endpoint took it, a
	// broken endpoint when another did.
	var refused []refusal
	secondTaken := false
	defer func() {
		for _, r := range refused {
			if secondTaken {
				t.ExpectStatus(r.where, r.resp, 200)
				continue
			}
			t.Record(evidence.Finding{Endpoint: r.where, Expected: "200", Observed: Summary(r.resp),
				Facts: map[string]string{SecondKeyRefusedFact: "the target refused WINSTON_API_KEY_2 on every endpoint: copy the second tenant's key again"}})
		}
	}()
	for _, ep := range t.Exercised() {
		// The large query, and the example's when it filters otherwise
		// (list-bills' businessDay beside its modifiedSince): a server
		// may scope one query path by tenant and not another.
		queries := []map[string]any{With(ep.Large, "limit", 1000)}
		if ex := With(ep.Request, "limit", 1000); !sameFilters(ex, queries[0]) {
			queries = append(queries, ex)
		}
		for i, q := range queries {
			where := ep.ID
			if i > 0 {
				where += " (example query)"
			}
			if taken, r := isolated(ctx, t, ep, where, q); r != nil {
				refused = append(refused, *r)
			} else {
				secondTaken = secondTaken || taken
			}
		}
	}
}

// isolated asks ep for q with each tenant's key and judges that the second
// tenant's list holds no bill of the first's. It returns whether the second
// key was taken, or the refusal of the second key (401 or 403) where the
// first was taken, for checkTenantIsolation to judge once every endpoint
// has answered.
func isolated(ctx SpecContext, t *T, ep catalogue.Endpoint, where string, q map[string]any) (bool, *refusal) {
	first := t.Post(ctx, ep, q)
	second := t.Post(ctx, ep, q, client.WithAuth(client.AuthSecondTenant))
	if !t.ExpectStatus(where+" (first tenant)", first, 200) {
		return false, nil
	}
	if second.Err == nil && (second.Status == 401 || second.Status == 403) {
		return false, &refusal{where + " (second tenant)", second}
	}
	taken := second.Err == nil && second.Status == 200
	if !t.ExpectStatus(where+" (second tenant)", second, 200) {
		return taken, nil
	}
	a, errA := Items(first)
	b, errB := Items(second)
	if errA != nil || errB != nil {
		// The answer that could not be read is the one judged (one
		// longer than WINSTON_MAX_BODY is then the setting's).
		unread := first
		if errA == nil {
			unread = second
		}
		t.Observe(where, false, "two JSON lists of bills", unread)
		return taken, nil
	}
	// An empty first list leaves nothing that could leak.
	if !enough(t, where+" (first tenant)", len(a), 1, "tenant isolation", first) {
		return taken, nil
	}
	idsA, okA := stringIDs(t, where+" (first tenant)", a, first)
	idsB, okB := stringIDs(t, where+" (second tenant)", b, second)
	if !okA || !okB {
		return taken, nil
	}
	seen := map[string]bool{}
	for _, id := range idsA {
		seen[id] = true
	}
	var shared []string
	for _, id := range idsB {
		if seen[id] {
			shared = append(shared, id)
		}
	}
	expected := "no bill of the first tenant in the second tenant's list"
	if len(shared) > 0 {
		expected += "; both lists hold " + strings.Join(first3(shared), ", ")
	}
	t.Observe(where, len(shared) == 0, expected, second)
	return taken, nil
}

// sameFilters reports whether two list queries filter alike: the same
// members, sort, limit and skip aside, with the same values.
func sameFilters(a, b map[string]any) bool {
	filters := func(m map[string]any) map[string]any {
		return With(m, "sort", nil, "limit", nil, "skip", nil)
	}
	return reflect.DeepEqual(filters(a), filters(b))
}

func idOf(item map[string]any) string {
	s, _ := item["_id"].(string)
	return s
}

func first3(s []string) []string {
	if len(s) > 3 {
		return append(s[:3:3], "...")
	}
	return s
}
