package report

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
)

// The leak scan guards an upload: whatever it cannot read through must
// make it fail, never pass as clean. These are the ways a directory used
// to pass with a key in it.

func TestScanDirFollowsASymlinkToAFileWithTheKey(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	target := filepath.Join(outside, "evidence.json")
	if err := os.WriteFile(target, []byte("x\n"+plantedKey), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, filepath.Join(dir, "evidence.json")); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(outside, "sub"), 0o750); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, "sub", "deep.md"), []byte(plantedKey), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "sub"), filepath.Join(dir, "linked-dir")); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{plantedKey})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, l := range leaks {
		got[filepath.Base(l.File)] = true
	}
	if !got["evidence.json"] || !got["deep.md"] {
		t.Errorf("a key behind a symlink (an upload follows it) was not found: %v", leaks)
	}
}

func TestScanDirFailsOnASymlinkLoopAndABrokenLink(t *testing.T) {
	for name, setup := range map[string]func(dir string) error{
		"loop to its parent": func(dir string) error { return os.Symlink(dir, filepath.Join(dir, "loop")) },
		"loop of two links": func(dir string) error {
			if err := os.Symlink(filepath.Join(dir, "b"), filepath.Join(dir, "a")); err != nil {
				return err
			}
			return os.Symlink(filepath.Join(dir, "a"), filepath.Join(dir, "b"))
		},
		"broken link": func(dir string) error { return os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "dangling")) },
	} {
		dir := t.TempDir()
		if err := setup(dir); err != nil {
			t.Fatal(err)
		}
		if _, err := ScanDir(dir, []string{plantedKey}); err == nil {
			t.Errorf("%s: the scan passed a directory it could not read through", name)
		}
	}
}

func TestScanDirFailsOnAFileItCannotRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	if _, err := ScanDir(dir, []string{plantedKey}); err == nil || !strings.Contains(err.Error(), "pipe") {
		t.Errorf("a file that is not a regular file must fail the scan, naming it: %v", err)
	}
}

func TestScanDirKeepsGoingAfterAnErrorAndReportsEveryLeak(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(dir, "gone"), filepath.Join(dir, "a-dangling")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "z-leak.json"), []byte(plantedKey), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{plantedKey})
	if err == nil || len(leaks) == 0 {
		t.Errorf("want the error and the leak after it, got %v and %v", leaks, err)
	}
}

// A key past the first 256 MiB of a file used to pass unseen.
func TestScanDirReadsAHugeFileToItsEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a file larger than the old limit")
	}
	dir := t.TempDir()
	f, err := os.Create(filepath.Join(dir, "huge.log"))
	if err != nil {
		t.Fatal(err)
	}
	// A sparse file: 300 MiB of zero bytes without using the disk.
	if _, err := f.Seek(300<<20, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("\n" + plantedKey + "\n"); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{plantedKey})
	if err != nil || len(leaks) == 0 {
		t.Fatalf("a key at the end of a huge file was not found: %v %v", leaks, err)
	}
	if leaks[0].Line != 2 {
		t.Errorf("line %d, want 2", leaks[0].Line)
	}
}

// A key split across two reads of a large file is still found, with the
// right line.
func TestScanReaderFindsAKeyAcrossChunks(t *testing.T) {
	sc := newScanner([]string{plantedKey})
	for _, at := range []int{scanChunk - 3, scanChunk - len(plantedKey) + 1, scanChunk, 2*scanChunk - 10} {
		data := bytes.Repeat([]byte("."), at)
		data[10] = '\n'
		data = append(data, plantedKey+"\n"...)
		leaks, err := sc.scanReader("f", bytes.NewReader(data), scanChunk)
		if err != nil || len(leaks) == 0 || leaks[0].Line != 2 {
			t.Errorf("key at %d: %v %v", at, leaks, err)
		}
	}
}

// A file whose name holds the key is a leak too, and the leak report
// does not print the name as it is.
func TestScanDirFindsTheKeyInAFileName(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "cassette-"+plantedKey+".yaml"), []byte("clean"), 0o600); err != nil {
		t.Fatal(err)
	}
	leaks, err := ScanDir(dir, []string{plantedKey})
	if err != nil || len(leaks) == 0 {
		t.Fatalf("a key in a file name was not found: %v %v", leaks, err)
	}
	for _, l := range leaks {
		if strings.Contains(l.String(), plantedKey) {
			t.Errorf("the leak report prints the key: %s", l)
		}
	}
}

// Scanning a small file holds a buffer of about its size, not a whole
// chunk: a record run scans every cassette, and the nightly job every
// report file, after each run.
func TestScanFileOfASmallFileAllocatesLittle(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "small.yaml")
	if err := os.WriteFile(path, []byte(strings.Repeat("clean line\n", 100)+plantedKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	sc := newScanner([]string{plantedKey})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	leaks, err := sc.scanFile(path)
	runtime.ReadMemStats(&after)
	if err != nil || len(leaks) == 0 || leaks[0].Line != 101 {
		t.Fatalf("the key in a small file: %v %v", leaks, err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 256<<10 {
		t.Errorf("scanning a 1 KiB file allocated %d bytes, want under 256 KiB", got)
	}
}

// A mix of escapes split across two reads is still found: each chunk
// keeps as much of the one before as the longest loose form, not only the
// anchor's length.
func TestScanReaderFindsAMixOfEscapesAcrossChunks(t *testing.T) {
	const key = "Zq8t+Lm3/Xv9Kp2Wd7Rf0aBc"
	form := `Zq8t&#x0002B;Lm3&#x0002F;Xv9Kp2Wd7Rf0aBc` // longer than any fixed form
	sc := newScanner([]string{key})
	const chunk = 4096
	for _, at := range []int{chunk - 3, chunk - len(form) + 1, chunk - 10, chunk - 38} {
		data := append(bytes.Repeat([]byte("."), at), form...)
		leaks, err := sc.scanReader("f", bytes.NewReader(data), chunk)
		if err != nil || len(leaks) == 0 {
			t.Errorf("form at %d: %v %v", at, leaks, err)
		}
	}
}

// A text that holds a key's anchor (its longest run of letters and
// digits) and nothing else of it is no leak, and a path holding the
// anchor word is named as it is: the replay stand-in's anchor is
// "replay", a word on every line of a replay report.
func TestAKeysAnchorAloneIsNoLeak(t *testing.T) {
	const key = "replay-mode-stand-in-key"
	sc := newScanner([]string{key})
	text := []byte(strings.Repeat("mode: replay; replay-mode stand-in key\n", 100))
	if hits := sc.scanIndexed(text); len(hits) != 0 {
		t.Errorf("found %d hits in a text without the key", len(hits))
	}
	if got := sc.redactName("/tmp/replay-reports/x"); got != "/tmp/replay-reports/x" {
		t.Errorf("redactName rewrote a path without the key: %q", got)
	}
	if got := sc.redactName("/tmp/replay\\u002Dmode-stand-in-key/x"); strings.Contains(got, "stand-in-key") {
		t.Errorf("redactName kept a loose form of the key: %q", got)
	}
}

// A key that is not valid UTF-8 (a paste gone wrong) is still scanned
// for, and making its scanner neither panics nor quotes it: the panic of
// a pattern built from it used to print the key past every redactor.
func TestAKeyThatIsNotUTF8IsScannedWithoutAPanic(t *testing.T) {
	const key = "Zq8tLm3Xv9Kp2Wd7Rf0aBc\xff"
	sc := scannerOf([]string{key})
	if sc == nil || len(sc.scanIndexed([]byte("x "+key+" y"))) == 0 {
		t.Fatal("the key as is was not found")
	}
	if again := scannerOf([]string{key}); again != sc {
		t.Error("the scanner was not kept for the same keys")
	}
	PrepareScan([]string{key + "2"}) // must not crash the process
}

// A key transformed whole is a leak: upper-cased, hex-encoded, and the
// base64 of a Basic header shouted with the rest of a message.
func TestScanDirFindsTransformedForms(t *testing.T) {
	const key = "Zq8t-Lm3Xv9Kp2Wd7Rf0aBc"
	basic := base64.StdEncoding.EncodeToString([]byte("api_test:" + key))
	for name, text := range map[string]string{
		"upper": "INVALID TOKEN " + strings.ToUpper(key),
		"hex":   "header bytes " + hex.EncodeToString([]byte(key)),
		"basic": "AUTHORIZATION: BASIC " + strings.ToUpper(basic),
	} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "r.txt"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		if leaks, err := ScanDir(dir, []string{key}); err != nil || len(leaks) == 0 {
			t.Errorf("%s: the form was not found: %v %v", name, leaks, err)
		}
	}
}

// Forms of a key's forms are leaks too: a JSON error quoted inside another
// JSON string (its "\/" escaped again), a query value's base64, a Basic
// header's base64 encoded again; and a file named after an escaped base64
// form is reported without the form.
func TestScanFindsFormsOfForms(t *testing.T) {
	const key = "Zq8t/Lm3+Xv9Kp2Wd7Rf0aBc"
	b64 := base64.StdEncoding.EncodeToString([]byte(key))
	for name, text := range map[string]string{
		"json-in-json":   `{"error":"{\"detail\":\"invalid token Zq8t\\\/Lm3+Xv9Kp2Wd7Rf0aBc\"}"}`,
		"base64-of-url":  base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(key))),
		"base64-of-b64":  base64.StdEncoding.EncodeToString([]byte(b64)),
		"urlenc-of-json": url.QueryEscape(`Zq8t\/Lm3+Xv9Kp2Wd7Rf0aBc`),
	} {
		if hits := newScanner([]string{key}).scanIndexed([]byte(text)); len(hits) == 0 {
			t.Errorf("%s: not found in %q", name, text)
		}
	}
	sc := newScanner([]string{key})
	form := url.QueryEscape(b64)
	if got := sc.redactName("/tmp/cassette-" + form + ".json"); strings.Contains(got, form) {
		t.Errorf("the leak report prints the form: %q", got)
	}
}
