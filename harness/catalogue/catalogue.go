// Package catalogue holds the Winston API contract as data: the endpoints
// the suite knows, the fixtures it needs on a target, and every requirement
// it checks, each with its source label from the public contract page.
//
// The default catalogue is embedded (catalogue.yaml beside this file). An
// integrator whose target differs (a product path, a plan ID) points
// WINSTON_CATALOGUE at a copy; no Go code changes. Adding an endpoint to the
// catalogue adds it to the method, auth, content-type and schema checks.
package catalogue

import (
	_ "embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/winston-conformance/winston-conformance/harness/config"
)

//go:embed catalogue.yaml
var defaultYAML []byte

// Source labels, as on the contract page.
const (
	SourceMission  = "mission"
	SourceDocs     = "docs"
	SourceInferred = "inferred"
	SourceUnknown  = "unknown"
)

// Families of checks; each is a Ginkgo label and a report column.
const (
	FamilyAuth      = "auth"
	FamilyStructure = "structure"
	FamilyTransport = "transport"
	FamilyErrors    = "errors"
	FamilySchemas   = "schemas"
	FamilyBehaviour = "behaviour"
)

// Families lists the check families in report order.
var Families = []string{FamilyAuth, FamilyStructure, FamilyTransport, FamilyErrors, FamilySchemas, FamilyBehaviour}

// Levels of a requirement: a MUST failure fails the run; a SHOULD failure
// is reported but does not change the verdict.
const (
	LevelMust   = "must"
	LevelShould = "should"
)

// Catalogue is the whole contract as the suite knows it.
type Catalogue struct {
	// Version of the catalogue format; 1.
	Version int `yaml:"version" json:"version"`
	// Endpoints the suite exercises, in report order.
	Endpoints []Endpoint `yaml:"endpoints" json:"endpoints"`
	// Fixtures are target-specific values the checks need.
	Fixtures Fixtures `yaml:"fixtures" json:"fixtures"`
	// Requirements are the checks, in report order.
	Requirements []Requirement `yaml:"requirements" json:"requirements"`
}

// Endpoint is one API route.
type Endpoint struct {
	// ID is a short stable name ("bills", "list-bills").
	ID string `yaml:"id" json:"id"`
	// Path is the route, starting with /api/v2/.
	Path string `yaml:"path" json:"path"`
	// Title is a human name for reports.
	Title string `yaml:"title" json:"title"`
	// Source is the label of the fact that this route exists.
	Source string `yaml:"source" json:"source"`
	// Note explains an inferred or disputed choice.
	Note string `yaml:"note,omitempty" json:"note,omitempty"`
	// Request is a valid example body (a JSON object) that gets 200.
	Request map[string]any `yaml:"request" json:"request"`
	// Schema is the file name under schemas/ that a 200 answer validates
	// against.
	Schema string `yaml:"schema" json:"schema"`
	// Mutating is true for calls that change data (create order); they
	// run only where mutations are allowed.
	Mutating bool `yaml:"mutating,omitempty" json:"mutating,omitempty"`
	// Paged is true for lists that take sort / limit / skip; the list
	// rules are checked on them.
	Paged bool `yaml:"paged,omitempty" json:"paged,omitempty"`
	// SortField is the field the list checks sort on (paged lists only).
	SortField string `yaml:"sortField,omitempty" json:"sortField,omitempty"`
	// Large is a query (paged lists only) that matches more than 100
	// items, for the page-size, skip and sort checks.
	Large map[string]any `yaml:"large,omitempty" json:"large,omitempty"`
}

// Fixtures are values that exist on the target and that the checks use.
// On the real test environment they are [UNKNOWN]: supply your own through
// WINSTON_CATALOGUE. Values may contain ${now-36h}-style references, which
// are resolved against the run's reference time (see Resolve).
type Fixtures struct {
	// BusinessDay is a day (YYYY-MM-DD) that has bills.
	BusinessDay string `yaml:"businessDay" json:"businessDay"`
	// ModifiedSince is a timestamp within the last 2 days with bills
	// modified after it.
	ModifiedSince string `yaml:"modifiedSince" json:"modifiedSince"`
	// TooOldModifiedSince is a timestamp more than 2 days before the
	// reference time, by enough that every reading of "2 days" (hours,
	// whole days, calendar dates) finds it too old: 72 hours by default.
	TooOldModifiedSince string `yaml:"tooOldModifiedSince" json:"tooOldModifiedSince"`
	// WideModifiedAtFrom / To span more than 2 days, by as clear a margin
	// as TooOldModifiedSince.
	WideModifiedAtFrom string `yaml:"wideModifiedAtFrom" json:"wideModifiedAtFrom"`
	WideModifiedAtTo   string `yaml:"wideModifiedAtTo" json:"wideModifiedAtTo"`
	// PlanID is a table plan that exists.
	PlanID string `yaml:"planId" json:"planId"`
	// UnknownPlanID is a plan that does not exist.
	UnknownPlanID string `yaml:"unknownPlanId" json:"unknownPlanId"`
	// TableNumber is a table that exists on PlanID.
	TableNumber int `yaml:"tableNumber" json:"tableNumber"`
	// RateLimitBurst is how many concurrent requests the rate-limit
	// check sends to provoke a 429.
	RateLimitBurst int `yaml:"rateLimitBurst" json:"rateLimitBurst"`
	// WrongKey is a syntactically plausible key that no tenant owns.
	// It is a fixture, not a secret, and is stored in cassettes as is.
	WrongKey string `yaml:"wrongKey" json:"wrongKey"`
	// WrongApp is an app name that no integration has.
	WrongApp string `yaml:"wrongApp" json:"wrongApp"`
}

// Requirement is one check of the contract.
type Requirement struct {
	// ID is stable ("AUTH-001"): it names the spec, the cassette, the
	// report row and the JUnit case.
	ID string `yaml:"id" json:"id"`
	// Title is a short name for the check.
	Title string `yaml:"title" json:"title"`
	// Must is the one-sentence MUST (or SHOULD) statement.
	Must string `yaml:"must" json:"must"`
	// Family is one of Families.
	Family string `yaml:"family" json:"family"`
	// Source is mission, docs or inferred (the contract page's label).
	Source string `yaml:"source" json:"source"`
	// Reference names the document the rule comes from.
	Reference string `yaml:"reference,omitempty" json:"reference,omitempty"`
	// Level is must (default) or should.
	Level string `yaml:"level,omitempty" json:"level,omitempty"`
	// Endpoints the check covers: endpoint IDs, "*" for every endpoint,
	// "paged" for every paged list, or "" (none) for transport checks that
	// are about the host.
	Endpoints []string `yaml:"endpoints,omitempty" json:"endpoints,omitempty"`
	// Labels are extra Ginkgo labels (mutating, needs-tenant-2, ...).
	Labels []string `yaml:"labels,omitempty" json:"labels,omitempty"`
}

var idPattern = regexp.MustCompile(`^[A-Z]+-[0-9]{3}$`)

// Default returns the embedded catalogue, validated.
func Default() (*Catalogue, error) {
	return Parse(defaultYAML, "embedded catalogue.yaml")
}

// Load reads a catalogue from path; an empty path gives Default().
func Load(path string) (*Catalogue, error) {
	if path == "" {
		return Default()
	}
	data, err := os.ReadFile(path) // #nosec G304 -- the user names their own catalogue file
	if err != nil {
		return nil, fmt.Errorf("read catalogue %s: %w (set WINSTON_CATALOGUE to a readable file, or unset it for the built-in catalogue)", path, err)
	}
	return Parse(data, path)
}

// Parse decodes and validates catalogue YAML; name appears in errors.
func Parse(data []byte, name string) (*Catalogue, error) {
	var c Catalogue
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	dec.KnownFields(true)
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", name, readableYAMLError(err))
	}
	if err := c.Validate(); err != nil {
		return nil, fmt.Errorf("catalogue %s: %w", name, err)
	}
	return &c, nil
}

// unknownField is yaml.v3's line for a key that no field of the type has.
var unknownField = regexp.MustCompile(`^line (\d+): field (\S+) not found in type (\S+)$`)

// readableYAMLError rewrites yaml.v3's errors about keys that no field
// has ("yaml: unmarshal errors:\n  line 81: field busnessDay not found in
// type catalogue.Fixtures") as one problem a line, naming where the key
// is and the key meant; other errors pass unchanged.
func readableYAMLError(err error) error {
	var typeErr *yaml.TypeError
	if !errors.As(err, &typeErr) {
		return err
	}
	problems := make([]string, 0, len(typeErr.Errors))
	for _, e := range typeErr.Errors {
		m := unknownField.FindStringSubmatch(e)
		if m == nil {
			problems = append(problems, e)
			continue
		}
		where, known := yamlKeys(m[3])
		problem := fmt.Sprintf("line %s: %s has no key %q", m[1], where, m[2])
		if len(known) > 0 {
			problem += fmt.Sprintf(" (did you mean %s? its keys are %s)", config.Closest(m[2], known), strings.Join(known, ", "))
		}
		problems = append(problems, problem)
	}
	return errors.New(strings.Join(problems, "; "))
}

// yamlKeys names a catalogue type as a reader sees it and lists its keys.
func yamlKeys(goType string) (string, []string) {
	types := map[string]struct {
		where string
		value any
	}{
		"catalogue.Catalogue":   {"the catalogue", Catalogue{}},
		"catalogue.Fixtures":    {"fixtures", Fixtures{}},
		"catalogue.Endpoint":    {"an endpoint", Endpoint{}},
		"catalogue.Requirement": {"a requirement", Requirement{}},
	}
	t, ok := types[goType]
	if !ok {
		return "this mapping", nil
	}
	var keys []string
	rt := reflect.TypeOf(t.value)
	for i := range rt.NumField() {
		if key, _, _ := strings.Cut(rt.Field(i).Tag.Get("yaml"), ","); key != "" && key != "-" {
			keys = append(keys, key)
		}
	}
	return t.where, keys
}

// Validate checks the catalogue for the mistakes a hand edit makes:
// duplicate or malformed IDs, unknown families or sources, endpoints that
// name no schema, requirements that name an unknown endpoint or whose
// endpoint selector matches none.
func (c *Catalogue) Validate() error {
	var errs []error
	if c.Version != 1 {
		errs = append(errs, fmt.Errorf("version %d is not supported: this suite reads version 1", c.Version))
	}
	eps := map[string]bool{}
	for i, e := range c.Endpoints {
		where := fmt.Sprintf("endpoints[%d] (%s)", i, e.ID)
		switch {
		case e.ID == "":
			errs = append(errs, fmt.Errorf("%s: id is empty", where))
		case eps[e.ID]:
			errs = append(errs, fmt.Errorf("%s: id is used twice", where))
		}
		eps[e.ID] = true
		if !strings.HasPrefix(e.Path, "/api/v2/") {
			errs = append(errs, fmt.Errorf("%s: path %q must start with /api/v2/", where, e.Path))
		}
		if e.Schema == "" {
			errs = append(errs, fmt.Errorf("%s: schema is empty: name a file under schemas/", where))
		}
		if !validSource(e.Source) {
			errs = append(errs, fmt.Errorf("%s: source %q must be one of mission, docs, inferred, unknown", where, e.Source))
		}
		if CreatesData(e.Path) && !e.Mutating {
			// Whatever the catalogue calls it, this route places
			// orders: without the flag, its checks would send orders
			// where mutations are off, and resend them.
			errs = append(errs, fmt.Errorf("%s: path %s creates orders: set mutating: true on it", where, e.Path))
		}
		if e.Paged && (e.SortField == "" || e.Large == nil) {
			errs = append(errs, fmt.Errorf("%s: a paged endpoint needs sortField and large (a query matching more than 100 items)", where))
		}
	}
	reqs := map[string]bool{}
	for i, r := range c.Requirements {
		where := fmt.Sprintf("requirements[%d] (%s)", i, r.ID)
		if !idPattern.MatchString(r.ID) {
			errs = append(errs, fmt.Errorf("%s: id must look like AUTH-001", where))
		}
		if reqs[r.ID] {
			errs = append(errs, fmt.Errorf("%s: id is used twice", where))
		}
		reqs[r.ID] = true
		if r.Title == "" || r.Must == "" {
			errs = append(errs, fmt.Errorf("%s: title and must are required", where))
		}
		if !slices.Contains(Families, r.Family) {
			errs = append(errs, fmt.Errorf("%s: family %q must be one of %s", where, r.Family, strings.Join(Families, ", ")))
		}
		if !validSource(r.Source) {
			errs = append(errs, fmt.Errorf("%s: source %q must be one of mission, docs, inferred, unknown", where, r.Source))
		}
		if r.Level != "" && r.Level != LevelMust && r.Level != LevelShould {
			errs = append(errs, fmt.Errorf("%s: level %q must be must or should", where, r.Level))
		}
		unknown := false
		for _, e := range r.Endpoints {
			if e != "*" && e != "paged" && !eps[e] {
				errs = append(errs, fmt.Errorf("%s: endpoint %q is not in endpoints", where, e))
				unknown = true
			}
		}
		if slices.Contains(r.Labels, "mutating") && !unknown {
			// The endpoint's flag is what keeps an order from a host
			// where mutations are off and from being sent twice: a
			// mutating check on an endpoint without it would lose both.
			for _, e := range c.EndpointsOf(&c.Requirements[i]) {
				if !e.Mutating {
					errs = append(errs, fmt.Errorf("%s: it is labelled mutating but endpoint %q is not: set mutating: true on the endpoint "+
						"(it changes data), or drop the label if the check changes nothing", where, e.ID))
				}
			}
		}
		if len(r.Endpoints) > 0 && !unknown && len(c.EndpointsOf(&c.Requirements[i])) == 0 {
			// A check with no endpoint to call judges nothing and
			// would pass by default.
			errs = append(errs, fmt.Errorf("%s: endpoint selector %v matches no endpoint: %s", where, r.Endpoints, SelectorHint(r.Endpoints)))
		}
	}
	return errors.Join(errs...)
}

// createsData are the API paths the contract documents as creating data
// (create order, shared/winston-contract.md section 6): an endpoint on one
// of them must be marked mutating, whatever a custom catalogue says.
var createsData = []string{"/api/v2/tables/order"}

// CreatesData reports whether p names a route the contract documents as
// creating data, however it is written: a server may ignore letter case
// (Unicode's too), decode percent-encoded letters, read a backslash as a
// slash, merge or drop slashes, resolve dot segments, drop trailing dots
// and ;parameters, so all of these are undone before the comparison, and a
// query or fragment is left out.
func CreatesData(p string) bool {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	for range 4 { // %256F is %6F decoded once, o twice
		u, err := url.PathUnescape(p)
		if err != nil || u == p {
			break
		}
		p = u
	}
	// IIS and ASP.NET read a backslash as a slash.
	segments := strings.Split(strings.ReplaceAll(p, "\\", "/"), "/")
	for i, seg := range segments {
		seg, _, _ = strings.Cut(seg, ";")
		if seg != "." && seg != ".." {
			// Windows servers drop a name's trailing dots and spaces.
			seg = strings.TrimRight(seg, ". ")
		}
		segments[i] = seg
	}
	p = path.Clean("/" + strings.Join(segments, "/"))
	for _, route := range createsData {
		// EqualFold folds Unicode case too (ſ is s, K is k).
		if strings.EqualFold(p, route) {
			return true
		}
	}
	return false
}

// SelectorHint says how to fix a requirement's endpoint selector that
// matches no endpoint of the catalogue.
func SelectorHint(sel []string) string {
	if slices.Contains(sel, "paged") {
		return `"paged" needs at least one endpoint with paged: true (and sortField and large)`
	}
	return "add an endpoint it names, or name one that exists"
}

// Undocumented reports whether a rule of source s rests on no published
// statement: one the suite infers, or one about something the contract
// labels unknown. A go-live reader is told such a rule is the suite's
// default, which a catalogue of their own may set aside.
func Undocumented(s string) bool {
	return s == SourceInferred || s == SourceUnknown
}

func validSource(s string) bool {
	return s == SourceMission || s == SourceDocs || s == SourceInferred || s == SourceUnknown
}

// Requirement returns the requirement with the given ID, or nil.
func (c *Catalogue) Requirement(id string) *Requirement {
	for i := range c.Requirements {
		if c.Requirements[i].ID == id {
			return &c.Requirements[i]
		}
	}
	return nil
}

// Endpoint returns the endpoint with the given ID, or nil.
func (c *Catalogue) Endpoint(id string) *Endpoint {
	for i := range c.Endpoints {
		if c.Endpoints[i].ID == id {
			return &c.Endpoints[i]
		}
	}
	return nil
}

// EndpointsOf expands a requirement's endpoint list ("*", "paged", IDs)
// into catalogue endpoints, in catalogue order, without duplicates.
func (c *Catalogue) EndpointsOf(r *Requirement) []Endpoint {
	want := map[string]bool{}
	for _, e := range r.Endpoints {
		want[e] = true
	}
	var out []Endpoint
	for _, e := range c.Endpoints {
		if want["*"] || want[e.ID] || (want["paged"] && e.Paged) {
			out = append(out, e)
		}
	}
	return out
}

// Schemas lists every schema file the catalogue names, sorted.
func (c *Catalogue) Schemas() []string {
	seen := map[string]bool{}
	for _, e := range c.Endpoints {
		seen[e.Schema] = true
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}
