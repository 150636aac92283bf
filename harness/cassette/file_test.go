package cassette

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// validCassette is a small, correct cassette file.
func validCassette(t *testing.T) []byte {
	t.Helper()
	dir := t.TempDir()
	path := writeCassette(t, dir, testID, Meta{Source: SourceSandbox, Note: NoteSandbox},
		&vcr.Interaction{Request: vcr.Request{Method: "POST", URL: "https://sandbox.test/api/v2/bills", Body: `{"a":1}`},
			Response: vcr.Response{Code: 200, Body: `{"bills":[]}`}},
		&vcr.Interaction{Request: vcr.Request{Method: "POST", URL: "https://sandbox.test/api/v2/products", Body: `{}`},
			Response: vcr.Response{Code: 200, Body: `{"products":[]}`}})
	return readFile(t, path)
}

func TestBadCassettesAreRefusedAndKept(t *testing.T) {
	good := string(validCassette(t))
	cases := []struct {
		name, content, want string
		is                  error
	}{
		{"empty", "", "empty", nil},
		{"not YAML", "{{{ this is : not yaml", "not a YAML cassette", nil},
		{"not a cassette", "- just\n- a list\n", "not a YAML cassette", nil},
		{"truncated", good[:strings.LastIndex(good, "- id: 1")], "interactionCount is 2 but the file holds 1", nil},
		{"version 1", strings.Replace(good, "version: 2", "version: 1", 1), "format version 1", vcr.ErrUnsupportedCassetteFormat},
		{"no version", strings.Replace(good, "version: 2\n", "", 1), "format version 0", vcr.ErrUnsupportedCassetteFormat},
		{"misspelt key", strings.Replace(good, "response:", "reponse:", 1), "reponse", nil}, //nolint:misspell // a hand edit's typo is the case under test
		{"bad status", strings.Replace(good, "code: 200", "code: 20", 1), "response.code 20", nil},
		{"bad url", strings.Replace(good, "url: https://sandbox.test/api/v2/bills", "url: /api/v2/bills", 1), "not an absolute http(s) URL", nil},
		{"two documents", good + "---\nversion: 2\n", "more than one YAML document", nil},
		{"other requirement", strings.Replace(good, "requirement: "+testID, "requirement: AUTH-002", 1), "meta.requirement is AUTH-002", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := writeFile(t, dir, testID+".yaml", []byte(c.content))
			_, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
			if !errors.Is(err, ErrCassetteCorrupt) {
				t.Fatalf("err = %v, want ErrCassetteCorrupt", err)
			}
			if c.is != nil && !errors.Is(err, c.is) {
				t.Errorf("err = %v, want it to wrap %v", err, c.is)
			}
			for _, want := range []string{c.want, path, "make record FOCUS=" + testID} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
			bytesEqual(t, "bad cassette", readFile(t, path), []byte(c.content))
		})
	}
}

func TestMissingCassette(t *testing.T) {
	dir := t.TempDir()
	_, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session("STRUCT-002")
	if !errors.Is(err, ErrCassetteMissing) {
		t.Fatalf("err = %v, want ErrCassetteMissing", err)
	}
	for _, want := range []string{filepath.Join(dir, "STRUCT-002.yaml"), "make record FOCUS=STRUCT-002"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q: %v", want, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "STRUCT-002.yaml")); !os.IsNotExist(err) {
		t.Error("a missing cassette must not be created by replay")
	}
	// The refused session must not hold the ID.
	writeCassette(t, dir, "STRUCT-002", Meta{}, &vcr.Interaction{
		Request: vcr.Request{Method: "POST", URL: "https://sandbox.test/x"}, Response: vcr.Response{Code: 200}})
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session("STRUCT-002")
	if err != nil {
		t.Fatalf("session after the cassette appeared: %v", err)
	}
	if err := s.Finish(true); err != nil {
		t.Fatal(err)
	}
}

func TestLoadFileReadsMetaAndInteractions(t *testing.T) {
	path := writeFile(t, t.TempDir(), testID+".yaml", validCassette(t))
	f, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if f.Path != path || f.Version != 2 || len(f.Interactions) != 2 || f.Meta.Source != SourceSandbox || f.Meta.InteractionCount != 2 {
		t.Errorf("LoadFile = %+v", f)
	}
}

func TestPlainGoVCRCassetteLoads(t *testing.T) {
	dir := t.TempDir()
	c := vcr.New(filepath.Join(dir, testID))
	c.AddInteraction(&vcr.Interaction{
		Request:  vcr.Request{Method: "GET", URL: "http://sandbox.test/x"},
		Response: vcr.Response{Code: 200, Body: "ok"},
	})
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFile(c.File)
	if err != nil {
		t.Fatalf("a cassette saved by go-vcr must load: %v", err)
	}
	if f.Meta != (Meta{}) || len(f.Interactions) != 1 {
		t.Errorf("LoadFile = %+v", f)
	}
}
