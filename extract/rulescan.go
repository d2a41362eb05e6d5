package extract

import (
	"regexp"
	"regexp/syntax"
	"sync"
	"unicode"
	"unicode/utf8"
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
	// prefix[d] holds the bytes the d-th rune of any match can start with;
	// a match holds at least len(prefix) runes.
	prefix [][256]bool
	prog   *syntax.Prog // re's program, for mayStart
	// boundaryFirst: every match begins with \b. wordAssert: the pattern
	// holds \b or \B somewhere.
	boundaryFirst, wordAssert bool

	once     sync.Once
	src      string
	anchored *regexp.Regexp // ^(?:re): a match starting at the input's start
	afterOne *regexp.Regexp // ^(?s:.)(?:re): one starting after its first rune
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
	prog, err := syntax.Compile(tree)
	if err != nil {
		return s
	}
	s.fast = true
	s.prog = prog
	s.prefix = prefixClasses(prog, maxPrefixRunes)
	s.wordAssert = a.wordAssert
	s.boundaryFirst = startsWithBoundary(tree)
	return s
}

// findAll is re.FindAllStringSubmatchIndex(text, -1).
func (s *ruleScanner) findAll(text string) [][]int {
	if !s.fast {
		return s.re.FindAllStringSubmatchIndex(text, -1)
	}
	s.once.Do(func() {
		s.anchored = regexp.MustCompile(`^(?:` + s.src + `)`)
		s.afterOne = regexp.MustCompile(`^(?s:.)(?:` + s.src + `)`)
	})
	sim := simPool.Get().(*simScratch)
	defer simPool.Put(sim)
	var out [][]int
	// c steps as the regexp's own search does: a rune at a time (a byte at
	// a time through invalid UTF-8), so no match starts inside a rune.
	for c := 0; c < len(text); {
		w := 1
		if text[c] >= utf8.RuneSelf {
			_, w = utf8.DecodeRuneInString(text[c:])
		}
		if !s.first[text[c]] {
			c += w
			continue
		}
		behind := c > 0 && s.wordAssert && isASCIIWordByte(text[c-1])
		if behind && s.boundaryFirst && isASCIIWordByte(text[c]) {
			c += w
			continue // no word boundary here, so no match starts here
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
	prog := s.prog
	if len(sim.mark) < len(prog.Inst) {
		sim.mark = make([]uint32, len(prog.Inst))
		sim.gen = 0
	}
	cur := append(sim.cur[:0], uint32(prog.Start))
	next := sim.next[:0]
	defer func() { sim.cur, sim.next = cur, next }()
	r1 := before
	for p, steps := c, 0; steps < maxSimRunes; steps++ {
		r2, w := rune(-1), 0
		if p < len(text) {
			if r2, w = rune(text[p]), 1; r2 >= utf8.RuneSelf {
				r2, w = utf8.DecodeRuneInString(text[p:])
			}
		}
		ctx := syntax.EmptyOpContext(r1, r2)
		if sim.gen++; sim.gen == 0 { // wrapped: old marks could read as new
			clear(sim.mark)
			sim.gen = 1
		}
		next = next[:0]
		stack := append(sim.stack[:0], cur...)
		for len(stack) > 0 {
			pc := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if sim.mark[pc] == sim.gen {
				continue
			}
			sim.mark[pc] = sim.gen
			inst := &prog.Inst[pc]
			switch inst.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				stack = append(stack, inst.Arg, inst.Out)
			case syntax.InstCapture, syntax.InstNop:
				stack = append(stack, inst.Out)
			case syntax.InstEmptyWidth:
				if syntax.EmptyOp(inst.Arg)&^ctx == 0 {
					stack = append(stack, inst.Out)
				}
			case syntax.InstMatch:
				sim.stack = stack
				return true
			case syntax.InstRune1:
				if r2 == inst.Rune[0] {
					next = append(next, inst.Out)
				}
			case syntax.InstRune:
				if r2 >= 0 && inst.MatchRune(r2) {
					next = append(next, inst.Out)
				}
			case syntax.InstRuneAny:
				if r2 >= 0 {
					next = append(next, inst.Out)
				}
			case syntax.InstRuneAnyNotNL:
				if r2 >= 0 && r2 != '\n' {
					next = append(next, inst.Out)
				}
			}
		}
		sim.stack = stack
		if len(next) == 0 {
			return false
		}
		cur, next = next, cur
		p += w
		r1 = r2
	}
	return true
}

// isASCIIWordByte is \w as Go's \b reads it: a byte of a multi-byte rune
// is never a word character.
func isASCIIWordByte(c byte) bool {
	return c < 0x80 && syntax.IsWordChar(rune(c))
}

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

// startsWithBoundary reports whether every match of re begins with \b.
func startsWithBoundary(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpWordBoundary:
		return true
	case syntax.OpCapture:
		return startsWithBoundary(re.Sub[0])
	case syntax.OpConcat:
		return len(re.Sub) > 0 && startsWithBoundary(re.Sub[0])
	case syntax.OpAlternate:
		for _, sub := range re.Sub {
			if !startsWithBoundary(sub) {
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

// markInst adds to cls the first bytes of the runes inst matches.
func markInst(cls *[256]bool, inst *syntax.Inst) {
	nonASCII := false
	switch inst.Op {
	case syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
		for b := range utf8.RuneSelf {
			if inst.Op == syntax.InstRuneAny || b != '\n' {
				cls[b] = true
			}
		}
		nonASCII = true
	default: // InstRune, InstRune1
		for b := range utf8.RuneSelf {
			if inst.MatchRune(rune(b)) {
				cls[b] = true
			}
		}
		for _, r := range inst.Rune { // a range reaching past ASCII ends there
			nonASCII = nonASCII || r >= utf8.RuneSelf
		}
		if inst.Op == syntax.InstRune && len(inst.Rune) == 1 && syntax.Flags(inst.Arg)&syntax.FoldCase != 0 {
			r0 := inst.Rune[0]
			for f := unicode.SimpleFold(r0); f != r0; f = unicode.SimpleFold(f) {
				nonASCII = nonASCII || f >= utf8.RuneSelf
			}
		}
	}
	if nonASCII {
		for b := utf8.RuneSelf; b < 0x100; b++ {
			cls[b] = true
		}
	}
}
