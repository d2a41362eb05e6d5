package extract

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Cheap tests that run before a hot regex and say "this regex cannot match
// here". Go's regexp tries every start position of a `...$` pattern, so on
// the window before each number or sentence end it costs far more than the
// rare match it finds. Each test must only ever reject what the regex would
// reject, so the findings stay byte-identical; they lean on one fact of
// (?i) in Go: the only non-ASCII runes that fold to ASCII letters are K
// (U+212A, k) and ſ (U+017F, s), so ASCII letters other than k and s match
// only themselves in either case.

func isRegexSpace(c byte) bool { // \s in Go's regexp syntax
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// equalFoldASCII compares an ASCII-lower-case word with s, ASCII letters
// in either case.
func equalFoldASCII(s, lower string) bool {
	if len(s) != len(lower) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if asciiLower[s[i]] != lower[i] {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	i := 0
	for ; i+8 <= len(s); i += 8 { // eight bytes a step: windows are mostly ASCII
		w := s[i : i+8]
		if (w[0]|w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7])&0x80 != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// foldWords is a set of ASCII lower-case words indexed by first byte, for
// mayContainFold's single pass.
type foldWords struct {
	byFirst [256][]string
}

func newFoldWords(words ...string) *foldWords {
	f := &foldWords{}
	for _, w := range words {
		f.byFirst[w[0]] = append(f.byFirst[w[0]], w)
		if u := w[0] - 'a' + 'A'; w[0] >= 'a' && w[0] <= 'z' {
			f.byFirst[u] = append(f.byFirst[u], w)
		}
	}
	return f
}

// mayContainFold is false where s is ASCII and holds none of words in
// either case: a (?i) regex whose every match holds one of words cannot
// match there. Where s is not ASCII, a rune folding to k or s could stand
// in a word, so it says true.
func mayContainFold(s string, words *foldWords) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 {
			return true
		}
		for _, w := range words.byFirst[c] {
			if len(s)-i >= len(w) && equalFoldASCII(s[i:i+len(w)], w) {
				return true
			}
		}
	}
	return false
}

// findIfAny runs re only where s holds one of the words every match holds.
func findIfAny(re *regexp.Regexp, s string, words *foldWords) []string {
	if !mayContainFold(s, words) {
		return nil
	}
	return re.FindStringSubmatch(s)
}

var (
	// statusAfterRe ends with one of these (unsuccessful holds successful).
	// cyclesRe: "4 cycles of", "two doses of"
	cyclesWords      = newFoldWords("cycle", "course", "dose", "infusion", "injection")
	statusAfterWords = newFoldWords("attempted", "planned", "scheduled", "proposed", "considered", "recommended",
		"indicated", "deferred", "refused", "declined", "postponed", "performed", "done", "carried out",
		"completed", "successful")
)

func hasDigit(s string) bool {
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			return true
		}
	}
	return false
}

// endsWithTimes is false where timesRe (`(\d+)\s*[x×]\s*$`) cannot match:
// the last byte but white space is neither x nor the end of ×.
func endsWithTimes(s string) bool {
	e := len(s)
	for e > 0 && isRegexSpace(s[e-1]) {
		e--
	}
	return e > 0 && (s[e-1] == 'x' || s[e-1] == 0x97)
}

// dropParentheticals is parenthetical.ReplaceAllString(s, " "): each
// bracket of at most 80 runes with no bracket of its kind inside, "(…)"
// or "[…]", becomes a space.
func dropParentheticals(s string) string {
	if strings.IndexByte(s, '(') < 0 && strings.IndexByte(s, '[') < 0 {
		return s
	}
	var b strings.Builder
	last, found := 0, false
	for i := 0; i < len(s); i++ {
		var open, closing byte
		switch s[i] {
		case '(':
			open, closing = '(', ')'
		case '[':
			open, closing = '[', ']'
		default:
			continue
		}
		// [^()]{0,80} takes every rune up to the first bracket of the
		// kind, if it comes within 80, and then must meet the closing one
		j := i + 1
		for n := 0; n < 80 && j < len(s) && s[j] != open && s[j] != closing; n++ {
			_, size := utf8.DecodeRuneInString(s[j:])
			j += size
		}
		if j < len(s) && s[j] == closing {
			b.WriteString(s[last:i])
			b.WriteByte(' ')
			last, found = j+1, true
			i = j
		}
	}
	if !found {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}
