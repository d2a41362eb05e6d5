package extract

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gopkg.in/neurosnap/sentences.v1"
	"gopkg.in/neurosnap/sentences.v1/data"
)

// punkt splits a block into sentences exactly as prose v3's segment package
// did on top of neurosnap/sentences (punkt, plus prose's extra rules), but
// without its cost: neurosnap allocates a token and runs a regular
// expression per word (Type, IsInitial, IsEllipsis), and prose adds two
// more per token pair. Here the tokens live in a reused slice, the regular
// expressions are byte tests, and a token's type is computed once into a
// reused buffer and looked up without allocating. The quirks of the
// original are kept on purpose (see punktTokenize and typeAnnotate): the
// equivalence test in punkt_test.go compares both on real reports.
type punkt struct {
	abbrevs      sentences.SetString
	collocations sentences.SetString
	starters     sentences.SetString
	ortho        sentences.SetString
	// The small sets' keys by first byte and length: most words looked up
	// in them are not there, and this says so without hashing them.
	abbrevKeys, collocationKeys, starterKeys keyShapes
	// collocationFirst holds the shapes of what comes before a comma in a
	// collocation ("##number##" and initials): for any other type the
	// collocation lookup, and with it often the next token's type, is
	// skipped.
	collocationFirst keyShapes
	scratch          sync.Pool // *punktScratch
}

// keyShapes holds, by a key's first byte, a bit for each length of the
// set's keys that start with it (bit 63 for 63 bytes and more; the empty
// key is bit 0 of byte 0).
type keyShapes [256]uint64

func newKeyShapes(set sentences.SetString) *keyShapes {
	var k keyShapes
	for key, v := range set {
		if v != 0 {
			k.add(key)
		}
	}
	return &k
}

func (k *keyShapes) add(key string) {
	if key == "" {
		k[0] |= 1
		return
	}
	k[key[0]] |= 1 << min(len(key), 63)
}

// mayHold is false when no key of the set has key's first byte and
// length, so that a lookup would find nothing.
func (k *keyShapes) mayHold(key []byte) bool {
	if len(key) == 0 {
		return k[0]&1 != 0
	}
	return k[key[0]]&(1<<min(len(key), 63)) != 0
}

// mayHoldShape is mayHold for a key of n > 0 bytes starting with first.
func (k *keyShapes) mayHoldShape(first byte, n int) bool {
	return k[first]&(1<<min(n, 63)) != 0
}

// has is set[key] != 0, asked of the set only when its shapes allow it.
func (k *keyShapes) has(set sentences.SetString, key []byte) bool {
	return k.mayHold(key) && set[string(key)] != 0
}

// punktToken is a neurosnap Token without its regexps: text[start:end] is
// Tok, pos is Position (where a sentence broken at this token ends).
type punktToken struct {
	start, end int
	pos        int
	// punct is where the token's first '.', '!' or '?' is (from start),
	// or -1: what hasSentEndChars and hasInnerDot look for is never before
	// it, and in most tokens it is the last byte or missing.
	punct     int
	sentBreak bool
	abbr      bool
	// typ is the token's neurosnap Type, cached in punktScratch.types as
	// types[typStart:typEnd]; typEnd < 0 until computed.
	typStart, typEnd int
}

type punktScratch struct {
	toks  []punktToken
	types []byte
	key   []byte
	spans [][2]int
}

// Orthographic context flags of neurosnap's ortho.go.
const (
	orthoMidUc = 1 << 2
	orthoBegLc = 1 << 4
	orthoUc    = 1<<1 + 1<<2 + 1<<3
	orthoLc    = 1<<4 + 1<<5 + 1<<6
)

// punktModel loads prose's English punkt model with prose's own
// abbreviations and the clinical ones added, so "pt.", "approx.", "Fig." and
// "i.v." do not end a sentence.
func punktModel(abbrevs []string) (*sentences.Storage, error) {
	b, err := data.Asset("data/english.json")
	if err != nil {
		return nil, fmt.Errorf("sentence model: %w", err)
	}
	training, err := sentences.LoadTraining(b)
	if err != nil {
		return nil, fmt.Errorf("sentence model: %w", err)
	}
	for _, a := range []string{"sgt", "gov", "no", "mt"} { // prose's own
		training.AbbrevTypes.Add(a)
	}
	for _, a := range abbrevs {
		training.AbbrevTypes.Add(strings.ToLower(strings.TrimSuffix(a, ".")))
	}
	return training, nil
}

func newPunkt(abbrevs []string) (*punkt, error) {
	m, err := punktModel(abbrevs)
	if err != nil {
		return nil, err
	}
	p := &punkt{abbrevs: m.AbbrevTypes, collocations: m.Collocations, starters: m.SentStarters, ortho: m.OrthoContext}
	p.abbrevKeys = *newKeyShapes(p.abbrevs)
	p.collocationKeys = *newKeyShapes(p.collocations)
	p.starterKeys = *newKeyShapes(p.starters)
	for key, v := range p.collocations {
		for j := 0; j < len(key) && v != 0; j++ {
			if key[j] == ',' {
				p.collocationFirst.add(key[:j])
			}
		}
	}
	p.scratch.New = func() any { return &punktScratch{} }
	return p, nil
}

// segment returns the sentences of text as [start, end) byte ranges, trimmed
// of white space and never empty. The slice is valid until release.
func (p *punkt) segment(text string) (*punktScratch, [][2]int) {
	sc := p.scratch.Get().(*punktScratch)
	sc.toks = punktTokenize(text, sc.toks[:0])
	sc.types = sc.types[:0]
	sc.spans = sc.spans[:0]
	toks := sc.toks
	// A token without '.', '!' or '?' (most words after a stop) is none
	// of the three annotations' first token: it never ends a sentence and
	// no rule looks at it but as the next token.
	for i := range toks {
		if toks[i].punct >= 0 {
			p.typeAnnotate(text, sc, &toks[i])
		}
	}
	for i := 0; i+1 < len(toks); i++ {
		if toks[i].punct >= 0 {
			p.tokenAnnotate(text, sc, &toks[i], &toks[i+1])
		}
	}
	for i := range toks {
		if i+1 < len(toks) && toks[i].punct < 0 {
			continue
		}
		if i+1 == len(toks) {
			// prose's multiPunctWordAnnotation on the last token; only the
			// whole-text token of a text without words can hold both.
			tok := text[toks[i].start:toks[i].end]
			if strings.Contains(tok, "\n") && strings.Contains(tok, " ") {
				toks[i].sentBreak = false
			}
			break
		}
		p.multiPunctAnnotate(text, sc, &toks[i], &toks[i+1])
	}
	last := 0
	for i := range toks {
		if !toks[i].sentBreak {
			continue
		}
		sc.spans = appendTrimmed(sc.spans, text, last, toks[i].pos)
		last = toks[i].pos
	}
	if last != len(text) {
		sc.spans = appendTrimmed(sc.spans, text, last, len(text))
	}
	return sc, sc.spans
}

func (p *punkt) release(sc *punktScratch) { p.scratch.Put(sc) }

// appendTrimmed is prose's trimRange: the sentence without surrounding white
// space, dropped when nothing is left.
func appendTrimmed(spans [][2]int, text string, start, end int) [][2]int {
	start, end = trimUnicodeSpace(text, start, end)
	if start >= end {
		return spans
	}
	return append(spans, [2]int{start, end})
}

var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// Byte classes of the tokenizer's loops, one table load a byte instead of
// two or three comparisons.
const (
	plainWordByte    = 1 << iota // ASCII, not a space
	sentPunctByte                // '.', '!', '?'
	sentEndLead                  // '.', '!', '?': what hasSentEndChars' inner endings start with
	typeChangingByte             // a digit, ',' or past ASCII: typeOf does more than lower-case the word
	hyphenOrHighByte             // '-' or past ASCII: typeAnnotate may look up more than the word lower-cased
)

var punktByteClass = func() (t [256]uint8) {
	for c := 0; c < utf8.RuneSelf; c++ {
		if !asciiSpace[c] {
			t[c] |= plainWordByte
		}
	}
	for _, c := range []byte{'.', '!', '?'} {
		t[c] |= sentPunctByte | sentEndLead
	}
	for c := '0'; c <= '9'; c++ {
		t[c] |= typeChangingByte
	}
	t[','] |= typeChangingByte
	t['-'] |= hyphenOrHighByte
	for c := utf8.RuneSelf; c < len(t); c++ {
		t[c] |= typeChangingByte | hyphenOrHighByte
	}
	return t
}()

// punktTokenize is DefaultWordTokenizer.Tokenize(text, true): only words
// holding sentence punctuation and the word after each become tokens. Its
// quirk is kept: a word is cut at a space or at the text's last byte, so
// when the text ends in a multi-byte character its last word is never a
// token. The words no token needs are not cut at all: once a word is not
// wanted, the scan jumps to the start of the word holding the next '.', '!'
// or '?', which is where the word-by-word scan would next make a token,
// and goes on from that byte.
func punktTokenize(text string, toks []punktToken) []punktToken {
	n := len(text)
	if n == 0 {
		return toks
	}
	var next sentPunctFinder
	// lastSpace is where the next word's bytes may start: past the space
	// that ended the last one (what trimUnicodeSpace would skip first),
	// or the start of the word found by a jump.
	lastSpace := 0
	getNext := false
	seek := true
	// jumpedTo is the '.', '!' or '?' the scan jumped to in this word, the
	// first the word holds, or -1.
	jumpedTo := -1
	for i := 0; i < n; {
		if seek {
			seek = false
			q := next.index(text, i)
			if q < 0 {
				break
			}
			jumpedTo = q
			lastSpace = wordStart(text, i, q)
			// wordStart read text[lastSpace:q] back to front and found no
			// space in it; read forward, rune by rune, it holds none either
			// (a valid sequence is whole either way, and an invalid byte
			// is U+FFFD), and the forward steps land on q, an ASCII byte
			// before the last: the scan goes on from there.
			i = q
		}
		// Inside a word: the ASCII bytes that are not spaces go by in a
		// tight loop (spaceAt says false and 1 for each), up to the
		// text's last byte, which ends a word wherever it is.
		for i < n-1 && punktByteClass[text[i]]&plainWordByte != 0 {
			i++
		}
		space, w := spaceAt(text, i)
		if !space && i != n-1 {
			i += w
			continue
		}
		cursor := i
		if i == n-1 {
			cursor = n
		}
		i += w
		ws, we := lastSpace, cursor
		if ws == we || punktByteClass[text[ws]]&plainWordByte == 0 || punktByteClass[text[we-1]]&plainWordByte == 0 {
			ws, we = trimUnicodeSpace(text, ws, we)
		}
		if ws == we {
			continue
		}
		first := jumpedTo - ws // the word's start is not a space: ws is where wordStart put it
		if jumpedTo < 0 {
			first = firstSentPunct(text[ws:we])
		}
		jumpedTo = -1
		punct := first >= 0
		if !punct && !getNext {
			seek = true
			continue
		}
		toks = append(toks, punktToken{start: ws, end: we, pos: cursor, punct: first, typEnd: -1})
		lastSpace = i
		getNext = punct
		seek = !punct
	}
	if len(toks) == 0 {
		toks = append(toks, punktToken{start: 0, end: n, pos: n, punct: firstSentPunct(text), typEnd: -1})
	}
	return toks
}

// sentPunctFinder finds the next '.', '!' or '?' with strings.IndexByte,
// remembering each one's next place so a text is searched once per byte.
type sentPunctFinder struct {
	// the next place of each at or after the last search, -1 when none is
	// left; valid once started
	dot, bang, ques int
	started         bool
}

func (f *sentPunctFinder) index(text string, from int) int {
	if !f.started {
		f.started = true
		f.dot = indexByteFrom(text, from, '.')
		f.bang = indexByteFrom(text, from, '!')
		f.ques = indexByteFrom(text, from, '?')
	} else {
		// '.' is met at nearly every search; '!' and '?' seldom are.
		if f.dot >= 0 && f.dot < from {
			f.dot = indexByteFrom(text, from, '.')
		}
		if f.bang >= 0 && f.bang < from {
			f.bang = indexByteFrom(text, from, '!')
		}
		if f.ques >= 0 && f.ques < from {
			f.ques = indexByteFrom(text, from, '?')
		}
	}
	best := f.dot
	if f.bang >= 0 && (best < 0 || f.bang < best) {
		best = f.bang
	}
	if f.ques >= 0 && (best < 0 || f.ques < best) {
		best = f.ques
	}
	return best
}

// indexByteFrom is the place of the first c in text[from:], counted from
// text's start, or -1.
func indexByteFrom(text string, from int, c byte) int {
	if k := strings.IndexByte(text[from:], c); k >= 0 {
		return from + k
	}
	return -1
}

// wordStart returns where the word holding text[q] starts, searching back
// no further than from, which follows a space or starts the text.
func wordStart(text string, from, q int) int {
	p := q
	for p > from {
		c := text[p-1]
		if c < utf8.RuneSelf {
			if asciiSpace[c] {
				break
			}
			p--
			continue
		}
		r, size := utf8.DecodeLastRuneInString(text[from:p])
		if unicode.IsSpace(r) {
			break
		}
		p -= size
	}
	return p
}

// firstSentPunct returns where word's first '.', '!' or '?' is, or -1:
// not -1 is DefaultPunctStrings.HasSentencePunct, without building
// strings.ContainsAny's byte set on every word.
func firstSentPunct(word string) int {
	for i := 0; i < len(word); i++ {
		if punktByteClass[word[i]]&sentPunctByte != 0 {
			return i
		}
	}
	return -1
}

// trimUnicodeSpace is strings.TrimSpace(text[start:end]) as a range.
func trimUnicodeSpace(text string, start, end int) (int, int) {
	for start < end {
		c := text[start]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			start++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for end > start {
		c := text[end-1]
		if c < utf8.RuneSelf {
			if !asciiSpace[c] {
				break
			}
			end--
			continue
		}
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return start, end
}

// hasSentEndChars is prose's wordTokenizer.HasSentEndChars.
func hasSentEndChars(tok string) bool { return hasSentEndCharsFrom(tok, firstSentPunct(tok)) }

// hasSentEndCharsFrom is hasSentEndChars with tok's first '.', '!' or '?'
// known to be at first (-1 when it has none): every ending it looks for
// holds one, and the inner ones start with one.
func hasSentEndCharsFrom(tok string, first int) bool {
	if first < 0 {
		return false
	}
	if n := len(tok); n > 0 {
		suffix := false
		switch tok[n-1] {
		case '?', '!':
			suffix = true
		case '"', ')', '\'':
			// `."` `.)` `?"` `?'` `?)` `!"` `!'` `!)`, but not `.'`
			if n >= 2 {
				switch tok[n-2] {
				case '?', '!':
					suffix = true
				case '.':
					suffix = tok[n-1] != '\''
				}
			}
		case 0x99, 0x9d: // the last bytes of ’ (e2 80 99) and ” (e2 80 9d): most tokens end otherwise
			suffix = strings.HasSuffix(tok, ".’") || strings.HasSuffix(tok, ".”") ||
				strings.HasSuffix(tok, "?’") || strings.HasSuffix(tok, "?”") ||
				strings.HasSuffix(tok, "!’") || strings.HasSuffix(tok, "!”")
		}
		if suffix && !strings.Contains(tok, "Yahoo!") {
			return true
		}
	}
	for i := first; i+1 < len(tok); i++ {
		if punktByteClass[tok[i]]&sentEndLead == 0 {
			continue
		}
		switch tok[i] {
		case '.':
			if c := tok[i+1]; c == '[' || c == '(' || c == '"' {
				return true
			}
		case '?', '!':
			if c := tok[i+1]; c == '[' || c == '(' {
				return true
			}
		}
	}
	return false
}

// typeAnnotate is neurosnap's TypeBasedAnnotation with prose's
// HasSentEndChars. Its quirk is kept: the word without its final dot is cut
// at the rune count, in bytes, so a non-ASCII word loses more than its dot.
func (p *punkt) typeAnnotate(text string, sc *punktScratch, t *punktToken) {
	tok := text[t.start:t.end]
	if hasSentEndCharsFrom(tok, t.punct) {
		t.sentBreak = true
		return
	}
	if !strings.HasSuffix(tok, ".") || strings.HasSuffix(tok, "..") {
		return
	}
	// An ASCII word without a hyphen is looked up as itself lower-cased
	// without its dot, once: when no abbreviation has its first byte and
	// length it is none, and is neither lower-cased nor looked up.
	if len(tok) >= 2 && !p.abbrevKeys.mayHoldShape(asciiLower[tok[0]], len(tok)-1) && !hasByteOf(tok, hyphenOrHighByte) {
		t.sentBreak = true
		return
	}
	// Lower-cased byte by byte while the word is ASCII (most are; its
	// final dot is), by strings.ToLower once a byte is not.
	sc.key = slices.Grow(sc.key[:0], len(tok)-1)
	noPeriod := sc.key[:len(tok)-1]
	for i := range noPeriod {
		c := tok[i]
		if c >= utf8.RuneSelf {
			sc.key = append(sc.key[:0], strings.ToLower(tok[:utf8.RuneCountInString(tok)-1])...)
			noPeriod = sc.key
			break
		}
		noPeriod[i] = asciiLower[c]
	}
	// Without a hyphen the last part is the whole word: a word missing
	// from the abbreviations was looked up twice.
	found := p.abbrevKeys.has(p.abbrevs, noPeriod)
	if k := bytes.LastIndexByte(noPeriod, '-'); !found && k >= 0 {
		found = p.abbrevKeys.has(p.abbrevs, noPeriod[k+1:])
	}
	if found {
		t.abbr = true
	} else {
		t.sentBreak = true
	}
}

// tokenAnnotate is neurosnap's TokenBasedAnnotation.tokenAnnotation. The
// next token's type is computed only where a rule reads it: after most
// words ending in a dot none does, and that token is seldom one whose own
// type is needed later. Nothing here changes two.sentBreak, which that type
// depends on, before it is read.
func (p *punkt) tokenAnnotate(text string, sc *punktScratch, one, two *punktToken) {
	tok := text[one.start:one.end]
	if !strings.HasSuffix(tok, ".") {
		return
	}
	// A plain word's type is itself lower-cased, and without its dot
	// neither "##number##" nor (by its first byte and length) the start of
	// a collocation, the only two things typ is asked: it is not made.
	var typ []byte
	plain := plainType(tok)
	if !plain || p.collocationFirst.mayHoldShape(asciiLower[tok[0]], len(tok)-1) {
		typ = typeNoPeriod(p.typeOf(text, sc, one))
		plain = false
	}
	var nextTyp []byte
	haveNext := false
	if !plain && p.collocationFirst.mayHold(typ) {
		nextTyp, haveNext = p.typeNoSentPeriod(text, sc, two), true
		sc.key = append(append(append(sc.key[:0], typ...), ','), nextTyp...)
		if p.collocationKeys.has(p.collocations, sc.key) {
			one.sentBreak = false
			one.abbr = true
			return
		}
	}
	initial := isInitial(tok)
	tokTwo := text[two.start:two.end]
	if (one.abbr || strings.HasSuffix(tok, "..")) && !initial {
		if !haveNext {
			nextTyp, haveNext = p.typeNoSentPeriod(text, sc, two), true
		}
		if p.heuristic(tokTwo, nextTyp) == 1 {
			one.sentBreak = true
			return
		}
		if firstUpper(tokTwo) && p.starterKeys.has(p.starters, nextTyp) {
			one.sentBreak = true
			return
		}
	}
	if tok == "." && tokTwo == "." {
		one.sentBreak = false
		two.sentBreak = false
		return
	}
	if initial || !plain && string(typ) == "##number##" {
		if !haveNext {
			nextTyp = p.typeNoSentPeriod(text, sc, two)
		}
		h := p.heuristic(tokTwo, nextTyp)
		if h == 0 {
			one.sentBreak = false
			one.abbr = true
			return
		}
		if h == -1 && initial && firstUpper(tokTwo) && p.ortho[string(nextTyp)]&orthoLc == 0 {
			one.sentBreak = false
			one.abbr = true
			return
		}
	}
}

// multiPunctAnnotate is prose's multiPunctWordAnnotation.tokenAnnotation.
func (p *punkt) multiPunctAnnotate(text string, sc *punktScratch, one, two *punktToken) {
	tok, tokTwo := text[one.start:one.end], text[two.start:two.end]
	if strings.HasSuffix(tok, ".") && tokTwo == "." {
		one.sentBreak = false
		two.sentBreak = false
		return
	}
	var nextTyp []byte
	haveNext := false
	isNonBreak := strings.HasSuffix(tok, ".") && !one.sentBreak
	innerDot := hasInnerDotFrom(tok, one.punct)
	isEllipsis := innerDot && looksLikeEllipsis(tok)
	isInternal := one.sentBreak && looksInternal(tok)
	if isNonBreak || isEllipsis || isInternal {
		nextTyp, haveNext = p.typeNoSentPeriod(text, sc, two), true
		isStarter := p.starterKeys.has(p.starters, nextTyp)
		if isEllipsis && (firstUpper(tokTwo) || isStarter) {
			one.sentBreak = true
			return
		}
		if isInternal && firstLower(tokTwo) && !isStarter {
			one.sentBreak = false
			return
		}
		if isNonBreak && firstUpper(tokTwo) && p.ortho[string(nextTyp)]&orthoLc != 0 {
			one.sentBreak = true
		}
	}
	if !innerDot || !hasDottedAbbrev(tok) || isInitial(tok) {
		return
	}
	one.abbr = true
	one.sentBreak = false
	if !haveNext {
		nextTyp = p.typeNoSentPeriod(text, sc, two)
	}
	if p.heuristic(tokTwo, nextTyp) == 1 {
		one.sentBreak = true
		return
	}
	if firstUpper(tokTwo) && p.starterKeys.has(p.starters, nextTyp) {
		one.sentBreak = true
	}
}

// heuristic is neurosnap's OrthoContext.Heuristic for a token whose
// TypeNoSentPeriod is typ: 1 when it starts a sentence, 0 when it does
// not, -1 when unknown.
func (p *punkt) heuristic(tok string, typ []byte) int {
	if len(tok) == 1 && strings.IndexByte(";:,.!?", tok[0]) >= 0 {
		return 0
	}
	ctx := p.ortho[string(typ)]
	if firstUpper(tok) && ctx&orthoLc > 0 && ctx&orthoMidUc == 0 {
		return 1
	}
	if firstLower(tok) && (ctx&orthoUc > 0 || ctx&orthoBegLc == 0) {
		return 0
	}
	return -1
}

// typeOf is neurosnap's DefaultWordTokenizer.Type, computed once per token:
// the word lower-cased, a trailing number (the regexp
// `-?[\.,]?\d[\d,\.-]*\.?$`) replaced by "##number##", then, unless one
// byte long, without its commas. The result stays valid until the next
// segment call.
func (p *punkt) typeOf(text string, sc *punktScratch, t *punktToken) []byte {
	if t.typEnd >= 0 {
		return sc.types[t.typStart:t.typEnd]
	}
	tok := text[t.start:t.end]
	base := len(sc.types)
	// Lower-cased byte by byte while the word is ASCII (most are), by
	// strings.ToLower once a byte is not; commas noted on the way.
	commas := false
	sc.types = slices.Grow(sc.types, len(tok))[:base+len(tok)]
	typ := sc.types[base:]
	for i := range typ {
		c := tok[i]
		if c >= utf8.RuneSelf {
			sc.types = append(sc.types[:base], strings.ToLower(tok)...)
			commas = true // not looked for past here
			break
		}
		commas = commas || c == ','
		typ[i] = asciiLower[c]
	}
	if k := numberSuffix(sc.types[base:]); k >= 0 {
		sc.types = append(sc.types[:base+k], "##number##"...)
	}
	if commas && len(sc.types)-base > 1 {
		w := base
		for _, c := range sc.types[base:] {
			if c != ',' {
				sc.types[w] = c
				w++
			}
		}
		sc.types = sc.types[:w]
	}
	t.typStart, t.typEnd = base, len(sc.types)
	return sc.types[base:]
}

// numberSuffix returns where `-?[\.,]?\d[\d,\.-]*\.?$` first matches in s,
// or -1. A match holds only digits, ',', '.' and '-', and ends at the end,
// so it starts in the longest such suffix, at its first place where an
// optional '-', an optional '.' or ',' and a digit follow.
func numberSuffix(s []byte) int {
	q := len(s)
	for q > 0 {
		c := s[q-1]
		if !('0' <= c && c <= '9' || c == ',' || c == '.' || c == '-') {
			break
		}
		q--
	}
	for k := q; k < len(s); k++ {
		i := k
		if s[i] == '-' {
			i++
		}
		if i < len(s) && (s[i] == '.' || s[i] == ',') {
			i++
		}
		if i < len(s) && '0' <= s[i] && s[i] <= '9' {
			return k
		}
	}
	return -1
}

// hasByteOf reports whether a byte of s is of class in punktByteClass.
func hasByteOf(s string, class uint8) bool {
	for i := 0; i < len(s); i++ {
		if punktByteClass[s[i]]&class != 0 {
			return true
		}
	}
	return false
}

// plainType reports whether tok, at least two bytes long and ending in a
// dot, has typeOf's type typ lower-cased as it is and typeNoPeriod(typ)
// tok lower-cased without its dot: ASCII, with no digit (no number) and
// no comma, and not starting with '#', so that the type is not
// "##number##" either.
func plainType(tok string) bool {
	if len(tok) < 2 || tok[0] == '#' || tok[len(tok)-1] != '.' {
		return false
	}
	return !hasByteOf(tok, typeChangingByte)
}

// typeNoPeriod is neurosnap's TypeNoPeriod on a computed type.
func typeNoPeriod(typ []byte) []byte {
	if len(typ) > 1 && typ[len(typ)-1] == '.' {
		return typ[:len(typ)-1]
	}
	return typ
}

func (p *punkt) typeNoSentPeriod(text string, sc *punktScratch, t *punktToken) []byte {
	typ := p.typeOf(text, sc, t)
	if t.sentBreak {
		return typeNoPeriod(typ)
	}
	return typ
}

// isInitial is `^[A-Za-z]\.$`.
func isInitial(tok string) bool {
	return len(tok) == 2 && tok[1] == '.' && ('a' <= tok[0]|0x20 && tok[0]|0x20 <= 'z')
}

func firstUpper(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return tok != "" && unicode.IsUpper(r)
}

func firstLower(tok string) bool {
	r, _ := utf8.DecodeRuneInString(tok)
	return tok != "" && unicode.IsLower(r)
}

// hasInnerDot reports whether tok has a dot before its last byte, which
// both an ellipsis and a dotted abbreviation need: most words hold one dot,
// at their end, or none, and are not scanned for either.
func hasInnerDot(tok string) bool { return hasInnerDotFrom(tok, firstSentPunct(tok)) }

// hasInnerDotFrom is hasInnerDot with tok's first '.', '!' or '?' known to
// be at first (-1 when none): no dot is before it, and most words are a
// few bytes long, shorter than strings.IndexByte's call is worth.
func hasInnerDotFrom(tok string, first int) bool {
	if first < 0 {
		return false
	}
	for i := first; i < len(tok)-1; i++ {
		if tok[i] == '.' {
			return true
		}
	}
	return false
}

// looksLikeEllipsis is prose's `(?:\.\s?){2,}\.`: three dots or more, each
// pair at most one ASCII space apart.
func looksLikeEllipsis(tok string) bool {
	for i := 0; i < len(tok); i++ {
		if tok[i] != '.' {
			continue
		}
		j, dots := i+1, 0
		for j < len(tok) {
			if tok[j] == '.' {
				j++
			} else if j+1 < len(tok) && isPerlSpace(tok[j]) && tok[j+1] == '.' {
				j += 2
			} else {
				break
			}
			dots++
			if dots >= 2 {
				return true
			}
		}
	}
	return false
}

func isPerlSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// looksInternal is prose's: the word ends in a closing bracket or quote.
func looksInternal(tok string) bool {
	if tok == "" {
		return false
	}
	switch tok[len(tok)-1] {
	case ')', '"', '\'':
		return true
	case 0x99, 0x9d: // the last bytes of ’ (e2 80 99) and ” (e2 80 9d)
		return strings.HasSuffix(tok, "’") || strings.HasSuffix(tok, "”")
	}
	return false
}

// hasDottedAbbrev is prose's `((?:[\w]\.)+[\w]*\.)` found in tok: a word
// character, a dot, then word characters and a dot ("e.g.", "U.S.A.").
func hasDottedAbbrev(tok string) bool {
	for i := 0; i+2 < len(tok); i++ {
		if tok[i+1] != '.' || !isWordByte(tok[i]) {
			continue
		}
		j := i + 2
		for j < len(tok) && isWordByte(tok[j]) {
			j++
		}
		if j < len(tok) && tok[j] == '.' {
			return true
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
}
