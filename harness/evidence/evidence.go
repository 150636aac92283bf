// Package evidence holds the record of one HTTP exchange between the suite
// and the target, as it appears in reports. Everything in it has already
// passed through the redactor: an Exchange never holds an API key.
package evidence

import "time"

// Prefixes of a Finding's Observed text when no answer came: written by the
// checks (conformance.Summary, the TLS probes of the transport checks) and
// read back by the report to classify a failure as an outage or a setup
// mistake rather than a contract violation. One definition keeps both sides
// in step.
const (
	// NoAnswerPrefix starts the account of a request that got no HTTP
	// answer; the transport error follows.
	NoAnswerPrefix = "no answer: "
	// HandshakeFailedPrefix starts the account of a TLS probe whose
	// handshake failed; the error follows.
	HandshakeFailedPrefix = "handshake failed: "
)

// Exchange is one request and its response (or transport error), redacted,
// with bodies cut to an excerpt. It is what a go-live reviewer reads to see
// what the suite sent and what the target answered.
type Exchange struct {
	// Method and URL of the request as sent (URL redacted).
	Method string `json:"method"`
	URL    string `json:"url"`
	// AuthShape names the kind of Authorization header that was sent
	// (none, valid, wrong-key, wrong-app, malformed, other-scheme,
	// second-tenant, v1-query); never the header itself.
	AuthShape string `json:"authShape"`
	// RequestHeaders and RequestBody are redacted; the body is cut to
	// an excerpt.
	RequestHeaders map[string]string `json:"requestHeaders,omitempty"`
	RequestBody    string            `json:"requestBody,omitempty"`
	// Status is the HTTP status code, 0 when no response arrived.
	Status          int               `json:"status"`
	ResponseHeaders map[string]string `json:"responseHeaders,omitempty"`
	// ResponseBody is a redacted excerpt of the response body.
	ResponseBody string `json:"responseBody,omitempty"`
	// ResponseBytes is the full length of the response body.
	ResponseBytes int `json:"responseBytes"`
	// Latency is the time from sending to the end of the body (zero on
	// replay, where no request reached the network).
	Latency time.Duration `json:"latencyNs"`
	// Error is the transport error, redacted, when no response arrived.
	Error string `json:"error,omitempty"`
	// Unavailable is true when the exchange tells nothing about the
	// contract: a dial failure, timeout, reset, or a 5xx answer to a
	// request that the contract says must succeed.
	Unavailable bool `json:"unavailable,omitempty"`
	// Retries counts the retries made after 429 or 5xx answers.
	Retries int `json:"retries,omitempty"`
	// Replayed is true when the answer came from a cassette.
	Replayed bool `json:"replayed,omitempty"`
	// ReplayMiss is true when replay found no recorded answer for the
	// request (or no usable cassette): a problem of the run's setup, not
	// of the target, and never an outage.
	ReplayMiss bool `json:"replayMiss,omitempty"`
	// Cassette names the cassette file that served or recorded it.
	Cassette string `json:"cassette,omitempty"`
	// Note says why the check sent it, when that is not the check's own
	// question (a control: does the path still serve?).
	Note string `json:"note,omitempty"`
	// Repeats counts the further exchanges, alike in what was sent and
	// the status that came back, that Condense folded into this one.
	Repeats int `json:"repeats,omitempty"`
	// RepeatLatencies are the latencies of the folded exchanges, kept
	// for the latency profile (empty on replay).
	RepeatLatencies []time.Duration `json:"repeatLatenciesNs,omitempty"`
}

// SandboxHeader is the header the local sandbox (harness/sandbox) puts on
// every answer: an exchange whose answer carries it is evidence about the
// sandbox, never about the Winston API.
const SandboxHeader = "X-Winston-Sandbox"

// SandboxCAName is the common name of the local sandbox's certificate
// authority: a certificate it issued marks the target as the sandbox even
// when no request was answered (the TLS checks record the issuer).
const SandboxCAName = "Winston local sandbox CA"

// ReportEntryName is the name of the Ginkgo report entry that carries a
// spec's exchanges ([]Exchange) to the report builder.
const ReportEntryName = "winston.exchanges"

// FindingEntryName is the name of the Ginkgo report entry that carries a
// spec's structured findings ([]Finding) to the report builder.
const FindingEntryName = "winston.findings"

// Finding is one observation a check made while judging a requirement,
// beyond pass or fail: the expected and observed status, schema errors,
// or a reported value such as a certificate's expiry.
type Finding struct {
	// Endpoint is the catalogue endpoint ID the finding is about, if any.
	Endpoint string `json:"endpoint,omitempty"`
	// Expected and Observed describe the outcome in words or status
	// codes, e.g. "405 with Allow: POST" and "200".
	Expected string `json:"expected,omitempty"`
	Observed string `json:"observed,omitempty"`
	// OK is false when this finding is a violation.
	OK bool `json:"ok"`
	// SchemaErrors lists schema validation errors as
	// "pointer: keyword: message".
	SchemaErrors []string `json:"schemaErrors,omitempty"`
	// Facts are reported values (tlsVersion, cipher, certIssuer,
	// certExpiry, hsts, ...).
	Facts map[string]string `json:"facts,omitempty"`
}
