package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Shape records the structure of JSON answers: for each JSON path, the
// sorted JSON types seen there. Paths name object fields with dots and
// array items with "[]": "[].payments[].amount" is the amount of every
// payment of every bill in a list. The root is "$". Types are "object",
// "array", "string", "number" (every number), "boolean" and "null".
//
// Two runs' shapes of the same endpoint, compared, show drift that a
// schema with open additionalProperties lets through: a field added,
// removed, changed type or made nullable.
type Shape map[string][]string

// RootPath is the Shape path of the top-level value.
const RootPath = "$"

// ObserveShape reads one JSON body and returns its shape. A body that is
// not JSON is an error: its shape cannot be compared.
func ObserveShape(body []byte) (Shape, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("observe shape: the body is not JSON: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("observe shape: the body holds more than one JSON value")
	}
	s := Shape{}
	s.walk(RootPath, v)
	return s, nil
}

func (s Shape) walk(path string, v any) {
	switch x := v.(type) {
	case map[string]any:
		s.add(path, "object")
		for k, child := range x {
			s.walk(childPath(path, k), child)
		}
	case []any:
		s.add(path, "array")
		for _, child := range x {
			s.walk(itemPath(path), child)
		}
	case string:
		s.add(path, "string")
	case json.Number, float64:
		s.add(path, "number")
	case bool:
		s.add(path, "boolean")
	case nil:
		s.add(path, "null")
	}
}

func childPath(parent, key string) string {
	if parent == RootPath {
		return key
	}
	return parent + "." + key
}

func itemPath(parent string) string {
	if parent == RootPath {
		return "[]"
	}
	return parent + "[]"
}

// parentPath is the container path of p ("$" for top-level paths).
func parentPath(p string) string {
	if p == RootPath {
		return ""
	}
	if strings.HasSuffix(p, "[]") {
		if p == "[]" {
			return RootPath
		}
		return strings.TrimSuffix(p, "[]")
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return RootPath
}

func (s Shape) add(path, typ string) {
	types := s[path]
	i := sort.SearchStrings(types, typ)
	if i < len(types) && types[i] == typ {
		return
	}
	types = append(types, "")
	copy(types[i+1:], types[i:])
	types[i] = typ
	s[path] = types
}

// Merge adds every path and type of other to s (s must not be nil), so
// that the shape of an endpoint covers all of its answers.
func (s Shape) Merge(other Shape) {
	for p, types := range other {
		for _, t := range types {
			s.add(p, t)
		}
	}
}

// Drift kinds reported by Compare.
const (
	DriftAdded       = "added"
	DriftRemoved     = "removed"
	DriftTypeChanged = "type-changed"
	DriftNullable    = "made-nullable"
)

// Drift is one change of an endpoint's response shape between two runs.
type Drift struct {
	Endpoint string `json:"endpoint"`
	// Path is the JSON path, as in Shape.
	Path string `json:"path"`
	// Kind is added, removed, type-changed or made-nullable.
	Kind string `json:"kind"`
	// Before and After are the types seen ("number", "string|null").
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
}

// String reads as "bills: [].total changed type number -> string".
func (d Drift) String() string {
	switch d.Kind {
	case DriftAdded:
		return fmt.Sprintf("%s: %s added (%s)", d.Endpoint, d.Path, d.After)
	case DriftRemoved:
		return fmt.Sprintf("%s: %s removed (was %s)", d.Endpoint, d.Path, d.Before)
	case DriftNullable:
		return fmt.Sprintf("%s: %s made nullable (%s -> %s)", d.Endpoint, d.Path, d.Before, d.After)
	default:
		return fmt.Sprintf("%s: %s changed type %s -> %s", d.Endpoint, d.Path, d.Before, d.After)
	}
}

// diffShapes lists the drift of one endpoint from before to after. A path
// is only called added (removed) when its container was seen in both runs:
// an empty list in one run says nothing about the fields of its items, and
// a new object reports once, not once per field inside it. A change of the
// types seen at a path is always reported.
func diffShapes(endpoint string, before, after Shape) []Drift {
	var out []Drift
	paths := map[string]bool{}
	for p := range before {
		paths[p] = true
	}
	for p := range after {
		paths[p] = true
	}
	for _, p := range sortedKeys(paths) {
		b, inB := before[p]
		a, inA := after[p]
		parent := parentPath(p)
		// The items of an array are seen only when some array was not
		// empty; their absence in one run is no evidence of a change.
		parentSeen := !strings.HasSuffix(p, "[]") && (parent == "" || (before[parent] != nil && after[parent] != nil))
		switch {
		case inA && !inB:
			if parentSeen {
				out = append(out, Drift{Endpoint: endpoint, Path: p, Kind: DriftAdded, After: strings.Join(a, "|")})
			}
		case inB && !inA:
			if parentSeen {
				out = append(out, Drift{Endpoint: endpoint, Path: p, Kind: DriftRemoved, Before: strings.Join(b, "|")})
			}
		case strings.Join(a, "|") != strings.Join(b, "|"):
			kind := DriftTypeChanged
			if !contains(b, "null") && contains(a, "null") && sameTypes(b, withoutNull(a)) {
				kind = DriftNullable
			}
			out = append(out, Drift{Endpoint: endpoint, Path: p, Kind: kind, Before: strings.Join(b, "|"), After: strings.Join(a, "|")})
		}
	}
	return out
}

func withoutNull(types []string) []string {
	var out []string
	for _, t := range types {
		if t != "null" {
			out = append(out, t)
		}
	}
	return out
}

// sameTypes compares two sorted type lists; an empty list (only null seen)
// matches anything, since a field that was null said nothing of its type.
func sameTypes(a, b []string) bool {
	if len(b) == 0 {
		return true
	}
	return strings.Join(a, "|") == strings.Join(b, "|")
}
