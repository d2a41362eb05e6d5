package extract

import (
	"math/bits"
	"slices"
	"sync"
	"unicode/utf8"
)

// keywordAutomaton finds every keyword, synonym, abbreviation and cue
// phrase, matching ASCII letters in either case.
//
// It replaces github.com/petar-dambovaliev/aho-corasick, whose NFA took a
// tenth of a second to build at every start (its DFA a full second) and
// searched at some 20 MB/s; this one builds in a few milliseconds and
// reports the same matches in the same order: by end position, then the
// longest first, which is the order the library's overlapping iterator
// gives. Two distinct words never share both ends, so that is the order of
// (end, start).
//
// Nearly all the words (the lexicon's names) are reported only as whole
// words, and all of those but a few start with an ASCII letter or digit.
// Those are looked up in a hash table, from each word start only, at each
// place a whole word can end: mostly once per word of the text. An
// Aho-Corasick automaton over every byte, which tracked every suffix of the
// text against 118,000 states, spent most of its time in cache misses on a
// 1.7 MB table and reported three times the hits only to drop them, and a
// trie walked from each word start went some five states deep per word,
// one unpredictable branch and cache line each. The other words (rule and
// protect keywords, found inside words too, and cues like ";") go through
// an Aho-Corasick automaton, which with the built-in patterns has some 600
// states and is a full DFA of 100 KB.
type keywordAutomaton struct {
	// anywhere is the Aho-Corasick automaton over the words found at any
	// position.
	anywhere keywordTable
	// wordStart holds the words that start with an ASCII letter or digit
	// and are reported as whole words only.
	wordStart wordStartTable
	wordLen   []int
	words     []string
	// boundedOnly marks the words whose hits every stage drops unless they
	// are whole words (wordBounded): the search drops them itself, since
	// seven hits in ten are such (a "pain" in "painful", an "ast" in
	// "past").
	boundedOnly []bool
}

// keywordTable is an Aho-Corasick automaton over some of the words.
//
// States are numbered breadth first, so the shallow ones, where the search
// spends most of its steps and where every failed step of a deeper state
// ends, come first. Those get a full DFA row (every fail link resolved in
// advance) over byte classes: the keywords use some sixty distinct bytes
// once ASCII letters are folded, so a row is small. A full DFA over all
// states would take tens of megabytes and most of a second to build when
// the automaton holds every word (as it does when no word is bounded), so
// then deeper states keep sorted edge lists and fail links.
type keywordTable struct {
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
	out  []int32
	dict []int32
	// rows is the DFA when every state has a dense row (nDense is all of
	// them), for a search whose step is an addition and a load: the
	// states are renumbered with those that emit last, from rowEmit on,
	// and rows[o+c] is the next state's row offset o' (its new number
	// times stride). rowState maps a new number back. The offsets are
	// 16 bits (half the cache lines of 32-bit ones) and rows holds 2^17
	// of them, so an offset plus a class needs no bounds check.
	rows     *[1 << 17]uint16
	rowEmit  uint16
	rowState []int32
	// maxLen is the longest word: the state after a byte depends on no
	// more bytes than that.
	maxLen int
}

// stateRef is a state number shifted left by one, with the low bit set
// where the state emits (has a keyword of its own or on its fail chain):
// the search tests that bit instead of loading a flag of a state it has
// not touched yet.
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

// denseDepth is how deep the automaton's states with a dense row go when
// it is too big for a full DFA: with every built-in word in it, 7,220
// states and a 1.7 MB table. The search stays within it for 70% of the
// bytes of the e3c reports, and every failed step deeper ends in it after
// a few fail links. Depth 2 74 MB/s, 3 88 MB/s, 4 101 MB/s, 5 100 MB/s.
const denseDepth = 4

// fullDFAEntries is the most dense entries the automaton gets for a DFA
// over all of its states (128 KB): a row offset fits 16 bits. The
// built-in words and cues, found anywhere, take 28,000.
const fullDFAEntries = 1 << 16

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
	a := &keywordAutomaton{
		wordLen:     make([]int, len(words)),
		words:       words,
		boundedOnly: make([]bool, len(words)),
	}
	copy(a.boundedOnly, boundedOnly)
	var anywhere, wordStart []int32
	records := 0 // the size of the word-start table's records
	for wi, w := range words {
		a.wordLen[wi] = len(w)
		// A record holds a length of 16 bits, a slot an offset of 30.
		if a.boundedOnly[wi] && w[0] < utf8.RuneSelf && asciiWordByte[w[0]] && utf8.ValidString(w) &&
			len(w) <= 0xffff && records+6+len(w) < 1<<29 {
			records += 6 + len(w)
			wordStart = append(wordStart, int32(wi))
		} else {
			anywhere = append(anywhere, int32(wi))
		}
	}
	a.wordStart.build(words, wordStart)
	a.anywhere.build(words, anywhere)
	return a
}

// build makes t the automaton of the words picked by ids.
func (t *keywordTable) build(words []string, ids []int32) {
	// The trie as linked lists of children sorted by byte: no slice per
	// state, which made the build allocation-bound.
	type node struct {
		firstChild, sibling int32 // 0: none (the root is never a child)
		out                 int32
		tab                 int16 // 1 + index into tabs, or 0
		b                   byte
	}
	nodes := make([]node, 1, 1+len(ids)*8)
	nodes[0].out = -1
	var used [256]bool
	// The children of the root and of its children by byte: theirs are
	// the long lists, searched for nearly every word. They are put in
	// byte order after the last word.
	tabs, tabNode := make([][256]int32, 1, 64), []int32{0}
	nodes[0].tab = 1
	for _, wi := range ids {
		w := words[wi]
		t.maxLen = max(t.maxLen, len(w))
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
			nodes[s].out = wi
		}
	}
	for ti, nd := range tabNode {
		for b := len(tabs[ti]) - 1; b >= 0; b-- {
			if c := tabs[ti][b]; c != 0 {
				nodes[c].sibling, nodes[nd].firstChild = nodes[nd].firstChild, c
			}
		}
	}
	n := len(nodes)
	t.out = make([]int32, n)
	t.dict = make([]int32, n)
	classes := 1
	for b := range used {
		if used[b] {
			t.class[b] = uint8(classes)
			classes++
		}
	}
	for b := 'A'; b <= 'Z'; b++ {
		t.class[b] = t.class[b+'a'-'A']
	}
	stride := classes
	t.stride = stride
	// The shallow states are numbered breadth first, so they are a prefix
	// and each comes after its fail state. The deep ones are numbered depth
	// first below them: walking down a keyword then reads consecutive
	// records instead of one cache line per byte.
	bfs := make([]int32, 1, n) // trie nodes, breadth first
	levelEnds := []int{}       // where each depth ends in bfs
	for qi, levelEnd := 0, 1; qi < len(bfs); qi++ {
		if qi == levelEnd {
			levelEnds = append(levelEnds, qi)
			levelEnd = len(bfs)
		}
		for c := nodes[bfs[qi]].firstChild; c != 0; c = nodes[c].sibling {
			bfs = append(bfs, c)
		}
	}
	levelEnds = append(levelEnds, len(bfs))
	depth := denseDepth
	if n*stride <= fullDFAEntries {
		depth = len(levelEnds)
	}
	t.nDense = int32(levelEnds[min(depth, len(levelEnds)-1)])
	id := make([]int32, n)    // trie node -> state
	order := make([]int32, n) // state -> trie node
	for s, nd := range bfs[:t.nDense] {
		id[nd], order[s] = int32(s), nd
	}
	next := t.nDense
	stack := make([]int32, 0, 64)
	for _, root := range bfs[t.nDense:] {
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
		t.out[s] = nodes[nd].out
		edgeStart[s] = int32(len(edgeClass))
		for c := nodes[nd].firstChild; c != 0; c = nodes[c].sibling {
			edgeClass = append(edgeClass, t.class[nodes[c].b])
			edgeNext = append(edgeNext, id[c])
		}
	}
	edgeStart[n] = int32(len(edgeClass))
	ref := func(s int32) stateRef {
		r := stateRef(s << 1)
		if t.out[s] >= 0 || t.dict[s] != 0 {
			r |= 1
		}
		return r
	}
	t.dense = make([]stateRef, int(t.nDense)*stride)
	fail := t.failLinks(bfs, id, edgeStart, edgeClass, edgeNext, ref)
	if int(t.nDense) == n {
		t.fullDFA(ref)
	}
	// Only the deep states' edges are searched. Depth-first numbering
	// makes a deep state's first child the next state.
	t.deep = make([]deepState, n)
	for s := t.nDense; s < int32(n); s++ {
		d := &t.deep[s]
		d.fail = fail[s]
		d.firstClass = noClass
		lo, hi := edgeStart[s], edgeStart[s+1]
		if lo == hi {
			continue
		}
		d.firstClass, d.first = edgeClass[lo], ref(edgeNext[lo])
		d.more, d.nMore = int32(len(t.edges)), uint8(hi-lo-1)
		for i := lo + 1; i < hi; i++ {
			t.edges = append(t.edges, edge{ref(edgeNext[i]), edgeClass[i]})
		}
	}
}

// fullDFA makes rows from dense, all of the automaton's states.
func (t *keywordTable) fullDFA(ref func(int32) stateRef) {
	n, stride := len(t.out), t.stride
	newNum := make([]uint32, n)
	t.rowState = make([]int32, 0, n)
	for pass := range 2 {
		for s := range int32(n) {
			if ref(s).emits() == (pass == 1) {
				newNum[s] = uint32(len(t.rowState))
				t.rowState = append(t.rowState, s)
			}
			if pass == 0 && s == int32(n-1) {
				t.rowEmit = uint16(len(t.rowState) * stride)
			}
		}
	}
	t.rows = new([1 << 17]uint16)
	for s := range n {
		to := t.rows[int(newNum[s])*stride:][:stride]
		for c, r := range t.dense[s*stride : (s+1)*stride] {
			to[c] = uint16(newNum[r.state()] * uint32(stride))
		}
	}
}

// failLinks computes the automaton's fail and dict links and its dense
// rows, breadth first: a state's fail state is shallower, so its row and
// fail link are done.
func (t *keywordTable) failLinks(bfs, id, edgeStart []int32, edgeClass []uint8, edgeNext []int32,
	ref func(int32) stateRef) []int32 {
	stride := t.stride
	fail := make([]int32, len(id))
	goTo := func(s int32, c uint8) int32 {
		for {
			if s < t.nDense {
				return t.dense[int(s)*stride+int(c)].state()
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
	for _, nd := range bfs {
		s := id[nd]
		for i := edgeStart[s]; i < edgeStart[s+1]; i++ {
			child := edgeNext[i]
			f := int32(0)
			if s != 0 {
				f = goTo(fail[s], edgeClass[i])
			}
			fail[child] = f
			if t.out[f] >= 0 {
				t.dict[child] = f
			} else {
				t.dict[child] = t.dict[f]
			}
		}
		// The row after the children's dict links, which their refs need.
		if s < t.nDense {
			row := t.dense[int(s)*stride : int(s+1)*stride]
			if s != 0 {
				f := fail[s]
				copy(row, t.dense[int(f)*stride:int(f+1)*stride])
			}
			for i := edgeStart[s]; i < edgeStart[s+1]; i++ {
				row[edgeClass[i]] = ref(edgeNext[i])
			}
		}
	}
	return fail
}

// wordStartTable finds the words that start with an ASCII letter or digit
// and count as whole words only. From each word start of the text it
// hashes the text up to each place a whole word can end (a byte that is
// not part of a word, or the end of the text) and looks that up: the
// table holds each word, and each of the words' beginnings that ends at
// such a place ("mean arterial" of "mean arterial pressure"), so the walk
// goes on past a word's end only while some word goes on too.
type wordStartTable struct {
	slots []wordSlot // a power of two of them
	seed  uint64
	// filter has the bit h>>filterShift (wordBit) set for the hash h of
	// each word, and the nextBit of each beginning of a word with the two
	// bytes after it: most texts looked up are no word and begin none
	// with the bytes that follow them in the text, and the filter, a bit
	// per eight texts, tells so from the core's first caches.
	// It is an array of 2^16 words, of which the first 2^(58-filterShift)
	// are used, so that its index needs no bounds check (the pages past
	// those are never touched).
	filter      *[1 << 16]uint64
	filterShift uint
	// lenSeed[l] starts the hash of a text of l bytes.
	lenSeed [32]uint64
	// maxLen is the longest word: a walk goes no further.
	maxLen int
	// records holds each word, where a slot points, as the word's index
	// (four bytes, little-endian), its length (two) and its bytes with
	// ASCII letters lower-cased; eight zero bytes end it. A word found is
	// checked against the text with one cache line or two read, where
	// the word's string took a line for its header and one for its
	// bytes: those misses were most of the walk's time in extraction.
	records  string
	recordAt []int32 // word -> offset, while building
}

// wordSlot is one text in the table, under the top bits of its hash.
type wordSlot struct {
	tag uint32 // 0: empty
	// val is (1 + the offset in records of the word the text is, or 0)
	// << 1 | 1 where some longer word begins with the text.
	val int32
}

func (s wordSlot) word() int32      { return s.val>>1 - 1 }
func (s wordSlot) goesOn() bool     { return s.val&1 != 0 }
func slotTag(h uint64) uint32       { return uint32(h>>32) | 1 }
func (w *wordStartTable) mask() int { return len(w.slots) - 1 }

// build fills w with the words picked by ids, which must start with an
// ASCII letter or digit and be valid UTF-8.
func (w *wordStartTable) build(words []string, ids []int32) {
	size := 8
	for _, wi := range ids {
		size += 6 + len(words[wi])
	}
	records := make([]byte, 0, size)
	w.recordAt = make([]int32, len(words))
	for _, wi := range ids {
		word := words[wi]
		w.recordAt[wi] = int32(len(records))
		records = append(records, byte(wi), byte(wi>>8), byte(wi>>16), byte(wi>>24), byte(len(word)), byte(len(word)>>8))
		for i := 0; i < len(word); i++ {
			records = append(records, asciiLower[word[i]])
		}
	}
	w.records = string(append(records, 0, 0, 0, 0, 0, 0, 0, 0))
	defer func() { w.recordAt = nil }()
	n, nexts := len(ids), 0 // at least the texts the table holds; the two bytes after them
	for _, wi := range ids {
		word := words[wi]
		for p := 1; p < len(word); p++ {
			if endsWord(word, p) {
				n++
				nexts++
				if p+1 == len(word) {
					nexts += 255
				}
			}
		}
		w.maxLen = max(w.maxLen, len(word))
	}
	w.fillSized(words, ids, n, n+nexts)
	// The words share most of their beginnings ("left" of "left
	// ventricle" and "left atrium"): a table sized for the texts it holds
	// is smaller and stays in the cache.
	used := 0
	for _, s := range w.slots {
		if s.tag != 0 {
			used++
		}
	}
	if used < n {
		w.fillSized(words, ids, used, used+nexts)
	}
}

// fillSized makes a table for n texts and a filter for m hashes and fills
// them.
func (w *wordStartTable) fillSized(words []string, ids []int32, n, m int) {
	size := 16
	for size < n*2 {
		size *= 2
	}
	w.slots = make([]wordSlot, size)
	w.filterShift = 64 - 9
	for 1<<(64-w.filterShift) < 8*m && w.filterShift > 64-22 {
		w.filterShift--
	}
	if w.filter == nil {
		w.filter = new([1 << 16]uint64)
	} else {
		clear(w.filter[:])
	}
	// Two words whose hashes share the bits the table keeps would be one
	// entry: a new seed makes new hashes (for the built-in words, the
	// first one does).
	for w.seed = 0x9e3779b97f4a7c15; !w.fill(words, ids); w.seed = w.seed*0x5851f42d4c957f2d + 1 {
		clear(w.slots)
		clear(w.filter[:])
	}
	for l := range w.lenSeed {
		w.lenSeed[l] = w.seed ^ uint64(l)*hashK
	}
}

// fill puts the words and their beginnings in the table, and in the
// filter the words' hashes and each beginning with the two bytes after it
// (any byte where the word ends after one); false if two words share a
// slot.
func (w *wordStartTable) fill(words []string, ids []int32) bool {
	for _, wi := range ids {
		word := words[wi]
		for p := 1; p <= len(word); p++ {
			if p < len(word) && !endsWord(word, p) {
				continue
			}
			h := foldHash(word[:p], w.seed)
			if p == len(word) {
				w.setFilter(w.wordBit(h))
			}
			i, tag := int(h)&w.mask(), slotTag(h)
			for w.slots[i].tag != 0 && w.slots[i].tag != tag {
				i = (i + 1) & w.mask()
			}
			s := &w.slots[i]
			s.tag = tag
			switch {
			case p+1 < len(word):
				s.val |= 1
				w.setFilter(nextBit(w.wordBit(h), h, word[p], word[p+1]))
			case p+1 == len(word):
				s.val |= 1
				for b := range 256 {
					w.setFilter(nextBit(w.wordBit(h), h, word[p], byte(b)))
				}
			case s.word() >= 0:
				return false
			default:
				s.val |= (w.recordAt[wi] + 1) << 1
			}
		}
	}
	return true
}

// setFilter sets the filter's bit: wordBit of a word's hash, or nextBit
// of a beginning with the two bytes after it.
func (w *wordStartTable) setFilter(bit uint64) {
	w.filter[uint16(bit>>6)] |= 1 << (bit & 63)
}

func (w *wordStartTable) inFilter(bit uint64) bool {
	return w.filter[uint16(bit>>6)]>>(bit&63)&1 != 0
}

// wordBit is the filter's bit for a text of hash h.
func (w *wordStartTable) wordBit(h uint64) uint64 { return h >> (w.filterShift & 63) }

// mayHold tells whether the walk from a word start may find a word at
// t[i:j], of hash h, or go on past j: whether the filter holds h as a
// word's or the beginning with the two bytes after it. A beginning that
// is no word and that no word goes on from with those bytes is where the
// walk would look the table up only to stop.
func (w *wordStartTable) mayHold(h uint64, t string, j int) bool {
	if w.inFilter(w.wordBit(h)) {
		return true
	}
	if j == len(t) {
		return false
	}
	next := byte(0) // as in walkWordStart
	if j+1 < len(t) {
		next = t[j+1]
	}
	return w.inFilter(nextBit(w.wordBit(h), h, t[j], next))
}

// nextBit is the filter's bit for the text of hash h, whose bit is bit,
// with the two bytes after it: a walk goes on past a word's end only
// where some longer word goes on with those two bytes ("the patient" does
// not after "the first"). It differs from bit in the last nine bits only,
// so it lies in the same 512 bits (one cache line): the two are tested
// together, for nearly every word of a text. Setting 0x20 lower-cases
// ASCII letters (and makes a few other bytes alike, which the filter may).
func nextBit(bit, h uint64, b1, b2 byte) uint64 {
	return nextBitPair(bit, h, uint64(b1)|uint64(b2)<<8)
}

// nextBitPair is nextBit of the bytes b1 | b2<<8.
func nextBitPair(bit, h, pair uint64) uint64 {
	return bit ^ ((h^(pair|0x2020))*hashK)>>55
}

// endsWord tells whether a whole word can end at t[:i], 0 < i: i is the
// end of t or t[i] is no letter or digit.
func endsWord(t string, i int) bool {
	if i == len(t) {
		return true
	}
	switch byteKind[t[i]] {
	case byteNonWord:
		return true
	case byteWord:
		return false
	}
	return !isWordByteAt(t, i)
}

// foldHash hashes s with its ASCII letters lower-cased, eight bytes at a
// time.
func foldHash(s string, seed uint64) uint64 {
	h := seed ^ uint64(len(s))*hashK
	for ; len(s) > 8; s = s[8:] {
		h = hashMix(h, load8(s))
	}
	var x uint64
	for i := len(s) - 1; i >= 0; i-- {
		x = x<<8 | uint64(s[i])
	}
	return hashFinal(hashMix(h, x))
}

// foldHashAt is foldHash(t[i:j], seed), i < j, reading the last bytes
// with one load where t goes on for eight bytes past i.
func foldHashAt(t string, i, j int, seed uint64) uint64 {
	h := seed ^ uint64(j-i)*hashK
	for ; j-i > 8; i += 8 {
		h = hashMix(h, load8(t[i:]))
	}
	var x uint64
	if len(t)-i >= 8 {
		x = load8(t[i:]) & (^uint64(0) >> (64 - 8*(j-i)))
	} else {
		for k := j - 1; k >= i; k-- {
			x = x<<8 | uint64(t[k])
		}
	}
	return hashFinal(hashMix(h, x))
}

const hashK = 0xff51afd7ed558ccd

// hashMix adds eight bytes, ASCII letters lower-cased, to h.
func hashMix(h, x uint64) uint64 {
	return hashMixFolded(h, foldASCII8(x))
}

// hashMixFolded is hashMix for bytes with no ASCII capital.
func hashMixFolded(h, x uint64) uint64 {
	h = (h ^ x) * hashK
	return h ^ h>>32
}

func hashFinal(h uint64) uint64 {
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>29
}

// load8 reads the first eight bytes of s, little-endian (one load).
func load8(s string) uint64 {
	s = s[:8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// foldASCII8 lower-cases the ASCII capitals among the eight bytes of x:
// a byte below 0x80 between 'A' and 'Z' gets 0x20 added, without carries
// between bytes.
func foldASCII8(x uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	y := x &^ high
	geA := y + ones*(0x80-'A')
	gtZ := y + ones*(0x80-'Z'-1)
	return x | (geA&^gtZ&^x&high)>>2
}

// wordStartScratch holds the word-start hits of one search until they are
// merged with the automaton's, and the bitmap of the text's words.
var wordStartScratch = sync.Pool{New: func() any { return new(wordStartBufs) }}

type wordStartBufs struct {
	hits   []hit
	blocks []wordBlock
	runs   []wordRun
	cands  []wordCandidate
}

// appendHits appends every occurrence of every keyword in t, overlapping
// ones included, except those of bounded-only words that are not whole
// words.
func (a *keywordAutomaton) appendHits(hits []hit, t string) []hit {
	if len(a.wordStart.slots) == 0 {
		return a.appendAnywhereHits(hits, t, nil)
	}
	sc := wordStartScratch.Get().(*wordStartBufs)
	ws := a.appendWordStartHits(sc.hits[:0], sc, t)
	hits = a.appendAnywhereHits(hits, t, ws)
	sc.hits = ws
	wordStartScratch.Put(sc)
	return hits
}

// dfaScratch holds the hits of appendDFAHits's second search.
var dfaScratch = sync.Pool{New: func() any { return new([]dfaEmit) }}

// appendAnywhereHits runs the automaton over t, merging ws, hits sorted
// by (end, start), into its own.
func (a *keywordAutomaton) appendAnywhereHits(hits []hit, t string, ws []hit) []hit {
	tb := &a.anywhere
	if tb.rows != nil {
		sc := dfaScratch.Get().(*[]dfaEmit)
		hits, *sc = a.appendDFAHits(hits, t, ws, *sc)
		dfaScratch.Put(sc)
		return hits
	}
	r := stateRef(0)
	nDense, stride, dense, deep, edges := tb.nDense, tb.stride, tb.dense, tb.deep, tb.edges
	k := 0 // ws[:k] are merged
	for i := 0; i < len(t); i++ {
		c := tb.class[t[i]]
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
		if r.emits() {
			hits, k = a.emitState(hits, t, r.state(), i+1, ws, k)
		}
	}
	return append(hits, ws[k:]...)
}

// appendDFAHits is appendAnywhereHits where the automaton is all DFA.
//
// A step waits for the one before (an addition and a load from the
// core's first cache), and that wait, not the work, was the search's
// time: two searches run at once, over the two halves of the text, each
// step of one hiding the other's wait. The second starts maxLen bytes
// before the middle, where its state after the middle is the same as a
// search from the start (the state is the longest suffix of the text read
// that begins a word); its hits come after the first's, so it keeps
// them until the first is done, and drops those before the middle.
func (a *keywordAutomaton) appendDFAHits(hits []hit, t string, ws []hit, later []dfaEmit) ([]hit, []dfaEmit) {
	tb := &a.anywhere
	stride := uint16(tb.stride)
	rows, class, emit := tb.rows, &tb.class, tb.rowEmit
	k := 0 // ws[:k] are merged
	later = later[:0]
	from := 0 // the first search's next byte
	r := uint16(0)
	if len(t) >= 2*tb.maxLen+interleaveMin {
		mid := (len(t) + tb.maxLen) / 2
		q := mid - tb.maxLen // the second search's first byte
		first, second := t[:mid], t[q:]
		second = second[:len(first)] // len(t)-q >= mid
		r2 := uint16(0)
		for i := 0; ; i++ {
			if i, r, r2 = dfaNextEmit2(rows, class, emit, first, second, i, r, r2); i == len(first) {
				break
			}
			if r >= emit {
				hits, k = a.emitState(hits, t, tb.rowState[r/stride], i+1, ws, k)
			}
			if r2 >= emit && q+i >= mid {
				later = append(later, dfaEmit{int32(q + i), r2})
			}
		}
		// The second search goes on alone past the end of the first's
		// stretch, keeping its hits for after the first's.
		for i := q + len(first); ; i++ {
			if i, r2 = dfaNextEmit(rows, class, emit, t, i, r2); i == len(t) {
				break
			}
			later = append(later, dfaEmit{int32(i), r2})
		}
		from = len(t) // the first search is done
	}
	for i := from; ; i++ {
		if i, r = dfaNextEmit(rows, class, emit, t, i, r); i == len(t) {
			break
		}
		hits, k = a.emitState(hits, t, tb.rowState[r/stride], i+1, ws, k)
	}
	for _, e := range later {
		hits, k = a.emitState(hits, t, tb.rowState[e.row/stride], int(e.at)+1, ws, k)
	}
	return append(hits, ws[k:]...), later
}

// interleaveMin is the shortest stretch worth two searches; below it the
// second one's restart before the middle costs more than it saves.
const interleaveMin = 64

// dfaEmit is a byte where the second search of appendDFAHits emits, and
// its row offset after it.
type dfaEmit struct {
	at  int32
	row uint16
}

// dfaNextEmit steps the DFA of appendDFAHits from state r over t[i:] up
// to the next byte where it emits; it returns that byte's index, or
// len(t), and the state after it. A loop of its own, with no call, keeps
// the state in a register.
func dfaNextEmit(rows *[1 << 17]uint16, class *[256]uint8, emit uint16, t string, i int, r uint16) (int, uint16) {
	_, _ = rows[0], class[0]         // no nil check in the loop
	ri, e := uint32(r), uint32(emit) // see dfaNextEmit2
	for k, b := range []byte(t[i:]) {
		if ri = uint32(rows[ri+uint32(class[b])]); ri >= e {
			return i + k, uint16(ri)
		}
	}
	return len(t), uint16(ri)
}

// dfaNextEmit2 is dfaNextEmit for two searches at once, a over first and
// b over second (as long): it stops after the first byte where either
// emits.
func dfaNextEmit2(rows *[1 << 17]uint16, class *[256]uint8, emit uint16, first, second string, i int, a, b uint16) (int, uint16, uint16) {
	_, _ = rows[0], class[0] // no nil check in the loop
	first, second = first[i:], second[i:len(first)]
	// The states as 32-bit numbers: a 16-bit one is widened at every
	// step, a cycle more on the chain of steps.
	ra, rb, e := uint32(a), uint32(b), uint32(emit)
	for k := 0; k < len(first); k++ {
		ra = uint32(rows[ra+uint32(class[first[k]])])
		rb = uint32(rows[rb+uint32(class[second[k]])])
		if ra >= e || rb >= e {
			return i + k, uint16(ra), uint16(rb)
		}
	}
	return i + len(first), uint16(ra), uint16(rb)
}

// emitState appends the hits of the automaton's state s at end, after
// the word-start hits ws[k:] that come first.
func (a *keywordAutomaton) emitState(hits []hit, t string, s int32, end int, ws []hit, k int) ([]hit, int) {
	for k < len(ws) && ws[k].end < end {
		hits = append(hits, ws[k])
		k++
	}
	tb := &a.anywhere
	if w := tb.out[s]; w >= 0 {
		hits, k = a.emit(hits, t, w, end, ws, k)
	}
	for d := tb.dict[s]; d != 0; d = tb.dict[d] {
		hits, k = a.emit(hits, t, tb.out[d], end, ws, k)
	}
	return hits, k
}

// emit appends the hit of word w ending at end, if it is to be reported,
// after the word-start hits that end there and start before it.
func (a *keywordAutomaton) emit(hits []hit, t string, w int32, end int, ws []hit, k int) ([]hit, int) {
	start := end - a.wordLen[w]
	if a.boundedOnly[w] && !wordBoundedASCII(t, start, end) {
		return hits, k
	}
	for k < len(ws) && ws[k].end == end && ws[k].start < start {
		hits = append(hits, ws[k])
		k++
	}
	return append(hits, hit{start, end, int(w)}), k
}

// byteKind sorts bytes for finding word starts and ends: ASCII letters and
// digits, other ASCII bytes, and the bytes of other runes, which need
// decoding.
var byteKind = func() (t [256]uint8) {
	for b := range t {
		switch {
		case b >= utf8.RuneSelf:
			t[b] = byteOther
		case asciiWordByte[b]:
			t[b] = byteWord
		}
	}
	return t
}()

const (
	byteNonWord = iota
	byteWord
	byteOther
)

// appendWordStartHits appends the whole words of the table in t, sorted
// by (end, start).
//
// It goes in three passes, each a short loop that keeps its few values in
// registers: the runs of ASCII letters and digits, from a bitmap of the
// text (eight bytes a step, no branch per byte); the runs whose first
// word is in the filter, hashed with one or two loads and kept without a
// branch on the filter (half of the runs pass it, at random); and the
// walk from each of those. Testing byte after byte and one loop over
// all of it took twice the instructions, most of them moving values to
// and from the stack.
func (a *keywordAutomaton) appendWordStartHits(hits []hit, sc *wordStartBufs, t string) []hit {
	if len(t) == 0 {
		return hits
	}
	w := &a.wordStart
	base := len(hits)
	sc.blocks = appendWordBlocks(sc.blocks[:0], t)
	sc.runs = appendWordRuns(sc.runs[:0], sc.blocks, len(t))
	sc.cands = w.appendCandidates(sc.cands[:0], sc.runs, t)
	for _, c := range sc.cands {
		if c.start < 0 {
			hits = a.wordStartAt(hits, t, ^c.start, c.end, base)
		} else {
			hits = a.walkWordStart(hits, t, c.start, c.end, c.hash, base)
		}
	}
	return hits
}

// wordRun is a run of ASCII letters and digits, t[start:end]. A start
// with runNearOther set is in or next to a block with bytes of another
// script, or near the text's end.
type wordRun struct {
	start, end int
}

const runNearOther = 1 << 62

// wordCandidate is a run whose first word is in the filter, with its
// hash, or (start negated) a run for wordStartAt.
type wordCandidate struct {
	start, end int
	hash       uint64
}

// appendWordRuns appends the runs of ASCII letters and digits of a text
// of n bytes with bitmaps blocks.
func appendWordRuns(runs []wordRun, blocks []wordBlock, n int) []wordRun {
	// Each run has a letter or digit and a byte that is not after it.
	runs = slices.Grow(runs, n/2+1)[:n/2+1]
	starts, ends := 0, 0
	carry, prevHigh := uint64(0), uint64(0)
	for k, b := range blocks {
		m := b.words
		nextWords, nextHigh := uint64(0), uint64(0)
		if k+1 < len(blocks) {
			nextWords, nextHigh = blocks[k+1].words, blocks[k+1].high
		}
		// A run starting here needs wordStartAt's tests where a byte of
		// another script may be before it or at its end, or the text
		// ends within 24 bytes of it.
		near := 0
		if b.high|prevHigh>>63|nextHigh != 0 || n-(k+1)*64 < 24 {
			near = runNearOther
		}
		prevHigh = b.high
		first := m &^ (m<<1 | carry)
		last := m &^ (m>>1 | nextWords<<63)
		carry = m >> 63
		for ; first != 0; first &= first - 1 {
			runs[starts].start = k*64 + bits.TrailingZeros64(first) | near
			starts++
		}
		for ; last != 0; last &= last - 1 {
			runs[ends].end = k*64 + bits.TrailingZeros64(last) + 1
			ends++
		}
	}
	return runs[:starts]
}

// appendCandidates appends the runs of t whose first word (the whole run,
// if it is bounded by ASCII bytes) has its hash in the filter, and those
// wordStartAt must look at.
func (w *wordStartTable) appendCandidates(cands []wordCandidate, runs []wordRun, t string) []wordCandidate {
	cands = slices.Grow(cands, len(runs))[:len(runs)]
	c := 0
	lenSeed, filter, filterShift := &w.lenSeed, w.filter, w.filterShift&63
	// A first word of up to 16 bytes is hashed with two loads, and the
	// two bytes after it read with a third, where 24 bytes of text follow
	// its start.
	fastLen := uint(min(16, w.maxLen))
	for _, r := range runs {
		i, l := r.start, uint(r.end-r.start)
		if i&runNearOther != 0 || l > fastLen {
			if c, i = w.generalRun(cands, c, r, t, fastLen); i < 0 {
				continue
			}
			l = uint(r.end - i)
		}
		// t[i:i+l] is the whole run, bounded by ASCII bytes that are no
		// letters or digits (or the text's start): it is a word.
		// Its bytes are letters and digits: setting 0x20 lower-cases
		// them as foldASCII8 does.
		s := t[i : i+24]
		after := load8(s[l:]) // l is at most 16: the two bytes after the run, and six more
		h := lenSeed[l&31]
		x := load8(s) | 0x2020202020202020
		if l > 8 {
			h = hashMixFolded(h, x)
			x = load8(s[8:]) | 0x2020202020202020
			l -= 8
		}
		h = hashFinal(hashMixFolded(h, x&(^uint64(0)>>((64-8*l)&63))))
		// Kept if it is a word or some word goes on from it with the
		// two bytes after it (mayHold): the word-start table holds "the"
		// and "was", a beginning of some word, but "the patient" and
		// "was a" begin none, and the walk read the table for nothing.
		bit := h >> filterShift
		next := nextBitPair(bit, h, after&0xffff)
		cands[c] = wordCandidate{i, r.end, h}
		c += int((filter[uint16(bit>>6)]>>(bit&63) | filter[uint16(next>>6)]>>(next&63)) & 1)
	}
	return cands[:c]
}

// generalRun sorts out a run the bitmap of its block could not tell is a
// word bounded by ASCII bytes, with 24 bytes of text from its start: it
// returns its start if it is, or adds it to cands[c] for wordStartAt
// and returns -1.
func (w *wordStartTable) generalRun(cands []wordCandidate, c int, r wordRun, t string, fastLen uint) (int, int) {
	i, j := r.start&^runNearOther, r.end
	if uint(j-i) > fastLen || len(t)-i < 24 || i > 0 && t[i-1] >= utf8.RuneSelf || j < len(t) && t[j] >= utf8.RuneSelf {
		cands[c] = wordCandidate{^i, j, 0}
		return c + 1, -1
	}
	return c, i
}

// wordBlock is the bitmap of 64 bytes of a text: bit b of words is set
// where byte b is an ASCII letter or digit, of high where it is no ASCII
// byte. The bits past the text's end are clear.
type wordBlock struct {
	words, high uint64
}

// appendWordBlocks appends the bitmaps of t, 64 bytes each.
func appendWordBlocks(blocks []wordBlock, t string) []wordBlock {
	n := len(t)
	blocks = slices.Grow(blocks, (n+63)/64)
	i := 0
	for ; n-i >= 64; i += 64 {
		blocks = append(blocks, wordBlockOf(t[i:i+64]))
	}
	if i < n {
		// The last bytes, with zeros (no letter, digit or other script)
		// after them.
		var last [64]byte
		copy(last[:], t[i:])
		blocks = append(blocks, wordBlockOf(string(last[:])))
	}
	return blocks
}

// wordBlockOf makes the bitmaps of the 64 bytes of s, straight-line code
// with no loop.
func wordBlockOf(s string) wordBlock {
	s = s[:64]
	x0, x1, x2, x3 := load8(s[0:]), load8(s[8:]), load8(s[16:]), load8(s[24:])
	x4, x5, x6, x7 := load8(s[32:]), load8(s[40:]), load8(s[48:]), load8(s[56:])
	b := wordBlock{words: alnumBits8(x0) | alnumBits8(x1)<<8 | alnumBits8(x2)<<16 | alnumBits8(x3)<<24 |
		alnumBits8(x4)<<32 | alnumBits8(x5)<<40 | alnumBits8(x6)<<48 | alnumBits8(x7)<<56}
	if (x0|x1|x2|x3|x4|x5|x6|x7)&0x8080808080808080 != 0 {
		b.high = gatherHigh8(x0) | gatherHigh8(x1)<<8 | gatherHigh8(x2)<<16 | gatherHigh8(x3)<<24 |
			gatherHigh8(x4)<<32 | gatherHigh8(x5)<<40 | gatherHigh8(x6)<<48 | gatherHigh8(x7)<<56
	}
	return b
}

// alnumBits8 has bit b set where byte b of x is an ASCII letter or digit.
func alnumBits8(x uint64) uint64 {
	return alnumHigh8(x) >> 7 * 0x0102040810204080 >> 56
}

// alnumHigh8 has the high bit set in each byte of x that is an ASCII
// letter or digit, the others clear; as in foldASCII8, no carry crosses a
// byte.
func alnumHigh8(x uint64) uint64 {
	const ones, high = 0x0101010101010101, 0x8080808080808080
	y := x &^ high
	digit := (y + ones*(0x80-'0')) &^ (y + ones*(0x80-'9'-1))
	l := y | ones*0x20 // both cases of a letter, and nothing else, in a..z
	letter := (l + ones*(0x80-'a')) &^ (l + ones*(0x80-'z'-1))
	return (digit | letter) &^ x & high
}

// gatherHigh8 packs the high bits of the eight bytes of x into a byte: bit
// b is the high bit of byte b.
func gatherHigh8(x uint64) uint64 {
	return (x & 0x8080808080808080 >> 7) * 0x0102040810204080 >> 56
}

// runEndFromBlocks returns the index of the first byte that is no ASCII
// letter or digit from block k on (or the text's end).
func runEndFromBlocks(blocks []wordBlock, k int) int {
	for ; k < len(blocks); k++ {
		if rest := ^blocks[k].words; rest != 0 {
			return k*64 + bits.TrailingZeros64(rest)
		}
	}
	return len(blocks) * 64
}

// wordStartAt looks up the words of the table from the start i of a run of
// ASCII letters and digits, which goes on to runEnd, in any text: the
// run's neighbours may be of another script, and its bytes near the
// text's end.
func (a *keywordAutomaton) wordStartAt(hits []hit, t string, i, runEnd, base int) []hit {
	runEnd = min(runEnd, len(t))
	// A word start unless a letter or digit of another script comes
	// before it.
	if i > 0 && t[i-1] >= utf8.RuneSelf && isWordRuneBefore(t, i) {
		return hits
	}
	w := &a.wordStart
	lim := min(len(t), i+w.maxLen)
	j := extendWordEnd(t, runEnd, lim)
	if j > lim {
		return hits
	}
	h := foldHashAt(t, i, j, w.seed)
	if !w.mayHold(h, t, j) {
		return hits
	}
	return a.walkWordStart(hits, t, i, j, h, base)
}

// extendWordEnd returns the first place from j on, up to lim, where a
// whole word can end: j, unless t[j] is a letter or digit of another
// script, which the word goes on with; past lim if there is none.
func extendWordEnd(t string, j, lim int) int {
	for j <= lim && j < len(t) && byteKind[t[j]] != byteNonWord && (byteKind[t[j]] == byteWord || isWordByteAt(t, j)) {
		j = wordRunEnd(t, j+1)
	}
	return j
}

// walkWordStart goes on from t[i:j], whose hash h is in the filter: it
// looks it up, appends its word, and steps j from one place a whole word
// can end to the next while the text since i begins some word.
func (a *keywordAutomaton) walkWordStart(hits []hit, t string, i, j int, h uint64, base int) []hit {
	w := &a.wordStart
	n := len(t)
	lim := min(n, i+w.maxLen)
	slots, mask := w.slots, w.mask()
	for {
		si, tag := int(h)&mask, slotTag(h)
		s := slots[si]
		// Another text in the slot (both tags not 0 and unequal) is
		// rare: one branch for it. An empty slot has no word and goes
		// on to none.
		for uint64(s.tag^tag)*uint64(s.tag) != 0 {
			si = (si + 1) & mask
			s = slots[si]
		}
		if wi := w.wordAt(t, i, j, s.word()); wi >= 0 {
			h := hit{i, j, int(wi)}
			// After the hits that end first; those from earlier starts
			// that end later (a longer name around this one) move up.
			hits = append(hits, h)
			m := len(hits) - 1
			for m > base && hits[m-1].end > j {
				hits[m] = hits[m-1]
				m--
			}
			hits[m] = h
		}
		if !s.goesOn() || j == n {
			return hits
		}
		next := byte(0) // at the end of the text: no word goes on there
		if j+1 < n {
			next = t[j+1]
		}
		if !w.inFilter(nextBit(w.wordBit(h), h, t[j], next)) {
			return hits
		}
		if j = extendWordEnd(t, wordRunEnd(t, j+1), lim); j > lim {
			return hits
		}
		if h = foldHashAt(t, i, j, w.seed); !w.mayHold(h, t, j) {
			return hits
		}
	}
}

// wordRunEnd returns the index of the first byte from j on that is no
// ASCII letter or digit, or len(t): eight bytes at a time, so that the
// end of most words is found without a mispredicted branch.
func wordRunEnd(t string, j int) int {
	for ; len(t)-j >= 8; j += 8 {
		if m := nonAlnum8(load8(t[j:])); m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	for j < len(t) && byteKind[t[j]] == byteWord {
		j++
	}
	return j
}

// nonAlnum8 has the high bit set in each byte of x that is no ASCII letter
// or digit, the others clear.
func nonAlnum8(x uint64) uint64 { return 0x8080808080808080 &^ alnumHigh8(x) }

// wordAt returns the word of the record at offset r if it is t[i:j] once
// ASCII letters are lower-cased, or -1 (also for r -1, no word):
// equalFoldASCIIString, eight bytes at a time.
func (w *wordStartTable) wordAt(t string, i, j int, r int32) int32 {
	if r < 0 {
		return -1
	}
	rec := w.records[r:]
	rec = rec[:6+8] // a record is followed by another or by eight zeros
	l := j - i
	if int(rec[4])|int(rec[5])<<8 != l {
		return -1
	}
	word := w.records[r+6:]
	k := 0
	for ; l-k >= 8; k += 8 {
		if foldASCII8(load8(t[i+k:])) != load8(word[k:]) {
			return -1
		}
	}
	if k < l {
		if len(t)-(i+k) < 8 {
			if !equalFoldASCIIString(t[i+k:j], word[k:l]) {
				return -1
			}
		} else if mask := ^uint64(0) >> ((8 - uint(l-k)) * 8 & 63); (foldASCII8(load8(t[i+k:]))^load8(word[k:]))&mask != 0 {
			return -1
		}
	}
	return int32(rec[0]) | int32(rec[1])<<8 | int32(rec[2])<<16 | int32(rec[3])<<24
}

// equalFoldASCIIString tells whether s and word are the same once their
// ASCII letters are lower-cased.
func equalFoldASCIIString(s, word string) bool {
	if len(s) != len(word) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if asciiLower[s[i]] != asciiLower[word[i]] {
			return false
		}
	}
	return true
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
