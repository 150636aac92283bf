package redact

// Finder says in one pass over a text whether any of a set of needles
// occurs in it. Redaction and the leak scan ask that of every output for
// a dozen needles (each secret and its encoded forms); answering it with
// one search per needle cost more than everything else they do, while
// the answer is almost always no.
//
// It is a Rabin-Karp search: a rolling hash of every window as long as
// the shortest needle is tested against a bit filter of the needles'
// prefixes, and only a window that passes is compared byte for byte.
// The zero Finder (no needles) finds nothing. A Finder is read-only once
// made and safe for concurrent use.
type Finder struct {
	w       int
	pow     uint32 // hashBase^(w-1)
	filter  []uint64
	prefix  map[uint32][]int // hash of a needle's first w bytes -> needles
	needles []string
}

const (
	hashBase   = 16777619
	filterBits = 1 << 16
)

// NewFinder makes a Finder of needles; empty needles are ignored.
func NewFinder(needles []string) *Finder {
	f := &Finder{prefix: map[uint32][]int{}}
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
	f.pow = 1
	for i := 1; i < f.w; i++ {
		f.pow *= hashBase
	}
	f.filter = make([]uint64, filterBits/64)
	for i, n := range f.needles {
		h := windowHash(n[:f.w])
		f.prefix[h] = append(f.prefix[h], i)
		bit := filterIndex(h)
		f.filter[bit/64] |= 1 << (bit % 64)
	}
	return f
}

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
