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
	// The trie, with sparse children while it grows.
	type edge struct {
		b    byte
		next int32
	}
	children := [][]edge{nil}
	out := []int32{-1}
	child := func(s int32, b byte) int32 {
		for _, e := range children[s] {
			if e.b == b {
				return e.next
			}
		}
		return -1
	}
	wordLen := make([]int, len(words))
	for wi, w := range words {
		wordLen[wi] = len(w)
		s := int32(0)
		for i := 0; i < len(w); i++ {
			b := asciiLower[w[i]]
			n := child(s, b)
			if n < 0 {
				n = int32(len(children))
				children = append(children, nil)
				out = append(out, -1)
				// kept sorted by byte as it grows: most states have one child
				cs := append(children[s], edge{b, n})
				for k := len(cs) - 1; k > 0 && cs[k-1].b > b; k-- {
					cs[k-1], cs[k] = cs[k], cs[k-1]
				}
				children[s] = cs
			}
			s = n
		}
		if out[s] < 0 {
			out[s] = int32(wi)
		}
	}
	n := len(children)
	a := &keywordAutomaton{
		edgeStart: make([]int32, n+1),
		fail:      make([]int32, n),
		out:       out,
		dict:      make([]int32, n),
		emits:     make([]bool, n),
		wordLen:   wordLen,
		words:     words,
	}
	total := 0
	for s := range children {
		a.edgeStart[s] = int32(total)
		total += len(children[s])
	}
	a.edgeStart[n] = int32(total)
	a.edgeByte = make([]byte, 0, total)
	a.edgeNext = make([]int32, 0, total)
	for s := range children {
		for _, e := range children[s] {
			a.edgeByte = append(a.edgeByte, e.b)
			a.edgeNext = append(a.edgeNext, e.next)
		}
	}
	for _, e := range children[0] {
		a.root[e.b] = e.next
	}
	// Fail links breadth first, so a state's fail state is done before it.
	queue := make([]int32, 0, n)
	for _, e := range children[0] {
		queue = append(queue, e.next)
	}
	for qi := 0; qi < len(queue); qi++ {
		s := queue[qi]
		for _, e := range children[s] {
			f := a.fail[s]
			for {
				if f == 0 {
					f = a.root[e.b]
					break
				}
				if nx := a.step(f, e.b); nx >= 0 {
					f = nx
					break
				}
				f = a.fail[f]
			}
			a.fail[e.next] = f
			if a.out[f] >= 0 {
				a.dict[e.next] = f
			} else {
				a.dict[e.next] = a.dict[f]
			}
			queue = append(queue, e.next)
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
