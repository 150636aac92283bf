package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
)

// Bad input files get an error that names the problem and the fix, in
// the user's words (the variable), never in Go's (Options.Dir).
func TestBadInputFilesNameTheProblemAndTheFix(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, variable, value string
		want                  []string
	}{
		{"an empty catalogue", config.EnvCatalogue, write("empty.yaml", ""), []string{"empty", "catalogue.yaml"}},
		{"a catalogue of comments only", config.EnvCatalogue, write("comments.yaml", "# nothing here\n\n"), []string{"empty", "catalogue.yaml"}},
		{"a cassette directory that is a file", config.EnvCassetteDir, write("cassettes", "x"), []string{"not a directory", "cassettes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := runSuite(t, map[string]string{config.EnvMode: "replay", tc.variable: tc.value})
			doc := r.mustDoc(t)
			if doc.Verdict != report.VerdictConfigError {
				t.Fatalf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
			}
			msg := doc.Run.ConfigError
			for _, want := range append([]string{tc.variable, "fix"}, tc.want...) {
				if !strings.Contains(msg, want) {
					t.Errorf("the error should say %q: %s", want, msg)
				}
			}
			if strings.Contains(msg, "Options.") {
				t.Errorf("the error names a Go option, not the variable: %s", msg)
			}
		})
	}
}
