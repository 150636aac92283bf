package floor

import (
	"fmt"
	"testing"

	. "github.com/onsi/ginkgo/v2" //nolint:revive // Ginkgo's DSL reads best unqualified
	. "github.com/onsi/gomega"    //nolint:revive // Gomega's DSL reads best unqualified
)

// TestFloor runs Specs empty specs, named like the suite's, with the same
// fail handler, so the only difference from the suite is the work in
// the specs.
func TestFloor(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Winston conformance floor")
}

var _ = Describe("floor", func() {
	for i := range Specs {
		It(fmt.Sprintf("FLOOR-%03d an empty spec", i+1), Label("floor"), func() {})
	}
})
