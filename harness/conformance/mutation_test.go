package conformance

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/client"
	"github.com/winston-conformance/winston-conformance/harness/config"
)

// countingTransport answers 200 to everything and counts what it was sent.
type countingTransport struct{ hits atomic.Int64 }

func (c *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	c.hits.Add(1)
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: http.NoBody, Request: req}, nil
}

// A check that posts to an endpoint that creates data, where mutations are
// off, sends nothing, whether or not it remembered to ask Exercised first.
func TestPostToAMutatingEndpointIsRefusedWhereMutationsAreOff(t *testing.T) {
	cfg, err := config.LoadFrom(config.MapLookup(map[string]string{
		config.EnvMode:           "replay",
		config.EnvAllowMutations: "false",
		config.EnvReportDir:      t.TempDir(),
		config.EnvCassetteDir:    t.TempDir(),
	}))
	if err != nil {
		t.Fatal(err)
	}
	rt := &countingTransport{}
	tt := &T{API: client.New(cfg, catalogue.Fixtures{}, rt)}
	order := catalogue.Endpoint{ID: "create-order", Path: "/api/v2/tables/order", Mutating: true}
	if resp := tt.Post(context.Background(), order, map[string]any{"number": 1}); !errors.Is(resp.Err, client.ErrMutationsOff) {
		t.Errorf("a POST to %s went out with mutations off (err %v)", order.ID, resp.Err)
	}
	if n := rt.hits.Load(); n != 0 {
		t.Errorf("%d request(s) that create data were sent", n)
	}
	bills := catalogue.Endpoint{ID: "bills", Path: "/api/v2/bills"}
	if resp := tt.Post(context.Background(), bills, map[string]any{}); resp.Err != nil || rt.hits.Load() != 1 {
		t.Errorf("a read must still be sent: err %v, %d sent", resp.Err, rt.hits.Load())
	}
}
