package conformance

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/cassette"
	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

func redactor() *redact.Redactor { return redact.Global() }

// Gate says when a requirement cannot run in this environment. It returns
// the skip reason, which must say what would turn the check on, or "".
type Gate func(env *Env) string

// NeedsNetwork gates checks that a cassette cannot hold (a TLS handshake).
func NeedsNetwork(what string) Gate {
	return func(env *Env) string {
		if env.Config.IsReplay() {
			return fmt.Sprintf("%s cannot be replayed from a cassette: set WINSTON_MODE=live (or record) with WINSTON_BASE_URL to run it", what)
		}
		return ""
	}
}

// NeedsSecondTenant gates the tenant-isolation check.
func NeedsSecondTenant(env *Env) string {
	if !env.Config.HasSecondKey() {
		return "needs a second tenant's key: set WINSTON_API_KEY_2 to an API key of another tenant"
	}
	return ""
}

// NeedsOwnFixtures keeps a check that places an order on fixtures.planId
// from a target that is not on this machine (live or recording) while the
// catalogue is the embedded one, or a copy that kept its plan: those
// fixtures are the sandbox's (plan-main, table 12), which a real
// environment does not have, and the order's 404 would be read as a broken
// contract.
func NeedsOwnFixtures(env *Env) string {
	cfg := env.Config
	if cfg.IsReplay() || cfg.BaseURL == nil || isLoopback(cfg.BaseURL.Hostname()) {
		return ""
	}
	var reason string
	if cfg.Catalogue != "" {
		// A catalogue of the user's own that kept the sandbox's plan (a
		// copy whose fixtures were not changed): its 404 would read as a
		// broken contract just the same.
		if env.Catalogue == nil || env.Catalogue.Fixtures.PlanID != sandboxPlanID() {
			return ""
		}
		reason = fmt.Sprintf("needs your environment's fixtures: your catalogue (WINSTON_CATALOGUE) keeps the embedded catalogue's fixtures.planId (%s), the sandbox's plan, not one of %s's; "+
			"set fixtures.planId and fixtures.tableNumber in it to a plan and table of your environment",
			env.Catalogue.Fixtures.PlanID, cfg.BaseURL.Host)
	} else {
		reason = fmt.Sprintf("needs your environment's fixtures: the embedded catalogue's fixtures.planId (%s) and tableNumber are the sandbox's, not %s's; "+
			"copy harness/catalogue/catalogue.yaml, set fixtures.planId and fixtures.tableNumber to a plan and table of your environment, and point WINSTON_CATALOGUE at it",
			env.Catalogue.Fixtures.PlanID, cfg.BaseURL.Host)
	}
	if !cfg.AllowMutations {
		// Said at once, so that the fix takes one round, not two.
		reason += "; it places orders, so WINSTON_ALLOW_MUTATIONS=true is needed too (" + cfg.MutationsReason + ")"
	}
	return reason
}

// sandboxPlanID is the embedded catalogue's fixtures.planId: the sandbox's
// plan, which no Winston environment has.
var sandboxPlanID = sync.OnceValue(func() string {
	def, err := catalogue.Default()
	if err != nil {
		return ""
	}
	return def.Fixtures.PlanID
})

// isLoopback reports whether host names this machine (the sandbox's place).
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Register defines one spec per requirement in the catalogue that has a
// check in checks, in catalogue order. A requirement without a check is a
// defect of the suite and fails loudly; so does a check whose ID is not in
// the catalogue. With a configuration error, one failing spec reports it
// and nothing is sent.
func Register(env *Env, checks map[string]Check) {
	// The body takes a context so that Ginkgo waits for it (up to the grace
	// period) when the suite's --timeout has elapsed: a body without one is
	// abandoned mid-write and the run's report is lost. Writing ignores the
	// cancellation: the report of a stopped run matters most.
	ReportAfterSuite("Winston conformance report", func(_ SpecContext, r Report) { writeReport(env, r) })
	if env.Err != nil || env.Catalogue == nil {
		It("CONFIG the configuration is valid", Label("config"), func() {
			Fail(redactor().String(fmt.Sprintf("configuration error, no request was sent:\n%v", env.Err)))
		})
		return
	}
	for id := range checks {
		// A catalogue of the user's own may set a requirement aside: the
		// report lists it among the catalogue's changes. In the suite's
		// own, a check without its entry is a defect.
		if env.Catalogue.Requirement(id) == nil && (env.Config == nil || env.Config.Catalogue == "") {
			It("SUITE "+id+" is in the catalogue", Label("suite"), func() {
				Fail(fmt.Sprintf("the suite has a check %s that the catalogue does not list: add it to harness/catalogue/catalogue.yaml or remove the check", id))
			})
		}
	}
	for i := range env.Catalogue.Requirements {
		req := &env.Catalogue.Requirements[i]
		check, ok := checks[req.ID]
		if !ok {
			It(req.ID+" "+req.Title, Label(labels(req)...), func() {
				Fail(fmt.Sprintf("the catalogue lists %s but the suite has no check for it: write one in suites/ or remove the entry from the catalogue", req.ID))
			})
			continue
		}
		It(req.ID+" "+req.Title, Label(labels(req)...), func(ctx SpecContext) {
			runCheck(ctx, env, req, check)
		})
	}
}

// Check is the body of one requirement's spec, with the gates that decide
// whether it runs here.
type Check struct {
	// Gates are evaluated in order; the first reason skips the spec.
	Gates []Gate
	// Run performs the check; it records violations on t.
	Run func(ctx SpecContext, t *T)
	// JudgesRateLimit is true for the one check whose rule is about 429
	// answers (ERR-008). Every other check records a 429 that outlasted
	// the client's retries as not judged: the environment throttled the
	// run, and the answer says nothing about the rule checked.
	JudgesRateLimit bool
}

func labels(req *catalogue.Requirement) []string {
	out := []string{req.ID, req.Family, req.Source}
	if req.Level == catalogue.LevelShould {
		out = append(out, "advisory")
	}
	return append(out, req.Labels...)
}

func runCheck(ctx SpecContext, env *Env, req *catalogue.Requirement, check Check) {
	for _, g := range check.Gates {
		if reason := g(env); reason != "" {
			Skip(reason)
		}
	}
	if slices.Contains(req.Labels, "mutating") && !env.Config.AllowMutations {
		Skip(env.Config.MutationsReason + ": this check creates orders; set WINSTON_ALLOW_MUTATIONS=true to run it")
	}
	t := &T{Req: req, env: env, judgesRateLimit: check.JudgesRateLimit}
	inner := env.Network
	var opts []client.Option
	if env.Cassettes != nil {
		session, err := env.Cassettes.Session(req.ID)
		if err != nil {
			// A missing or damaged cassette: the run's setup, not the
			// target, kept this check from being judged.
			AddReportEntry(evidence.ReportEntryName, []evidence.Exchange{{
				Error: redactor().String(err.Error()), ReplayMiss: true, Cassette: env.Cassettes.Path(req.ID)}}, ReportEntryVisibilityNever)
			Fail(redactor().String(err.Error()))
		}
		// Only a passed spec replaces its cassette: a failed, skipped
		// (say, no 429 came) or interrupted one keeps the old recording.
		// A skipped one with no recording yet writes what it saw, so
		// that a replay of a fresh recording skips it again rather than
		// missing it.
		cassetteFile := env.Cassettes.Path(req.ID)
		DeferCleanup(func() error {
			state := CurrentSpecReport().State
			_, statErr := os.Stat(cassetteFile)
			return session.Finish(state.Is(types.SpecStatePassed) || state.Is(types.SpecStateSkipped) && errors.Is(statErr, fs.ErrNotExist))
		})
		inner = session.RoundTripper()
		t.cassette = session.Meta()
		if env.Config.IsReplay() {
			opts = append(opts, client.WithReplay(session.File()))
		}
	}
	cat, err := env.resolvedCatalogue(env.referenceNow(t.cassette))
	if err != nil {
		Fail(fmt.Sprintf("resolve the catalogue's fixtures: %v", err))
	}
	t.Cat = cat
	t.Fx = cat.Fixtures
	t.API = client.New(env.Config, cat.Fixtures, inner, opts...)
	DeferCleanup(func() {
		exchanges := t.API.Exchanges()
		if !CurrentSpecReport().Failed() {
			// A pass needs its evidence shown, not every byte of it.
			exchanges = evidence.Condense(exchanges)
		}
		AddReportEntry(evidence.ReportEntryName, exchanges, ReportEntryVisibilityNever)
		AddReportEntry(evidence.FindingEntryName, t.Findings(), ReportEntryVisibilityNever)
		if len(t.shapes) > 0 {
			AddReportEntry(ShapesEntryName, t.shapes, ReportEntryVisibilityNever)
		}
		if t.cassette.Source != "" {
			AddReportEntry(CassetteEntryName, t.cassette, ReportEntryVisibilityNever)
		}
	})
	check.Run(ctx, t)
	t.verify()
}

// T is what a check works with: the requirement, a fresh client and the
// resolved catalogue. Checks record each observation with Observe; the
// spec fails at the end with every violation listed, so that one broken
// endpoint does not hide another.
type T struct {
	// Req is the requirement this spec checks.
	Req *catalogue.Requirement
	// API is the spec's client; every exchange it makes is evidence.
	API *client.Client
	// Cat is the catalogue with fixtures resolved for this run.
	Cat *catalogue.Catalogue
	// Fx are the resolved fixtures.
	Fx catalogue.Fixtures

	env             *Env
	judgesRateLimit bool
	cassette        cassette.Meta
	mu              sync.Mutex
	findings        []evidence.Finding
	details         map[string]string
	shapes          map[string]any
}

// Endpoints returns the catalogue endpoints this requirement covers.
func (t *T) Endpoints() []catalogue.Endpoint { return t.Cat.EndpointsOf(t.Req) }

// Env returns the run's environment.
func (t *T) Env() *Env { return t.env }

// Findings returns a copy of what the check observed.
func (t *T) Findings() []evidence.Finding {
	t.mu.Lock()
	out := append([]evidence.Finding(nil), t.findings...)
	t.mu.Unlock()
	// Checks observe endpoints concurrently; a fixed order keeps reports
	// of the same answers identical, serial or parallel.
	slices.SortStableFunc(out, func(a, b evidence.Finding) int {
		return cmp.Or(strings.Compare(a.Endpoint, b.Endpoint), strings.Compare(a.Expected, b.Expected), strings.Compare(a.Observed, b.Observed))
	})
	return out
}

func findingKey(f evidence.Finding) string {
	return f.Endpoint + "\x00" + f.Expected + "\x00" + f.Observed
}

// Record adds a finding as is.
func (t *T) Record(f evidence.Finding) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.findings = append(t.findings, f)
}

// Observe records one observation about endpoint: ok says whether the
// contract held, expected states what the contract asks, and resp is the
// answer that was judged (its status and a description go into the
// failure message when ok is false).
//
// A 429 is never judged here, unless the check judges rate limits
// (Check.JudgesRateLimit): it is recorded as throttled, not judged, so that
// it neither passes a check that expects a refusal nor fails one that
// expects a 200. Nor is a 502, 503 or 504 that outlasted the client's
// retries: the endpoint was down, which says nothing of the contract.
func (t *T) Observe(endpoint string, ok bool, expected string, resp *client.Response) {
	t.observe(endpoint, ok, expected, resp, false)
}

// observe is Observe; judge5xx judges a 502, 503 or 504, or no answer, to
// a path that still serves (a refusal's "never a 5xx"; see servesNow).
func (t *T) observe(endpoint string, ok bool, expected string, resp *client.Response, judge5xx bool) {
	if resp != nil && resp.Err == nil && resp.Status == http.StatusTooManyRequests && !t.judgesRateLimit {
		t.Record(evidence.Finding{Endpoint: endpoint, OK: true, Expected: expected, Observed: Summary(resp),
			Facts: map[string]string{NotJudgedFact: throttledWhy(resp), ThrottledFact: "429"}})
		return
	}
	if resp != nil && resp.Err == nil && resp.Exchange.Unavailable && (!judge5xx || !t.servesNow(resp)) {
		t.Record(evidence.Finding{Endpoint: endpoint, OK: true, Expected: expected, Observed: Summary(resp),
			Facts: map[string]string{NotJudgedFact: unavailableWhy(resp), UnavailableFact: strconv.Itoa(resp.Status)}})
		return
	}
	if resp != nil && errors.Is(resp.Err, client.ErrTargetUnavailable) {
		// Not sent: the target, or this path, failed too often in a row.
		t.Record(evidence.Finding{Endpoint: endpoint, OK: true, Expected: expected, Observed: Summary(resp),
			Facts: map[string]string{NotJudgedFact: "unavailable: not sent, as the requests before it failed in a row; run again when the target answers",
				UnavailableFact: "not sent"}})
		return
	}
	observed := Summary(resp)
	if resp != nil && errors.Is(resp.Err, client.ErrBodyTooLarge) {
		// The answer came, longer than the suite reads: its setting,
		// not the target's answer, kept it from being judged.
		t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed,
			Facts: map[string]string{MaxBodyFact: "raise WINSTON_MAX_BODY to read answers this long"}})
		t.keepDetail(endpoint, expected, observed, resp)
		return
	}
	if judge5xx && resp != nil && resp.Err != nil && resp.Exchange.Unavailable && resp.Exchange.URL != "" && t.servesNow(resp) {
		// No answer to a request that must be refused, from a path that
		// answers its example at once: the connection failed on this
		// request (a backend that dies on it), which is no 4xx and no
		// outage. Said without the no-answer prefix, so that the report
		// reads it as the answer it is.
		observed = "the connection failed on this request, and again when it was sent once more (" + strings.TrimPrefix(observed, evidence.NoAnswerPrefix) +
			"), while the path answered its example request at once"
		t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed})
		t.keepDetail(endpoint, expected, observed, resp)
		return
	}
	if t.routeMissing(endpoint, expected, observed, resp, ok, judge5xx) {
		return
	}
	t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed, OK: ok})
	if !ok {
		t.keepDetail(endpoint, expected, observed, resp)
	}
}

// GuessedPathFact is the key of a failing finding's Facts that says the
// target has no route (404) at an endpoint path the catalogue only guessed
// (report.GuessedPathFact), and what to change.
const GuessedPathFact = report.GuessedPathFact

// UnreadableFieldFact is the key of a failing finding's Facts that says
// no item of an answer carried, in a form the check reads, a field whose
// name or format is only inferred (report.UnreadableFieldFact): the check
// could not judge, and the fix is what the fact says.
const UnreadableFieldFact = report.UnreadableFieldFact

// HTTPPortFact is the key of a failing finding's Facts that says the
// finding came of WINSTON_BASE_URL naming a port that answers plain HTTP
// (report.HTTPPortFact), and what to change.
const HTTPPortFact = report.HTTPPortFact

// HTTPURLOnTLSFact is the key of a failing finding's Facts that says the
// plain-HTTP probe reached a port that speaks TLS (report.HTTPURLOnTLSFact).
const HTTPURLOnTLSFact = report.HTTPURLOnTLSFact

// HTTPURLClosedFact is the key of a failing finding's Facts that says
// nothing listens at the port WINSTON_HTTP_URL names
// (report.HTTPURLClosedFact).
const HTTPURLClosedFact = report.HTTPURLClosedFact

// URLMismatchFact is the key of a failing finding's Facts that says the
// plain-HTTP origin redirected to another port of the base URL's host
// while the settings probably name different servers
// (report.URLMismatchFact).
const URLMismatchFact = report.URLMismatchFact

// SecondKeyRefusedFact is the key of a failing finding's Facts that says
// the target refused the second tenant's key while it took the first's
// (report.SecondKeyRefusedFact).
const SecondKeyRefusedFact = report.SecondKeyRefusedFact

// CertNameFact is the key of a failing finding's Facts that says the
// certificate did not verify for an IP address WINSTON_BASE_URL names
// (report.CertNameFact).
const CertNameFact = report.CertNameFact

// MaxBodyFact is the key of a failing finding's Facts that says an answer
// was longer than WINSTON_MAX_BODY (report.MaxBodyFact).
const MaxBodyFact = report.MaxBodyFact

// guessFix is the fix a failing finding carries when a guess of the
// catalogue, not the target, kept it from being judged; "" otherwise.
func guessFix(f evidence.Finding) string {
	return cmp.Or(f.Facts[GuessedPathFact], f.Facts[UnreadableFieldFact])
}

// UnreadableField records that no item of resp carried field in a form the
// check reads, so the rule could not be judged on it; fix says what would
// let it be.
func (t *T) UnreadableField(endpoint, expected, field, fix string, resp *client.Response) {
	observed := "no item has " + field + " as a string: " + Summary(resp)
	t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed,
		Facts: map[string]string{UnreadableFieldFact: fix}})
	t.keepDetail(endpoint, expected, observed, resp)
}

// servesNow reports whether the failure of resp, a 502, 503 or 504, or a
// dropped connection, to a request the contract says must be refused with
// a 4xx, is that request's own: the path serves (its endpoint's example
// request, sent now, gets 200) and the same request, sent once more, fails
// the same way. Then the backend died on the bad request behind a gateway;
// a blip of a flaky environment, a bad backend behind a load balancer or a
// slow answer (a timeout is never judged) does not repeat so. A path of
// no endpoint (an unknown route) is controlled by an endpoint that reads.
// A mutating endpoint is never sent a control (it would place an order),
// and replay has none: both leave the failure an outage.
func (t *T) servesNow(resp *client.Response) bool {
	if t.API == nil || t.Cat == nil || t.env == nil || t.env.Config == nil || t.env.Config.IsReplay() || client.TimedOut(resp.Err) {
		return false
	}
	ep, ok := t.endpointAt(resp, func(ep catalogue.Endpoint) bool { return !ep.Mutating })
	if !ok {
		if _, known := t.endpointAt(resp, func(catalogue.Endpoint) bool { return true }); known {
			// A mutating endpoint: no control.
			return false
		}
		// A path of no endpoint (ERR-004's unknown route): the API
		// serves when an endpoint of it does, and a 5xx that repeats
		// is then the router's answer to this path.
		if ep, ok = t.anyReadEndpoint(); !ok {
			return false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*t.env.Config.Timeout+time.Second)
	defer cancel()
	control := t.Post(ctx, ep, ep.Request, client.WithNote("control: does the path serve its example request? (to judge a failure of the bad request before it)"))
	if control.Err != nil || control.Status != http.StatusOK {
		return false
	}
	again := resp.Again(ctx, client.WithNote("the bad request once more: does it fail the same way? (a blip would not)"), client.WithoutBreakerCount())
	switch {
	case again == nil, client.TimedOut(again.Err):
		return false
	case resp.Err != nil:
		return again.Err != nil && again.Unavailable()
	default:
		return again.Err == nil && again.Unavailable() && again.Status >= 500
	}
}

// anyReadEndpoint is the catalogue's first endpoint that places nothing,
// the control of a path that is no endpoint.
func (t *T) anyReadEndpoint() (catalogue.Endpoint, bool) {
	for _, ep := range t.Cat.Endpoints {
		if !ep.Mutating && !catalogue.CreatesData(ep.Path) {
			return ep, true
		}
	}
	return catalogue.Endpoint{}, false
}

// routeMissing records, and reports, a 404 that says the path is no route
// rather than anything of the rule: one a refusal-expecting check took for
// its refusal (ok) while the path's example gets 404 too, or one a check
// failed on at a path the catalogue only guessed.
func (t *T) routeMissing(endpoint, expected, observed string, resp *client.Response, ok, refusal bool) bool {
	if refusal && ok {
		if ep, noRoute := t.noRouteRefusal(resp); noRoute {
			// The 404 says the path is no route, not that this request
			// was refused: the rule was never seen to hold.
			if ep.Source == catalogue.SourceInferred || ep.Source == catalogue.SourceUnknown {
				t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed + ", and 404 to the path's example request too",
					Facts: map[string]string{GuessedPathFact: guessedPathFix(ep)}})
				return true
			}
			t.NotJudged(endpoint, expected, resp, "the path answered 404 to its own example request too, so it is no route here and a 404 shows no refusal of this request; the checks that send the example judge the missing route")
			return true
		}
	}
	if ep, guessed := t.guessedPath(resp); !ok && guessed {
		t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed, Facts: map[string]string{GuessedPathFact: guessedPathFix(ep)}})
		t.keepDetail(endpoint, expected, observed, resp)
		return true
	}
	return false
}

// answerless is true when resp carries no status to read: an error other
// than a body longer than WINSTON_MAX_BODY (whose status came).
func answerless(resp *client.Response) bool {
	return resp.Err != nil && (resp.Status == 0 || !errors.Is(resp.Err, client.ErrBodyTooLarge))
}

// guessedPathFix is the GuessedPathFact of a path the catalogue guessed.
func guessedPathFix(ep catalogue.Endpoint) string {
	return fmt.Sprintf("the target has no route at %s, a path the catalogue only guessed (endpoint %s, source %s): "+
		"set its path for your environment in a catalogue of your own (WINSTON_CATALOGUE), or remove it", ep.Path, ep.ID, ep.Source)
}

// noRouteRefusal reports whether resp, a 404 to a POST that the check
// counts as a refusal, came from a path that is no route at all: no POST
// of the run has shown the path to be one (resp.PathFound), and the
// endpoint's example request, sent now, gets 404 too. A mutating endpoint
// is sent no example (it would place an order). Replay answers the example
// from the cassette when the recording sent it, and else judges the 404 as
// recorded (a recording made where the path had been found has none).
func (t *T) noRouteRefusal(resp *client.Response) (catalogue.Endpoint, bool) {
	if resp == nil || answerless(resp) || resp.Status != http.StatusNotFound || resp.PathFound ||
		resp.Exchange.Method != http.MethodPost || t.API == nil || t.env == nil || t.env.Config == nil {
		return catalogue.Endpoint{}, false
	}
	ep, ok := t.endpointAt(resp, func(ep catalogue.Endpoint) bool { return !ep.Mutating && !catalogue.CreatesData(ep.Path) })
	if !ok {
		return catalogue.Endpoint{}, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*t.env.Config.Timeout+time.Second)
	defer cancel()
	// The query marks the control on the wire and in a cassette: replay
	// finds it only where the recording sent it, and never takes for it
	// an example request the check itself sends later.
	control := t.Post(ctx, ep, ep.Request, client.WithIfRecorded(), client.WithQuery(url.Values{"conformance_probe": {"route"}}),
		client.WithNote("control: is the path a route? (a 404 to the bad request before it shows a refusal only where the example is served)"))
	return ep, !answerless(control) && control.Status == http.StatusNotFound
}

// endpointAt is the first endpoint of the catalogue at the path resp was
// sent to that keep accepts.
func (t *T) endpointAt(resp *client.Response, keep func(catalogue.Endpoint) bool) (catalogue.Endpoint, bool) {
	u, err := url.Parse(resp.Exchange.URL)
	if err != nil || t.Cat == nil {
		return catalogue.Endpoint{}, false
	}
	for _, ep := range t.Cat.Endpoints {
		if ep.Path == u.Path && keep(ep) {
			return ep, true
		}
	}
	return catalogue.Endpoint{}, false
}

// guessedPath reports whether resp is a 404 from an endpoint of the
// catalogue whose path is only inferred or unknown, and which endpoint.
func (t *T) guessedPath(resp *client.Response) (catalogue.Endpoint, bool) {
	// Only a POST can show a missing route (a GET may get 404 for its
	// method), and only where the path has not answered otherwise.
	if resp == nil || answerless(resp) || resp.Status != http.StatusNotFound || t.Cat == nil ||
		resp.Exchange.Method != http.MethodPost || resp.PathFound {
		return catalogue.Endpoint{}, false
	}
	return t.endpointAt(resp, func(ep catalogue.Endpoint) bool {
		return ep.Source == catalogue.SourceInferred || ep.Source == catalogue.SourceUnknown
	})
}

// keepDetail keeps the description of the answer a failing finding was
// made of, the first for each finding, for the failure message.
func (t *T) keepDetail(endpoint, expected, observed string, resp *client.Response) {
	if resp == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.details == nil {
		t.details = map[string]string{}
	}
	key := findingKey(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed})
	if _, seen := t.details[key]; !seen {
		t.details[key] = resp.Describe()
	}
}

// verify fails the spec when any finding is a violation, listing them all
// with the requirement's statement and source. A spec that judged nothing
// never passes: it is skipped when every endpoint was left out on purpose
// (mutations not allowed, with the reason), and fails otherwise.
func (t *T) verify() {
	GinkgoHelper()
	switch outcome, msg := judge(t.Req, t.Endpoints(), t.Findings(), t.details); outcome {
	case outcomeSkip:
		Skip(msg)
	case outcomeFail:
		Fail(redactor().String(msg))
	}
}

// NotJudgedFact is the key of a finding's Facts that says why the finding
// records an answer without judging it (say, a status that another check
// judges). Such a finding, like one that records a skipped endpoint,
// does not count as a judgement: a spec made only of them fails.
const NotJudgedFact = "notJudged"

// NotJudged records that an answer was seen but could not be judged by
// this check, and why. It never makes a spec pass on its own.
func (t *T) NotJudged(endpoint, expected string, resp *client.Response, why string) {
	t.Record(evidence.Finding{Endpoint: endpoint, OK: true, Expected: expected, Observed: Summary(resp),
		Facts: map[string]string{NotJudgedFact: why}})
}

// InsufficientDataFact is the key of a failing finding's Facts that says
// the answers held too few items to judge the rule (report.InsufficientDataFact).
const InsufficientDataFact = report.InsufficientDataFact

// TooFew records that the answers to endpoint held too few items to judge
// a rule: expected says what the check needed to judge it ("at least 101
// items, to judge the default page size"), observed what came ("40
// items"), fix what makes the data suffice, and resp is the answer that
// fell short (nil when it was several). It fails the spec, which must not
// pass on too little data, but as not judged: the report makes it a
// configuration error with the fix, never a contract violation.
func (t *T) TooFew(endpoint, expected, observed, fix string, resp *client.Response) {
	if fix == "" {
		// The fact must not be empty: an empty one reads as no fact,
		// and the finding would count as a violation.
		fix = "give the check more data: a catalogue of your own (WINSTON_CATALOGUE) or more data in the environment"
	}
	if resp != nil {
		observed += " in " + Summary(resp)
	}
	t.Record(evidence.Finding{Endpoint: endpoint, Expected: expected, Observed: observed,
		Facts: map[string]string{InsufficientDataFact: fix}})
	t.keepDetail(endpoint, expected, observed, resp)
}

// UnavailableFact is the key of a finding's Facts that marks an outage
// answer (502, 503, 504 after the client's retries) the check did not
// judge (report.UnavailableFact).
const UnavailableFact = report.UnavailableFact

// unavailableWhy says why an outage answer judges nothing.
func unavailableWhy(resp *client.Response) string {
	retries := ""
	if n := resp.Exchange.Retries; n > 0 {
		retries = fmt.Sprintf(" after %d retries", n)
	}
	return fmt.Sprintf("unavailable: the endpoint answered %d%s, an outage rather than an answer about the contract, so it judges nothing here; run again when it answers",
		resp.Status, retries)
}

// ThrottledFact is the key of a finding's Facts that marks an answer the
// target rate-limited (429) after the client's retries: the environment
// throttled the run, so the finding judges nothing, and the requirement
// cannot pass. The report classifies such a requirement as environment
// unavailable (throttled), never as a contract violation.
const ThrottledFact = report.ThrottledFact

// ThrottleFix says what to change when the target throttles the run.
const ThrottleFix = report.ThrottleFix + " and run again"

func throttledWhy(resp *client.Response) string {
	retries := ""
	if n := resp.Exchange.Retries; n > 0 {
		retries = fmt.Sprintf(" after %d retries", n)
	}
	return "throttled: the target rate-limited this request (429 Too Many Requests" + retries +
		"), so it judges nothing here; " + ThrottleFix
}

type outcome int

const (
	outcomePass outcome = iota
	outcomeSkip
	outcomeFail
)

// judge decides a spec from its findings: a failure lists every
// violation; a spec without violations passes only when at least one
// finding judged something.
func judge(req *catalogue.Requirement, endpoints []catalogue.Endpoint, findings []evidence.Finding, details map[string]string) (outcome, string) {
	var bad, skipped, unjudged, throttled, down, thin, guessed []string
	judged := 0
	firstDetail, thinDetail := "", ""
	for _, f := range findings {
		switch {
		case !f.OK && f.Facts[InsufficientDataFact] != "":
			if len(thin) == 0 {
				thinDetail = details[findingKey(f)]
			}
			thin = append(thin, findingLine(f)+"\n    fix: "+f.Facts[InsufficientDataFact])
			continue
		case !f.OK && guessFix(f) != "":
			guessed = append(guessed, findingLine(f)+"\n    fix: "+guessFix(f))
			continue
		case !f.OK:
		case f.Facts[ThrottledFact] != "":
			throttled = append(throttled, orHost(f.Endpoint))
			continue
		case f.Facts[UnavailableFact] != "":
			down = append(down, orHost(f.Endpoint)+" ("+f.Facts[UnavailableFact]+")")
			continue
		case f.Facts["skipped"] != "":
			skipped = append(skipped, orHost(f.Endpoint)+": "+f.Facts["skipped"])
			continue
		case f.Facts[NotJudgedFact] != "":
			unjudged = append(unjudged, orHost(f.Endpoint)+": "+f.Facts[NotJudgedFact])
			continue
		default:
			// A finding that is neither a skip nor unjudged judged an
			// answer when it states what was expected.
			if f.Expected != "" {
				judged++
			}
			continue
		}
		if len(bad) == 0 {
			firstDetail = details[findingKey(f)]
		}
		line := findingLine(f)
		for _, e := range f.SchemaErrors {
			line += "\n    " + e
		}
		bad = append(bad, line)
	}
	if len(bad) == 0 && len(guessed) > 0 {
		// A path the catalogue guessed and the target does not serve
		// is about the catalogue, not the contract.
		return outcomeFail, fmt.Sprintf("%s not judged: %d answer(s) did not fit what the catalogue only guessed of the target (a path, a field); first: %s\n\n%s [%s] %s\n%s\nnot judged, the catalogue's guesses:\n%s",
			req.ID, len(guessed), headline(guessed[0]), req.ID, sourceLabel(req), req.Must, reference(req), strings.Join(guessed, "\n"))
	}
	if len(bad) == 0 && len(thin) > 0 {
		// Too few items is about the data, not the contract: the spec
		// fails, as not judged, and says what data would do.
		msg := fmt.Sprintf("%s not judged: too few items to judge on %d answer(s); first: %s\n\n%s [%s] %s\n%s\nnot judged for want of data:\n%s",
			req.ID, len(thin), headline(thin[0]), req.ID, sourceLabel(req), req.Must, reference(req), strings.Join(thin, "\n"))
		if thinDetail != "" {
			msg += "\n\nfirst answer that fell short:\n" + thinDetail
		}
		return outcomeFail, msg
	}
	if len(bad) == 0 {
		if len(throttled) > 0 {
			// Even beside judgements that held, a throttled endpoint
			// was not judged: the requirement is not shown to hold.
			msg := fmt.Sprintf("%s not judged: the target throttled the run (429 Too Many Requests after the client's retries on %d request(s): %s); %s",
				req.ID, len(throttled), strings.Join(capped(throttled, 5), ", "), ThrottleFix)
			if len(down) > 0 {
				msg += fmt.Sprintf("; and %d request(s) got an outage answer (%s)", len(down), strings.Join(capped(down, 5), ", "))
			}
			return outcomeFail, fmt.Sprintf("%s\n\n%s [%s] %s\n%s", msg, req.ID, sourceLabel(req), req.Must, reference(req))
		}
		if len(down) > 0 {
			// So is an endpoint that was down.
			return outcomeFail, fmt.Sprintf("%s not judged: %d request(s) got an outage answer after the client's retries (%s), which says nothing of the contract; run again when those endpoints answer\n\n%s [%s] %s\n%s",
				req.ID, len(down), strings.Join(capped(down, 5), ", "), req.ID, sourceLabel(req), req.Must, reference(req))
		}
		if judged > 0 {
			return outcomePass, ""
		}
		if len(skipped) > 0 && len(unjudged) == 0 {
			return outcomeSkip, "judged nothing: every endpoint was left out (" + strings.Join(skipped, "; ") + ")"
		}
		return outcomeFail, fmt.Sprintf("%s judged nothing, so it cannot pass: %s\n\n%s [%s] %s\n%s",
			req.ID, nothingJudged(req, endpoints, skipped, unjudged), req.ID, sourceLabel(req), req.Must, reference(req))
	}
	// The first line is what a report row shows: the first violation.
	msg := fmt.Sprintf("%d violation(s); first: %s\n\n%s [%s] %s\n%s\nviolations:\n%s", len(bad), headline(bad[0]),
		req.ID, sourceLabel(req), req.Must, reference(req), strings.Join(bad, "\n"))
	if len(thin) > 0 {
		msg += "\nnot judged for want of data:\n" + strings.Join(thin, "\n")
	}
	if len(down) > 0 {
		msg += "\nnot judged, outage answers: " + strings.Join(capped(down, 5), ", ")
	}
	if len(guessed) > 0 {
		msg += "\nnot judged, the catalogue's guesses:\n" + strings.Join(guessed, "\n")
	}
	if firstDetail != "" {
		msg += "\n\nfirst failing exchange:\n" + firstDetail
	}
	return outcomeFail, msg
}

// findingLine is a failing finding as a line of a failure message.
func findingLine(f evidence.Finding) string {
	return fmt.Sprintf("- %s: expected %s; observed %s", orHost(f.Endpoint), f.Expected, f.Observed)
}

// headline is the first line of a findingLine list entry, without its
// dash: what a report row shows of it.
func headline(line string) string {
	return strings.TrimPrefix(strings.SplitN(line, "\n", 2)[0], "- ")
}

// nothingJudged says why a spec recorded no judgement, most likely cause
// first.
func nothingJudged(req *catalogue.Requirement, endpoints []catalogue.Endpoint, skipped, unjudged []string) string {
	switch {
	case len(req.Endpoints) > 0 && len(endpoints) == 0:
		return fmt.Sprintf("its endpoint selector %v matched no endpoint of the catalogue (%s)", req.Endpoints, catalogue.SelectorHint(req.Endpoints))
	case len(unjudged) > 0:
		return "no answer could be judged (" + strings.Join(append(unjudged, skipped...), "; ") + ")"
	}
	return "the check recorded no finding (a defect of the check in suites/, or of the catalogue entry)"
}

// capped keeps the first n of list and says how many more there were.
func capped(list []string, n int) []string {
	if len(list) <= n {
		return list
	}
	return append(list[:n:n], fmt.Sprintf("and %d more", len(list)-n))
}

func orHost(ep string) string {
	if ep == "" {
		return "target"
	}
	return ep
}

func sourceLabel(r *catalogue.Requirement) string { return strings.ToUpper(r.Source) }

func reference(r *catalogue.Requirement) string {
	if r.Reference == "" {
		return "source: " + r.Source + " (see shared/winston-contract.md)"
	}
	return "source: " + r.Source + ", " + r.Reference
}

// AddShape records the shape of an endpoint's answer for drift detection.
func (t *T) AddShape(endpoint string, shape any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.shapes == nil {
		t.shapes = map[string]any{}
	}
	t.shapes[endpoint] = shape
}
