package extract

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clinex/clinex/patterns"
)

// Quantity is a number found in the normalized text, with what came with it:
// an operator before it, a unit after it, a range's upper end, the second
// number of a pair (78/45).
type Quantity struct {
	Start, End       int // whole quantity, operator to unit
	NumStart, NumEnd int // the first number
	Value            float64
	ValueMax         *float64
	Second           *float64 // 78/45: the 45
	Op               string
	Unit             *patterns.Unit
	UnitCode         string
	Exponent         bool // 4.5 x 10^9/L: the unit carries a power of ten
}

// HasUnit reports whether a unit was found after the number.
func (q *Quantity) HasUnit() bool { return q.UnitCode != "" }

// UnitMatcher finds a unit at a position, from the unit table. Built once.
// It compares synonyms by hand rather than through one big regex
// alternation: a regex with a capture group per synonym copies hundreds of
// captures per step, and this runs at every number of every report.
type UnitMatcher struct {
	// byFirst lists the synonyms by their lower-cased first byte, longest
	// first, so "mg/dL" wins over "mg".
	byFirst [256][]unitSyn
	// bySecond narrows a long byFirst list (198 synonyms start with m) by
	// the byte after the first: bySecond[first][second] keeps, in order,
	// the synonyms that second byte does not rule out.
	bySecond [256]*[256][]unitSyn
	// expRe matches the power-of-ten count units: x 10^9/L, ×10⁹/L, and
	// "× 103/µL" where a PDF lost the superscript of 10³.
	expRe *regexp.Regexp
}

type unitSyn struct {
	text          string
	caseSensitive bool
	unit          *patterns.Unit
	// head and mask hold the synonym's first four bytes, lower case, as
	// canonHead reads a text: a text whose head differs cannot match, and
	// Match skips the synonym without walking it (the 20 synonyms that
	// start "mg" were walked up to the slash of "mg/dL" for every "mg ").
	head, mask uint32
}

// synHead is the head and mask of a synonym; a synonym with a space next
// to a slash (none in the table) gets no head, as canonHead drops such
// spaces.
func synHead(text string) (head, mask uint32) {
	if strings.Contains(text, " /") || strings.Contains(text, "/ ") {
		return 0, 0
	}
	for i := 0; i < len(text) && i < 4; i++ {
		head |= uint32(lowerByte(text[i])) << (8 * i)
		mask |= 0xFF << (8 * i)
	}
	return head, mask
}

// canonHead is the first four bytes of s as matchSyn reads them, lower
// case: a run of spaces and line breaks as one space, and none next to a
// slash (spaces may stand around one). Where matchSyn matches a synonym,
// the synonym's head is canonHead's.
func canonHead(s string) uint32 {
	var h uint32
	n := 0
	for i := 0; i < len(s) && n < 4; {
		b := s[i]
		if b == ' ' || b == '\n' {
			j := i + 1
			for j < len(s) && (s[j] == ' ' || s[j] == '\n') {
				j++
			}
			if (n == 0 || byte(h>>(8*(n-1))) != '/') && (j == len(s) || s[j] != '/') {
				h |= uint32(' ') << (8 * n)
				n++
			}
			i = j
			continue
		}
		h |= uint32(lowerByte(b)) << (8 * n)
		n++
		i++
	}
	return h
}

var superscripts = map[rune]byte{'⁰': '0', '¹': '1', '²': '2', '³': '3', '⁴': '4', '⁵': '5', '⁶': '6', '⁷': '7', '⁸': '8', '⁹': '9'}

// NewUnitMatcher indexes the unit table's synonyms.
func NewUnitMatcher(units []*patterns.Unit) (*UnitMatcher, error) {
	m := &UnitMatcher{}
	add := func(s string, cs bool, u *patterns.Unit) {
		s = strings.Join(strings.Fields(s), " ")
		if s == "" {
			return
		}
		k := lowerByte(s[0])
		h, mask := synHead(s)
		m.byFirst[k] = append(m.byFirst[k], unitSyn{s, cs, u, h, mask})
	}
	for _, u := range units {
		for _, s := range u.Synonyms {
			add(s, false, u)
		}
		for _, s := range u.CaseSensitive {
			add(s, true, u)
		}
	}
	for k := range m.byFirst {
		sort.SliceStable(m.byFirst[k], func(i, j int) bool { return len(m.byFirst[k][i].text) > len(m.byFirst[k][j].text) })
		if len(m.byFirst[k]) > 8 {
			t := new([256][]unitSyn)
			for _, syn := range m.byFirst[k] {
				if len(syn.text) == 1 {
					for b := range t {
						t[b] = append(t[b], syn)
					}
					continue
				}
				// the bytes secondMayMatch lets through, each once
				c := syn.text[1]
				seconds := [...]int{' ', '\n', '/', int(c), int(lowerByte(c)), int(upperByte(c))}
				for i, b := range seconds {
					if !slices.Contains(seconds[:i], b) && secondMayMatch(syn, byte(b)) {
						t[b] = append(t[b], syn)
					}
				}
			}
			m.bySecond[k] = t
		}
	}
	m.expRe = regexp.MustCompile(`^(?:[x×*]\s*)?10\s*(?:\^|\*\*|e)?\s*(\(\d{1,2}\)|\d{1,2}|[⁰¹²³⁴⁵⁶⁷⁸⁹]{1,2})(?:\s*(?:(?i:cells?|cell)\s*)?(?:/|per\s+)\s*(µL|uL|mcL|L|l|mm\s*3|mm³|mm\^3|cmm|mL|ml|dL|dl)\b)?`)
	return m, nil
}

func upperByte(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// secondMayMatch is false where matchSyn fails on a text whose second
// byte is b.
func secondMayMatch(syn unitSyn, b byte) bool {
	if len(syn.text) == 1 || syn.text[0] == '/' && b == ' ' { // spaces may follow a slash
		return true
	}
	switch c := syn.text[1]; c {
	case ' ':
		return b == ' ' || b == '\n'
	case '/':
		return b == ' ' || b == '/'
	default:
		return b == c || !syn.caseSensitive && lowerByte(b) == lowerByte(c)
	}
}

// matchSyn matches one synonym at the start of s, where texts vary: any
// white space for a space, optional spaces around a slash, and a word
// boundary after a synonym ending in a letter or digit (so "m" does not
// match "min"). It returns the matched length, or -1.
func matchSyn(syn unitSyn, s string) int {
	i := 0
	for j := 0; j < len(syn.text); j++ {
		c := syn.text[j]
		switch c {
		case ' ':
			k := i
			for k < len(s) && (s[k] == ' ' || s[k] == '\n') {
				k++
			}
			if k == i {
				return -1
			}
			i = k
			continue
		case '/':
			for i < len(s) && s[i] == ' ' {
				i++
			}
			if i >= len(s) || s[i] != '/' {
				return -1
			}
			i++
			for i < len(s) && s[i] == ' ' {
				i++
			}
			continue
		}
		if i >= len(s) {
			return -1
		}
		if s[i] != c && (syn.caseSensitive || lowerByte(s[i]) != lowerByte(c)) {
			return -1
		}
		i++
	}
	last := syn.text[len(syn.text)-1]
	if isAlnumByte(last) && i < len(s) && isAlnumByte(s[i]) {
		return -1
	}
	return i
}

// Match returns the unit at the start of s and its length, or nil.
func (m *UnitMatcher) Match(s string) (*patterns.Unit, string, int) {
	if len(s) > 64 {
		s = s[:64]
	}
	if tensFollow(s) {
		if e := m.expRe.FindStringSubmatchIndex(s); e != nil && (e[4] >= 0 || s[0] != '1') {
			exp := s[e[2]:e[3]]
			exp = strings.Trim(exp, "()")
			var digits []byte
			for _, r := range exp {
				if d, ok := superscripts[r]; ok {
					digits = append(digits, d)
				} else {
					digits = append(digits, byte(r))
				}
			}
			per := ""
			if e[4] >= 0 {
				per = strings.ToLower(strings.Join(strings.Fields(s[e[4]:e[5]]), ""))
			}
			switch per {
			case "µl", "ul", "mcl", "mm3", "mm³", "mm^3", "cmm":
				per = "uL"
			case "l":
				per = "L"
			case "ml":
				per = "mL"
			case "dl":
				per = "dL"
			}
			code := "10*" + string(digits)
			if per != "" {
				code += "/" + per
			}
			return &patterns.Unit{Code: code, Dimension: "count_conc"}, code, e[1]
		}
	}
	if s == "" {
		return nil, "", 0
	}
	syns := m.byFirst[lowerByte(s[0])]
	if t := m.bySecond[lowerByte(s[0])]; t != nil && len(s) > 1 {
		syns = t[s[1]]
	}
	head := canonHead(s)
	for i := range syns {
		syn := &syns[i]
		if head&syn.mask != syn.head {
			continue
		}
		if n := matchSyn(*syn, s); n > 0 {
			return syn.unit, syn.unit.Code, n
		}
	}
	return nil, "", 0
}

// tensFollow reports whether s starts as expRe needs: an optional x, ×
// or * and white space, then 10. Most texts after a number that start
// with x are dimensions ("2 x 3 cm"), and the regexp took longer to fail
// on them than this takes.
func tensFollow(s string) bool {
	switch {
	case s == "":
		return false
	case s[0] == 'x' || s[0] == '*':
		s = s[1:]
	case strings.HasPrefix(s, "×"):
		s = s[len("×"):]
	case s[0] != '1':
		return false
	}
	i := 0
	for i < len(s) && isRegexSpace(s[i]) {
		i++
	}
	return strings.HasPrefix(s[i:], "10")
}

// QuantityScanner finds every number in a text with its unit.
type QuantityScanner struct {
	units *UnitMatcher
}

// The operator before a number and the separator of a range are matched
// by hand: they run at every number, and a regexp anchored at the end
// (`...\s*$`) tries every start position of the window. The grammars, as
// the regexps they replace (quantity_test.go compares them):
//
//	operator: (?i)(<=|>=|≤|≥|<|>|~|≈|±|\bless than|\bgreater than|\bmore than|\bhigher than|\blower than|\bup to|\bover|\babove|\bbelow|\bunder|\bat least|\bat most|\bapproximately|\babout|\baround|\bnearly|\bbetween)\s*$
//	range separator: (?i)^\s*(?:-|to|and)\s*

// opAlternatives are the operators, lower case, indexed by their last
// byte: a match ends, white space aside, with that byte (no operator ends
// in k or s, the letters a non-ASCII rune folds to).
var opAlternatives = func() *[256][]string {
	var t [256][]string
	for _, op := range []string{"<=", ">=", "≤", "≥", "<", ">", "~", "≈", "±", "less than", "greater than",
		"more than", "higher than", "lower than", "up to", "over", "above", "below", "under", "at least",
		"at most", "approximately", "about", "around", "nearly", "between"} {
		t[op[len(op)-1]] = append(t[op[len(op)-1]], op)
	}
	return &t
}()

// opBeforeAt finds the operator that ends s, white space aside: where it
// starts and ends, and the operator as listed (lower case).
func opBeforeAt(s string) (start, end int, op string, ok bool) {
	e := len(s)
	for e > 0 && isRegexSpace(s[e-1]) {
		e--
	}
	if e == 0 {
		return 0, 0, "", false
	}
	start = -1
	for _, alt := range opAlternatives[lowerByte(s[e-1])] {
		b, matched := foldSuffixStart(s[:e], alt)
		// \b: \w is ASCII, so a byte of a multi-byte rune is no word byte
		if !matched || isASCIILetter(alt[0]) && b > 0 && isWordByte(s[b-1]) {
			continue
		}
		// leftmost-first: the match that starts first wins
		if start < 0 || b < start {
			start, op = b, alt
		}
	}
	return start, e, op, start >= 0
}

// foldSuffixStart reports whether s ends with lower, an operator in lower
// case, under (?i): ASCII letters in either case, plus ſ for s and K
// (Kelvin) for k; every other byte as it is. It returns where the match
// starts.
func foldSuffixStart(s, lower string) (int, bool) {
	j := len(s)
	for i := len(lower) - 1; i >= 0; i-- {
		c := lower[i]
		switch {
		case j > 0 && (s[j-1] == c || isASCIILetter(c) && lowerByte(s[j-1]) == c):
			j--
		case c == 's' && strings.HasSuffix(s[:j], "ſ"):
			j -= len("ſ")
		case c == 'k' && strings.HasSuffix(s[:j], "\u212a"):
			j -= len("\u212a")
		default:
			return 0, false
		}
	}
	return j, true
}

// rangeSepLen is the length of the range separator at the start of s, or
// -1.
func rangeSepLen(s string) int {
	i := 0
	for i < len(s) && isRegexSpace(s[i]) {
		i++
	}
	switch {
	case i < len(s) && s[i] == '-':
		i++
	case i+2 <= len(s) && lowerByte(s[i]) == 't' && lowerByte(s[i+1]) == 'o':
		i += 2
	case i+3 <= len(s) && lowerByte(s[i]) == 'a' && lowerByte(s[i+1]) == 'n' && lowerByte(s[i+2]) == 'd':
		i += 3
	default:
		return -1
	}
	for i < len(s) && isRegexSpace(s[i]) {
		i++
	}
	return i
}

var opCanon = map[string]string{
	"<=": "<=", ">=": ">=", "≤": "<=", "≥": ">=", "<": "<", ">": ">", "~": "~", "≈": "~",
	"less than": "<", "greater than": ">", "more than": ">", "higher than": ">", "lower than": "<",
	"up to": "<=", "over": ">", "above": ">", "below": "<", "under": "<", "at least": ">=", "at most": "<=",
	"approximately": "~", "about": "~", "around": "~", "nearly": "~",
}

// Scan returns the quantities of text in order. Numbers glued to letters
// (PaO2, A3-P3, T4N1) are names, not values, and are skipped.
func (qs *QuantityScanner) Scan(text string, skip func(int) bool) []Quantity {
	return qs.appendScan(nil, text, skip)
}

// appendScan is Scan written into dst[:0], a reused buffer.
func (qs *QuantityScanner) appendScan(dst []Quantity, text string, skip func(int) bool) []Quantity {
	i := nextDigit(text, 0)
	if i == len(text) {
		return dst[:0]
	}
	// The reports hold one quantity per 205 bytes: room for one per 128
	// spares a fresh slice its regrowth. Counting the runs of digits to
	// size it exactly read the text a second time, a fifth of the scan,
	// and a reused buffer (Extract pools it) rarely needs the room.
	out := slices.Grow(dst[:0], len(text)/128)
	for i < len(text) {
		if i = nextDigit(text, i); i == len(text) {
			break
		}
		if i > 0 && !numberMayStartAfter(text, i) {
			for i < len(text) && (isDigit(text[i]) || text[i] == '.' || text[i] == ',') {
				i++
			}
			continue
		}
		if skip != nil && skip(i) {
			for i < len(text) && isDigit(text[i]) {
				i++
			}
			continue
		}
		q, next := qs.parseAt(text, i)
		if next < 0 {
			// Too many digits for a float64 (a run of hundreds): no value,
			// and the scan must still move past it.
			for i < len(text) && (isDigit(text[i]) || text[i] == '.' || text[i] == ',') {
				i++
			}
			continue
		}
		out = append(out, q)
		i = next
	}
	return out
}

// nextDigit is the index of the first ASCII digit in text from i, or
// len(text). It tests eight bytes at a time, as most of a report is not
// digits: for a word x, ((A-B) & ^x & (B+C)) & highs has the high bit of
// each byte b < 0x80 with '0'-1 < b < '9'+1 (B is x without the high
// bits; A and C put each byte on either side of the range without a
// carry between bytes; ^x drops the bytes >= 0x80).
func nextDigit(text string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	const a, c = ones * (127 + '9' + 1), ones * (127 - ('0' - 1))
	for ; i+8 <= len(text); i += 8 {
		w := text[i : i+8]
		_ = w[7] // one bounds check, and the compiler makes the eight loads one
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		b := x & (ones * 127)
		if (a-b)&^x&(b+c)&highs != 0 {
			break
		}
	}
	for i < len(text) && !isDigit(text[i]) {
		i++
	}
	return i
}

func numberMayStartAfter(text string, i int) bool {
	prev, size := utf8.DecodeLastRuneInString(text[:i])
	if unicode.IsLetter(prev) || prev == '.' || prev == '_' || prev == '/' && i-size > 0 && isDigit(text[i-size-1]) {
		return false
	}
	if prev == '-' && i-1 > 0 {
		pp, _ := utf8.DecodeLastRuneInString(text[:i-1])
		if isDigit(byte(pp)) && pp < utf8.RuneSelf {
			return false // the second half of a range already read
		}
		if unicode.IsLetter(pp) && !decimalFollows(text, i) {
			return false // COVID-19, A3-P3, CA-125; but INR-1.3 and Hb-10.3 are values
		}
	}
	if isDigit(prev2(text, i)) && prev == ',' {
		return false
	}
	return true
}

func decimalFollows(text string, i int) bool {
	for i < len(text) && isDigit(text[i]) {
		i++
	}
	return i+1 < len(text) && text[i] == '.' && isDigit(text[i+1])
}

func prev2(text string, i int) byte {
	if i >= 2 {
		return text[i-2]
	}
	return 0
}

// readNumber reads 1,547.5 or 48.9 or .5 at i; returns value and end.
func readNumber(text string, i int) (float64, int, bool) {
	j := i
	for j < len(text) && isDigit(text[j]) {
		j++
	}
	if j == i {
		return 0, i, false
	}
	intEnd := j
	// thousands groups: only when the first group has at most 3 digits
	if intEnd-i <= 3 {
		for j+3 < len(text)+0 && text[j] == ',' && j+4 <= len(text) && allDigits(text[j+1:j+4]) && (j+4 == len(text) || !isDigit(text[j+4])) {
			j += 4
		}
	}
	if j+1 < len(text) && text[j] == '.' && isDigit(text[j+1]) {
		j++
		for j < len(text) && isDigit(text[j]) {
			j++
		}
	}
	if f, ok := smallDecimal(text[i:j]); ok {
		return f, j, true
	}
	s := strings.ReplaceAll(text[i:j], ",", "")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, i, false
	}
	return f, j, true
}

// pow10 holds the powers of ten a float64 holds exactly.
var pow10 = [...]float64{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15}

// smallDecimal reads what readNumber found (digits, group commas, one
// point) when it has at most 15 digits: the digits make an integer below
// 2^53 and the point a power of ten below 2^53, both exact, so the one
// correctly rounded division gives what strconv.ParseFloat gives (its own
// exact fast path), without its general machinery.
func smallDecimal(s string) (float64, bool) {
	var mant uint64
	digits, frac, point := 0, 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case isDigit(c):
			mant = mant*10 + uint64(c-'0')
			digits++
			if point {
				frac++
			}
		case c == '.':
			point = true
		}
	}
	if digits > 15 {
		return 0, false
	}
	return float64(mant) / pow10[frac], true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return len(s) > 0
}

func skipSpaces(text string, i int) int {
	for i < len(text) && (text[i] == ' ' || text[i] == '\n') {
		i++
	}
	return i
}

func (qs *QuantityScanner) parseAt(text string, i int) (Quantity, int) {
	v, j, ok := readNumber(text, i)
	if !ok {
		return Quantity{}, -1
	}
	q := Quantity{Start: i, NumStart: i, NumEnd: j, End: j, Value: v}
	// sign: a minus or plus right before, not part of a range or a word
	if i > 0 && (text[i-1] == '-' || text[i-1] == '+') && (i == 1 || !isAlnumByte(text[i-2])) {
		q.Start, q.NumStart = i-1, i-1
		if text[i-1] == '-' {
			q.Value = -v
		}
	}
	// operator before
	lookback := q.Start - 24
	if lookback < 0 {
		lookback = 0
	}
	if st, end, op, ok := opBeforeAt(text[lookback:q.Start]); ok {
		if end-st != len(op) {
			// "leſs than" is matched, but names no operator
			op = strings.ToLower(text[lookback+st : lookback+end])
		}
		if op == "between" {
			q.Op = "between"
		} else if c, ok := opCanon[op]; ok {
			q.Op = c
		}
		q.Start = lookback + st
		if op == "±" {
			q.Op, q.Start = "", q.NumStart
		}
	}
	k := skipSpaces(text, j)
	// pair: 78/45
	if k < len(text) && text[k] == '/' {
		m := skipSpaces(text, k+1)
		if v2, e2, ok := readNumber(text, m); ok && (e2 >= len(text) || !isAlnumByte(text[e2]) || text[e2] == ' ') {
			q.Second = &v2
			q.End = e2
			k = skipSpaces(text, e2)
		}
	}
	if u, code, n := qs.units.Match(text[k:]); u != nil {
		q.Unit, q.UnitCode = u, code
		q.Exponent = strings.HasPrefix(code, "10*")
		q.End = k + n
		k = q.End
	}
	// range: 35% to 50%, 12-16 g/dL, between 2 and 3
	if q.Second == nil {
		if n := rangeSepLen(text[k:]); n >= 0 {
			sep := strings.TrimSpace(text[k : k+n])
			r := k + n
			if (sep != "and" || q.Op == "between") && r < len(text) && isDigit(text[r]) {
				if v2, e2, ok := readNumber(text, r); ok && v2 >= q.Value {
					e := e2
					u2, code2, n2 := qs.units.Match(text[skipSpaces(text, e2):])
					if u2 != nil && (q.Unit == nil || code2 == q.UnitCode) {
						e = skipSpaces(text, e2) + n2
					}
					if u2 == nil || q.Unit == nil || code2 == q.UnitCode {
						if q.Unit == nil && u2 != nil {
							q.Unit, q.UnitCode = u2, code2
						}
						vmax := v2
						q.ValueMax = &vmax
						q.End = e
						if q.Op == "between" {
							q.Op = ""
						}
					}
				}
			}
		}
	}
	if q.Op == "between" {
		q.Op, q.Start = "", q.NumStart
	}
	next := q.End
	if next <= i {
		next = j
	}
	return q, next
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// Convert converts v between two units of one dimension with exact factors.
func Convert(v float64, from, to *patterns.Unit) (float64, bool) {
	if from == nil || to == nil {
		return 0, false
	}
	if from.Code == to.Code {
		return v, true
	}
	if from.Dimension != to.Dimension || from.Factor == 0 || to.Factor == 0 {
		return 0, false
	}
	return v * from.Factor / to.Factor, true
}
