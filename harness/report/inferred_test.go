package report

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onsi/ginkgo/v2/types"
)

// A go-live verdict held back by a rule the contract only infers says so,
// rule by rule, and how to set such a default aside, so that neither the
// integrator nor Winston reads the suite's guess as Winston's word.
func TestTheGoLiveReasonMarksInferredRules(t *testing.T) {
	broken := fakeSpec{text: "ERR-004 an unknown route gets 404", state: types.SpecStateFailed, msg: "1 violation(s); first: expected 404; observed 400"}
	doc := Build(ginkgoReport(t, append(allPassing("ERR-004"), broken)...), testCatalogue(t), liveRun(), nil, nil)
	r := doc.GoLive.Reason
	for _, want := range []string{"ERR-004 (inferred)", "level: should", "WINSTON_CATALOGUE"} {
		if !strings.Contains(r, want) {
			t.Errorf("go-live reason lacks %q: %s", want, r)
		}
	}
	mission := fakeSpec{text: "AUTH-001 a valid token is accepted", state: types.SpecStateFailed, msg: "1 violation(s); first: expected 200; observed 401"}
	doc = Build(ginkgoReport(t, append(allPassing("AUTH-001"), mission)...), testCatalogue(t), liveRun(), nil, nil)
	if r := doc.GoLive.Reason; strings.Contains(r, "inferred") || strings.Contains(r, "level: should") {
		t.Errorf("a mission rule's failure is no default to set aside: %s", r)
	}
	skipped := fakeSpec{text: "TRANS-004 a valid certificate", state: types.SpecStateSkipped, msg: "needs a TLS handshake"}
	doc = Build(ginkgoReport(t, append(allPassing("TRANS-004"), skipped)...), testCatalogue(t), liveRun(), nil, nil)
	if r := doc.GoLive.Reason; !strings.Contains(r, "TRANS-004 skipped (inferred)") {
		t.Errorf("a skipped inferred rule among the blockers: %s", r)
	}
}

// A go-live ready on a run whose MUST failure the known-issues ledger
// excused does not read as a clean pass: the reason names what was
// excused, with the ledger's note and expiry.
func TestAReadyGoLiveNamesWhatTheLedgerExcused(t *testing.T) {
	broken := fakeSpec{text: "ERR-004 an unknown route gets 404", state: types.SpecStateFailed, msg: "1 violation(s); first: expected 404; observed 500"}
	ledger := &Ledger{Entries: []LedgerEntry{{ID: "ERR-004", Note: "Winston ticket 77", Expires: "2099-01-01"}}}
	doc := Build(ginkgoReport(t, append(allPassing("ERR-004"), broken)...), testCatalogue(t), liveRun(), ledger, nil)
	if doc.GoLive.Verdict != GoLiveReady {
		t.Fatalf("fixture: go-live %s: %s", doc.GoLive.Verdict, doc.GoLive.Reason)
	}
	for _, want := range []string{"ERR-004", "Winston ticket 77", "2099-01-01", "known vendor issue"} {
		if !strings.Contains(doc.GoLive.Reason, want) {
			t.Errorf("the ready reason lacks %q: %s", want, doc.GoLive.Reason)
		}
	}
}

// An auth rule broken (a missing header taken, another tenant's data
// seen) lets a key do what it must not: a ledger entry shows it as a
// known issue, never as fit to go live.
func TestTheLedgerCannotExcuseAnAuthRuleForGoLive(t *testing.T) {
	broken := fakeSpec{text: "AUTH-002 a missing Authorization header gets 401", state: types.SpecStateFailed, msg: "1 violation(s); first: expected 401; observed 200"}
	ledger := &Ledger{Entries: []LedgerEntry{{ID: "AUTH-002", Note: "Winston ticket 1234", Expires: "2099-12-31"}}}
	doc := Build(ginkgoReport(t, append(allPassing("AUTH-002"), broken)...), testCatalogue(t), liveRun(), ledger, nil)
	if doc.GoLive.Verdict != GoLiveNotReady || !strings.Contains(doc.GoLive.Reason, "AUTH-002") || !strings.Contains(doc.GoLive.Reason, "cannot be excused") {
		t.Errorf("go-live %s: %s", doc.GoLive.Verdict, doc.GoLive.Reason)
	}
}

// A catalogue of the user's own that sets requirements aside is named in
// the report and the go-live reason, with its hash, so that a go-live
// ready on it is never read as one on the suite's requirements.
func TestACatalogueOfYourOwnIsNamedWithItsChanges(t *testing.T) {
	suite := testCatalogue(t)
	mine := testCatalogue(t)
	mine.Requirements = mine.Requirements[1:] // AUTH-001 removed
	for i := range mine.Requirements {
		if mine.Requirements[i].ID == "ERR-004" {
			mine.Requirements[i].Level = "should"
		}
	}
	changes := CatalogueChanges(suite, mine)
	if strings.Join(changes, "; ") != "AUTH-001 removed; ERR-004 level should (the suite's: must)" {
		t.Errorf("changes %q", changes)
	}
	run := liveRun()
	run.Catalogue = &CatalogueInfo{SHA256: strings.Repeat("ab", 32), Changes: changes}
	doc := Build(ginkgoReport(t, allPassing("AUTH-001")...), mine, run, nil, nil)
	if r := doc.GoLive.Reason; !strings.Contains(r, "AUTH-001 removed") || !strings.Contains(r, "catalogue of your own") {
		t.Errorf("go-live reason: %s", r)
	}
	dir := t.TempDir()
	if err := doc.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{MarkdownFile, HTMLFile} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), strings.Repeat("ab", 32)) || !strings.Contains(string(data), "ERR-004 level should") {
			t.Errorf("%s does not name the catalogue's hash and changes", name)
		}
	}
}

// junit.xml carries what the other report files do for a go-live reader:
// the user's catalogue hash and changes, the profile, the key fingerprint.
func TestJUnitCarriesTheRunsIntegrityInfo(t *testing.T) {
	run := liveRun()
	run.Catalogue = &CatalogueInfo{SHA256: strings.Repeat("cd", 32), Changes: []string{"ERR-004 level should (the suite's: must)"}}
	run.Target.KeyFingerprint = "sha256:0123456789ab"
	doc := Build(ginkgoReport(t, allPassing()...), testCatalogue(t), run, nil, &Profile{Name: "Acme kitchen display", Endpoints: []string{"categories"}})
	out, err := doc.renderJUnit()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`name="catalogueSHA256" value="` + strings.Repeat("cd", 32), "ERR-004 level should", `name="profile" value="Acme kitchen display"`, "sha256:0123456789ab"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("junit.xml lacks %q", want)
		}
	}
}
