// Package schema checks Winston API answers against the suite's draft-07
// JSON Schemas (the files under schemas/, embedded by package schemas).
//
// Every schema is compiled once, when the Registry is loaded; validating a
// body afterwards costs only the walk over the body. Specs use the Gomega
// matcher:
//
//	reg, err := schema.Default()
//	Expect(err).NotTo(HaveOccurred())
//	Expect(resp).To(schema.MatchSchema(reg, ep.Schema))
//
// A failure lists one line per schema error (JSON pointer, keyword, message)
// and a redacted excerpt of the body. Reports take the same errors through
// FormatErrors into evidence.Finding.SchemaErrors.
//
// The loader never reaches the network: draft-07's meta-schema is built in,
// and a schema whose $ref points outside its own file is refused.
package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/xeipuuv/gojsonschema"

	"github.com/winston-conformance/winston-conformance/harness/catalogue"
	"github.com/winston-conformance/winston-conformance/schemas"
)

// Draft07 is the "$schema" value every schema file must declare. The form
// without the trailing "#" is accepted too; nothing else is.
const Draft07 = "http://json-schema.org/draft-07/schema#"

// Registry holds compiled schemas by file name ("bills.json"). It is
// read-only after Load and safe for concurrent use by parallel specs.
type Registry struct {
	schemas map[string]*gojsonschema.Schema
	// docs are the schemas as decoded, for reading the x-inferred marks
	// that gojsonschema passes over (see Error.Inferred).
	docs  map[string]map[string]any
	names []string // sorted
	// seen holds the result of each body already validated: a run gets
	// the same answer many times (each check asks for the lists, and a
	// replay holds each answer as often as it was recorded).
	seen results
}

// Load compiles every top-level *.json file of fsys as a draft-07 JSON
// Schema. It fails, naming the file and the fix, when a file is not JSON,
// does not declare draft-07 in "$schema", is not a valid draft-07 schema,
// or has a $ref that leaves the file. Files in subdirectories are ignored.
func Load(fsys fs.FS) (*Registry, error) {
	return load(fsys, func(string) bool { return true })
}

// DocumentSuffix ends the names of the schemas that describe the suite's
// own documents (report.schema.json) rather than Winston's answers.
const DocumentSuffix = ".schema.json"

// load compiles the top-level *.json files of fsys that keep says to, side
// by side, since each file compiles on its own.
func load(fsys fs.FS, keep func(name string) bool) (*Registry, error) {
	if fsys == nil {
		return nil, errors.New("load schemas: the file system is nil: pass schemas.FS or an fs.FS holding *.json schema files")
	}
	all, err := fs.Glob(fsys, "*.json")
	if err != nil {
		return nil, fmt.Errorf("load schemas: list *.json: %w", err)
	}
	var names []string
	for _, n := range all {
		if keep(n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, errors.New("load schemas: no *.json files found at the top of the file system: put the draft-07 schemas in schemas/ (package schemas embeds schemas/*.json)")
	}
	sort.Strings(names)
	compiled := make([]*gojsonschema.Schema, len(names))
	docs := make([]map[string]any, len(names))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(runtime.GOMAXPROCS(0), 1))
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			data, err := fs.ReadFile(fsys, name)
			if err != nil {
				errs[i] = fmt.Errorf("schemas/%s: read: %w", name, err)
				return
			}
			compiled[i], docs[i], errs[i] = compile(name, data)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load schemas: %w", err)
	}
	r := &Registry{schemas: make(map[string]*gojsonschema.Schema, len(names)), docs: make(map[string]map[string]any, len(names)), names: names}
	for i, name := range names {
		r.schemas[name] = compiled[i]
		r.docs[name] = docs[i]
	}
	return r, nil
}

var (
	defaultOnce sync.Once
	defaultReg  *Registry
	defaultErr  error

	documentsOnce sync.Once
	documentsReg  *Registry
	documentsErr  error
)

// Default returns the registry of the embedded schemas of Winston's
// answers (schemas.FS, less the *.schema.json files, see Documents). It is
// compiled on the first call and shared by every later call in the
// process, so specs may call it freely; a load error is returned to every
// caller.
func Default() (*Registry, error) {
	defaultOnce.Do(func() {
		defaultReg, defaultErr = load(schemas.FS, func(n string) bool { return !strings.HasSuffix(n, DocumentSuffix) })
	})
	return defaultReg, defaultErr
}

// Documents returns the registry of the embedded schemas of the suite's
// own documents: the files named *.schema.json (report.schema.json). A
// conformance run never needs them, so they are compiled apart, on the
// first call.
func Documents() (*Registry, error) {
	documentsOnce.Do(func() {
		documentsReg, documentsErr = load(schemas.FS, func(n string) bool { return strings.HasSuffix(n, DocumentSuffix) })
	})
	return documentsReg, documentsErr
}

// Has reports whether a schema named name ("bills.json") was loaded.
func (r *Registry) Has(name string) bool {
	if r == nil {
		return false
	}
	_, ok := r.schemas[name]
	return ok
}

// Names lists the loaded schema file names, sorted. The slice is a copy.
func (r *Registry) Names() []string {
	if r == nil {
		return nil
	}
	return append([]string(nil), r.names...)
}

// CheckCatalogue verifies that every endpoint of c names a schema this
// registry holds, so a typo in a catalogue fails at start-up rather than in
// the middle of a run. The error names each endpoint and missing file and
// lists the schemas that are available.
func (r *Registry) CheckCatalogue(c *catalogue.Catalogue) error {
	if c == nil {
		return errors.New("check catalogue schemas: the catalogue is nil: load one with catalogue.Default() or catalogue.Load(path)")
	}
	if r == nil {
		return errors.New("check catalogue schemas: the registry is nil: load one with schema.Default() or schema.Load(fsys)")
	}
	var errs []error
	for _, e := range c.Endpoints {
		if !r.Has(e.Schema) {
			errs = append(errs, fmt.Errorf("endpoint %q (%s) names schema %q, which is not in schemas/: add schemas/%s or set the endpoint's schema to one of %s",
				e.ID, e.Path, e.Schema, e.Schema, strings.Join(r.names, ", ")))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("check catalogue schemas: %w", errors.Join(errs...))
	}
	return nil
}

// lookup returns the compiled schema, or an error listing the known names.
func (r *Registry) lookup(name string) (*gojsonschema.Schema, error) {
	if r == nil {
		return nil, errors.New("no schema registry: load one with schema.Default() or schema.Load(fsys)")
	}
	s, ok := r.schemas[name]
	if !ok {
		return nil, fmt.Errorf("unknown schema %q: use a file name under schemas/, one of %s", name, strings.Join(r.names, ", "))
	}
	return s, nil
}

// compile checks the draft declaration and the references of one schema
// file before handing it to gojsonschema, whose own errors do not say which
// file or what to do.
func compile(name string, data []byte) (*gojsonschema.Schema, map[string]any, error) {
	where := "schemas/" + name
	var doc any
	if err := decodeOne(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("%s is not JSON: %w: fix the syntax at that offset", where, err)
	}
	obj, ok := doc.(map[string]any)
	if !ok {
		return nil, nil, fmt.Errorf("%s is not a schema: its top level is %s, not an object: a schema file holds one JSON object", where, jsonKind(doc))
	}
	decl, ok := obj["$schema"]
	if !ok {
		return nil, nil, fmt.Errorf("%s has no \"$schema\": add \"$schema\": %q (the suite reads draft-07 only)", where, Draft07)
	}
	if s, _ := decl.(string); s != Draft07 && s != strings.TrimSuffix(Draft07, "#") {
		return nil, nil, fmt.Errorf("%s declares \"$schema\": %v: the suite reads draft-07 only; set it to %q and adapt the keywords that differ", where, decl, Draft07)
	}
	if err := checkRefs(doc, ""); err != nil {
		return nil, nil, fmt.Errorf("%s: %w", where, err)
	}
	invalid := func(msg string) error {
		msg = strings.ReplaceAll(strings.TrimSpace(msg), "\n", "; ")
		return fmt.Errorf("%s is not a valid draft-07 schema: %s: fix the keyword named there (see https://json-schema.org/draft-07/json-schema-validation.html)", where, msg)
	}
	meta, err := draft07Meta()
	if err != nil {
		return nil, nil, err
	}
	// The file is checked against draft-07's meta-schema here rather than by
	// the loader's Validate option, which compiles the meta-schema anew for
	// every file it loads. Both the check and the compiler read the value
	// decoded above (as their byte loaders would decode it: one value,
	// numbers as json.Number) rather than decoding the file twice more.
	res, err := meta.Validate(gojsonschema.NewRawLoader(doc))
	if err != nil {
		return nil, nil, invalid(err.Error())
	}
	if !res.Valid() {
		var msgs []string
		for _, e := range res.Errors() {
			msgs = append(msgs, e.String())
		}
		return nil, nil, invalid(strings.Join(msgs, "; "))
	}
	loader := gojsonschema.NewSchemaLoader()
	loader.Draft = gojsonschema.Draft7
	loader.AutoDetect = true
	s, err := loader.Compile(gojsonschema.NewRawLoader(doc))
	if err != nil {
		return nil, nil, invalid(err.Error())
	}
	return s, obj, nil
}

var (
	metaOnce sync.Once
	metaSch  *gojsonschema.Schema
	metaErr  error
)

// draft07Meta is draft-07's meta-schema, compiled once per process from
// the copy built into gojsonschema (it is never fetched).
func draft07Meta() (*gojsonschema.Schema, error) {
	metaOnce.Do(func() {
		loader := gojsonschema.NewSchemaLoader()
		loader.Draft = gojsonschema.Draft7
		metaSch, metaErr = loader.Compile(gojsonschema.NewReferenceLoader(Draft07))
		if metaErr != nil {
			metaErr = fmt.Errorf("compile draft-07's meta-schema (built into gojsonschema): %w", metaErr)
		}
	})
	return metaSch, metaErr
}

// literalKeywords hold data, not subschemas: a "$ref" inside them is a
// value, not a reference.
var literalKeywords = map[string]bool{"enum": true, "const": true, "examples": true, "default": true}

// checkRefs refuses any $ref that does not start with "#": gojsonschema
// would fetch such a reference over HTTP or from the working directory,
// and a conformance run must neither dial out nor depend on where it runs.
func checkRefs(node any, ptr string) error {
	switch v := node.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok && !strings.HasPrefix(ref, "#") {
			at := ptr
			if at == "" {
				at = "/"
			}
			return fmt.Errorf("$ref %q at %s points outside the file: keep each schema self-contained (use \"#/definitions/...\"), because the suite never fetches schemas", ref, at)
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys) // the first bad $ref reported is stable
		for _, k := range keys {
			if literalKeywords[k] {
				continue
			}
			if err := checkRefs(v[k], ptr+"/"+escapeToken(k)); err != nil {
				return err
			}
		}
	case []any:
		for i, item := range v {
			if err := checkRefs(item, fmt.Sprintf("%s/%d", ptr, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonKind names the JSON type of a decoded value for error messages.
func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	default:
		return fmt.Sprintf("%T", v)
	}
}
