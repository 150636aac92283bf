package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestJUnitCarriesTheDisclaimerAndMarksAdvisory(t *testing.T) {
	d := reviewerDoc()
	root := junitOf(t, d)
	props := map[string]string{}
	for _, p := range root.Suites[0].Properties {
		props[p.Name] = p.Value
	}
	if props["goLiveReason"] != d.GoLive.Reason {
		t.Errorf("junit.xml has goLiveReason %q, want the go-live reason (the sandbox disclaimer) %q", props["goLiveReason"], d.GoLive.Reason)
	}
	if props["sandbox"] != "true" {
		t.Errorf("junit.xml has sandbox=%q, want true for answers from the sandbox", props["sandbox"])
	}
	for _, c := range root.Suites[0].Cases {
		if strings.HasPrefix(c.Name, "TRANS-002") {
			if c.Failure == nil || !strings.HasPrefix(c.Failure.Message, "advisory (SHOULD, does not fail the run): ") {
				t.Errorf("the advisory TRANS-002 failure's message does not say it is advisory: %+v", c.Failure)
			}
		}
	}
}

func TestJUnitPassPartlyNotJudgedSaysSo(t *testing.T) {
	root := junitOf(t, reviewerDoc())
	for _, c := range root.Suites[0].Cases {
		if !strings.HasPrefix(c.Name, "ERR-006") {
			continue
		}
		var notes []string
		for _, p := range c.Properties {
			if p.Name == "notJudged" {
				notes = append(notes, p.Value)
			}
		}
		if len(notes) != 1 || notes[0] != "tables: not a 4xx: its status is judged by the status checks" {
			t.Errorf("ERR-006 passed but left tables not judged: junit.xml notJudged properties %q", notes)
		}
		if !strings.Contains(c.SystemOut, "partly not judged") {
			t.Errorf("ERR-006's system-out does not say the pass is partial: %q", c.SystemOut)
		}
	}
}

// junitOf is d's junit.xml, parsed.
func junitOf(t *testing.T, d *Document) JUnitTestSuites {
	t.Helper()
	var root JUnitTestSuites
	if err := xml.Unmarshal([]byte(mustRender(t, d.renderJUnit)), &root); err != nil {
		t.Fatal(err)
	}
	return root
}
