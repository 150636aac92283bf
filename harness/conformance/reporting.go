package conformance

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	"github.com/onsi/ginkgo/v2/types"

	"github.com/winston-conformance/winston-conformance/harness/cassette"
	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
	"github.com/winston-conformance/winston-conformance/harness/selfcheck"
)

// writeReport is the one place the report is made: from Ginkgo's report
// (merged across parallel processes), through report.Build, to every
// writer, then the secret scan over what was written.
func writeReport(env *Env, r types.Report) {
	cfg := env.Config
	run := report.RunInfo{
		SuiteVersion: report.DetectSuiteVersion(),
		Seed:         r.SuiteConfig.RandomSeed,
		Start:        r.StartTime,
		End:          r.EndTime,
		Parallel:     r.SuiteConfig.ParallelTotal,
	}
	dir := filepath.Join("reports", "config-error")
	if cfg != nil {
		dir = cfg.ReportDir
		run.Mode = string(cfg.Mode)
		run.Config = cfg.Redacted()
		// run.Command is left to report.Build, which derives it with the
		// focus, skip and label filters of Ginkgo's configuration.
		run.Target = report.Target{
			BaseURL:        cfg.BaseURL.String(),
			HTTPURL:        cfg.HTTPURL.String(),
			AppName:        cfg.AppName,
			KeyFingerprint: cfg.KeyFingerprint(),
			AuthScheme:     cfg.AuthScheme,
		}
	}
	run.CassetteSource, run.CassettesRecordedAt, run.Sandbox = provenance(env, r)
	if sandboxKey(cfg) {
		run.Sandbox = true
	}
	if cfg != nil && cfg.Catalogue != "" && env.Catalogue != nil {
		run.Catalogue = catalogueInfo(cfg.Catalogue, env.Catalogue)
	}
	if env.Catalogue != nil {
		run.Unproven, _ = selfcheck.Coverage(env.Catalogue, sandbox.Faults())
	}
	var doc *report.Document
	if env.Err != nil || env.Catalogue == nil {
		run.ConfigError = redactor().String(fmt.Sprint(env.Err))
		doc = report.ConfigErrorDocument(env.Catalogue, run)
	} else {
		doc = report.Build(r, env.Catalogue, run, env.Ledger, env.Profile)
	}
	var history []*report.Document
	if cfg != nil && cfg.HistoryDir != "" {
		h, err := report.LoadHistory(cfg.HistoryDir)
		if err != nil {
			fmt.Fprintf(os.Stderr, "winston: history not shown: %v\n", redactor().Error(err))
		}
		history = h
	}
	// Every failure is gathered and reported once, at the end: the secret
	// scan runs whatever went wrong before it.
	var failures []string
	writeErr := doc.Write(dir, history)
	if _, err := os.Stat(filepath.Join(dir, report.JSONFile)); err == nil {
		linkLatest(dir)
		fmt.Fprintf(os.Stdout, "\nWinston conformance: %s\n  %s\n  report: %s\n", strings.ToUpper(doc.Verdict), doc.Summary, filepath.Join(dir, "report.html"))
	}
	if doc.Verdict != report.VerdictPass && r.SuiteSucceeded {
		// No spec failed, yet the run is no pass: a configuration error
		// whose CONFIG spec a focus or label filter left out, or a
		// selection that ran nothing. The process must not exit 0.
		failures = append(failures, notPassMessage(doc))
	}
	scanned := []string{dir}
	if cfg != nil && cfg.IsRecord() {
		scanned = append(scanned, cfg.CassetteDir)
	}
	if msg := failedAfterReport(dir, writeErr, scanned); msg != "" {
		failures = append(failures, msg)
	}
	if len(failures) > 0 {
		Fail(redactor().String(strings.Join(failures, "\n")))
	}
}

// failedAfterReport scans the folders in scanned for the keys, and returns
// why the run fails now that its report is written, or "" when it does
// not: a report file refused as a leak or not written (writeErr), a key
// found, or a folder the scan could not read through. Then it leaves
// report.FailedAfterFile in dir, so that the verdict command never passes
// the run on a report.json that says pass. The files written are kept:
// each was scanned for the keys before it was written.
func failedAfterReport(dir string, writeErr error, scanned []string) string {
	var why []string
	if writeErr != nil {
		why = append(why, fmt.Sprintf("write the report to %s: %v", dir, writeErr))
	}
	for _, d := range scanned {
		leaks, err := report.ScanDir(d, redactor().Keys(), report.Written(dir)...)
		if err != nil {
			why = append(why, fmt.Sprintf("secret scan of %s: %v", d, err))
		}
		if len(leaks) > 0 {
			why = append(why, fmt.Sprintf("SECRET LEAK: the API key (or a form of it) was found in %d place(s) under %s, first in %s; delete those files and report this as a bug", len(leaks), d, leaks[0].File))
		}
	}
	if len(why) == 0 {
		return ""
	}
	msg := strings.Join(why, "\n")
	if err := report.WriteFailedAfter(dir, msg); err != nil {
		msg += "\n(and " + report.FailedAfterFile + " could not be written: " + err.Error() + ")"
	}
	return msg
}

// sandboxKey reports whether a live or recording run used a key the
// sandbox publishes: they open no Winston environment, so a target that
// took one is the sandbox, behind a proxy that dropped its header if need
// be, and the report is never one to submit.
func sandboxKey(cfg *config.Config) bool {
	return cfg != nil && !cfg.IsReplay() && (cfg.APIKey() == sandbox.DefaultKey || cfg.APIKey() == sandbox.DefaultKey2)
}

// notPassMessage is the failure of a run that is no pass although no spec
// failed. For a configuration error (whose CONFIG spec a FOCUS or LABELS
// selection left out) it says what the error is and how to fix it, the
// error's text first: the reader of a focused run must not have to open
// the report to learn which setting is wrong. The caller redacts it; the
// config error text is already redacted.
func notPassMessage(doc *report.Document) string {
	if doc.Run.ConfigError != "" {
		return "configuration error, no request was sent (verdict " + doc.Verdict + "):\n" + doc.Run.ConfigError +
			"\nfix: correct the setting(s) named above in the environment (the WINSTON_* variables; README, \"Configuration\") and run again. " +
			"The CONFIG spec that reports this error was left out by the focus or label filter (FOCUS, LABELS), " +
			"which is why no spec failed; the run is still a configuration error, never a pass."
	}
	return fmt.Sprintf("the verdict is %s although no spec failed: %s", doc.Verdict, doc.Summary)
}

// CassetteEntryName is the Ginkgo report entry that carries the meta of
// the cassette a spec replayed or recorded, so the report can say where the
// answers came from without reading the cassettes again.
const CassetteEntryName = "winston.cassette"

// provenance says where replayed answers came from: cassettes recorded from
// the sandbox, from an environment, or some from each, and when. (Answers that carried the
// sandbox's header are found by report.Build itself.)
func provenance(env *Env, r types.Report) (source, recordedAt string, sandbox bool) {
	if env.Config == nil {
		return "", "", false
	}
	if env.Config.IsRecord() {
		// A recording names its own source in the cassette; the report
		// learns about a sandbox target from the answers' header.
		return "", "", false
	}
	if !env.Config.IsReplay() {
		return "", "", false
	}
	for _, s := range r.SpecReports {
		for _, e := range s.ReportEntries {
			if e.Name != CassetteEntryName {
				continue
			}
			var m cassette.Meta
			if report.EntryValue(e, &m) != nil {
				continue
			}
			if m.Source == cassette.SourceSandbox {
				sandbox = true
			}
			if m.RecordedAt > recordedAt {
				recordedAt = m.RecordedAt
			}
			switch {
			case source == "":
				source = m.Source
			case source != m.Source:
				// Some from the sandbox, some from an environment: the
				// report says both, never one for all.
				source = report.CassettesMixed
			}
		}
	}
	if source == cassette.SourceTarget {
		source = "environment"
	}
	return source, recordedAt, sandbox
}

// linkLatest points reports/latest at the newest report directory, when
// the report lives under a reports/ folder.
func linkLatest(dir string) {
	parent := filepath.Dir(dir)
	if filepath.Base(parent) != "reports" || filepath.Base(dir) == config.LatestLink {
		return
	}
	link := filepath.Join(parent, config.LatestLink)
	if fi, err := os.Lstat(link); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		return
	}
	tmp := link + ".tmp"
	_ = os.Remove(tmp)
	if err := os.Symlink(filepath.Base(dir), tmp); err == nil {
		_ = os.Rename(tmp, link)
	}
}

// catalogueInfo identifies the user's own catalogue at path for the
// report: its hash, and how its requirements differ from the suite's, so
// that a go-live reader sees what was set aside.
func catalogueInfo(path string, mine *catalogue.Catalogue) *report.CatalogueInfo {
	info := &report.CatalogueInfo{Changes: []string{}}
	if data, err := os.ReadFile(path); err == nil { // #nosec G304 -- the user's own catalogue, already loaded from there
		sum := sha256.Sum256(data)
		info.SHA256 = hex.EncodeToString(sum[:])
	}
	if suite, err := catalogue.Default(); err == nil {
		info.Changes = report.CatalogueChanges(suite, mine)
	}
	return info
}
