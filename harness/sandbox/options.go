package sandbox

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"
	"unicode"
)

// Defaults of a sandbox started with zero Options. The keys are not
// secrets: they open a local server with made-up data, and the suite's
// documentation may show them.
const (
	// DefaultApp is the app name the sandbox accepts, the one the
	// Winston development environment uses.
	DefaultApp = "api_test"
	// DefaultKey is the API key of tenant 1.
	DefaultKey = "sandbox-tenant-1-key-0001"
	// DefaultKey2 is the API key of tenant 2.
	DefaultKey2 = "sandbox-tenant-2-key-0002"
	// DefaultAddr is where an in-process sandbox listens: a free loopback
	// port for each listener.
	DefaultAddr = "127.0.0.1:0"
)

// Auth schemes for Options.AuthScheme.
const (
	// SchemeToken accepts "Authorization: Token <app>@<key>" only, as the
	// API introduction and the QA docs describe it.
	SchemeToken = "token"
	// SchemeBearer accepts "Authorization: Bearer <key>" only, as the
	// production migration guide describes it.
	SchemeBearer = "bearer"
)

// Rules for an unpaid "noTable" order (Options.NoTableRule); the two
// Winston docs pages disagree, so the sandbox can play either.
const (
	// NoTableGuide answers 400: "a noTable order must be paid" (ordering
	// guide).
	NoTableGuide = "guide"
	// NoTableRoute places the order on a generated 6-character table
	// number and requires plan_id (create-order route page).
	NoTableRoute = "route"
)

// DefaultNow is the sandbox's fixed clock when Options.Now is zero. The
// seeded data and every timestamp in answers derive from it, so two
// recordings made from fresh sandboxes are byte-identical.
var DefaultNow = time.Date(2026, time.November, 21, 12, 0, 0, 0, time.UTC)

// Options configures a sandbox. The zero value is a working sandbox on
// free loopback ports with the default tenants and no faults.
type Options struct {
	// App is the accepted app name; default DefaultApp.
	App string
	// Key and Key2 are the API keys of tenant 1 and tenant 2; defaults
	// DefaultKey and DefaultKey2. They must differ.
	Key, Key2 string
	// AuthScheme is SchemeToken (default) or SchemeBearer; the two are
	// exclusive: a sandbox in bearer mode refuses Token headers.
	AuthScheme string
	// Faults names the faults to switch on (see Faults()).
	Faults []string
	// Now is the fixed clock of the data; default DefaultNow. TLS
	// certificates use the wall clock instead, so that clients accept them.
	Now time.Time
	// RateLimit caps requests per second per key; 0 switches it off.
	RateLimit float64
	// NoTableRule is NoTableGuide (default) or NoTableRoute.
	NoTableRule string
	// Latency is added to every API answer, for benchmarks of the client.
	Latency time.Duration
	// HTTPSAddr and HTTPAddr are the listen addresses; default
	// DefaultAddr. Port 0 picks a free port.
	HTTPSAddr, HTTPAddr string
	// CAOut is the file the CA certificate is written to as PEM; "" writes
	// none (in-process clients use CertPool). Its directory must exist.
	CAOut string
	// DownAfter makes the sandbox stop listening once it has answered
	// this many requests (both listeners together), as a target stopped
	// mid-run: every later connection is refused. 0 never goes down, unless fault down-mid-run is on
	// (then it goes down after 150 requests).
	DownAfter int
	// ThrottleAfter makes the sandbox answer 429 (with a Retry-After
	// longer than a client waits) to every request past this many (both
	// listeners together), as a target whose rate limit the run has
	// exhausted. 0 never throttles, unless fault throttle-mid-run is on
	// (then it throttles after 150 requests).
	ThrottleAfter int
	// Log receives one line per request ("POST /api/v2/bills 200"), after
	// redaction; nil logs nothing.
	Log io.Writer
}

// normalize fills defaults and checks every option, reporting all
// problems at once so that a command line is fixed in one go.
func (o Options) normalize() (Options, faultSet, error) {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if o.App == "" {
		o.App = DefaultApp
	}
	if o.Key == "" {
		o.Key = DefaultKey
	}
	if o.Key2 == "" {
		o.Key2 = DefaultKey2
	}
	if o.AuthScheme == "" {
		o.AuthScheme = SchemeToken
	}
	if o.NoTableRule == "" {
		o.NoTableRule = NoTableGuide
	}
	if o.Now.IsZero() {
		o.Now = DefaultNow
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	if o.HTTPSAddr == "" {
		o.HTTPSAddr = DefaultAddr
	}
	if o.HTTPAddr == "" {
		o.HTTPAddr = DefaultAddr
	}
	if !tokenSafe(o.App) || strings.Contains(o.App, "@") {
		bad("app name %q: use letters, digits, '_' or '-' (no spaces, no '@')", o.App)
	}
	// Keys are never quoted in errors: a real key may have been passed by
	// mistake.
	for _, k := range []struct{ name, val string }{{"key", o.Key}, {"key2", o.Key2}} {
		switch {
		case len(k.val) < 6:
			bad("%s is shorter than 6 characters: use a longer key", k.name)
		case !tokenSafe(k.val):
			bad("%s contains spaces or control characters: use printable characters only", k.name)
		}
	}
	if o.Key == o.Key2 {
		bad("key and key2 are equal: the two tenants need different keys")
	}
	if o.AuthScheme != SchemeToken && o.AuthScheme != SchemeBearer {
		bad("auth scheme %q: use %q or %q", o.AuthScheme, SchemeToken, SchemeBearer)
	}
	if o.NoTableRule != NoTableGuide && o.NoTableRule != NoTableRoute {
		bad("noTable rule %q: use %q or %q", o.NoTableRule, NoTableGuide, NoTableRoute)
	}
	if o.RateLimit < 0 || math.IsNaN(o.RateLimit) || math.IsInf(o.RateLimit, 0) {
		bad("rate limit %v: use a number of requests per second >= 0 (0 = off)", o.RateLimit)
	}
	if o.DownAfter < 0 {
		bad("down-after %d: use a number of requests >= 0 (0 = never go down)", o.DownAfter)
	}
	if o.ThrottleAfter < 0 {
		bad("throttle-after %d: use a number of requests >= 0 (0 = never throttle)", o.ThrottleAfter)
	}
	if o.Latency < 0 {
		bad("latency %v: use a duration >= 0", o.Latency)
	}
	faults, err := newFaultSet(o.Faults)
	if err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return o, nil, fmt.Errorf("sandbox options: %w", errors.Join(errs...))
	}
	if faults.on(faultDownMidRun) && o.DownAfter == 0 {
		o.DownAfter = faultDownAfter
	}
	if faults.on(faultThrottleMidRun) && o.ThrottleAfter == 0 {
		o.ThrottleAfter = faultThrottleAfter
	}
	return o, faults, nil
}

// tokenSafe reports whether s can travel inside an Authorization header
// without quoting: printable, no spaces.
func tokenSafe(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r > unicode.MaxASCII || !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return false
		}
	}
	return true
}
