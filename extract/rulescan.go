package extract

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"

	"github.com/clinex/clinex/patterns"
)

// ruleScanner finds what re.FindAllStringSubmatchIndex finds, faster.
//
// Go's regexp tries a pattern at every byte of its input, and the rules run
// on windows of some 250 bytes around each keyword: that was a sixth of the
// extraction time. Most rule patterns can only start a match on a few bytes
// (the first letters of their keywords, or digits), and most begin with \b.
// The scanner tries the pattern, anchored, only where a match can start, and
// gives exactly the same matches:
//
//   - a match must start on a byte of first, so leftmost-first search that
//     skips other bytes finds the same leftmost match;
//   - the anchored pattern run on the input from position c sees everything
//     the unanchored one sees at c, except the character before c, which
//     only \b and \B read (patterns with ^ are not scanned this way). Where
//     that character is a word character, the pattern runs behind one
//     character more that it steps over, so \b and \B see it; and a
//     pattern that begins with \b cannot start a match there on a word
//     character, so it is not tried;
//   - a pattern that may match the empty string is not scanned this way
//     (FindAll's rules for empty matches would need copying).
//
// Most starts that pass the first byte still fail ("man" is tried at every
// "may" and "most"), and each failed try costs the regexp a clear of its
// whole backtracking state. So a start is tried only when the runes from
// it could begin a match, rune by rune (see prefixClasses).
type ruleScanner struct {
	re    *regexp.Regexp
	fast  bool
	first [256]bool
	// pair[b] holds the bytes that can follow a match's first byte b: a
	// two-byte table turns away two thirds of the starts first lets through.
	pair *[256][4]uint64
	// prefix[d] holds the bytes the d-th rune of any match can start with;
	// a match holds at least len(prefix) runes.
	prefix [][256]bool
	prog   []simInst // re's program, as mayStart reads it
	start  uint32
	// dfa caches mayStart's steps over ASCII text.
	dfa *startDFA
	// boundaryFirst: every match begins with \b. wordAssert: the pattern
	// holds \b or \B somewhere.
	boundaryFirst, wordAssert bool

	// groups are the rule's capture indexes appendRuleCandidates reads
	// (none set for the protect pattern).
	groups ruleGroups

	once sync.Once
	src  string
	// syntaxProg is re's program, for ready
	syntaxProg *syntax.Prog
	anchored   *regexp.Regexp // ^(?:re): a match starting at the input's start
	afterOne   *regexp.Regexp // ^(?s:.)(?:re): one starting after its first rune
}

func newRuleScanner(re *regexp.Regexp) *ruleScanner {
	s := &ruleScanner{re: re, src: re.String()}
	tree, err := syntax.Parse(s.src, syntax.Perl)
	if err != nil {
		return s
	}
	tree = tree.Simplify()
	a := firstAnalysis{}
	nullable, ok := a.visit(tree, &s.first)
	if !ok || nullable || a.beginAnchor {
		return s
	}
	if s.syntaxProg, err = syntax.Compile(tree); err != nil {
		return s
	}
	s.fast = true
	s.wordAssert = a.wordAssert
	s.boundaryFirst = everyMatchStartsWith(tree, syntax.OpWordBoundary)
	return s
}

// findAll is re.FindAllStringSubmatchIndex(text, -1).
func (s *ruleScanner) findAll(text string) [][]int {
	sim := simPool.Get().(*simScratch)
	defer simPool.Put(sim)
	return s.appendAll(nil, sim, text)
}

// appendAll appends to out the matches findAll returns (out's own
// elements untouched), so a caller running many windows reuses one slice.
func (s *ruleScanner) appendAll(out [][]int, sim *simScratch, text string) [][]int {
	if !s.fast {
		return append(out, s.re.FindAllStringSubmatchIndex(text, -1)...)
	}
	s.ready()
	// c steps as the regexp's own search does: a rune at a time (a byte at
	// a time through invalid UTF-8), so no match starts inside a rune.
	for c := 0; c < len(text); {
		// Every byte from 0x80 up is in first or none is, and a pair is
		// turned away on its first byte only as first turns it away, so
		// stepping a byte at a time through what they turn away never
		// lands a try inside a rune. The pair is read only where first
		// lets a byte through: reading it at every byte cost more than
		// it saved.
		for ; c < len(text); c++ {
			if !s.first[text[c]] {
				continue
			}
			if c+1 == len(text) {
				break
			}
			if b1 := text[c+1]; s.pair[text[c]][b1>>6]&(1<<(b1&63)) != 0 {
				break
			}
		}
		if c == len(text) {
			break
		}
		w := 1
		if text[c] >= utf8.RuneSelf {
			_, w = utf8.DecodeRuneInString(text[c:])
		}
		behind := c > 0 && s.wordAssert && isASCIIWordByte(text[c-1])
		if behind && s.boundaryFirst && isASCIIWordByte(text[c]) {
			// no word boundary here, nor anywhere to the end of the
			// word, so no match starts there
			for c < len(text) && isASCIIWordByte(text[c]) {
				c++
			}
			continue
		}
		// the rune before c as the regexp run below sees it
		before := rune(-1)
		if behind {
			before = rune(text[c-1])
		}
		if !s.prefixFits(text, c) || !s.mayStart(sim, text, c, before) {
			c += w
			continue
		}
		var m []int
		if behind {
			// \b and \B must see the word character before c
			if m = s.afterOne.FindStringSubmatchIndex(text[c-1:]); m != nil {
				m[0] = 1
				for k := range m {
					if m[k] >= 0 {
						m[k] += c - 1
					}
				}
			}
		} else if m = s.anchored.FindStringSubmatchIndex(text[c:]); m != nil {
			for k := range m {
				if m[k] >= 0 {
					m[k] += c
				}
			}
		}
		if m == nil {
			c += w
			continue
		}
		out = append(out, m)
		c = m[1] // the next search starts where this match ends
	}
	return out
}

// prefixFits reports whether the runes of text from c fit s.prefix; where
// they do not, no match starts at c.
func (s *ruleScanner) prefixFits(text string, c int) bool {
	for d := range s.prefix {
		if c >= len(text) {
			return false // a match would run past the end
		}
		b := text[c]
		if !s.prefix[d][b] {
			return false
		}
		if b < utf8.RuneSelf {
			c++
		} else {
			_, w := utf8.DecodeRuneInString(text[c:])
			c += w
		}
	}
	return true
}

// maxSimRunes is how far mayStart follows a match: far enough to read past
// the keyword most rules begin with, not so far that the threads of a
// filler ("[^\d.;]{0,40}?") pile up.
const maxSimRunes = 16

// simScratch is mayStart's working memory, reused across calls.
type simScratch struct {
	mark             []uint32 // mark[pc] == gen: pc seen in this step
	gen              uint32
	cur, next, stack []uint32
	runeInsts        []uint32 // closure's rune instructions, in step
}

var simPool = sync.Pool{New: func() any { return new(simScratch) }}

// mayStart runs s.prog from c on text, without captures and for at most
// maxSimRunes runes, and reports whether a match can start at c: false
// only when every thread has died before reaching a match. It reads the
// empty-width assertions as the regexp does, with before the rune it sees
// before c (-1 for none), so it lets through nothing more than needed.
//
// A failed regexp try costs far more (a backtracking state to set up and
// every alternative tried with captures) than these few steps.
func (s *ruleScanner) mayStart(sim *simScratch, text string, c int, before rune) bool {
	if len(sim.mark) < len(s.prog) {
		sim.mark = make([]uint32, len(s.prog))
		sim.gen = 0
	}
	// Over ASCII text the steps are a lazily built DFA's: the same threads
	// after the same rune class always step the same way.
	st := s.dfa.begin
	if before >= 0 {
		st = s.dfa.afterWord // before is a word character (see findAll)
	}
	p := c
	for steps := 0; steps < maxSimRunes; steps++ {
		if p == len(text) || text[p] >= utf8.RuneSelf {
			return s.runThreads(sim, st.threads, st.prev, text, p, steps)
		}
		b := text[p]
		nx := st.next[b].Load()
		if nx == nil {
			if nx = s.dfa.add(s, st, b); nx == nil { // the cache is full
				return s.runThreads(sim, st.threads, st.prev, text, p, steps)
			}
		}
		switch nx {
		case dfaDead:
			return false
		case dfaMatched:
			return true
		}
		st = nx
		p++
	}
	return true
}

// runThreads is mayStart from its steps-th step on, at p in text, with the
// threads cur and r1 the rune before p.
func (s *ruleScanner) runThreads(sim *simScratch, threads []uint32, r1 rune, text string, p, steps int) bool {
	cur, next := append(sim.cur[:0], threads...), sim.next[:0]
	// the buffers, grown, go back to sim for the next call
	defer func() { sim.cur, sim.next = cur, next }()
	for ; steps < maxSimRunes; steps++ {
		r2, w := rune(-1), 0
		if p < len(text) {
			if r2, w = rune(text[p]), 1; r2 >= utf8.RuneSelf {
				r2, w = utf8.DecodeRuneInString(text[p:])
			}
		}
		var matched bool
		if next, matched = s.step(sim, cur, next[:0], r1, r2); matched {
			return true
		}
		if len(next) == 0 {
			return false
		}
		cur, next = next, cur
		p += w
		r1 = r2
	}
	return true
}

// startDFA is mayStart's cache: a state is a set of threads with the class
// of the rune before them (all the empty-width assertions read of it), and
// its transition on an ASCII byte is built the first time it is taken.
// Transitions are read without a lock (atomic pointers) and added under
// mu, so the workers share it.
type startDFA struct {
	begin, afterWord *dfaState
	mu               sync.Mutex
	states           map[string]*dfaState // under mu, by key
	sim              simScratch           // under mu
}

type dfaState struct {
	threads []uint32
	prev    rune // the class of the rune before: -1, '\n', 'a' (word) or ' '
	next    [utf8.RuneSelf]atomic.Pointer[dfaState]
}

// dfaDead and dfaMatched end a run: no thread left, or one at a match.
var dfaDead, dfaMatched = new(dfaState), new(dfaState)

// maxDFAStates bounds a rule's cache, a state being about 1 KB: the
// 8,081 e3c-bulk reports build 1,272 states over all rules, 141 at most
// for one. Past it mayStart steps threads, slower but the same.
const maxDFAStates = 256

// runeClass is the representative of r's class for the empty-width
// assertions, which read the rune before only as none, a newline, a word
// character or another (syntax.EmptyOpContext).
func runeClass(r rune) rune {
	switch {
	case r < 0:
		return -1
	case r == '\n':
		return '\n'
	case syntax.IsWordChar(r):
		return 'a'
	}
	return ' '
}

func newStartDFA(s *ruleScanner) *startDFA {
	d := &startDFA{states: map[string]*dfaState{}}
	d.sim.mark = make([]uint32, len(s.prog))
	d.begin = d.state([]uint32{s.start}, -1)
	d.afterWord = d.state([]uint32{s.start}, 'a')
	return d
}

// state interns the state of threads after a rune of class prev; nil when
// the cache is full. Under mu, or before the DFA is shared.
func (d *startDFA) state(threads []uint32, prev rune) *dfaState {
	key := make([]byte, 0, 4*len(threads)+1)
	key = append(key, byte(prev))
	for _, pc := range threads {
		key = append(key, byte(pc), byte(pc>>8), byte(pc>>16), byte(pc>>24))
	}
	if st, ok := d.states[string(key)]; ok {
		return st
	}
	if len(d.states) >= maxDFAStates {
		return nil
	}
	st := &dfaState{threads: slices.Clone(threads), prev: prev}
	d.states[string(key)] = st
	return st
}

// add builds st's transition on the ASCII byte b; nil when the cache is
// full.
func (d *startDFA) add(s *ruleScanner, st *dfaState, b byte) *dfaState {
	d.mu.Lock()
	defer d.mu.Unlock()
	if nx := st.next[b].Load(); nx != nil {
		return nx // another worker built it
	}
	next, matched := s.step(&d.sim, st.threads, nil, st.prev, rune(b))
	var nx *dfaState
	switch {
	case matched:
		nx = dfaMatched
	case len(next) == 0:
		nx = dfaDead
	default:
		if nx = d.state(next, runeClass(rune(b))); nx == nil {
			return nil
		}
	}
	st.next[b].Store(nx)
	return nx
}

// ready builds, once, what only findAll's fast path needs: a short run
// meets few rules' keywords, so start-up does not pay it for every rule.
func (s *ruleScanner) ready() {
	s.once.Do(func() {
		s.prog, s.start = compileSim(s.syntaxProg)
		s.prefix = prefixClasses(s.syntaxProg, maxPrefixRunes)
		s.pair = pairClasses(s.syntaxProg, &s.first)
		s.anchored = regexp.MustCompile(`^(?:` + s.src + `)`)
		s.afterOne = regexp.MustCompile(`^(?s:.)(?:` + s.src + `)`)
		s.dfa = newStartDFA(s)
	})
}

// step follows the threads cur over rune r2 (-1: the end of the text),
// with r1 the rune before, appends the threads left to next and reports
// whether one reached a match first.
func (s *ruleScanner) step(sim *simScratch, cur, next []uint32, r1, r2 rune) ([]uint32, bool) {
	runes, matched := s.closure(sim, cur, sim.runeInsts[:0], syntax.EmptyOpContext(r1, r2))
	sim.runeInsts = runes
	if matched {
		return next, true
	}
	return s.over(runes, next, r2), false
}

// closure follows the empty moves from the threads cur in the context
// ctx, appends the rune instructions reached to runes, and reports whether
// a match is reached.
func (s *ruleScanner) closure(sim *simScratch, cur, runes []uint32, ctx syntax.EmptyOp) ([]uint32, bool) {
	prog := s.prog
	if sim.gen++; sim.gen == 0 { // wrapped: old marks could read as new
		clear(sim.mark)
		sim.gen = 1
	}
	stack := append(sim.stack[:0], cur...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if sim.mark[pc] == sim.gen {
			continue
		}
		sim.mark[pc] = sim.gen
		in := &prog[pc]
		switch in.op {
		case simAlt:
			stack = append(stack, in.arg, in.out)
		case simEmpty:
			if in.empty&^ctx == 0 {
				stack = append(stack, in.out)
			}
		case simMatch:
			sim.stack = stack
			return runes, true
		case simRune:
			runes = append(runes, pc)
		}
	}
	sim.stack = stack
	return runes, false
}

// over appends to next the threads the rune instructions runes leave
// after r (-1: the end of the text, which none takes).
func (s *ruleScanner) over(runes, next []uint32, r rune) []uint32 {
	for _, pc := range runes {
		in := &s.prog[pc]
		var ok bool
		if uint32(r) < utf8.RuneSelf {
			ok = in.ascii[r>>6]>>(r&63)&1 != 0
		} else if r >= 0 && in.inst != nil {
			ok = matchesRune(in.inst, r)
		}
		if ok {
			next = append(next, in.out)
		}
	}
	return next
}

// simInst is one instruction of a rule's program as mayStart reads it:
// captures and no-ops skipped, a rune instruction's ASCII runes in a
// bitmap.
type simInst struct {
	op       simOp
	empty    syntax.EmptyOp // simEmpty: the assertion
	out, arg uint32
	ascii    [2]uint64    // simRune: the ASCII runes taken
	inst     *syntax.Inst // simRune: the instruction, if it takes a rune out of ASCII
}

type simOp uint8

const (
	simFail simOp = iota
	simAlt
	simEmpty
	simMatch
	simRune
)

// compileSim turns prog into simInsts (same indexes) and returns them with
// the start.
func compileSim(prog *syntax.Prog) ([]simInst, uint32) {
	// skip follows captures and no-ops, which mayStart need not see; a
	// loop of them (none is compiled) ends in a fail.
	skip := func(pc uint32) uint32 {
		for range len(prog.Inst) {
			switch prog.Inst[pc].Op {
			case syntax.InstCapture, syntax.InstNop:
				pc = prog.Inst[pc].Out
			default:
				return pc
			}
		}
		return uint32(prog.Start) // unreachable; any valid pc will do
	}
	out := make([]simInst, len(prog.Inst))
	for pc := range prog.Inst {
		inst := &prog.Inst[pc]
		si := &out[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			si.op, si.out, si.arg = simAlt, skip(inst.Out), skip(inst.Arg)
		case syntax.InstEmptyWidth:
			si.op, si.empty, si.out = simEmpty, syntax.EmptyOp(inst.Arg), skip(inst.Out)
		case syntax.InstMatch:
			si.op = simMatch
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			si.op, si.out = simRune, skip(inst.Out)
			var cls [256]bool
			markInst(&cls, inst)
			for b := range utf8.RuneSelf {
				if cls[b] {
					si.ascii[b>>6] |= 1 << (b & 63)
				}
			}
			if cls[utf8.RuneSelf] {
				si.inst = inst
			}
		case syntax.InstCapture, syntax.InstNop:
			si.op, si.out = simAlt, skip(inst.Out) // reached only as the start
			si.arg = si.out
		}
	}
	return out, skip(uint32(prog.Start))
}

// matchesRune is whether inst, a rune instruction, takes r.
func matchesRune(inst *syntax.Inst, r rune) bool {
	switch inst.Op {
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return inst.MatchRune(r)
}

// isASCIIWordByte is \w as Go's \b reads it: a byte of a multi-byte rune
// is never a word character.
func isASCIIWordByte(c byte) bool {
	return regexpWordByte[c]
}

var regexpWordByte = func() (t [256]bool) {
	for b := range utf8.RuneSelf {
		t[b] = syntax.IsWordChar(rune(b))
	}
	return t
}()

type firstAnalysis struct {
	beginAnchor bool // ^ anywhere: it would match at every start tried
	wordAssert  bool
}

// visit adds to first the bytes a match of re can start with and reports
// whether re can match the empty string; ok is false for what it does not
// know.
func (a *firstAnalysis) visit(re *syntax.Regexp, first *[256]bool) (nullable, ok bool) {
	switch re.Op {
	case syntax.OpNoMatch:
		return false, true
	case syntax.OpEmptyMatch, syntax.OpEndLine, syntax.OpEndText:
		return true, true
	case syntax.OpBeginLine, syntax.OpBeginText:
		a.beginAnchor = true
		return true, true
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		a.wordAssert = true
		return true, true
	case syntax.OpLiteral:
		if len(re.Rune) == 0 {
			return true, true
		}
		addRune(first, re.Rune[0], re.Flags&syntax.FoldCase != 0)
		return false, true
	case syntax.OpCharClass:
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			for r := lo; r <= hi && r < 0x80; r++ {
				first[r] = true
			}
			if hi >= 0x80 {
				addNonASCII(first)
			}
		}
		return false, true
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		for i := range first {
			first[i] = true
		}
		return false, true
	case syntax.OpCapture, syntax.OpPlus:
		return a.visit(re.Sub[0], first)
	case syntax.OpStar, syntax.OpQuest:
		_, ok := a.visit(re.Sub[0], first)
		return true, ok
	case syntax.OpRepeat:
		n, ok := a.visit(re.Sub[0], first)
		return n || re.Min == 0, ok
	case syntax.OpConcat:
		nullable := true
		for _, sub := range re.Sub {
			if !nullable {
				// not a first byte, but its anchors still count
				var ignore [256]bool
				if _, ok := a.visit(sub, &ignore); !ok {
					return false, false
				}
				continue
			}
			n, ok := a.visit(sub, first)
			if !ok {
				return false, false
			}
			nullable = n
		}
		return nullable, true
	case syntax.OpAlternate:
		nullable := false
		for _, sub := range re.Sub {
			n, ok := a.visit(sub, first)
			if !ok {
				return false, false
			}
			nullable = nullable || n
		}
		return nullable, true
	}
	return false, false
}

// addRune marks the first byte of r, and of each rune it folds to.
func addRune(first *[256]bool, r rune, fold bool) {
	mark := func(r rune) {
		if r < 0x80 {
			first[r] = true
		} else {
			addNonASCII(first)
		}
	}
	mark(r)
	if fold {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			mark(f)
		}
	}
}

func addNonASCII(first *[256]bool) {
	for b := 0x80; b < 0x100; b++ {
		first[b] = true
	}
}

// everyMatchStartsWith reports whether every match of re begins with the
// zero-width assertion op: \b (syntax.OpWordBoundary) for the rule
// scanner's word-start filter, ^ (syntax.OpBeginText, the start of the
// text; not (?m)^, which matches after a line break too) for the
// normalizer's line filters.
func everyMatchStartsWith(re *syntax.Regexp, op syntax.Op) bool {
	switch re.Op {
	case op:
		return true
	case syntax.OpCapture:
		return everyMatchStartsWith(re.Sub[0], op)
	case syntax.OpConcat:
		return len(re.Sub) > 0 && everyMatchStartsWith(re.Sub[0], op)
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !everyMatchStartsWith(sub, op) {
				return false
			}
		}
		return len(re.Sub) > 0
	}
	return false
}

// maxPrefixRunes is how many runes of a match prefixClasses looks at: the
// first few letters of a keyword tell most words apart.
const maxPrefixRunes = 10

// prefixClasses returns, for each of the first runes of any match of prog
// anchored at its start, the bytes that rune can start with: an ASCII byte
// for itself, and every byte from 0x80 up for any non-ASCII rune (and the
// invalid byte the regexp reads as U+FFFD). It stops at max runes, and
// where a match may end, so every match holds at least len(result) runes.
//
// It follows the program as a regexp would, a rune at a time, with every
// state a match could be in; the empty-width assertions (\b, ^, $) are
// taken as passed, which only lets more through.
func prefixClasses(prog *syntax.Prog, max int) [][256]bool {
	var out [][256]bool
	states := []uint32{uint32(prog.Start)}
	for len(out) < max {
		runes, matched := closure(prog, states)
		if matched {
			break
		}
		var cls [256]bool
		states = states[:0]
		for _, pc := range runes {
			inst := &prog.Inst[pc]
			markInst(&cls, inst)
			states = append(states, inst.Out)
		}
		out = append(out, cls)
		if len(runes) == 0 {
			break // nothing can match: the empty class rejects every start
		}
	}
	return out
}

// pairClasses returns, for each byte b a match of prog can start with,
// the bytes that can come next in it. Where b begins a rune of more than
// one byte (first holds every byte from 0x80 up or none), or a match may
// end after b, any byte can. Like prefixClasses it takes the empty-width
// assertions as passed, which only lets more through.
func pairClasses(prog *syntax.Prog, first *[256]bool) *[256][4]uint64 {
	var pair [256][4]uint64
	for b := utf8.RuneSelf; b < 0x100; b++ {
		if first[b] {
			pair[b] = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		}
	}
	runes0, _ := closure(prog, []uint32{uint32(prog.Start)})
	for _, pc := range runes0 {
		inst := &prog.Inst[pc]
		var cls0 [256]bool
		markInst(&cls0, inst)
		runes1, matched := closure(prog, []uint32{inst.Out})
		var next [4]uint64
		if matched {
			next = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
		} else {
			var cls1 [256]bool
			for _, pc1 := range runes1 {
				markInst(&cls1, &prog.Inst[pc1])
			}
			for b, ok := range cls1 {
				if ok {
					next[b>>6] |= 1 << (b & 63)
				}
			}
		}
		for b := range utf8.RuneSelf {
			if cls0[b] {
				for k := range next {
					pair[b][k] |= next[k]
				}
			}
		}
	}
	return &pair
}

// pairFits reports whether the bytes of text at c and after it fit s.pair
// (at the last byte, s.first); where they do not, no match starts at c.
func (s *ruleScanner) pairFits(text string, c int) bool {
	if c+1 == len(text) {
		return s.first[text[c]]
	}
	b1 := text[c+1]
	return s.pair[text[c]][b1>>6]&(1<<(b1&63)) != 0
}

// closure follows the empty moves from states and returns the rune
// instructions reached, in no particular order, and whether a match is.
func closure(prog *syntax.Prog, states []uint32) (runes []uint32, matched bool) {
	seen := make([]bool, len(prog.Inst))
	stack := append([]uint32(nil), states...)
	for len(stack) > 0 {
		pc := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[pc] {
			continue
		}
		seen[pc] = true
		inst := &prog.Inst[pc]
		switch inst.Op {
		case syntax.InstAlt, syntax.InstAltMatch:
			stack = append(stack, inst.Out, inst.Arg)
		case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
			stack = append(stack, inst.Out)
		case syntax.InstMatch:
			matched = true
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			runes = append(runes, pc)
		}
	}
	return runes, matched
}

// markInst adds to cls the first bytes of the runes inst matches, read
// off its ranges as MatchRune reads them: one rune (and, folding, its
// orbit), or pairs of bounds.
func markInst(cls *[256]bool, inst *syntax.Inst) {
	nonASCII := false
	mark := func(r rune) {
		if r < utf8.RuneSelf {
			cls[r] = true
		} else {
			nonASCII = true
		}
	}
	switch inst.Op {
	case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		for b := range utf8.RuneSelf {
			if inst.Op == syntax.InstRuneAny || b != '\n' {
				cls[b] = true
			}
		}
		nonASCII = true
	case syntax.InstRune1:
		mark(inst.Rune[0])
	case syntax.InstRune:
		if len(inst.Rune) == 1 {
			r0 := inst.Rune[0]
			mark(r0)
			if syntax.Flags(inst.Arg)&syntax.FoldCase != 0 {
				for f := unicode.SimpleFold(r0); f != r0; f = unicode.SimpleFold(f) {
					mark(f)
				}
			}
			break
		}
		for i := 0; i+1 < len(inst.Rune); i += 2 {
			lo, hi := inst.Rune[i], inst.Rune[i+1]
			for r := max(lo, 0); r <= hi && r < utf8.RuneSelf; r++ {
				cls[r] = true
			}
			nonASCII = nonASCII || hi >= utf8.RuneSelf
		}
	}
	if nonASCII {
		for b := utf8.RuneSelf; b < 0x100; b++ {
			cls[b] = true
		}
	}
}

// ruleScratch is what appendRules reuses from one document to the next:
// the windows and matches of a document were three slices grown from
// nothing every time.
type ruleScratch struct {
	sim     simScratch
	windows []ruleWindow
	grouped []ruleWindow // windows, by rule
	ends    []int        // groupByRule's counts
	spans   [][2]int
	matches [][]int
	found   []ruleMatch
}

var ruleScratchPool = sync.Pool{New: func() any { return new(ruleScratch) }}

// release drops the matches the scratch still points at, so a pooled
// scratch does not keep a document's match slices alive, and pools it.
func (sc *ruleScratch) release() {
	clear(sc.matches[:cap(sc.matches)])
	clear(sc.found[:cap(sc.found)])
	ruleScratchPool.Put(sc)
}

// groupByRule returns windows in order of rule, in sc.grouped: a
// counting sort, where sorting by rule and start took a twelfth of the
// rules' time. The order of a rule's windows does not matter, as
// mergeWindows sorts them.
func groupByRule(sc *ruleScratch, windows []ruleWindow, rules int) []ruleWindow {
	ends := slices.Grow(sc.ends[:0], rules+1)[:rules+1]
	clear(ends)
	for _, w := range windows {
		ends[w.rule+1]++
	}
	for r := 1; r <= rules; r++ {
		ends[r] += ends[r-1]
	}
	// ends[r] is now where rule r's windows begin
	grouped := slices.Grow(sc.grouped[:0], len(windows))[:len(windows)]
	for _, w := range windows {
		grouped[ends[w.rule]] = w
		ends[w.rule]++
	}
	sc.ends, sc.grouped = ends, grouped
	return grouped
}

// ruleGroups holds the capture indexes of a rule's named groups that
// appendRuleCandidates reads: looked up in the rule's map once, not about
// seven times a match.
type ruleGroups struct {
	unit, op, label, valueMax int
	// outputs are the rule's outputs, or for a rule with none the one
	// output of its value; output[i] is the group of outputs[i].
	outputs []patterns.Output
	output  []int
	// valueKey maps each of the rule's values, lower-cased, to the key
	// mapValue gives it: ranging over the rule's map at every match took
	// a twentieth of the rules' time.
	valueKey map[string]string
}

// mapValue is mapValue(r.Values, s) for the rule g was made from.
func (g *ruleGroups) mapValue(s string) (Value, bool) {
	k, ok := g.valueKey[strings.ToLower(strings.TrimSpace(s))]
	if !ok {
		return Value{}, false
	}
	return String(k), true
}

func newRuleGroups(r *patterns.Rule) ruleGroups {
	g := ruleGroups{unit: r.Group("unit"), op: r.Group("op"), label: r.Group("label"),
		valueMax: r.Group("value_max"), outputs: r.Outputs}
	if len(g.outputs) == 0 {
		g.outputs = []patterns.Output{{Concept: r.Concept, Label: r.Label, Category: r.Category, Group: "value"}}
	}
	for _, o := range g.outputs {
		g.output = append(g.output, r.Group(o.Group))
	}
	if len(r.Values) > 0 {
		// the first key in sorted order that lists a value, as mapValue
		g.valueKey = map[string]string{}
		for k, vs := range r.Values {
			for _, v := range vs {
				low := strings.ToLower(v)
				if best, ok := g.valueKey[low]; !ok || k < best {
					g.valueKey[low] = k
				}
			}
		}
	}
	return g
}

// sentenceCursor is Layout.SentenceAt for the starts of the keyword hits,
// which come nearly in order: the sentence found last, or the one after,
// is most often the one, and a binary search each time took a thirtieth
// of the rules' time.
type sentenceCursor struct {
	ss   []Sentence
	next int // the first sentence that ended after the place looked up last
}

func (c *sentenceCursor) at(p int) int {
	ss := c.ss
	// i is the first sentence that ends after p, as SentenceAt finds it
	i := c.next
	if !c.firstEndingAfter(i, p) {
		if i++; !c.firstEndingAfter(i, p) {
			i = sort.Search(len(ss), func(k int) bool { return ss[k].End > p })
		}
	}
	c.next = i
	if i < len(ss) && ss[i].Start <= p {
		return i
	}
	return -1
}

// firstEndingAfter tells whether sentence i is the first to end after p
// (or i == len(ss) and none does); the sentences end in order.
func (c *sentenceCursor) firstEndingAfter(i, p int) bool {
	ss := c.ss
	return i <= len(ss) && (i == 0 || ss[i-1].End <= p) && (i == len(ss) || ss[i].End > p)
}
