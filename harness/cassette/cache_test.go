package cassette

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// TestMain points the parsed-cassette cache of every test at a temporary
// directory: tests must not fill the developer's user cache, and every
// replay test then goes through the cache as a real run does.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cassette-cache-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if err := os.Setenv(CacheEnv, dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// cacheFixture is a one-interaction cassette in its own directory and a
// cache directory for it.
type cacheFixture struct {
	dir, cache, yaml string
}

func newCacheFixture(t *testing.T, answer string) *cacheFixture {
	t.Helper()
	c := &cacheFixture{dir: t.TempDir(), cache: filepath.Join(t.TempDir(), "cache")}
	c.yaml = writeCassette(t, c.dir, testID, Meta{Source: SourceSandbox},
		&vcr.Interaction{Request: vcr.Request{Method: "POST", URL: "https://sandbox.test/api/v2/bills", Body: `{}`},
			Response: vcr.Response{Code: 200, Body: answer}})
	return c
}

// replayAnswer opens a fresh Library with the given cache option (a new
// run, as far as the cache is concerned) and replays the one request.
func (c *cacheFixture) replayAnswer(t *testing.T, cache string) string {
	t.Helper()
	lib, err := Open(Options{Dir: c.dir, Mode: ModeReplay, Redactor: keyRedactor(standInKey, standInKey2), Cache: cache})
	if err != nil {
		t.Fatal(err)
	}
	s, err := lib.Session(testID)
	if err != nil {
		t.Fatalf("session: %v", err)
	}
	defer func() { _ = s.Finish(true) }()
	_, body := mustDo(t, s.RoundTripper(), call{url: nonRoutable + "/api/v2/bills", body: `{}`})
	return body
}

// entries lists the cache entry files (temporary files excluded).
func (c *cacheFixture) entries(t *testing.T) []string {
	t.Helper()
	es, err := os.ReadDir(c.cache)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, filepath.Join(c.cache, e.Name()))
	}
	return out
}

// forge replaces the single cache entry with a valid entry whose answer
// differs from the YAML's, so a replay shows which one was read.
func (c *cacheFixture) forge(t *testing.T, answer string) string {
	t.Helper()
	es := c.entries(t)
	if len(es) != 1 {
		t.Fatalf("cache holds %v, want one entry", es)
	}
	f, err := LoadFile(c.yaml)
	if err != nil {
		t.Fatal(err)
	}
	f.Interactions[0].Response.Body = answer
	writeFile(t, c.cache, filepath.Base(es[0]), encodeEntry(f))
	return es[0]
}

func TestCacheEntryIsWrittenThenRead(t *testing.T) {
	c := newCacheFixture(t, "from-yaml")
	if got := c.replayAnswer(t, c.cache); got != "from-yaml" {
		t.Fatalf("first replay answered %q", got)
	}
	es := c.entries(t)
	if len(es) != 1 || !strings.HasSuffix(es[0], "."+entryVersion()) {
		t.Fatalf("after a parse the cache holds %v, want one entry named <sha256>.%s", es, entryVersion())
	}
	c.forge(t, "from-cache")
	if got := c.replayAnswer(t, c.cache); got != "from-cache" {
		t.Errorf("second replay answered %q: the cache entry was not used", got)
	}
	if got := c.replayAnswer(t, CacheOff); got != "from-yaml" {
		t.Errorf("with the cache off the replay answered %q, want the YAML's answer", got)
	}
	t.Setenv(CacheEnv, CacheOff)
	if got := c.replayAnswer(t, ""); got != "from-yaml" {
		t.Errorf("with %s=off the replay answered %q, want the YAML's answer", CacheEnv, got)
	}
}

func TestCacheMissesWhenTheYAMLChanges(t *testing.T) {
	c := newCacheFixture(t, "old")
	c.replayAnswer(t, c.cache)
	data := strings.Replace(string(readFile(t, c.yaml)), "body: old", "body: new", 1)
	writeFile(t, c.dir, filepath.Base(c.yaml), []byte(data))
	if got := c.replayAnswer(t, c.cache); got != "new" {
		t.Errorf("after the YAML changed the replay answered %q, want the new YAML's answer", got)
	}
	if n := len(c.entries(t)); n != 2 {
		t.Errorf("cache holds %d entries, want one per version of the YAML", n)
	}
}

// TestDamagedCacheEntryIsIgnored: whatever is wrong with an entry, replay
// parses the YAML, succeeds, and replaces the entry with a good one.
func TestDamagedCacheEntryIsIgnored(t *testing.T) {
	forged := func(t *testing.T, c *cacheFixture, mutate func(*File)) []byte {
		t.Helper()
		f, err := LoadFile(c.yaml)
		if err != nil {
			t.Fatal(err)
		}
		mutate(f)
		return encodeEntry(f)
	}
	cases := map[string]func(t *testing.T, c *cacheFixture, good []byte) []byte{
		"empty":     func(*testing.T, *cacheFixture, []byte) []byte { return nil },
		"garbage":   func(*testing.T, *cacheFixture, []byte) []byte { return []byte("not an entry at all") },
		"truncated": func(_ *testing.T, _ *cacheFixture, good []byte) []byte { return good[:len(good)/2] },
		"bit flip": func(_ *testing.T, _ *cacheFixture, good []byte) []byte {
			bad := append([]byte(nil), good...)
			bad[len(bad)/2] ^= 1
			return bad
		},
		"refused content": func(t *testing.T, c *cacheFixture, _ []byte) []byte {
			return forged(t, c, func(f *File) { f.Interactions[0].Response.Code = 20 })
		},
		"wrong version": func(t *testing.T, c *cacheFixture, _ []byte) []byte {
			return forged(t, c, func(f *File) { f.Version = 1 })
		},
	}
	for name, damage := range cases {
		t.Run(name, func(t *testing.T) {
			c := newCacheFixture(t, "from-yaml")
			c.replayAnswer(t, c.cache)
			entry := c.entries(t)[0]
			good := readFile(t, entry)
			writeFile(t, c.cache, filepath.Base(entry), damage(t, c, good))
			if got := c.replayAnswer(t, c.cache); got != "from-yaml" {
				t.Errorf("with a %s entry the replay answered %q", name, got)
			}
			bytesEqual(t, "rewritten entry", readFile(t, entry), good)
		})
	}
}

func TestUnusableCacheDirIsNotAnError(t *testing.T) {
	c := newCacheFixture(t, "from-yaml")
	file := writeFile(t, t.TempDir(), "plain", []byte("x"))
	if got := c.replayAnswer(t, filepath.Join(file, "cache")); got != "from-yaml" {
		t.Errorf("with a cache directory that cannot exist the replay answered %q", got)
	}
}

func TestCacheSettingIsValidated(t *testing.T) {
	abs := t.TempDir()
	home := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", home)
	t.Setenv("HOME", home)
	userCache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	def := filepath.Join(userCache, "winston-conformance", "cassettes")
	cases := []struct{ opt, env, want, err string }{
		{opt: "off", want: ""},
		{opt: " OFF ", want: ""},
		{opt: abs, want: abs},
		{opt: "on", env: "off", want: def},
		{env: "off", want: ""},
		{env: abs, want: abs},
		{env: "", want: def},
		{env: "on", want: def},
		{opt: "relative/dir", err: `Options.Cache is "relative/dir"`},
		{env: "yes please", err: CacheEnv + ` is "yes please"`},
	}
	for _, c := range cases {
		t.Setenv(CacheEnv, c.env)
		got, err := resolveCache(c.opt)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), `"off"`) {
				t.Errorf("opt %q env %q: err = %v, want one naming %q and the fix", c.opt, c.env, err, c.err)
			}
		case err != nil || got != c.want:
			t.Errorf("opt %q env %q: %q, %v; want %q", c.opt, c.env, got, err, c.want)
		}
	}
	t.Setenv(CacheEnv, "nope")
	if _, err := Open(Options{Dir: t.TempDir(), Mode: ModeReplay}); err == nil || !strings.Contains(err.Error(), CacheEnv) {
		t.Errorf("Open with a bad %s: err = %v", CacheEnv, err)
	}
}

// TestConcurrentRunsShareTheCache plays Ginkgo's parallel processes: many
// libraries load the same cassette at once into an empty cache; all
// succeed, and the one entry left is good.
func TestConcurrentRunsShareTheCache(t *testing.T) {
	c := newCacheFixture(t, "from-yaml")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			lib, err := Open(Options{Dir: c.dir, Mode: ModeReplay, Redactor: keyRedactor(standInKey, standInKey2), Cache: c.cache})
			if err == nil {
				_, err = lib.parsed.load(lib.Path(testID))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	es := c.entries(t)
	if len(es) != 1 {
		t.Fatalf("cache holds %v after concurrent loads, want one entry and no temporary files", es)
	}
	if got := c.replayAnswer(t, c.cache); got != "from-yaml" {
		t.Errorf("replay from the shared entry answered %q", got)
	}
}

func TestEntryVersionFollowsTheTypes(t *testing.T) {
	type a struct{ X string }
	type b struct {
		X string
		Y string
	}
	var ha, hb strings.Builder
	fingerprintType(&ha, reflect.TypeFor[a](), 0)
	fingerprintType(&hb, reflect.TypeFor[b](), 0)
	if ha.String() == hb.String() {
		t.Error("a new field did not change the type fingerprint")
	}
	if v := entryVersion(); !strings.HasPrefix(v, fmt.Sprintf("v%d-", cacheFormat)) {
		t.Errorf("entryVersion() = %q, want the format number first", v)
	}
}

func TestWritingPrunesOldCacheFiles(t *testing.T) {
	c := newCacheFixture(t, "from-yaml")
	if err := os.MkdirAll(c.cache, 0o700); err != nil {
		t.Fatal(err)
	}
	old := writeFile(t, c.cache, "0000.v1-stale", []byte("entry of a cassette re-recorded long ago"))
	leftover := writeFile(t, c.cache, ".entry-123", []byte("a killed writer's temporary file"))
	recent := writeFile(t, c.cache, "1111.v1-recent", []byte("written yesterday"))
	long := time.Now().Add(-pruneAge - time.Hour)
	for _, p := range []string{old, leftover} {
		if err := os.Chtimes(p, long, long); err != nil {
			t.Fatal(err)
		}
	}
	day := time.Now().Add(-24 * time.Hour)
	if err := os.Chtimes(recent, day, day); err != nil {
		t.Fatal(err)
	}
	c.replayAnswer(t, c.cache)
	for _, p := range []string{old, leftover} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s is older than %v and was kept (%v)", filepath.Base(p), pruneAge, err)
		}
	}
	if _, err := os.Stat(recent); err != nil {
		t.Errorf("a recent file was pruned: %v", err)
	}
	if n := len(c.entries(t)); n != 2 {
		t.Errorf("cache holds %d files, want the recent one and the new entry", n)
	}
}
