package cassette

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenValidates(t *testing.T) {
	dir := t.TempDir()
	file := writeFile(t, dir, "plain", []byte("x"))
	rt := http.DefaultTransport
	cases := []struct {
		name string
		opts Options
		want string
	}{
		{"no dir", Options{Mode: ModeReplay}, "Options.Dir is empty"},
		{"no mode", Options{Dir: dir}, `Options.Mode "" is not a mode`},
		{"replay missing dir", Options{Dir: filepath.Join(dir, "nope"), Mode: ModeReplay}, "make record"},
		{"replay dir is a file", Options{Dir: file, Mode: ModeReplay}, "not a directory"},
		{"record without transport", Options{Dir: dir, Mode: ModeRecord, Meta: Meta{Source: SourceSandbox}}, "RealTransport is nil"},
		{"record without source", Options{Dir: dir, Mode: ModeRecord, RealTransport: rt}, "Meta.Source is empty"},
		{"record bad source", Options{Dir: dir, Mode: ModeRecord, RealTransport: rt, Meta: Meta{Source: "prod"}}, `Meta.Source is "prod"`},
		{"record bad time", Options{Dir: dir, Mode: ModeRecord, RealTransport: rt, Meta: Meta{Source: SourceTarget, ReferenceNow: "yesterday"}}, "ReferenceNow"},
		{"record dir under a file", Options{Dir: filepath.Join(file, "sub"), Mode: ModeRecord, RealTransport: rt, Meta: Meta{Source: SourceSandbox}}, "create cassette directory"},
	}
	for _, c := range cases {
		if _, err := Open(c.opts); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestOpenRecordCreatesDirAndLeavesItClean(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cassettes")
	lib, err := Open(Options{Dir: dir, Mode: ModeRecord, RealTransport: http.DefaultTransport, Meta: Meta{Source: SourceSandbox}})
	if err != nil {
		t.Fatal(err)
	}
	if lib.Mode() != ModeRecord || lib.Path(testID) != filepath.Join(dir, testID+".yaml") {
		t.Errorf("mode %s path %s", lib.Mode(), lib.Path(testID))
	}
	if es, err := os.ReadDir(dir); err != nil || len(es) != 0 {
		t.Errorf("record dir after Open: %v %v", es, err)
	}
}

func TestSessionRefusesBadIDs(t *testing.T) {
	lib, err := Open(Options{Dir: t.TempDir(), Mode: ModeReplay})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", "auth-001", "AUTH-1", "../AUTH-001", "AUTH-001/x", "AUTH-001.yaml"} {
		if _, err := lib.Session(id); err == nil || !strings.Contains(err.Error(), "is not of the form AUTH-001") {
			t.Errorf("Session(%q): %v", id, err)
		}
	}
}
