package sandbox

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestFaultFlagRepeatsAndSplits(t *testing.T) {
	var faults FaultFlag
	fs := flag.NewFlagSet("x", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Var(&faults, "fault", "")
	if err := fs.Parse([]string{"--fault", "outage", "--fault", "no-hsts, redirect-301,,"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"outage", "no-hsts", "redirect-301"}; !slices.Equal(faults, want) || faults.String() != "outage,no-hsts,redirect-301" {
		t.Errorf("got %v", faults)
	}
}
