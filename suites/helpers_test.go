package suites

import (
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/client"
)

// These pin the small judgements the checks rest on; the checks
// themselves are proven by the sandbox's faults (make selfcheck).

func TestIsV1Wrapper(t *testing.T) {
	for body, want := range map[string]bool{
		`{"status":"success","data":[]}`: true,
		`[{"status":"complete"}]`:        false,
		`{"status":"occupied"}`:          false,
		`not json`:                       false,
	} {
		if isV1Wrapper([]byte(body)) != want {
			t.Errorf("%s: want %v", body, want)
		}
	}
}

func TestAllowsPost(t *testing.T) {
	for _, tc := range []struct {
		allow []string
		want  bool
	}{{[]string{"POST"}, true}, {[]string{"GET, post"}, true}, {[]string{"GET", "HEAD"}, false}, {nil, false}} {
		h := http.Header{}
		for _, v := range tc.allow {
			h.Add("Allow", v)
		}
		if allowsPost(h) != tc.want {
			t.Errorf("Allow %v: want %v", tc.allow, tc.want)
		}
	}
}

func TestHSTSNeedsAPositiveMaxAge(t *testing.T) {
	for v, want := range map[string]bool{"max-age=31536000": true, "max-age=0": false, "includeSubDomains; max-age=10": true, "": false,
		`max-age="600"`: true, "max-age=abc": false, "max-age=00": false, "max-age=-5": false} {
		if hstsOK(v) != want {
			t.Errorf("%q: want %v", v, want)
		}
	}
}

func TestRetryAfterForms(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "120": true, "Wed, 21 Oct 2026 07:28:00 GMT": true, "": false, "soon": false, "-1": false} {
		if validRetryAfter(v) != want {
			t.Errorf("%q: want %v", v, want)
		}
	}
}

func TestFirstUnordered(t *testing.T) {
	items := func(vals ...any) []map[string]any {
		out := make([]map[string]any, len(vals))
		for i, v := range vals {
			out[i] = map[string]any{"f": v}
		}
		return out
	}
	n := func(s string) json.Number { return json.Number(s) }
	if got := firstUnordered(items(n("1"), n("2"), n("10")), "f", 1); got != "" {
		t.Errorf("numbers compare as numbers, not text: %s", got)
	}
	if got := firstUnordered(items("2026-11-20T10:00:00Z", "2026-11-20T09:00:00Z"), "f", 1); got == "" {
		t.Error("descending times under sort 1 must be reported")
	}
	if got := firstUnordered(items("b", "a"), "f", -1); got != "" {
		t.Errorf("descending under -1 is in order: %s", got)
	}
}

func TestUnsortableNeedsTheFieldAndTwoValues(t *testing.T) {
	n := func(s string) json.Number { return json.Number(s) }
	for _, tc := range []struct {
		name  string
		items []map[string]any
		says  string
		thin  bool
	}{
		{"an empty list", nil, "0 items, 0 distinct values", true},
		{"one value everywhere", []map[string]any{{"f": "a"}, {"f": "a"}, {"f": "a"}}, "3 items, 1 distinct values", true},
		{"a missing field", []map[string]any{{"f": "a", "_id": "x"}, {"_id": "y"}}, `item 2 (_id "y") has none`, false},
		{"a null field", []map[string]any{{"f": nil}, {"f": nil}}, "item 1", false},
	} {
		// Too few values is about the data; a missing field is about the
		// answer.
		if got, thin := unsortable(tc.items, "f"); !strings.Contains(got, tc.says) || thin != tc.thin {
			t.Errorf("%s: got %q (thin %v), want it to say %q (thin %v)", tc.name, got, thin, tc.says, tc.thin)
		}
	}
	if got, thin := unsortable([]map[string]any{{"f": n("1")}, {"f": n("2")}}, "f"); got != "" || thin {
		t.Errorf("two distinct values are enough: %s", got)
	}
}

func TestIDStringRefusesWhatIsNotAString(t *testing.T) {
	for _, tc := range []struct {
		item map[string]any
		says string
	}{
		{map[string]any{}, "has none"},
		{map[string]any{"_id": nil}, "has none"},
		{map[string]any{"_id": json.Number("42")}, "has _id 42 (a number)"},
		{map[string]any{"_id": ""}, "an empty string"},
		{map[string]any{"_id": json.RawMessage(`{"$oid":"x"}`)}, "an object"},
	} {
		if id, why := idString(tc.item); id != "" || !strings.Contains(why, tc.says) {
			t.Errorf("%v: got %q, %q; want it to say %q", tc.item, id, why, tc.says)
		}
	}
	if id, why := idString(map[string]any{"_id": "abc"}); id != "abc" || why != "" {
		t.Errorf("a string _id: got %q, %q", id, why)
	}
}

func TestLegacyTLSPassesOnlyOnARefusal(t *testing.T) {
	refused := &net.OpError{Op: "remote error", Err: tls.AlertError(70)}
	for name, tc := range map[string]struct {
		err  error
		want bool
	}{
		"the handshake succeeded":                   {nil, false},
		"a protocol_version alert":                  {fmt.Errorf("TLS handshake: %w", refused), true},
		"no common cipher suite, at TLS 1.2 either": {&net.OpError{Op: "remote error", Err: tls.AlertError(42)}, false},
		"an unknown certificate":                    {errors.New("tls: failed to verify certificate: x509: certificate signed by unknown authority"), false},
		"the server hung up on a hello":             {io.EOF, false},
		"the target was down":                       {fmt.Errorf("%w: TLS handshake with h:443: connect: connection refused", client.ErrUnreachable), false},
	} {
		f := legacyTLSFinding(tc.err, func() (client.LegacyHello, error) {
			t.Fatalf("%s: the hand-written hello is only for a handshake_failure", name)
			return client.LegacyHello{}, nil
		})
		if f.OK != tc.want {
			t.Errorf("%s: ok %v, want %v (%s)", name, f.OK, tc.want, f.Observed)
		}
		if !tc.want && tc.err != nil && !strings.Contains(f.Observed, "unknown") {
			t.Errorf("%s: the finding must say the outcome is unknown: %s", name, f.Observed)
		}
		// A refusal by handshake_failure or a hang-up is a likely way a
		// correct server says no: the finding says how to confirm it.
		if tc.err != nil && !tc.want && !errors.Is(tc.err, client.ErrUnreachable) && !strings.Contains(f.Observed, "openssl s_client") {
			t.Errorf("%s: the finding must say how to check the old versions by hand: %s", name, f.Observed)
		}
		if down := errors.Is(tc.err, client.ErrUnreachable); down != strings.Contains(f.Observed, "an outage") {
			t.Errorf("%s: only an unreachable target is called an outage: %s", name, f.Observed)
		}
	}
}

// A handshake_failure refuses the old versions only as the hand-written
// hello, which offers every classic suite, shows: refused too, they are
// refused; a ServerHello for TLS 1.0 (with a DHE suite Go lacks) is the old
// version allowed; no answer leaves it unknown.
func TestLegacyTLSHandshakeFailureIsJudgedByTheHandWrittenHello(t *testing.T) {
	failure := &net.OpError{Op: "remote error", Err: tls.AlertError(40)}
	for name, tc := range map[string]struct {
		hello client.LegacyHello
		err   error
		want  bool
		says  string
	}{
		"refused with every classic suite": {client.LegacyHello{Alert: 40}, nil, true, "refused too"},
		"TLS 1.0 with a DHE suite":         {client.LegacyHello{Version: tls.VersionTLS10, Suite: 0x0033}, nil, false, "TLS 1.0/1.1 is allowed"},
		"no answer to the hello":           {client.LegacyHello{}, io.EOF, false, "unknown"},
	} {
		called := 0
		f := legacyTLSFinding(fmt.Errorf("TLS handshake: %w", failure), func() (client.LegacyHello, error) { called++; return tc.hello, tc.err })
		if called != 1 || f.OK != tc.want || !strings.Contains(f.Observed, tc.says) {
			t.Errorf("%s: hello sent %d time(s), ok %v (want %v), observed %q (want it to say %q)", name, called, f.OK, tc.want, f.Observed, tc.says)
		}
	}
}

func TestRedirectBodyWithAPIData(t *testing.T) {
	for body, want := range map[string]bool{
		`[{"_id":"b1","total":12.5}]`:    true,
		`{"status":"success","data":[]}`: true,
		`{"_id":"o1","number":"12"}`:     true,
		``:                               false,
		`Permanent Redirect`:             false,
		`<html><a href="https://h/">moved</a></html>`: false,
		`{"message":"use https","code":308}`:          false,
		`"https://api.example/api/v2/bills"`:          false,
		`{"statusCode":301,"error":"Moved Permanently","message":"use https","path":"/api/v2/bills","timestamp":"2026-11-20T10:00:00Z"}`: false,
		`{"errors":[{"detail":"use https"}]}`: false,
		`{"result":{"bill":{"_id":"b1"}}}`:    true,
	} {
		if carriesAPIData([]byte(body)) != want {
			t.Errorf("%q: want %v", body, want)
		}
	}
}

func TestExplainsNeedsWords(t *testing.T) {
	for body, want := range map[string]bool{
		"Unauthorized: invalid bearer token value\n": true,
		`{"error":"Bad Request","message":"x"}`:      true,
		`{"errors":[{"detail":"limit too big"}]}`:    true,
		`{}`: false, `[]`: false, `null`: false, `0`: false, " \n": false, "": false,
		`{"error": null, "message": ""}`: false, `{"code": 400}`: false, `{"e": "4"}`: false,
	} {
		if explains([]byte(body)) != want {
			t.Errorf("%q: want %v", body, want)
		}
	}
}

func TestNamesFieldInWordsNotInAnEcho(t *testing.T) {
	const f = "conformanceNoSuchField"
	for body, want := range map[string]bool{
		`{"error":"Bad Request","message":"unknown sort field \"conformanceNoSuchField\"","field":"sort.conformanceNoSuchField"}`: true,
		"unknown sort field conformanceNoSuchField\n":                                         true,
		`{"message":"bad request","request":{"sort":{"conformanceNoSuchField":1},"limit":5}}`: false,
		`{"message":"bad request","body":"{\"sort\":{\"conformanceNoSuchField\": 1}}"}`:       false,
		`{"message":"unknown field conformanceNoSuchFieldX"}`:                                 false,
		`{"message":"unknown sort field in {\"conformanceNoSuchField\":1}"}`:                  true,
		`"\"sort.conformanceNoSuchField\" is not allowed"`:                                    true,
		`{"message":"bad request"}`:                                                           false,
		`{"errors":{"sort.conformanceNoSuchField":"is not allowed here"}}`:                    true,
		`{"errors":{"sort[conformanceNoSuchField]":["is invalid"]}}`:                          true,
		`{"errors":{"conformanceNoSuchFieldX.sort":"is invalid"}}`:                            false,
	} {
		if namesField([]byte(body), f) != want {
			t.Errorf("%s: want %v", body, want)
		}
	}
}

func TestFirstDifferenceComparesValuesInOrder(t *testing.T) {
	for _, tc := range []struct {
		a, b []string
		want int
	}{{[]string{"1", "2"}, []string{"1", "2"}, -1}, {[]string{"1", "3"}, []string{"1", "2"}, 1}, {[]string{"1"}, []string{"1", "2"}, 1}, {nil, nil, -1}} {
		if got := firstDifference(tc.a, tc.b); got != tc.want {
			t.Errorf("%v vs %v: %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestALimitOverTheCapMayBeRefusedOrCapped(t *testing.T) {
	page := func(n int) []byte {
		items := make([]map[string]any, n)
		for i := range items {
			items[i] = map[string]any{"_id": fmt.Sprint(i)}
		}
		b, _ := json.Marshal(items)
		return b
	}
	for _, tc := range []struct {
		name   string
		status int
		body   []byte
		want   overLimit
	}{
		{"refused 400", 400, []byte("limit too large"), overLimitKept},
		{"refused 422", 422, []byte("limit too large"), overLimitKept},
		{"capped at 1000", 200, page(1000), overLimitKept},
		{"a few items: capped or not, no telling", 200, page(3), overLimitUnknown},
		{"999 items", 200, page(999), overLimitUnknown},
		{"1001 items", 200, page(1001), overLimitBroken},
		{"500", 500, nil, overLimitBroken},
		{"200 that is no list", 200, []byte(`{"a":1}`), overLimitBroken},
	} {
		if got, _ := overLimitAnswered(&client.Response{Status: tc.status, Body: tc.body}); got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestAnUnknownPlanMayBeRefusedWithEitherDocumentedStatus(t *testing.T) {
	for _, s := range []int{400, 404} {
		if !slices.Contains(unknownPlanStatuses, s) {
			t.Errorf("%d is a documented create-order error status, and an unknown plan may get it", s)
		}
	}
}

func TestCompareValuesOrdersTimesByInstant(t *testing.T) {
	for _, tc := range []struct {
		a, b any
		want int
	}{
		{"2026-11-20T10:00:00.5Z", "2026-11-20T10:00:00Z", 1},
		{"2026-11-20T11:00:00+01:00", "2026-11-20T10:00:00Z", 0},
		{"2026-11-20T10:30:00+01:00", "2026-11-20T10:00:00Z", -1},
		{"2026-11-19", "2026-11-20", -1},
		{json.Number("10"), json.Number("9"), 1},
	} {
		if got := compareValues(tc.a, tc.b); got != tc.want {
			t.Errorf("compareValues(%v, %v) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestSkipPageAllowsTiesInAnyOrder(t *testing.T) {
	bill := func(id string, at int) map[string]any {
		return map[string]any{"_id": id, "createdAt": fmt.Sprintf("2026-11-20T10:%02d:00Z", at)}
	}
	// 14 bills; b09, b10 and b11 tie on createdAt across the boundary.
	var whole []map[string]any
	for i := range 14 {
		at := i
		if i >= 9 && i <= 11 {
			at = 9
		}
		whole = append(whole, bill(fmt.Sprintf("b%02d", i), at))
	}
	tieSwapped := []map[string]any{whole[9], whole[11], whole[12], whole[13]} // b10 came first before; b09 now here
	if p := skipPageProblem(whole, tieSwapped, "createdAt", 10); p != "" {
		t.Errorf("a tie across the boundary in another order: %s", p)
	}
	if p := skipPageProblem(whole, whole[10:], "createdAt", 10); p != "" {
		t.Errorf("the same items: %s", p)
	}
	if p := skipPageProblem(whole, whole[:4], "createdAt", 10); p == "" {
		t.Error("skip ignored: the first items again must fail")
	}
	early := []map[string]any{whole[10], whole[11], bill("b00", 12), whole[13]}
	if p := skipPageProblem(whole, early, "createdAt", 10); p == "" {
		t.Error("a skipped item from before the boundary must fail")
	}
	if p := skipPageProblem(whole, whole[10:13], "createdAt", 10); !strings.Contains(p, "quiet tenant") {
		t.Errorf("a short page must fail and say what to look at: %q", p)
	}
}

func TestRedirectLocationMayWriteTheDefaultPort(t *testing.T) {
	want, _ := url.Parse("https://api.example")
	for loc, same := range map[string]bool{
		"https://api.example/api/v2/bills":      true,
		"https://api.example:443/api/v2/bills":  true,
		"https://API.Example/api/v2/bills":      true,
		"https://api.example:8443/api/v2/bills": false,
		"https://localhost/api/v2/bills":        false,
	} {
		u, _ := url.Parse(loc)
		if sameAuthority(u, want) != same {
			t.Errorf("%s against %s: want %v", loc, want, same)
		}
	}
	sandbox, _ := url.Parse("https://127.0.0.1:18443")
	u, _ := url.Parse("https://127.0.0.1/api/v2/bills")
	if sameAuthority(u, sandbox) {
		t.Error("a Location without the target's own port names another server")
	}
}

func TestBusinessDayMayBeAMidnightTime(t *testing.T) {
	for v, want := range map[string]string{
		"2026-11-20":                "2026-11-20",
		"2026-11-20T00:00:00Z":      "2026-11-20",
		"2026-11-20T00:00:00.000Z":  "2026-11-20",
		"2026-11-20T00:00:00+01:00": "2026-11-20",
		"2026-11-19T23:00:00Z":      "2026-11-19T23:00:00Z",
		"":                          "",
	} {
		if got := dayOf(v); got != want {
			t.Errorf("dayOf(%q) = %q, want %q", v, got, want)
		}
	}
	items := []map[string]any{{"businessDay": "2026-11-20T00:00:00.000Z"}, {"businessDay": "2026-11-19T00:00:00.000Z"}}
	if got := otherValue(items, "businessDay", "2026-11-20"); got != "2026-11-19" {
		t.Errorf("otherValue = %q, want the date 2026-11-19", got)
	}
	// A day written as a time at another hour (maybe the venue's midnight
	// in UTC) names no day to query: never sent as a filter, nor cut to a
	// UTC date that may be the day before.
	venue := []map[string]any{{"businessDay": "2026-11-19T23:00:00.000Z"}, {"businessDay": "2026-11-17T23:00:00.000Z"}}
	if got := otherValue(venue, "businessDay", "2026-11-20"); got != "" {
		t.Errorf("otherValue of non-midnight times = %q, want none", got)
	}
	for v, want := range map[string]bool{"2026-11-20": true, "2026-11-20T00:00:00Z": true, "2026-11-19T23:00:00.000Z": false, "20 Nov": false, "": false} {
		if readsDay(v) != want {
			t.Errorf("readsDay(%q) = %v", v, !want)
		}
	}
	for v, want := range map[string]bool{"2026-11-20T04:37:58Z": true, "2026-11-20T04:37:58.000+01:00": true, "2026-11-20T04:37:58.000+0000": false, "": false} {
		if readsTime(v) != want {
			t.Errorf("readsTime(%q) = %v", v, !want)
		}
	}
}

func TestUnpaidNoTableNumberMayBeAJSONNumber(t *testing.T) {
	for body, want := range map[string]bool{
		`{"number":"a1b2c3"}`:            true,
		`{"number":123456}`:              true,
		`{"number":12345}`:               false,
		`{"number":"noTabl"}`:            false,
		`{"number":12.5}`:                false,
		`{"number":1234.5}`:              false,
		`{"order":{"number":"a1b2c3"}}`:  true,
		`{"order":{"number":"noTable"}}`: false,
		`{"number":null}`:                false,
	} {
		_, ok, readable := unpaidNoTableAnswer(&client.Response{Status: 200, Body: []byte(body)})
		if ok != want || !readable {
			t.Errorf("%s: got ok %v (readable %v), want %v", body, ok, readable, want)
		}
	}
}

// A 200 whose table number the check cannot find is not read as an
// answer about the rule; a 400 or any other status is.
func TestUnpaidNoTableWithoutANumberIsUnreadable(t *testing.T) {
	for body, readable := range map[string]bool{
		`{"_id":"o1"}`: false,
		`{"order":{"number":"a1b2c3"},"table":{"number":"a1b2c3"}}`: false,
		`[]`:       false,
		`not json`: false,
	} {
		if _, ok, got := unpaidNoTableAnswer(&client.Response{Status: 200, Body: []byte(body)}); got != readable || ok {
			t.Errorf("%s: readable %v ok %v, want readable %v and not ok", body, got, ok, readable)
		}
	}
	for _, status := range []int{400, 404, 500} {
		if _, ok, readable := unpaidNoTableAnswer(&client.Response{Status: status}); !readable || ok != (status == 400) {
			t.Errorf("%d: ok %v readable %v", status, ok, readable)
		}
	}
}

func TestEmptyListIsOnlyAnArrayWithNoElement(t *testing.T) {
	for body, want := range map[string]bool{"[]": true, " [ \n ] ": true, "[{}]": false, "{}": false, "": false, "[": false, "[null]": false} {
		if got := emptyList([]byte(body)); got != want {
			t.Errorf("emptyList(%q) = %v, want %v", body, got, want)
		}
	}
}

func TestDefaultPageIsMinOfTheCountAnd100JudgedOnAStableCount(t *testing.T) {
	for _, tc := range []struct {
		before, after, want int
		judged              bool
	}{
		{101, 101, 100, true},
		{101, 102, 100, true}, // over 100 either way: 100
		{80, 80, 80, true},
		{100, 100, 100, true},
		{80, 81, 0, false}, // a bill written between the requests
		{0, 0, 0, true},
	} {
		want, judged := defaultPage(tc.before, tc.after)
		if judged != tc.judged || (judged && want != tc.want) {
			t.Errorf("defaultPage(%d, %d) = %d, %v; want %d, %v", tc.before, tc.after, want, judged, tc.want, tc.judged)
		}
	}
}

func TestDroppedSinceCountsOnlyBillsTheFilterHadToList(t *testing.T) {
	at := time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	before := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	bill := func(v string) []map[string]any { return []map[string]any{{"modifiedAt": v}} }
	for v, want := range map[string]bool{
		"2026-11-20T00:00:00Z": false, // exactly at: an exclusive reading may leave it out
		"2026-11-20T00:00:01Z": true,
		"2026-11-21T11:59:59Z": true,
		"2026-11-21T12:00:00Z": false, // modified after the empty answer was asked for
		"2026-11-19T23:59:59Z": false,
		"not a time":           false,
	} {
		if got := droppedSince(bill(v), at, before); got != want {
			t.Errorf("modifiedAt %s: dropped %v, want %v", v, got, want)
		}
	}
}

func TestAnsweredBeforeTrustsTheServersDateThenTheLaterClock(t *testing.T) {
	asked := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	ahead := time.Date(2026, 12, 10, 12, 0, 0, 0, time.UTC)
	withDate := &client.Response{Header: http.Header{"Date": {"Thu, 10 Dec 2026 12:00:05 GMT"}}}
	if got := answeredBefore(withDate, asked, asked); !got.Equal(time.Date(2026, 12, 10, 12, 0, 4, 0, time.UTC)) {
		t.Errorf("with a Date header: %s, want a second before it", got)
	}
	noDate := &client.Response{Header: http.Header{}}
	if got := answeredBefore(noDate, asked, ahead); !got.Equal(ahead) {
		t.Errorf("a target clock ahead of this machine's (WINSTON_NOW): %s, want %s", got, ahead)
	}
	if got := answeredBefore(noDate, asked, time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)); !got.Equal(asked) {
		t.Errorf("a reference time in the past: %s, want this machine's %s", got, asked)
	}
}
