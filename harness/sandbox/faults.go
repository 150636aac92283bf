package sandbox

import (
	"fmt"
	"sort"
	"strings"
)

// Fault is one named switch that makes the sandbox break exactly one
// documented behaviour, so that the suite can prove each of its checks is
// able to fail. Start a sandbox with Options.Faults (or --fault NAME) and the
// requirements listed in Breaks must fail.
type Fault struct {
	// Name is what Options.Faults and --fault take, e.g. "redirect-301".
	Name string `json:"name"`
	// Summary says in one sentence what the sandbox does wrong.
	Summary string `json:"summary"`
	// Family is the check family the fault belongs to (auth, structure,
	// transport, errors, schemas, behaviour, availability).
	Family string `json:"family"`
	// Breaks lists the requirement IDs of the catalogue that must fail
	// with the fault on. Empty for availability faults.
	Breaks []string `json:"breaks"`
	// Expect is "fail" when the suite must report contract violations,
	// "not-judged" when it must say the data is too thin to judge, or
	// "unavailable" when it must classify the run as environment
	// unavailable (outage, hang, reset).
	Expect string `json:"expect"`
	// MidRun is true for an outage that starts part-way through the run:
	// the checks made before it must still be judged (some pass), and
	// none of those after it may count as a contract violation.
	MidRun bool `json:"midRun,omitempty"`
}

// Expected outcomes of a run against a faulty sandbox.
const (
	ExpectFail        = "fail"
	ExpectUnavailable = "unavailable"
	// ExpectPass is the outcome of a correct variant: the suite must
	// pass, as on the faithful sandbox.
	ExpectPass = "pass"
	// ExpectNotJudged is the outcome of data too thin to judge: each
	// requirement in Breaks must fail as not judged (a configuration error
	// that names the data to change), never pass and never count as a
	// contract violation, since a real environment with little data
	// answers the same way.
	ExpectNotJudged = "not-judged"
	// ExpectSetup is the outcome of a target the suite must take for a
	// setup error: one that is right where the catalogue's guess is wrong
	// (a path the contract leaves unknown), or one that no run can tell
	// from a wrong setting (every valid key refused, as a rotated key
	// is): each requirement in Breaks must fail as a configuration error
	// that names what to check, never as a contract violation, and the
	// verdict is config-error.
	ExpectSetup = "setup"
)

// FamilyCorrect is the family of correct variants: switches that make the
// sandbox answer differently from its default but still within the
// contract, as a real Winston may (422 for 400, a capped limit). They
// break nothing; a check that fails on one demands more than the contract.
const FamilyCorrect = "correct"

// FamilyAvailability is the family of faults that make the target
// unreachable rather than wrong; the catalogue has no requirement for it.
const FamilyAvailability = "availability"

// Fault names, one constant per switch, so the server's code and tests
// refer to them without typos.
const (
	faultRejectValidToken        = "reject-valid-token"
	faultRejectValidTokenOnLists = "reject-valid-token-on-lists"
	faultAuthBypass              = "auth-bypass"
	faultAcceptMalformedToken    = "accept-malformed-token"
	faultAcceptOtherScheme       = "accept-other-scheme"
	faultAcceptWrongApp          = "accept-wrong-app"
	faultLaxAuthOnLists          = "lax-auth-on-lists"
	faultAcceptV1Query           = "accept-v1-query"
	faultEchoKeyIn401            = "echo-key-in-401"
	faultEchoKeyIn401OnLists     = "echo-key-in-401-on-lists"
	faultEchoKeyEscapedIn401     = "echo-key-escaped-in-401"
	faultEchoKeyUpperIn401       = "echo-key-upper-in-401"
	faultEmpty401Body            = "empty-401-body"
	faultTenantLeak              = "tenant-leak"
	faultAcceptAnyMethod         = "accept-any-method"
	faultMethod404               = "method-404"
	faultIgnoreContentType       = "ignore-content-type"
	faultTextContentType         = "text-content-type"
	faultTruncatedJSON           = "truncated-json"
	faultV1Wrapper               = "v1-wrapper"
	faultHTTPServesData          = "http-serves-data"
	faultHTTPServesLists         = "http-serves-lists"
	faultRedirectLeaksData       = "http-redirect-leaks-data"
	faultRedirectWrongPath       = "redirect-wrong-path"
	faultRedirect301             = "redirect-301"
	faultTLSAllowOld             = "tls-allow-old"
	faultTLSExpiredCert          = "tls-expired-cert"
	faultNoHSTS                  = "no-hsts"
	faultMalformedJSON500        = "malformed-json-500"
	faultMalformedJSON502        = "malformed-json-502"
	faultLenientTypes            = "lenient-types"
	faultNoLimitCap              = "no-limit-cap"
	faultLimitOverCapServed      = "limit-over-cap-served"
	faultUnknownRoute200         = "unknown-route-200"
	faultUnknownPlan200          = "unknown-plan-200"
	faultEmptyErrorBody          = "empty-error-body"
	faultEmptyValidationBody     = "empty-validation-error-body"
	faultIgnoreUnknownSort       = "ignore-unknown-sort"
	fault429NoRetryAfter         = "429-no-retry-after"
	faultDropRequiredField       = "drop-required-field"
	faultNumberAsString          = "number-as-string"
	faultIgnoreLimit             = "ignore-limit"
	faultDefaultLimit50          = "default-limit-50"
	faultIgnoreSkip              = "ignore-skip"
	faultIgnoreSort              = "ignore-sort"
	faultBillsNoFilter           = "bills-no-filter-required"
	faultBillsNoWindow           = "bills-no-window"
	faultBillsIgnoreDay          = "bills-ignore-businessday"
	faultBillsIgnoreSince        = "bills-ignore-modifiedsince"
	faultOrder500                = "order-500"
	faultNoTableRejectPaid       = "notable-reject-paid"
	faultNoTableNoNumber         = "notable-unpaid-no-number"
	faultOrderNoValidation       = "order-no-validation"
	faultOutage                  = "outage"
	faultOneEndpointDown         = "revenue-groups-down"
	faultProductsElsewhere       = "products-elsewhere"
	faultBillsNoFilterFields     = "bills-no-filter-fields"
	faultOrderNumberElsewhere    = "order-number-elsewhere"
	faultHang                    = "hang"
	faultReset                   = "reset"
	faultDownMidRun              = "down-mid-run"
	faultThrottleMidRun          = "throttle-mid-run"
)

// Faults that prove a check cannot pass on too little evidence, and the
// branches of checks that no other fault reached.
const (
	faultEmptyLists           = "empty-lists"
	faultFractionalLimit      = "fractional-limit"
	faultClientErrorsAs200    = "client-errors-as-200"
	faultDefaultLimit200      = "default-limit-200"
	faultNonBillItemsNoID     = "non-bill-items-no-id"
	faultNumericBillIDs       = "numeric-bill-ids"
	faultBillsNoCreatedAt     = "bills-no-createdat"
	faultOpaqueErrorBody      = "opaque-error-body"
	faultSortErrorEchoes      = "sort-error-echoes-request"
	faultEchoKeyInHeader      = "echo-key-in-401-header"
	faultNoTableFixedNumber   = "notable-unpaid-fixed-number"
	faultBillsLatestDay       = "bills-businessday-latest"
	faultLargeOctetStream     = "large-answer-octet-stream"
	faultUnlimitedEmptyText   = "unlimited-bills-empty-text"
	faultRedirectToHTTP       = "redirect-to-http"
	faultRedirectOtherHost    = "redirect-other-host"
	faultTLSWrongHost         = "tls-wrong-host-cert"
	faultTLSNamesOnly         = "tls-cert-names-only"
	faultHSTSOnlyOn200        = "hsts-only-on-200"
	faultOpenBillsNullTotal   = "open-bills-null-total"
	faultTenantLeakList       = "tenant-leak-list-bills"
	faultFormAsJSON           = "form-content-type-accepted"
	faultHTTPNotModified      = "http-304-with-location"
	faultSortWithinPage       = "sort-within-page"
	faultAcceptV1QueryOnLists = "accept-v1-query-on-lists"
	faultUnknownPlanNewTable  = "unknown-plan-new-table"
	faultBillsFixedSince      = "bills-modifiedsince-fixed-window"
	faultBillsOtherDaysEmpty  = "bills-businessday-others-empty"
	faultBillsLaterSinceEmpty = "bills-later-modifiedsince-empty"
	faultBillsSinceEmpty      = "bills-modifiedsince-empty"
	faultBillsLatestDayEmpty  = "bills-businessday-latest-empty"
	faultFewBillsDefault50    = "few-bills-default-limit-50"
	faultBillsNoonBusinessDay = "bills-businessday-noon"
)

// Correct variants (FamilyCorrect): the suite must pass with them on.
const (
	variantStatus422           = "correct-422-refusals"
	variantCappedLimit         = "correct-capped-limit"
	variantUnknownPlan400      = "correct-unknown-plan-400"
	variantUnstableTies        = "correct-unstable-ties"
	variantProxyRedirectBody   = "correct-proxy-redirect-body"
	variantMixedTimeOffsets    = "correct-mixed-time-offsets"
	variantNumericNoTable      = "correct-numeric-notable-number"
	variantMidnightBusinessDay = "correct-businessday-midnight"
	variantBareOrderAnswer     = "correct-bare-order-answer"
	variantVATRateAsText       = "correct-vat-rate-as-text"
	// The two ways a server refuses TLS 1.0/1.1 with handshake_failure
	// rather than protocol_version.
	variantTLSOldHandshakeFailure = "correct-tls-old-handshake-failure"
	variantTLSAEADOnly            = "correct-tls-aead-only"
	// The query of a request this API reads from its body.
	variantRedirectDropsQuery = "correct-redirect-drops-query"
	// Refusals a web framework writes its own way.
	variant422ContentType     = "correct-422-content-type"
	variantErrorsKeyedByField = "correct-errors-keyed-by-field"
	// A field name the guide never gives.
	variantVATCategoryID = "correct-vat-categoryid"
	// A bound the docs leave open.
	variantSinceExclusive = "correct-exclusive-modifiedsince"
	// A refusal that explains nothing, from a layer other checks never read.
	faultEmpty415Body = "empty-415-body"
	// A key checked by its prefix only.
	faultKeyPrefixMatch = "key-prefix-match"
	// Tenant scoping missing from one query path.
	faultTenantLeakByDay = "tenant-leak-businessday"
	// A gateway with no upstream for paths it does not know.
	faultUnknownRoute503 = "unknown-route-503"
	// No plain-HTTP listener at all.
	faultHTTPPortClosed = "http-port-closed"
	// A redirect to a port of the host where nothing listens.
	faultRedirectWrongPort = "redirect-wrong-port"
	// A filter on the wrong field, whose answers all meet the rule.
	faultSinceOnCreatedAt = "bills-modifiedsince-on-createdat"
	// A page cut short of the limit asked.
	faultLimitCap100 = "limit-capped-at-100"
)

// faultRateLimit is the requests-per-second cap that 429-no-retry-after
// switches on when no lower cap was configured, so the 429 is reachable.
const faultRateLimit = 5

// notJudged makes f a fault whose requirements cannot be judged (thin
// data) rather than seen broken.
func notJudged(f Fault) Fault {
	f.Expect = ExpectNotJudged
	return f
}

// catalogueGuess marks a fault that proves the catalogue's guesses, not
// the target, are blamed when they are wrong (ExpectSetup).
func catalogueGuess(f Fault) Fault {
	f.Expect = ExpectSetup
	return f
}

// settingBlamed marks a fault that the run's own settings explain better
// than the target does (ExpectSetup): the selfcheck names every port of
// the sandbox itself, so what a wrong port would do is what it sees.
func settingBlamed(f Fault) Fault {
	f.Expect = ExpectSetup
	return f
}

// newFault derives Expect from the family: availability faults make a run
// unavailable, every other fault makes checks fail.
func newFault(name, family, summary string, breaks ...string) Fault {
	expect := ExpectFail
	switch family {
	case FamilyAvailability:
		expect = ExpectUnavailable
	case FamilyCorrect:
		expect = ExpectPass
	}
	if breaks == nil {
		breaks = []string{}
	}
	return Fault{Name: name, Summary: summary, Family: family, Breaks: breaks, Expect: expect}
}

// midRun marks an availability fault whose outage starts mid-run.
func midRun(f Fault) Fault {
	f.MidRun = true
	return f
}

// registry is the one list of faults; Faults returns it sorted.
var registry = []Fault{
	catalogueGuess(newFault(faultRejectValidToken, "auth", "valid credentials get 401 everywhere: the suite cannot tell it from a wrong or rotated key, "+
		"so the checks that got only those 401s must fail as configuration errors naming the key, never as violations", "AUTH-001")),
	newFault(faultRejectValidTokenOnLists, "auth", "valid credentials get 401 under /api/v2/list/ only (the key works elsewhere)", "AUTH-001"),
	newFault(faultAuthBypass, "auth", "requests with no or invalid credentials are served as tenant 1",
		"AUTH-002", "AUTH-003", "AUTH-004", "AUTH-005", "AUTH-006", "AUTH-007"),
	newFault(faultAcceptMalformedToken, "auth", `a Token header without "@" or with an empty app name is accepted when a key appears in it`, "AUTH-003"),
	newFault(faultAcceptOtherScheme, "auth", `the key is also accepted as "Bearer <key>" and "Basic base64(app:key)"`, "AUTH-004"),
	newFault(faultAcceptWrongApp, "auth", "any app name is accepted with a valid key", "AUTH-005"),
	newFault(faultLaxAuthOnLists, "auth", `under /api/v2/list/ only, a malformed Token header holding the key, the key under another scheme and any app name are accepted (/bills stays strict)`,
		"AUTH-003", "AUTH-004", "AUTH-005"),
	newFault(faultAcceptV1Query, "auth", "v1 api_key and app_name query parameters are accepted without a header", "AUTH-007"),
	newFault(faultAcceptV1QueryOnLists, "auth", "v1 api_key and app_name query parameters are accepted on the /api/v2/list/ routes (not on /api/v2/bills)", "AUTH-007"),
	newFault(faultEchoKeyIn401, "auth", "the 401 body quotes the Authorization header it got", "AUTH-008"),
	newFault(faultEchoKeyIn401OnLists, "auth", "under /api/v2/list/ only, the 401 body quotes the Authorization header it got (/bills stays clean)", "AUTH-008"),
	newFault(faultEchoKeyUpperIn401, "auth", `the 401 body shouts the Authorization header it got, upper-cased ("INVALID TOKEN: TOKEN API_TEST@SANDBOX-TENANT-1-KEY-0001X")`, "AUTH-008"),
	newFault(faultEchoKeyEscapedIn401, "auth", `the 401 body is JSON quoting the Authorization header it got with each sign as an upper-case \u escape ("-" as \u002D), as some JSON writers do`, "AUTH-008"),
	newFault(faultEchoKeyInHeader, "auth", "the 401 body is fine, but its WWW-Authenticate header quotes the Authorization header it got", "AUTH-008"),
	newFault(faultEmpty401Body, "auth", "401 answers have an empty body", "AUTH-008", "ERR-006"),
	newFault(faultTenantLeak, "auth", "the second tenant's key lists the first tenant's bills", "AUTH-009"),
	newFault(faultTenantLeakList, "auth", "the second tenant's key lists the first tenant's bills on /list/bills (/bills stays isolated)", "AUTH-009"),
	newFault(faultAcceptAnyMethod, "structure", "every method is served like POST (a GET without body as {})", "STRUCT-002", "STRUCT-003"),
	newFault(faultMethod404, "structure", "other methods get 404 instead of 405", "STRUCT-003"),
	newFault(faultIgnoreContentType, "structure", "any Content-Type is parsed as JSON", "STRUCT-004"),
	newFault(faultFormAsJSON, "structure", "a body sent as application/x-www-form-urlencoded is parsed as JSON (text/plain is still refused)", "STRUCT-004"),
	newFault(faultTextContentType, "structure", `200 answers say "Content-Type: text/plain"`, "STRUCT-005"),
	newFault(faultLargeOctetStream, "structure", `200 answers over 32 KiB (a full page of bills) say "Content-Type: application/octet-stream"`, "STRUCT-005"),
	newFault(faultUnlimitedEmptyText, "structure", `bills asked for without a limit answer [] as "Content-Type: text/plain": an empty default page of another type`, "STRUCT-005"),
	newFault(faultTruncatedJSON, "structure", "200 answers are cut off halfway, so the body is not JSON", "STRUCT-001"),
	newFault(faultV1Wrapper, "structure", `200 answers are wrapped as {"status":"success","data":...}`, "STRUCT-006", "SCHEMA-001"),
	newFault(faultHTTPServesData, "transport", "plain HTTP serves the API itself (200 with data, no credentials needed)", "TRANS-001", "TRANS-002"),
	newFault(faultHTTPServesLists, "transport", "plain HTTP serves /api/v2/list/* itself (200 with data, no credentials needed) and redirects only the other paths, /api/v2/bills among them", "TRANS-001", "TRANS-002"),
	newFault(faultRedirectLeaksData, "transport", "the plain-HTTP redirect (308, right Location) carries in its body the JSON the HTTPS endpoint would answer", "TRANS-001"),
	newFault(faultRedirectWrongPath, "transport", `the redirect Location is the https origin with path "/"`, "TRANS-001"),
	newFault(faultRedirectToHTTP, "transport", "the redirect Location is http:// (the HTTPS port, but not https)", "TRANS-001"),
	newFault(faultRedirectWrongPort, "transport", "the redirect Location is the right host and path on port 1, where nothing listens (a proxy that names the wrong HTTPS port)", "TRANS-001"),
	newFault(faultRedirectOtherHost, "transport", `the redirect Location names the host "localhost" instead of the one asked (127.0.0.1)`, "TRANS-001"),
	newFault(faultHTTPNotModified, "transport", "plain HTTP answers 304 Not Modified with the right Location: a 3xx, but not a redirect a client follows", "TRANS-001", "TRANS-002"),
	newFault(faultRedirect301, "transport", "plain HTTP redirects with 301 instead of 308", "TRANS-002"),
	newFault(faultTLSAllowOld, "transport", "HTTPS also accepts TLS 1.0 and 1.1 handshakes", "TRANS-003"),
	newFault(faultTLSExpiredCert, "transport", "the server certificate expired an hour ago", "TRANS-004"),
	newFault(faultTLSWrongHost, "transport", "the server certificate is in date and signed by the CA, but names another host (not-this-host.invalid, 192.0.2.254)", "TRANS-004"),
	catalogueGuess(newFault(faultTLSNamesOnly, "transport", "the server certificate names localhost and no address, while the run's WINSTON_BASE_URL names 127.0.0.1: "+
		"TRANS-004 and every check must be configuration errors that say to use the host name, never violations", "TRANS-004", "AUTH-001")),
	newFault(faultHSTSOnlyOn200, "transport", "Strict-Transport-Security is sent on 200 answers only, not on errors (401, 404...)", "TRANS-005"),
	newFault(faultNoHSTS, "transport", "no Strict-Transport-Security header", "TRANS-005"),
	newFault(faultMalformedJSON500, "errors", "malformed JSON gets 500", "ERR-001"),
	newFault(faultMalformedJSON502, "errors", "malformed JSON gets 502, as from a gateway whose backend crashed on it, while every other request is served: no outage", "ERR-001"),
	newFault(faultLenientTypes, "errors", `a limit or skip sent as a numeric string ("5") is accepted`, "ERR-002"),
	newFault(faultNoLimitCap, "errors", "a limit over 1000, 0 or negative is accepted (0 and negative mean the default)", "ERR-003"),
	newFault(faultLimitOverCapServed, "errors", fmt.Sprintf("a limit over 1000 is served uncapped, on a tenant with %d bills a day (a 48-hour query matches over 1000); negative and fractional limits are still refused", manyBillsPerDay), "ERR-003"),
	newFault(faultFractionalLimit, "errors", "a fractional limit (2.5) is accepted and rounded down", "ERR-003"),
	newFault(faultClientErrorsAs200, "errors", "every client error but 429 is answered 200 [] (no credentials, malformed JSON, GET, unknown route...)", "ERR-006"),
	newFault(faultUnknownRoute200, "errors", "unknown routes under /api/v2/ answer 200 []", "ERR-004"),
	newFault(faultUnknownPlan200, "errors", "an order on an unknown plan is placed", "ERR-005"),
	newFault(faultUnknownPlanNewTable, "errors", "an unknown plan is refused on an existing table, but a new table number is created on it and the order placed", "ERR-005"),
	newFault(faultEmptyErrorBody, "errors", "every 4xx has an empty body", "ERR-006", "AUTH-008"),
	newFault(faultEmptyValidationBody, "errors", "a request refused for a field's value (a limit sent as a string, a missing filter) gets a 4xx with an empty body; refusals of credentials, malformed JSON, a method or a route still explain themselves", "ERR-006"),
	newFault(faultIgnoreUnknownSort, "errors", "unknown sort fields are ignored", "ERR-007"),
	newFault(fault429NoRetryAfter, "errors", "a 5 req/s cap per key is on (unless a lower one is set) and 429 carries no Retry-After", "ERR-008"),
	newFault(faultDropRequiredField, "schemas", `bills lose the required "total" field`, "SCHEMA-001"),
	newFault(faultNumberAsString, "schemas", `bill "total" is sent as a string ("12.50")`, "SCHEMA-001"),
	newFault(faultOpenBillsNullTotal, "schemas", `bills of today's (still open) business day carry "total": null; the examples list none of them`, "SCHEMA-001"),
	catalogueGuess(newFault(faultBillsNoonBusinessDay, "schemas", `bills carry businessDay as a timestamp at noon ("2026-11-20T12:00:00Z"): neither a date nor its UTC midnight, so no day the check reads (it may be a venue's midnight in another zone); `+
		"the field and its form are inferred: BILL-003 must be a configuration error naming the form it reads, never a violation, and SCHEMA-001 shows it without judging it", "BILL-003")),
	newFault(faultIgnoreLimit, "schemas", "limit is ignored (answers hold up to 100 items)", "LIST-001"),
	newFault(faultDefaultLimit50, "schemas", "the default page size is 50", "LIST-002"),
	newFault(faultIgnoreSkip, "schemas", "skip is ignored", "LIST-003"),
	newFault(faultIgnoreSort, "schemas", "sort is ignored (answers in _id order)", "LIST-004"),
	newFault(faultSortWithinPage, "schemas", "sort is applied after skip and limit: each page is in order, but is not the start of the sorted whole", "LIST-004"),
	notJudged(newFault(faultEmptyLists, "schemas", "every list, bills and the other resources, comes back empty ([]): data too thin to judge the list checks",
		"LIST-001", "LIST-002", "LIST-003", "LIST-004", "AUTH-009", "BILL-003", "BILL-004", "SCHEMA-001")),
	newFault(faultDefaultLimit200, "schemas", "the default page size is 200", "LIST-002"),
	newFault(faultNonBillItemsNoID, "schemas", `items of the non-bill lists and the order answer lose "_id" (the VAT list's entries lose "category_id")`, "SCHEMA-001"),
	newFault(faultNumericBillIDs, "schemas", `bills carry "_id" as a number instead of a string`, "LIST-003", "AUTH-009"),
	newFault(faultBillsNoCreatedAt, "schemas", `bills lose "createdAt", the field the list checks sort on`, "LIST-004"),
	newFault(faultOpaqueErrorBody, "errors", "every 4xx, 401 included, has the body {} (non-empty, but it explains nothing)", "ERR-006", "AUTH-008"),
	newFault(faultSortErrorEchoes, "errors", `an unknown sort field gets 400 "invalid request" that names no field but echoes the request (so the field appears only as a member name)`, "ERR-007"),
	newFault(faultBillsNoFilter, "behaviour", "/list/bills without a filter is served", "BILL-001"),
	newFault(faultBillsNoWindow, "behaviour", "bills windows longer than 2 days are served", "BILL-002"),
	newFault(faultBillsIgnoreDay, "behaviour", "the businessDay filter is ignored", "BILL-003"),
	newFault(faultBillsIgnoreSince, "behaviour", "the modifiedSince filter is ignored", "BILL-004"),
	newFault(faultBillsLatestDay, "behaviour", "the businessDay filter lists the last closed business day (the day before now), whatever day was asked", "BILL-003"),
	newFault(faultBillsFixedSince, "behaviour", "the modifiedSince filter lists the bills modified in the last 36 hours, whatever time was asked", "BILL-004"),
	newFault(faultBillsOtherDaysEmpty, "behaviour", "a businessDay filter lists [] for any day but the last closed one, though the large query shows bills of other days", "BILL-003"),
	newFault(faultBillsLatestDayEmpty, "behaviour", "a businessDay filter for the last closed business day (the catalogue's fixture day) lists [], though the large query shows bills of that day", "BILL-003"),
	newFault(faultFewBillsDefault50, "schemas", "a bills query matches at most 80 bills (as on a small tenant), and a query without limit gets 50 of them, not all 80", "LIST-002"),
	newFault(faultBillsSinceEmpty, "behaviour", "any modifiedSince filter lists [], though a businessDay query shows bills modified since (the list checks on list-bills, whose large query uses modifiedSince, are left not judged)", "BILL-004"),
	newFault(faultBillsLaterSinceEmpty, "behaviour", "a modifiedSince less than 24 hours ago lists [], though an earlier one shows bills modified since", "BILL-004"),
	newFault(faultOrder500, "behaviour", "a valid order on a table gets 500", "ORDER-001"),
	newFault(faultNoTableRejectPaid, "behaviour", "a paid noTable order gets 400", "ORDER-002"),
	newFault(faultNoTableNoNumber, "behaviour", `an unpaid noTable order gets 200 with number "noTable" instead of a 6-character number`, "ORDER-003"),
	newFault(faultNoTableFixedNumber, "behaviour", `every unpaid noTable order gets 200 with the same table number "100000" (6 characters, but not random)`, "ORDER-003"),
	newFault(faultOrderNoValidation, "behaviour", "an order without number is placed", "ORDER-004"),
	newFault(variantStatus422, FamilyCorrect, "a malformed body and a bad list query (limit, filter, window, an unknown sort field) get 422 instead of 400; create order keeps 400"),
	newFault(variantCappedLimit, FamilyCorrect, fmt.Sprintf("a limit over 1000 is served as 1000 instead of refused, on a tenant with %d bills a day, so that the cap shows", manyBillsPerDay)),
	newFault(variantUnstableTies, FamilyCorrect, "bills carry createdAt in whole hours, so many tie, and a query with skip orders ties by _id descending instead of ascending (a sort need not be stable)"),
	newFault(variantProxyRedirectBody, FamilyCorrect, `the plain-HTTP redirect carries a web server's JSON note {"statusCode","error","message","path","timestamp"}, no API data`),
	newFault(variantMixedTimeOffsets, FamilyCorrect, "bill createdAt values with an odd second are written at +01:00 with half a second added (RFC 3339 all the same), the others in UTC"),
	newFault(variantNumericNoTable, FamilyCorrect, "an unpaid noTable order gets 200 with a new 6-digit table number sent as a JSON integer (the create-order page's rule)"),
	newFault(variantMidnightBusinessDay, FamilyCorrect, `bills carry businessDay as a timestamp at midnight UTC ("2026-11-20T00:00:00.000Z"), not a plain date (the format is not documented)`),
	newFault(variantTLSOldHandshakeFailure, FamilyCorrect, "TLS 1.0/1.1 handshakes are refused with a handshake_failure alert, not protocol_version, as some load balancers do; TLS 1.2 takes the CBC suites TLS 1.0 could use"),
	newFault(variantTLSAEADOnly, FamilyCorrect, "HTTPS offers AEAD cipher suites alone at every version, so a TLS 1.0/1.1 handshake finds no suite and ends in handshake_failure"),
	newFault(variantRedirectDropsQuery, FamilyCorrect, "the plain-HTTP redirect's Location keeps the host and path but drops the query (the API takes its parameters in the body)"),
	newFault(variantVATRateAsText, FamilyCorrect, `the VAT list writes each rate as a percentage text ("21%"), not a number (the docs give a rate per category, not its name or form; schemas/vat-list.json only infers a number)`),
	newFault(variantBareOrderAnswer, FamilyCorrect, `a placed order is answered {"number": ...} alone, without _id, paid or plan_id (the route page documents no answer body)`),
	newFault(variantUnknownPlan400, FamilyCorrect, "an order on an unknown plan gets 400 (the route's other documented error status) instead of 404, and is still not placed"),
	newFault(faultEmpty415Body, "errors", "a 415 (non-JSON Content-Type) has an empty body", "ERR-006"),
	newFault(variantVATCategoryID, FamilyCorrect, "VAT list entries name their category categoryId (the docs name no field of the VAT list)"),
	newFault(variant422ContentType, FamilyCorrect, "a non-JSON Content-Type gets 422 instead of 415"),
	newFault(variantSinceExclusive, FamilyCorrect, "modifiedSince lists the bills modified strictly after the time given, not at it (the docs do not say which)"),
	newFault(variantErrorsKeyedByField, FamilyCorrect, `validation errors are {"errors": {"<field path>": "<message>"}}`),
	newFault(faultKeyPrefixMatch, "auth", "only the first 20 characters of the key are compared (the key id is looked up, the secret part never checked)", "AUTH-006"),
	newFault(faultTenantLeakByDay, "auth", "the second tenant's key lists the first tenant's bills when the query filters on businessDay", "AUTH-009"),
	newFault(faultUnknownRoute503, "errors", "unknown routes under /api/v2/ answer 503 (a gateway with no upstream for them); every route serves", "ERR-004"),
	settingBlamed(newFault(faultHTTPPortClosed, "transport", "the plain-HTTP port refuses connections (no redirect at all); HTTPS serves. "+
		"With WINSTON_HTTP_URL naming that port (as the selfcheck does) a mistyped port is likelier: the checks must be configuration errors naming it, never an outage; "+
		"on the default port 80 they fail", "TRANS-001", "TRANS-002")),
	newFault(faultSinceOnCreatedAt, "behaviour", "modifiedSince filters on createdAt: bills created before T but modified after it are dropped", "BILL-004"),
	newFault(faultLimitCap100, "schemas", "a limit over 100 is served as 100 (the documented maximum is 1000)", "LIST-002"),
	newFault(faultOutage, FamilyAvailability, "every request, HTTP and HTTPS, gets 503 with a short text"),
	catalogueGuess(newFault(faultProductsElsewhere, "structure", "products are served at /api/v2/products, and /api/v2/list/products (the catalogue's guess: the path is [UNKNOWN]) answers 404: "+
		"the checks that read products must fail as configuration errors naming the endpoint's path, never as violations",
		"AUTH-001", "STRUCT-001", "STRUCT-004", "STRUCT-005", "SCHEMA-001")),
	catalogueGuess(newFault(faultOrderNumberElsewhere, "behaviour", `an unpaid noTable order is placed (the create-order page's rule), and a placed order is answered {"placed": true, "table": {"no": ...}}: the table number is where ORDER-003 does not read it (the answer's shape is [UNKNOWN]): `+
		"ORDER-003 must be a configuration error that says where it looked, never a violation", "ORDER-003")),
	catalogueGuess(newFault(faultBillsNoFilterFields, "behaviour", "bills carry neither businessDay nor modifiedAt (the filters still work; that bills show these fields is [INFERRED]): "+
		"the filter checks must fail as configuration errors naming the field, never as violations", "BILL-003", "BILL-004")),
	newFault(faultOneEndpointDown, FamilyAvailability, "/api/v2/list/revenueGroups alone answers every request 503 (one service of the alpha channel down); "+
		"the other endpoints answer: the checks that read it must say not judged, never a violation"),
	newFault(faultHang, FamilyAvailability, "every API request waits 30 s (or until the client goes away) before answering"),
	newFault(faultReset, FamilyAvailability, "every HTTPS connection is closed right after the TLS handshake"),
	midRun(newFault(faultDownMidRun, FamilyAvailability, "the sandbox serves 150 requests, then stops listening (a target stopped mid-run): "+
		"later requests and TLS handshakes get connection refused, and the checks made before must still be judged")),
	midRun(newFault(faultThrottleMidRun, FamilyAvailability, "the sandbox serves 150 requests, then answers every request, HTTP and HTTPS, "+
		"429 with a Retry-After of an hour (a rate limit the run exhausted): no check but ERR-008 may judge a 429, so none may pass or fail on one")),
}

// Faults returns the fault registry sorted by name. The slice is a copy:
// changing it changes nothing in the sandbox.
func Faults() []Fault {
	out := make([]Fault, len(registry))
	for i, fl := range registry {
		fl.Breaks = append([]string{}, fl.Breaks...)
		out[i] = fl
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// FaultNames returns the registered fault names, sorted.
func FaultNames() []string {
	names := make([]string, 0, len(registry))
	for _, fl := range Faults() {
		names = append(names, fl.Name)
	}
	return names
}

// faultSet is the set of faults a server runs with.
type faultSet map[string]bool

// on reports whether the named fault is switched on.
func (fs faultSet) on(name string) bool { return fs[name] }

// newFaultSet checks every name against the registry. An unknown name is
// an error that lists the known ones, so a typo on the command line is
// fixed in one step.
func newFaultSet(names []string) (faultSet, error) {
	known := map[string]bool{}
	for _, fl := range registry {
		known[fl.Name] = true
	}
	fs := faultSet{}
	var unknown []string
	for _, n := range names {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		if !known[n] {
			unknown = append(unknown, fmt.Sprintf("%q", n))
			continue
		}
		fs[n] = true
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("unknown fault %s: use one of %s (see --list-faults)",
			strings.Join(unknown, ", "), strings.Join(FaultNames(), ", "))
	}
	return fs, nil
}
