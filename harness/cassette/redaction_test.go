package cassette

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/redact"
	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

func TestRecordStoresNoKey(t *testing.T) {
	red := keyRedactor(plantedKey, plantedKey2)
	_, srv := newStub(t, plantedKey, plantedKey2)
	dir := t.TempDir()
	lib, err := Open(Options{
		Dir: dir, Mode: ModeRecord, Redactor: red, RealTransport: srv.Client().Transport,
		Meta: Meta{Source: SourceTarget, Target: "https://user:" + plantedKey + "@example.test", ReferenceNow: fixedRecTime},
	})
	if err != nil {
		t.Fatal(err)
	}
	basic := base64.StdEncoding.EncodeToString([]byte("api_test:" + plantedKey))
	recordSpec(t, lib, testID, true, []call{
		{url: srv.URL + "/api/v2/bills?api_key=" + plantedKey + "&app_name=api_test", auth: "Token api_test@" + plantedKey, body: `{"key":"` + plantedKey + `"}`},
		{url: srv.URL + "/api/v2/bills?api_key=" + strings.ReplaceAll(plantedKey, "-", "%2D"), body: `{}`},
		{url: srv.URL + "/api/v2/bills", auth: "Basic " + basic, body: `{}`},
		{url: srv.URL + "/api/v2/bills", auth: "Token api_test@" + plantedKey2, body: `{}`},
	})
	data := readFile(t, lib.Path(testID))
	secrets := append(append([]string{plantedKey, plantedKey2}, redact.Base64Forms(plantedKey)...), redact.Base64Forms(plantedKey2)...)
	for _, s := range secrets {
		if strings.Contains(string(data), s) {
			t.Errorf("cassette holds secret form %q:\n%s", s, data)
		}
	}
	f, err := LoadFile(lib.Path(testID))
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range f.Interactions {
		if int(it.Request.ContentLength) != len(it.Request.Body) || int(it.Response.ContentLength) != len(it.Response.Body) {
			t.Errorf("interactions[%d]: stored lengths %d/%d disagree with the redacted bodies (%d/%d bytes)",
				i, it.Request.ContentLength, it.Response.ContentLength, len(it.Request.Body), len(it.Response.Body))
		}
	}
	for _, want := range []string{"<WINSTON_API_KEY>", "<WINSTON_API_KEY_2>", "<WINSTON_API_KEY:base64>"} {
		if !strings.Contains(string(data), want) {
			t.Errorf("cassette lacks placeholder %s (redaction did not run where the key was):\n%s", want, data)
		}
	}
}

func TestRedactedBodyKeepsLengthsConsistent(t *testing.T) {
	_, srv := newStub(t, plantedKey, plantedKey2)
	s, err := recordLib(t, t.TempDir(), srv, keyRedactor(plantedKey, plantedKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, srv.URL+"/api/v2/bills", strings.NewReader(`{"k":"`+plantedKey+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := s.RoundTripper().RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(body), plantedKey) || !strings.Contains(string(body), "<WINSTON_API_KEY>") {
		t.Fatalf("response body not redacted: %s", body)
	}
	if cl := resp.Header.Get("Content-Length"); cl != strconv.Itoa(len(body)) || resp.ContentLength != int64(len(body)) {
		t.Errorf("Content-Length %q / %d for a %d-byte body", cl, resp.ContentLength, len(body))
	}
}

func TestEncodeFileRedactsWhatTheHookMissed(t *testing.T) {
	its := []*vcr.Interaction{{
		Request:  vcr.Request{Method: "POST", URL: "https://h/x", Form: map[string][]string{"k": {plantedKey}}},
		Response: vcr.Response{Code: 200, Body: plantedKey},
	}}
	data, err := encodeFile(Meta{Requirement: testID}, its, keyRedactor(plantedKey, plantedKey2))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), plantedKey) {
		t.Errorf("rendered cassette holds the key:\n%s", data)
	}
}
