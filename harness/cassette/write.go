package cassette

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/winston-conformance/winston-conformance/harness/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
	"gopkg.in/yaml.v3"
)

// volatileHeaders change on every recording without meaning anything to
// the contract; they are dropped so a re-recording of an unchanged
// sandbox gives the same file.
var volatileHeaders = []string{"Date"}

// normalize sorts the interactions by match key (stably, so requests
// with the same key keep their recorded order and concurrent requests
// still give a stable file), renumbers them, drops volatile headers and
// zeroes the measured duration, which replay ignores.
func normalize(its []*cassette.Interaction, red *redact.Redactor) ([]*cassette.Interaction, error) {
	type keyed struct {
		key string
		it  *cassette.Interaction
	}
	ks := make([]keyed, 0, len(its))
	for i, it := range its {
		if it == nil {
			continue
		}
		s, err := storedShape(&it.Request, red)
		if err != nil {
			return nil, fmt.Errorf("interaction %d: request URL: %w", i, err)
		}
		ks = append(ks, keyed{s.Key(), it})
	}
	sort.SliceStable(ks, func(a, b int) bool { return ks[a].key < ks[b].key })
	out := make([]*cassette.Interaction, len(ks))
	for i, k := range ks {
		it := k.it
		it.ID = i
		it.Response.Duration = 0
		for _, h := range volatileHeaders {
			it.Response.Headers = dropHeader(it.Response.Headers, h)
		}
		out[i] = it
	}
	return out, nil
}

// dropHeader removes name whatever its spelling; a nil header stays nil.
func dropHeader(h http.Header, name string) http.Header {
	for k := range h {
		if strings.EqualFold(k, name) {
			delete(h, k)
		}
	}
	return h
}

// encodeFile renders a cassette file: the leading comment, then meta,
// go-vcr's version and the interactions. The result passes through red
// as a last guard, and must parse back; a rendering that would not load
// is never written.
func encodeFile(m Meta, its []*cassette.Interaction, red *redact.Redactor) ([]byte, error) {
	m.InteractionCount = len(its)
	var buf bytes.Buffer
	buf.WriteString(headerComment(m))
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	doc := document{Meta: &m, Version: cassette.CassetteFormatV2, Interactions: its}
	if err := enc.Encode(&doc); err != nil {
		return nil, fmt.Errorf("encode cassette: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode cassette: %w", err)
	}
	data := red.Bytes(buf.Bytes())
	if _, err := parseFile("(rendered cassette)", data); err != nil {
		return nil, fmt.Errorf("rendered cassette does not load back: %w", err)
	}
	return data, nil
}

// writeAtomic writes data to tmp, flushes it to disk and renames it over
// dst, so dst is always either the old cassette or the complete new one.
// On any error tmp is removed and dst is left as it was.
func writeAtomic(tmp, dst string, data []byte) (err error) {
	// 0644: cassettes are committed files that every tool of the repo reads.
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644) //nolint:gosec // see above
	if err != nil {
		return fmt.Errorf("create %s: %w", tmp, err)
	}
	defer func() {
		if err != nil {
			_ = os.Remove(tmp)
		}
	}()
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return fmt.Errorf("write %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return fmt.Errorf("sync %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return fmt.Errorf("replace %s: %w", dst, err)
	}
	syncDir(filepath.Dir(dst))
	return nil
}

// syncDir makes the rename durable where the platform allows it. It is
// best effort: the rename already happened, and some file systems refuse
// to sync a directory.
func syncDir(dir string) {
	d, err := os.Open(dir) //nolint:gosec // the cassette directory itself
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}

// removeIfExists deletes a temporary file; a file already gone is fine.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove temporary file %s: %w", path, err)
	}
	return nil
}
