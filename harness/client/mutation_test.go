package client

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

// The checks leave PUT, PATCH and DELETE out where mutations are not
// allowed; the client is the last place that can make sure of it, so a
// check that forgets cannot change a production target's data.
func TestMethodsThatChangeDataAreRefusedWhereMutationsAreOff(t *testing.T) {
	tg := newTLSTarget(t, ok)
	off := liveClient(t, tg.Server, map[string]string{config.EnvAllowMutations: "false"})
	for _, m := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
		resp := off.Post(context.Background(), "/api/v2/bills", map[string]any{}, WithMethod(m))
		if !errors.Is(resp.Err, ErrMutationsOff) {
			t.Errorf("%s went out with mutations off (err %v)", m, resp.Err)
		}
	}
	if n := tg.hits.Load(); n != 0 {
		t.Errorf("%d requests that change data reached the target", n)
	}
	for _, m := range []string{http.MethodPost, http.MethodGet} {
		if resp := off.Post(context.Background(), "/api/v2/bills", map[string]any{}, WithMethod(m)); resp.Err != nil {
			t.Errorf("%s must still be sent: %v", m, resp.Err)
		}
	}
	// The order route is a mutation whatever the caller said, and however
	// it is written.
	for _, p := range []string{"/api/v2/tables/order", "/api/v2/tables/order/", "/api/v2/Tables/%6Frder"} {
		before := tg.hits.Load()
		if resp := off.Post(context.Background(), p, map[string]any{"number": "1"}); !errors.Is(resp.Err, ErrMutationsOff) || tg.hits.Load() != before {
			t.Errorf("an unmarked POST to %s went out with mutations off (err %v)", p, resp.Err)
		}
	}
	on := liveClient(t, tg.Server, map[string]string{config.EnvAllowMutations: "true"})
	if resp := on.Post(context.Background(), "/api/v2/bills", map[string]any{}, WithMethod(http.MethodDelete)); resp.Err != nil {
		t.Errorf("DELETE with mutations allowed: %v", resp.Err)
	}
}

// A POST that creates data (an order) is marked with WithMutation by its
// caller; the client then refuses it where mutations are off, as it does
// PUT, PATCH and DELETE.
func TestARequestMarkedAsAMutationIsRefusedWhereMutationsAreOff(t *testing.T) {
	tg := newTLSTarget(t, ok)
	off := liveClient(t, tg.Server, map[string]string{config.EnvAllowMutations: "false"})
	resp := off.Post(context.Background(), "/api/v2/tables/order", map[string]any{"number": "1"}, WithMutation())
	if !errors.Is(resp.Err, ErrMutationsOff) || tg.hits.Load() != 0 {
		t.Errorf("a marked POST went out with mutations off (err %v, %d hits)", resp.Err, tg.hits.Load())
	}
	on := liveClient(t, tg.Server, map[string]string{config.EnvAllowMutations: "true"})
	if resp := on.Post(context.Background(), "/api/v2/tables/order", map[string]any{"number": "1"}, WithMutation()); resp.Err != nil {
		t.Errorf("a marked POST with mutations allowed: %v", resp.Err)
	}
}
