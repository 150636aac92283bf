package cassette

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// Errors a cassette operation wraps; test them with errors.Is.
var (
	// ErrCassetteMissing means the requirement has no cassette file yet.
	ErrCassetteMissing = errors.New("cassette missing")
	// ErrCassetteCorrupt means the file exists but is not a usable cassette
	// (not YAML, truncated, hand-edited into an invalid state, or of a
	// go-vcr format version other than 2). An unknown version also
	// wraps go-vcr's cassette.ErrUnsupportedCassetteFormat.
	ErrCassetteCorrupt = errors.New("cassette corrupt")
	// ErrInteractionMissing means a replayed request has no recorded
	// answer left; the error is a *MissError.
	ErrInteractionMissing = errors.New("no recorded interaction for request")
)

// File is a cassette as stored on disk: the suite's meta and go-vcr's
// interactions, for the report and for comparing recordings.
type File struct {
	// Path is the file the cassette was read from.
	Path string
	// Meta is the `meta:` mapping (zero for a plain go-vcr cassette).
	Meta Meta
	// Version is go-vcr's cassette format version (always 2 once loaded).
	Version int
	// Interactions are the recorded request/response pairs in file order.
	Interactions []*cassette.Interaction
}

// document is the YAML layout of a cassette file. Field order is the
// order written: meta first, so a reader sees the provenance first.
type document struct {
	Meta         *Meta                   `yaml:"meta,omitempty"`
	Version      int                     `yaml:"version"`
	Interactions []*cassette.Interaction `yaml:"interactions"`
}

// LoadFile reads and checks the cassette at path (a `.yaml` file). A
// missing file wraps ErrCassetteMissing; a file that is not a usable
// cassette wraps ErrCassetteCorrupt. Both errors name the file and the
// command that re-records it. The file is never modified.
//
// LoadFile always parses the YAML, which is the source of truth; a
// Library's replay reads parsed cassettes from its cache instead (see
// Options.Cache) when the file's bytes are unchanged.
func LoadFile(path string) (*File, error) {
	data, err := readCassette(path)
	if err != nil {
		return nil, err
	}
	return parseFile(path, data)
}

// readCassette reads the bytes of the cassette at path; a missing file
// wraps ErrCassetteMissing and names the command that records it.
func readCassette(path string) ([]byte, error) {
	data, err := os.ReadFile(path) //nolint:gosec // reading the cassette the caller names is the point
	if err != nil {
		return nil, readError(path, err)
	}
	return data, nil
}

// hashCassette returns the SHA-256 of the cassette at path, read a block
// at a time; errors are readCassette's.
func hashCassette(path string) ([]byte, error) {
	f, err := os.Open(path) //nolint:gosec // reading the cassette the caller names is the point
	if err != nil {
		return nil, readError(path, err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	buf := hashBuffers.Get().(*[]byte)
	defer hashBuffers.Put(buf)
	if _, err := io.CopyBuffer(h, struct{ io.Reader }{f}, *buf); err != nil {
		return nil, readError(path, err)
	}
	return h.Sum(nil), nil
}

// hashBuffers are hashCassette's read buffers, shared by the goroutines
// that load cassettes side by side.
var hashBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// readError is the error of a cassette that cannot be read: a missing
// file wraps ErrCassetteMissing and names the command that records it.
func readError(path string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist; record it with `%s`",
			ErrCassetteMissing, path, RecordCommand(idFromPath(path)))
	}
	return fmt.Errorf("read cassette %s: %w", path, err)
}

// idFromPath guesses the requirement ID from a cassette path, for the
// re-record command in an error.
func idFromPath(path string) string {
	return strings.TrimSuffix(filepath.Base(path), ".yaml")
}

// parseFile decodes and validates the bytes of a cassette. It never
// panics: a decoder panic on hostile input is turned into an
// ErrCassetteCorrupt error, because a bad file must fail one spec, not
// the whole run.
func parseFile(path string, data []byte) (f *File, err error) {
	defer func() {
		if p := recover(); p != nil {
			f, err = nil, corrupt(path, fmt.Errorf("YAML decoder failed: %v", p))
		}
	}()
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, corrupt(path, errors.New("the file is empty"))
	}
	var doc document
	dec := yaml.NewDecoder(bytes.NewReader(data))
	// Unknown keys are refused: a misspelt key in a hand edit (a
	// "response:" with a letter missing) would otherwise replay an empty
	// answer silently.
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, corrupt(path, fmt.Errorf("not a YAML cassette: %w", err))
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, corrupt(path, errors.New("more than one YAML document in the file"))
	}
	f = &File{Path: path, Version: doc.Version, Interactions: doc.Interactions}
	if doc.Meta != nil {
		f.Meta = *doc.Meta
	}
	if err := checkContent(f); err != nil {
		return nil, err
	}
	return f, nil
}

// checkContent is the validation of a decoded cassette that does not
// depend on the YAML text: the version, the interaction count and each
// interaction. It runs on every parse and again on every entry read from
// the parsed-cassette cache, so a damaged or forged entry cannot bring in
// what the YAML parse would have refused. A change to these rules or to
// parseFile's must bump cacheFormat.
func checkContent(f *File) error {
	if f.Version != cassette.CassetteFormatV2 {
		return corrupt(f.Path, fmt.Errorf("format version %d (%w)", f.Version, cassette.ErrUnsupportedCassetteFormat))
	}
	if n := f.Meta.InteractionCount; n != 0 && n != len(f.Interactions) {
		return corrupt(f.Path, fmt.Errorf("meta.interactionCount is %d but the file holds %d interactions (truncated or edited)", n, len(f.Interactions)))
	}
	for i, it := range f.Interactions {
		if err := checkInteraction(it); err != nil {
			return corrupt(f.Path, fmt.Errorf("interactions[%d]: %w", i, err))
		}
	}
	return nil
}

// checkInteraction refuses an interaction that replay could not serve
// faithfully.
func checkInteraction(it *cassette.Interaction) error {
	if it == nil {
		return errors.New("empty interaction")
	}
	if it.Request.Method == "" || strings.ContainsAny(it.Request.Method, " \t\r\n") {
		return fmt.Errorf("request.method %q is not an HTTP method", it.Request.Method)
	}
	u, err := url.Parse(it.Request.URL)
	if err != nil {
		return fmt.Errorf("request.url: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("request.url %q is not an absolute http(s) URL", it.Request.URL)
	}
	if it.Response.Code < 100 || it.Response.Code > 599 {
		return fmt.Errorf("response.code %d is not an HTTP status", it.Response.Code)
	}
	return nil
}

// corrupt wraps ErrCassetteCorrupt and the cause, naming the file and the
// fix.
func corrupt(path string, cause error) error {
	return fmt.Errorf("%w: %s: %w; re-record it with `%s` (the file was left as it is)",
		ErrCassetteCorrupt, path, cause, RecordCommand(idFromPath(path)))
}
