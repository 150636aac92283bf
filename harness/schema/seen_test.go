package schema

import (
	"slices"
	"testing"
)

// A body validated again gets the same errors as the first time, from the
// Registry's memory, and a caller that changes what it was given changes
// nothing for the next caller.
func TestValidateAgainGivesTheSameResult(t *testing.T) {
	reg, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	bad := []byte(`[{"id": 1}]`)
	first, err := reg.Validate("bills.json", bad)
	if err != nil || len(first) == 0 {
		t.Fatalf("a bill without its fields: %v %v", first, err)
	}
	want := slices.Clone(first)
	first[0].Message = "changed by the caller"
	again, err := reg.Validate("bills.json", bad)
	if err != nil || !slices.Equal(again, want) {
		t.Errorf("validated again: %v %v, want %v", again, err, want)
	}
	if errs, err := reg.Validate("bills.json", []byte(`[]`)); err != nil || len(errs) != 0 {
		t.Errorf("an empty list after a bad one: %v %v", errs, err)
	}
	if _, err := reg.Validate("bills.json", []byte(`[`)); err == nil {
		t.Error("a body that is not JSON gave no error")
	}
	if _, err := reg.Validate("bills.json", []byte(`[`)); err == nil {
		t.Error("a body that is not JSON gave no error the second time")
	}
}

// The memory keeps no more than its budget of bodies.
func TestValidateKeepsWithinItsBudget(t *testing.T) {
	var r results
	body := make([]byte, resultsBudget/4)
	for i := range 8 {
		body[0] = byte('a' + i)
		r.put("x.json", body, nil)
	}
	if r.bytes > resultsBudget || len(r.m) > 4 {
		t.Errorf("kept %d bodies, %d bytes; the budget is %d", len(r.m), r.bytes, resultsBudget)
	}
	if _, ok := r.get("x.json", body); ok {
		t.Error("a body beyond the budget was kept")
	}
}
