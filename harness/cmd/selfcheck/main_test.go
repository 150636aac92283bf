package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/selfcheck"
)

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"an unknown flag", []string{"-bogus"}, "flag provided but not defined"},
		{"a stray argument", []string{"redirect-301"}, `unexpected argument "redirect-301": pass faults as -fault NAME`},
		{"an unknown fault", []string{"-fault", "no-such-fault", "-suite-binary", os.Args[0], "-out", "OUT"}, `unknown fault "no-such-fault": use one of`},
		{"a missing suite binary", []string{"-suite-binary", "/nonexistent/suite.test", "-out", "OUT"}, "SuiteBinary /nonexistent/suite.test is not a file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			for i, a := range tc.args {
				if a == "OUT" {
					tc.args[i] = out
				}
			}
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, &stdout, &stderr); code != exitCannot {
				t.Errorf("exit %d, want %d", code, exitCannot)
			}
			if !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("stderr lacks %q:\n%s", tc.want, stderr.String())
			}
		})
	}
}

// With no -suite-binary the command builds the suite itself, runs the
// faults asked for, prints the table and exits by the matrix.
func TestBuildsRunsAndPrintsTheTable(t *testing.T) {
	out := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	code := run(ctx, []string{"-out", out, "-fault", "redirect-301", "-parallel", "1"}, &stdout, &stderr)
	if code == exitCannot {
		t.Fatalf("exit %d:\n%s", code, stderr.String())
	}
	for _, want := range []string{
		"| fault | family | expected to fail | failed | verdict | caught? |",
		"| faithful | - | nothing (verdict pass) | - | pass | clean |",
		"| redirect-301 | transport | TRANS-002 | TRANS-002 | pass | yes |", // a SHOULD: caught, the run still passes
		"1/1 faults caught",
	} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "building the suite") {
		t.Errorf("stderr must say the suite is being built:\n%s", stderr.String())
	}
	data, err := os.ReadFile(filepath.Join(out, selfcheck.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	var m selfcheck.Matrix
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if want := m.ExitCode(); code != want {
		t.Errorf("exit %d, but the matrix says %d (%s)", code, want, m.Summary)
	}
}
