package cassette

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"time"

	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// CacheEnv is the environment variable that sets Options.Cache when the
// option is empty: "off" switches the parsed-cassette cache off, an
// absolute directory moves it, unset or "on" keeps the default place.
const CacheEnv = "WINSTON_CASSETTE_CACHE"

// CacheOff is the Options.Cache (or WINSTON_CASSETTE_CACHE) value that
// switches the parsed-cassette cache off: every replay parses the YAML.
const CacheOff = "off"

// cacheFormat is the version of the cache entries: bump it when the
// codec, parseFile or checkContent change, so entries made by an older
// suite are never read. The entry name also carries a fingerprint of the
// stored Go types, so a new field in go-vcr's Interaction or in Meta
// retires old entries without anyone remembering to bump this.
const cacheFormat = 1

// parsedCache keeps parsed, validated cassettes between runs, keyed by the
// SHA-256 of the YAML bytes: parsing YAML is most of what a replay run
// costs, and hashing the bytes is about a hundredth of it. The YAML stays
// the source of truth: an entry is made only from a successful parse, a
// changed file has a new hash, and an entry that cannot be read for any
// reason is ignored and the YAML parsed again. An entry is never an error.
type parsedCache struct {
	// dir is the entry directory; "" means the cache is off.
	dir string
}

// resolveCache turns Options.Cache into the entry directory ("" for off).
// An empty option falls back to WINSTON_CASSETTE_CACHE, then to
// os.UserCacheDir()/winston-conformance/cassettes; a machine without a
// user cache directory runs without the cache.
func resolveCache(opt string) (string, error) {
	from := "Options.Cache"
	if opt == "" {
		opt, from = os.Getenv(CacheEnv), CacheEnv
	}
	switch v := strings.TrimSpace(opt); {
	case strings.EqualFold(v, CacheOff):
		return "", nil
	case v == "" || strings.EqualFold(v, "on"):
		base, err := os.UserCacheDir()
		if err != nil {
			return "", nil //nolint:nilerr // no user cache directory: run without the cache, as documented
		}
		return filepath.Join(base, "winston-conformance", "cassettes"), nil
	case filepath.IsAbs(v):
		return v, nil
	default:
		return "", fmt.Errorf("cassette: %s is %q: use %q to switch the parsed-cassette cache off, an absolute directory to keep it there, or leave it unset for the user cache directory", from, opt, CacheOff)
	}
}

// load returns the validated cassette at path, from the cache when an
// entry for its exact bytes exists, else by parsing the YAML (and then
// storing the entry for the next run).
func (c parsedCache) load(path string) (*File, error) {
	if c.dir == "" {
		return LoadFile(path)
	}
	// The bytes are hashed as they are read, not held: on a hit (the
	// usual case) they are not needed, and holding every cassette once
	// more cost a replay run as much memory as the entries themselves.
	sum, err := hashCassette(path)
	if err != nil {
		return nil, err
	}
	entry := filepath.Join(c.dir, hex.EncodeToString(sum)+"."+entryVersion())
	if f := c.read(entry, path); f != nil {
		return f, nil
	}
	data, err := readCassette(path)
	if err != nil {
		return nil, err
	}
	if s := sha256.Sum256(data); !bytes.Equal(s[:], sum) {
		// Rewritten between the two reads: parse what was read, and
		// leave the cache alone.
		return parseFile(path, data)
	}
	f, err := parseFile(path, data)
	if err != nil {
		return nil, err
	}
	c.write(entry, f)
	return f, nil
}

// read returns the entry's cassette, or nil when the entry is missing,
// damaged or does not pass the checks a parse makes.
func (c parsedCache) read(entry, path string) *File {
	b, err := os.ReadFile(entry) //nolint:gosec // an entry of our own cache directory
	if err != nil {
		return nil
	}
	f, err := decodeEntry(b)
	if err != nil {
		return nil
	}
	f.Path = path
	if checkContent(f) != nil {
		return nil
	}
	return f
}

// write stores f under entry, atomically (a temporary file renamed into
// place), so a concurrent reader (another Ginkgo process) sees the whole
// entry or none, and two writers of the same entry write the same bytes.
// Failures are ignored: the cache only saves time.
func (c parsedCache) write(entry string, f *File) {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return
	}
	c.prune()
	tmp, err := os.CreateTemp(c.dir, ".entry-*")
	if err != nil {
		return
	}
	_, werr := tmp.Write(encodeEntry(f))
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), entry) != nil {
		_ = os.Remove(tmp.Name())
	}
}

// entryVersion is the suffix of every entry name: the format number and a
// fingerprint of the stored types.
var entryVersion = sync.OnceValue(func() string {
	h := sha256.New()
	for _, t := range []reflect.Type{reflect.TypeFor[Meta](), reflect.TypeFor[cassette.Interaction]()} {
		fingerprintType(h, t, 0)
	}
	return fmt.Sprintf("v%d-%x", cacheFormat, h.Sum(nil)[:4])
})

// fingerprintType writes the names, types and YAML tags of t's fields,
// recursively, to w.
func fingerprintType(w interface{ Write([]byte) (int, error) }, t reflect.Type, depth int) {
	_, _ = fmt.Fprintf(w, "%d:%s;", depth, t.String())
	if t.Kind() != reflect.Struct || depth > 4 {
		return
	}
	for i := range t.NumField() {
		sf := t.Field(i)
		_, _ = fmt.Fprintf(w, "%s`%s`", sf.Name, sf.Tag.Get("yaml"))
		fingerprintType(w, sf.Type, depth+1)
	}
}

// pruneAge is how long a cache file is kept after it was written. Every
// re-recording leaves the entry of the old YAML behind; pruning on write
// (which only follows a YAML parse, so is rare) keeps the directory from
// growing without end. An entry still in use that is pruned costs one
// YAML parse, after which it is written again.
const pruneAge = 30 * 24 * time.Hour

// prune removes the files of the cache directory older than pruneAge,
// including temporary files a killed process left. Errors are ignored.
func (c parsedCache) prune() {
	es, err := os.ReadDir(c.dir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-pruneAge)
	for _, e := range es {
		if info, err := e.Info(); err == nil && info.Mode().IsRegular() && info.ModTime().Before(cutoff) {
			_ = os.Remove(filepath.Join(c.dir, e.Name()))
		}
	}
}
