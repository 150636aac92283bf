package cassette

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/winston-conformance/winston-conformance/harness/redact"
	"gopkg.in/dnaeon/go-vcr.v3/cassette"
)

// indexed is a loaded cassette and its replay index. It is built once per
// Library and never changed afterwards, so sessions share it without
// locking; each session keeps its own replay counters.
type indexed struct {
	file *File
	// slots maps a match key to its slot; slot i holds the positions in
	// file.Interactions of the interactions with that key, in recorded
	// order.
	slots map[string]int
	items [][]int
	// shapes[i] is the shape of file.Interactions[i], kept to find the
	// nearest recorded request when a lookup misses.
	shapes []Shape
}

// buildIndex indexes every interaction of f by its match key.
func buildIndex(f *File, red *redact.Redactor) (*indexed, error) {
	ix := &indexed{
		file:   f,
		slots:  make(map[string]int, len(f.Interactions)),
		shapes: make([]Shape, len(f.Interactions)),
	}
	for i, it := range f.Interactions {
		s, err := storedShape(&it.Request, red)
		if err != nil {
			return nil, corrupt(f.Path, fmt.Errorf("interactions[%d]: request.url: %w", i, err))
		}
		ix.shapes[i] = s
		k := s.Key()
		slot, ok := ix.slots[k]
		if !ok {
			slot = len(ix.items)
			ix.slots[k] = slot
			ix.items = append(ix.items, nil)
		}
		ix.items[slot] = append(ix.items[slot], i)
	}
	return ix, nil
}

// loading is one cassette being read: the first caller reads it, and any
// other caller of the same ID waits for that read instead of repeating it.
type loading struct {
	done chan struct{}
	ix   *indexed
	err  error
}

// load returns the indexed cassette of reqID, reading it on first use.
// Different cassettes load side by side (see Prefetch); a caller that asks
// for one being read waits for that read and gets its result. Errors are
// not cached: a cassette fixed during a run is read again by the next call.
func (l *Library) load(reqID string) (*indexed, error) {
	l.mu.Lock()
	if ld, ok := l.loaded[reqID]; ok {
		l.mu.Unlock()
		<-ld.done
		return ld.ix, ld.err
	}
	ld := &loading{done: make(chan struct{})}
	l.loaded[reqID] = ld
	l.mu.Unlock()
	ld.ix, ld.err = l.read(reqID)
	if ld.err != nil {
		l.mu.Lock()
		delete(l.loaded, reqID)
		l.mu.Unlock()
	}
	close(ld.done)
	return ld.ix, ld.err
}

// read parses and indexes the cassette of reqID.
func (l *Library) read(reqID string) (*indexed, error) {
	f, err := l.parsed.load(l.Path(reqID))
	if err != nil {
		return nil, err
	}
	if f.Meta.Requirement != "" && f.Meta.Requirement != reqID {
		return nil, corrupt(f.Path, fmt.Errorf("meta.requirement is %s, not %s (a cassette copied under another name?)", f.Meta.Requirement, reqID))
	}
	return buildIndex(f, l.red)
}

// Prefetch starts reading the cassettes of ids in the background, in that
// order, so that a replay run finds them parsed when its specs, which run
// one at a time, ask for them. Only a replay library prefetches; a
// cassette that fails to load is left for its spec to read and report.
func (l *Library) Prefetch(ids []string) {
	if l.mode != ModeReplay {
		return
	}
	ids = append([]string(nil), ids...)
	go func() {
		for _, id := range ids {
			_, _ = l.load(id)
		}
	}()
}

// replayer is the replay half of a Session: a RoundTripper that answers
// only from the index and has no way to reach the network.
type replayer struct {
	s   *Session
	ix  *indexed
	red *redact.Redactor

	mu sync.Mutex
	// used[slot] counts the requests that matched slot so far.
	used []int
}

func (l *Library) replaySession(reqID string) (*Session, error) {
	ix, err := l.load(reqID)
	if err != nil {
		return nil, err
	}
	s := &Session{lib: l, id: reqID, file: ix.file.Path, meta: ix.file.Meta}
	s.replay = &replayer{s: s, ix: ix, red: l.red, used: make([]int, len(ix.items))}
	return s, nil
}

// RoundTrip answers req with the next unused recorded interaction of the
// same match key, at once (recorded latency is never replayed). A request
// with no recorded answer left fails with a *MissError.
func (r *replayer) RoundTrip(req *http.Request) (*http.Response, error) {
	if r.s.isFinished() {
		closeBody(req)
		return nil, r.s.errFinished()
	}
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		closeBody(req)
		if err != nil {
			return nil, fmt.Errorf("cassette %s: read request body: %w", r.s.file, err)
		}
		body = b
	}
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	shape := requestShape(req, body, r.red)
	slot, ok := r.ix.slots[shape.Key()]
	if !ok {
		return nil, r.miss(shape, 0)
	}
	r.mu.Lock()
	n := r.used[slot]
	r.used[slot]++
	r.mu.Unlock()
	pos := r.ix.items[slot]
	if n >= len(pos) {
		return nil, r.miss(shape, len(pos))
	}
	return responseFor(r.ix.file.Interactions[pos[n]], req), nil
}

// responseFor builds a fresh response from a recorded one; headers are
// copied so a spec that edits them cannot change a later replay.
func responseFor(it *cassette.Interaction, req *http.Request) *http.Response {
	rs := &it.Response
	proto, major, minor := rs.Proto, rs.ProtoMajor, rs.ProtoMinor
	if proto == "" {
		proto, major, minor = "HTTP/1.1", 1, 1
	}
	status := rs.Status
	if status == "" {
		status = fmt.Sprintf("%d %s", rs.Code, http.StatusText(rs.Code))
	}
	h := rs.Headers.Clone()
	if h == nil {
		h = http.Header{}
	}
	return &http.Response{
		Status:           status,
		StatusCode:       rs.Code,
		Proto:            proto,
		ProtoMajor:       major,
		ProtoMinor:       minor,
		Header:           h,
		Body:             io.NopCloser(strings.NewReader(rs.Body)),
		ContentLength:    int64(len(rs.Body)),
		TransferEncoding: append([]string(nil), rs.TransferEncoding...),
		Trailer:          rs.Trailer.Clone(),
		Uncompressed:     rs.Uncompressed,
		Request:          req,
	}
}
