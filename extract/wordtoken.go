package extract

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The label finders look at a few words next to a number. They used prose
// v3's tokenize.Tokenizer on a 60 to 120 byte window, which tried a regular
// expression and an emoticon map on every whitespace-delimited span and
// allocated the token slice, at every unnamed number of every report, to
// read three or four tokens. This is the same tokenizer, rule for rule, run
// lazily from the end of the window that matters (the words before a
// number) or from its start (the words after it); wordtoken_test.go
// compares it with prose.

// wordTok is one token: its text and its byte offset in the window.
type wordTok struct {
	text  string
	start int
}

// spaceBefore reports whether the rune ending at e in s is white space,
// and its size. Valid multi-byte spaces are found as prose's forward
// decoding finds them; any broken sequence is a non-space either way.
func spaceBefore(s string, e int) (bool, int) {
	if c := s[e-1]; c < utf8.RuneSelf {
		return c == ' ' || c >= '\t' && c <= '\r', 1
	}
	r, size := utf8.DecodeLastRuneInString(s[:e])
	return unicode.IsSpace(r), size
}

// spaceAt reports whether the rune at i in s is white space (Go's
// unicode.IsSpace), and its size; punkt, collapseSpace and the label
// finders all read spaces this way.
func spaceAt(s string, i int) (bool, int) {
	if c := s[i]; c < utf8.RuneSelf {
		return asciiSpace[c], 1
	}
	return spaceRuneAt(s, i)
}

func spaceRuneAt(s string, i int) (bool, int) {
	r, size := utf8.DecodeRuneInString(s[i:])
	return unicode.IsSpace(r), size
}

// appendTokensFrom appends the tokens of w in order, one span at a time,
// and stops after the span that brings out to at least limit tokens.
func appendTokensFrom(w string, out []wordTok, limit int) []wordTok {
	i := 0
	for i < len(w) && len(out) < limit {
		for i < len(w) {
			sp, size := spaceAt(w, i)
			if !sp {
				break
			}
			i += size
		}
		b := i
		for i < len(w) {
			sp, size := spaceAt(w, i)
			if sp {
				break
			}
			i += size
		}
		if i > b {
			out = splitSpan(w[b:i], b, out)
		}
	}
	return out
}

// backTokens hands out the tokens of a window from its end: at(0) is the
// last token, at(1) the one before it, and so on, split span by span only
// as far back as a caller asks. It lives on the caller's stack: the first
// tokens go to an array, only a window of more than len(near) tokens
// allocates.
type backTokens struct {
	w    string
	e    int // spans before e are not split yet
	n    int // tokens split so far
	near [24]wordTok
	far  []wordTok
}

func (bt *backTokens) at(r int) wordTok {
	if r < len(bt.near) {
		return bt.near[r]
	}
	return bt.far[r-len(bt.near)]
}

// has reports whether there is an r-th token from the end.
func (bt *backTokens) has(r int) bool {
	for bt.n <= r && bt.e > 0 {
		e := bt.e
		for e > 0 {
			sp, size := spaceBefore(bt.w, e)
			if !sp {
				break
			}
			e -= size
		}
		b := e
		for b > 0 {
			sp, size := spaceBefore(bt.w, b)
			if sp {
				break
			}
			b -= size
		}
		bt.e = b
		if e > b {
			var spanArr [8]wordTok
			span := splitSpan(bt.w[b:e], b, spanArr[:0])
			for k := len(span) - 1; k >= 0; k-- {
				if bt.n < len(bt.near) {
					bt.near[bt.n] = span[k]
				} else {
					bt.far = append(bt.far, span[k])
				}
				bt.n++
			}
		}
	}
	return r < bt.n
}

// splitSpan is prose's Tokenizer.split on one span without white space:
// a span kept whole (an emoticon, "e.g.", "Dr."), else prefixes off the
// front, contractions, and suffixes off the end.
func splitSpan(span string, base int, out []wordTok) []wordTok {
	var sufArr [8]wordTok
	suffixes := sufArr[:0]
	for span != "" {
		if keptWhole(span) {
			out = append(out, wordTok{span, base})
			span = ""
			break
		}
		if p := tokPrefixLen(span); p > 0 {
			out = append(out, wordTok{span[:p], base})
			span, base = span[p:], base+p
			continue
		}
		if idx := contractionAt(span); idx > 0 {
			out = append(out, wordTok{span[:idx], base})
			span, base = span[idx:], base+idx
			continue
		}
		if s := tokSuffixLen(span); s > 0 {
			cut := len(span) - s
			suffixes = append(suffixes, wordTok{span[cut:], base + cut})
			span = span[:cut]
			continue
		}
		out = append(out, wordTok{span, base})
		span = ""
	}
	for i := len(suffixes) - 1; i >= 0; i-- {
		out = append(out, suffixes[i])
	}
	return out
}

// tokPrefixLen is the length of prose's prefix at the start of s ($ ( " [
// “ ‘), or 0; the prefix must not be all of s.
func tokPrefixLen(s string) int {
	switch s[0] {
	case '$', '(', '"', '[':
		if len(s) > 1 {
			return 1
		}
	case 0xE2: // “ is E2 80 9C, ‘ is E2 80 98
		if len(s) > 3 && s[1] == 0x80 && (s[2] == 0x9C || s[2] == 0x98) {
			return 3
		}
	}
	return 0
}

// tokSuffixLen is the length of prose's suffix at the end of s (, ) " ] !
// ; . ? : ' ” ’), or 0; the suffix must not be all of s.
func tokSuffixLen(s string) int {
	n := len(s)
	switch s[n-1] {
	case ',', ')', '"', ']', '!', ';', '.', '?', ':', '\'':
		if n > 1 {
			return 1
		}
	case 0x9D, 0x99: // ” is E2 80 9D, ’ is E2 80 99
		if n > 3 && s[n-3] == 0xE2 && s[n-2] == 0x80 {
			return 3
		}
	}
	return 0
}

// contractions are prose's split cases, compared in ASCII case.
var contractions = []string{"'ll", "'s", "'re", "'m", "n't", "’ll", "’s", "’re", "’m", "n’t"}

// contractionAt is prose's indexAnyCase: the earliest first occurrence of
// a split case that is not at the start. Every split case holds an
// apostrophe, straight or curly (’ is E2 80 99).
func contractionAt(s string) int {
	if strings.IndexByte(s, '\'') < 0 && !strings.Contains(s, "’") {
		return -1
	}
	best := -1
	for _, c := range contractions {
		if i := indexFoldASCIIFirst(s, c); i > 0 && (best == -1 || i < best) {
			best = i
		}
	}
	return best
}

// indexFoldASCIIFirst is the first occurrence of sub in s, ASCII case
// folded, or -1 (prose ignores a split case whose first occurrence is at
// 0 even if it occurs again later).
func indexFoldASCIIFirst(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if equalFoldASCIIBytes(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

func equalFoldASCIIBytes(a, b string) bool {
	for i := 0; i < len(a); i++ {
		if lowerByte(a[i]) != lowerByte(b[i]) {
			return false
		}
	}
	return true
}

// keptWhole is prose's special: an emoticon, or what its internal regex
// `^(?:[A-Za-z]\.){2,}$|^[A-Z][a-z]{1,2}\.$` matches ("e.g.", "Dr.").
func keptWhole(s string) bool {
	if len(s) >= 2 && len(s) <= maxEmoticonLen && emoticonBytes[0][s[0]] && emoticonBytes[1][s[1]] && emoticons[s] {
		return true
	}
	n := len(s)
	if n >= 4 && n%2 == 0 {
		dotted := true
		for i := 0; i < n; i += 2 {
			if !isASCIILetter(s[i]) || s[i+1] != '.' {
				dotted = false
				break
			}
		}
		if dotted {
			return true
		}
	}
	if (n == 3 || n == 4) && s[0] >= 'A' && s[0] <= 'Z' && s[n-1] == '.' {
		for i := 1; i < n-1; i++ {
			if s[i] < 'a' || s[i] > 'z' {
				return false
			}
		}
		return true
	}
	return false
}

// emoticons is prose v3's internal emoticon set (internal/emoticon, which
// cannot be imported): its tokenizer keeps these spans whole.
var emoticons = map[string]bool{
	"(-8": true, "(-;": true, "(-_-)": true, "(._.)": true, "(:": true, "(=": true, "(o:": true,
	"(¬_¬)": true, "(ಠ_ಠ)": true, "(╯°□°）╯︵┻━┻": true, "-__-": true, "8-)": true, "8-D": true,
	"8D": true, ":(": true, ":((": true, ":(((": true, ":()": true, ":)))": true, ":-)": true,
	":-))": true, ":-)))": true, ":-*": true, ":-/": true, ":-X": true, ":-]": true, ":-o": true,
	":-p": true, ":-x": true, ":-|": true, ":-}": true, ":0": true, ":3": true, ":P": true,
	":]": true, ":`(": true, ":`)": true, ":`-(": true, ":o": true, ":o)": true, "=(": true,
	"=)": true, "=D": true, "=|": true, "@_@": true, "O.o": true, "O_o": true, "V_V": true,
	"XDD": true, "[-:": true, "^___^": true, "o_0": true, "o_O": true, "o_o": true, "v_v": true,
	"xD": true, "xDD": true, "¯\\(ツ)/¯": true,
}

// maxEmoticonLen and emoticonBytes (the first and second bytes of the
// emoticons) spare most spans the map look-up.
var maxEmoticonLen, emoticonBytes = func() (int, *[2][256]bool) {
	n, bytes := 0, new([2][256]bool)
	for e := range emoticons {
		n = max(n, len(e))
		bytes[0][e[0]], bytes[1][e[1]] = true, true
	}
	return n, bytes
}()

// foldSet is a set of lower-case words for inFoldSet: the map, and its
// words by length and first byte. A label or link word is looked up at
// every unnamed number, and hashing it for the map took a tenth of
// attach; the one to three words of a length and first byte (the low five
// bits) are compared sooner.
type foldSet struct {
	m map[string]bool
	// words[start[k]:start[k+1]] have the key k = len*32 + first&31
	words []string
	start [33*32 + 1]uint16
}

func foldSetOf(m map[string]bool) *foldSet {
	s := &foldSet{m: m}
	key := func(w string) int { return len(w)*32 + int(w[0]&31) }
	for w := range m {
		if w != "" && len(w) <= 32 {
			s.words = append(s.words, w)
		}
	}
	slices.SortFunc(s.words, func(a, b string) int {
		if ka, kb := key(a), key(b); ka != kb {
			return ka - kb
		}
		return strings.Compare(a, b)
	})
	k := 0
	for i, w := range s.words {
		for ; k <= key(w); k++ {
			s.start[k] = uint16(i)
		}
	}
	for ; k < len(s.start); k++ {
		s.start[k] = uint16(len(s.words))
	}
	return s
}

// inFoldSet looks w up in a set of lower-case words as strings.ToLower(w)
// would, without allocating for an ASCII word.
func inFoldSet(set *foldSet, w string) bool {
	if len(w) > 32 || w == "" {
		return set.m[strings.ToLower(w)]
	}
	var buf [32]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			return set.m[strings.ToLower(w)]
		}
		buf[i] = lowerByte(c)
	}
	key := buf[:len(w)]
	k := len(w)*32 + int(key[0]&31)
	for _, c := range set.words[set.start[k]:set.start[k+1]] {
		if c == string(key) {
			return true
		}
	}
	return false
}
