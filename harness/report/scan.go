package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// Leak is a secret found in a file. It never holds the secret itself: the
// secret is named by its fingerprint.
type Leak struct {
	// File is the path of the file, under the scanned directory.
	File string `json:"file"`
	// Line is the 1-based line of the first occurrence.
	Line int `json:"line"`
	// Kind is "secret" (as is), "base64" (an encoded form), "url-encoded",
	// "escaped" (inside JSON, HTML or a quoted string; redact.EscapedForms),
	// "transformed" (upper- or lower-cased, or hex; redact.TransformedForms)
	// or "auth-header" (inside "Token <app>@<secret>").
	Kind string `json:"kind"`
	// Secret is KeyFingerprint of the secret that leaked.
	Secret string `json:"secret"`
}

// String reads as "reports/x/report.html:12: base64 form of key sha256:...".
func (l Leak) String() string {
	return fmt.Sprintf("%s:%d: %s form of key %s", l.File, l.Line, l.Kind, l.Secret)
}

// scanChunk is the most of a file the scan holds at once: files of any
// size are read to their end, a chunk at a time; a smaller file is read
// into a buffer of its own size.
const scanChunk = 4 << 20

// ScanDir checks every file under dir, at any depth, for each secret: as
// is, in each of its base64 forms (redact.Base64Forms), URL encoded, and
// inside an Authorization value "Token <anything>@<secret>". Secrets
// shorter than redact.MinSecretLen are ignored, as the redactor ignores
// them. It is the post-run check that no key reached a report, and the
// gate before an upload, so it fails closed: every file is read to its
// end; symlinks are followed, as an upload follows them; a file name that
// holds a key is a leak too; and what it cannot read through (a directory
// it cannot list, a file it cannot open, a broken link, a symlink loop, a
// pipe or device) is an error that names it. It goes on after an error,
// so every leak is reported. Files named in verified (paths under dir, as
// ScanDir names them) were already scanned in memory before they were
// written, and are passed over.
func ScanDir(dir string, secrets []string, verified ...string) ([]Leak, error) {
	w := &dirScan{sc: scannerOf(secrets), verified: verified, seen: map[string]bool{}}
	w.walk(dir, nil)
	return w.leaks, errors.Join(w.errs...)
}

// dirScan is the state of one ScanDir.
type dirScan struct {
	sc       *scanner
	verified []string
	seen     map[string]bool // real paths of the directories walked
	leaks    []Leak
	errs     []error
}

func (w *dirScan) fail(path, problem string, err error) {
	if err != nil {
		// The error's own text names the path again (an *fs.PathError),
		// and that name may hold a form of a key: it is redacted too,
		// with the error kept for errors.Is.
		w.errs = append(w.errs, fmt.Errorf("scan %s: %s: %w", w.sc.redactName(path), problem, &namedError{msg: w.sc.redactName(err.Error()), err: err}))
		return
	}
	w.errs = append(w.errs, fmt.Errorf("scan %s: %s", w.sc.redactName(path), problem))
}

// namedError is an error whose text had the forms of a key replaced; it
// unwraps to the error it was made from.
type namedError struct {
	msg string
	err error
}

func (e *namedError) Error() string { return e.msg }
func (e *namedError) Unwrap() error { return e.err }

// walk scans path; ancestors are the real paths of the directories above
// it, for telling a symlink loop from a second link to the same folder.
func (w *dirScan) walk(path string, ancestors []string) {
	w.leaks = append(w.leaks, w.sc.scanName(path)...)
	info, err := os.Lstat(path)
	if err != nil {
		w.fail(path, "cannot be read, so it could not be checked", err)
		return
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if info, err = os.Stat(path); err != nil {
			w.fail(path, "is a broken symlink or a symlink loop, so it could not be checked", err)
			return
		}
	}
	switch {
	case info.IsDir():
		w.walkDir(path, ancestors)
	case info.Mode().IsRegular():
		if slices.Contains(w.verified, path) || w.sc.empty() {
			return
		}
		leaks, err := w.sc.scanFile(path)
		w.leaks = append(w.leaks, leaks...)
		if err != nil {
			w.fail(path, "could not be read to its end", err)
		}
	default:
		w.fail(path, "is not a regular file (a pipe, socket or device), so it could not be checked", nil)
	}
}

func (w *dirScan) walkDir(path string, ancestors []string) {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		w.fail(path, "cannot be resolved, so it could not be checked", err)
		return
	}
	if slices.Contains(ancestors, real) {
		w.fail(path, "is a symlink loop (it leads back to "+w.sc.redactName(real)+")", nil)
		return
	}
	if w.seen[real] {
		return // a second link to a folder already scanned
	}
	w.seen[real] = true
	entries, err := os.ReadDir(path)
	if err != nil {
		// ReadDir returns what it read before the error: scan that too.
		w.fail(path, "cannot be listed, so it could not be checked", err)
	}
	for _, e := range entries {
		w.walk(filepath.Join(path, e.Name()), append(ancestors[:len(ancestors):len(ancestors)], real))
	}
}

// scanner looks for every form of a set of secrets.
type scanner struct {
	needles []needle
	// find says in one pass whether any needle's text occurs: a clean
	// file, the usual case, is then not searched once per needle. It
	// holds the exact texts only, never a LoosePattern's anchor: an
	// anchor is a run of a key's letters that may be a common word (the
	// replay stand-in's is "replay", on every line of a replay report),
	// and finding it must not send every exact needle through the file.
	find *redact.Finder
}

type needle struct {
	kind, fp string
	// text is the needle's exact form; for a loose needle, its anchor.
	text []byte
	re   *regexp.Regexp
	// loose is set on a LoosePattern needle: text is then an anchor,
	// not a form of the key.
	loose *redact.Loose
	// span is the longest text the needle matches.
	span int
}

// scanners holds the scanner of each set of secrets a process has asked
// for. Making one compiles a pattern for each form of each secret, which
// takes milliseconds, and a run scans with the same secrets twice: its
// report in memory before writing, then the report directory.
var scanners struct {
	mu sync.Mutex
	m  map[string]*scannerEntry
}

type scannerEntry struct {
	mu sync.Mutex
	sc *scanner
}

// scannerOf returns the scanner of secrets, made on first use. A build
// that panics leaves nothing behind: the next caller builds again, and
// meets the panic where it is caught and redacted.
func scannerOf(secrets []string) *scanner {
	key := strings.Join(secrets, "\x00")
	scanners.mu.Lock()
	if scanners.m == nil {
		scanners.m = map[string]*scannerEntry{}
	}
	e := scanners.m[key]
	if e == nil {
		e = &scannerEntry{}
		scanners.m[key] = e
	}
	scanners.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.sc == nil {
		e.sc = newScanner(secrets)
	}
	return e.sc
}

// PrepareScan starts making, on a goroutine, the scanner that Write and
// ScanDir will use for secrets, so that a run's report is not kept
// waiting for it: the suite calls it once its keys are known. A panic
// there is dropped, never printed (its message could quote a key): Write
// builds the scanner again, where a panic is caught and redacted.
func PrepareScan(secrets []string) {
	go func() {
		defer func() { _ = recover() }()
		scannerOf(secrets)
	}()
}

// newScanner builds the needles of secrets (the keys as given to the
// redactor, redact.Redactor.Keys): each key as is and inside a Token
// header; then, for the key and each of its base64 and escaped forms (the
// forms the redactor registers), that form, its own base64, escaped and
// transformed forms, and its loose pattern. So a Basic header's base64
// with "/" escaped, a JSON error quoted inside another JSON string, or a
// form shouted with the rest of a message are all found.
func newScanner(secrets []string) *scanner {
	sc := &scanner{}
	seen := map[string]bool{}
	add := func(kind, fp, text string) {
		if len(text) < redact.MinSecretLen || seen[text] {
			return
		}
		seen[text] = true
		sc.needles = append(sc.needles, needle{kind: kind, fp: fp, text: []byte(text)})
	}
	escapedKind := func(secret, form string) string {
		if form == url.QueryEscape(secret) || form == url.PathEscape(secret) {
			return "url-encoded"
		}
		return "escaped"
	}
	for _, s := range secrets {
		if len(s) < redact.MinSecretLen {
			continue
		}
		fp := KeyFingerprint(s)
		// A pattern of a key that is not valid UTF-8 does not compile
		// (and the error would quote the key): the key as is, a needle
		// of its own, is found all the same.
		if re, err := regexp.Compile(`Token\s+\S*@` + regexp.QuoteMeta(s)); err == nil {
			sc.needles = append(sc.needles, needle{kind: "auth-header", fp: fp, text: []byte(s), re: re})
		}
		type form struct{ kind, text string }
		forms := []form{{"secret", s}}
		for _, b := range redact.Base64Forms(s) {
			forms = append(forms, form{"base64", b})
		}
		for _, e := range redact.EscapedForms(s) {
			forms = append(forms, form{escapedKind(s, e), e})
		}
		loose := map[string]bool{}
		for _, f := range forms {
			add(f.kind, fp, f.text)
			for _, b := range redact.Base64Forms(f.text) {
				add("base64", fp, b)
			}
			for _, e := range redact.EscapedForms(f.text) {
				add(escapedKind(f.text, e), fp, e)
			}
			for _, t := range redact.TransformedForms(f.text) {
				add("transformed", fp, t)
			}
			if l := redact.NewLoose(f.text); l != nil && !loose[f.text] {
				// Escapes an encoder applied to some of the signs and not
				// others (\u002B beside a bare "/"), found around the run
				// of letters and digits that none of them changes.
				loose[f.text] = true
				sc.needles = append(sc.needles, needle{kind: "escaped", fp: fp, text: []byte(l.Anchor()), loose: l, span: l.MaxLen()})
			}
		}
	}
	var texts []string
	for i, n := range sc.needles {
		if n.span == 0 {
			sc.needles[i].span = len(n.text)
		}
		if n.loose == nil {
			texts = append(texts, string(n.text))
		}
	}
	sc.find = redact.NewFinder(texts)
	return sc
}

func (sc *scanner) empty() bool { return len(sc.needles) == 0 }

// scan returns the leaks in data, the content of file.
func (sc *scanner) scan(file string, data []byte) []Leak {
	var leaks []Leak
	for _, h := range sc.scanIndexed(data) {
		n := sc.needles[h.needle]
		leaks = append(leaks, Leak{File: file, Line: 1 + bytes.Count(data[:h.at], []byte("\n")), Kind: n.kind, Secret: n.fp})
	}
	return leaks
}

// hit is where needle (an index into scanner.needles) first occurs.
type hit struct{ needle, at int }

// scanIndexed returns the first occurrence of each needle in data.
func (sc *scanner) scanIndexed(data []byte) []hit {
	// exact: some exact form of some key occurs, so each is looked for.
	exact := sc.find.In(data)
	var hits []hit
	for i, n := range sc.needles {
		at := -1
		switch {
		case n.loose != nil:
			at = n.loose.Index(data)
		case !exact:
			continue
		case n.re != nil:
			// The pattern holds the key itself: where the key is
			// absent the costly scan is skipped.
			if !bytes.Contains(data, n.text) {
				continue
			}
			if loc := n.re.FindIndex(data); loc != nil {
				at = loc[0]
			}
		default:
			at = bytes.Index(data, n.text)
		}
		if at >= 0 {
			hits = append(hits, hit{i, at})
		}
	}
	return hits
}

// scanFile reads the file at path to its end.
func (sc *scanner) scanFile(path string) ([]Leak, error) {
	f, err := os.Open(path) // #nosec G304 -- scanning the report directory the caller named
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	chunk := scanChunk
	if info, err := f.Stat(); err == nil && info.Size() < int64(chunk) {
		// One byte more than the file, so that the first read meets its
		// end; a file that grows meanwhile is still read to its end.
		chunk = int(info.Size()) + 1
	}
	return sc.scanReader(path, f, chunk)
}

// scanReader scans r, named file, chunk bytes at a time. Each chunk
// begins with the last bytes of the one before, as many as the longest
// needle less one, so that a needle split between two reads is found;
// each needle is reported once per file, where it first occurs.
func (sc *scanner) scanReader(file string, r io.Reader, chunk int) ([]Leak, error) {
	overlap := 0
	for _, n := range sc.needles {
		overlap = max(overlap, n.span-1)
	}
	var (
		leaks []Leak
		found = map[int]bool{}
		buf   = make([]byte, 0, chunk+overlap)
		lines int // newlines before buf
	)
	for {
		n, err := io.ReadFull(r, buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		for _, h := range sc.scanIndexed(buf) {
			if !found[h.needle] {
				found[h.needle] = true
				leaks = append(leaks, Leak{File: sc.redactName(file), Line: lines + 1 + bytes.Count(buf[:h.at], []byte("\n")), Kind: sc.needles[h.needle].kind, Secret: sc.needles[h.needle].fp})
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return leaks, nil
		}
		if err != nil {
			return leaks, err
		}
		keep := min(overlap, len(buf))
		lines += bytes.Count(buf[:len(buf)-keep], []byte("\n"))
		buf = append(buf[:0], buf[len(buf)-keep:]...)
	}
}

// scanName reports a key in the name of path (a file named after a key
// is published with its name).
func (sc *scanner) scanName(path string) []Leak {
	var leaks []Leak
	for _, l := range sc.scan(path, []byte(path)) {
		l.File, l.Kind, l.Line = sc.redactName(path), "file-name "+l.Kind, 0
		leaks = append(leaks, l)
	}
	return leaks
}

// redactName is path with every form of every secret replaced, for
// naming a file in a leak report or an error without printing the key.
func (sc *scanner) redactName(path string) string {
	if len(sc.scanIndexed([]byte(path))) == 0 {
		return path
	}
	// Every form the scanner finds, and the forms Add derives of each,
	// so that the name printed in a leak report shows none of them.
	r := redact.New()
	for _, n := range sc.needles {
		if n.loose == nil {
			r.Add(string(n.text), "<key "+n.fp+">")
		}
	}
	return r.String(path)
}
