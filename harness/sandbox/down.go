package sandbox

import (
	"net/http"
	"sync/atomic"
)

// faultDownAfter is how many requests fault down-mid-run serves before
// the sandbox stops listening, when Options.DownAfter does not say: about
// two fifths of a full run, enough for the largest specs (ERR-008's burst
// of 40, the auth checks' variants on every endpoint) to be judged before
// the outage whatever the order, and the rest meet a closed port.
const faultDownAfter = 150

// downState is the sandbox's stop mid-run (Options.DownAfter, fault
// down-mid-run): a count of the requests it took on both listeners, and
// whether it has gone down.
type downState struct {
	requests atomic.Int64
	down     atomic.Bool
}

// downAfter wraps a listener's handler: the limit-th request is answered,
// and then both listeners close with every open connection, as a target
// stopped mid-run does; from then on connections are refused, and a
// request already on its way is cut off unanswered. A limit of 0 never
// goes down.
func (s *Server) downAfter(h http.Handler, limit int) http.Handler {
	if limit <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := s.stop.requests.Add(1)
		if n > int64(limit) {
			panic(http.ErrAbortHandler) // no answer: the connection is cut
		}
		h.ServeHTTP(w, r)
		if n == int64(limit) {
			// The answer goes out before the connections close.
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			s.goDown(limit)
		}
	})
}

// goDown closes both listeners and their connections, once, before it
// returns: the request that took the sandbox down is answered by then,
// and the next connection is refused.
func (s *Server) goDown(limit int) {
	if !s.stop.down.CompareAndSwap(false, true) {
		return
	}
	s.logf("sandbox down after %d requests (Options.DownAfter / fault %s): both listeners closed, connections are refused from now on\n", limit, faultDownMidRun)
	_ = s.httpsSrv.Close() // nothing to report: the sandbox is meant to be gone
	_ = s.httpSrv.Close()
}
