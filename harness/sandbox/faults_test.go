package sandbox

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/client"
)

// faultProbe observes the one behaviour a fault breaks: broken reports
// whether the sandbox misbehaved. Each probe runs against a sandbox with
// the fault (must see it broken) and one without (must not), so a probe
// that cannot tell the difference fails too. baseline adds options to the
// sandbox without the fault, where the behaviour needs them to show.
type faultProbe struct {
	baseline Options
	broken   func(h *harness) bool
}

func hasStatus(h *harness, c call, want int) bool { return h.do(c).status == want }

var bills = "/api/v2/bills"

var faultProbes = map[string]faultProbe{
	faultRejectValidToken: {broken: func(h *harness) bool { return hasStatus(h, call{path: bills}, 401) }},
	faultRejectValidTokenOnLists: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: "/api/v2/list/categories"}, 401) && hasStatus(h, call{path: bills}, 200)
	}},
	faultAuthBypass: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, auth: "-"}, 200) && hasStatus(h, call{path: bills, auth: validToken("wrong-key-000000")}, 200)
	}},
	faultAcceptMalformedToken: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, auth: "Token " + DefaultApp + DefaultKey}, 200) &&
			hasStatus(h, call{path: bills, auth: "Token @" + DefaultKey}, 200) &&
			hasStatus(h, call{path: bills, auth: "Token " + DefaultApp + "@"}, 401)
	}},
	faultAcceptOtherScheme: {broken: func(h *harness) bool {
		basic := "Basic " + base64.StdEncoding.EncodeToString([]byte(DefaultApp+":"+DefaultKey))
		return hasStatus(h, call{path: bills, auth: "Bearer " + DefaultKey}, 200) && hasStatus(h, call{path: bills, auth: basic}, 200)
	}},
	faultAcceptWrongApp: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, auth: "Token not_an_app@" + DefaultKey}, 200)
	}},
	faultLaxAuthOnLists: {broken: func(h *harness) bool {
		list := "/api/v2/list/categories"
		return hasStatus(h, call{path: list, auth: "Token " + DefaultApp + DefaultKey}, 200) &&
			hasStatus(h, call{path: list, auth: "Bearer " + DefaultKey}, 200) &&
			hasStatus(h, call{path: list, auth: "Token not_an_app@" + DefaultKey}, 200) &&
			hasStatus(h, call{path: bills, auth: "Token not_an_app@" + DefaultKey}, 401) &&
			hasStatus(h, call{path: bills, auth: "Bearer " + DefaultKey}, 401)
	}},
	faultAcceptV1Query: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, auth: "-", query: "api_key=" + DefaultKey + "&app_name=" + DefaultApp}, 200)
	}},
	faultAcceptV1QueryOnLists: {broken: func(h *harness) bool {
		q := "api_key=" + DefaultKey + "&app_name=" + DefaultApp
		return hasStatus(h, call{path: "/api/v2/list/categories", auth: "-", query: q}, 200) && hasStatus(h, call{path: bills, auth: "-", query: q}, 401)
	}},
	faultEchoKeyIn401: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, auth: "Token not_an_app@" + DefaultKey})
		return r.status == 401 && bytes.Contains(r.body, []byte(DefaultKey))
	}},
	faultEchoKeyIn401OnLists: {broken: func(h *harness) bool {
		list := h.do(call{path: "/api/v2/list/categories", auth: "Token not_an_app@" + DefaultKey})
		clean := h.do(call{path: bills, auth: "Token not_an_app@" + DefaultKey})
		return list.status == 401 && bytes.Contains(list.body, []byte(DefaultKey)) && clean.status == 401 && !bytes.Contains(clean.body, []byte(DefaultKey))
	}},
	faultEchoKeyInHeader: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, auth: "Token not_an_app@" + DefaultKey})
		return r.status == 401 && strings.Contains(r.header.Get("WWW-Authenticate"), DefaultKey) && !bytes.Contains(r.body, []byte(DefaultKey))
	}},
	faultEmpty401Body: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, auth: "-"})
		return r.status == 401 && len(r.body) == 0
	}},
	faultTenantLeakList: {broken: func(h *harness) bool {
		const list, q = "/api/v2/list/bills", `{"modifiedSince":"2026-11-20T00:00:00Z","limit":1000}`
		one := ids(h.list(list, q))
		var two, twoBills []map[string]any
		_ = json.Unmarshal(h.do(call{path: list, body: q, auth: validToken(DefaultKey2)}).body, &two)
		_ = json.Unmarshal(h.do(call{path: bills, body: `{"limit":1000}`, auth: validToken(DefaultKey2)}).body, &twoBills)
		mine := map[string]bool{}
		for _, id := range ids(h.list(bills, `{"limit":1000}`)) {
			mine[id] = true
		}
		for _, id := range ids(twoBills) {
			if mine[id] {
				return false
			}
		}
		return len(one) > 0 && len(two) == len(one) && ids(two)[0] == one[0]
	}},
	faultFormAsJSON: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, ct: "application/x-www-form-urlencoded"}, 200) && hasStatus(h, call{path: bills, ct: "text/plain"}, 415)
	}},
	faultSortWithinPage: {broken: func(h *harness) bool {
		page, whole := ids(h.list(bills, `{"sort":{"createdAt":-1},"limit":3}`)), ids(h.list(bills, `{"sort":{"createdAt":-1},"limit":1000}`))
		natural := ids(h.list(bills, `{"limit":3}`))
		return len(page) == 3 && page[0] != whole[0] && page[2] == natural[0]
	}},
	faultTenantLeak: {broken: func(h *harness) bool {
		one := map[string]bool{}
		for _, id := range ids(h.list(bills, `{"limit":1000}`)) {
			one[id] = true
		}
		var two []map[string]any
		_ = json.Unmarshal(h.do(call{path: bills, body: `{"limit":1000}`, auth: validToken(DefaultKey2)}).body, &two)
		for _, id := range ids(two) {
			if one[id] {
				return true
			}
		}
		return false
	}},
	faultAcceptAnyMethod: {broken: func(h *harness) bool {
		return hasStatus(h, call{method: http.MethodGet, path: bills, noBody: true}, 200) &&
			hasStatus(h, call{method: http.MethodPut, path: bills}, 200)
	}},
	faultMethod404:         {broken: func(h *harness) bool { return hasStatus(h, call{method: http.MethodPut, path: bills}, 404) }},
	faultIgnoreContentType: {broken: func(h *harness) bool { return hasStatus(h, call{path: bills, ct: "text/plain"}, 200) }},
	faultTextContentType: {broken: func(h *harness) bool {
		r := h.do(call{path: bills})
		return r.status == 200 && strings.HasPrefix(r.header.Get("Content-Type"), "text/plain")
	}},
	faultTruncatedJSON: {broken: func(h *harness) bool {
		r := h.do(call{path: bills})
		return r.status == 200 && !json.Valid(r.body)
	}},
	faultV1Wrapper: {broken: func(h *harness) bool {
		return bytes.HasPrefix(h.do(call{path: bills}).body, []byte(`{"status":"success","data":[`))
	}},
	faultHTTPServesData: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, plain: true, auth: "-"})
		return r.status == 200 && bytes.HasPrefix(r.body, []byte(`[{"_id":`))
	}},
	faultHTTPServesLists: {broken: func(h *harness) bool {
		lists, bill := h.do(call{path: "/api/v2/list/categories", plain: true, auth: "-"}), h.do(call{path: bills, plain: true, auth: "-"})
		return lists.status == 200 && bytes.HasPrefix(lists.body, []byte(`[{"_id":`)) && bill.status == 308
	}},
	faultRedirectLeaksData: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, plain: true, auth: "-"})
		return r.status == 308 && r.header.Get("Location") == h.s.HTTPSURL()+bills && bytes.HasPrefix(r.body, []byte(`[{"_id":`))
	}},
	faultRedirectWrongPath: {broken: func(h *harness) bool {
		return h.do(call{path: bills, plain: true, auth: "-"}).header.Get("Location") == h.s.HTTPSURL()+"/"
	}},
	faultRedirect301: {broken: func(h *harness) bool { return hasStatus(h, call{path: bills, plain: true, auth: "-"}, 301) }},
	faultTLSAllowOld: {broken: func(h *harness) bool {
		a, errA := handshake(h.s, "127.0.0.1", tls.VersionTLS10, tls.VersionTLS10)
		b, errB := handshake(h.s, "127.0.0.1", tls.VersionTLS10, tls.VersionTLS11)
		return errA == nil && errB == nil && a.Version == tls.VersionTLS10 && b.Version == tls.VersionTLS11
	}},
	faultTLSExpiredCert: {broken: func(h *harness) bool {
		_, err := handshake(h.s, "127.0.0.1", tls.VersionTLS12, 0)
		var invalid x509.CertificateInvalidError
		return errors.As(err, &invalid) && invalid.Reason == x509.Expired
	}},
	faultTLSNamesOnly: {broken: func(h *harness) bool {
		_, err := handshake(h.s, "127.0.0.1", tls.VersionTLS12, 0)
		var unnamed x509.HostnameError
		return errors.As(err, &unnamed) && len(unnamed.Certificate.IPAddresses) == 0 && slices.Contains(unnamed.Certificate.DNSNames, "localhost")
	}},
	faultTLSWrongHost: {broken: func(h *harness) bool {
		_, err := handshake(h.s, "127.0.0.1", tls.VersionTLS12, 0)
		var wrongHost x509.HostnameError
		return errors.As(err, &wrongHost)
	}},
	faultHSTSOnlyOn200: {broken: func(h *harness) bool {
		ok, refused := h.do(call{path: bills}), h.do(call{path: bills, auth: "-"})
		return ok.header.Get("Strict-Transport-Security") != "" && refused.status == 401 && refused.header.Get("Strict-Transport-Security") == "" &&
			refused.header.Get(hstsPending) == "" && ok.header.Get(hstsPending) == ""
	}},
	faultNoHSTS:           {broken: func(h *harness) bool { return h.do(call{path: bills}).header.Get("Strict-Transport-Security") == "" }},
	faultMalformedJSON500: {broken: func(h *harness) bool { return hasStatus(h, call{path: bills, body: `{"limit":`}, 500) }},
	faultMalformedJSON502: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, body: `{"limit":`}, 502) && hasStatus(h, call{path: bills}, 200)
	}},
	faultLenientTypes: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"limit":"5","skip":"1"}`})
		return r.status == 200 && strings.Count(string(r.body), `"businessDay"`) == 5
	}},
	// A correct variant's probe sees it answer differently, within the
	// contract.
	variantStatus422: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, body: `{"limit":"5"}`}, 422) && hasStatus(h, call{path: bills, body: `{"limit":`}, 422) &&
			hasStatus(h, call{path: "/api/v2/tables/order", body: `{"plan_id":"plan-main","paid":false}`}, 400) &&
			hasStatus(h, call{path: bills, body: `{"sort":{"nope":1}}`}, 422)
	}},
	variantCappedLimit: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"limit":1001}`})
		return r.status == 200 && listLen(r.body) == 1000 && hasStatus(h, call{path: bills, body: `{"limit":-1}`}, 400)
	}},
	variantVATRateAsText: {broken: func(h *harness) bool {
		r := h.do(call{path: "/api/v2/categories/vatList"})
		return r.status == 200 && bytes.Contains(r.body, []byte(`%"`)) && bytes.Contains(r.body, []byte(`"vatRate":"`))
	}},
	faultLimitOverCapServed: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"limit":1001}`})
		return r.status == 200 && listLen(r.body) == 1001 &&
			hasStatus(h, call{path: bills, body: `{"limit":-1}`}, 400) && hasStatus(h, call{path: bills, body: `{"limit":2.5}`}, 400)
	}},
	variantUnknownPlan400: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: "/api/v2/tables/order", body: `{"number":12,"plan_id":"plan-does-not-exist","paid":false}`}, 400)
	}},
	variantUnstableTies: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"sort":{"createdAt":1},"limit":100}`})
		var items []struct {
			CreatedAt string `json:"createdAt"`
		}
		if r.status != 200 || json.Unmarshal(r.body, &items) != nil {
			return false
		}
		ties := 0
		for i, it := range items {
			if !strings.HasSuffix(it.CreatedAt, ":00:00Z") {
				return false
			}
			if i > 0 && it.CreatedAt == items[i-1].CreatedAt {
				ties++
			}
		}
		return ties > 0
	}},
	variantProxyRedirectBody: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, plain: true, auth: "-"})
		return r.status == 308 && strings.Contains(string(r.body), `"statusCode":308`)
	}},
	variantMixedTimeOffsets: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"limit":100}`})
		return r.status == 200 && strings.Contains(string(r.body), `.5+01:00"`)
	}},
	variantMidnightBusinessDay: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"businessDay":"2026-11-20","limit":5}`})
		return r.status == 200 && strings.Contains(string(r.body), `"businessDay":"2026-11-20T00:00:00.000Z"`)
	}},
	faultBillsNoonBusinessDay: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"businessDay":"2026-11-20","limit":5}`})
		return r.status == 200 && strings.Contains(string(r.body), `"businessDay":"2026-11-20T12:00:00Z"`)
	}},
	variantTLSOldHandshakeFailure: {broken: func(h *harness) bool {
		_, err := handshakeWith(h.s, "127.0.0.1", tls.VersionTLS12, tls.VersionTLS12, client.LegacyCipherSuites())
		return refusedWithHandshakeFailure(h.s) && err == nil
	}},
	variantTLSAEADOnly: {broken: func(h *harness) bool {
		_, err := handshakeWith(h.s, "127.0.0.1", tls.VersionTLS12, tls.VersionTLS12, client.LegacyCipherSuites())
		return refusedWithHandshakeFailure(h.s) && err != nil
	}},
	variantBareOrderAnswer: {broken: func(h *harness) bool {
		r := h.do(call{path: "/api/v2/tables/order", body: `{"number":"noTable","paid":true}`})
		return r.status == 200 && string(r.body) == `{"number":"noTable"}`
	}},
	variantNumericNoTable: {broken: func(h *harness) bool {
		r := h.do(call{path: "/api/v2/tables/order", body: `{"number":"noTable","plan_id":"plan-main","paid":false}`})
		return r.status == 200 && strings.Contains(string(r.body), `"number":1000`)
	}},
	faultNoLimitCap: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, body: `{"limit":1001}`}, 200) && hasStatus(h, call{path: bills, body: `{"limit":0}`}, 200) &&
			hasStatus(h, call{path: bills, body: `{"limit":-3}`}, 200)
	}},
	faultUnknownRoute200: {broken: func(h *harness) bool {
		r := h.do(call{path: "/api/v2/nope"})
		return r.status == 200 && string(r.body) == "[]"
	}},
	faultUnknownPlan200: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: orderPath, body: `{"number":12,"plan_id":"plan-does-not-exist","paid":false}`}, 200)
	}},
	faultUnknownPlanNewTable: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: orderPath, body: `{"number":12,"plan_id":"plan-does-not-exist","paid":false}`}, 404) &&
			hasStatus(h, call{path: orderPath, body: `{"number":98765,"plan_id":"plan-does-not-exist","paid":false}`}, 200)
	}},
	faultEmptyValidationBody: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"limit":"5"}`})
		return r.status == 400 && len(r.body) == 0 && hasStatus(h, call{path: bills, auth: "-"}, 401) && len(h.do(call{path: bills, auth: "-"}).body) > 0
	}},
	faultEmptyErrorBody: {broken: func(h *harness) bool {
		a, b, c := h.do(call{path: bills, ct: "text/plain"}), h.do(call{path: "/api/v2/nope"}), h.do(call{path: bills, auth: "-"})
		return a.status == 415 && len(a.body) == 0 && b.status == 404 && len(b.body) == 0 && c.status == 401 && len(c.body) == 0
	}},
	faultKeyPrefixMatch: {broken: func(h *harness) bool {
		near := DefaultKey[:len(DefaultKey)-1] + "9"
		return hasStatus(h, call{path: bills, auth: validToken(near)}, 200) && hasStatus(h, call{path: bills, auth: validToken("wrong-key-000000")}, 401)
	}},
	faultTenantLeakByDay: {broken: func(h *harness) bool {
		day := `{"businessDay":"2026-11-20","limit":1000}`
		one, two := h.do(call{path: "/api/v2/list/bills", body: day}), h.do(call{path: "/api/v2/list/bills", body: day, auth: validToken(DefaultKey2)})
		since := `{"modifiedSince":"2026-11-20T00:00:00Z","limit":1000}`
		oneS, twoS := h.do(call{path: "/api/v2/list/bills", body: since}), h.do(call{path: "/api/v2/list/bills", body: since, auth: validToken(DefaultKey2)})
		return one.status == 200 && listLen(one.body) > 0 && bytes.Equal(one.body, two.body) &&
			oneS.status == 200 && twoS.status == 200 && !bytes.Equal(oneS.body, twoS.body)
	}},
	faultUnknownRoute503: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: "/api/v2/nope"}, 503) && hasStatus(h, call{path: bills}, 200)
	}},
	faultHTTPPortClosed: {broken: func(h *harness) bool {
		conn, err := net.DialTimeout("tcp", strings.TrimPrefix(h.s.HTTPURL(), "http://"), time.Second)
		if err == nil {
			_ = conn.Close()
		}
		return err != nil && errors.Is(err, syscall.ECONNREFUSED) && hasStatus(h, call{path: bills}, 200)
	}},
	faultSinceOnCreatedAt: {broken: func(h *harness) bool {
		var items []struct {
			CreatedAt  time.Time `json:"createdAt"`
			ModifiedAt time.Time `json:"modifiedAt"`
		}
		r := h.do(call{path: "/api/v2/list/bills", body: `{"businessDay":"2026-11-20","limit":1000}`})
		if r.status != 200 || json.Unmarshal(r.body, &items) != nil {
			return false
		}
		// A bill created before T and modified after it is left out.
		for _, b := range items {
			if b.ModifiedAt.Sub(b.CreatedAt) > time.Minute {
				at := b.CreatedAt.Add(time.Second).UTC().Format(time.RFC3339)
				since := h.do(call{path: "/api/v2/list/bills", body: `{"modifiedSince":"` + at + `","limit":1000}`})
				return since.status == 200 && !bytes.Contains(since.body, []byte(b.CreatedAt.UTC().Format(time.RFC3339)))
			}
		}
		return false
	}},
	faultLimitCap100: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"limit":101}`})
		rest := h.do(call{path: bills, body: `{"limit":1,"skip":100}`})
		return r.status == 200 && listLen(r.body) == 100 && rest.status == 200 && listLen(rest.body) == 1
	}},
	variantSinceExclusive: {broken: func(h *harness) bool {
		var items []struct {
			ModifiedAt string `json:"modifiedAt"`
		}
		r := h.do(call{path: "/api/v2/list/bills", body: `{"businessDay":"2026-11-20","limit":1000}`})
		if r.status != 200 || json.Unmarshal(r.body, &items) != nil || len(items) == 0 {
			return false
		}
		at := items[0].ModifiedAt
		since := h.do(call{path: "/api/v2/list/bills", body: `{"modifiedSince":"` + at + `","limit":1000}`})
		return since.status == 200 && !bytes.Contains(since.body, []byte(`"modifiedAt":"`+at+`"`))
	}},
	faultEmpty415Body: {broken: func(h *harness) bool {
		a, b := h.do(call{path: bills, ct: "text/plain"}), h.do(call{path: "/api/v2/nope"})
		return a.status == 415 && len(a.body) == 0 && b.status == 404 && len(b.body) > 0
	}},
	variant422ContentType: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, ct: "text/plain"}, 422) && hasStatus(h, call{path: bills, body: `{"limit":`}, 400)
	}},
	variantErrorsKeyedByField: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"sort":{"nope":1}}`})
		return r.status == 400 && bytes.Contains(r.body, []byte(`{"errors":{"`)) && bytes.Contains(r.body, []byte(`nope`))
	}},
	variantVATCategoryID: {broken: func(h *harness) bool {
		r := h.do(call{path: "/api/v2/categories/vatList"})
		return r.status == 200 && bytes.Contains(r.body, []byte(`"categoryId":`)) && !bytes.Contains(r.body, []byte(`"category_id":`))
	}},
	faultOpaqueErrorBody: {broken: func(h *harness) bool {
		a, b := h.do(call{path: "/api/v2/nope"}), h.do(call{path: bills, auth: "-"})
		return a.status == 404 && string(a.body) == "{}" && b.status == 401 && string(b.body) == "{}"
	}},
	faultSortErrorEchoes: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"sort":{"price":1}}`})
		return r.status == 400 && bytes.Contains(r.body, []byte(`"request":{"sort":{"price":1}}`)) && !bytes.Contains(r.body, []byte(`"field"`))
	}},
	faultIgnoreUnknownSort: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: bills, body: `{"sort":{"price":1,"createdAt":1}}`}, 200)
	}},
	fault429NoRetryAfter: {baseline: Options{RateLimit: faultRateLimit}, broken: func(h *harness) bool {
		for i := 0; i < 3*faultRateLimit; i++ {
			if r := h.do(call{path: "/api/v2/tables"}); r.status == 429 {
				return r.header.Get("Retry-After") == ""
			}
		}
		return false
	}},
	faultDropRequiredField: {broken: func(h *harness) bool {
		b := h.list(bills, `{"limit":3}`)
		_, has := b[0]["total"]
		return !has
	}},
	faultNumberAsString: {broken: func(h *harness) bool {
		s, ok := h.list(bills, `{"limit":3}`)[0]["total"].(string)
		return ok && strings.Contains(s, ".") && len(s[strings.Index(s, "."):]) == 3
	}},
	faultIgnoreLimit:    {broken: func(h *harness) bool { return len(h.list(bills, `{"limit":5}`)) == DefaultLimit }},
	faultDefaultLimit50: {broken: func(h *harness) bool { return len(h.list(bills, `{}`)) == 50 }},
	faultIgnoreSkip: {broken: func(h *harness) bool {
		return ids(h.list(bills, `{"skip":10}`))[0] == ids(h.list(bills, `{}`))[0]
	}},
	faultIgnoreSort: {broken: func(h *harness) bool {
		got := ids(h.list(bills, `{"sort":{"createdAt":-1}}`))
		return sort.StringsAreSorted(got)
	}},
	faultEmptyLists: {broken: func(h *harness) bool {
		for _, path := range []string{bills, "/api/v2/list/categories", "/api/v2/list/products", "/api/v2/tables"} {
			if len(h.list(path, `{}`)) != 0 {
				return false
			}
		}
		return len(h.list("/api/v2/list/bills", `{"businessDay":"2026-11-20"}`)) == 0
	}},
	faultFractionalLimit: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"limit":2.5}`})
		return r.status == 200 && strings.Count(string(r.body), `"businessDay"`) == 2 &&
			hasStatus(h, call{path: bills, body: `{"limit":1001}`}, 400) && hasStatus(h, call{path: bills, body: `{"limit":"2"}`}, 400)
	}},
	faultDefaultLimit200: {broken: func(h *harness) bool { return len(h.list(bills, `{}`)) > DefaultLimit }},
	faultNonBillItemsNoID: {broken: func(h *harness) bool {
		for _, path := range []string{"/api/v2/list/categories", "/api/v2/list/revenueGroups", "/api/v2/list/products", "/api/v2/tables"} {
			items := h.list(path, `{}`)
			if len(items) == 0 || ids(items)[0] != "" {
				return false
			}
		}
		vat := h.list("/api/v2/categories/vatList", `{}`)
		_, hasCategory := vat[0]["category_id"]
		order := h.do(call{path: orderPath, body: `{"number":12,"plan_id":"plan-main","paid":false}`})
		return !hasCategory && order.status == 200 && !bytes.Contains(order.body, []byte(`"_id"`)) && ids(h.list(bills, `{}`))[0] != ""
	}},
	faultNumericBillIDs: {broken: func(h *harness) bool {
		items := h.list(bills, `{"limit":3}`)
		_, isNumber := items[0]["_id"].(float64)
		return isNumber && ids(h.list("/api/v2/tables", `{}`))[0] != ""
	}},
	faultBillsNoCreatedAt: {broken: func(h *harness) bool {
		_, has := h.list(bills, `{"limit":3}`)[0]["createdAt"]
		return !has
	}},
	faultClientErrorsAs200: {broken: func(h *harness) bool {
		for _, c := range []call{{path: bills, auth: "-"}, {path: bills, body: `{"limit":`}, {method: http.MethodGet, path: bills}, {path: "/api/v2/nope"}} {
			if r := h.do(c); r.status != 200 || string(r.body) != "[]" {
				return false
			}
		}
		return true
	}},
	faultBillsNoFilter: {broken: func(h *harness) bool { return hasStatus(h, call{path: "/api/v2/list/bills"}, 200) }},
	faultBillsNoWindow: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: "/api/v2/list/bills", body: `{"modifiedSince":"2026-11-18T12:00:00Z"}`}, 200) &&
			hasStatus(h, call{path: "/api/v2/list/bills", body: `{"modifiedAt":{"from":"2026-11-14T00:00:00Z","to":"2026-11-18T00:00:00Z"}}`}, 200)
	}},
	faultBillsIgnoreDay: {broken: func(h *harness) bool {
		for _, b := range h.list("/api/v2/list/bills", `{"businessDay":"2026-11-17","limit":1000}`) {
			if b["businessDay"] != "2026-11-17" {
				return true
			}
		}
		return false
	}},
	faultBillsIgnoreSince: {broken: func(h *harness) bool {
		for _, b := range h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-20T18:00:00Z","limit":1000}`) {
			if b["modifiedAt"].(string) < "2026-11-20T18:00:00Z" {
				return true
			}
		}
		return false
	}},
	faultOpenBillsNullTotal: {broken: func(h *harness) bool {
		open, closed := h.list("/api/v2/list/bills", `{"businessDay":"2026-11-21","limit":3}`), h.list("/api/v2/list/bills", `{"businessDay":"2026-11-20","limit":3}`)
		total, has := open[0]["total"]
		_, closedHas := closed[0]["total"].(float64)
		return has && total == nil && closedHas
	}},
	faultBillsLatestDay: {broken: func(h *harness) bool {
		got := h.list("/api/v2/list/bills", `{"businessDay":"2026-11-17","limit":1000}`)
		return len(got) > 0 && got[0]["businessDay"] == "2026-11-20"
	}},
	faultBillsOtherDaysEmpty: {broken: func(h *harness) bool {
		return len(h.list("/api/v2/list/bills", `{"businessDay":"2026-11-19","limit":1000}`)) == 0 &&
			len(h.list("/api/v2/list/bills", `{"businessDay":"2026-11-20","limit":1000}`)) > 0
	}},
	faultBillsLatestDayEmpty: {broken: func(h *harness) bool {
		return len(h.list("/api/v2/list/bills", `{"businessDay":"2026-11-20","limit":1000}`)) == 0 &&
			len(h.list("/api/v2/list/bills", `{"businessDay":"2026-11-19","limit":1000}`)) > 0
	}},
	faultFewBillsDefault50: {broken: func(h *harness) bool {
		return len(h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-20T00:00:00Z","limit":101}`)) == 80 &&
			len(h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-20T00:00:00Z"}`)) == 50
	}},
	faultBillsSinceEmpty: {broken: func(h *harness) bool {
		return len(h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-20T06:00:00Z","limit":1000}`)) == 0 &&
			len(h.list("/api/v2/list/bills", `{"businessDay":"2026-11-20","limit":1000}`)) > 0
	}},
	faultBillsLaterSinceEmpty: {broken: func(h *harness) bool {
		return len(h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-21T06:00:00Z","limit":1000}`)) == 0 &&
			len(h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-20T06:00:00Z","limit":1000}`)) > 0
	}},
	faultBillsFixedSince: {broken: func(h *harness) bool {
		for _, b := range h.list("/api/v2/list/bills", `{"modifiedSince":"2026-11-21T06:00:00Z","limit":1000}`) {
			if b["modifiedAt"].(string) < "2026-11-21T00:00:00Z" {
				return true
			}
		}
		return false
	}},
	faultLargeOctetStream: {broken: func(h *harness) bool {
		small, large := h.do(call{path: bills, body: `{"limit":5}`}), h.do(call{path: bills, body: `{}`})
		return small.header.Get("Content-Type") == "application/json" && large.status == 200 && large.header.Get("Content-Type") == "application/octet-stream"
	}},
	faultUnlimitedEmptyText: {broken: func(h *harness) bool {
		small, large := h.do(call{path: bills, body: `{"limit":5}`}), h.do(call{path: bills, body: `{}`})
		return small.header.Get("Content-Type") == "application/json" && large.status == 200 &&
			large.header.Get("Content-Type") == "text/plain; charset=utf-8" && string(large.body) == "[]"
	}},
	faultHTTPNotModified: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, plain: true, auth: "-", query: "a=1"})
		return r.status == 304 && strings.HasSuffix(r.header.Get("Location"), bills+"?a=1")
	}},
	variantRedirectDropsQuery: {broken: func(h *harness) bool {
		loc := h.do(call{path: bills, plain: true, auth: "-", query: "a=1"}).header.Get("Location")
		return strings.HasPrefix(loc, "https://") && strings.HasSuffix(loc, bills)
	}},
	faultRedirectToHTTP: {broken: func(h *harness) bool {
		loc := h.do(call{path: bills, plain: true, auth: "-", query: "a=1"}).header.Get("Location")
		return strings.HasPrefix(loc, "http://") && strings.HasSuffix(loc, bills+"?a=1")
	}},
	faultRedirectWrongPort: {broken: func(h *harness) bool {
		loc := h.do(call{path: bills, plain: true, auth: "-", query: "a=1"}).header.Get("Location")
		return strings.HasPrefix(loc, "https://127.0.0.1:1/") && strings.HasSuffix(loc, bills+"?a=1")
	}},
	faultRedirectOtherHost: {broken: func(h *harness) bool {
		loc := h.do(call{path: bills, plain: true, auth: "-", query: "a=1"}).header.Get("Location")
		return strings.HasPrefix(loc, "https://localhost:") && strings.HasSuffix(loc, bills+"?a=1")
	}},
	faultOrder500: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: orderPath, body: `{"number":12,"plan_id":"plan-main","paid":false}`}, 500)
	}},
	faultNoTableRejectPaid: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: orderPath, body: `{"number":"noTable","paid":true}`}, 400)
	}},
	faultNoTableNoNumber: {broken: func(h *harness) bool {
		r := h.do(call{path: orderPath, body: `{"number":"noTable","plan_id":"plan-main","paid":false}`})
		return r.status == 200 && bytes.Contains(r.body, []byte(`"number":"noTable"`))
	}},
	faultNoTableFixedNumber: {broken: func(h *harness) bool {
		body := `{"number":"noTable","plan_id":"plan-main","paid":false}`
		a, b := h.do(call{path: orderPath, body: body}), h.do(call{path: orderPath, body: body})
		return a.status == 200 && b.status == 200 && bytes.Contains(a.body, []byte(`"number":"100000"`)) && bytes.Equal(a.body[bytes.Index(a.body, []byte(`"number"`)):], b.body[bytes.Index(b.body, []byte(`"number"`)):])
	}},
	faultOrderNoValidation: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: orderPath, body: `{"plan_id":"plan-main","paid":false}`}, 200)
	}},
	faultOutage: {broken: func(h *harness) bool {
		a, b := h.do(call{path: bills}), h.do(call{path: bills, plain: true, auth: "-"})
		return a.status == 503 && b.status == 503 && len(a.body) > 0 && !bytes.Contains(a.body, []byte("_id"))
	}},
	faultEchoKeyUpperIn401: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, auth: "Token api_test@" + DefaultKey + "x"})
		return r.status == 401 && strings.Contains(string(r.body), strings.ToUpper(DefaultKey+"x"))
	}},
	faultEchoKeyEscapedIn401: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, auth: "Token api_test@" + DefaultKey + "x"})
		return r.status == 401 && strings.Contains(string(r.body), `sandbox\u002Dtenant\u002D1\u002Dkey\u002D0001x`)
	}},
	faultProductsElsewhere: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: "/api/v2/list/products"}, 404) && hasStatus(h, call{path: productsElsewhere}, 200)
	}},
	faultOrderNumberElsewhere: {broken: func(h *harness) bool {
		r := h.do(call{path: orderPath, body: `{"number":"noTable","plan_id":"plan-main","paid":false}`})
		return r.status == 200 && bytes.Contains(r.body, []byte(`"table":{"no":`)) && !bytes.Contains(r.body, []byte(`"number"`))
	}},
	faultBillsNoFilterFields: {broken: func(h *harness) bool {
		r := h.do(call{path: bills, body: `{"businessDay":"2026-11-20","limit":5}`})
		return r.status == 200 && bytes.Contains(r.body, []byte(`"_id"`)) && !bytes.Contains(r.body, []byte(`"businessDay"`)) && !bytes.Contains(r.body, []byte(`"modifiedAt"`))
	}},
	faultOneEndpointDown: {broken: func(h *harness) bool {
		return hasStatus(h, call{path: "/api/v2/list/revenueGroups"}, 503) && hasStatus(h, call{path: bills}, 200)
	}},
	faultHang: {broken: func(h *harness) bool {
		h.c.Timeout = 300 * time.Millisecond
		return h.do(call{path: bills}).err != nil
	}},
	faultReset: {broken: func(h *harness) bool {
		_, hsErr := handshake(h.s, "127.0.0.1", tls.VersionTLS12, 0)
		r := h.do(call{path: bills})
		return hsErr == nil && r.err != nil
	}},
	faultDownMidRun: {broken: func(h *harness) bool {
		for i := 0; i < faultDownAfter; i++ {
			if r := h.do(call{path: bills}); r.err != nil || r.status != 200 {
				return false // the requests before the outage must be served
			}
		}
		after := h.do(call{path: bills})
		return after.err != nil && errors.Is(refusedSoon(h.s), syscall.ECONNREFUSED)
	}},
	faultThrottleMidRun: {broken: func(h *harness) bool {
		for i := 0; i < faultThrottleAfter; i++ {
			if r := h.do(call{path: bills}); r.err != nil || r.status != 200 {
				return false // the requests before the throttling must be served
			}
		}
		after := h.do(call{path: bills})
		unauthenticated := h.do(call{path: bills, auth: "-"})
		return after.status == http.StatusTooManyRequests && after.header.Get("Retry-After") == "3600" &&
			unauthenticated.status == http.StatusTooManyRequests
	}},
}

func TestEveryFaultBreaksItsBehaviourAndOnlyWithTheFault(t *testing.T) {
	for _, fl := range Faults() {
		probe, ok := faultProbes[fl.Name]
		if !ok {
			t.Errorf("fault %s has no probe: add one to faultProbes", fl.Name)
			continue
		}
		t.Run(fl.Name, func(t *testing.T) {
			t.Parallel()
			if !probe.broken(withFaults(t, fl.Name)) {
				t.Errorf("with fault %s the sandbox still behaves (%s)", fl.Name, fl.Summary)
			}
			if probe.broken(newHarness(t, probe.baseline)) {
				t.Errorf("without fault %s the probe sees the broken behaviour: the probe cannot fail", fl.Name)
			}
		})
	}
	if len(faultProbes) != len(registry) {
		t.Errorf("%d probes for %d faults: remove probes of faults that no longer exist", len(faultProbes), len(registry))
	}
}

func TestFaultsCombine(t *testing.T) {
	h := withFaults(t, faultNoHSTS, faultTextContentType)
	r := h.do(call{path: bills})
	if r.header.Get("Strict-Transport-Security") != "" || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Errorf("two faults: HSTS %q, Content-Type %q", r.header.Get("Strict-Transport-Security"), r.header.Get("Content-Type"))
	}
}

func TestRateLimitFaultKeepsALowerConfiguredRate(t *testing.T) {
	h := newHarness(t, Options{RateLimit: 1, Faults: []string{fault429NoRetryAfter}})
	if h.s.limiter.rate != 1 {
		t.Errorf("rate %v, want the configured 1", h.s.limiter.rate)
	}
	h = newHarness(t, Options{RateLimit: 50, Faults: []string{fault429NoRetryAfter}})
	if h.s.limiter.rate != faultRateLimit {
		t.Errorf("rate %v, want %d", h.s.limiter.rate, faultRateLimit)
	}
}

func TestHangEndsWhenTheSandboxCloses(t *testing.T) {
	s, err := Start(Options{Faults: []string{faultHang}})
	if err != nil {
		t.Fatal(err)
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: s.CertPool(), MinVersion: tls.VersionTLS12}}}
	done := make(chan error, 1)
	go func() {
		resp, err := c.Post(s.HTTPSURL()+bills, "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	time.Sleep(200 * time.Millisecond)
	start := time.Now()
	if err := s.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Close took %v with a hanging request", d)
	}
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the hanging request did not end after Close")
	}
}

func TestResetAbortsInProcessHandler(t *testing.T) {
	h := withFaults(t, faultReset)
	defer func() {
		if err, _ := recover().(error); !errors.Is(err, http.ErrAbortHandler) {
			t.Errorf("Handler with fault reset: recovered %v, want http.ErrAbortHandler", err)
		}
	}()
	req, _ := http.NewRequest(http.MethodPost, "/api/v2/bills", strings.NewReader("{}"))
	h.s.Handler().ServeHTTP(newDiscardWriter(), req)
}

type discardWriter struct{ h http.Header }

func newDiscardWriter() *discardWriter               { return &discardWriter{h: http.Header{}} }
func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

// TestDownAfterRefusesConnectionsAndClosesCleanly: a sandbox past
// Options.DownAfter refuses connections (the error an integrator sees
// when the target is stopped), and Close still returns without error.
func TestDownAfterRefusesConnectionsAndClosesCleanly(t *testing.T) {
	h := newHarness(t, Options{DownAfter: 2})
	for i := 0; i < 2; i++ {
		if r := h.do(call{path: bills}); r.status != 200 {
			t.Fatalf("request %d before the outage: %d %v", i+1, r.status, r.err)
		}
	}
	if err := refusedSoon(h.s); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("a handshake after the outage: %v, want connection refused", err)
	}
	if err := h.s.Close(); err != nil {
		t.Errorf("Close after the outage: %v", err)
	}
	if _, err := Start(Options{DownAfter: -1}); err == nil || !strings.Contains(err.Error(), "down-after -1") {
		t.Errorf("a negative DownAfter: %v, want an error naming it", err)
	}
}

// refusedSoon makes TLS handshakes with s for up to a second (the
// listeners close just after the request that takes the sandbox down) and
// returns the last error, nil if every one succeeded.
func refusedSoon(s *Server) error {
	var err error
	for deadline := time.Now().Add(time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if _, err = handshake(s, "127.0.0.1", tls.VersionTLS12, 0); errors.Is(err, syscall.ECONNREFUSED) {
			return err
		}
	}
	return err
}

// listLen is the number of items of a JSON list, -1 for what is no list.
func listLen(body []byte) int {
	var items []json.RawMessage
	if json.Unmarshal(body, &items) != nil {
		return -1
	}
	return len(items)
}
