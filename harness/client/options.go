package client

import (
	"net/url"
)

// Option changes one request (passed to Post) or every request of a client
// (passed to New).
type Option func(*settings)

// settings are the options of one request, after defaults.
type settings struct {
	method      string
	auth        Auth
	contentType *string
	rawBody     []byte
	hasRawBody  bool
	query       url.Values
	plainHTTP   bool
	noRetry     bool
	noRateLimit bool
	label       string
	replayed    bool
	cassette    string
	mutation    bool
	note        string
	noBreaker   bool
	pastBreaker bool
	ifRecorded  bool
}

// WithMethod sends the request with method m instead of POST (the structure
// checks send GET, PUT, ... to see them refused).
func WithMethod(m string) Option { return func(s *settings) { s.method = m } }

// WithMutation marks the request as one that changes data (a POST that
// creates an order: catalogue.Endpoint.Mutating). The client refuses it
// unsent, with ErrMutationsOff, unless mutations are allowed, whatever
// its method.
func WithMutation() Option { return func(s *settings) { s.mutation = true } }

// WithAuth sends credential variant a instead of AuthValid.
func WithAuth(a Auth) Option { return func(s *settings) { s.auth = a } }

// WithContentType sets the Content-Type header; "" sends none. Without this
// option a request with a body says application/json.
func WithContentType(ct string) Option { return func(s *settings) { s.contentType = &ct } }

// WithRawBody sends b as is instead of the JSON encoding of Post's body
// argument (malformed JSON, a text body).
func WithRawBody(b []byte) Option {
	return func(s *settings) { s.rawBody, s.hasRawBody = append([]byte(nil), b...), true }
}

// WithQuery adds query parameters to the URL.
func WithQuery(q url.Values) Option {
	return func(s *settings) {
		if s.query == nil {
			s.query = url.Values{}
		}
		for k, vs := range q {
			s.query[k] = append(s.query[k], vs...)
		}
	}
}

// WithPlainHTTP sends the request to the configured plain-http origin
// (WINSTON_HTTP_URL), for the redirect checks. Only AuthNone may go there:
// with any other credential the Response carries ErrCredentialsOverHTTP and
// nothing is sent.
func WithPlainHTTP() Option { return func(s *settings) { s.plainHTTP = true } }

// WithoutRetry sends the request once: a 429 or 5xx is returned as is (the
// Retry-After check must see the 429).
func WithoutRetry() Option { return func(s *settings) { s.noRetry = true } }

// WithoutRateLimit lets the request bypass the requests-per-second cap (the
// rate-limit check sends a burst on purpose).
func WithoutRateLimit() Option { return func(s *settings) { s.noRateLimit = true } }

// WithLabel names what the request is about (an endpoint ID) in the
// Response and its Describe text.
func WithLabel(endpointID string) Option { return func(s *settings) { s.label = endpointID } }

// WithReplay marks every exchange as answered from cassetteFile: the
// Exchange gets Replayed and Cassette, and a zero Latency so that reports
// of replayed runs are identical. Pass it to New in replay mode.
func WithReplay(cassetteFile string) Option {
	return func(s *settings) { s.replayed, s.cassette = true, cassetteFile }
}

// WithCassette names the cassette that records the exchanges (record mode)
// without marking them replayed.
func WithCassette(cassetteFile string) Option { return func(s *settings) { s.cassette = cassetteFile } }

// WithNote records why the request is sent, on its exchange, when that is
// not the check's own question (a control).
func WithNote(note string) Option { return func(s *settings) { s.note = note } }

// WithoutBreakerCount keeps the request's outcome out of the circuit
// breaker's count: a request sent again because it failed (to see whether
// it fails the same way) says nothing new of an outage, and must not stop
// the run's other requests.
func WithoutBreakerCount() Option { return func(s *settings) { s.noBreaker = true } }

// WithIfRecorded makes a request that replay finds no recording for leave
// no trace: its Response says so (Exchange.ReplayMiss), but the exchange is
// not kept as the check's evidence, where a miss would make the check a
// configuration error. It is for a control a recording may or may not
// hold; in other modes it changes nothing.
func WithIfRecorded() Option { return func(s *settings) { s.ifRecorded = true } }

// WithoutBreaker sends the request whatever the circuit breaker says, and
// keeps its outcome out of the count: the breaker's own outage control,
// which must reach the target to tell whether it is down.
func WithoutBreaker() Option {
	return func(s *settings) { s.noBreaker, s.pastBreaker = true, true }
}
