package extract

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hand-written readers for the entity stage's windows. Each replaces one
// regex and follows the regex's own order of preference. Where a reader
// meets text it does not follow, it hands the window to its regex:
//   - Go's (?i) folds only two non-ASCII runes into ASCII letters, K
//     (U+212A) into k and ſ (U+017F) into s; \b, \w, \s and \d are ASCII
//     classes. So on a window without those two runes (hasFoldRune) a
//     regex made of these reads every non-ASCII rune as a non-word rune
//     that matches nothing, and so do the readers, byte by byte.
//   - \pL is a Unicode class: a reader of a regex with it either decodes
//     the runes it tests or takes only ASCII windows.
// Windows with K or ſ are all but unheard of; about one in a hundred holds
// some other non-ASCII rune (°, µ, –).

// hasFoldRune reports whether s holds K (U+212A) or ſ (U+017F).
func hasFoldRune(s string) bool {
	// their lead bytes first: IndexByte is much faster than Contains
	if i := strings.IndexByte(s, 0xC5); i >= 0 && strings.Contains(s[i:], "\u017f") {
		return true
	}
	i := strings.IndexByte(s, 0xE2)
	return i >= 0 && strings.Contains(s[i:], "\u212a")
}

// isLetterBefore is \pL on the rune that ends before p (p > 0).
func isLetterBefore(s string, p int) bool {
	if c := s[p-1]; c < utf8.RuneSelf {
		return isASCIILetter(c)
	}
	r, _ := utf8.DecodeLastRuneInString(s[:p])
	return unicode.IsLetter(r)
}

// isLetterAt is \pL on the rune at i (i < len(s)).
func isLetterAt(s string, i int) bool {
	if c := s[i]; c < utf8.RuneSelf {
		return isASCIILetter(c)
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	return unicode.IsLetter(r)
}

// isReWordByte is \w, the class \b tests, on ASCII.
func isReWordByte(c byte) bool {
	return c < utf8.RuneSelf && asciiWordByte[c] || c == '_'
}

// reBoundary is \b at i in s: a word byte on one side only.
func reBoundary(s string, i int) bool {
	return (i > 0 && isReWordByte(s[i-1])) != (i < len(s) && isReWordByte(s[i]))
}

// hasPrefixFold is strings.HasPrefix with ASCII letters in either case;
// prefix is lower case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && equalFoldASCII(s[:len(prefix)], prefix)
}

func skipRegexSpace(s string, i int) int {
	for i < len(s) && isRegexSpace(s[i]) {
		i++
	}
	return i
}

// wordBefore returns the farthest of the last n words before a mention that
// is in the set, lower-cased, or "". The words in between must be words.
// Words are what strings.Fields makes of before; the last ones are read
// from the end without splitting the whole window, unless a byte of them
// is not ASCII (then a space may be too). Bytes before them do not change
// them: an ASCII byte is always a rune of its own.
func wordBefore(before string, n int, set *wordSet) string {
	const most = 4
	if n > most {
		return wordBeforeFields(before, n, set)
	}
	// a word glued to the mention is not before it
	dropLast := !strings.HasSuffix(before, " ") && !strings.HasSuffix(before, "\n")
	want := n
	if dropLast {
		want++
	}
	// One pass from the mention back: the farthest word in the set wins,
	// and only if every word between it and the mention is made of
	// letters and hyphens.
	found, dirty := "", false
	for i, k := len(before), 0; k < want; k++ {
		for i > 0 && fieldsClass[before[i-1]] == fieldsSpace {
			i--
		}
		if i == 0 {
			break
		}
		to, marks := i, uint8(0)
		for i > 0 {
			m := wordMarks[before[i-1]]
			if m&(fieldsSpace|fieldsNonASCII) != 0 {
				if m&fieldsNonASCII != 0 {
					return wordBeforeFields(before, n, set)
				}
				break
			}
			marks |= m
			i--
		}
		if k == 0 && dropLast {
			continue
		}
		if lw, ok := lookupLower(before[i:to], set); ok {
			found = lw
			if dirty {
				found = ""
			}
		}
		dirty = dirty || marks&notLetterHyphen != 0
	}
	return found
}

// wordMarks is fieldsClass as bits, with notLetterHyphen on the bytes of
// a word that make it more than letters and hyphens.
var wordMarks = func() (t [256]uint8) {
	for c := range t {
		switch fieldsClass[c] {
		case fieldsSpace:
			t[c] = fieldsSpace
		case fieldsNonASCII:
			t[c] = fieldsNonASCII
		default:
			if !isASCIILetter(byte(c)) && c != '-' {
				t[c] = notLetterHyphen
			}
		}
	}
	return t
}()

// notLetterHyphen is a wordMarks bit beside fieldsSpace and fieldsNonASCII.
const notLetterHyphen = 4

// fieldsClass tells, for wordBefore's scan, the ASCII bytes strings.Fields
// splits at from those it keeps in a field, and both from non-ASCII bytes.
var fieldsClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = fieldsNonASCII
		case isRegexSpace(byte(c)) || c == '\v':
			t[c] = fieldsSpace
		}
	}
	return t
}()

const (
	fieldsByte = iota
	fieldsSpace
	fieldsNonASCII
)

// wordSet is a set of lower-case words, also by first byte (either case)
// for a lookup of an ASCII word in any case without hashing it.
type wordSet struct {
	words   map[string]bool
	byFirst [256][]string
	// lens has bit l set for a first byte when a word of l bytes starts
	// with it (l < 64; longer words set bit 0), so most words of a text
	// are turned away without a comparison.
	lens [256]uint64
}

func newWordSet(words string) *wordSet {
	s := &wordSet{words: toSet(words)}
	for _, w := range strings.Fields(words) {
		bit := uint64(1) << 0
		if len(w) < 64 {
			bit = 1 << len(w)
		}
		for _, c := range []byte{w[0], asciiLower[w[0]], asciiUpper(w[0])} {
			s.lens[c] |= bit
		}
		s.byFirst[w[0]] = append(s.byFirst[w[0]], w)
		if c := w[0]; c >= 'a' && c <= 'z' {
			s.byFirst[c-'a'+'A'] = append(s.byFirst[c-'a'+'A'], w)
		}
	}
	return s
}

func asciiUpper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// lookupLower returns the set's word that is the ASCII word w lower-cased.
func lookupLower(w string, set *wordSet) (string, bool) {
	if len(w) == 0 {
		return "", false
	}
	if len(w) < 64 && set.lens[w[0]]&(1<<len(w)) == 0 {
		return "", false
	}
	for _, sw := range set.byFirst[w[0]] {
		if equalFoldASCII(w, sw) {
			return sw, true
		}
	}
	return "", false
}

// wordBeforeFields is wordBefore on any text.
func wordBeforeFields(before string, n int, set *wordSet) string {
	fields := strings.Fields(before)
	if len(fields) > 0 && !strings.HasSuffix(before, " ") && !strings.HasSuffix(before, "\n") {
		fields = fields[:len(fields)-1] // a word glued to the mention is not before it
	}
	from := max(0, len(fields)-n)
	for i := from; i < len(fields); i++ {
		w := strings.ToLower(fields[i])
		if set.words[w] {
			for _, later := range fields[i+1:] {
				if strings.IndexFunc(later, func(r rune) bool { return !unicode.IsLetter(r) && r != '-' }) >= 0 {
					return ""
				}
			}
			return w
		}
	}
	return ""
}

var (
	statusVerbs = []string{"was", "were", "is", "are", "had been", "has been", "been"}
	// statusAfterRe's statuses, by first byte: no two can match at one
	// place (a \b follows each), so their order does not matter.
	statusNames = newFoldWords("attempted", "planned", "scheduled", "proposed", "considered", "recommended", "indicated",
		"deferred", "refused", "declined", "postponed", "performed", "done", "carried out", "completed", "successful", "unsuccessful")
)

// statusAfter is statusAfterRe's submatch 1 on after, "" where it does not
// match: "… was planned", "the procedure was then performed".
func statusAfter(after string) string {
	if hasFoldRune(after) {
		if m := findIfAny(statusAfterRe, after, statusAfterWords); m != nil {
			return m[1]
		}
		return ""
	}
	i := 0
	for i < len(after) && (isRegexSpace(after[i]) || after[i] == ',') {
		i++
	}
	// up to two words before the verb, the fewest first: each is a whole
	// run of word bytes then a whole run of spaces, as nothing else lets
	// the next part match
	for words := 0; ; words++ {
		if st := verbStatusAt(after, i); st != "" {
			return st
		}
		if words == 2 {
			return ""
		}
		j := i
		for j < len(after) && isReWordByte(after[j]) {
			j++
		}
		k := skipRegexSpace(after, j)
		if j == i || k == j {
			return ""
		}
		i = k
	}
}

func verbStatusAt(s string, i int) string {
	if i == len(s) {
		return ""
	}
	switch asciiLower[s[i]] {
	case 'w', 'i', 'a', 'h', 'b':
	default:
		return ""
	}
	for _, v := range statusVerbs {
		if !hasPrefixFold(s[i:], v) {
			continue
		}
		j := i + len(v)
		k := skipRegexSpace(s, j)
		if k == j {
			continue
		}
		if k == len(s) {
			continue
		}
		for _, st := range statusNames.byFirst[s[k]] {
			if hasPrefixFold(s[k:], st) && !(k+len(st) < len(s) && isReWordByte(s[k+len(st)])) {
				return s[k : k+len(st)]
			}
		}
	}
	return ""
}

// ordinalWords are ordinalRe's words in its order.
var ordinalWords = []string{"first", "second", "third", "fourth", "fifth", "another", "two", "three", "four",
	"2nd", "3rd", "4th", "additional"}

// ordinalBefore is ordinalRe's submatch 1 on before, "" where it does not
// match: "a second Impella ", "two chest tubes ".
func ordinalBefore(before string) string {
	if !isASCII(before) { // the word between is [\pL-]+: a Unicode class
		if m := ordinalRe.FindStringSubmatch(before); m != nil {
			return m[1]
		}
		return ""
	}
	end := len(before)
	for end > 0 && isRegexSpace(before[end-1]) {
		end--
	}
	if end == len(before) {
		return "" // the match ends in white space
	}
	// The leftmost match wins: an ordinal with a word after it ("second
	// Impella ") starts before one right before the mention.
	w := end
	for w > 0 && (isASCIILetter(before[w-1]) || before[w-1] == '-') {
		w--
	}
	if w < end && w > 0 && isRegexSpace(before[w-1]) {
		sp := w - 1
		for sp > 0 && isRegexSpace(before[sp-1]) {
			sp--
		}
		if o := ordinalEndingAt(before, sp); o != "" {
			return o
		}
	}
	return ordinalEndingAt(before, end)
}

func ordinalEndingAt(s string, end int) string {
	for _, o := range ordinalWords {
		start := end - len(o)
		if start >= 0 && equalFoldASCII(s[start:end], o) && !(start > 0 && isReWordByte(s[start-1])) {
			return s[start:end]
		}
	}
	return ""
}

// mayHavePosition is false where positionRe cannot match: every match
// starts with A or P and a digit 1 to 3 (the regex is case-sensitive).
func mayHavePosition(s string) bool {
	for i := 0; i+1 < len(s); i++ {
		if (s[i] == 'A' || s[i] == 'P') && s[i+1] >= '1' && s[i+1] <= '3' {
			return true
		}
	}
	return false
}

// firstByteAfter is the lower-cased byte at the first position of s that
// is not white space (or a comma, with commas) (0 at the end), for anchored
// regexes whose next letter is one of a few. No non-ASCII rune folds to
// the letters these tests look for (only k and s have such folds).
func firstByteAfter(s string, commas bool) byte {
	i := 0
	for i < len(s) && (isRegexSpace(s[i]) || commas && s[i] == ',') {
		i++
	}
	if i == len(s) {
		return 0
	}
	return asciiLower[s[i]]
}

// mayBeRemoval is false where removalRe cannot match: after white space
// and commas it reads device, pump, catheter, was, were, had, has, could
// or is.
func mayBeRemoval(s string) bool {
	switch firstByteAfter(s, true) {
	case 'd', 'p', 'c', 'w', 'h', 'i':
		return true
	}
	return false
}

// mayBeGuidance is false where guidanceAfter cannot match: after white
// space it reads guidance, guided or control.
func mayBeGuidance(s string) bool {
	switch firstByteAfter(s, false) {
	case 'g', 'c':
		return true
	}
	return false
}

// mayBeGradeAfter is false where gradeAfterRe cannot match: after white
// space and an optional bracket it reads "grade".
func mayBeGradeAfter(s string) bool {
	i := skipRegexSpace(s, 0)
	if i < len(s) && s[i] == '(' {
		i = skipRegexSpace(s, i+1)
	}
	return i < len(s) && asciiLower[s[i]] == 'g'
}

// timeWords: each match of timeAfterRe holds later, after, post or day.
var timeWords = newFoldWords("later", "after", "post", "day")

// freqLiterals are freqRe's literal alternatives in its order, an optional
// last dot written both ways, the longer first as the regex prefers it, by
// first byte (those of two first bytes never match at one place). The two
// with a number (every 8 hours, q6h) come after every literal that starts
// with e or q, and freqAt reads them so.
var freqLiterals = newFoldWords("once daily", "twice daily", "three times daily", "four times daily",
	"once a day", "twice a day", "three times a day", "daily", "nightly", "weekly", "monthly",
	"b.i.d.", "b.i.d", "t.i.d.", "t.i.d", "q.i.d.", "q.i.d", "q.d.", "q.d", "bid", "tid", "qid", "od", "qd",
	"per day", "/day", "a day", "as needed", "prn")

// findFreq is freqRe.FindString(s): "twice daily", "q8h", "every 6 hours".
func findFreq(s string) string {
	if hasFoldRune(s) {
		return freqRe.FindString(s)
	}
	for p := 0; p < len(s); p++ {
		if !reBoundary(s, p) {
			continue
		}
		if end := freqAt(s, p); end >= 0 {
			return s[p:end]
		}
	}
	return ""
}

// freqAt is the end of freqRe's match at p, where \b holds, or -1.
func freqAt(s string, p int) int {
	if p == len(s) {
		return -1
	}
	for _, alt := range freqLiterals.byFirst[s[p]] {
		if hasPrefixFold(s[p:], alt) && reBoundary(s, p+len(alt)) {
			return p + len(alt)
		}
	}
	switch asciiLower[s[p]] {
	case 'e': // every\s+\d+\s*(?:h|hours?|days?|weeks?)
		if hasPrefixFold(s[p:], "every") {
			i := skipRegexSpace(s, p+5)
			j := skipDigits(s, i)
			if i > p+5 && j > i {
				k := skipRegexSpace(s, j)
				for _, u := range []string{"h", "hours", "hour", "days", "day", "weeks", "week"} {
					if hasPrefixFold(s[k:], u) && reBoundary(s, k+len(u)) {
						return k + len(u)
					}
				}
			}
		}
	case 'q': // q\s?\d+\s*h
		i := p + 1
		if i < len(s) && isRegexSpace(s[i]) {
			i++
		}
		if j := skipDigits(s, i); j > i {
			k := skipRegexSpace(s, j)
			if k < len(s) && asciiLower[s[k]] == 'h' && reBoundary(s, k+1) {
				return k + 1
			}
		}
	}
	return -1
}

func skipDigits(s string, i int) int {
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// routeAlternatives are routeRe's alternatives in its order, each
// optional "ly" written both ways, the longer first, by first byte (those
// of two first bytes never match at one place).
var routeAlternatives = newFoldWords("i.v.", "i.v", "iv", "intravenously", "intravenous", "orally", "oral",
	"p.o.", "per os", "po", "s.c.", "subcutaneously", "subcutaneous", "sc", "i.m.", "intramuscularly",
	"intramuscular", "im", "inhaled", "nebulised", "nebulized", "topically", "topical", "intrathecally",
	"intrathecal", "intravitreal", "transdermal", "sublingual", "rectally", "rectal")

// findRoute is routeRe's submatch 1 on s, "" where it does not match: a
// route written between non-letters (\pL: runes are decoded to tell).
func findRoute(s string) string {
	if hasFoldRune(s) {
		if m := routeRe.FindStringSubmatch(s); m != nil {
			return m[1]
		}
		return ""
	}
	for p := 0; p < len(s); p++ {
		alts := routeAlternatives.byFirst[s[p]]
		if len(alts) == 0 || p > 0 && isLetterBefore(s, p) {
			continue
		}
		for _, alt := range alts {
			if end := p + len(alt); hasPrefixFold(s[p:], alt) && (end == len(s) || !isLetterAt(s, end)) {
				return s[p:end]
			}
		}
	}
	return ""
}

// doseGapWords are doseGapRe's words, by first byte.
var doseGapWords = newFoldWords("at", "of", "a", "an", "dose", "doses", "dosage", "was", "were", "is", "started",
	"given", "administered", "infusion", "infused", "initiated", "with", "in", "to", "increased", "decreased",
	"reduced", "titrated", "up", "bolus", "loading", "maintenance", "daily", "iv", "i.v.", "orally", "oral",
	"intravenous", "intravenously", "subcutaneous", "subcutaneously", "total", "single", "continuous", "then",
	"rate", "by", "mg", "tablet", "tablets", "capsule", "capsules", "hydrochloride", "sodium", "injection",
	"therapy", "treatment", "regimen", "which", "sustained-release", "extended-release", "slow-release",
	"prolonged-release", "the", "solution", "drip", "dosing", "restarted", "resumed", "commenced",
	"prescribed", "received", "receiving", "on", "course", "courses", "pulse", "pulses", "high-dose",
	"low-dose", "as", "for", "per", "tapered", "weaned", "from", "lowered", "raised", "escalated", "switched",
	"changed", "maintained", "kept", "continued", "initially", "first", "eventually", "finally", "later",
	"subsequently")

// isDoseGap is doseGapRe.MatchString(s): s is nothing but separators
// (white space , : ( [ -) and whole words of doseGapWords, as in " was
// started at a dose of ". It asks which prefixes of s can be read so, so
// the order of the regex's alternatives does not matter.
func isDoseGap(s string) bool {
	const most = 128
	if len(s) > most || hasFoldRune(s) {
		return doseGapRe.MatchString(s)
	}
	var reach [most + 1]bool
	reach[0] = true
	for i := 0; i < len(s); i++ {
		if !reach[i] {
			continue
		}
		switch c := s[i]; {
		case isRegexSpace(c) || c == ',' || c == ':' || c == '(' || c == '[' || c == '-':
			reach[i+1] = true
		case reBoundary(s, i):
			for _, w := range doseGapWords.byFirst[c] {
				if hasPrefixFold(s[i:], w) && reBoundary(s, i+len(w)) {
					reach[i+len(w)] = true
				}
			}
		}
	}
	return reach[len(s)]
}

// timeUnitWords are the time units of timeAfterRe.
var timeUnitWords = []string{"hours", "hour", "hrs", "hr", "h", "days", "day", "d", "weeks", "week", "wks", "wk",
	"months", "month", "mos", "mo", "years", "year", "yrs", "yr"}

// timeAfter is timeAfterRe.FindStringSubmatch(s) without its unused
// groups: the match, its number, its unit ("" for "on day 5") and whether
// it reads "on day". ok is false where it does not match.
func timeAfter(s string) (match, num, unit string, onDay, ok bool) {
	if !isASCII(s) { // post[\pL-]* is a Unicode class
		m := timeAfterRe.FindStringSubmatch(s)
		switch {
		case m == nil:
			return "", "", "", false, false
		case m[1] != "":
			return m[0], m[1], m[2], false, true
		case m[4] != "":
			return m[0], m[4], m[5], false, true
		}
		return m[0], m[6], "", true, true
	}
	for p := 0; p < len(s); p++ {
		if !reBoundary(s, p) {
			continue
		}
		// \d+(?:\.\d+)?\s*UNIT\s+(later|after(?:wards)?|post[\pL-]*)\b
		if n := readDecimal(s, p); n > p {
			if u := timeUnitAt(s, skipRegexSpace(s, n)); u > 0 {
				us := skipRegexSpace(s, n)
				if k := skipRegexSpace(s, us+u); k > us+u {
					if end := afterWordAt(s, k); end > 0 {
						return s[p:end], s[p:n], s[us : us+u], false, true
					}
				}
			}
		}
		// after\s+\d+(?:\.\d+)?\s*UNIT\b
		if hasPrefixFold(s[p:], "after") {
			if i := skipRegexSpace(s, p+5); i > p+5 {
				if n := readDecimal(s, i); n > i {
					us := skipRegexSpace(s, n)
					if u := wordRunAt(s, us); u > 0 && isTimeUnit(s[us:us+u]) {
						return s[p : us+u], s[i:n], s[us : us+u], false, true
					}
				}
			}
		}
		// on\s+(?:post[\pL-]*\s+)?day\s+(\d+)\b
		if hasPrefixFold(s[p:], "on") {
			if i := skipRegexSpace(s, p+2); i > p+2 {
				if hasPrefixFold(s[i:], "post") {
					j := i + 4
					for j < len(s) && (isASCIILetter(s[j]) || s[j] == '-') {
						j++
					}
					if k := skipRegexSpace(s, j); k > j {
						if end, d := onDayAt(s, k); end > 0 {
							return s[p:end], s[d:end], "", true, true
						}
					}
				}
				if end, d := onDayAt(s, i); end > 0 {
					return s[p:end], s[d:end], "", true, true
				}
			}
		}
	}
	return "", "", "", false, false
}

// readDecimal is the end of \d+(?:\.\d+)? at i, i where there is none.
func readDecimal(s string, i int) int {
	j := skipDigits(s, i)
	if j > i && j+1 < len(s) && s[j] == '.' && isDigit(s[j+1]) {
		j = skipDigits(s, j+1)
	}
	return j
}

// wordRunAt is the length of the run of \w bytes at i.
func wordRunAt(s string, i int) int {
	j := i
	for j < len(s) && isReWordByte(s[j]) {
		j++
	}
	return j - i
}

func isTimeUnit(w string) bool {
	for _, u := range timeUnitWords {
		if equalFoldASCII(w, u) {
			return true
		}
	}
	return false
}

// timeUnitAt is the length of the time unit at i that a white space
// follows, 0 where there is none: the unit is then the whole run of
// letters.
func timeUnitAt(s string, i int) int {
	j := i
	for j < len(s) && isASCIILetter(s[j]) {
		j++
	}
	if j == i || j == len(s) || !isRegexSpace(s[j]) || !isTimeUnit(s[i:j]) {
		return 0
	}
	return j - i
}

// afterWordAt is the end of (later|after(?:wards)?|post[\pL-]*)\b at i,
// or 0.
func afterWordAt(s string, i int) int {
	for _, w := range []string{"later", "afterwards", "after"} {
		if hasPrefixFold(s[i:], w) && reBoundary(s, i+len(w)) {
			return i + len(w)
		}
	}
	if !hasPrefixFold(s[i:], "post") {
		return 0
	}
	j := i + 4
	for j < len(s) && (isASCIILetter(s[j]) || s[j] == '-') {
		j++
	}
	for ; j >= i+4; j-- { // [\pL-]* gives back until \b holds
		if reBoundary(s, j) {
			return j
		}
	}
	return 0
}

// onDayAt reads day\s+(\d+)\b at i: the match's end and the number's
// start, or 0.
func onDayAt(s string, i int) (end, digits int) {
	if !hasPrefixFold(s[i:], "day") {
		return 0, 0
	}
	k := skipRegexSpace(s, i+3)
	e := skipDigits(s, k)
	if k == i+3 || e == k || !reBoundary(s, e) {
		return 0, 0
	}
	return e, k
}

// containsFoldASCII reports whether s holds w, a lower-case ASCII word
// that starts with a letter, with ASCII letters in either case. A (?i)
// regex whose every match holds w cannot match where it is false if w has
// no k or s: no other ASCII letter is the fold of a non-ASCII rune.
func containsFoldASCII(s, w string) bool {
	up := w[0] - 'a' + 'A'
	for len(s) >= len(w) {
		i := strings.IndexByte(s, w[0])
		if j := strings.IndexByte(s, up); j >= 0 && (i < 0 || j < i) {
			i = j
		}
		if i < 0 || len(s)-i < len(w) {
			return false
		}
		if equalFoldASCII(s[i:i+len(w)], w) {
			return true
		}
		s = s[i+1:]
	}
	return false
}

// ofNearEnd is false where cyclesRe cannot match: its match ends with "of"
// and at most two words, each after white space, then white space ("4
// cycles of adjuvant chemotherapy "); o and f are no fold of another rune.
func ofNearEnd(s string) bool {
	end := len(s)
	for tokens := 0; tokens < 3; tokens++ {
		e := end
		for e > 0 && isRegexSpace(s[e-1]) {
			e--
		}
		if e == end {
			return false
		}
		b := e
		for b > 0 && !isRegexSpace(s[b-1]) {
			b--
		}
		if e-b == 2 && equalFoldASCII(s[b:e], "of") {
			return true
		}
		end = b
	}
	return false
}

// countUnits are countRe's units, optional plurals written out.
var countUnits = []string{"bag", "bags", "unit", "units", "pack", "packs", "pint", "pints", "u", "dose", "doses",
	"session", "sessions", "cycle", "cycles", "course", "courses"}

// numberWords are the words countRe and cyclesRe read as numbers.
var numberWords = []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}

// countBefore is countRe.FindStringSubmatchIndex(s): "2 units of ",
// "three sessions of the ". Every part is a whole token between white
// space but the number, the tail of its token after a non-word byte, so
// at most one reading ends at the end and it is read from there.
func countBefore(s string) []int {
	if hasFoldRune(s) {
		return countRe.FindStringSubmatchIndex(s)
	}
	b, e, ok := tokenBefore(s, len(s))
	if !ok {
		return nil
	}
	if equalFoldASCII(s[b:e], "the") {
		if b, e, ok = tokenBefore(s, b); !ok {
			return nil
		}
	}
	if !equalFoldASCII(s[b:e], "of") {
		return nil
	}
	return numberUnitBefore(s, b, countUnits)
}

// numberUnitBefore reads "NUMBER UNIT" ending where the "of" at of starts:
// the match (from the number to the end of s), the number and the unit.
func numberUnitBefore(s string, of int, units []string) []int {
	ub, ue, ok := tokenBefore(s, of)
	if !ok || !oneOfFold(s[ub:ue], units) {
		return nil
	}
	nb, ne, ok := tokenBefore(s, ub)
	if !ok {
		return nil
	}
	start := numberTail(s, nb, ne)
	if start < 0 {
		return nil
	}
	return []int{start, len(s), start, ne, ub, ue}
}

// tokenBefore finds the token (a run of non-\s bytes) that ends where a
// run of \s ends at end: ok is false where end has no \s before it or the
// white space runs to the start.
func tokenBefore(s string, end int) (b, e int, ok bool) {
	e = end
	for e > 0 && isRegexSpace(s[e-1]) {
		e--
	}
	if e == end || e == 0 {
		return 0, 0, false
	}
	b = e
	for b > 0 && !isRegexSpace(s[b-1]) {
		b--
	}
	return b, e, true
}

func oneOfFold(w string, words []string) bool {
	for _, x := range words {
		if equalFoldASCII(w, x) {
			return true
		}
	}
	return false
}

// numberTail is where (\d+|one|...|ten) ending at e starts, after \b and
// within the token s[b:e], or -1.
func numberTail(s string, b, e int) int {
	d := e
	for d > b && isDigit(s[d-1]) {
		d--
	}
	if d < e {
		if d > 0 && isReWordByte(s[d-1]) {
			return -1
		}
		return d
	}
	for _, w := range numberWords {
		if st := e - len(w); st >= b && equalFoldASCII(s[st:e], w) && !(st > 0 && isReWordByte(s[st-1])) {
			return st
		}
	}
	return -1
}

// mayEndWithGrade is false where gradeBeforeRe cannot match: its match
// starts with "grade" at the end of one of the last six tokens between
// white space (grade, up to three of "III - IV", up to two words), and g,
// r, a, d, e are no fold of a non-ASCII rune.
func mayEndWithGrade(s string) bool {
	end := len(s)
	for tokens := 0; tokens < 6; tokens++ {
		b, e, ok := tokenBefore(s, end)
		if !ok {
			return false
		}
		if e-b >= 5 && equalFoldASCII(s[e-5:e], "grade") {
			return true
		}
		end = b
	}
	return false
}

// dropFreqs is freqRe.ReplaceAllString(s, " "): each frequency ("daily",
// "q8h") becomes a space.
func dropFreqs(s string) string {
	if hasFoldRune(s) {
		return freqRe.ReplaceAllString(s, " ")
	}
	var b strings.Builder
	last, found := 0, false
	for p := 0; p < len(s); p++ {
		if !reBoundary(s, p) {
			continue
		}
		if end := freqAt(s, p); end >= 0 {
			b.WriteString(s[last:p])
			b.WriteByte(' ')
			last, found = end, true
			p = end - 1 // the next match may start where this one ends
		}
	}
	if !found {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// doseContinuesWords are doseContinues' words, by first byte.
var doseContinuesWords = newFoldWords("to", "and", "then", "or", "followed by", "increased", "decreased", "reduced",
	"tapered", "titrated", "escalated", "up", "down", "a", "maintenance", "dose", "of", "for", "eventually", "finally",
	"later", "subsequently", "several", "few", "many", "days", "weeks", "months", "years")

// continuesUnits are the units of doseContinues' "4 months".
var continuesUnits = []string{"days", "day", "weeks", "week", "months", "month", "years", "year", "hours", "hour", "d", "h"}

// isDoseContinuation is doseContinues.MatchString(s): s is nothing but
// separators (white space , ;), whole words of doseContinuesWords and
// durations ("for 1 month, "), read like isDoseGap.
func isDoseContinuation(s string) bool {
	const most = 128
	if len(s) > most || hasFoldRune(s) {
		return doseContinues.MatchString(s)
	}
	var reach [most + 1]bool
	reach[0] = true
	for i := 0; i < len(s); i++ {
		if !reach[i] {
			continue
		}
		c := s[i]
		if isRegexSpace(c) || c == ',' || c == ';' {
			reach[i+1] = true
			continue
		}
		if !reBoundary(s, i) {
			continue
		}
		for _, w := range doseContinuesWords.byFirst[c] {
			if hasPrefixFold(s[i:], w) && reBoundary(s, i+len(w)) {
				reach[i+len(w)] = true
			}
		}
		if n := readDecimal(s, i); n > i {
			k := skipRegexSpace(s, n)
			for _, u := range continuesUnits {
				if hasPrefixFold(s[k:], u) && reBoundary(s, k+len(u)) {
					reach[k+len(u)] = true
				}
			}
		}
	}
	return reach[len(s)]
}

// cyclesUnits are cyclesRe's units, optional plurals written out.
var cyclesUnits = []string{"cycles", "cycle", "courses", "course", "doses", "dose", "infusions", "infusion",
	"injections", "injection"}

// cyclesBefore is cyclesRe.FindStringSubmatchIndex(s): "4 cycles of
// adjuvant chemotherapy ", "two doses of ". As in countBefore every part
// but the number is a whole token; the up to two words after "of" ([\pL-]+)
// are read rune by rune. One count of words at most fits, so the readings
// are tried in any order.
func cyclesBefore(s string) []int {
	if hasFoldRune(s) {
		return cyclesRe.FindStringSubmatchIndex(s)
	}
	end := len(s)
	for words := 0; words <= 2; words++ {
		if m := cyclesFrom(s, end); m != nil {
			return m
		}
		b, e, ok := tokenBefore(s, end)
		if !ok || !isLetterHyphenRun(s[b:e]) {
			return nil
		}
		end = b
	}
	return nil
}

// cyclesFrom reads NUMBER UNIT of, white space after each, ending at end.
func cyclesFrom(s string, end int) []int {
	b, e, ok := tokenBefore(s, end)
	if !ok || !equalFoldASCII(s[b:e], "of") {
		return nil
	}
	return numberUnitBefore(s, b, cyclesUnits)
}

// isLetterHyphenRun is [\pL-]+ on all of w.
func isLetterHyphenRun(w string) bool {
	for _, r := range w {
		if r != '-' && !unicode.IsLetter(r) {
			return false
		}
	}
	return w != ""
}

// removalEnd is where removalRe's match ends in s, -1 where it does not
// match: ", device was then removed", " had been explanted".
func removalEnd(s string) int {
	if hasFoldRune(s) {
		if r := removalRe.FindStringSubmatchIndex(s); r != nil {
			return r[1]
		}
		return -1
	}
	i := 0
	for i < len(s) && (isRegexSpace(s[i]) || s[i] == ',') {
		i++
	}
	for _, noun := range []string{"device", "pump", "catheter"} {
		if j := i + len(noun); hasPrefixFold(s[i:], noun) && skipRegexSpace(s, j) > j {
			if end := removalVerbAt(s, skipRegexSpace(s, j)); end >= 0 {
				return end
			}
			break
		}
	}
	return removalVerbAt(s, i)
}

// removalVerbAt reads (was|...|is)\s+(then\s+|...)?(removed|...)\b at i.
func removalVerbAt(s string, i int) int {
	for _, v := range []string{"was", "were", "had been", "has been", "could be", "is"} {
		j := i + len(v)
		if !hasPrefixFold(s[i:], v) || skipRegexSpace(s, j) == j {
			continue
		}
		k := skipRegexSpace(s, j)
		for _, adv := range []string{"then", "successfully", "finally", "eventually"} {
			if a := k + len(adv); hasPrefixFold(s[k:], adv) && skipRegexSpace(s, a) > a {
				if end := removalWordAt(s, skipRegexSpace(s, a)); end >= 0 {
					return end
				}
				break
			}
		}
		if end := removalWordAt(s, k); end >= 0 {
			return end
		}
	}
	return -1
}

func removalWordAt(s string, i int) int {
	for _, w := range []string{"removed", "explanted", "withdrawn", "retrieved", "decannulated"} {
		if hasPrefixFold(s[i:], w) && !(i+len(w) < len(s) && isReWordByte(s[i+len(w)])) {
			return i + len(w)
		}
	}
	return -1
}
