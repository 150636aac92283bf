package sandbox

import (
	"net/http"
	"strconv"
)

// faultThrottleAfter is how many requests fault throttle-mid-run serves
// before it answers 429 to everything, when Options.ThrottleAfter does not
// say: as for down-mid-run, about a fifth of a full run, so that the checks
// made before are judged.
const faultThrottleAfter = 150

// throttleRetryAfter is the Retry-After of a throttled answer, in seconds:
// longer than the client waits (WINSTON_MAX_WAIT), so the client gives up
// at once instead of sleeping through the run, as it would against a
// target whose quota is spent for the hour.
const throttleRetryAfter = 3600

// throttleAfter wraps a listener's handler: past limit requests (both
// listeners together) every request gets 429 with a Retry-After, as a
// target whose rate limit or quota the run has exhausted. A limit of 0
// never throttles.
func (s *Server) throttleAfter(h http.Handler, limit int, https bool) http.Handler {
	if limit <= 0 {
		return h
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.throttled.Add(1) <= int64(limit) {
			h.ServeHTTP(w, r)
			return
		}
		s.baseHeaders(w, https)
		w.Header().Set("Retry-After", strconv.Itoa(throttleRetryAfter))
		s.writeError(w, &apiError{status: http.StatusTooManyRequests,
			message: "too many requests: the quota is spent (Options.ThrottleAfter / fault " + faultThrottleMidRun + "); wait for Retry-After seconds"})
	})
}
