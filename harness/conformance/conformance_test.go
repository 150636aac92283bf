package conformance

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/cassette"
	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

func replayConfig(t *testing.T, extra map[string]string) *config.Config {
	t.Helper()
	vars := map[string]string{config.EnvMode: "replay", config.EnvReportDir: t.TempDir()}
	for k, v := range extra {
		vars[k] = v
	}
	cfg, err := config.LoadFrom(config.MapLookup(vars))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestWithCopiesAndDeletes(t *testing.T) {
	base := map[string]any{"limit": 5, "businessDay": "2026-11-20"}
	got := With(base, "limit", 3, "businessDay", nil, "skip", 10)
	if got["limit"] != 3 || got["skip"] != 10 || got["businessDay"] != nil {
		t.Errorf("With gave %v", got)
	}
	if base["limit"] != 5 || base["businessDay"] != "2026-11-20" {
		t.Errorf("With changed the catalogue's request: %v", base)
	}
}

func TestIsJSONContentType(t *testing.T) {
	for ct, want := range map[string]bool{"application/json": true, "application/json; charset=utf-8": true, "text/plain": false, "": false, "application/jsonx": false} {
		if IsJSONContentType(ct) != want {
			t.Errorf("%q: want %v", ct, want)
		}
	}
}

func TestItemsExplainsANonList(t *testing.T) {
	if _, err := Items(&client.Response{Status: 200, Body: []byte(`{"status":"success","data":[]}`)}); err == nil {
		t.Error("an object is not a list")
	}
	for _, body := range []string{"null", " null ", `"x"`, "3", "true"} {
		if items, err := Items(&client.Response{Status: 200, Body: []byte(body)}); err == nil || !strings.Contains(err.Error(), "not a JSON array") {
			t.Errorf("%q is not a list: items %v, err %v", body, items, err)
		}
	}
	items, err := Items(&client.Response{Status: 200, Body: []byte(`[{"_id":"a","total":1.5}]`)})
	if err != nil || len(items) != 1 || items[0]["total"].(json.Number).String() != "1.5" {
		t.Errorf("items %v, err %v", items, err)
	}
}

func TestReferenceNowPrecedence(t *testing.T) {
	env := &Env{Start: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), Config: replayConfig(t, nil)}
	meta := cassette.Meta{ReferenceNow: "2026-11-21T12:00:00Z"}
	if got := env.referenceNow(meta); !got.Equal(time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)) {
		t.Errorf("replay must use the cassette's reference time, got %s", got)
	}
	env.Config = replayConfig(t, map[string]string{config.EnvNow: "2027-02-03T04:05:06Z"})
	if got := env.referenceNow(meta); got.Year() != 2027 {
		t.Errorf("WINSTON_NOW must win, got %s", got)
	}
}

func TestTheCatalogueIsResolvedOncePerReferenceTime(t *testing.T) {
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Catalogue: cat}
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	a, _ := env.resolvedCatalogue(now)
	b, _ := env.resolvedCatalogue(now)
	c, _ := env.resolvedCatalogue(now.Add(time.Hour))
	if a != b || a == c {
		t.Error("one resolution per reference time expected")
	}
	if a.Fixtures.ModifiedSince != "2026-11-20T00:00:00Z" {
		t.Errorf("fixtures not resolved: %s", a.Fixtures.ModifiedSince)
	}
}

func TestProvenanceReadsTheCassetteEntries(t *testing.T) {
	meta := cassette.Meta{Source: cassette.SourceSandbox, RecordedAt: "2026-11-28T13:19:27Z"}
	asJSON, err := json.Marshal(meta)
	if err != nil {
		t.Fatal(err)
	}
	env := &Env{Config: replayConfig(t, nil)}
	for name, value := range map[string]types.ReportEntryValue{
		"serial (the value as added)":  types.WrapEntryValue(meta),
		"parallel (the value as JSON)": {AsJSON: string(asJSON)},
	} {
		r := types.Report{SpecReports: types.SpecReports{{ReportEntries: types.ReportEntries{
			{Name: CassetteEntryName, Value: value},
		}}}}
		source, at, sandbox := provenance(env, r)
		if source != cassette.SourceSandbox || at != meta.RecordedAt || !sandbox {
			t.Errorf("%s: got %q %q %v", name, source, at, sandbox)
		}
	}
}

// Cassettes recorded some from the sandbox and some from an environment
// are said to be both, never all one: the sandbox's label is no more
// right for the environment's answers than the reverse.
func TestProvenanceOfMixedCassettesSaysBoth(t *testing.T) {
	env := &Env{Config: replayConfig(t, nil)}
	var specs types.SpecReports
	for _, src := range []string{cassette.SourceTarget, cassette.SourceSandbox, cassette.SourceTarget} {
		specs = append(specs, types.SpecReport{ReportEntries: types.ReportEntries{
			{Name: CassetteEntryName, Value: types.WrapEntryValue(cassette.Meta{Source: src, RecordedAt: "2026-11-28T13:19:27Z"})},
		}})
	}
	source, _, sandbox := provenance(env, types.Report{SpecReports: specs})
	if source != report.CassettesMixed || !sandbox {
		t.Errorf("mixed cassettes: source %q, sandbox %v", source, sandbox)
	}
	source, _, sandbox = provenance(env, types.Report{SpecReports: specs[:1]})
	if source != "environment" || sandbox {
		t.Errorf("an environment's cassette: source %q, sandbox %v", source, sandbox)
	}
}

// A recording through make record trusts the sandbox's CA: its cassettes
// say the sandbox even when they hold no answer (the TLS checks').
func TestARecordingTrustingTheSandboxCAIsTheSandboxs(t *testing.T) {
	srv, err := sandbox.Start(sandbox.Options{CAOut: filepath.Join(t.TempDir(), "ca.pem")})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	cfg := replayConfig(t, nil)
	cfg.CAFile = srv.CAFile()
	if got := recordSource(cfg); got != cassette.SourceSandbox {
		t.Errorf("a recording trusting the sandbox's CA names %q", got)
	}
	cfg.CAFile = ""
	if got := recordSource(cfg); got != cassette.SourceTarget {
		t.Errorf("a recording with no extra CA names %q", got)
	}
}

func TestLinkLatestPointsAtTheNewestRun(t *testing.T) {
	reports := filepath.Join(t.TempDir(), "reports")
	for _, run := range []string{"20261128-100000-replay", "20261128-110000-live"} {
		dir := filepath.Join(reports, run)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		linkLatest(dir)
	}
	if got, err := os.Readlink(filepath.Join(reports, "latest")); err != nil || got != "20261128-110000-live" {
		t.Errorf("latest -> %q (%v)", got, err)
	}
	other := filepath.Join(t.TempDir(), "elsewhere", "run")
	linkLatest(other)
	if _, err := os.Lstat(filepath.Join(filepath.Dir(other), "latest")); err == nil {
		t.Error("a report outside a reports/ folder must not get a latest link")
	}
}

func TestGatesSaySomethingToTurnTheCheckOn(t *testing.T) {
	env := &Env{Config: replayConfig(t, nil)}
	if reason := NeedsNetwork("a TLS handshake")(env); reason == "" || !strings.Contains(reason, "WINSTON_MODE=live") {
		t.Errorf("replay gate: %q", reason)
	}
	live, err := config.LoadFrom(config.MapLookup(map[string]string{config.EnvMode: "live", config.EnvBaseURL: "https://api-qa.example.test",
		config.EnvAPIKey: "a-long-enough-key", config.EnvReportDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	env.Config = live
	if reason := NeedsSecondTenant(env); !strings.Contains(reason, "WINSTON_API_KEY_2") {
		t.Errorf("tenant gate: %q", reason)
	}
	if reason := NeedsNetwork("a TLS handshake")(env); reason != "" {
		t.Errorf("live runs need no gate: %q", reason)
	}
	// The embedded catalogue's fixtures are the sandbox's: an order on
	// its plan goes to no real environment, only to this machine or
	// with a catalogue of the user's own.
	cat, err := catalogue.Default()
	if err != nil {
		t.Fatal(err)
	}
	env.Catalogue = cat
	if reason := NeedsOwnFixtures(env); !strings.Contains(reason, "fixtures.planId") || !strings.Contains(reason, "WINSTON_CATALOGUE") {
		t.Errorf("fixtures gate on a real host with the embedded catalogue: %q", reason)
	}
	// Recording sends the same orders to the same host.
	rec, err := config.LoadFrom(config.MapLookup(map[string]string{config.EnvMode: "record", config.EnvBaseURL: "https://api-qa.example.test",
		config.EnvAPIKey: "a-long-enough-key", config.EnvReportDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	env.Config = rec
	if reason := NeedsOwnFixtures(env); !strings.Contains(reason, "fixtures.planId") {
		t.Errorf("fixtures gate when recording from a real host with the embedded catalogue: %q", reason)
	}
	own := *live
	own.Catalogue = "/home/me/winston-catalogue.yaml"
	env.Config = &own
	// A copy of the catalogue that kept the sandbox's plan is gated as
	// the embedded one is; one with a plan of its own is not.
	if reason := NeedsOwnFixtures(env); !strings.Contains(reason, "your catalogue (WINSTON_CATALOGUE) keeps") || !strings.Contains(reason, "plan-main") {
		t.Errorf("fixtures gate with the user's catalogue that kept the sandbox's plan: %q", reason)
	}
	mine := *cat
	mine.Fixtures.PlanID = "plan-of-my-tenant"
	env.Catalogue = &mine
	if reason := NeedsOwnFixtures(env); reason != "" {
		t.Errorf("fixtures gate with the user's catalogue: %q", reason)
	}
	env.Catalogue = cat
	local, err := config.LoadFrom(config.MapLookup(map[string]string{config.EnvMode: "live", config.EnvBaseURL: "https://127.0.0.1:28443", config.EnvHTTPURL: "http://127.0.0.1:28080",
		config.EnvAPIKey: "a-long-enough-key", config.EnvReportDir: t.TempDir()}))
	if err != nil {
		t.Fatal(err)
	}
	env.Config = local
	if reason := NeedsOwnFixtures(env); reason != "" {
		t.Errorf("fixtures gate against the sandbox on this machine: %q", reason)
	}
}

func TestItemsDecodesTheTopLevelOnly(t *testing.T) {
	items, err := Items(&client.Response{Status: 200, Body: []byte(`[{"_id":"a","paid":true,"plan_id":null,"payments":[{"amount":1}],"n":12}]`)})
	if err != nil {
		t.Fatal(err)
	}
	it := items[0]
	if it["_id"] != "a" || it["paid"] != true || it["plan_id"] != nil || it["n"] != json.Number("12") {
		t.Errorf("scalars: %#v", it)
	}
	if raw, ok := it["payments"].(json.RawMessage); !ok || string(raw) != `[{"amount":1}]` {
		t.Errorf("nested values stay raw: %#v", it["payments"])
	}
}

// JSONKind names every kind of value Items puts in an item.
func TestJSONKindNamesEveryValueOfAnItem(t *testing.T) {
	items, err := Items(&client.Response{Status: 200, Body: []byte(`[{"s":"a","b":false,"z":null,"n":1.5,"o":{"x":1},"a":[1]}]`)})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"s": "a string", "b": "a boolean", "z": "null", "n": "a number", "o": "an object", "a": "an array"}
	for k, kind := range want {
		if got := JSONKind(items[0][k]); got != kind {
			t.Errorf("%s: JSONKind(%#v) = %q, want %q", k, items[0][k], got, kind)
		}
	}
}

// TestSplitItemsTakesValidListsItself keeps valid lists on the one-pass
// split: refusing one would still give the right items, through
// encoding/json, but at several times the cost.
func TestSplitItemsTakesValidListsItself(t *testing.T) {
	for _, body := range []string{
		`[]`, ` [ ] `, `[null,{}]`, `[{"a":-0.0e-0,"b":1E+2,"c":12.5e-3,"d":true,"e":false,"f":null}]`,
		`[{"s":"\" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00","o":{"k":[1,{"x":[]}]}}]`,
		"[{\"a\":" + strings.Repeat("[", maxDepth-1) + strings.Repeat("]", maxDepth-1) + "}]",
	} {
		if _, ok := splitItems([]byte(body)); !ok {
			t.Errorf("the one-pass split refused a valid list: %.80s", body)
		}
	}
	deep := "[{\"a\":" + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + "}]"
	if _, ok := splitItems([]byte(deep)); ok {
		t.Errorf("the one-pass split followed nesting deeper than %d; leave that to encoding/json", maxDepth)
	}
}

// FuzzItemsMatchesEncodingJSON holds the fast split of list answers to
// encoding/json's reading: the same items, or an error both ways.
func FuzzItemsMatchesEncodingJSON(f *testing.F) {
	for _, seed := range []string{
		`[]`, ` [ ] `, `[{}]`, `[null, {"a":1}]`, `null`, `{}`, `[1]`, `[[]]`, `"x"`, ``, `[{"a":1},]`,
		`[{"_id":"a","total":12.50,"paid":true,"plan_id":null,"payments":[{"amount":1}],"o":{"k":"}]\""}}]`,
		"[{\"k\\u00e9y\":\"caf\\u00e9\",\"raw\":\"\xff\",\"\xfe\":1,\"dup\":1,\"dup\":2}]",
		`[ { "a" : "b\"c" , "n" : -1.5e3 , "s" : "\\" } , { } ]`, `[{"a":[{"b":[1,{"c":"]"}]}]}]`,
		// Invalid texts the one-pass split must refuse, as encoding/json does.
		`[{"a":01}]`, `[{"a":1.}]`, `[{"a":-}]`, `[{"a":1e}]`, `[{"a":1e+}]`, `[{"a":.5}]`, `[{"a":+1}]`,
		`[{"a":tru}]`, `[{"a":nul}]`, `[{"a":[1,]}]`, `[{"a":{"b" 1}}]`, `[{"a":{"b":1,}}]`, `[{"a":[1 2]}]`,
		`[{"a":"\q"}]`, `[{"a":"\u12"}]`, `[{"a":"\u12g4"}]`, "[{\"a\":\"\x01\"}]", `[{"a":1}] x`, `[{"a":1}]]`, `[]0`, `[] `,
		`[{"a":{"b":[}]}]`, `[{"a":"unterminated}]`, `[{"a":1}`, `[{"a":-0.0e-0,"b":1E+2,"c":true,"d":false}]`,
		"[{\"a\":" + strings.Repeat("[", 1200) + strings.Repeat("]", 1200) + "}]",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, gotErr := Items(&client.Response{Status: 200, Body: body})
		want, wantErr := itemsSlow(body)
		if (gotErr == nil) != (wantErr == nil) {
			t.Fatalf("errors differ for %q: fast %v, encoding/json %v", body, gotErr, wantErr)
		}
		if gotErr != nil {
			if gotErr.Error() != wantErr.Error() {
				t.Fatalf("error texts differ for %q: %v / %v", body, gotErr, wantErr)
			}
			return
		}
		if len(got) == 0 && len(want) == 0 {
			return
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("items differ for %q:\nfast          %#v\nencoding/json %#v", body, got, want)
		}
	})
}

func TestTuneGCLeavesAUsersSettingAlone(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	tuneGC()
	if got := debug.SetGCPercent(150); got != 150 {
		t.Errorf("GOGC=150 was overridden: GC percent %d", got)
	}
	t.Setenv("GOGC", "")
	tuneGC()
	if got := debug.SetGCPercent(100); got != -1 {
		t.Errorf("without GOGC or GOMEMLIMIT collection should wait for the limit: GC percent %d", got)
	}
	if got := debug.SetMemoryLimit(-1); got != gcMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, gcMemoryLimit)
	}
}

// TestAConfigErrorLeftOutByTheSelectionSaysWhatAndHow: a focused run whose
// CONFIG spec was not selected fails with the configuration error itself
// and its fix, never only "although no spec failed".
func TestAConfigErrorLeftOutByTheSelectionSaysWhatAndHow(t *testing.T) {
	doc := report.ConfigErrorDocument(nil, report.RunInfo{Mode: "replay",
		ConfigError: "WINSTON_TIMEOUT=\"forever\": not a duration: use e.g. 30s or 2m"})
	msg := notPassMessage(doc)
	for _, want := range []string{"configuration error, no request was sent", `WINSTON_TIMEOUT="forever": not a duration: use e.g. 30s or 2m`,
		"fix: correct the setting(s) named above", "left out by the focus or label filter"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the message lacks %q:\n%s", want, msg)
		}
	}
	if strings.HasPrefix(msg, "the verdict is") || strings.Contains(msg, "although no spec failed") {
		t.Errorf("the message must lead with the error, not the verdict:\n%s", msg)
	}
	nothing := &report.Document{Verdict: report.VerdictFail, Summary: "no requirement matched the focus NO-SUCH"}
	if got := notPassMessage(nothing); !strings.Contains(got, "no requirement matched the focus NO-SUCH") {
		t.Errorf("a run that selected nothing must say so: %s", got)
	}
}
