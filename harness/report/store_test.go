package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func mustBuild(t *testing.T, name string) *Document {
	t.Helper()
	for _, sc := range scenarios() {
		if sc.name == name {
			return sc.build(t)
		}
	}
	t.Fatalf("no scenario %s", name)
	return nil
}

func TestWriteWritesEveryFileAndReadsBack(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	d := mustBuild(t, "fail")
	if err := d.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{JSONFile, JUnitFile, MarkdownFile, HTMLFile} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
	back, err := ReadDocument(filepath.Join(dir, JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	if back.Verdict != d.Verdict || back.Summary != d.Summary || len(back.Requirements) != len(d.Requirements) || !back.Run.Start.Equal(d.Run.Start) {
		t.Errorf("read back %s / %q, wrote %s / %q", back.Verdict, back.Summary, d.Verdict, d.Summary)
	}
	if JSONPath(dir) != filepath.Join(dir, JSONFile) || JSONPath("x/report.json") != "x/report.json" {
		t.Error("JSONPath must accept a directory or a file")
	}
}

func TestWriteNeverDeletesAnEarlierReport(t *testing.T) {
	dir := t.TempDir()
	first := mustBuild(t, "fail")
	if err := first.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, CompareFile), []byte("earlier comparison"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	oldJSON, _ := os.ReadFile(filepath.Join(dir, JSONFile))
	second := mustBuild(t, "pass")
	second.Run.Start = first.Run.Start.Add(time.Hour)
	if err := second.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	archive := filepath.Join(dir, first.Run.Start.UTC().Format("20060102-150405"))
	for _, name := range []string{JSONFile, JUnitFile, MarkdownFile, HTMLFile, CompareFile} {
		if _, err := os.Stat(filepath.Join(archive, name)); err != nil {
			t.Errorf("earlier %s not kept in %s: %v", name, archive, err)
		}
	}
	kept, _ := os.ReadFile(filepath.Join(archive, JSONFile))
	if string(kept) != string(oldJSON) {
		t.Error("the earlier report.json changed when it was moved")
	}
	if _, err := os.Stat(filepath.Join(dir, CompareFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Error("the earlier compare.md must move with its report")
	}
	if _, err := os.Stat(filepath.Join(dir, "notes.txt")); err != nil {
		t.Error("files that are not a report must be left alone")
	}
	now, err := ReadDocument(filepath.Join(dir, JSONFile))
	if err != nil || now.Verdict != VerdictPass {
		t.Fatalf("the new report is not in place: %v", err)
	}
	// The same start again: a second archive folder, never a merge.
	third := mustBuild(t, "pass")
	third.Run.Start = second.Run.Start.Add(time.Hour)
	if err := third.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	fourth := mustBuild(t, "pass")
	fourth.Run.Start = third.Run.Start
	if err := fourth.Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := mustBuild(t, "pass").Write(dir, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, fourth.Run.Start.UTC().Format("20060102-150405")+"-2", JSONFile)); err != nil {
		t.Errorf("two runs with one start time must get two folders: %v", err)
	}
	history, err := LoadHistory(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(history) != 5 {
		t.Fatalf("history holds %d reports, want all 5", len(history))
	}
	for i := 1; i < len(history); i++ {
		if history[i].Run.Start.Before(history[i-1].Run.Start) {
			t.Error("history is not sorted by start")
		}
	}
}

func TestReadDocumentErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]struct {
		content string
		want    string
		is      error
	}{
		"corrupt.json":   {"{not json", "corrupt", ErrReportCorrupt},
		"foreign.json":   {`{"hello":"world"}`, "no schemaVersion", ErrReportCorrupt},
		"version.json":   {`{"schemaVersion":"winston-conformance-report/v0"}`, `"winston-conformance-report/v0"`, ErrReportVersion},
		"wrongtype.json": {`{"schemaVersion":"winston-conformance-report/v1","requirements":"x"}`, "corrupt", ErrReportCorrupt},
	}
	for name, c := range cases {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(c.content), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := ReadDocument(p)
		if err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), c.want) || !errors.Is(err, c.is) {
			t.Errorf("%s: error %v, want it to name the file, say %q and wrap %v", name, err, c.want, c.is)
		}
	}
	_, err := ReadDocument(filepath.Join(dir, "missing.json"))
	if err == nil || !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}

func TestLoadHistorySkipsBadFilesAndSaysSo(t *testing.T) {
	dir := t.TempDir()
	if err := mustBuild(t, "pass").Write(filepath.Join(dir, "a"), nil); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "b"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "b", JSONFile), []byte("garbage"), 0o600); err != nil {
		t.Fatal(err)
	}
	docs, err := LoadHistory(dir)
	if len(docs) != 1 || err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "b", JSONFile)) {
		t.Errorf("got %d docs, error %v: want the good one and an error naming the bad one", len(docs), err)
	}
	if _, err := LoadHistory(filepath.Join(dir, "nope")); err == nil {
		t.Error("a missing history folder must be an error")
	}
}

func TestReportJSONHasOneRequirementPerLine(t *testing.T) {
	doc := Build(ginkgoReport(t, allPassing("AUTH-001")...), testCatalogue(t), liveRun(), nil, nil)
	doc.Requirements[0].Must = `a "quoted", {bracketed} [value]: with \ and , inside`
	data, err := doc.renderJSON()
	if err != nil {
		t.Fatal(err)
	}
	var back, want any
	plain, _ := json.Marshal(doc)
	if json.Unmarshal(data, &back) != nil || json.Unmarshal(plain, &want) != nil || !reflect.DeepEqual(back, want) {
		t.Fatalf("the laid-out JSON does not read back as the document:\n%s", data)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	var reqLines int
	for _, l := range lines {
		if strings.HasPrefix(l, `    {"id":`) {
			reqLines++
		}
	}
	if reqLines != len(doc.Requirements) {
		t.Errorf("want each of the %d requirements on a line of its own at depth 2, found %d:\n%s", len(doc.Requirements), reqLines, data)
	}
	if !strings.HasPrefix(string(data), "{\n  \"schemaVersion\": ") || !strings.HasSuffix(string(data), "}\n") {
		t.Errorf("top-level fields should open the file, one per line, and it should end in a newline:\n%.200s", data)
	}
}

func TestIndentShallowLeavesEmptyContainersAndStrings(t *testing.T) {
	got := string(indentShallow([]byte(`{"a":[],"b":{},"c":["x,y",{"d":"}]"}],"e":"\"[,]\""}`), 2))
	want := "{\n  \"a\": [],\n  \"b\": {},\n  \"c\": [\n    \"x,y\",\n    {\"d\":\"}]\"}\n  ],\n  \"e\": \"\\\"[,]\\\"\"\n}"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Strings are copied whole up to their closing quote: a quote after an
// even run of backslashes closes one, after an odd run it does not. The
// layout never changes the JSON (compacted again, it is the input).
func TestIndentShallowFindsTheEndOfEveryString(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`{"a":"\\","b":[1,"\\\\",{"c":"\\\""}],"d":"\\\\\"],{"}`, `{
  "a": "\\",
  "b": [
    1,
    "\\\\",
    {"c":"\\\""}
  ],
  "d": "\\\\\"],{"
}`},
		{`["\"],[","\\",{"":""},"x\\\\"]`, `[
  "\"],[",
  "\\",
  {
    "": ""
  },
  "x\\\\"
]`},
		{`{"u":"\u0022 ünï,:[]{}","n":-1.5e3,"t":true,"z":null}`, `{
  "u": "\u0022 ünï,:[]{}",
  "n": -1.5e3,
  "t": true,
  "z": null
}`},
		{`""`, `""`},
		{`"unterminated\"`, `"unterminated\"`},
	} {
		out := indentShallow([]byte(c.in), 2)
		if string(out) != c.want {
			t.Errorf("indentShallow(%s):\ngot\n%s\nwant\n%s", c.in, out, c.want)
		}
		if !json.Valid([]byte(c.in)) {
			continue
		}
		var back bytes.Buffer
		if err := json.Compact(&back, out); err != nil || back.String() != c.in {
			t.Errorf("indentShallow changed the JSON (%v):\n in %s\nout %s", err, c.in, back.String())
		}
	}
}

// A missing report directory is named with the report.json that was looked
// for, so that `verdict reports/typo` and `compare -current reports/typo`
// say which file is missing; a missing .json path stays as it is.
func TestJSONPathOfAMissingPath(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "not-written")
	if got, want := JSONPath(missing), filepath.Join(missing, JSONFile); got != want {
		t.Errorf("JSONPath(%s) = %s, want %s", missing, got, want)
	}
	if got, want := JSONPath(filepath.Join(missing, "old.json")), filepath.Join(missing, "old.json"); got != want {
		t.Errorf("JSONPath of a missing .json file = %s, want %s", got, want)
	}
}
