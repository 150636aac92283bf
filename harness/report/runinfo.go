package report

import (
	"strings"
	"time"

	ginkgotypes "github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// CassettesMixed is the CassetteSource of a replay whose cassettes were
// recorded some from the sandbox and some from an environment.
const CassettesMixed = "mixed"

// RunInfo is what the suite knows about a run that Ginkgo's report does
// not: the configuration it ran with and the target it reached. Zero
// fields are filled from Ginkgo's report where it can tell (start, end,
// seed, parallelism) or derived (suite version, command).
type RunInfo struct {
	// Mode is replay, record or live. Empty: replay when any answer came
	// from a cassette, else live.
	Mode         string
	SuiteVersion string
	// Command reproduces the run; empty: derived from the mode, target
	// and Ginkgo's configuration.
	Command    string
	Seed       int64
	Start, End time.Time
	Target     Target
	// CassetteSource is "sandbox", "environment", CassettesMixed or ""
	// (live).
	CassetteSource      string
	CassettesRecordedAt string
	// Sandbox is true when the target answered with the
	// X-Winston-Sandbox header or the cassettes say source sandbox. Build
	// also sets it when any recorded answer carries that header.
	Sandbox bool
	// ConfigError, when set, makes the verdict config-error.
	ConfigError string
	// Config is the redacted configuration, rendered as is.
	Config   any
	Parallel int
	// Unproven lists requirements that no sandbox fault makes fail: checks
	// never seen failing, whose passes prove less.
	Unproven []string
	// Catalogue identifies a catalogue of the user's own (nil for the
	// suite's).
	Catalogue *CatalogueInfo
}

// fillRunInfo completes what the caller left zero from Ginkgo's report and
// the answers themselves.
func fillRunInfo(run RunInfo, r ginkgotypes.Report, results map[string]*specResult) RunInfo {
	if run.Start.IsZero() {
		run.Start = r.StartTime
	}
	if run.End.IsZero() {
		run.End = r.EndTime
	}
	if run.End.IsZero() {
		run.End = run.Start
	}
	if run.Seed == 0 {
		run.Seed = r.SuiteConfig.RandomSeed
	}
	if run.Parallel == 0 {
		run.Parallel = max(r.SuiteConfig.ParallelTotal, 1)
	}
	switch run.CassetteSource {
	case "", "sandbox", CassettesMixed:
	default:
		// Cassette meta says "target" for a recording made against a real
		// environment; the report calls that "environment".
		run.CassetteSource = "environment"
	}
	if run.CassetteSource == "sandbox" || run.CassetteSource == CassettesMixed {
		run.Sandbox = true
	}
	if run.Mode == "" {
		run.Mode = "live"
		for _, res := range results {
			for _, ex := range res.exchanges {
				if ex.Replayed {
					run.Mode = "replay"
				}
			}
		}
	}
	for _, res := range results {
		for _, ex := range res.exchanges {
			for k := range ex.ResponseHeaders {
				if strings.EqualFold(k, evidence.SandboxHeader) {
					run.Sandbox = true
				}
			}
		}
		// A sandbox that answered no request (fault hang) still shows
		// its certificate to the TLS checks.
		for _, f := range res.findings {
			if strings.Contains(f.Facts["certIssuer"], evidence.SandboxCAName) {
				run.Sandbox = true
			}
		}
	}
	if run.SuiteVersion == "" {
		run.SuiteVersion = DetectSuiteVersion()
	}
	if run.Command == "" {
		run.Command = reproduceCommand(run, r.SuiteConfig)
	}
	return run
}

func newDocument(cat *catalogue.Catalogue, run RunInfo, profile *Profile) *Document {
	red := redact.Global()
	target := run.Target
	target.BaseURL = cleanURL(target.BaseURL)
	target.HTTPURL = cleanURL(target.HTTPURL)
	for _, s := range []*string{&target.AppName, &target.KeyFingerprint, &target.AuthScheme, &target.TLSVersion,
		&target.TLSCipher, &target.CertIssuer, &target.CertExpiry, &target.HSTS} {
		*s = red.String(*s)
	}
	doc := &Document{
		SchemaVersion: SchemaVersion,
		Mode:          run.Mode,
		Run: Run{
			Mode: run.Mode, SuiteVersion: red.String(run.SuiteVersion), Command: red.String(run.Command),
			Seed: run.Seed, Start: run.Start.UTC(), End: run.End.UTC(), CassetteSource: run.CassetteSource,
			CassettesRecordedAt: run.CassettesRecordedAt, Sandbox: run.Sandbox,
			ConfigError: red.String(run.ConfigError), Config: redactAny(run.Config), Parallel: run.Parallel,
			Unproven: run.Unproven, Catalogue: run.Catalogue,
		},
		Target:       target,
		Requirements: []Requirement{},
		Latency:      map[string]LatencyStats{},
		Shapes:       map[string]Shape{},
	}
	if profile != nil {
		doc.Profile = summarizeProfile(profile, cat)
	}
	return doc
}
