package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadLedger(t *testing.T) {
	p := writeFile(t, "known-issues.yaml", `entries:
  - id: AUTH-003
    note: "Winston ticket 1234: malformed tokens get 500"
    environments: [api-qa.mrwinston.com, "*.example.test", "https://staging.example.com/base"]
    expires: 2026-12-31
  - id: STRUCT-002
    note: everywhere
    expires: 2026-01-01
`)
	l, err := LoadLedger(p)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		id, base   string
		at         time.Time
		match, exp bool
	}{
		{"AUTH-003", "https://api-qa.mrwinston.com", at, true, false},
		{"AUTH-003", "https://API-QA.mrwinston.com:443", at, true, false},
		{"AUTH-003", "https://x.example.test", at, true, false},
		{"AUTH-003", "https://staging.example.com/base", at, true, false},
		{"AUTH-003", "https://staging.example.com/basement", at, false, false},
		{"AUTH-003", "https://api.mrwinston.com", at, false, false},
		{"AUTH-003", "https://api-qa.mrwinston.com", time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC), true, false},
		{"AUTH-003", "https://api-qa.mrwinston.com", time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC), false, true},
		{"STRUCT-002", "https://anything.test", at, false, true},
		{"AUTH-001", "https://api-qa.mrwinston.com", at, false, false},
	}
	for _, c := range cases {
		m, e := l.Match(c.id, c.base, c.at)
		if (m != nil) != c.match || (e != nil) != c.exp {
			t.Errorf("Match(%s, %s, %s) = match %v expired %v, want %v %v", c.id, c.base, c.at.Format(time.DateOnly), m != nil, e != nil, c.match, c.exp)
		}
	}
	var nilLedger *Ledger
	if m, e := nilLedger.Match("AUTH-003", "https://x", at); m != nil || e != nil {
		t.Error("a nil ledger matches nothing")
	}
}

func TestLoadLedgerErrors(t *testing.T) {
	cases := map[string]struct{ content, want string }{
		"missing":    {"", "read known-issues ledger"},
		"not yaml":   {"entries: [", "not valid YAML"},
		"unknown":    {"entries:\n  - id: AUTH-001\n    note: x\n    expires: 2026-01-01\n    owner: me\n", "owner"},
		"bad id":     {"entries:\n  - id: auth1\n    note: x\n    expires: 2026-01-01\n", "id must be a requirement ID"},
		"no note":    {"entries:\n  - id: AUTH-001\n    expires: 2026-01-01\n", "note is empty"},
		"bad expiry": {"entries:\n  - id: AUTH-001\n    note: x\n    expires: soon\n", "must be a date YYYY-MM-DD"},
		"no expiry":  {"entries:\n  - id: AUTH-001\n    note: x\n", "must be a date YYYY-MM-DD"},
		"bad env":    {"entries:\n  - id: AUTH-001\n    note: x\n    expires: 2026-01-01\n    environments: ['[']\n", "environment"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "ledger.yaml")
			if name != "missing" {
				p = writeFile(t, "ledger.yaml", c.content)
			}
			_, err := LoadLedger(p)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %v: want it to name %s and say %q", err, p, c.want)
			}
		})
	}
}

func TestLoadProfile(t *testing.T) {
	p := writeFile(t, "profile.yaml", "name: Acme reporting\nendpoints: [list-bills, categories]\noperations: [nightly export]\n")
	prof, err := LoadProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	if prof.Name != "Acme reporting" || len(prof.Endpoints) != 2 || prof.Operations[0] != "nightly export" {
		t.Errorf("profile = %+v", prof)
	}
	for name, c := range map[string]struct{ content, want string }{
		"no name":      {"endpoints: [bills]\n", "name is empty"},
		"no endpoints": {"name: x\n", "endpoints is empty"},
		"a path":       {"name: x\nendpoints: [/api/v2/bills]\n", "not a path"},
		"unknown key":  {"name: x\nendpoints: [bills]\nteam: y\n", "team"},
	} {
		p := writeFile(t, "profile.yaml", c.content)
		if _, err := LoadProfile(p); err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want it to name the file and say %q", name, err, c.want)
		}
	}
	if _, err := LoadProfile(filepath.Join(t.TempDir(), "none.yaml")); err == nil || !strings.Contains(err.Error(), "WINSTON_PROFILE") {
		t.Errorf("a missing profile must say how to fix it: %v", err)
	}
}

func TestProfileWithUnknownEndpointIsNotReady(t *testing.T) {
	profile := &Profile{Name: "Acme", Endpoints: []string{"categories", "loyalty"}}
	d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, profile)
	if d.GoLive.Verdict != GoLiveNotReady || !strings.Contains(d.GoLive.Reason, "loyalty") {
		t.Errorf("go-live = %+v: an endpoint nothing checked must block go-live", d.GoLive)
	}
	if d.Profile == nil || len(d.Profile.UnknownEndpoints) != 1 {
		t.Errorf("profile summary = %+v", d.Profile)
	}
}

// A profile naming an endpoint or requirement the catalogue does not know
// (endpoints: [tabels]) is a configuration error before any request, not a
// quiet "not ready" that a sandbox run hides: the error names the unknown
// ID, the closest known one and the file.
func TestProfileWithUnknownIDsIsAConfigurationError(t *testing.T) {
	cat := testCatalogue(t)
	p := writeFile(t, "profile.yaml", "name: Acme\nendpoints: [categries, bills]\nrequirements: [AUTH-01, ORDER-001]\n")
	prof, err := LoadProfile(p)
	if err != nil {
		t.Fatal(err)
	}
	err = prof.Check(cat, p)
	if err == nil {
		t.Fatal("a profile naming an unknown endpoint and requirement was accepted")
	}
	for _, want := range []string{p, `"categries"`, `did you mean "categories"`, `"AUTH-01"`, `did you mean "AUTH-001"`, "WINSTON_CATALOGUE"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %s:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), `"bills"`) || strings.Contains(err.Error(), `"ORDER-001"`) {
		t.Errorf("the error names a known ID as unknown:\n%v", err)
	}
	ok := &Profile{Name: "Acme", Endpoints: []string{"categories"}, Requirements: []string{"ORDER-001"}}
	if err := ok.Check(cat, p); err != nil {
		t.Errorf("a profile of known IDs was refused: %v", err)
	}
}

// The requirements a profile names are covered by the go-live verdict
// and listed first, as those on its endpoints are.
func TestProfileRequirementsAreInTheProfile(t *testing.T) {
	profile := &Profile{Name: "Acme", Endpoints: []string{"categories"}, Requirements: []string{"ORDER-001"}}
	d := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), liveRun(), nil, profile)
	found := false
	for _, r := range d.Requirements {
		if r.ID == "ORDER-001" {
			found = true
			if !r.InProfile {
				t.Error("ORDER-001 is named by the profile but not in it")
			}
		}
	}
	if !found || !contains(d.Profile.Requirements, "ORDER-001") {
		t.Errorf("the profile summary does not cover ORDER-001: %v", d.Profile.Requirements)
	}
}

// A profile that names none of the bills endpoints still covers the auth
// checks: tenant isolation (AUTH-009, on the bills routes) skipped for
// want of a second key leaves go-live not ready, as the README says.
func TestTheAuthChecksAreInEveryProfile(t *testing.T) {
	cat := testCatalogue(t)
	cat.Requirement("AUTH-002").Endpoints = []string{"bills"}
	profile := &Profile{Name: "Acme kitchen display", Endpoints: []string{"categories"}}
	specs := append(allPassing("AUTH-002"), fakeSpec{text: "AUTH-002 a missing Authorization header gets 401", state: types.SpecStateSkipped, msg: "needs a second tenant's key"})
	d := Build(ginkgoReport(t, specs...), cat, liveRun(), nil, profile)
	for _, r := range d.Requirements {
		if r.ID == "AUTH-002" && !r.InProfile {
			t.Error("an auth check on the bills routes is left out of a profile without them")
		}
	}
	if d.GoLive.Verdict != GoLiveNotReady || !strings.Contains(d.GoLive.Reason, "AUTH-002") {
		t.Errorf("go-live %s: %s", d.GoLive.Verdict, d.GoLive.Reason)
	}
}
