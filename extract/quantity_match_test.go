package extract

import (
	"math"
	"math/rand"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// The regexps the hand matchers replaced: each test below holds the
// matcher to its regexp.
var (
	opBefore = regexp.MustCompile(`(?i)(<=|>=|≤|≥|<|>|~|≈|±|\bless than|\bgreater than|\bmore than|\bhigher than|\blower than|\bup to|\bover|\babove|\bbelow|\bunder|\bat least|\bat most|\bapproximately|\babout|\baround|\bnearly|\bbetween)\s*$`)
	rangeSep = regexp.MustCompile(`(?i)^\s*(?:-|to|and)\s*`)

	referenceCue = regexp.MustCompile(`(?i)(?:\bnormal|\breference|\bref\.?|\bnl|\bULN|\bupper limit(?: of normal)?|\blower limit(?: of normal)?|\bcut-?off|\bnormal values?)(?:\s+(?:range|ranges|value|values|limits?|levels?|interval|is|was|being|for age))*\s*[:,=]?\s*(?:range\s*)?$`)
)

// matcherTexts are corpus reports and texts made to trip a careless
// matcher: runes that fold to ASCII letters (ſ, K), words cut by a
// window or glued to a letter, digit or underscore, every kind of white
// space, upper case, symbols.
func matcherTexts(t *testing.T) []string {
	texts := []string{
		"less than 5, LESS THAN 5, Less Than\n 5, moreover 5, over 5, ≤5, ≥ 5, ≈5, ±5, ~5, <=5, >=5, at leaſt 5, AT MOST 5, between 2 and 3",
		"leſſ than 5, leſs than 7, at moſt 3, at leaſt\t4, x-over 4, _over 4, 9over 4, éover 4, ſover 4, up  to 4, up to\v4, < =4, ≥=4, ~~4",
		"approximately 4, roughly 4, nearly 4, up to 4, uP tO 4, under4, 3-4, abov 4, aBoVe 4, «above» 4, Between\f4, betweenn 4, \u212aover 5",
		"normal range 3-5, ULN 40, (reference 20-50), ref. 1-2, cut-off 0.5, Normal values: 4-6, upper limit of normal 40, nl: 3",
		"normal range, 12-16; (normal <50; [reference: 4-10; Reference Values For Age = 3; NORMAL VALUES IS 5; normalrange 5; normal:range\t5",
		"abnormal 5; xref 5; _nl 5; 9ULN 5; cutoff5; cut-off: 5; cut off 5; upper limit of normal 5; lower limit 5; upper  limit 5; ref. 5; ref.. 5",
		"normal valueſ 5; normal rangeſ 5; reference ranges was being 5; normal levels, 5; normal for  age 5; normal\vrange 5; ULN range range 5; é-normal 5",
		"5 to 6, 5 TO 6, 5 tO6, 5 and 6, 5 AND 6, 5 - 6, 5-6, 5 \t-\n 6, 5 tomorrow, 5 andes, 5 \v- 6, 5 – 6, 5\u00a0to 6",
	}
	return withSharedReports(t, texts, 800, 80)
}

// enough is the fewest matches that make a comparison prove something,
// scaled as the texts are under the race detector.
func enough(n int) int {
	if raceDetector {
		return n / 10
	}
	return n
}

// randomWindows makes n strings of up to 8 pieces of alphabet (a tenth
// as many under the race detector, which checks concurrency, not results).
func randomWindows(seed int64, n int, alphabet []string) []string {
	if raceDetector {
		n /= 10
	}
	rng := rand.New(rand.NewSource(seed))
	out := make([]string, 0, n)
	for ; n > 0; n-- {
		var b strings.Builder
		for k := rng.Intn(8); k >= 0; k-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		out = append(out, b.String())
	}
	return out
}

func TestOpBeforeMatchesRegexp(t *testing.T) {
	var windows []string
	for _, text := range matcherTexts(t) {
		for i := 0; i <= len(text); i++ {
			if i == len(text) || isDigit(text[i]) || i%29 == 0 {
				windows = append(windows, text[max(0, i-24):i])
			}
		}
	}
	windows = append(windows, randomWindows(1, 20000, []string{"less", " than", "than", "up", " to", "at", " least", " most",
		"over", "about", "between", "ſ", "\u212a", "S", "X", "x", "_", "9", " ", "\t", "\v", "\n", "<", "=", "≤", "±", "≈", "é", "\xe2", "\x89"})...)
	matches := 0
	for _, w := range windows {
		m := opBefore.FindStringSubmatchIndex(w)
		st, end, op, ok := opBeforeAt(w)
		if ok != (m != nil) || ok && (st != m[0] || st != m[2] || end != m[3] || m[1] != len(w)) {
			t.Fatalf("opBeforeAt(%q) = %d, %d, %q, %v; regexp %v", w, st, end, op, ok, m)
		}
		if ok {
			matches++
			if strings.ToLower(w[st:end]) != op && end-st == len(op) {
				t.Fatalf("opBeforeAt(%q): operator %q for %q", w, op, w[st:end])
			}
		}
	}
	t.Logf("%d windows, %d operators", len(windows), matches)
	if matches < enough(500) {
		t.Fatalf("only %d operators: the comparison proves nothing", matches)
	}
}

func TestRangeSepMatchesRegexp(t *testing.T) {
	var windows []string
	for _, text := range matcherTexts(t) {
		for i := 0; i < len(text); i++ {
			if i > 0 && isDigit(text[i-1]) || i%7 == 0 {
				windows = append(windows, text[i:min(len(text), i+12)])
			}
		}
	}
	windows = append(windows, randomWindows(2, 20000, []string{"t", "T", "o", "O", "a", "A", "n", "d", "D", "-", "–", " ", "\t", "\v", "\n", "\f", "\r", "5", "\u00a0"})...)
	matches := 0
	for _, w := range windows {
		want := -1
		if m := rangeSep.FindStringIndex(w); m != nil {
			want = m[1]
			matches++
		}
		if got := rangeSepLen(w); got != want {
			t.Fatalf("rangeSepLen(%q) = %d; regexp %d", w, got, want)
		}
	}
	t.Logf("%d windows, %d separators", len(windows), matches)
	if matches < enough(500) {
		t.Fatalf("only %d separators: the comparison proves nothing", matches)
	}
}

func TestReferenceCueMatchesRegexp(t *testing.T) {
	var windows []string
	for _, text := range matcherTexts(t) {
		for i := 0; i <= len(text); i++ {
			if i == len(text) || isDigit(text[i]) || i%29 == 0 {
				windows = append(windows, text[max(0, i-40):i])
			}
		}
	}
	windows = append(windows, randomWindows(3, 30000, []string{"normal", "Reference", "ref", ".", "nl", "ULN", "upper limit", " of normal",
		"cut", "-", "off", " ", "  ", "\t", "\v", "range", "s", "ſ", " value", " values", " levels", " is", " was", " for age", ":", ",", "=", "x", "_", "é"})...)
	matches := 0
	for _, w := range windows {
		want := referenceCue.MatchString(w)
		if want {
			matches++
		}
		if got := endsWithReferenceCue(w); got != want {
			t.Fatalf("endsWithReferenceCue(%q) = %v; regexp %v", w, got, want)
		}
	}
	t.Logf("%d windows, %d cues", len(windows), matches)
	if matches < enough(500) {
		t.Fatalf("only %d cues: the comparison proves nothing", matches)
	}
}

func FuzzHandMatchersMatchRegexps(f *testing.F) {
	for _, s := range []string{"less than ", "leſs than", "x-over", "normal range: ", "ref.", "5 to 6", " and", "Reference Values For Age ="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		m := opBefore.FindStringSubmatchIndex(w)
		st, end, _, ok := opBeforeAt(w)
		if ok != (m != nil) || ok && (st != m[0] || end != m[3]) {
			t.Fatalf("opBeforeAt(%q) = %d, %d, %v; regexp %v", w, st, end, ok, m)
		}
		want := -1
		if m := rangeSep.FindStringIndex(w); m != nil {
			want = m[1]
		}
		if got := rangeSepLen(w); got != want {
			t.Fatalf("rangeSepLen(%q) = %d; regexp %d", w, got, want)
		}
		if got, want := endsWithReferenceCue(w), referenceCue.MatchString(w); got != want {
			t.Fatalf("endsWithReferenceCue(%q) = %v; regexp %v", w, got, want)
		}
	})
}

// walkAllSynonyms is Match without its indexes: the first synonym of
// s's first byte that matches (in at most 64 bytes), for the tests that
// check an index only skips synonyms that cannot match.
func walkAllSynonyms(um *UnitMatcher, s string) (string, int) {
	if len(s) > 64 {
		s = s[:64]
	}
	if s == "" {
		return "", 0
	}
	for _, syn := range um.byFirst[lowerByte(s[0])] {
		if n := matchSyn(syn, s); n > 0 {
			return syn.unit.Code, n
		}
	}
	return "", 0
}

// The second-byte index only skips synonyms that cannot match: Match
// finds what a walk through all synonyms of the first byte finds.
func TestUnitIndexMatchesFullList(t *testing.T) {
	um := testScanner(t).units
	full := func(s string) (string, int) { return walkAllSynonyms(um, s) }
	var windows []string
	for _, text := range matcherTexts(t) {
		for i := 0; i < len(text); i++ {
			if i > 0 && isDigit(text[i-1]) && !isDigit(text[i]) {
				windows = append(windows, text[skipSpaces(text, i):])
			}
		}
	}
	var syns []string
	for _, l := range um.byFirst {
		for _, syn := range l {
			syns = append(syns, syn.text, strings.ToUpper(syn.text))
		}
	}
	windows = append(windows, syns...)
	windows = append(windows, randomWindows(4, 20000, append(syns[:min(len(syns), 200)], " ", "\n", "/", "m", "M", "g", "L", "x", "2", "."))...)
	matches := 0
	for _, w := range windows {
		if w == "" || w[0] == 'x' || w[0] == '*' || w[0] == '1' || strings.HasPrefix(w, "×") {
			continue // the power-of-ten units, matched before the synonyms
		}
		wantCode, wantN := full(w)
		u, code, n := um.Match(w)
		if code != wantCode || n != wantN || (u == nil) != (wantCode == "") {
			t.Fatalf("Match(%q) = %q, %d; all synonyms %q, %d", w, code, n, wantCode, wantN)
		}
		if wantCode != "" {
			matches++
		}
	}
	t.Logf("%d windows, %d units", len(windows), matches)
	if matches < enough(1000) {
		t.Fatalf("only %d units: the comparison proves nothing", matches)
	}
}

func BenchmarkQuantityScan(b *testing.B) {
	texts := sharedReports(b, bulkReports, 500)
	if texts == nil {
		b.Skip("shared corpus missing")
	}
	qs := testScanner(b)
	size := 0
	for _, text := range texts {
		size += len(text)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		for _, text := range texts {
			qs.Scan(text, nil)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(texts)), "ns/report")
}

// isLinkGapFields is isLinkGap as it was, lower-casing and splitting the
// whole gap.
func isLinkGapFields(s string) bool {
	words := 0
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune(",:=()-", r)
	}) {
		words++
		if !linkWords[w] || words > 5 {
			return false
		}
	}
	return !strings.ContainsAny(s, ";")
}

func TestLinkGapMatchesFields(t *testing.T) {
	var gaps []string
	for _, text := range matcherTexts(t) {
		for i := 0; i < len(text); i++ {
			if isDigit(text[i]) || i%31 == 0 {
				gaps = append(gaps, text[max(0, i-30):i], text[i:min(len(text), i+24)])
			}
		}
	}
	words := []string{"of", "WAS", "Level", "level:", "the", "ſerum", "\u212a", "x", " ", "  ", "\u00a0", "\n", ",", ":", "=", "(", ")", "-", ";", "é", "\xff", "İ"}
	gaps = append(gaps, randomWindows(5, 30000, words)...)
	linked := 0
	for _, g := range gaps {
		want := isLinkGapFields(g)
		if want {
			linked++
		}
		if got := isLinkGap(g); got != want {
			t.Fatalf("isLinkGap(%q) = %v, fields say %v", g, got, want)
		}
	}
	t.Logf("%d gaps, %d linked", len(gaps), linked)
	if linked < enough(1000) {
		t.Fatalf("only %d linked gaps: the comparison proves nothing", linked)
	}
}

func TestNextDigitFindsEveryDigit(t *testing.T) {
	texts := matcherTexts(t)
	rng := rand.New(rand.NewSource(6))
	for n := 0; n < 20000; n++ {
		b := make([]byte, rng.Intn(40))
		for i := range b {
			switch rng.Intn(4) {
			case 0:
				b[i] = byte(rng.Intn(256))
			case 1:
				b[i] = "/0123456789:"[rng.Intn(12)]
			default:
				b[i] = byte('0' + 0x80 + rng.Intn(12) - 1) // digits with the high bit set, and their neighbours
			}
		}
		texts = append(texts, string(b))
	}
	digits := 0
	for _, text := range texts {
		for i := 0; i <= len(text); i++ {
			want := i
			for want < len(text) && !isDigit(text[want]) {
				want++
			}
			if got := nextDigit(text, i); got != want {
				t.Fatalf("nextDigit(%q, %d) = %d, want %d", text, i, got, want)
			}
			if want == i && i < len(text) {
				digits++
			}
		}
	}
	if digits < 1000 {
		t.Fatalf("only %d digits: the test proves nothing", digits)
	}
}

// smallDecimal gives what strconv.ParseFloat gives, to the bit.
func TestSmallDecimalMatchesParseFloat(t *testing.T) {
	var numbers []string
	for _, text := range matcherTexts(t) {
		for i := 0; i < len(text); i++ {
			if isDigit(text[i]) && (i == 0 || !isDigit(text[i-1])) {
				if _, j, ok := readNumber(text, i); ok {
					numbers = append(numbers, text[i:j])
				}
			}
		}
	}
	rng := rand.New(rand.NewSource(8))
	for n := 0; n < 200000; n++ {
		var b strings.Builder
		intDigits, fracDigits := 1+rng.Intn(12), rng.Intn(10)
		for k := 0; k < intDigits; k++ {
			b.WriteByte(byte('0' + rng.Intn(10)))
			if rng.Intn(6) == 0 && k < intDigits-1 {
				b.WriteByte(',')
			}
		}
		if fracDigits > 0 {
			b.WriteByte('.')
			for k := 0; k < fracDigits; k++ {
				b.WriteByte(byte('0' + rng.Intn(10)))
			}
		}
		numbers = append(numbers, b.String())
	}
	numbers = append(numbers, "0", "0.0", "000.000", "999999999999999", "999999999999999.9", "0.000000000000001", "9007199254740993", "1,547.5", "48.9", "0.1", "0.3", "1.0000000000000002")
	fast := 0
	for _, s := range numbers {
		want, err := strconv.ParseFloat(strings.ReplaceAll(s, ",", ""), 64)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		got, ok := smallDecimal(s)
		if !ok {
			continue
		}
		fast++
		if math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("smallDecimal(%q) = %v, ParseFloat %v", s, got, want)
		}
	}
	t.Logf("%d numbers, %d read by the fast path", len(numbers), fast)
	if fast < 100000 {
		t.Fatalf("only %d numbers took the fast path: the test proves little", fast)
	}
}
