package extract

import (
	"sort"
	"strings"
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

func (m *OffsetMap) start(n int) int {
	runs := m.runs
	if len(runs) == 0 {
		return n
	}
	// first run with non-empty content that ends after n
	i := sort.Search(len(runs), func(i int) bool { return runs[i].norm+runs[i].normLen > n })
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
	i := sort.Search(len(runs), func(i int) bool { return runs[i].norm >= n }) - 1
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

// mapBuilder writes a normalized text and its OffsetMap together.
type mapBuilder struct {
	src  string
	out  strings.Builder
	runs []offsetRun
}

func newMapBuilder(src string) *mapBuilder {
	b := &mapBuilder{src: src}
	b.out.Grow(len(src))
	return b
}

// copy appends src[from:to] unchanged.
func (b *mapBuilder) copy(from, to int) {
	if to <= from {
		return
	}
	n := b.out.Len()
	b.out.WriteString(b.src[from:to])
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
	n := b.out.Len()
	b.out.WriteString(s)
	b.runs = append(b.runs, offsetRun{norm: n, normLen: len(s), orig: from, origLen: to - from})
}

func (b *mapBuilder) finish(inner *OffsetMap) (string, *OffsetMap) {
	return b.out.String(), &OffsetMap{runs: b.runs, inner: inner}
}
