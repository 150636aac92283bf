package bench

import (
	"math"
	"strings"
	"testing"
)

// sampleOutput is `go test -bench` output of the five benchmark groups,
// run twice (-count 2), with the noise lines go test prints around them.
const sampleOutput = `goos: linux
goarch: amd64
pkg: github.com/winston-conformance/winston-conformance/harness/bench
cpu: Intel(R) Xeon(R) Processor
BenchmarkReplay/floor-2         	     164	   6000000 ns/op	   6766354 cpu-ns/op
BenchmarkReplay/floor-2         	     164	   6000000 ns/op	   6766354 cpu-ns/op
BenchmarkReplay/suite-2         	       9	 120000000 ns/op	 155751222 cpu-ns/op	        20.00 replay/floor
BenchmarkReplay/suite-2         	       9	 120000000 ns/op	 155751222 cpu-ns/op	        22.00 replay/floor
BenchmarkReplay/fixed-2         	      30	  18000000 ns/op	  25751222 cpu-ns/op	  17000000 median-ns/run	   5900000 floor-median-ns/run	         3.00 fixed/floor
BenchmarkLive/sequential-2      	       1	6600000000 ns/op	 146599000 cpu-ns/op
BenchmarkLive/concurrent-2      	       1	2100000000 ns/op	         0.3200 concurrent/sequential	 159118000 cpu-ns/op
BenchmarkAnswers/scan-2         	     195	   6000000 ns/op	 232.43 MB/s
BenchmarkAnswers/decode-2       	      54	  24000000 ns/op	  61.22 MB/s
BenchmarkAnswers/decode-distinct-2       	      80	  15000000 ns/op	  61.22 MB/s
PASS
ok  	github.com/winston-conformance/winston-conformance/harness/bench	15.342s
BenchmarkReplayLookup/n=100-2         	  200000	      5000 ns/op	    3776 B/op	      43 allocs/op
BenchmarkReplayLookup/n=1000-2        	  200000	      9000 ns/op	    3792 B/op	      43 allocs/op
BenchmarkReplayLookup/n=10000-2       	  200000	     10000 ns/op	    3789 B/op	      43 allocs/op
BenchmarkValidate/compiled-2         	     200	   3000000 ns/op	  961780 B/op	   33834 allocs/op
BenchmarkValidate/recompiled-2       	     200	   4000000 ns/op	 1271050 B/op	   37771 allocs/op
BenchmarkLoad/n=1000/cache=on-2          	      20	   5000000 ns/op	 4317624 B/op	   36036 allocs/op
BenchmarkLoad/n=10000/cache=on-2         	      20	  55000000 ns/op	43473976 B/op	  360072 allocs/op
--- FAIL: BenchmarkSomething odd line
`

func TestParseBench(t *testing.T) {
	r, err := ParseBench(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		bench, unit string
		want        float64
	}{
		{"BenchmarkReplay/floor", "ns/op", 6e6},
		{"BenchmarkReplay/suite", "replay/floor", 21},
		{"BenchmarkLive/concurrent", "concurrent/sequential", 0.32},
		{"BenchmarkReplayLookup/n=10000", "allocs/op", 43},
		{"BenchmarkValidate/recompiled", "ns/op", 4e6},
	}
	for _, c := range checks {
		if got, ok := r[c.bench][c.unit]; !ok || math.Abs(got-c.want) > 1e-9 {
			t.Errorf("%s %s = %v (present %v), want %v", c.bench, c.unit, got, ok, c.want)
		}
	}
	if _, ok := r["BenchmarkReplay/floor-2"]; ok {
		t.Error("the GOMAXPROCS suffix was kept in a name")
	}
}

func TestFigures(t *testing.T) {
	r, err := ParseBench(strings.NewReader(sampleOutput))
	if err != nil {
		t.Fatal(err)
	}
	figs := Figures(r)
	want := []struct {
		value float64
		ok    bool
	}{{21, false}, {2, true}, {0.75, true}, {0.32, true}, {11, true}, {3, true}, {1, true}, {4, true}, {2.5, true}}
	if len(figs) != len(want) {
		t.Fatalf("%d figures, want %d", len(figs), len(want))
	}
	for i, w := range want {
		f := figs[i]
		if math.Abs(f.Value-w.value) > 1e-9 || f.OK() != w.ok {
			t.Errorf("%s = %v ok=%v, want %v ok=%v", f.Name, f.Value, f.OK(), w.value, w.ok)
		}
	}
	if s := figs[0].String(); !strings.Contains(s, "OVER") || !strings.Contains(s, "120.0 ms") || !strings.Contains(s, "6.0 ms") {
		t.Errorf("replay figure line %q: want the measured times and OVER", s)
	}
	if s := figs[1].String(); !strings.Contains(s, "ok") || !strings.Contains(s, "10.0 µs") {
		t.Errorf("matcher figure line %q", s)
	}
	// The fixed-cost line has the medians of its pairs, shown beside its
	// median ratio rather than the means.
	if s := figs[5].String(); !strings.Contains(s, "17.0 ms") || !strings.Contains(s, "5.9 ms") || !strings.Contains(s, "medians") || strings.Contains(s, "limit") {
		t.Errorf("fixed-cost figure line %q: want both median times and no limit", s)
	}
	if s := figs[7].String(); !strings.Contains(s, "24.0 ms") || !strings.Contains(s, "6.0 ms") || strings.Contains(s, "limit") {
		t.Errorf("decode figure line %q: want both times and no limit", s)
	}
	if s := figs[8].String(); !strings.Contains(s, "15.0 ms") || !strings.Contains(s, "distinct") {
		t.Errorf("distinct-decode figure line %q: want its time and what it read", s)
	}
}

func TestMissingFiguresSayWhatToRun(t *testing.T) {
	figs := Figures(Results{})
	for _, f := range figs {
		if !math.IsNaN(f.Value) || f.OK() || !strings.Contains(f.String(), "missing: needs Benchmark") {
			t.Errorf("a figure without its benchmark: %q", f.String())
		}
	}
}
