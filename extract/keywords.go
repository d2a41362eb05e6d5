package extract

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
	// dense[s*stride+c] is the next state from state s < nDense on class c.
	dense  []int32
	nDense int32
	// The edges of every state, sorted by class: state s's edges are
	// edgeClass[edgeStart[s]:edgeStart[s+1]] and edgeNext likewise. The
	// search reads them for states from nDense on.
	edgeStart []int32
	edgeClass []uint8
	edgeNext  []int32
	fail      []int32
	// out is the keyword ending at a state, or -1; dict is the nearest
	// state on the fail chain with a keyword of its own (0: none).
	out  []int32
	dict []int32
	// emits is true where out or dict is set, so the search loop tests one
	// byte per position.
	emits   []bool
	wordLen []int
	words   []string
}

// denseDepth is how deep the states with a dense row go: with the built-in
// patterns, 2,933 states and a 690 KB table. The search stays within it
// for 58% of the bytes of the e3c reports, and every failed step deeper
// ends in it after a few fail links.
const denseDepth = 3

var asciiLower = func() (t [256]byte) {
	for i := range t {
		t[i] = lowerByte(byte(i))
	}
	return t
}()

// newKeywordAutomaton builds the automaton; words must be distinct once
// ASCII letters are lower-cased, and not empty.
func newKeywordAutomaton(words []string) *keywordAutomaton {
	// The trie as linked lists of children sorted by byte: no slice per
	// state, which made the build allocation-bound.
	type node struct {
		firstChild, sibling int32 // 0: none (the root is never a child)
		b                   byte
		out                 int32
	}
	nodes := make([]node, 1, 1<<17)
	nodes[0].out = -1
	wordLen := make([]int, len(words))
	var used [256]bool
	for wi, w := range words {
		wordLen[wi] = len(w)
		s := int32(0)
		for i := 0; i < len(w); i++ {
			b := asciiLower[w[i]]
			used[b] = true
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
	n := len(nodes)
	a := &keywordAutomaton{
		edgeStart: make([]int32, n+1),
		edgeClass: make([]uint8, 0, n-1),
		edgeNext:  make([]int32, 0, n-1),
		fail:      make([]int32, n),
		out:       make([]int32, n),
		dict:      make([]int32, n),
		emits:     make([]bool, n),
		wordLen:   wordLen,
		words:     words,
	}
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
	a.stride = classes
	// Breadth-first numbering: the queue holds trie nodes, a node's new
	// number is its place in the queue, so depth never decreases along it
	// and the dense states are a prefix.
	order := make([]int32, 1, n)
	a.nDense = int32(n)
	for qi, depth, levelEnd := 0, 0, 1; qi < len(order); qi++ {
		if qi == levelEnd {
			depth, levelEnd = depth+1, len(order)
			if depth == denseDepth+1 {
				a.nDense = int32(qi)
			}
		}
		s := order[qi]
		a.out[qi] = nodes[s].out
		a.edgeStart[qi] = int32(len(a.edgeClass))
		for c := nodes[s].firstChild; c != 0; c = nodes[c].sibling {
			a.edgeClass = append(a.edgeClass, a.class[nodes[c].b])
			a.edgeNext = append(a.edgeNext, int32(len(order)))
			order = append(order, c)
		}
	}
	a.edgeStart[n] = int32(len(a.edgeClass))
	stride := a.stride
	a.dense = make([]int32, int(a.nDense)*stride)
	// States in order: a state's fail state is shallower, so it comes
	// earlier and its row and fail link are done.
	for s := int32(0); s < int32(n); s++ {
		if s < a.nDense {
			row := a.dense[int(s)*stride : int(s+1)*stride]
			if s != 0 {
				f := a.fail[s]
				copy(row, a.dense[int(f)*stride:int(f+1)*stride])
			}
			for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
				row[a.edgeClass[i]] = a.edgeNext[i]
			}
		}
		for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
			next := a.edgeNext[i]
			f := int32(0)
			if s != 0 {
				f = a.next(a.fail[s], a.edgeClass[i])
			}
			a.fail[next] = f
			if a.out[f] >= 0 {
				a.dict[next] = f
			} else {
				a.dict[next] = a.dict[f]
			}
		}
	}
	for s := range a.emits {
		a.emits[s] = a.out[s] >= 0 || a.dict[s] != 0
	}
	return a
}

// next is the state after s on class c.
func (a *keywordAutomaton) next(s int32, c uint8) int32 {
	for {
		if s < a.nDense {
			return a.dense[int(s)*a.stride+int(c)]
		}
		if nx := a.step(s, c); nx >= 0 {
			return nx
		}
		s = a.fail[s]
	}
}

// step follows the edge of state s on class c, or returns -1.
func (a *keywordAutomaton) step(s int32, c uint8) int32 {
	lo, hi := a.edgeStart[s], a.edgeStart[s+1]
	for i := lo; i < hi; i++ {
		if e := a.edgeClass[i]; e >= c {
			if e == c {
				return a.edgeNext[i]
			}
			return -1
		}
	}
	return -1
}

// appendHits appends every occurrence of every keyword in t, overlapping
// ones included.
func (a *keywordAutomaton) appendHits(hits []hit, t string) []hit {
	s := int32(0)
	nDense, stride, dense := a.nDense, a.stride, a.dense
	for i := 0; i < len(t); i++ {
		c := a.class[t[i]]
		for {
			if s < nDense {
				s = dense[int(s)*stride+int(c)]
				break
			}
			if nx := a.step(s, c); nx >= 0 {
				s = nx
				break
			}
			s = a.fail[s]
		}
		if !a.emits[s] {
			continue
		}
		end := i + 1
		if w := a.out[s]; w >= 0 {
			hits = append(hits, hit{end - a.wordLen[w], end, int(w)})
		}
		for d := a.dict[s]; d != 0; d = a.dict[d] {
			w := a.out[d]
			hits = append(hits, hit{end - a.wordLen[w], end, int(w)})
		}
	}
	return hits
}
