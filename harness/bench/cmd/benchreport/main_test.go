package main

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/bench"
)

func TestFlags(t *testing.T) {
	o, err := parseFlags([]string{"-benchtime", "3x", "-count", "6", "-live=false", "-check", "-out", "b.txt"}, &bytes.Buffer{})
	if err != nil || o != (options{benchtime: "3x", count: 6, out: "b.txt", live: false, check: true}) {
		t.Errorf("parseFlags = %+v, %v", o, err)
	}
	for _, bad := range [][]string{{"-count", "0"}, {"extra"}, {"-nope"}} {
		if _, err := parseFlags(bad, &bytes.Buffer{}); err == nil {
			t.Errorf("parseFlags(%q) accepted", bad)
		}
	}
	var stderr bytes.Buffer
	if code := run(context.Background(), []string{"-count", "0"}, &bytes.Buffer{}, &stderr); code != 2 || !strings.Contains(stderr.String(), "use 1 or more") {
		t.Errorf("run with a bad flag: code %d, stderr %q", code, stderr.String())
	}
}

func TestPlanRunsEveryBenchmarkOnce(t *testing.T) {
	o := options{benchtime: "1s", count: 2, live: true}
	var got []string
	for _, s := range plan(o) {
		got = append(got, strings.Join(s.args(o), " "))
	}
	want := []string{
		"test -run ^$ -bench ^BenchmarkReplayLookup$ -benchtime 1s -count 2 ./harness/cassette",
		"test -run ^$ -bench ^BenchmarkValidate$ -benchtime 1s -count 2 ./harness/schema",
		"test -run ^$ -bench ^BenchmarkLoad$//^cache=on$ -benchtime 1s -count 2 ./harness/cassette",
		"test -run ^$ -bench ^BenchmarkReplay$ -benchtime 1s -count 2 ./harness/bench",
		"test -run ^$ -bench ^BenchmarkAnswers$ -benchtime 1s -count 2 ./harness/bench",
		"test -run ^$ -bench ^BenchmarkLive$ -benchtime 1s -count 2 ./harness/bench",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("plan:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	o.live = false
	if n := len(plan(o)); n != 5 {
		t.Errorf("-live=false plans %d steps, want the live one left out", n)
	}
}

func TestPrintFigures(t *testing.T) {
	figs := []bench.Figure{
		{Name: bench.FigureReplay, Value: 3, Limit: 2, Detail: "x"},
		{Name: bench.FigureMatcher, Value: 1.5, Limit: 3, Detail: "y"},
		{Name: bench.FigureSchema, Value: 0.8, Detail: "z"},
		{Name: bench.FigureLive, Value: math.NaN(), Limit: 0.4, Detail: "needs BenchmarkLive/concurrent"},
	}
	var out bytes.Buffer
	if code := printFigures(&out, figs, options{benchtime: "1s", count: 1, live: true}); code != 0 {
		t.Errorf("without -check the exit code is %d, want 0", code)
	}
	for _, want := range []string{"OVER", "missing: needs BenchmarkLive/concurrent", "0.80"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if code := printFigures(&bytes.Buffer{}, figs, options{live: true, check: true}); code != 1 {
		t.Errorf("-check with a figure over its limit: exit %d, want 1", code)
	}
	out.Reset()
	if code := printFigures(&out, figs[1:3], options{check: true}); code != 0 {
		t.Errorf("-check with good figures: exit %d", code)
	}
	out.Reset()
	printFigures(&out, figs, options{live: false})
	if !strings.Contains(out.String(), "not run (-live=false)") {
		t.Errorf("-live=false output:\n%s", out.String())
	}
}
