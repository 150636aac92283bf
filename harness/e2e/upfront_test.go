package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// Mistakes a user makes quietly (a profile endpoint misspelt, a key pasted
// with its quotes) stop the run before any request, with a message that
// says what to change, instead of a hint or a "not ready" after the run.
func TestQuietMistakesAreConfigErrorsBeforeAnyRequest(t *testing.T) {
	key, key2 := plantedKey(t, "PLANTED-upfront-key-"), plantedKey(t, "PLANTED-upfront-key2-")
	srv, log := startSandbox(t, sandbox.Options{Key: key, Key2: key2})
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	if err := os.WriteFile(profile, []byte("name: Acme kitchen\nendpoints: [tabels, products]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, variable, value string
		wants                 []string
	}{
		{"a profile naming an unknown endpoint", config.EnvProfile, profile,
			[]string{profile, `"tabels"`, `did you mean "tables"`}},
		{"a key pasted with single quotes", config.EnvAPIKey, "'" + key + "'",
			[]string{"WINSTON_API_KEY", "starts and ends with a quote: remove the quotes"}},
		{"a key pasted with double quotes", config.EnvAPIKey, `"` + key + `"`,
			[]string{"WINSTON_API_KEY", "starts and ends with a quote: remove the quotes"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			env := liveEnv(srv, key, key2)
			env[tc.variable] = tc.value
			before := log.count()
			r := runSuite(t, env, focus("AUTH-001"))
			doc := r.mustDoc(t)
			if doc.Verdict != report.VerdictConfigError {
				t.Errorf("verdict %s, want %s: %s", doc.Verdict, report.VerdictConfigError, doc.Summary)
			}
			for _, want := range tc.wants {
				if !strings.Contains(doc.Run.ConfigError, want) {
					t.Errorf("the configuration error does not say %s: %q", want, doc.Run.ConfigError)
				}
			}
			if n := log.count() - before; n != 0 {
				t.Errorf("the sandbox got %d requests: the mistake must stop the run before any", n)
			}
			assertNoKey(t, []string{key, key2}, r.ReportDir, r.OutputDir)
		})
	}
}
