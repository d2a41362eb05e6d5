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
type keywordAutomaton struct {
	// root holds the root's transitions for every byte; a byte that starts
	// no keyword stays at the root (0).
	root [256]int32
	// The other states' transitions, sorted by byte: state s's edges are
	// edgeByte[edgeStart[s]:edgeStart[s+1]] and edgeNext likewise.
	edgeStart []int32
	edgeByte  []byte
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
	for wi, w := range words {
		wordLen[wi] = len(w)
		s := int32(0)
		for i := 0; i < len(w); i++ {
			b := asciiLower[w[i]]
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
		edgeByte:  make([]byte, 0, n-1),
		edgeNext:  make([]int32, 0, n-1),
		fail:      make([]int32, n),
		out:       make([]int32, n),
		dict:      make([]int32, n),
		emits:     make([]bool, n),
		wordLen:   wordLen,
		words:     words,
	}
	for s := range nodes {
		a.out[s] = nodes[s].out
		a.edgeStart[s] = int32(len(a.edgeByte))
		for c := nodes[s].firstChild; c != 0; c = nodes[c].sibling {
			a.edgeByte = append(a.edgeByte, nodes[c].b)
			a.edgeNext = append(a.edgeNext, c)
		}
	}
	a.edgeStart[n] = int32(len(a.edgeByte))
	for i := a.edgeStart[0]; i < a.edgeStart[1]; i++ {
		a.root[a.edgeByte[i]] = a.edgeNext[i]
	}
	// Fail links breadth first, so a state's fail state is done before it.
	queue := make([]int32, 0, n)
	queue = append(queue, a.edgeNext[a.edgeStart[0]:a.edgeStart[1]]...)
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		for i := a.edgeStart[s]; i < a.edgeStart[s+1]; i++ {
			b, next := a.edgeByte[i], a.edgeNext[i]
			f := a.fail[s]
			for {
				if f == 0 {
					f = a.root[b]
					break
				}
				if nx := a.step(f, b); nx >= 0 {
					f = nx
					break
				}
				f = a.fail[f]
			}
			a.fail[next] = f
			if a.out[f] >= 0 {
				a.dict[next] = f
			} else {
				a.dict[next] = a.dict[f]
			}
			queue = append(queue, next)
		}
	}
	for s := range a.emits {
		a.emits[s] = a.out[s] >= 0 || a.dict[s] != 0
	}
	return a
}

// step follows the edge of a non-root state on byte b, or returns -1.
func (a *keywordAutomaton) step(s int32, b byte) int32 {
	lo, hi := a.edgeStart[s], a.edgeStart[s+1]
	for i := lo; i < hi; i++ {
		if c := a.edgeByte[i]; c >= b {
			if c == b {
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
	for i := 0; i < len(t); i++ {
		b := asciiLower[t[i]]
		for {
			if s == 0 {
				s = a.root[b]
				break
			}
			if nx := a.step(s, b); nx >= 0 {
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
