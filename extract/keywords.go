package extract

import (
	"slices"
	"unicode/utf8"
)

// keywordAutomaton is an Aho-Corasick automaton over every keyword, synonym,
// abbreviation and cue phrase, matching ASCII letters in either case.
//
// It replaces github.com/petar-dambovaliev/aho-corasick, whose NFA took a
// tenth of a second to build at every start (its DFA a full second) and
// searched at some 20 MB/s; this one builds in a few milliseconds and
// reports the same matches in the same order: by end position, then the
// longest first (a state's own keyword, then those of its suffix states),
// which is the order the library's overlapping iterator gives.
//
// States are numbered breadth first, so the shallow ones, where the search
// spends most of its steps and where every failed step of a deeper state
// ends, come first. Those get a full DFA row (every fail link resolved in
// advance) over byte classes: the keywords use some sixty distinct bytes
// once ASCII letters are folded, so a row is small and the rows of the
// first few thousand states fit the core's cache. A full DFA over all
// states would take tens of megabytes and most of a second to build, so
// deeper states keep sorted edge lists and fail links.
type keywordAutomaton struct {
	// class maps a byte to its class: 0 for bytes in no keyword, the same
	// class for both cases of an ASCII letter, classes increasing with the
	// byte so edge lists sorted by byte are sorted by class.
	class  [256]uint8
	stride int // classes, the length of a dense row
	// The search holds a state as a stateRef. dense[s*stride+c] is the
	// next state from state s < nDense on class c.
	dense  []stateRef
	nDense int32
	// The deeper states, indexed by state (the dense ones' are unused),
	// with their edges after the first, sorted by class.
	deep  []deepState
	edges []edge
	// out is the keyword ending at a state, or -1; dict is the nearest
	// state on the fail chain with a keyword of its own (0: none).
	out     []int32
	dict    []int32
	wordLen []int
	words   []string
	// boundedOnly marks the words whose hits every stage drops unless they
	// are whole words (wordBounded): the search drops them itself, since
	// seven hits in ten are such (a "pain" in "painful", an "ast" in
	// "past").
	boundedOnly []bool
}

// stateRef is a state number shifted left by one, with the low bit set
// where the state emits (has a keyword of its own or on its fail chain): the
// search tests that bit instead of loading a flag of a state it has not
// touched yet.
type stateRef int32

func (r stateRef) state() int32 { return int32(r >> 1) }
func (r stateRef) emits() bool  { return r&1 != 0 }

// deepState is what a step from a deep state reads, in one record. Its
// first child, the next state, is also the most likely: a deep state
// mostly has one.
type deepState struct {
	fail       int32
	first      stateRef
	more       int32 // the other edges: edges[more:more+nMore]
	firstClass uint8 // noClass for a leaf
	nMore      uint8
}

// noClass is no byte's class: there are at most 231 (the 256 bytes less
// the capital letters, plus class 0).
const noClass = 255

type edge struct {
	next  stateRef
	class uint8
}

// denseDepth is how deep the states with a dense row go: with the built-in
// patterns, 7,220 states and a 1.7 MB table. The search stays within it
// for 70% of the bytes of the e3c reports, and every failed step deeper
// ends in it after a few fail links. BenchmarkKeywordAutomaton: depth 2
// 74 MB/s, 3 88 MB/s, 4 101 MB/s, 5 100 MB/s.
const denseDepth = 4

var asciiLower = func() (t [256]byte) {
	for i := range t {
		t[i] = lowerByte(byte(i))
	}
	return t
}()

// newKeywordAutomaton builds the automaton; words must be distinct once
// ASCII letters are lower-cased, and not empty. boundedOnly, nil or one
// flag per word, marks the words to report as whole words only.
func newKeywordAutomaton(words []string, boundedOnly []bool) *keywordAutomaton {
	// The trie as linked lists of children sorted by byte: no slice per
	// state, which made the build allocation-bound.
	type node struct {
		firstChild, sibling int32 // 0: none (the root is never a child)
		out                 int32
		tab                 int16 // 1 + index into tabs, or 0
		b                   byte
	}
	nodes := make([]node, 1, 1<<17)
	nodes[0].out = -1
	wordLen := make([]int, len(words))
	var used [256]bool
	// The children of the root and of its children by byte: theirs are
	// the long lists, searched for nearly every word. They are put in
	// byte order after the last word.
	tabs, tabNode := make([][256]int32, 1, 64), []int32{0}
	nodes[0].tab = 1
	for wi, w := range words {
		wordLen[wi] = len(w)
		s := int32(0)
		for i := 0; i < len(w); i++ {
			b := asciiLower[w[i]]
			used[b] = true
			if t := nodes[s].tab - 1; t >= 0 {
				c := tabs[t][b]
				if c == 0 {
					c = int32(len(nodes))
					tabs[t][b] = c
					nodes = append(nodes, node{b: b, out: -1})
					if s == 0 {
						tabs, tabNode = append(tabs, [256]int32{}), append(tabNode, c)
						nodes[c].tab = int16(len(tabs))
					}
				}
				s = c
				continue
			}
			prev, c := int32(-1), nodes[s].firstChild
			for c != 0 && nodes[c].b < b {
				prev, c = c, nodes[c].sibling
			}
			if c == 0 || nodes[c].b != b {
				n := int32(len(nodes))
				nodes = append(nodes, node{sibling: c, b: b, out: -1})
				if prev < 0 {
					nodes[s].firstChild = n
				} else {
					nodes[prev].sibling = n
				}
				c = n
			}
			s = c
		}
		if nodes[s].out < 0 {
			nodes[s].out = int32(wi)
		}
	}
	for t, nd := range tabNode {
		for b := len(tabs[t]) - 1; b >= 0; b-- {
			if c := tabs[t][b]; c != 0 {
				nodes[c].sibling, nodes[nd].firstChild = nodes[nd].firstChild, c
			}
		}
	}
	n := len(nodes)
	a := &keywordAutomaton{
		out:         make([]int32, n),
		dict:        make([]int32, n),
		wordLen:     wordLen,
		words:       words,
		boundedOnly: make([]bool, len(words)),
	}
	copy(a.boundedOnly, boundedOnly)
	classes := 1
	for b := range used {
		if used[b] {
			a.class[b] = uint8(classes)
			classes++
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		a.class[b] = a.class[b+'a'-'A']
	}
	stride := classes
	a.stride = stride
	// The shallow states are numbered breadth first, so they are a prefix
	// and each comes after its fail state. The deep ones are numbered depth
	// first below them: walking down a keyword then reads consecutive
	// records instead of one cache line per byte.
	bfs := make([]int32, 1, n) // trie nodes, breadth first
	a.nDense = int32(n)
	for qi, depth, levelEnd := 0, 0, 1; qi < len(bfs); qi++ {
		if qi == levelEnd {
			depth, levelEnd = depth+1, len(bfs)
			if depth == denseDepth+1 {
				a.nDense = int32(qi)
			}
		}
		for c := nodes[bfs[qi]].firstChild; c != 0; c = nodes[c].sibling {
			bfs = append(bfs, c)
		}
	}
	id := make([]int32, n)    // trie node -> state
	order := make([]int32, n) // state -> trie node
	for s, nd := range bfs[:a.nDense] {
		id[nd], order[s] = int32(s), nd
	}
	next := a.nDense
	stack := make([]int32, 0, 64)
	for _, root := range bfs[a.nDense:] {
		if id[root] != 0 {
			continue // below a shallower deep state: numbered with it
		}
		stack = append(stack[:0], root)
		for len(stack) > 0 {
			nd := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			id[nd], order[next] = next, nd
			next++
			// Children pushed in reverse so the first is numbered next.
			mark := len(stack)
			for c := nodes[nd].firstChild; c != 0; c = nodes[c].sibling {
				stack = append(stack, c)
			}
			slices.Reverse(stack[mark:])
		}
	}
	edgeStart := make([]int32, n+1)
	edgeClass := make([]uint8, 0, n-1)
	edgeNext := make([]int32, 0, n-1)
	for s, nd := range order {
		a.out[s] = nodes[nd].out
		edgeStart[s] = int32(len(edgeClass))
		for c := nodes[nd].firstChild; c != 0; c = nodes[c].sibling {
			edgeClass = append(edgeClass, a.class[nodes[c].b])
			edgeNext = append(edgeNext, id[c])
		}
	}
	edgeStart[n] = int32(len(edgeClass))
	// Fail links and dense rows breadth first: a state's fail state is
	// shallower, so its row and fail link are done.
	fail := make([]int32, n)
	a.dense = make([]stateRef, int(a.nDense)*stride)
	goTo := func(s int32, c uint8) int32 {
		for {
			if s < a.nDense {
				return a.dense[int(s)*stride+int(c)].state()
			}
			i, hi := edgeStart[s], edgeStart[s+1]
			for i < hi && edgeClass[i] < c {
				i++
			}
			if i < hi && edgeClass[i] == c {
				return edgeNext[i]
			}
			s = fail[s]
		}
	}
	ref := func(s int32) stateRef {
		r := stateRef(s << 1)
		if a.out[s] >= 0 || a.dict[s] != 0 {
			r |= 1
		}
		return r
	}
	for _, nd := range bfs {
		s := id[nd]
		for i := edgeStart[s]; i < edgeStart[s+1]; i++ {
			child := edgeNext[i]
			f := int32(0)
			if s != 0 {
				f = goTo(fail[s], edgeClass[i])
			}
			fail[child] = f
			if a.out[f] >= 0 {
				a.dict[child] = f
			} else {
				a.dict[child] = a.dict[f]
			}
		}
		// The row after the children's dict links, which their refs need.
		if s < a.nDense {
			row := a.dense[int(s)*stride : int(s+1)*stride]
			if s != 0 {
				f := fail[s]
				copy(row, a.dense[int(f)*stride:int(f+1)*stride])
			}
			for i := edgeStart[s]; i < edgeStart[s+1]; i++ {
				row[edgeClass[i]] = ref(edgeNext[i])
			}
		}
	}
	// Only the deep states' edges are searched. Depth-first numbering
	// makes a deep state's first child the next state.
	a.deep = make([]deepState, n)
	for s := a.nDense; s < int32(n); s++ {
		d := &a.deep[s]
		d.fail = fail[s]
		d.firstClass = noClass
		lo, hi := edgeStart[s], edgeStart[s+1]
		if lo == hi {
			continue
		}
		d.firstClass, d.first = edgeClass[lo], ref(edgeNext[lo])
		d.more, d.nMore = int32(len(a.edges)), uint8(hi-lo-1)
		for i := lo + 1; i < hi; i++ {
			a.edges = append(a.edges, edge{ref(edgeNext[i]), edgeClass[i]})
		}
	}
	return a
}

// appendHits appends every occurrence of every keyword in t, overlapping
// ones included.
func (a *keywordAutomaton) appendHits(hits []hit, t string) []hit {
	r := stateRef(0)
	nDense, stride, dense, deep, edges := a.nDense, a.stride, a.dense, a.deep, a.edges
	for i := 0; i < len(t); i++ {
		c := a.class[t[i]]
		s := r.state()
	step:
		for {
			if s < nDense {
				r = dense[int(s)*stride+int(c)]
				break
			}
			d := &deep[s]
			if c == d.firstClass {
				r = d.first
				break
			}
			if c > d.firstClass {
				for _, e := range edges[d.more : d.more+int32(d.nMore)] {
					if e.class >= c {
						if e.class == c {
							r = e.next
							break step
						}
						break
					}
				}
			}
			s = d.fail
		}
		if !r.emits() {
			continue
		}
		s = r.state()
		end := i + 1
		if w := a.out[s]; w >= 0 {
			if start := end - a.wordLen[w]; !a.boundedOnly[w] || wordBoundedASCII(t, start, end) {
				hits = append(hits, hit{start, end, int(w)})
			}
		}
		for d := a.dict[s]; d != 0; d = a.dict[d] {
			w := a.out[d]
			if start := end - a.wordLen[w]; !a.boundedOnly[w] || wordBoundedASCII(t, start, end) {
				hits = append(hits, hit{start, end, int(w)})
			}
		}
	}
	return hits
}

// asciiWordByte is true for the ASCII letters and digits.
var asciiWordByte = func() (t [utf8.RuneSelf]bool) {
	for b := range t {
		t[b] = 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
	}
	return t
}()

// wordBoundedASCII is wordBounded with a table lookup where the bytes
// around the span are ASCII, which they nearly always are.
func wordBoundedASCII(t string, start, end int) bool {
	if start > 0 {
		if b := t[start-1]; b < utf8.RuneSelf {
			if asciiWordByte[b] {
				return false
			}
		} else if isWordRuneBefore(t, start) {
			return false
		}
	}
	if end < len(t) {
		if b := t[end]; b < utf8.RuneSelf {
			if asciiWordByte[b] {
				return false
			}
		} else if isWordByteAt(t, end) {
			return false
		}
	}
	return true
}
