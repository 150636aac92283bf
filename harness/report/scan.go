package report

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"

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
	// "escaped" (inside JSON, HTML or a quoted string; redact.EscapedForms)
	// or "auth-header" (inside "Token <app>@<secret>").
	Kind string `json:"kind"`
	// Secret is KeyFingerprint of the secret that leaked.
	Secret string `json:"secret"`
}

// String reads as "reports/x/report.html:12: base64 form of key sha256:...".
func (l Leak) String() string {
	return fmt.Sprintf("%s:%d: %s form of key %s", l.File, l.Line, l.Kind, l.Secret)
}

// maxScanBytes bounds the part of one file the scan reads; report files
// are far smaller, and a larger file is scanned in its first part only.
const maxScanBytes = 256 << 20

// ScanDir checks every regular file under dir, at any depth, for each
// secret: as is, in each of its base64 forms (redact.Base64Forms), URL
// encoded, and inside an Authorization value "Token <anything>@<secret>".
// Secrets shorter than redact.MinSecretLen are ignored, as the redactor
// ignores them. It is the post-run check that no key reached a report.
// Files named in verified (paths under dir, as ScanDir names them) were
// already scanned in memory before they were written, and are passed over.
func ScanDir(dir string, secrets []string, verified ...string) ([]Leak, error) {
	sc := newScanner(secrets)
	var leaks []Leak
	err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("scan %s: %w", path, err)
		}
		if !entry.Type().IsRegular() || slices.Contains(verified, path) {
			return nil
		}
		if sc.empty() {
			return nil
		}
		data, err := readPrefix(path, maxScanBytes)
		if err != nil {
			return fmt.Errorf("scan %s: %w", path, err)
		}
		leaks = append(leaks, sc.scan(path, data)...)
		return nil
	})
	if err != nil {
		return leaks, err
	}
	return leaks, nil
}

// scanner looks for every form of a set of secrets.
type scanner struct {
	needles []needle
	// find says in one pass whether any needle occurs: a clean file,
	// the usual case, is then not searched once per needle.
	find *redact.Finder
}

type needle struct {
	kind, fp string
	text     []byte
	re       *regexp.Regexp
}

func newScanner(secrets []string) *scanner {
	sc := &scanner{}
	for _, s := range secrets {
		if len(s) < redact.MinSecretLen {
			continue
		}
		fp := KeyFingerprint(s)
		sc.needles = append(sc.needles, needle{kind: "secret", fp: fp, text: []byte(s)})
		sc.needles = append(sc.needles, needle{kind: "auth-header", fp: fp, text: []byte(s), re: regexp.MustCompile(`Token\s+\S*@` + regexp.QuoteMeta(s))})
		for _, form := range redact.Base64Forms(s) {
			sc.needles = append(sc.needles, needle{kind: "base64", fp: fp, text: []byte(form)})
		}
		for _, form := range redact.EscapedForms(s) {
			kind := "escaped"
			if form == url.QueryEscape(s) || form == url.PathEscape(s) {
				kind = "url-encoded"
			}
			sc.needles = append(sc.needles, needle{kind: kind, fp: fp, text: []byte(form)})
		}
	}
	texts := make([]string, len(sc.needles))
	for i, n := range sc.needles {
		texts[i] = string(n.text)
	}
	sc.find = redact.NewFinder(texts)
	return sc
}

func (sc *scanner) empty() bool { return len(sc.needles) == 0 }

// scan returns the leaks in data, the content of file.
func (sc *scanner) scan(file string, data []byte) []Leak {
	if !sc.find.In(data) {
		return nil
	}
	var leaks []Leak
	for _, n := range sc.needles {
		at := -1
		if n.re != nil {
			// The pattern holds the key itself: where the key is
			// absent (almost always) the costly scan is skipped.
			if !bytes.Contains(data, n.text) {
				continue
			}
			if loc := n.re.FindIndex(data); loc != nil {
				at = loc[0]
			}
		} else {
			at = bytes.Index(data, n.text)
		}
		if at >= 0 {
			leaks = append(leaks, Leak{File: file, Line: 1 + bytes.Count(data[:at], []byte("\n")), Kind: n.kind, Secret: n.fp})
		}
	}
	return leaks
}

func readPrefix(path string, n int64) ([]byte, error) {
	f, err := os.Open(path) // #nosec G304 -- scanning the report directory the caller named
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	return io.ReadAll(io.LimitReader(f, n))
}
