package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// JUnit types: the subset of the JUnit XML format that CI systems read.
// They are exported so that tools (and tests) can read junit.xml back.

// JUnitTestSuites is the root element of junit.xml.
type JUnitTestSuites struct {
	XMLName xml.Name `xml:"testsuites"`
	// Name is "winston-conformance"; Tests, Failures (contract
	// violations), Errors (outages) and Skipped (skipped, not run, known
	// vendor issues) count the test cases.
	Name     string           `xml:"name,attr"`
	Tests    int              `xml:"tests,attr"`
	Failures int              `xml:"failures,attr"`
	Errors   int              `xml:"errors,attr"`
	Skipped  int              `xml:"skipped,attr"`
	Suites   []JUnitTestSuite `xml:"testsuite"`
}

// JUnitTestSuite holds one test case per requirement.
type JUnitTestSuite struct {
	// Name names the target; the counts are as in JUnitTestSuites; Time
	// is the run's duration in seconds and Timestamp its start (UTC).
	Name      string `xml:"name,attr"`
	Tests     int    `xml:"tests,attr"`
	Failures  int    `xml:"failures,attr"`
	Errors    int    `xml:"errors,attr"`
	Skipped   int    `xml:"skipped,attr"`
	Time      string `xml:"time,attr"`
	Timestamp string `xml:"timestamp,attr"`
	// Properties describe the run: verdict, go-live, summary, mode,
	// target, app name, suite version, seed and the reproduce command.
	Properties []JUnitProperty `xml:"properties>property"`
	// Cases hold one test case per requirement.
	Cases []JUnitTestCase `xml:"testcase"`
}

// JUnitProperty is a name/value pair.
type JUnitProperty struct {
	// Name and Value of the property.
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// JUnitTestCase is one requirement. Its properties carry the requirement
// ID, family, source, level, status, classification, one "endpoint"
// property per endpoint it covers, and one "notJudged" property per answer
// the check saw but did not judge ("endpoint: why").
type JUnitTestCase struct {
	// Name is "<ID> <title>"; Classname is "winston.<family>"; Time is
	// the spec's duration in seconds.
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Time       string          `xml:"time,attr"`
	Properties []JUnitProperty `xml:"properties>property"`
	// Failure is set for a contract violation, Error for an outage,
	// Skipped for a skipped, not-run or known-issue requirement.
	Failure *JUnitMessage `xml:"failure,omitempty"`
	Error   *JUnitMessage `xml:"error,omitempty"`
	Skipped *JUnitMessage `xml:"skipped,omitempty"`
	// SystemOut carries the evidence of a known vendor issue, or says a
	// pass left answers not judged.
	SystemOut string `xml:"system-out,omitempty"`
}

// JUnitMessage is a failure, error or skip, with its text.
type JUnitMessage struct {
	// Message is the one-line reason; Type the classification; Text the
	// rule, expected and observed, the evidence and the replay command.
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr,omitempty"`
	Text    string `xml:",chardata"`
}

// renderJUnit maps statuses as CI expects them: a contract violation is a
// failure (type names the classification, "-advisory" for SHOULD), an
// outage is an error (the check could not be judged), a known vendor issue
// and a skipped or not-run requirement are skipped with the reason.
func (d *Document) renderJUnit() ([]byte, error) {
	suite := JUnitTestSuite{
		Name:      "Winston conformance: " + d.TargetLabel(),
		Time:      seconds(d.Run.End.Sub(d.Run.Start).Seconds()),
		Timestamp: d.Run.Start.UTC().Format("2006-01-02T15:04:05Z"),
		Properties: []JUnitProperty{
			{"schemaVersion", d.SchemaVersion}, {"verdict", d.Verdict}, {"goLive", d.GoLive.Verdict},
			{"goLiveReason", d.GoLive.Reason}, {"sandbox", fmt.Sprint(d.Run.Sandbox)},
			{"summary", d.Summary}, {"mode", d.Mode}, {"target", d.Target.BaseURL}, {"appName", d.Target.AppName},
			{"suiteVersion", d.Run.SuiteVersion}, {"seed", fmt.Sprint(d.Run.Seed)}, {"command", d.Run.Command},
			{"keyFingerprint", d.Target.KeyFingerprint},
		},
	}
	// What a go-live reader checks the verdict against, as the other
	// report files carry it: the user's own catalogue and how it differs,
	// and the profile the verdict covers.
	if c := d.Run.Catalogue; c != nil {
		suite.Properties = append(suite.Properties, JUnitProperty{"catalogueSHA256", c.SHA256})
		for _, ch := range c.Changes {
			suite.Properties = append(suite.Properties, JUnitProperty{"catalogueChange", ch})
		}
	}
	if d.Profile != nil {
		suite.Properties = append(suite.Properties, JUnitProperty{"profile", d.Profile.Name})
	}
	for _, r := range d.Requirements {
		tc := JUnitTestCase{
			Name:      r.ID + " " + r.Title,
			Classname: "winston." + r.Family,
			Time:      seconds(r.DurationMs / 1000),
			Properties: []JUnitProperty{
				{"requirement", r.ID}, {"family", r.Family}, {"source", r.Source}, {"level", r.Level},
				{"status", r.Status}, {"classification", r.Classification}, {"focus", r.Focus},
			},
		}
		for _, e := range r.Endpoints {
			tc.Properties = append(tc.Properties, JUnitProperty{"endpoint", e})
		}
		notes := notJudgedNotes(r)
		for _, n := range notes {
			tc.Properties = append(tc.Properties, JUnitProperty{"notJudged", n})
		}
		msg := &JUnitMessage{Message: r.Reason, Type: r.Classification, Text: junitText(r)}
		switch {
		case r.Status == StatusFailed && (r.Classification == ClassEnvironmentUnavailable || r.Classification == ClassConfigurationError):
			// No answer, or the run's setup or data, kept the check
			// from a judgement: an error of the run, not a failure of
			// the target.
			tc.Error = msg
			suite.Errors++
		case r.Status == StatusFailed:
			if r.Advisory {
				msg.Type += "-advisory"
				msg.Message = "advisory (SHOULD, does not fail the run): " + msg.Message
			}
			tc.Failure = msg
			suite.Failures++
		case r.Status == StatusKnownIssue || r.Status == StatusSkipped || r.Status == StatusNotRun:
			tc.Skipped = &JUnitMessage{Message: r.Reason, Type: r.Status}
			suite.Skipped++
		}
		switch {
		case r.Status == StatusKnownIssue:
			tc.SystemOut = junitText(r)
		case r.Status == StatusPassed && len(notes) > 0:
			// A CI shows a passed case as a plain pass: say here that
			// it holds only for the answers it judged.
			tc.SystemOut = "passed, partly not judged: these answers were seen but not judged by this check:\n- " + strings.Join(notes, "\n- ") + "\n"
		}
		suite.Cases = append(suite.Cases, tc)
		suite.Tests++
	}
	root := JUnitTestSuites{Name: "winston-conformance", Tests: suite.Tests, Failures: suite.Failures,
		Errors: suite.Errors, Skipped: suite.Skipped, Suites: []JUnitTestSuite{suite}}
	return writeJUnit(root), nil
}

// writeJUnit lays root out as encoding/xml does with a two-space indent,
// after xml.Header and with a final newline, byte for byte
// (TestWriteJUnitMatchesEncodingXML): the writer walks the fixed shape of
// the JUnit types instead of reflecting on them, which cost a millisecond
// a report. Every value is escaped by xml.EscapeText, which encoding/xml
// uses for text and attribute values alike.
func writeJUnit(root JUnitTestSuites) []byte {
	w := &xmlWriter{}
	w.b.WriteString(xml.Header)
	w.start(0, "testsuites", "name", root.Name, "tests", itoa(root.Tests), "failures", itoa(root.Failures),
		"errors", itoa(root.Errors), "skipped", itoa(root.Skipped))
	for _, s := range root.Suites {
		w.start(1, "testsuite", "name", s.Name, "tests", itoa(s.Tests), "failures", itoa(s.Failures), "errors", itoa(s.Errors),
			"skipped", itoa(s.Skipped), "time", s.Time, "timestamp", s.Timestamp)
		w.properties(2, s.Properties)
		for _, c := range s.Cases {
			w.start(2, "testcase", "name", c.Name, "classname", c.Classname, "time", c.Time)
			w.properties(3, c.Properties)
			for _, m := range []struct {
				name string
				msg  *JUnitMessage
			}{{"failure", c.Failure}, {"error", c.Error}, {"skipped", c.Skipped}} {
				if m.msg == nil {
					continue
				}
				if m.msg.Type == "" {
					w.start(3, m.name, "message", m.msg.Message)
				} else {
					w.start(3, m.name, "message", m.msg.Message, "type", m.msg.Type)
				}
				w.esc(m.msg.Text)
				w.end(m.name)
			}
			if c.SystemOut != "" {
				w.start(3, "system-out")
				w.esc(c.SystemOut)
				w.end("system-out")
			}
			w.endAfter(true, 2, "testcase")
		}
		w.endAfter(true, 1, "testsuite")
	}
	w.endAfter(len(root.Suites) > 0, 0, "testsuites")
	w.b.WriteString("\n")
	return w.b.Bytes()
}

// xmlWriter writes indented XML elements into b.
type xmlWriter struct {
	b bytes.Buffer
}

// start opens the element name at depth (two spaces each) on a new line
// (the first element on the line after the header), with attributes as
// name, value pairs.
func (w *xmlWriter) start(depth int, name string, attrs ...string) {
	if depth > 0 {
		w.newline(depth)
	}
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		w.esc(attrs[i+1])
		w.b.WriteByte('"')
	}
	w.b.WriteByte('>')
}

// end closes name where the writer is: right after its text, or after its
// start tag for an empty element.
func (w *xmlWriter) end(name string) {
	w.b.WriteString("</")
	w.b.WriteString(name)
	w.b.WriteByte('>')
}

// endAfter closes the element name opened at depth: on a line of its own
// when it holds elements, else right after its start tag.
func (w *xmlWriter) endAfter(children bool, depth int, name string) {
	if children {
		w.newline(depth)
	}
	w.end(name)
}

func (w *xmlWriter) newline(depth int) {
	w.b.WriteByte('\n')
	for range depth {
		w.b.WriteString("  ")
	}
}

// properties writes the <properties> element of props at depth; like
// encoding/xml for a "properties>property" field, it writes an empty one
// for no properties.
func (w *xmlWriter) properties(depth int, props []JUnitProperty) {
	w.start(depth, "properties")
	for _, p := range props {
		w.start(depth+1, "property", "name", p.Name, "value", p.Value)
		w.end("property")
	}
	w.endAfter(len(props) > 0, depth, "properties")
}

// esc writes s escaped as encoding/xml escapes text and attribute values.
func (w *xmlWriter) esc(s string) {
	_ = xml.EscapeText(&w.b, []byte(s)) // a bytes.Buffer does not fail
}

func itoa(n int) string { return strconv.Itoa(n) }

// junitText is the body of a failure: the rule, what was expected and
// seen, the failure message and how to replay the check.
func junitText(r Requirement) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s, %s]\n", r.Must, r.Source, r.Level)
	if r.Evidence.Expected != "" || r.Evidence.Observed != "" {
		fmt.Fprintf(&b, "expected: %s\nobserved: %s\n", r.Evidence.Expected, r.Evidence.Observed)
	}
	for _, e := range r.Evidence.SchemaErrors {
		fmt.Fprintf(&b, "schema: %s\n", e)
	}
	if r.Evidence.Failure != nil {
		fmt.Fprintf(&b, "%s\n", r.Evidence.Failure.Message)
	}
	for i, ex := range r.Evidence.Exchanges {
		if i == 3 {
			fmt.Fprintf(&b, "(%d more exchanges in report.json)\n", len(r.Evidence.Exchanges)-3)
			break
		}
		fmt.Fprintf(&b, "%s %s (auth %s) -> %s\n", ex.Method, ex.URL, ex.AuthShape, exchangeOutcome(ex))
	}
	fmt.Fprintf(&b, "replay: %s\n", r.Focus)
	return b.String()
}

// exchangeOutcome is "401 (1234 bytes)" or the transport error.
func exchangeOutcome(ex evidence.Exchange) string {
	if ex.Status == 0 {
		return evidence.NoAnswerPrefix + ex.Error
	}
	out := fmt.Sprintf("%d (%d bytes)", ex.Status, ex.ResponseBytes)
	if ex.Repeats > 0 {
		out += fmt.Sprintf(", and %d more exchange(s) alike", ex.Repeats)
	}
	return out
}

func seconds(s float64) string { return fmt.Sprintf("%.3f", max(s, 0)) }
