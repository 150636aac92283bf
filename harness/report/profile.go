package report

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/harness/config"
)

// Profile is an integration profile: the endpoints and operations one
// integration actually uses. With a profile, the report lists those
// requirements first and the go-live verdict covers them (plus the
// host-level checks) rather than every MUST requirement of the catalogue.
//
// The file (WINSTON_PROFILE) is YAML:
//
//	name: Acme reporting
//	endpoints: [list-bills, categories, revenue-groups]   # catalogue endpoint IDs
//	requirements: [ORDER-003]                              # optional: more requirement IDs
//	operations:                                           # free text, for the reader
//	  - nightly export of yesterday's bills
type Profile struct {
	// Name names the integration.
	Name string `yaml:"name" json:"name"`
	// Endpoints are catalogue endpoint IDs the integration calls.
	Endpoints []string `yaml:"endpoints" json:"endpoints"`
	// Requirements are catalogue requirement IDs the go-live verdict
	// covers beyond those on Endpoints (optional).
	Requirements []string `yaml:"requirements" json:"requirements,omitempty"`
	// Operations describe what the integration does, for the reader.
	Operations []string `yaml:"operations" json:"operations,omitempty"`
}

// ProfileSummary is the profile as the report shows it.
type ProfileSummary struct {
	// Name, Endpoints and Operations are the profile's.
	Name       string   `json:"name"`
	Endpoints  []string `json:"endpoints"`
	Operations []string `json:"operations"`
	// UnknownEndpoints are profile endpoints the catalogue does not
	// know: nothing checked them, so the go-live verdict cannot be ready.
	UnknownEndpoints []string `json:"unknownEndpoints,omitempty"`
	// Requirements are the IDs the go-live verdict covers.
	Requirements []string `json:"requirements"`
}

// LoadProfile reads and validates an integration profile file.
func LoadProfile(file string) (*Profile, error) {
	data, err := os.ReadFile(file) // #nosec G304 -- the user names their own profile file
	if err != nil {
		return nil, fmt.Errorf("read integration profile %s: %w (set WINSTON_PROFILE to a readable YAML file, or unset it)", file, err)
	}
	var p Profile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("integration profile %s is not valid YAML of the form {name, endpoints: [endpoint IDs], requirements: [requirement IDs], operations: [text]}: %w", file, err)
	}
	var errs []error
	if strings.TrimSpace(p.Name) == "" {
		errs = append(errs, fmt.Errorf("integration profile %s: name is empty: name the integration", file))
	}
	if len(p.Endpoints) == 0 {
		errs = append(errs, fmt.Errorf("integration profile %s: endpoints is empty: list the catalogue endpoint IDs the integration calls (bills, list-bills, categories, ...)", file))
	}
	for i, e := range p.Endpoints {
		if strings.TrimSpace(e) == "" || strings.HasPrefix(e, "/") {
			errs = append(errs, fmt.Errorf("integration profile %s: endpoints[%d] %q must be a catalogue endpoint ID (such as list-bills), not a path", file, i, e))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &p, nil
}

// Check refuses a profile that names an endpoint or requirement cat does
// not know: nothing would check it, and the go-live verdict would only
// say "not ready" at the end of the run (behind "not valid for
// submission" on a sandbox run). Each unknown ID is named with the closest
// known one and the file, before any request is sent.
func (p *Profile) Check(cat *catalogue.Catalogue, file string) error {
	var endpoints, requirements []string
	for _, e := range cat.Endpoints {
		endpoints = append(endpoints, e.ID)
	}
	for _, r := range cat.Requirements {
		requirements = append(requirements, r.ID)
	}
	var errs []error
	for i, e := range p.Endpoints {
		if cat.Endpoint(e) == nil {
			errs = append(errs, fmt.Errorf("integration profile %s: endpoints[%d] %q is not an endpoint of the catalogue (did you mean %q?): "+
				"write a catalogue endpoint ID, or add the endpoint to your WINSTON_CATALOGUE", file, i, e, config.Closest(e, endpoints)))
		}
	}
	for i, id := range p.Requirements {
		if cat.Requirement(id) == nil {
			errs = append(errs, fmt.Errorf("integration profile %s: requirements[%d] %q is not a requirement of the catalogue (did you mean %q?): "+
				"write a catalogue requirement ID, or add the requirement to your WINSTON_CATALOGUE", file, i, id, config.Closest(id, requirements)))
		}
	}
	return errors.Join(errs...)
}

func summarizeProfile(p *Profile, cat *catalogue.Catalogue) *ProfileSummary {
	s := &ProfileSummary{Name: p.Name, Endpoints: append([]string{}, p.Endpoints...),
		Operations: append([]string{}, p.Operations...), Requirements: []string{}}
	want := map[string]bool{}
	for _, e := range p.Endpoints {
		want[e] = true
		if cat.Endpoint(e) == nil {
			s.UnknownEndpoints = append(s.UnknownEndpoints, e)
		}
	}
	for i := range cat.Requirements {
		r := &cat.Requirements[i]
		eps := cat.EndpointsOf(r)
		in := len(eps) == 0 || slices.Contains(p.Requirements, r.ID)
		for _, e := range eps {
			in = in || want[e.ID]
		}
		if in {
			s.Requirements = append(s.Requirements, r.ID)
		}
	}
	return s
}

// markProfile flags the requirements the integration profile covers (those
// on one of its endpoints, and the host-level checks every integration
// depends on) and moves them first, keeping catalogue order otherwise.
func markProfile(doc *Document, profile *Profile) {
	if profile == nil {
		return
	}
	want := map[string]bool{}
	for _, e := range profile.Endpoints {
		want[e] = true
	}
	for i := range doc.Requirements {
		r := &doc.Requirements[i]
		// The auth checks are every integration's: a key that reaches
		// another tenant's bills (AUTH-009) reaches its other data too,
		// whatever endpoints the profile names.
		r.InProfile = len(r.Endpoints) == 0 || r.Family == "auth" || slices.Contains(profile.Requirements, r.ID)
		for _, e := range r.Endpoints {
			if want[e] {
				r.InProfile = true
			}
		}
	}
	sort.SliceStable(doc.Requirements, func(i, j int) bool {
		return doc.Requirements[i].InProfile && !doc.Requirements[j].InProfile
	})
}
