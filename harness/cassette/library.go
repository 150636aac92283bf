// Package cassette records the suite's HTTP exchanges into go-vcr v3
// cassettes, one file per requirement (cassettes/AUTH-001.yaml), and
// replays them without touching the network.
//
// Replay matches a request on its method, scheme, path, query, canonical
// JSON body and the shape of its Authorization header, all redacted, and
// never on host or port. Because the key is redacted on both sides, each
// auth variant (no header, the valid key, a wrong fixture key, a
// malformed header...) replays its own answer while no key is stored.
//
// Recording goes through go-vcr's recorder into a temporary file; the
// cassette is replaced only when the spec passed, so a failed or
// interrupted recording leaves the previous cassette byte for byte.
//
// Replay keeps each parsed cassette in a cache between runs (Options.Cache,
// WINSTON_CASSETTE_CACHE), keyed by the SHA-256 of the YAML, so a run whose
// cassettes did not change skips the YAML parse, most of what loading
// costs. The YAML stays the source of truth: a changed, damaged or
// unreadable entry only means the YAML is parsed again.
//
// Use: one Library per run (Open), one Session per spec (Library.Session),
// put Session.RoundTripper in the client's transport chain, and call
// Session.Finish with the spec's outcome (DeferCleanup).
package cassette

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Mode says whether a Library replays or records.
type Mode string

// Modes of a Library.
const (
	// ModeReplay answers every request from the cassettes; nothing
	// reaches the network.
	ModeReplay Mode = "replay"
	// ModeRecord sends every request through Options.RealTransport and
	// writes what came back to the cassette when the spec passes.
	ModeRecord Mode = "record"
)

// Options configure a Library.
type Options struct {
	// Dir is the cassette directory (the repository's cassettes/). In
	// replay it must exist; in record it is created if missing.
	Dir string
	// Mode is ModeReplay or ModeRecord.
	Mode Mode
	// Redactor redacts everything stored and every match key; the API
	// keys must be registered with it (<WINSTON_API_KEY>,
	// <WINSTON_API_KEY_2>). Nil means redact.Global().
	Redactor *redact.Redactor
	// RealTransport carries recorded requests to the network (record
	// only; required there, ignored in replay).
	RealTransport http.RoundTripper
	// Meta is the template of each recording's meta (record only):
	// Source is required; Requirement and InteractionCount are set per
	// session, RecordedAt too unless the template sets it.
	Meta Meta
	// Cache is where replay keeps parsed cassettes between runs, so a
	// run whose cassettes did not change skips the YAML parse: CacheOff
	// ("off") switches it off, an absolute directory puts it there, and
	// "" takes WINSTON_CASSETTE_CACHE (CacheEnv), else
	// os.UserCacheDir()/winston-conformance/cassettes. The cache is
	// derived data, safe to delete at any time; see parsedCache. It must
	// be a directory only you can write: an entry is trusted to hold
	// what the YAML of the same hash held.
	Cache string
}

// idPattern is the requirement ID form of the catalogue ("AUTH-001"). It
// also keeps a cassette name from leaving Dir.
var idPattern = regexp.MustCompile(`^[A-Z]+-[0-9]{3}$`)

// Library is the cassette directory for one run. It keeps each replayed
// cassette and its index, so a file is read and indexed once per run
// however many sessions use it. A Library is safe for concurrent use.
type Library struct {
	dir  string
	mode Mode
	red  *redact.Redactor
	real http.RoundTripper
	meta Meta
	now  func() time.Time
	// parsed is the cache of parsed cassettes across runs.
	parsed parsedCache

	mu     sync.Mutex
	loaded map[string]*loading
}

// openSessions holds the cassette files that have an open session in
// this process. It is process-wide, not per Library, because two
// libraries on the same directory would otherwise record the same ID
// into the same temporary file.
var openSessions = struct {
	mu    sync.Mutex
	files map[string]bool
}{files: map[string]bool{}}

// Open checks opts and returns a Library. The error names the option
// that is wrong and how to fix it.
func Open(opts Options) (*Library, error) {
	if opts.Dir == "" {
		return nil, errors.New("cassette: Options.Dir is empty: set it to the cassette directory (cassettes/)")
	}
	red := opts.Redactor
	if red == nil {
		red = redact.Global()
	}
	cacheDir, err := resolveCache(opts.Cache)
	if err != nil {
		return nil, err
	}
	l := &Library{
		dir: opts.Dir, mode: opts.Mode, red: red, now: time.Now,
		parsed: parsedCache{dir: cacheDir},
		loaded: map[string]*loading{},
	}
	switch opts.Mode {
	case ModeReplay:
		st, err := os.Stat(opts.Dir)
		if err != nil {
			return nil, fmt.Errorf("cassette: replay needs the cassette directory %s: %w; record the cassettes with `make record`", opts.Dir, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("cassette: Options.Dir %s is not a directory", opts.Dir)
		}
	case ModeRecord:
		if opts.RealTransport == nil {
			return nil, errors.New("cassette: Options.RealTransport is nil: recording needs the network transport the requests go out on")
		}
		meta, err := validateTemplate(opts.Meta)
		if err != nil {
			return nil, err
		}
		meta.Target = red.String(meta.Target)
		l.real, l.meta = opts.RealTransport, meta
		if err := checkWritable(opts.Dir); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("cassette: Options.Mode %q is not a mode: use %q or %q", opts.Mode, ModeReplay, ModeRecord)
	}
	return l, nil
}

// checkWritable creates dir if needed and proves a file can be created
// in it, so a read-only checkout fails at start-up, not after a spec ran.
func checkWritable(dir string) error {
	// 0755: the cassette directory is part of the repository checkout.
	if err := os.MkdirAll(dir, 0o755); err != nil { //nolint:gosec // see above
		return fmt.Errorf("cassette: create cassette directory %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("cassette: cassette directory %s is not writable: %w", dir, err)
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		return fmt.Errorf("cassette: write check in %s: %w", dir, err)
	}
	return removeIfExists(name)
}

// Mode is the Library's mode.
func (l *Library) Mode() Mode { return l.mode }

// Path is the cassette file of reqID (<Dir>/<ID>.yaml).
func (l *Library) Path(reqID string) string {
	return filepath.Join(l.dir, reqID+".yaml")
}

// Session starts the cassette session of one spec. In replay it loads and
// indexes <Dir>/<reqID>.yaml (once per Library) and fails with
// ErrCassetteMissing or ErrCassetteCorrupt when it cannot be used; each
// session replays the cassette from its start. In record it prepares a
// recorder writing to a temporary file. Only one session per ID may be
// open at a time, in either mode: a requirement is one spec. Call Finish
// to end it.
func (l *Library) Session(reqID string) (*Session, error) {
	if !idPattern.MatchString(reqID) {
		return nil, fmt.Errorf("cassette: requirement ID %q is not of the form AUTH-001 (capital letters, a dash, three digits)", reqID)
	}
	if err := l.claim(reqID); err != nil {
		return nil, err
	}
	var (
		s   *Session
		err error
	)
	if l.mode == ModeRecord {
		s, err = l.recordSession(reqID)
	} else {
		s, err = l.replaySession(reqID)
	}
	if err != nil {
		l.release(reqID)
		return nil, l.red.Error(err)
	}
	return s, nil
}

// claim marks reqID's cassette as having an open session.
func (l *Library) claim(reqID string) error {
	key := l.sessionKey(reqID)
	openSessions.mu.Lock()
	defer openSessions.mu.Unlock()
	if openSessions.files[key] {
		return fmt.Errorf("cassette: a session for %s (%s) is already open: a requirement is one spec, so two specs may not share an ID; finish the first session (Session.Finish) before starting another", reqID, l.Path(reqID))
	}
	openSessions.files[key] = true
	return nil
}

// release ends reqID's open session.
func (l *Library) release(reqID string) {
	key := l.sessionKey(reqID)
	openSessions.mu.Lock()
	defer openSessions.mu.Unlock()
	delete(openSessions.files, key)
}

// sessionKey identifies a cassette file across libraries: the absolute
// path when it can be had, the joined path otherwise.
func (l *Library) sessionKey(reqID string) string {
	p := l.Path(reqID)
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// Session is the cassette of one spec while the spec runs. Its methods
// are safe for concurrent use.
type Session struct {
	lib  *Library
	id   string
	file string
	meta Meta

	mu       sync.Mutex
	finished bool

	rec    *recording // record mode
	replay *replayer  // replay mode
}

// RoundTripper is the session's place in the client's transport chain.
// In replay it answers from the cassette and never dials; in record it
// sends through Options.RealTransport and records. After Finish every
// request fails.
func (s *Session) RoundTripper() http.RoundTripper {
	if s.rec != nil {
		return s.rec
	}
	return s.replay
}

// Meta is the cassette's meta: in replay the loaded file's, in record the
// one that will be written.
func (s *Session) Meta() Meta { return s.meta }

// File is the cassette's path, for evidence and failure messages.
func (s *Session) File() string { return s.file }

// Finish ends the session. In record, passed=true replaces the cassette
// with the recording and passed=false discards it, leaving the old
// cassette as it was; on error the old cassette is kept too. In replay it
// only closes the session. Later calls do nothing and return nil.
func (s *Session) Finish(passed bool) error {
	s.mu.Lock()
	if s.finished {
		s.mu.Unlock()
		return nil
	}
	s.finished = true
	s.mu.Unlock()
	defer s.lib.release(s.id)
	if s.rec == nil {
		return nil
	}
	return s.lib.red.Error(s.rec.finish(passed))
}

// isFinished reports whether Finish was called.
func (s *Session) isFinished() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.finished
}

// errFinished is returned for a request made through a finished session.
func (s *Session) errFinished() error {
	return fmt.Errorf("cassette %s: the session of %s is finished; a spec's requests must end before Session.Finish", s.file, s.id)
}
