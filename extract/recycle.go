package extract

import (
	"math/bits"
	"sync"
	"sync/atomic"
)

// ReleaseFindings gives r's findings back for a later Extract to build its
// findings in, and sets r.Findings to nil (NumFindings still counts them).
// It is for a caller that has written the findings out and is done with
// them, such as a batch that encodes each document's findings and drops
// them: the findings were 40% of the bytes a run allocated, and their
// attribute maps 30%.
//
// After it, neither the findings nor anything taken from them by reference
// (a finding's Attributes map, or a slice of r.Findings) may be used: a
// later document's findings are written into them. Findings never given
// back are never reused, so a caller that does not call it needs no care.
func (r *Result) ReleaseFindings() {
	fs := r.Findings
	r.Findings = nil
	r.released += len(fs)
	releaseFindings(fs)
}

// NumFindings is how many findings the document has, given back by
// ReleaseFindings or not.
func (r *Result) NumFindings() int { return len(r.Findings) + r.released }

// Finding slices given back wait in findingPools by capacity: class c holds
// slices of at least 1<<c findings, so any of them fits a document with
// that many. A report with more than 1<<maxFindingClass findings (a
// megabyte) gets a slice of its own and gives none back.
const maxFindingClass = 11

var findingPools [maxFindingClass + 1]sync.Pool // of *[]Finding, all zero

// findingsReleased tells that someone gives findings back: from then on a
// new slice is made with a capacity of a whole class, so once given back it
// fits every document of its class, not just those no larger than it.
// Callers that never give findings back get slices of their exact length.
var findingsReleased atomic.Bool

// newFindings returns n zero findings, in a slice given back if one fits.
func newFindings(n int) []Finding {
	if n == 0 {
		return make([]Finding, 0)
	}
	c := bits.Len(uint(n - 1)) // 1<<c >= n
	if c > maxFindingClass {
		return make([]Finding, n)
	}
	if !findingsReleased.Load() {
		return make([]Finding, n)
	}
	if p, _ := findingPools[c].Get().(*[]Finding); p != nil {
		return (*p)[:n]
	}
	return make([]Finding, n, 1<<c)
}

// attrMapPool holds empty attribute maps taken from findings given back,
// a document's at a time: a Put of each map on its own cost more than the
// map it saved (the pool's queues grew and were dropped).
var attrMapPool sync.Pool // of *attrMaps

// emptyAttrMaps holds the lists attrMapPool's were taken from, for the next
// findings given back: a new list for each was 8% of what a run allocated.
var emptyAttrMaps = sync.Pool{New: func() any { return new(attrMaps) }}

type attrMaps []map[string]any

// maxPooledAttrs is the most attributes a map given back may hold: an
// entity finding has at most a handful, and a map of up to 8 is one group;
// one a caller filled further is left to the collector.
const maxPooledAttrs = 8

// releaseFindings clears fs, and the attribute maps of its findings, so
// nothing of the documents they came from stays reachable, and pools them.
func releaseFindings(fs []Finding) {
	if cap(fs) == 0 {
		return
	}
	findingsReleased.Store(true)
	maps := emptyAttrMaps.Get().(*attrMaps)
	for i := range fs {
		if m := fs[i].Attributes; m != nil && len(m) <= maxPooledAttrs {
			clear(m)
			*maps = append(*maps, m)
		}
	}
	if len(*maps) > 0 {
		attrMapPool.Put(maps)
	} else {
		emptyAttrMaps.Put(maps)
	}
	// past len too, as the pool holds only zero findings: the caller may
	// have resliced
	fs = fs[:cap(fs)]
	clear(fs)
	c := bits.Len(uint(len(fs))) - 1 // 1<<c <= cap
	if c > maxFindingClass {
		return
	}
	findingPools[c].Put(&fs)
}

// newAttrMap returns an empty attribute map, one given back if any.
func newAttrMap(hint int) map[string]any {
	if !findingsReleased.Load() { // an empty pool's Get looks in every P's
		return make(map[string]any, hint)
	}
	if p, _ := attrMapPool.Get().(*attrMaps); p != nil {
		maps := *p
		m := maps[len(maps)-1]
		maps[len(maps)-1] = nil
		*p = maps[:len(maps)-1]
		if len(*p) > 0 {
			attrMapPool.Put(p)
		} else if cap(*p) <= 1<<10 { // a huge report's list is not kept
			emptyAttrMaps.Put(p)
		}
		return m
	}
	return make(map[string]any, hint)
}

// docParts is a Document with its normalized text's and layout's parts, in
// one allocation. Extract hands them to its caller; safeExtract keeps only
// the findings and sections, and gives the rest back for the next
// document: the offset map's runs, the blocks and the sentences were a
// third of what a run allocated once the findings were given back.
type docParts struct {
	doc    Document
	norm   normParts
	layout layoutParts
}

var docPartsPool sync.Pool // of *docParts, their arrays emptied

// newDocParts returns empty parts, one given back if any.
func newDocParts() *docParts {
	if p, _ := docPartsPool.Get().(*docParts); p != nil {
		return p
	}
	return new(docParts)
}

// maxPooledSentences bounds what a pooled document keeps: a huge report's
// arrays are left to the collector.
const maxPooledSentences = 1 << 12

// releaseDocParts empties p, keeping the arrays of its blocks, offset runs
// and sentences (numbers only: nothing of the document stays reachable),
// and pools it. Nothing may use p's document after.
func releaseDocParts(p *docParts) {
	blocks, runs, sentences := p.norm.n.Blocks[:0], p.norm.m.runs[:0], p.layout.sentences[:0]
	if cap(blocks) > maxPooledSentences || cap(runs) > 4*maxPooledSentences || cap(sentences) > maxPooledSentences {
		return
	}
	*p = docParts{}
	p.norm.n.Blocks, p.norm.m.runs, p.layout.sentences = blocks, runs, sentences
	docPartsPool.Put(p)
}
