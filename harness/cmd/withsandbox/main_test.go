package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/sandbox"
)

// sandboxChildEnv starts a sandbox for the test and returns it with the
// environment childEnv gives a command run against it (token scheme), as
// a map; replaced settings are named on note.
func sandboxChildEnv(t *testing.T, note io.Writer) (*sandbox.Server, map[string]string) {
	t.Helper()
	srv, err := sandbox.Start(sandbox.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	env := map[string]string{}
	for _, kv := range childEnv(srv, note) {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return srv, env
}

func TestChildEnvNamesTheSandboxAndKeepsTheRest(t *testing.T) {
	t.Setenv("WINSTON_BASE_URL", "https://api-qa.example.test")
	t.Setenv("WINSTON_API_KEY", "a-real-key-that-must-not-reach-the-sandbox")
	t.Setenv("WINSTON_MODE", "record")
	t.Setenv("WINSTON_MAX_RPS", "5")
	srv, env := sandboxChildEnv(t, io.Discard)
	if env["WINSTON_BASE_URL"] != srv.HTTPSURL() || env["WINSTON_API_KEY"] != sandbox.DefaultKey {
		t.Errorf("the target variables must name the sandbox: %v", env)
	}
	if env["WINSTON_MODE"] != "record" {
		t.Errorf("a mode the caller set must be kept, got %q", env["WINSTON_MODE"])
	}
	if env["WINSTON_MAX_RPS"] != "5" {
		t.Errorf("a cap the caller set must be kept, got %q", env["WINSTON_MAX_RPS"])
	}
}

func TestNoCommandIsAUsageError(t *testing.T) {
	if code := run(nil); code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
}

func TestTheChildsExitCodeIsPassedOn(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("needs sh")
	}
	if code := run([]string{"--", "sh", "-c", `test -n "$WINSTON_CA_FILE" && test -f "$WINSTON_CA_FILE" && exit 3`}); code != 3 {
		t.Errorf("exit %d, want the child's 3 (and a CA file it can read)", code)
	}
	_ = os.Stdout.Sync()
}

// An integrator who exported their own environment's app name and auth
// scheme, then tried the README's withsandbox line, got 401 on every call
// (AUTH-001 failed against a faithful sandbox): the app name and scheme
// are part of the target's credentials and must name the sandbox too, and
// the replacement is said, not silent.
func TestChildEnvSendsTheSandboxsAppNameAndScheme(t *testing.T) {
	t.Setenv("WINSTON_APP_NAME", "acme_pos")
	t.Setenv("WINSTON_AUTH_SCHEME", "bearer")
	var note bytes.Buffer
	_, env := sandboxChildEnv(t, &note)
	if env["WINSTON_APP_NAME"] != sandbox.DefaultApp || env["WINSTON_AUTH_SCHEME"] != "token" {
		t.Errorf("the child must use the sandbox's app name and scheme, got %q and %q", env["WINSTON_APP_NAME"], env["WINSTON_AUTH_SCHEME"])
	}
	if !strings.Contains(note.String(), "WINSTON_APP_NAME") || !strings.Contains(note.String(), "WINSTON_AUTH_SCHEME") {
		t.Errorf("the replaced settings must be named: %q", note.String())
	}
}
