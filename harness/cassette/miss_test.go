package cassette

import (
	"errors"
	"strings"
	"testing"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// missCassette records a valid POST /api/v2/bills and a GET of products.
func missCassette(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = writeCassette(t, dir, testID, Meta{},
		&vcr.Interaction{Request: vcr.Request{Method: "POST", URL: "https://sandbox.test:8443/api/v2/bills",
			Headers: map[string][]string{"Authorization": {"Token api_test@<WINSTON_API_KEY>"}}, Body: `{"limit":5}`},
			Response: vcr.Response{Code: 200, Body: `[]`}},
		&vcr.Interaction{Request: vcr.Request{Method: "GET", URL: "https://sandbox.test:8443/api/v2/products"},
			Response: vcr.Response{Code: 405}})
	return dir, path
}

func TestMissNamesFileNearestDifferencesAndCommand(t *testing.T) {
	dir, path := missCassette(t)
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	_, _, err = do(t, s.RoundTripper(), call{url: nonRoutable + "/api/v2/bills", auth: "Token api_test@" + wrongKey,
		body: `{"limit":6,"note":"` + standInKey + `"}`})
	if !errors.Is(err, ErrInteractionMissing) {
		t.Fatalf("err = %v, want ErrInteractionMissing", err)
	}
	var miss *MissError
	if !errors.As(err, &miss) {
		t.Fatalf("err %T is not a *MissError", err)
	}
	var fields []string
	for _, d := range miss.Differences {
		fields = append(fields, d.Field)
	}
	if strings.Join(fields, ",") != "auth,body" || miss.NearestIndex != 0 || miss.Replayed != 0 {
		t.Errorf("differences %v nearest %d replayed %d, want auth,body against interactions[0]", fields, miss.NearestIndex, miss.Replayed)
	}
	msg := miss.Error()
	for _, want := range []string{
		path, "nearest recorded: interactions[0] POST https://<any host>/api/v2/bills",
		"auth:  recorded header:Token api_test@<WINSTON_API_KEY>", "sent     header:Token api_test@" + wrongKey,
		`body:  recorded "{\"limit\":5}"`, "<WINSTON_API_KEY>", "make record FOCUS=" + testID,
	} {
		if !strings.Contains(msg, want) {
			t.Errorf("miss message lacks %q:\n%s", want, msg)
		}
	}
	if strings.Contains(msg, standInKey) {
		t.Errorf("miss message shows the key:\n%s", msg)
	}
}

func TestMissOnOtherPathAndMethod(t *testing.T) {
	dir, _ := missCassette(t)
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	_, _, err = do(t, s.RoundTripper(), call{method: "GET", url: nonRoutable + "/api/v2/products?x=1"})
	var miss *MissError
	if !errors.As(err, &miss) || len(miss.Differences) != 1 || miss.Differences[0].Field != "query" || miss.NearestIndex != 1 {
		t.Fatalf("err = %v, want a query-only difference against interactions[1]", err)
	}
	if !strings.Contains(err.Error(), "recorded (none)") {
		t.Errorf("an absent query must read (none):\n%v", err)
	}
}

func TestMissInEmptyCassette(t *testing.T) {
	dir := t.TempDir()
	writeCassette(t, dir, testID, Meta{})
	s, err := replayLib(t, dir, keyRedactor(standInKey, standInKey2)).Session(testID)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Finish(false) }()
	_, _, err = do(t, s.RoundTripper(), call{url: nonRoutable + "/api/v2/bills"})
	var miss *MissError
	if !errors.As(err, &miss) || miss.Nearest != nil || !strings.Contains(err.Error(), "records no request at all") {
		t.Errorf("err = %v, want a miss saying the cassette is empty", err)
	}
}
