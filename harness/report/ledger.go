package report

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Ledger is the list of known vendor defects: failures Winston has
// acknowledged, which the report shows as known-issue instead of a contract
// violation until the entry expires. An expired entry no longer matches, so
// a defect that should have been fixed shows up again.
//
// The file (WINSTON_KNOWN_ISSUES) is YAML:
//
//	entries:
//	  - id: AUTH-003
//	    note: "Winston ticket 1234: malformed tokens get 500"
//	    environments: [api-qa.mrwinston.com]   # optional; empty = every target
//	    expires: 2026-12-31                     # last day the entry applies
type Ledger struct {
	Entries []LedgerEntry `yaml:"entries" json:"entries"`
}

// LedgerEntry is one known defect.
type LedgerEntry struct {
	// ID is the requirement the defect makes fail.
	ID string `yaml:"id" json:"id"`
	// Note says what the defect is and where it is tracked.
	Note string `yaml:"note" json:"note"`
	// Environments limit the entry to some targets: a host name
	// ("api-qa.mrwinston.com", glob patterns like "*.mrwinston.com"
	// allowed) or a base URL ("https://api-qa.mrwinston.com"). Empty:
	// every target.
	Environments []string `yaml:"environments" json:"environments,omitempty"`
	// Expires is the last day (YYYY-MM-DD, UTC) the entry applies.
	Expires string `yaml:"expires" json:"expires"`
}

// LoadLedger reads and validates a ledger file. Every problem is reported
// at once, naming the file, the entry and the fix.
func LoadLedger(file string) (*Ledger, error) {
	data, err := os.ReadFile(file) // #nosec G304 -- the user names their own ledger file
	if err != nil {
		return nil, fmt.Errorf("read known-issues ledger %s: %w (set WINSTON_KNOWN_ISSUES to a readable YAML file, or unset it)", file, err)
	}
	var l Ledger
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("known-issues ledger %s is not valid YAML of the form {entries: [{id, note, environments, expires}]}: %w", file, err)
	}
	var errs []error
	for i := range l.Entries {
		e := &l.Entries[i]
		where := fmt.Sprintf("known-issues ledger %s: entries[%d] (%s)", file, i, e.ID)
		if !reqIDPattern.MatchString(e.ID) {
			errs = append(errs, fmt.Errorf("%s: id must be a requirement ID such as AUTH-003", where))
		}
		if strings.TrimSpace(e.Note) == "" {
			errs = append(errs, fmt.Errorf("%s: note is empty: say what the defect is and where Winston tracks it", where))
		}
		if _, perr := time.Parse(time.DateOnly, e.Expires); perr != nil {
			errs = append(errs, fmt.Errorf("%s: expires %q must be a date YYYY-MM-DD (the last day the entry applies)", where, e.Expires))
		}
		for _, env := range e.Environments {
			if _, err := path.Match(env, ""); err != nil || strings.TrimSpace(env) == "" {
				errs = append(errs, fmt.Errorf("%s: environment %q must be a host, a host pattern (*.example.com) or a base URL", where, env))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &l, nil
}

// Match returns the entry that turns a failure of requirement id against
// baseURL at time at into a known issue, or nil. When the only entries for
// id have expired, the latest of them is returned as expired, so the report
// can say why the failure counts again.
func (l *Ledger) Match(id, baseURL string, at time.Time) (match, expired *LedgerEntry) {
	if l == nil {
		return nil, nil
	}
	day := at.UTC().Format(time.DateOnly)
	for i := range l.Entries {
		e := &l.Entries[i]
		if e.ID != id || !e.appliesTo(baseURL) {
			continue
		}
		if e.Expires >= day {
			return e, nil
		}
		if expired == nil || e.Expires > expired.Expires {
			expired = e
		}
	}
	return nil, expired
}

// appliesTo is true when the entry names no environment, or one of them
// is the target's host (glob allowed) or a prefix of its base URL.
func (e *LedgerEntry) appliesTo(baseURL string) bool {
	if len(e.Environments) == 0 {
		return true
	}
	host := ""
	if u, err := url.Parse(baseURL); err == nil {
		host = strings.ToLower(u.Hostname())
	}
	for _, env := range e.Environments {
		env = strings.ToLower(strings.TrimSpace(env))
		if strings.Contains(env, "://") {
			base, prefix := strings.ToLower(baseURL), strings.TrimSuffix(env, "/")
			if base == prefix || strings.HasPrefix(base, prefix+"/") {
				return true
			}
			continue
		}
		if ok, _ := path.Match(env, host); ok {
			return true
		}
	}
	return false
}
