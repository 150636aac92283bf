// Command printversion prints report.DetectSuiteVersion, so that a test can
// see what a binary built with report.StampFlags names itself.
package main

import (
	"fmt"

	"github.com/winston-conformance/winston-conformance/harness/report"
)

func main() { fmt.Println(report.DetectSuiteVersion()) }
