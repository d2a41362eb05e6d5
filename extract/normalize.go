package extract

import (
	"math/bits"
	"regexp"
	"regexp/syntax"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/unicode/norm"
)

// BlockKind says what a block of normalized text is.
type BlockKind uint8

const (
	BlockParagraph BlockKind = iota
	BlockHeading
	BlockCaption
)

func (k BlockKind) String() string {
	switch k {
	case BlockHeading:
		return "heading"
	case BlockCaption:
		return "caption"
	}
	return "paragraph"
}

// Block is a heading, paragraph or figure caption of the normalized text.
type Block struct {
	Kind       BlockKind
	Start, End int // byte offsets in Normalized.Text
}

// Normalized is a cleaned text, its blocks, and the way back to the original.
type Normalized struct {
	Text   string
	Map    *OffsetMap
	Blocks []Block

	// src is the text normalized and srcASCII the length of its ASCII
	// prefix, which build's code-point index reads again.
	src      string
	srcASCII int
}

// asciiPrefixOf returns the length of text's ASCII prefix: known when
// text is the one n was made from.
func (n *Normalized) asciiPrefixOf(text string) int {
	if n != nil && len(n.src) == len(text) && unsafe.StringData(n.src) == unsafe.StringData(text) {
		return n.srcASCII
	}
	return asciiPrefix(text)
}

// LineClassifier decides which lines are not running text. The normalizer
// joins wrapped lines of running text; headings, captions and page furniture
// keep (or lose) their lines according to what they are.
type LineClassifier struct {
	IsHeading func(line string) bool
	Caption   *regexp.Regexp
	Furniture []*regexp.Regexp
	// UnitAt reports whether a unit of the unit table starts s: digits
	// glued to a full stop and followed by a unit ("L.2 days") are a
	// value, not a citation.
	UnitAt func(s string) bool
}

// lineFilterCache holds the filter of each classifier regex met, by the
// regex (a classifier's fields may be changed or the classifier copied,
// so it cannot hold them itself); lineFilterCount bounds it.
var (
	lineFilterCache sync.Map // *regexp.Regexp -> *lineFilter
	lineFilterCount atomic.Int32
)

const maxLineFilters = 256

// lineFilterOf returns re's filter, made on first use.
func lineFilterOf(re *regexp.Regexp) *lineFilter {
	if f, ok := lineFilterCache.Load(re); ok {
		return f.(*lineFilter)
	}
	f := newLineFilter(re)
	if lineFilterCount.Load() < maxLineFilters && lineFilterCount.Add(1) <= maxLineFilters {
		lineFilterCache.Store(re, f)
	}
	return f
}

// lineFilter says at once of most lines that a classifier regex cannot
// match them, when ^ leads every match of the regex: a match then starts
// at the line's start, and its first runes start with bytes read off the
// regex. Go's regexp sets up a matcher at every call and its backtracker
// clears a bitmap the size of the line, so each long paragraph line cost
// a caption test far dearer than this.
type lineFilter struct {
	re *regexp.Regexp
	// first holds, for each of the first runes of a match, the bytes it
	// can start with; nil when the regex is not anchored (no filter).
	first [][256]bool
}

func newLineFilter(re *regexp.Regexp) *lineFilter {
	f := &lineFilter{re: re}
	if re == nil {
		return f
	}
	parsed, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil || !everyMatchStartsWith(parsed, syntax.OpBeginText) {
		return f
	}
	prog, err := syntax.Compile(parsed.Simplify())
	if err != nil {
		return f
	}
	f.first = prefixClasses(prog, maxPrefixRunes)
	return f
}

// matches is re.MatchString(s), s one line.
func (f *lineFilter) matches(s string) bool {
	for i, cls := range f.first {
		if i == len(s) {
			break // a short line: the regex decides
		}
		c := s[i]
		if !cls[c] {
			return false
		}
		if c >= utf8.RuneSelf {
			break // the classes go by rune: past ASCII the regex decides
		}
	}
	return f.re.MatchString(s)
}

type lineKind uint8

const (
	lineText lineKind = iota
	lineBlank
	lineHeading
	lineCaption
	lineFurniture
)

type srcLine struct {
	from, to int // content without the line terminator
	kind     lineKind
	// trimmed content bounds
	cfrom, cto int
}

// Normalize cleans text for matching and keeps an offset map back to it:
// NFC (not NFKC, which would turn 10⁹ into 109), one form for µ, spaces and
// dashes, line-break hyphens re-joined, wrapped lines joined, captions that
// interrupt a sentence moved after its paragraph, page furniture dropped,
// citation numbers glued to punctuation dropped, and decimal commas made
// decimal points.
func Normalize(text string, lc *LineClassifier) *Normalized {
	return normalizeInto(new(normParts), text, lc)
}

// normParts is a normalized text and its map in one allocation: they live
// and die together. One given back (see releaseDocParts) keeps its blocks'
// and runs' arrays for the next text.
type normParts struct {
	n Normalized
	m OffsetMap
}

// normalizeInto is Normalize into parts.
func normalizeInto(parts *normParts, text string, lc *LineClassifier) *Normalized {
	var inner *OffsetMap
	src, srcASCII := text, asciiPrefix(text)
	if !isNFCFrom(text, srcASCII) {
		text, inner = nfc(text)
	}
	scratch := lineScratch.Get().(*[]srcLine)
	defer lineScratch.Put(scratch)
	lines := splitLines(text, lc, (*scratch)[:0])
	*scratch = lines
	b := newMapBuilder(text)
	n := &parts.n
	w := &blockWriter{b: b, src: text, n: n}
	if lc != nil {
		w.unitAt = lc.UnitAt
	}

	var para []int     // indices of lines in the open paragraph
	var captions []int // captions deferred until the open paragraph closes
	pendingBreak := false
	closePara := func() {
		if len(para) > 0 {
			w.paragraph(lines, para)
			para = para[:0]
		}
		for _, c := range captions {
			w.single(lines[c], BlockCaption)
		}
		captions = captions[:0]
		pendingBreak = false
	}
	paraOpenMidSentence := func() bool {
		if len(para) == 0 {
			return false
		}
		last := lines[para[len(para)-1]]
		r, _ := utf8.DecodeLastRuneInString(text[last.cfrom:last.cto])
		return !strings.ContainsRune(".!?:;", r)
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch l.kind {
		case lineFurniture:
			continue
		case lineBlank:
			if len(para) > 0 {
				pendingBreak = true
			}
		case lineHeading:
			closePara()
			w.single(l, BlockHeading)
		case lineCaption:
			if paraOpenMidSentence() && nextTextStartsLower(text, lines, i+1) {
				captions = append(captions, i)
				pendingBreak = false
				continue
			}
			closePara()
			w.single(l, BlockCaption)
		case lineText:
			if pendingBreak {
				// A blank line inside a sentence is a page or column break.
				if !(paraOpenMidSentence() && startsLower(text[l.cfrom:l.cto])) {
					closePara()
				}
				pendingBreak = false
			}
			para = append(para, i)
		}
	}
	closePara()
	n.Text, n.Map = b.finishInto(&parts.m, inner), &parts.m
	n.src, n.srcASCII = src, srcASCII
	return n
}

// isNFC is norm.NFC.IsNormalString without its byte-by-byte walk over the
// ASCII the text starts with (all of it, in most reports). The check
// starts at the last ASCII byte before the first other one: a combining
// mark there may compose with it, and x/text resets all its state after an
// ASCII run, so the answer is the same.
func isNFC(text string) bool { return isNFCFrom(text, asciiPrefix(text)) }

// isNFCFrom is isNFC with text's ASCII prefix p known. A text whose other
// characters are all ones nfcStarter marks is normal as it is (x/text's
// quick check passes every one of them); IsNormalString, which walks the
// ASCII between them byte by byte, answers for the others.
func isNFCFrom(text string, p int) bool {
	if p == len(text) || nfcStartersOnly(text, p) {
		return true
	}
	return norm.NFC.IsNormalString(text[max(p-1, 0):])
}

// nfcStartersOnly reports whether every character of text[i:] is ASCII or
// one nfcStarter marks; an invalid byte is U+FFFD, which it does not.
func nfcStartersOnly(text string, i int) bool {
	for {
		i += asciiPrefix(text[i:])
		if i == len(text) {
			return true
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if !nfcStarter(r) {
			return false
		}
		i += size
	}
}

// nfcStarterLimit bounds the runes nfcStarter knows: Latin, Greek and
// Cyrillic letters, punctuation, and the signs of units and mathematics.
const nfcStarterLimit = 0x3000

// nfcStarters holds nfcStarter's answers by blocks of 64 runes, each made
// the first time one of its runes is asked about (a report meets a few
// blocks; all of them cost milliseconds): two workers making the same
// block store the same bits.
var nfcStarters [nfcStarterLimit / 64]struct {
	bits  atomic.Uint64
	ready atomic.Bool
}

// nfcStarter reports whether r is NFC on its own, of combining class 0,
// decomposing (if at all) into a starter first, and combining with nothing
// before it (NFC_QC Yes): x/text's quick check passes it whatever
// surrounds it, as long as nothing after it combines backwards or has a
// class, which a marked rune or ASCII does not. Only runes below
// nfcStarterLimit are marked.
func nfcStarter(r rune) bool {
	if r < utf8.RuneSelf || r >= nfcStarterLimit {
		return false
	}
	blk := &nfcStarters[r/64]
	if !blk.ready.Load() {
		var bits uint64
		var buf [utf8.UTFMax]byte
		for c := r &^ 63; c < r|63+1; c++ {
			if c < utf8.RuneSelf {
				continue
			}
			s := string(buf[:utf8.EncodeRune(buf[:], c)])
			p := norm.NFC.PropertiesString(s)
			if p.CCC() == 0 && p.LeadCCC() == 0 && p.BoundaryBefore() && norm.NFC.IsNormalString(s) {
				bits |= 1 << (c % 64)
			}
		}
		blk.bits.Store(bits)
		blk.ready.Store(true)
	}
	return blk.bits.Load()&(1<<(r%64)) != 0
}

func nextTextStartsLower(text string, lines []srcLine, i int) bool {
	for ; i < len(lines); i++ {
		switch lines[i].kind {
		case lineBlank, lineFurniture, lineCaption:
			continue
		case lineText:
			return startsLower(text[lines[i].cfrom:lines[i].cto])
		default:
			return false
		}
	}
	return false
}

func startsLower(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLower(r)
}

// lineScratch holds the line slices Normalize reuses: lines are only
// needed while the text is rebuilt.
var lineScratch = sync.Pool{New: func() any { return new([]srcLine) }}

// splitLines appends the lines of text to lines.
func splitLines(text string, lc *LineClassifier, lines []srcLine) []srcLine {
	var caption *lineFilter
	var furniture []*lineFilter
	if lc != nil {
		if lc.Caption != nil {
			caption = lineFilterOf(lc.Caption)
		}
		if len(lc.Furniture) <= 4 {
			var buf [4]*lineFilter
			furniture = buf[:0]
		}
		for _, re := range lc.Furniture {
			furniture = append(furniture, lineFilterOf(re))
		}
	}
	for from := 0; from <= len(text); {
		to := strings.IndexByte(text[from:], '\n')
		next := 0
		if to < 0 {
			to = len(text)
			next = len(text) + 1
		} else {
			to += from
			next = to + 1
		}
		l := srcLine{from: from, to: to}
		l.cfrom, l.cto = trimSpaceRange(text, from, to)
		content := text[l.cfrom:l.cto]
		switch {
		case l.cfrom >= l.cto:
			l.kind = lineBlank
		case lc != nil && furnitureMatches(furniture, content):
			l.kind = lineFurniture
		case lc != nil && lc.Caption != nil && caption.matches(content):
			l.kind = lineCaption
		case lc != nil && lc.IsHeading != nil && lc.IsHeading(content):
			l.kind = lineHeading
		}
		lines = append(lines, l)
		from = next
	}
	return lines
}

// furnitureMatches is matchesAny(lc.Furniture, s) through their filters.
func furnitureMatches(filters []*lineFilter, s string) bool {
	for _, f := range filters {
		if f.matches(s) {
			return true
		}
	}
	return false
}

func matchesAny(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// trimSpaceRange narrows [from,to) past white space, including the odd
// spaces PDFs leave (no-break, thin) and a CR before the newline.
func trimSpaceRange(s string, from, to int) (int, int) {
	for from < to {
		r, size := utf8.DecodeRuneInString(s[from:to])
		if !isSpaceRune(r) {
			break
		}
		from += size
	}
	for to > from {
		r, size := utf8.DecodeLastRuneInString(s[from:to])
		if !isSpaceRune(r) {
			break
		}
		to -= size
	}
	return from, to
}

func isSpaceRune(r rune) bool {
	return unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' || r == '\u00ad'
}

// blockWriter emits blocks into the builder, separated by blank lines.
type blockWriter struct {
	b       *mapBuilder
	src     string
	n       *Normalized
	lastEnd int // source offset where the previous block ended
	any     bool
	unitAt  func(string) bool
}

func (w *blockWriter) separator(nextFrom int) {
	if !w.any {
		w.any = true
		return
	}
	if nextFrom >= w.lastEnd {
		w.b.replace(w.lastEnd, nextFrom, "\n\n")
	} else {
		w.b.replace(w.lastEnd, w.lastEnd, "\n\n")
	}
}

func (w *blockWriter) single(l srcLine, kind BlockKind) {
	w.separator(l.cfrom)
	start := w.b.Len()
	cleanRange(w.b, w.src, l.cfrom, l.cto, w.unitAt)
	w.n.Blocks = append(w.n.Blocks, Block{Kind: kind, Start: start, End: w.b.Len()})
	w.lastEnd = l.cto
}

// paragraph joins wrapped lines: a hyphen at a line break between two
// lower-case word parts is a PDF's hyphenation and goes; any other break is
// one space.
func (w *blockWriter) paragraph(lines []srcLine, idx []int) {
	first := lines[idx[0]]
	w.separator(first.cfrom)
	start := w.b.Len()
	for k, li := range idx {
		l := lines[li]
		to := l.cto
		joinHyphen := false
		if k+1 < len(idx) {
			next := lines[idx[k+1]]
			joinHyphen = isBreakHyphen(w.src, l.cfrom, l.cto, next)
			if joinHyphen {
				to-- // the hyphen is dropped with the break
			}
		}
		cleanRange(w.b, w.src, l.cfrom, to, w.unitAt)
		if k+1 < len(idx) {
			next := lines[idx[k+1]]
			sep := " "
			if joinHyphen {
				sep = ""
			}
			if next.cfrom >= to {
				w.b.replace(to, next.cfrom, sep)
			} else {
				w.b.replace(to, to, sep)
			}
		}
		w.lastEnd = l.cto
	}
	w.n.Blocks = append(w.n.Blocks, Block{Kind: BlockParagraph, Start: start, End: w.b.Len()})
}

func isBreakHyphen(src string, from, to int, next srcLine) bool {
	if to-from < 3 || src[to-1] != '-' {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(src[from : to-1])
	return unicode.IsLetter(before) && startsLower(src[next.cfrom:next.cto])
}

// runeReplacement gives the normalized form of characters PDFs and word
// processors vary; "" deletes the character.
func runeReplacement(r rune) (string, bool) {
	switch r {
	case '\u03bc': // Greek mu, as in μg
		return "µ", true
	case '\u00a0', '\u2002', '\u2003', '\u2004', '\u2005', '\u2006', '\u2007', '\u2008',
		'\u2009', '\u200a', '\u202f', '\u205f', '\u3000', '\t', '\r', '\v', '\f':
		return " ", true
	case '\u200b', '\u200c', '\u200d', '\ufeff', '\u00ad', '\u2060':
		return "", true
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2212', '\ufe63', '\uff0d':
		return "-", true
	case '\u2018', '\u2019', '\u201b', '\u2032':
		return "'", true
	case '\u201c', '\u201d':
		return "\"", true
	case '\u2215', '\u2044':
		return "/", true
	case '\u00ba', '\u02da':
		return "°", true
	}
	return "", false
}

// cleanLook marks the bytes cleanRange must look at: the ASCII ones its
// cases start with, and every byte of a multi-byte character. The rest are
// copied without a test each. Of the punctuation (cleanPunct) only what a
// digit follows is looked at: each case that starts with it reads a digit
// next (a decimal comma, a citation number), and commas and full stops
// are everywhere.
var cleanLook, cleanPunct = func() (look, punct [256]bool) {
	for _, c := range []byte{',', ')', '.', ';'} {
		look[c], punct[c] = true, true
	}
	for _, c := range []byte{'\t', '\r', '\v', '\f'} {
		look[c] = true
	}
	for c := utf8.RuneSelf; c < len(look); c++ {
		look[c] = true
	}
	return look, punct
}()

// nextToLook returns the first place in src[i:to] of a byte cleanLook
// marks, less punctuation that no digit follows in src[:to], or to: eight
// bytes a step, jumping to the first byte of a step that may be one of
// them, and on past it when it is not.
func nextToLook(src string, i, to int) int {
	const (
		ones  = 0x0101010101010101
		highs = 0x8080808080808080
		lows  = 0x7f7f7f7f7f7f7f7f
	)
	for i+9 <= to {
		w := load64(src, i)
		next := load64(src, i+1) // each byte's next one, in its place
		// Flagged: a byte past ASCII or below ' ', and one that may be
		// ",.);" before a digit. The four, and ( * + - / 8 9 : < = > ?,
		// are the bytes that OR 0x17 makes 0x3f: a zero byte after the
		// XOR, which leaves bits 0-2 and 4 clear, so no borrow crosses
		// a byte. A digit is found exactly (no carry crosses a byte). The
		// bytes below ' ' are found as a group whose lowest byte is one
		// (a borrow only flags bytes above it): the lowest flag is where
		// to look, none before it can be missed, and the extra bytes of
		// the punctuation test are passed over there.
		p := w | 0x17*ones ^ 0x3f*ones
		punct := (p - ones) &^ p & highs
		d := next ^ '0'*ones
		digit := ^((d&lows + 0x76*ones) | d) & highs
		m := w&highs | (w-' '*ones)&^w&highs | punct&digit
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) >> 3
		if looksAt(src, i, to) {
			return i
		}
		i++
	}
	for ; i < to && !looksAt(src, i, to); i++ {
	}
	return i
}

// looksAt reports whether src[i] is a byte cleanRange must look at, with
// src[:to] its text.
func looksAt(src string, i, to int) bool {
	c := src[i]
	return cleanLook[c] && (!cleanPunct[c] || i+1 < to && isDigit(src[i+1]))
}

// cleanRange appends src[from:to] with character-level cleaning.
func cleanRange(b *mapBuilder, src string, from, to int, unitAt func(string) bool) {
	cleanRangeSkipping(b, src, from, to, unitAt, true)
}

// cleanRangeSkipping is cleanRange; with skip false it looks at every
// byte, which a test compares with the skipping.
func cleanRangeSkipping(b *mapBuilder, src string, from, to int, unitAt func(string) bool, skip bool) {
	run := from // start of the pending unchanged run
	flush := func(at int) {
		b.copy(run, at)
	}
	for i := from; i < to; {
		if skip {
			i = nextToLook(src, i, to)
			if i >= to {
				break
			}
		}
		c := src[i]
		if c < utf8.RuneSelf {
			switch {
			case c == ',' && isDecimalComma(src, from, to, i):
				flush(i)
				b.replace(i, i+1, ".")
				i++
				run = i
				continue
			case (c == ')' || c == '.' || c == ',' || c == ';') && i+1 < to && isDigit(src[i+1]):
				if end := citationEnd(src, from, to, i, unitAt); end > 0 {
					flush(i + 1)
					b.replace(i+1, end, "")
					i = end
					run = i
					continue
				}
			case c == '\t' || c == '\r' || c == '\v' || c == '\f':
				flush(i)
				b.replace(i, i+1, " ")
				i++
				run = i
				continue
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(src[i:to])
		if r == '\u00b7' && i > from && isDigit(src[i-1]) && i+size < to && isDigit(src[i+size]) {
			flush(i) // a middle dot between digits is a decimal point (7·5)
			b.replace(i, i+size, ".")
			i += size
			run = i
			continue
		}
		if rep, ok := runeReplacement(r); ok {
			flush(i)
			b.replace(i, i+size, rep)
			i += size
			run = i
			continue
		}
		i += size
	}
	flush(to)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isDecimalComma tells a decimal comma (48,9%) from a thousands separator
// (1,547 and 35,000) and from a list (1,2,3): exactly three digits after the
// comma, or another comma group on either side, keep it a comma.
func isDecimalComma(src string, from, to, i int) bool {
	if i == from || !isDigit(src[i-1]) || i+1 >= to || !isDigit(src[i+1]) {
		return false
	}
	j := i + 1
	for j < to && isDigit(src[j]) {
		j++
	}
	if j-(i+1) == 3 {
		return false
	}
	if j+1 < to && (src[j] == ',' || src[j] == '.') && isDigit(src[j+1]) {
		return false // 1,2,3 or 1,25.5: a list or a mixed format, not a decimal comma
	}
	k := i - 1
	for k > from && isDigit(src[k-1]) {
		k--
	}
	if k > from && (src[k-1] == ',' || src[k-1] == '.') {
		return false
	}
	if k > from && unicode.IsLetter(rune(src[k-1])) {
		return false // a digit glued to a word (S1,2) is a label, not a number
	}
	return true
}

// citationEnd returns where a citation number glued to punctuation ends
// ("50%)1 because", "output,1 and", "phase.2", "shock,1,3 which"), or 0.
// The punctuation must follow a word or a closing bracket, never a digit,
// so "1,547" and "7.5" are numbers.
func citationEnd(src string, from, to, i int, unitAt func(string) bool) int {
	if i == from {
		return 0
	}
	prev, _ := utf8.DecodeLastRuneInString(src[from:i])
	if !(unicode.IsLetter(prev) || prev == ')' || prev == '%' || prev == ']') {
		return 0
	}
	if src[i] == ')' && prev != '%' && !unicode.IsLetter(prev) && prev != ')' {
		return 0
	}
	j := i + 1
	for {
		k := j
		for k < to && isDigit(src[k]) {
			k++
		}
		if k == j || k-j > 3 {
			return 0
		}
		j = k
		if j+1 < to && (src[j] == ',' || src[j] == '-') && isDigit(src[j+1]) {
			j++
			continue
		}
		break
	}
	if j < to {
		c := src[j]
		if !(c == ' ' || c == '.' || c == ',' || c == ';' || c == ':' || c == ')' || c == '\t' || c == '\r') {
			return 0
		}
		// "phase.2 mg" would be a number after a full stop; a unit after the
		// digits means it is a value, not a citation.
		if c == ' ' && j+1 < to && (isDigit(src[j+1]) || unitAt != nil && unitAt(src[j+1:to])) {
			return 0
		}
	}
	return j
}

// nfc normalizes text to NFC segment by segment, keeping an offset map.
func nfc(text string) (string, *OffsetMap) {
	b := newMapBuilder(text)
	var it norm.Iter
	it.InitString(norm.NFC, text)
	for !it.Done() {
		from := it.Pos()
		seg := it.Next()
		to := it.Pos()
		b.replace(from, to, string(seg))
	}
	return b.finish(nil)
}
