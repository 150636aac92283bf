// Admission: who may call (the Authorization header) and how often (a
// token bucket per key). Both run before any route sees the request.

package sandbox

import (
	"encoding/base64"
	"math"
	"net/http"
	"strings"
	"sync"
	"time"
)

// 401 texts. Short, plain text like the API introduction's example; they
// say what is wrong and how to fix it, and never quote what was sent: the
// header may hold a real key.
const (
	msgMissing         = "Unauthorized: missing Authorization header"
	msgV1Query         = "Unauthorized: api_key and app_name query parameters are not accepted by API v2"
	msgScheme          = "Unauthorized: unsupported authorization scheme"
	msgMalformed       = "Unauthorized: malformed token: expected Token <app name>@<api key>"
	msgInvalidKey      = "Unauthorized: invalid token value"
	msgInvalidApp      = "Unauthorized: invalid app name for this key"
	msgInvalidBearer   = "Unauthorized: invalid bearer token value"
	msgDuplicate       = "Unauthorized: more than one Authorization header"
	msgMalformedBearer = "Unauthorized: malformed token: expected Bearer <api key>"
)

// authenticate finds the tenant a request speaks for, or returns nil and
// the 401 text. plain is true on the plain-HTTP listener (fault
// http-serves-data), which serves tenant 1 without credentials.
func (s *Server) authenticate(r *http.Request, plain bool) (*tenant, string) {
	t, why := s.credentials(r)
	if t != nil && (s.faults.on(faultRejectValidToken) || s.faults.on(faultRejectValidTokenOnLists) && strings.HasPrefix(r.URL.Path, "/api/v2/list/")) {
		return nil, msgInvalidKey
	}
	if t == nil && (plain || s.faults.on(faultAuthBypass)) {
		return s.tenants[0], ""
	}
	return t, why
}

// credentials reads the Authorization header (or, with fault
// accept-v1-query, the v1 query parameters).
func (s *Server) credentials(r *http.Request) (*tenant, string) {
	values := r.Header.Values("Authorization")
	if len(values) == 0 {
		q := r.URL.Query()
		if !q.Has("api_key") && !q.Has("app_name") {
			return nil, msgMissing + s.hint()
		}
		if s.faults.on(faultAcceptV1Query) || s.faults.on(faultAcceptV1QueryOnLists) && strings.HasPrefix(r.URL.Path, "/api/v2/list/") {
			if t := s.byKey(q.Get("api_key")); t != nil && q.Get("app_name") == s.opts.App {
				return t, ""
			}
		}
		return nil, msgV1Query + s.hint()
	}
	if len(values) > 1 {
		return nil, msgDuplicate
	}
	scheme, cred, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
	cred = strings.TrimSpace(cred)
	// Fault lax-auth-on-lists checks the header strictly on /bills and
	// the other non-list routes only.
	lax := s.faults.on(faultLaxAuthOnLists) && strings.HasPrefix(r.URL.Path, "/api/v2/list/")
	other := s.faults.on(faultAcceptOtherScheme) || lax
	switch strings.ToLower(scheme) {
	case SchemeToken:
		if s.opts.AuthScheme == SchemeToken {
			return s.token(cred, lax)
		}
		if other {
			_, key, _ := strings.Cut(cred, "@")
			return s.found(s.byKey(key), msgInvalidKey)
		}
	case SchemeBearer:
		if s.opts.AuthScheme == SchemeBearer {
			if cred == "" || strings.ContainsAny(cred, " @") {
				return nil, msgMalformedBearer
			}
			return s.found(s.byKey(cred), msgInvalidBearer)
		}
		if other {
			return s.found(s.byKey(cred), msgInvalidKey)
		}
	case "basic":
		if other {
			raw, err := base64.StdEncoding.DecodeString(cred)
			_, key, _ := strings.Cut(string(raw), ":")
			if err == nil {
				return s.found(s.byKey(key), msgInvalidKey)
			}
		}
	}
	return nil, msgScheme + s.hint()
}

// token checks "Token <app>@<key>": both parts present, the key owned by a
// tenant, the app name the integration's. lax (fault lax-auth-on-lists)
// lets a malformed header and any app name through, as the faults
// accept-malformed-token and accept-wrong-app do everywhere.
func (s *Server) token(cred string, lax bool) (*tenant, string) {
	app, key, hasAt := strings.Cut(cred, "@")
	if !hasAt || app == "" || key == "" {
		if t := s.malformedMatch(cred, lax); t != nil && (key != "" || !hasAt) {
			return t, ""
		}
		return nil, msgMalformed
	}
	t := s.byKey(key)
	if t == nil {
		return nil, msgInvalidKey
	}
	if app != s.opts.App && !s.faults.on(faultAcceptWrongApp) && !lax {
		return nil, msgInvalidApp
	}
	return t, ""
}

// malformedMatch is fault accept-malformed-token: a credential without "@"
// or with an empty app name passes when a tenant's key appears in it. An
// empty key still fails: there is nothing to match.
func (s *Server) malformedMatch(cred string, lax bool) *tenant {
	if !s.faults.on(faultAcceptMalformedToken) && !lax {
		return nil
	}
	for _, t := range s.tenants {
		if strings.Contains(cred, t.key) {
			return t
		}
	}
	return nil
}

// hint tells which header form this sandbox expects.
func (s *Server) hint() string {
	if s.opts.AuthScheme == SchemeBearer {
		return ": send Authorization: Bearer <api key>"
	}
	return ": send Authorization: Token <app name>@<api key>"
}

func (s *Server) found(t *tenant, why string) (*tenant, string) {
	if t == nil {
		return nil, why
	}
	return t, ""
}

// byKey returns the tenant owning key, or nil.
func (s *Server) byKey(key string) *tenant {
	for _, t := range s.tenants {
		if key != "" && (t.key == key || s.faults.on(faultKeyPrefixMatch) && len(key) >= 20 && key[:20] == t.key[:20]) {
			return t
		}
	}
	return nil
}

// limiter is a token bucket per API key: rate tokens a second, a burst of
// one second's worth (at least 1). A nil limiter allows everything. It
// uses the wall clock: a rate is about real time, not the data's clock.
type limiter struct {
	rate, burst float64
	now         func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// newLimiter returns nil when rate is 0 (no cap).
func newLimiter(rate float64) *limiter {
	if rate <= 0 {
		return nil
	}
	return &limiter{rate: rate, burst: math.Max(1, rate), now: time.Now, buckets: map[string]*bucket{}}
}

// allow takes a token for key. When none is left it reports false and the
// whole seconds after which one will be (at least 1), for Retry-After.
func (l *limiter) allow(key string) (bool, int) {
	if l == nil {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := (1 - b.tokens) / l.rate
	return false, int(math.Max(1, math.Ceil(wait)))
}
