package sandbox

import (
	"net/http"
	"sync/atomic"
)

// faultDownAfter is how many requests fault down-mid-run serves before
// the sandbox stops listening, when Options.DownAfter does not say: about
// a fifth of a full run, so that the checks made before the outage are
// judged and the rest, the TLS probes among them, meet a closed port.
const faultDownAfter = 60

// downState is the sandbox's stop mid-run (Options.DownAfter, fault
// down-mid-run): a count of the requests it took on both listeners, and
// whether it has gone down.
type downState struct {
	requests atomic.Int64
	down     atomic.Bool
}

// downAfter wraps a listener's handler: once limit requests have been
// served, the next one is cut off unanswered and both listeners close
// with every open connection, as a target stopped mid-run does. From then
// on connections are refused. A limit of 0 never goes down.
func (s *Server) downAfter(h http.Handler, limit int) http.Handler {
	if limit <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.stop.requests.Add(1) > int64(limit) {
			s.goDown(limit)
			panic(http.ErrAbortHandler) // no answer: the connection is cut
		}
		h.ServeHTTP(w, r)
	})
}

// goDown closes both listeners and their connections, once. It runs
// apart from the handler that calls it, which is one of the connections
// being closed; Close waits for it.
func (s *Server) goDown(limit int) {
	if !s.stop.down.CompareAndSwap(false, true) {
		return
	}
	s.logf("sandbox down after %d requests (Options.DownAfter / fault %s): both listeners closed, connections are refused from now on\n", limit, faultDownMidRun)
	s.served.Add(1)
	go func() {
		defer s.served.Done()
		_ = s.httpsSrv.Close() // nothing to report: the sandbox is meant to be gone
		_ = s.httpSrv.Close()
	}()
}
