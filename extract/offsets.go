package extract

import (
	"math"
	"math/bits"
	"slices"
	"sync"
	"unicode/utf8"
)

// OffsetMap maps byte positions in a normalized text back to byte positions in
// the text it was made from. Normalization copies most of a text unchanged, so
// the map stores runs, not one entry per byte: a copied run maps linearly, a
// replaced run maps as a whole (its start to the source start, its end to the
// source end). Runs are kept in normalized order; their source positions need
// not be monotonic, which lets a figure caption be moved out of the sentence
// it interrupted and still point back at where it stood.
type OffsetMap struct {
	runs []offsetRun
	// inner maps this map's source positions one step further back, when
	// normalization ran in more than one pass (NFC first, then cleaning).
	inner *OffsetMap
}

type offsetRun struct {
	norm, normLen int
	orig, origLen int
	copied        bool
}

// Start maps the start of a normalized span to the original text.
func (m *OffsetMap) Start(n int) int {
	o := m.start(n)
	if m.inner != nil {
		return m.inner.Start(o)
	}
	return o
}

// End maps the end of a normalized span to the original text.
func (m *OffsetMap) End(n int) int {
	o := m.end(n)
	if m.inner != nil {
		return m.inner.End(o)
	}
	return o
}

// Span maps a normalized [start, end) to the original text. A span whose
// mapped end falls before its start (possible only across a moved caption)
// is widened to the start's run end, so evidence is never empty or inverted.
func (m *OffsetMap) Span(start, end int) (int, int) {
	s, e := m.Start(start), m.End(end)
	if e < s {
		e = m.End(start + 1)
		if e < s {
			e = s
		}
	}
	return s, e
}

// runsEndingBy is how many of runs end at or before n: the index of the
// first that ends after it (sort.Search by hand: the closure call per step
// was most of the cost of start).
func runsEndingBy(runs []offsetRun, n int) int {
	i, j := 0, len(runs)
	for i < j {
		h := int(uint(i+j) >> 1)
		if runs[h].norm+runs[h].normLen > n {
			j = h
		} else {
			i = h + 1
		}
	}
	return i
}

func (m *OffsetMap) start(n int) int {
	runs := m.runs
	if len(runs) == 0 {
		return n
	}
	// first run with non-empty content that ends after n
	i := runsEndingBy(runs, n)
	for i < len(runs) && runs[i].normLen == 0 {
		i++
	}
	if i >= len(runs) {
		last := runs[len(runs)-1]
		return last.orig + last.origLen + (n - (last.norm + last.normLen))
	}
	r := runs[i]
	if n < r.norm {
		return r.orig
	}
	if r.copied {
		return r.orig + (n - r.norm)
	}
	return r.orig
}

func (m *OffsetMap) end(n int) int {
	runs := m.runs
	if len(runs) == 0 {
		return n
	}
	// last non-empty run that starts before n
	i, j := 0, len(runs)
	for i < j {
		h := int(uint(i+j) >> 1)
		if runs[h].norm >= n {
			j = h
		} else {
			i = h + 1
		}
	}
	i--
	for i >= 0 && runs[i].normLen == 0 {
		i--
	}
	if i < 0 {
		return runs[0].orig
	}
	r := runs[i]
	if n >= r.norm+r.normLen {
		return r.orig + r.origLen
	}
	if r.copied {
		return r.orig + (n - r.norm)
	}
	return r.orig + r.origLen
}

// mapBuilder writes a normalized text and its OffsetMap together. Its
// buffers are pooled: the text is copied out at its final length, or not
// at all when normalizing changed nothing (half the reports), and the runs
// at theirs.
type mapBuilder struct {
	src  string
	out  []byte
	runs []offsetRun
}

var mapBuilderPool = sync.Pool{New: func() any { return new(mapBuilder) }}

// maxPooledText keeps the buffers of a huge report out of the pool.
const maxPooledText = 1 << 20

func newMapBuilder(src string) *mapBuilder {
	b := mapBuilderPool.Get().(*mapBuilder)
	b.src = src
	b.out = slices.Grow(b.out[:0], len(src))
	b.runs = b.runs[:0]
	return b
}

// Len is the length of the text written so far.
func (b *mapBuilder) Len() int { return len(b.out) }

// copy appends src[from:to] unchanged.
func (b *mapBuilder) copy(from, to int) {
	if to <= from {
		return
	}
	n := len(b.out)
	b.out = append(b.out, b.src[from:to]...)
	if k := len(b.runs) - 1; k >= 0 {
		last := &b.runs[k]
		if last.copied && last.norm+last.normLen == n && last.orig+last.origLen == from {
			last.normLen += to - from
			last.origLen += to - from
			return
		}
	}
	b.runs = append(b.runs, offsetRun{norm: n, normLen: to - from, orig: from, origLen: to - from, copied: true})
}

// replace appends s in place of src[from:to] (s may be empty: a deletion).
func (b *mapBuilder) replace(from, to int, s string) {
	if s == b.src[from:to] {
		b.copy(from, to)
		return
	}
	n := len(b.out)
	b.out = append(b.out, s...)
	b.runs = append(b.runs, offsetRun{norm: n, normLen: len(s), orig: from, origLen: to - from})
}

// finish returns the text and its map, and the builder to the pool: b is
// not used after.
func (b *mapBuilder) finish(inner *OffsetMap) (string, *OffsetMap) {
	m := new(OffsetMap)
	return b.finishInto(m, inner), m
}

// finishInto is finish filling m.
func (b *mapBuilder) finishInto(m *OffsetMap, inner *OffsetMap) string {
	text := b.src
	if string(b.out) != text {
		text = string(b.out)
	}
	var runs []offsetRun
	if m.runs != nil { // a map given back: its array is reused
		runs = append(m.runs[:0], b.runs...)
	} else {
		runs = slices.Clone(b.runs)
	}
	*m = OffsetMap{runs: runs, inner: inner}
	b.src = ""
	if cap(b.out) <= maxPooledText && cap(b.runs) <= maxPooledText/64 {
		mapBuilderPool.Put(b)
	}
	return text
}

// runeIndex turns byte offsets of a text into code-point offsets without
// sorting them or walking the text once per lookup: the text's ASCII
// prefix maps to itself, and past it a table holds the code points before
// each 8-byte block, so a lookup counts at most 7 bytes, in one word.
//
// It counts the bytes that start a character, which is the code-point
// count only on valid UTF-8 at a character boundary; ok says whether an
// offset qualifies, and the caller falls back to RuneCountInString sums
// (codePoints) when one does not.
type runeIndex struct {
	text   string
	ascii  int  // text[:ascii] is ASCII
	valid  bool // text is valid UTF-8
	blocks []uint32
}

// runeBlock is a table block's size: a word, so a lookup counts the bytes
// before it in its block with one masked count (64-byte blocks left up
// to 63 bytes to count at every lookup, a fifth of build's time).
const runeBlock = 8

func newRuneIndex(text string) *runeIndex {
	x := makeRuneIndex(text, nil)
	return &x
}

// makeRuneIndex is newRuneIndex with its table in blocks[:0], a reused
// buffer.
func makeRuneIndex(text string, blocks []uint32) runeIndex {
	return makeRuneIndexASCII(text, asciiPrefix(text), blocks)
}

// makeRuneIndexASCII is makeRuneIndex with text's ASCII prefix known.
func makeRuneIndexASCII(text string, ascii int, blocks []uint32) runeIndex {
	x := runeIndex{text: text, ascii: ascii}
	if x.ascii == len(text) {
		x.valid = true
		return x
	}
	// uint32 counts: a text past 4 GB takes the fallback.
	x.valid = len(text) <= math.MaxUint32 && utf8.ValidString(text[x.ascii:])
	if !x.valid {
		return x
	}
	tail := text[x.ascii:]
	x.blocks = slices.Grow(blocks[:0], len(tail)/runeBlock+1)[:len(tail)/runeBlock+1]
	var count uint32
	for k := range x.blocks {
		x.blocks[k] = count
		if end := (k + 1) * runeBlock; end <= len(tail) {
			w := load64(tail, k*runeBlock)
			count += runeBlock - uint32(bits.OnesCount64(continuationBits(w)))
		}
	}
	return x
}

// continuationBits has bit 8i set where byte i of w is a UTF-8
// continuation byte (10xxxxxx).
func continuationBits(w uint64) uint64 { return (w >> 7) &^ (w >> 6) & 0x0101010101010101 }

// ok reports whether at returns the exact code-point offset of o.
func (x *runeIndex) ok(o int) bool {
	return x.valid && o >= 0 && o <= len(x.text) && (o == len(x.text) || x.text[o]&0xc0 != 0x80)
}

// at returns the code points before byte offset o, for an o that passes ok.
func (x *runeIndex) at(o int) int {
	if o <= x.ascii {
		return o
	}
	rel := o - x.ascii
	k := rel / runeBlock
	from := x.ascii + k*runeBlock
	n := o - from // bytes of the block before o: 0 to 7
	if from+8 > len(x.text) {
		return x.ascii + int(x.blocks[k]) + runeStarts(x.text[from:o])
	}
	cont := continuationBits(load64(x.text, from)) & (1<<(8*n) - 1)
	return x.ascii + int(x.blocks[k]) + n - bits.OnesCount64(cont)
}

// asciiPrefix returns the length of s's ASCII prefix, eight bytes a step.
func asciiPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		if load64(s, i)&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return i
		}
	}
	return i
}

// runeStarts counts the bytes of s that are not UTF-8 continuation bytes
// (10xxxxxx), eight bytes a step.
func runeStarts(s string) int {
	cont := 0
	i := 0
	for ; i+8 <= len(s); i += 8 {
		cont += bits.OnesCount64(continuationBits(load64(s, i)))
	}
	for ; i < len(s); i++ {
		if s[i]&0xc0 == 0x80 {
			cont++
		}
	}
	return len(s) - cont
}

func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}
