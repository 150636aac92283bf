// Package conformance is the thin layer between Ginkgo and the harness: it
// loads the run's environment once (configuration, catalogue, schemas,
// cassettes), registers one spec per requirement with the labels the
// catalogue gives it, hands each spec a fresh client whose every exchange is
// recorded as evidence, and builds the report from Ginkgo's report in one
// place.
package conformance

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"runtime/debug"
	"sync"
	"time"

	ginkgo "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/formatter"

	"github.com/winston-conformance/winston-conformance/harness/cassette"
	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/schema"
)

// Env is everything a run needs, loaded once per test process.
type Env struct {
	// Config is the validated configuration.
	Config *config.Config
	// Catalogue is the contract as loaded, with ${...} references not
	// yet resolved (each spec resolves it against its reference time).
	Catalogue *catalogue.Catalogue
	// Schemas holds the compiled response schemas.
	Schemas *schema.Registry
	// Cassettes is the cassette library (nil in live mode).
	Cassettes *cassette.Library
	// Network is the real transport (nil in replay mode).
	Network http.RoundTripper
	// Ledger lists known vendor defects (WINSTON_KNOWN_ISSUES), or nil.
	Ledger *report.Ledger
	// Profile names the endpoints an integration uses (WINSTON_PROFILE), or nil.
	Profile *report.Profile
	// Start is when the run began; it is the reference time for fixtures
	// in record and live mode unless WINSTON_NOW is set.
	Start time.Time
	// Err is the configuration error, when the run cannot start; the
	// report then says config-error and no request is sent.
	Err error

	resolvedMu sync.Mutex
	resolved   map[time.Time]*catalogue.Catalogue
}

// resolvedCatalogue resolves the catalogue's fixtures against now, once per
// reference time: every spec of a run shares one reference time, and the
// resolution (a deep copy) is too costly to repeat per spec.
func (e *Env) resolvedCatalogue(now time.Time) (*catalogue.Catalogue, error) {
	e.resolvedMu.Lock()
	defer e.resolvedMu.Unlock()
	if c, ok := e.resolved[now]; ok {
		return c, nil
	}
	c, err := e.Catalogue.Resolve(now)
	if err != nil {
		return nil, err
	}
	if e.resolved == nil {
		e.resolved = map[time.Time]*catalogue.Catalogue{}
	}
	e.resolved[now] = c
	return c, nil
}

// Setup loads the environment from WINSTON_* variables. It never returns
// nil: on a configuration problem the returned Env carries Err and as much
// as could be loaded (the catalogue, for the report).
func Setup() *Env {
	tuneGC()
	report.PrefetchSuiteVersion()
	env := &Env{Start: time.Now().UTC()}
	cfg, err := config.Load()
	env.Config = cfg
	// The keys are registered: the report's secret scan can be made
	// while the specs run.
	report.PrepareScan(redactor().Keys())
	if err != nil {
		env.Err = err
	}
	catPath := os.Getenv("WINSTON_CATALOGUE")
	if cfg != nil {
		catPath = cfg.Catalogue
	}
	// The schemas compile while the catalogue is read: neither needs the
	// other until both are checked against each other.
	schemas := make(chan error, 1)
	var reg *schema.Registry
	go func() {
		var err error
		reg, err = schema.Default()
		schemas <- err
	}()
	cat, catErr := catalogue.Load(catPath)
	err = <-schemas
	if catErr != nil {
		env.Err = joinErr(env.Err, fmt.Errorf("WINSTON_CATALOGUE: %w", catErr))
		return env
	}
	env.Catalogue = cat
	if err != nil {
		env.Err = joinErr(env.Err, fmt.Errorf("schemas: %w", err))
		return env
	}
	if err := reg.CheckCatalogue(cat); err != nil {
		env.Err = joinErr(env.Err, fmt.Errorf("catalogue and schemas disagree: %w", err))
	}
	if cfg != nil && cfg.Catalogue != "" {
		// A copy of the catalogue with a fixture left out is refused
		// before any request, not found by each check that reads it.
		if err := cat.CheckFixtures(time.Now()); err != nil {
			env.Err = joinErr(env.Err, fmt.Errorf("WINSTON_CATALOGUE %s: %w", cfg.Catalogue, err))
		}
	}
	env.Schemas = reg
	if env.Err != nil || cfg == nil {
		return env
	}
	if cfg.KnownIssues != "" {
		if env.Ledger, err = report.LoadLedger(cfg.KnownIssues); err != nil {
			env.Err = fmt.Errorf("WINSTON_KNOWN_ISSUES: %w", err)
			return env
		}
	}
	if cfg.Profile != "" {
		if env.Profile, err = report.LoadProfile(cfg.Profile); err != nil {
			env.Err = fmt.Errorf("WINSTON_PROFILE: %w", err)
			return env
		}
		if err := env.Profile.Check(cat, cfg.Profile); err != nil {
			env.Err = fmt.Errorf("WINSTON_PROFILE: %w", err)
			return env
		}
	}
	if !cfg.IsReplay() {
		opts := []client.TransportOption{}
		if n := parallelTotal(); n > 1 {
			opts = append(opts, client.WithProcessShare(n))
		}
		if examples := controlExamples(cat); len(examples) > 0 {
			opts = append(opts, client.WithOutageControl(client.ExampleControl(cfg, cat.Fixtures, examples...)))
		}
		rt, err := client.NetworkTransport(cfg, opts...)
		if err != nil {
			env.Err = fmt.Errorf("network transport: %w", err)
			return env
		}
		env.Network = rt
	}
	if !cfg.IsLive() {
		mode, meta := cassette.ModeReplay, cassette.Meta{}
		if cfg.IsRecord() {
			mode = cassette.ModeRecord
			meta = cassette.Meta{
				Source:       recordSource(cfg),
				RecordedAt:   env.Start.Format(time.RFC3339),
				ReferenceNow: env.referenceNow(cassette.Meta{}).Format(time.RFC3339),
				Target:       cfg.BaseURL.String(),
				SuiteVersion: report.DetectSuiteVersion(),
			}
		}
		lib, err := cassette.Open(cassette.Options{
			Dir:           cfg.CassetteDir,
			Cache:         cfg.CassetteCache,
			Mode:          mode,
			Redactor:      redactor(),
			RealTransport: env.Network,
			Meta:          meta,
		})
		if err != nil {
			env.Err = fmt.Errorf("WINSTON_CASSETTE_DIR: %w", err)
			return env
		}
		env.Cassettes = lib
		if parallelTotal() <= 1 && !selectsSpecs() {
			// One process runs every spec, one at a time: read the
			// cassettes ahead of them on another core. (Parallel
			// processes each run a share, and a focused run a few
			// specs: they read only theirs.)
			ids := make([]string, len(cat.Requirements))
			for i, r := range cat.Requirements {
				ids[i] = r.ID
			}
			lib.Prefetch(ids)
		}
	}
	return env
}

// recordSource is the source a recording names before any answer says
// otherwise: the sandbox when the extra CA bundle holds the sandbox's CA
// (as make record sets it), so that a cassette with no answer in it (the
// TLS checks') says where it was recorded too; else the target. An answer
// carrying the sandbox's header marks its cassette the sandbox's whatever
// this says.
func recordSource(cfg *config.Config) string {
	if cfg.CAFile == "" {
		return cassette.SourceTarget
	}
	data, err := os.ReadFile(cfg.CAFile)
	if err != nil {
		return cassette.SourceTarget
	}
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return cassette.SourceTarget
		}
		if cert, err := x509.ParseCertificate(block.Bytes); err == nil && cert.Subject.CommonName == evidence.SandboxCAName {
			return cassette.SourceSandbox
		}
	}
}

// controlExamples are the example requests that tell an outage from
// failures of one kind of request (client.WithOutageControl): two reads,
// documented ones first, so that one service down is not taken for all.
func controlExamples(cat *catalogue.Catalogue) []client.Example {
	var docs, others []client.Example
	for _, ep := range cat.Endpoints {
		if ep.Mutating || catalogue.CreatesData(ep.Path) {
			continue
		}
		ex := client.Example{Path: ep.Path, Body: ep.Request}
		if ep.Source == catalogue.SourceDocs {
			docs = append(docs, ex)
		} else {
			others = append(others, ex)
		}
	}
	all := append(docs, others...)
	return all[:min(len(all), 2)]
}

// referenceNow is the time fixture references such as ${now-36h} resolve
// against: WINSTON_NOW, else the cassette's recorded reference in replay,
// else the start of the run.
func (e *Env) referenceNow(meta cassette.Meta) time.Time {
	if e.Config != nil && !e.Config.Now.IsZero() {
		return e.Config.Now
	}
	if e.Config != nil && e.Config.IsReplay() && meta.ReferenceNow != "" {
		if t, err := time.Parse(time.RFC3339, meta.ReferenceNow); err == nil {
			return t
		}
	}
	return e.Start
}

// gcMemoryLimit is the heap a suite process may reach before the garbage
// collector runs, unless GOGC or GOMEMLIMIT say otherwise.
const gcMemoryLimit = 256 << 20

// tuneGC leaves garbage collection to a memory limit. A run is a short
// process whose live data (the catalogue, the cassettes, the evidence) is
// a few megabytes: collecting as it goes cost a tenth of a replay run and
// bought nothing, while the limit still bounds a long live run. A user's
// GOGC or GOMEMLIMIT is left as it is.
func tuneGC() {
	if os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(gcMemoryLimit)
	debug.SetGCPercent(-1)
}

// parallelTotal is the number of Ginkgo processes sharing the run (1 when
// serial).
func parallelTotal() int {
	c, _ := ginkgo.GinkgoConfiguration()
	return max(c.ParallelTotal, 1)
}

// selectsSpecs reports whether the run selects specs (focus, skip, label,
// version or file filters), so that not every requirement will run.
func selectsSpecs() bool {
	c, _ := ginkgo.GinkgoConfiguration()
	return len(c.FocusStrings)+len(c.SkipStrings)+len(c.FocusFiles)+len(c.SkipFiles) > 0 ||
		c.LabelFilter != "" || c.SemVerFilter != ""
}

func joinErr(a, b error) error {
	if a == nil {
		return b
	}
	return fmt.Errorf("%w\n%w", a, b)
}

// CheckFilters reports a --focus or --skip of Ginkgo's configuration that
// is not a regular expression (make conformance FOCUS='*-001', a glob),
// naming the variable and what to write instead: Ginkgo would panic on it
// with a stack trace before any spec ran.
func CheckFilters() error {
	sc, _ := ginkgo.GinkgoConfiguration()
	for _, f := range []struct {
		name    string
		filters []string
	}{{"FOCUS (--focus)", sc.FocusStrings}, {"--skip", sc.SkipStrings}} {
		for _, expr := range f.filters {
			if _, err := regexp.Compile(expr); err != nil {
				return fmt.Errorf("%s %q is not a regular expression (%v): it is a Go regular expression matched against the spec names, "+
					"e.g. FOCUS=AUTH-001, FOCUS='AUTH-00[1-3]' or FOCUS='-001$' (a glob's * is .* here), or a family: FOCUS=auth", f.name, expr, err)
			}
		}
	}
	return nil
}

// RedactConsole passes Ginkgo's console output (its reporter's spec and
// failure lines, on formatter.ColorableStdOut and ColorableStdErr) through
// the redactor, and returns the function that puts the writers back. Each
// write is redacted whole as it comes, so that the progress dots still
// stream: Ginkgo writes a message in one call, and every message the suite
// makes is redacted where it is made, so this is the last line, for a
// panic's text or a message a future check forgets to redact. (With
// ginkgo -p the lines are printed by the ginkgo command, from the
// workers' redacted reports.)
func RedactConsole() (restore func()) {
	out, errOut := formatter.ColorableStdOut, formatter.ColorableStdErr
	formatter.ColorableStdOut, formatter.ColorableStdErr = redactingWriter{out}, redactingWriter{errOut}
	return func() { formatter.ColorableStdOut, formatter.ColorableStdErr = out, errOut }
}

// redactingWriter writes each write redacted.
type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := r.w.Write(redactor().Bytes(append([]byte(nil), p...))); err != nil {
		return 0, err
	}
	return len(p), nil
}
