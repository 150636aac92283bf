package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
	"github.com/winston-conformance/winston-conformance/harness/report"
	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// copyCassettes copies the committed cassettes into a fresh directory, so
// that a test may damage them.
func copyCassettes(t *testing.T) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "cassettes")
	if err := os.Mkdir(dst, 0o750); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(repoRoot, "cassettes")
	files, err := filepath.Glob(filepath.Join(src, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cassettes in %s (%v)", src, err)
	}
	for _, f := range files {
		data, err := os.ReadFile(f) // #nosec G304 -- the repository's own cassettes
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// snapshot maps every file name in dir to its content.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

// assertUnchanged fails when a file of before was changed or removed, or a
// file was added: nothing recorded may be lost, and no debris left.
func assertUnchanged(t *testing.T, dir string, before map[string][]byte) {
	t.Helper()
	after := snapshot(t, dir)
	var names []string
	for n := range before {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		got, ok := after[n]
		switch {
		case !ok:
			t.Errorf("%s was removed", n)
		case !bytes.Equal(got, before[n]):
			t.Errorf("%s was changed", n)
		}
	}
	for n := range after {
		if _, ok := before[n]; !ok {
			t.Errorf("%s was added to the cassette directory", n)
		}
	}
}

func TestDamagedCassettesFailTheirSpecAndAreKept(t *testing.T) {
	cases := []struct {
		name, id string
		damage   func(data []byte) []byte
	}{
		{"a truncated cassette", "AUTH-001", func(d []byte) []byte { return d[:len(d)/2] }},
		{"a cassette that is not YAML", "STRUCT-005", func([]byte) []byte { return []byte("\x00\x01{{{ [not: yaml\n\t- ]]]\n") }},
		{"an empty cassette", "ERR-004", func([]byte) []byte { return nil }},
		{"a hand-edited cassette (response code 999)", "STRUCT-006", func(d []byte) []byte {
			return bytes.Replace(d, []byte("code: 200"), []byte("code: 999"), 1)
		}},
		{"a hand-edited cassette (request body changed)", "LIST-001", func(d []byte) []byte {
			return bytes.ReplaceAll(d, []byte(`"limit":`), []byte(`"limitX":`))
		}},
		{"a cassette of an unknown format version", "ERR-007", func(d []byte) []byte {
			return bytes.Replace(d, []byte("\nversion: 2\n"), []byte("\nversion: 99\n"), 1)
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := copyCassettes(t)
			path := filepath.Join(dir, tc.id+".yaml")
			orig, err := os.ReadFile(path) // #nosec G304 -- the test's own copy
			if err != nil {
				t.Fatal(err)
			}
			damaged := tc.damage(orig)
			if bytes.Equal(damaged, orig) {
				t.Fatalf("the damage changed nothing in %s", path)
			}
			if err := os.WriteFile(path, damaged, 0o600); err != nil {
				t.Fatal(err)
			}
			before := snapshot(t, dir)
			r := runSuite(t, map[string]string{config.EnvMode: "replay", config.EnvCassetteDir: dir}, focus(tc.id))
			req := r.requirement(t, tc.id)
			if req.Status != report.StatusFailed {
				t.Fatalf("%s is %s, want failed", tc.id, req.Status)
			}
			msg := req.Reason
			if req.Evidence.Failure != nil {
				msg += "\n" + req.Evidence.Failure.Message
			}
			for _, want := range []string{path, "make record FOCUS=" + tc.id} {
				if !strings.Contains(msg, want) {
					t.Errorf("the failure does not name %q:\n%s", want, msg)
				}
			}
			assertUnchanged(t, dir, before)
		})
	}
}

// A recording whose spec does not pass leaves the cassette it would have
// replaced as it was, and no temporary file behind: a failed one, and a
// skipped one (ERR-008 against a target that sends no 429), whose old
// cassette holds the 429s replay needs.
func TestARecordingThatDoesNotPassKeepsTheOldCassette(t *testing.T) {
	for _, tc := range []struct {
		id     string
		faults []string
		want   string
		why    string
	}{
		{"AUTH-001", []string{"reject-valid-token"}, report.StatusFailed, "the fault should have failed the recording"},
		{"ERR-008", nil, report.StatusSkipped, "without a rate limit the sandbox sends no 429, so it should skip"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			dir := copyCassettes(t)
			before := snapshot(t, dir)
			srv, _ := startSandbox(t, sandbox.Options{Faults: tc.faults})
			env := liveEnv(srv, "", "")
			env[config.EnvMode] = "record"
			env[config.EnvCassetteDir] = dir
			r := runSuite(t, env, focus(tc.id))
			if req := r.requirement(t, tc.id); req.Status != tc.want {
				t.Fatalf("%s is %s: %s", tc.id, req.Status, tc.why)
			}
			assertUnchanged(t, dir, before)
		})
	}
}

// A catalogue entry naming a schema that does not exist stops the run
// before any request, with the schema named.
func TestCatalogueNamingAnUnknownSchema(t *testing.T) {
	cat := editedCatalogue(t, "schema: bills.json", "schema: no-such-schema.json")
	srv, log := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	env[config.EnvCatalogue] = cat
	r := runSuite(t, env, focus("AUTH-001", "SCHEMA-001"))
	doc := r.mustDoc(t)
	if doc.Verdict != report.VerdictConfigError || !strings.Contains(doc.Run.ConfigError, "no-such-schema.json") {
		t.Errorf("verdict %s, config error %q: want config-error naming no-such-schema.json", doc.Verdict, doc.Run.ConfigError)
	}
	if n := log.count(); n != 0 {
		t.Errorf("the sandbox got %d requests: a configuration error must stop the run before any", n)
	}
}

// With mutations off, the method checks send no PUT, PATCH or DELETE (a
// target that wrongly honoured one would change data) and say so.
func TestMutationsOffSendsNoDestructiveMethod(t *testing.T) {
	srv, log := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	env[config.EnvAllowMutations] = "false"
	r := runSuite(t, env, focus("STRUCT-002", "STRUCT-003"))
	log.mu.Lock()
	lines := append([]string(nil), log.lines...)
	log.mu.Unlock()
	gets := 0
	for _, line := range lines {
		for _, m := range []string{"PUT", "PATCH", "DELETE"} {
			if strings.Contains(line, m+" ") {
				t.Errorf("sent with mutations off: %s", line)
			}
		}
		if strings.Contains(line, "GET ") {
			gets++
		}
	}
	if gets == 0 {
		t.Errorf("no GET was sent; the sandbox logged %q", lines)
	}
	for _, id := range []string{"STRUCT-002", "STRUCT-003"} {
		req := r.requirement(t, id)
		said := false
		for _, f := range req.Evidence.Findings {
			said = said || strings.Contains(f.Facts["skipped"], "WINSTON_ALLOW_MUTATIONS=true")
		}
		if !said {
			t.Errorf("%s does not say that PUT, PATCH and DELETE were left out", id)
		}
	}
}

// A plain-HTTP origin that does not answer is no redirect: TRANS-001 must
// not pass on it.
func TestNoAnswerOverPlainHTTPIsNoRedirect(t *testing.T) {
	srv, _ := startSandbox(t, sandbox.Options{})
	env := liveEnv(srv, "", "")
	env[config.EnvHTTPURL] = "http://127.0.0.1:9"
	env[config.EnvRetries] = "0"
	r := runSuite(t, env, focus("TRANS-001"))
	if req := r.requirement(t, "TRANS-001"); req.Status == report.StatusPassed {
		t.Fatalf("TRANS-001 passed with no answer over plain HTTP: %+v", req.Evidence.Findings)
	}
}
