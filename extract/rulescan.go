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
type ruleScanner struct {
	re    *regexp.Regexp
	fast  bool
	first [256]bool
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
	s.fast = true
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
		var m []int
		if c > 0 && s.wordAssert && isASCIIWordByte(text[c-1]) {
			if s.boundaryFirst && isASCIIWordByte(text[c]) {
				c += w
				continue // no word boundary here, so no match starts here
			}
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
