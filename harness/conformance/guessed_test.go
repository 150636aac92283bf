package conformance

import (
	"net/http"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/evidence"
)

// A 404 is a guessed path only for a POST (a GET may get 404 for its
// method) to an inferred or unknown path that has not answered otherwise.
func TestA404IsAGuessedPathOnlyWhereNothingElseAnswered(t *testing.T) {
	cat := &catalogue.Catalogue{Endpoints: []catalogue.Endpoint{
		{ID: "products", Path: "/api/v2/list/products", Source: catalogue.SourceInferred},
		{ID: "tables", Path: "/api/v2/tables", Source: catalogue.SourceDocs},
	}}
	notFound := func(method, path string, found bool) *client.Response {
		return &client.Response{Status: http.StatusNotFound, Header: http.Header{}, PathFound: found,
			Exchange: evidence.Exchange{Method: method, URL: "https://t.example" + path}}
	}
	for _, tc := range []struct {
		name    string
		resp    *client.Response
		guessed bool
	}{
		{"POST to the inferred path", notFound(http.MethodPost, "/api/v2/list/products", false), true},
		{"GET to the inferred path", notFound(http.MethodGet, "/api/v2/list/products", false), false},
		{"POST to the inferred path that answered before", notFound(http.MethodPost, "/api/v2/list/products", true), false},
		{"POST to a documented path", notFound(http.MethodPost, "/api/v2/tables", false), false},
	} {
		ct := &T{Req: &catalogue.Requirement{ID: "STRUCT-001"}, Cat: cat}
		ct.Observe("x", false, "200", tc.resp)
		f := ct.Findings()[0]
		if got := f.Facts[GuessedPathFact] != ""; got != tc.guessed || f.OK {
			t.Errorf("%s: guessed %v (ok %v), want guessed %v and a failing finding", tc.name, got, f.OK, tc.guessed)
		}
	}
}
