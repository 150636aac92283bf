package redact

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"
)

const planted = "PLANTED-k3y-0123456789abcdef"

func TestStringAndBase64AtEveryAlignment(t *testing.T) {
	r := New()
	if !r.Add(planted, "<WINSTON_API_KEY>") {
		t.Fatal("Add refused a long key")
	}
	if got := r.String("Token api_test@" + planted); got != "Token api_test@<WINSTON_API_KEY>" {
		t.Errorf("got %q", got)
	}
	for _, prefix := range []string{"", "a", "ab", "api_test:", "api_test@"} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding} {
			s := "Basic " + enc.EncodeToString([]byte(prefix+planted+"tail"))
			got := r.String(s)
			if got == s || !strings.Contains(got, "<WINSTON_API_KEY:base64>") {
				t.Errorf("prefix %q: base64 form not redacted: %s", prefix, got)
			}
		}
	}
}

func TestShortSecretsRefused(t *testing.T) {
	r := New()
	if r.Add("", "<K>") || r.Add("abc", "<K>") {
		t.Error("short secrets must be refused")
	}
	if got := r.String("abc"); got != "abc" {
		t.Errorf("got %q", got)
	}
}

func TestErrorKeepsChain(t *testing.T) {
	r := New()
	r.Add(planted, "<K>")
	base := errors.New("dial " + planted)
	err := r.Error(fmt.Errorf("wrap: %w", base))
	if strings.Contains(err.Error(), planted) {
		t.Errorf("error not redacted: %v", err)
	}
	if !errors.Is(err, base) {
		t.Error("redacted error lost its chain")
	}
	if r.Error(nil) != nil {
		t.Error("nil error must stay nil")
	}
}

func TestWriterSplitsAcrossWrites(t *testing.T) {
	r := New()
	r.Add(planted, "<K>")
	var out bytes.Buffer
	w := r.Writer(&out)
	msg := "first line\nkey=" + planted + " end\nno newline " + planted
	for i := 0; i < len(msg); i += 3 {
		end := min(i+3, len(msg))
		if _, err := w.Write([]byte(msg[i:end])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), planted) || strings.Count(out.String(), "<K>") != 2 {
		t.Errorf("writer output: %q", out.String())
	}
}
