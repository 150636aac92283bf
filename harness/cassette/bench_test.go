package cassette

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	vcr "gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// lookupFixture is a replay session over a cassette of n interactions,
// each a POST /api/v2/bills with its own body, and the bodies to send.
type lookupFixture struct {
	s      *Session
	bodies []string
}

func newLookupFixture(tb testing.TB, n int) *lookupFixture {
	tb.Helper()
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = `{"limit":5,"offset":` + strconv.Itoa(i) + `}`
	}
	dir := tb.TempDir()
	writeFile(tb, dir, testID+".yaml", lookupCassette(tb, bodies))
	lib, err := Open(Options{Dir: dir, Mode: ModeReplay, Redactor: keyRedactor(standInKey, standInKey2)})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := lib.Session(testID)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Finish(true) })
	return &lookupFixture{s: s, bodies: bodies}
}

// lookupCassettes caches the rendered cassette per size: rendering 10,000
// interactions costs about a second, and two tests and a benchmark use it.
var lookupCassettes sync.Map

func lookupCassette(tb testing.TB, bodies []string) []byte {
	tb.Helper()
	if data, ok := lookupCassettes.Load(len(bodies)); ok {
		return data.([]byte)
	}
	its := make([]*vcr.Interaction, len(bodies))
	for i, body := range bodies {
		its[i] = &vcr.Interaction{
			ID: i,
			Request: vcr.Request{Method: "POST", URL: "https://sandbox.test/api/v2/bills", Body: body,
				Headers: http.Header{"Authorization": {"Token api_test@<WINSTON_API_KEY>"}}},
			Response: vcr.Response{Code: 200, Body: `{"bills":[]}`},
		}
	}
	data, err := encodeFile(Meta{Source: SourceSandbox, Requirement: testID}, its, keyRedactor(standInKey, standInKey2))
	if err != nil {
		tb.Fatal(err)
	}
	lookupCassettes.Store(len(bodies), data)
	return data
}

// lookup replays request i, rewinding the session once every interaction
// was used so a long benchmark never runs out.
func (f *lookupFixture) lookup(tb testing.TB, i int) {
	k := i % len(f.bodies)
	if k == 0 && i > 0 {
		clear(f.s.replay.used)
	}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, nonRoutable+"/api/v2/bills", strings.NewReader(f.bodies[k]))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Token api_test@"+standInKey)
	resp, err := f.s.RoundTripper().RoundTrip(req)
	if err != nil {
		tb.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
}

// BenchmarkReplayLookup measures one replayed request (match key, index
// lookup, response) against cassettes of growing size; ns/op is the cost
// of one lookup and must not grow with the cassette.
func BenchmarkReplayLookup(b *testing.B) {
	for _, n := range []int{100, 1000, 10000} {
		b.Run("n="+strconv.Itoa(n), func(b *testing.B) {
			f := newLookupFixture(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				f.lookup(b, i)
			}
		})
	}
}

func TestTenThousandInteractionCassetteLoads(t *testing.T) {
	skipUnderRace(t)
	f := newLookupFixture(t, 10000)
	if got := len(f.s.replay.ix.file.Interactions); got != 10000 {
		t.Fatalf("loaded %d interactions", got)
	}
	for _, i := range []int{0, 4999, 9999} {
		f.lookup(t, i)
	}
}

// skipUnderRace skips the single-goroutine tests of a 10,000-interaction
// cassette under the race detector: they would take half a minute and
// have no concurrency for it to check. `go test` without -race runs them.
func skipUnderRace(t *testing.T) {
	t.Helper()
	if raceEnabled {
		t.Skip("10,000-interaction cassette under the race detector: run `go test` without -race for this test")
	}
}

// BenchmarkLoad measures loading and indexing a cassette of n
// interactions, as each replay run does once per cassette: parsing the
// YAML (cache=off) and reading the parsed-cassette cache (cache=on). The
// cost must be linear in n.
func BenchmarkLoad(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, mode := range []string{"off", "on"} {
			b.Run("n="+strconv.Itoa(n)+"/cache="+mode, func(b *testing.B) {
				lib := loadFixture(b, n, mode)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					loadOnce(b, lib)
				}
			})
		}
	}
}

// loadFixture is a replay Library over a cassette of n interactions, its
// cache warmed when cache is "on" (any other value is Options.Cache).
func loadFixture(tb testing.TB, n int, cache string) *Library {
	tb.Helper()
	bodies := make([]string, n)
	for i := range bodies {
		bodies[i] = `{"limit":5,"offset":` + strconv.Itoa(i) + `}`
	}
	dir := tb.TempDir()
	writeFile(tb, dir, testID+".yaml", lookupCassette(tb, bodies))
	if cache == "on" {
		// The package's test cache (TestMain), shared with the other
		// tests of the same cassette, so each size is parsed once.
		cache = ""
	}
	lib, err := Open(Options{Dir: dir, Mode: ModeReplay, Redactor: keyRedactor(standInKey, standInKey2), Cache: cache})
	if err != nil {
		tb.Fatal(err)
	}
	loadOnce(tb, lib)
	return lib
}

// loadOnce loads and indexes the cassette as a new run would.
func loadOnce(tb testing.TB, lib *Library) {
	lib.mu.Lock()
	clear(lib.loaded)
	lib.mu.Unlock()
	if _, err := lib.load(testID); err != nil {
		tb.Fatal(err)
	}
}
