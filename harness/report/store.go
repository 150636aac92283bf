package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/winston-conformance/winston-conformance/harness/redact"
)

// File names in a report directory.
const (
	JSONFile     = "report.json"
	JUnitFile    = "junit.xml"
	MarkdownFile = "report.md"
	HTMLFile     = "report.html"
	CompareFile  = "compare.md"
)

// reportFiles are the files of one run; an earlier run's set is moved
// aside, never overwritten, when a new report is written to its directory.
var reportFiles = []string{JSONFile, JUnitFile, MarkdownFile, HTMLFile, CompareFile, FailedAfterFile}

// FailedAfterFile is written beside a report when the run failed after
// the report was written: the secret scan of the report directory (or,
// recording, of the cassettes) found a key, or could not read all of it.
// The report itself may say pass; the verdict command reads this file and
// never lets such a run pass.
const FailedAfterFile = "RUN-FAILED.txt"

// WriteFailedAfter writes FailedAfterFile into dir with why (redacted).
func WriteFailedAfter(dir, why string) error {
	return os.WriteFile(filepath.Join(dir, FailedAfterFile), []byte(redact.Global().String(why)+"\n"), 0o644) // #nosec G306 -- beside the report, which is meant to be read
}

// ErrReportVersion is wrapped by ReadDocument when a file is a report of
// another schema version.
var ErrReportVersion = errors.New("report of another schema version")

// ErrReportCorrupt is wrapped by ReadDocument when a file is not a report
// document (not JSON, or no schemaVersion).
var ErrReportCorrupt = errors.New("not a readable report document")

// Write renders the document into dir as report.json, junit.xml, report.md
// and report.html (history, earlier runs' documents, feeds the HTML trend
// chart). Every byte passes through redact.Global(), and each file is then
// scanned for every form of a registered secret: a find keeps that file
// off disk and returns ErrSecretLeak. Each file is written atomically (a
// temporary file renamed into place; synced first, except for a replay
// run's, which the same replay writes again). If dir already holds a
// report, its files are first moved into a subfolder named after that
// run's start time: writing a report never deletes an earlier one.
func (d *Document) Write(dir string, history []*Document) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("write report: create directory %s: %w", dir, err)
	}
	if err := archivePrevious(dir); err != nil {
		return err
	}
	renderers := []struct {
		name   string
		render func() ([]byte, error)
	}{
		// report.json first: it is rendered on this goroutine; the
		// others start on goroutines in this order.
		{JSONFile, d.renderJSON},
		{HTMLFile, func() ([]byte, error) { return d.renderHTML(history) }},
		{JUnitFile, d.renderJUnit},
		{MarkdownFile, d.renderMarkdown},
	}
	// A replayed run's report is not synced to disk: replaying the same
	// cassettes writes the same report again, so waiting for the disk
	// would buy nothing but time. Live and recorded runs' reports are.
	durable := d.Mode != "replay"
	// The renderers only read the document, so they run side by side.
	// report.json, the longest to render, is rendered here while the
	// others start on goroutines, report.html (the next longest) first:
	// started on a goroutine of its own, report.json waited for a free
	// core behind the others and was the last file written.
	sc := scannerOf(redact.Global().Keys())
	errs := make([]error, len(renderers))
	write := func(i int) {
		r := renderers[i]
		data, err := r.render()
		if err == nil {
			err = writeAtomic(dir, r.name, data, sc, durable)
		}
		if err != nil {
			errs[i] = fmt.Errorf("write report %s: %w", filepath.Join(dir, r.name), redact.Global().Error(err))
		}
	}
	var wg sync.WaitGroup
	for i := 1; i < len(renderers); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			write(i)
		}()
	}
	write(0)
	wg.Wait()
	return errors.Join(errs...)
}

// Written lists the files Write puts in dir, which it has scanned for
// secrets before writing them (see ScanDir's verified).
func Written(dir string) []string {
	return []string{filepath.Join(dir, JSONFile), filepath.Join(dir, JUnitFile), filepath.Join(dir, MarkdownFile), filepath.Join(dir, HTMLFile)}
}

// jsonLineDepth is how deep report.json breaks lines: each top-level
// field, and each requirement, coverage row or other element of a
// top-level container, on a line of its own.
const jsonLineDepth = 2

// renderJSON lays report.json out as indentShallow(compact JSON of d,
// jsonLineDepth) does, but encodes the requirements (nearly all of the
// bytes: their evidence) one by one and copies each onto its line as it
// is, since everything inside a requirement stays compact: one pass over
// the evidence instead of encoding it into a buffer grown step by step,
// copying it out, and scanning it again to break the lines.
func (d *Document) renderJSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	head := *d
	head.Requirements = nil
	if err := enc.Encode(&head); err != nil {
		return nil, fmt.Errorf("encode report.json: %w", err)
	}
	layout := indentShallow(buf.Bytes(), jsonLineDepth)
	if d.Requirements == nil {
		return layout, nil
	}
	// A top-level member starts a line indented by two spaces; deeper
	// lines start with four, and no string holds a raw newline.
	at := bytes.Index(layout, []byte(requirementsLine))
	if at < 0 {
		return nil, errors.New("encode report.json: no requirements member at the top level")
	}
	buf.Reset()
	ends := make([]int, len(d.Requirements))
	for i := range d.Requirements {
		if err := enc.Encode(&d.Requirements[i]); err != nil {
			return nil, fmt.Errorf("encode report.json: requirement %s: %w", d.Requirements[i].ID, err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		ends[i] = buf.Len()
	}
	reqs := buf.Bytes()
	rest := layout[at+len(requirementsLine):]
	out := make([]byte, 0, len(layout)+len(reqs)+len(ends)*len(requirementSep)+8)
	out = append(out, layout[:at+len(requirementsLine)-len("null")]...)
	if len(ends) == 0 {
		out = append(out, "[]"...)
	} else {
		out = append(out, '[')
		start := 0
		for i, end := range ends {
			if i > 0 {
				out = append(out, ',')
			}
			out = append(out, requirementSep...)
			out = append(out, reqs[start:end]...)
			start = end
		}
		out = append(out, "\n  ]"...)
	}
	return append(out, rest...), nil
}

// requirementsLine is the requirements member of report.json, laid out by
// indentShallow, when the list is left out (null); requirementSep starts
// each requirement's line.
const (
	requirementsLine = "\n  \"requirements\": null"
	requirementSep   = "\n    "
)

// indentShallow lays out compact JSON with the members of containers
// opened above depth on lines of their own, indented by two spaces per
// level, and leaves deeper containers compact: one line per requirement
// reads and diffs well, and costs a fraction of indenting every value.
func indentShallow(compact []byte, depth int) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/16)
	newline := func(level int) {
		out = append(out, '\n')
		for range level {
			out = append(out, ' ', ' ')
		}
	}
	level, inString := 0, false
	for i := 0; i < len(compact); i++ {
		c := compact[i]
		if inString {
			// Most of the text is strings (evidence bodies): copy each
			// up to its closing quote at once.
			end := stringEnd(compact, i)
			out = append(out, compact[i:end]...)
			i, inString = end-1, false
			continue
		}
		switch c {
		case '"':
			inString = true
			out = append(out, c)
		case '{', '[':
			out = append(out, c)
			level++
			empty := i+1 < len(compact) && (compact[i+1] == '}' || compact[i+1] == ']')
			if level <= depth && !empty {
				newline(level)
			}
		case '}', ']':
			if level <= depth && compact[i-1] != '{' && compact[i-1] != '[' {
				newline(level - 1)
			}
			level--
			out = append(out, c)
		case ',':
			out = append(out, c)
			if level <= depth {
				newline(level)
			}
		case ':':
			out = append(out, c)
			if level <= depth {
				out = append(out, ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return out
}

// stringEnd is the index just past the quote that closes the JSON string
// whose contents start at b[i] (len(b) if none does): the first quote
// not escaped by an odd run of backslashes.
func stringEnd(b []byte, i int) int {
	for j := i; ; {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return len(b)
		}
		k += j
		escapes := 0
		for p := k - 1; p >= i && b[p] == '\\'; p-- {
			escapes++
		}
		if escapes%2 == 0 {
			return k + 1
		}
		j = k + 1
	}
}

// ErrSecretLeak is wrapped by Write when a rendered file still holds a
// form of a secret after redaction; such a file is never written.
var ErrSecretLeak = errors.New("SECRET LEAK")

// writeAtomic writes data, redacted, to dir/name through a temporary file
// in the same directory, so a reader never sees half a file. The redacted
// bytes are scanned by sc first: a form of a secret the redactor missed
// (a bug) stops the file from reaching disk at all. A durable file is
// synced to disk before it is renamed into place.
func writeAtomic(dir, name string, data []byte, sc *scanner, durable bool) error {
	data = redact.Global().Bytes(data)
	if leaks := sc.scan(name, data); len(leaks) > 0 {
		return fmt.Errorf("%w: %s holds a %s form of key %s after redaction (line %d); the file was not written: report this as a bug",
			ErrSecretLeak, name, leaks[0].Kind, leaks[0].Secret, leaks[0].Line)
	}
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return fmt.Errorf("create temporary file: %w", err)
	}
	_, werr := tmp.Write(data)
	if werr == nil && durable {
		werr = tmp.Sync()
	}
	cerr := tmp.Close()
	if werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Chmod(tmp.Name(), 0o644) // #nosec G302 -- reports are meant to be read and attached
	}
	if werr == nil {
		werr = os.Rename(tmp.Name(), filepath.Join(dir, name))
	}
	if werr != nil {
		_ = os.Remove(tmp.Name()) // the temporary file only; never a report
		return fmt.Errorf("write %s: %w", name, werr)
	}
	return nil
}

// archivePrevious moves an earlier run's files into a subfolder named after
// its start time (20261121-120000; the file's modification time when the
// old report.json cannot be read).
func archivePrevious(dir string) error {
	return KeepEarlier(dir, reportFiles, "report", func() time.Time {
		if old, err := ReadDocument(filepath.Join(dir, JSONFile)); err == nil {
			return old.Run.Start
		}
		return time.Time{}
	})
}

// KeepEarlier moves those of names (files or folders of dir) that exist
// into a new subfolder of dir named after the earlier run's start
// (20261121-120000, then -2, -3, ... when that is taken), so that a new
// run never deletes an earlier one's results. start is asked only when
// something is there to keep; when it gives the zero time, the
// modification time of the first name present stands for it. what names
// the earlier results in an error ("report", "selfcheck").
func KeepEarlier(dir string, names []string, what string, start func() time.Time) error {
	var present []string
	var first time.Time
	for _, name := range names {
		if slices.Contains(present, name) {
			continue
		}
		if info, err := os.Stat(filepath.Join(dir, name)); err == nil {
			if len(present) == 0 {
				first = info.ModTime()
			}
			present = append(present, name)
		}
	}
	if len(present) == 0 {
		return nil
	}
	at := start()
	if at.IsZero() {
		at = first
	}
	base := at.UTC().Format("20060102-150405")
	sub := filepath.Join(dir, base)
	for i := 2; ; i++ {
		if _, err := os.Stat(sub); errors.Is(err, fs.ErrNotExist) {
			break
		}
		sub = filepath.Join(dir, fmt.Sprintf("%s-%d", base, i))
	}
	if err := os.Mkdir(sub, 0o750); err != nil {
		return fmt.Errorf("keep the earlier %s in %s: %w", what, sub, err)
	}
	for _, name := range present {
		if err := os.Rename(filepath.Join(dir, name), filepath.Join(sub, name)); err != nil {
			return fmt.Errorf("keep the earlier %s: move %s into %s: %w", what, name, sub, err)
		}
	}
	return nil
}

// JSONPath accepts a report directory or a report.json path and returns
// the report.json path. A path that does not exist is taken for a
// directory unless it names a .json file, so that the error of reading it
// names the report.json that was looked for.
func JSONPath(dirOrFile string) string {
	info, err := os.Stat(dirOrFile)
	if err == nil && !info.IsDir() || err != nil && filepath.Ext(dirOrFile) == ".json" {
		return dirOrFile
	}
	return filepath.Join(dirOrFile, JSONFile)
}

// ReadDocument reads a report.json. A file of another schema version, a
// file that is not JSON, and a missing file each get an error naming the
// file and what to do.
func ReadDocument(path string) (*Document, error) {
	data, err := os.ReadFile(path) // #nosec G304 -- the user names the report to read
	if err != nil {
		return nil, fmt.Errorf("read report %s: %w (pass a report directory written by this suite, or its report.json)", path, err)
	}
	var head struct {
		SchemaVersion *string `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("report %s is corrupt: %w: %w (re-run the suite to write it again, or choose another report)", path, ErrReportCorrupt, err)
	}
	if head.SchemaVersion == nil {
		return nil, fmt.Errorf("report %s has no schemaVersion: %w (it is not a report written by this suite)", path, ErrReportCorrupt)
	}
	if *head.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("report %s is a %w: it is %q, this suite reads %q (compare runs of the same suite version, or re-run the baseline)",
			path, ErrReportVersion, *head.SchemaVersion, SchemaVersion)
	}
	var d Document
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("report %s is corrupt: %w: %w (re-run the suite to write it again, or choose another report)", path, ErrReportCorrupt, err)
	}
	return &d, nil
}

// LoadHistory reads every report.json under dir (at any depth), oldest run
// first. Files that cannot be read are left out and named in the error;
// the documents that could be read are returned either way.
func LoadHistory(dir string) ([]*Document, error) {
	var docs []*Document
	var errs []error
	walkErr := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
		if err != nil {
			errs = append(errs, fmt.Errorf("report history %s: %w", path, err))
			if entry != nil && entry.IsDir() && path != dir {
				return fs.SkipDir
			}
			return nil
		}
		if entry.IsDir() || entry.Name() != JSONFile {
			return nil
		}
		d, rerr := ReadDocument(path)
		if rerr != nil {
			errs = append(errs, rerr)
			return nil
		}
		docs = append(docs, d)
		return nil
	})
	if walkErr != nil {
		errs = append(errs, fmt.Errorf("report history %s: %w", dir, walkErr))
	}
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].Run.Start.Before(docs[j].Run.Start) })
	return docs, errors.Join(errs...)
}
