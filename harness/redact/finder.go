package redact

// Finder says in one pass over a text whether any of a set of needles
// occurs in it. Redaction and the leak scan ask that of every output for
// a dozen needles (each secret and its encoded forms); answering it with
// one search per needle cost more than everything else they do, while
// the answer is almost always no.
//
// When every needle is at least blockMin bytes long (the API keys and
// their encoded forms are), it reads the text in aligned blocks of eight
// bytes: any occurrence of such a needle covers a whole block, so testing
// each block against a bit filter of every eight bytes of every needle,
// and comparing byte for byte only where the filter passes, finds every
// occurrence while looking up one word in eight positions. Shorter needles
// take a Rabin-Karp search: a rolling hash of every window as long as the
// shortest needle is tested against a bit filter of the needles'
// prefixes. The zero Finder (no needles) finds nothing. A Finder is
// read-only once made and safe for concurrent use.
type Finder struct {
	w       int // the shortest needle's length
	filter  []uint64
	needles []string

	// The rolling hash's state, set when blocks is not.
	pow    uint32           // hashBase^(w-1)
	prefix map[uint32][]int // hash of a needle's first w bytes -> needles

	// blocks is set when every needle is at least blockMin long: each
	// eight bytes of a needle -> where they occur in which needle.
	blocks map[uint64][]blockRef
}

// blockRef places eight bytes in a needle: needle index and offset.
type blockRef struct {
	needle, offset int
}

// blockMin is the shortest needle the block search finds: an occurrence
// of 2*8-1 bytes, wherever it starts, covers one aligned block of eight.
const blockMin = 2*blockSize - 1

const blockSize = 8

const (
	hashBase   = 16777619
	filterBits = 1 << 16
)

// NewFinder makes a Finder of needles; empty needles are ignored.
func NewFinder(needles []string) *Finder {
	f := &Finder{}
	for _, n := range needles {
		if n != "" {
			f.needles = append(f.needles, n)
		}
	}
	if len(f.needles) == 0 {
		return f
	}
	f.w = len(f.needles[0])
	for _, n := range f.needles {
		f.w = min(f.w, len(n))
	}
	f.filter = make([]uint64, filterBits/64)
	if f.w >= blockMin {
		f.blocks = map[uint64][]blockRef{}
		for i, n := range f.needles {
			for k := 0; k+blockSize <= len(n); k++ {
				x := word(n, k)
				f.blocks[x] = append(f.blocks[x], blockRef{i, k})
				bit := blockIndex(x)
				f.filter[bit/64] |= 1 << (bit % 64)
			}
		}
		return f
	}
	f.pow = 1
	for i := 1; i < f.w; i++ {
		f.pow *= hashBase
	}
	f.prefix = map[uint32][]int{}
	for i, n := range f.needles {
		h := windowHash(n[:f.w])
		f.prefix[h] = append(f.prefix[h], i)
		bit := filterIndex(h)
		f.filter[bit/64] |= 1 << (bit % 64)
	}
	return f
}

// word reads the eight bytes of s at i as one little-endian number.
func word[T string | []byte](s T, i int) uint64 {
	_ = s[i+7]
	return uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
		uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
}

func blockIndex(x uint64) uint64 { return (x * 0x9E3779B97F4A7C15) >> 48 }

func windowHash[T string | []byte](s T) uint32 {
	var h uint32
	for i := 0; i < len(s); i++ {
		h = h*hashBase + uint32(s[i])
	}
	return h
}

func filterIndex(h uint32) uint32 { return (h * 0x9E3779B1) >> 16 }

// In reports whether any needle occurs in s.
func (f *Finder) In(s []byte) bool { return findIn(f, s) }

// InString reports whether any needle occurs in s.
func (f *Finder) InString(s string) bool { return findIn(f, s) }

func findIn[T string | []byte](f *Finder, s T) bool {
	if f == nil || len(f.needles) == 0 || len(s) < f.w {
		return false
	}
	if f.blocks != nil {
		return findBlocks(f, s)
	}
	h := windowHash(s[:f.w])
	for i := 0; ; i++ {
		if bit := filterIndex(h); f.filter[bit/64]&(1<<(bit%64)) != 0 {
			for _, n := range f.prefix[h] {
				needle := f.needles[n]
				if len(s)-i >= len(needle) && string(s[i:i+len(needle)]) == needle {
					return true
				}
			}
		}
		if i+f.w >= len(s) {
			return false
		}
		h = (h-uint32(s[i])*f.pow)*hashBase + uint32(s[i+f.w])
	}
}

// findBlocks is findIn for needles of at least blockMin bytes: it tests
// the aligned blocks of s only.
func findBlocks[T string | []byte](f *Finder, s T) bool {
	for j := 0; j+blockSize <= len(s); j += blockSize {
		x := word(s, j)
		if bit := blockIndex(x); f.filter[bit/64]&(1<<(bit%64)) == 0 {
			continue
		}
		for _, ref := range f.blocks[x] {
			needle := f.needles[ref.needle]
			start := j - ref.offset
			if start >= 0 && start+len(needle) <= len(s) && string(s[start:start+len(needle)]) == needle {
				return true
			}
		}
	}
	return false
}
