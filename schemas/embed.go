// Package schemas embeds the suite's draft-07 JSON Schemas (every *.json
// file in this directory) so that a test binary built anywhere carries them.
//
// Load them through harness/schema (schema.Default or schema.Load), which
// compiles each file once and checks that it declares draft-07; read FS
// directly only to list or print the files.
package schemas

import "embed"

// FS holds every *.json file in this directory, at the top level of the
// file system: "bills.json", "order.json", "report.schema.json", ...
// A file added here is embedded on the next build, with no Go change.
//
//go:embed *.json
var FS embed.FS
