package report

import (
	"reflect"
	"testing"
)

func TestObserveShape(t *testing.T) {
	s, err := ObserveShape([]byte(`[{"_id":"b1","total":12.5,"payments":[{"amount":3,"status":"complete"}],"note":null,"open":true},
		{"_id":"b2","total":"7","payments":[],"note":"x"}]`))
	if err != nil {
		t.Fatal(err)
	}
	want := Shape{
		"$": {"array"}, "[]": {"object"}, "[]._id": {"string"}, "[].total": {"number", "string"},
		"[].payments": {"array"}, "[].payments[]": {"object"}, "[].payments[].amount": {"number"},
		"[].payments[].status": {"string"}, "[].note": {"null", "string"}, "[].open": {"boolean"},
	}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("shape = %v\nwant    %v", s, want)
	}
	if _, err := ObserveShape([]byte("Unauthorized: missing header")); err == nil {
		t.Error("a body that is not JSON must be an error")
	}
	if _, err := ObserveShape([]byte(`{} {}`)); err == nil {
		t.Error("two JSON values must be an error")
	}
	obj, _ := ObserveShape([]byte(`{"a":{"b":[1]}}`))
	if !reflect.DeepEqual(obj, Shape{"$": {"object"}, "a": {"object"}, "a.b": {"array"}, "a.b[]": {"number"}}) {
		t.Errorf("object root shape = %v", obj)
	}
}

func TestShapeMerge(t *testing.T) {
	a := Shape{"[].total": {"number"}}
	a.Merge(Shape{"[].total": {"null", "number"}, "[].x": {"string"}})
	if !reflect.DeepEqual(a, Shape{"[].total": {"null", "number"}, "[].x": {"string"}}) {
		t.Errorf("merged = %v", a)
	}
}

func TestDiffShapes(t *testing.T) {
	before := Shape{"$": {"array"}, "[]": {"object"}, "[].total": {"number"}, "[].gone": {"string"}, "[].note": {"string"},
		"[].payments": {"array"}, "[].payments[]": {"object"}, "[].payments[].amount": {"number"}}
	after := Shape{"$": {"array"}, "[]": {"object"}, "[].total": {"string"}, "[].note": {"null", "string"}, "[].added": {"boolean"},
		"[].loyalty": {"object"}, "[].loyalty.points": {"number"}, "[].payments": {"array"}}
	got := diffShapes("bills", before, after)
	want := []Drift{
		{Endpoint: "bills", Path: "[].added", Kind: DriftAdded, After: "boolean"},
		{Endpoint: "bills", Path: "[].gone", Kind: DriftRemoved, Before: "string"},
		{Endpoint: "bills", Path: "[].loyalty", Kind: DriftAdded, After: "object"},
		{Endpoint: "bills", Path: "[].note", Kind: DriftNullable, Before: "string", After: "null|string"},
		{Endpoint: "bills", Path: "[].total", Kind: DriftTypeChanged, Before: "number", After: "string"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("drift =\n%v\nwant\n%v", got, want)
	}
	if s := want[4].String(); s != "bills: [].total changed type number -> string" {
		t.Errorf("String() = %q", s)
	}
}

func TestParentPath(t *testing.T) {
	for p, want := range map[string]string{"$": "", "[]": "$", "a": "$", "a.b": "a", "[].x": "[]", "[].p[]": "[].p", "[].p[].a": "[].p[]", "a[][]": "a[]"} {
		if got := parentPath(p); got != want {
			t.Errorf("parentPath(%q) = %q, want %q", p, got, want)
		}
	}
}
