package extract

import (
	"slices"
	"sort"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// docFrameTexts are corpus reports and made-up texts for the per-document
// frame (offsets, code points, sentence text): multi-byte characters at
// every place a 64-byte block or an 8-byte word can cut, invalid UTF-8,
// and odd spaces.
func docFrameTexts(t testing.TB) []string {
	madeUp := []string{
		"",
		"plain ASCII only",
		"é",
		"Temp 38.5 °C, SpO₂ 92 %, Hb 9 g/dl — then 𝛼-blocker\u00a0given",
		strings.Repeat("abcdefg", 9) + "µg" + strings.Repeat("x", 63) + "°" + strings.Repeat("yz", 40) + "€",
		strings.Repeat("é", 100),
		"bad \xff byte and a cut \xe2\x82 rune, then µ",
		"line\r\nend\tand\u2009thin\u3000wide\u0085next",
	}
	return withSharedReports(t, madeUp, 500, 50)
}

// runeIndex gives the code points utf8.RuneCountInString gives, at every
// character boundary of valid text, and refuses the offsets it cannot count.
func TestRuneIndexCountsLikeRuneCount(t *testing.T) {
	checked := 0
	for _, text := range docFrameTexts(t) {
		x := newRuneIndex(text)
		for o := 0; o <= len(text); o++ {
			boundary := o == len(text) || utf8.RuneStart(text[o])
			if got, want := x.ok(o), utf8.ValidString(text) && boundary; got != want {
				t.Fatalf("ok(%d) = %v, want %v in %q", o, got, want, text)
			}
			if !x.ok(o) {
				continue
			}
			checked++
			if got, want := x.at(o), utf8.RuneCountInString(text[:o]); got != want {
				t.Fatalf("at(%d) = %d, want %d in %q", o, got, want, text)
			}
		}
	}
	if checked < 300 {
		t.Fatalf("only %d offsets checked", checked)
	}
}

// codePointsOf takes the table only where it agrees with codePoints, the
// sweep it replaced, and otherwise is that sweep.
func TestCodePointsOfMatchesTheSweep(t *testing.T) {
	fallbacks := 0
	for _, text := range docFrameTexts(t) {
		var offs []int
		for o := 0; o <= len(text); o += 1 + o%7 {
			offs = append(offs, o)
		}
		offs = append(offs, len(text), 0) // unsorted and repeated, as build's are
		want := codePoints(text, offs)
		cp := codePointsOf(text, offs)
		if cp.slow != nil {
			fallbacks++
		}
		for _, o := range offs {
			if got := cp.at(o); got != want[o] {
				t.Fatalf("at(%d) = %d, the sweep says %d in %q", o, got, want[o], text)
			}
		}
	}
	if fallbacks == 0 {
		t.Fatal("no text took the fallback: the made-up invalid or cut texts are gone")
	}
}

func TestCollapseSpaceIsFieldsJoined(t *testing.T) {
	cases := []string{"", " ", "  ", "a", " a ", "a  b", "\ta\n\nb\r", "a\u00a0b", "a\u0085b", "\u2009", "é\u3000 é",
		"a \xff b", "\xe2\x82 \xe2", "x\u200by", "a\u2028b\u2029c", "end "}
	for _, text := range docFrameTexts(t) {
		for i := 0; i < len(text); i += 97 {
			cases = append(cases, text[i:min(len(text), i+211)])
		}
	}
	for _, s := range cases {
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Fatalf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	}
}

// spanBySearch is OffsetMap.Span as it was written with sort.Search.
func spanBySearch(m *OffsetMap, start, end int) (int, int) {
	var startOf, endOf func(m *OffsetMap, n int) int
	startOf = func(m *OffsetMap, n int) int {
		o := n
		if runs := m.runs; len(runs) > 0 {
			i := sort.Search(len(runs), func(i int) bool { return runs[i].norm+runs[i].normLen > n })
			for i < len(runs) && runs[i].normLen == 0 {
				i++
			}
			switch {
			case i >= len(runs):
				last := runs[len(runs)-1]
				o = last.orig + last.origLen + (n - (last.norm + last.normLen))
			case n < runs[i].norm || !runs[i].copied:
				o = runs[i].orig
			default:
				o = runs[i].orig + (n - runs[i].norm)
			}
		}
		if m.inner != nil {
			return startOf(m.inner, o)
		}
		return o
	}
	endOf = func(m *OffsetMap, n int) int {
		o := n
		if runs := m.runs; len(runs) > 0 {
			i := sort.Search(len(runs), func(i int) bool { return runs[i].norm >= n }) - 1
			for i >= 0 && runs[i].normLen == 0 {
				i--
			}
			switch {
			case i < 0:
				o = runs[0].orig
			case n >= runs[i].norm+runs[i].normLen || !runs[i].copied:
				o = runs[i].orig + runs[i].origLen
			default:
				o = runs[i].orig + (n - runs[i].norm)
			}
		}
		if m.inner != nil {
			return endOf(m.inner, o)
		}
		return o
	}
	s, e := startOf(m, start), endOf(m, end)
	if e < s {
		e = endOf(m, start+1)
		if e < s {
			e = s
		}
	}
	return s, e
}

func TestSpanMatchesSortSearch(t *testing.T) {
	texts := append(docFrameTexts(t),
		"Figure 1: a caption\nthat interrupts\n\nthe text of a sentence.\n12\nHb 7,5 g/dl.1 and \u00b5g\u03bc\u00a0x",
		"Ke\u0301vin cafe\u0301 and NFC\u0327 at\nthe end")
	pairs := 0
	for _, text := range texts {
		n := Normalize(text, testLines)
		step := 1 + len(n.Text)/400
		for i := 0; i <= len(n.Text)+2; i += step {
			for _, j := range []int{i, i + 1, i + 7, i + 60} {
				gs, ge := n.Map.Span(i, j)
				ws, we := spanBySearch(n.Map, i, j)
				if gs != ws || ge != we {
					t.Fatalf("Span(%d, %d) = %d, %d; sort.Search gives %d, %d in %q", i, j, gs, ge, ws, we, text)
				}
				pairs++
			}
		}
	}
	t.Logf("%d spans", pairs)
}

func TestCaseSectionAtTakesTheLastStarted(t *testing.T) {
	L := &Layout{
		Cases:    []Case{{Index: 1, Start: 0}, {Index: 2, Start: 50}},
		Sections: []Section{{Name: "body", Start: 0}, {Name: "history", Start: 10}, {Name: "empty", Start: 50}, {Name: "course", Start: 50}, {Name: "end", Start: 90}},
	}
	for _, tc := range []struct {
		p       int
		c       int
		section string
	}{{0, 1, "body"}, {9, 1, "body"}, {10, 1, "history"}, {49, 1, "history"}, {50, 2, "course"}, {89, 2, "course"}, {90, 2, "end"}, {1000, 2, "end"}} {
		if c, s := L.caseSectionAt(tc.p); c != tc.c || s != tc.section {
			t.Errorf("caseSectionAt(%d) = %d, %q; want %d, %q", tc.p, c, s, tc.c, tc.section)
		}
	}
}

// sortCandidates orders as sort.SliceStable did with build's comparison,
// by insertion up to 64 candidates and by the general sort beyond.
func TestSortCandidatesIsTheStableOrder(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 26, 64, 65, 300} {
		testSortCandidates(t, n)
	}
}

// Beyond 64 candidates the insertion sort runs too when they come nearly
// in order (and gives up to the general sort when they do not): lists in
// order, with ties, with a few swapped, reversed.
func TestSortCandidatesNearlyInOrder(t *testing.T) {
	for _, n := range []int{63, 65, 300, 1000} {
		var cands []candidate
		for i := range n {
			cands = append(cands, candidate{start: i / 3 * 10, vstart: i % 3 / 2, concept: []string{"hr", "bp", "hr", ""}[i%4],
				rule: []string{"r1", "", "r0"}[i%3], order: i})
		}
		checkSortCandidates(t, cands)
		for k := 5; k+7 < n; k += 40 {
			cands[k].start, cands[k+7].start = cands[k+7].start, cands[k].start
		}
		checkSortCandidates(t, cands)
		slices.Reverse(cands)
		for i := range cands {
			cands[i].order = i
		}
		checkSortCandidates(t, cands)
	}
}

func testSortCandidates(t *testing.T, n int) {
	var cands []candidate
	for i := range n {
		cands = append(cands, candidate{start: i * 7 % 13, vstart: i * 5 % 3, concept: []string{"hr", "bp", "hr", ""}[i%4],
			rule: []string{"r1", "", "r0"}[i%3], order: i})
	}
	checkSortCandidates(t, cands)
}

func checkSortCandidates(t *testing.T, cands []candidate) {
	t.Helper()
	n := len(cands)
	want := append([]candidate(nil), cands...)
	sort.SliceStable(want, func(i, j int) bool {
		a, b := want[i], want[j]
		if a.start != b.start {
			return a.start < b.start
		}
		if a.vstart != b.vstart {
			return a.vstart < b.vstart
		}
		if a.concept != b.concept {
			return a.concept < b.concept
		}
		return a.rule < b.rule
	})
	got := sortCandidates(new(buildScratch), cands)
	for k, i := range got {
		if cands[i].order != want[k].order {
			t.Fatalf("%d candidates: position %d holds candidate %d, sort.SliceStable put %d there", n, k, cands[i].order, want[k].order)
		}
	}
}

// spaceFolded says yes exactly to the ASCII strings strings.Fields and a
// join give back unchanged, wherever an eight-byte step cuts them.
func TestSpaceFoldedIsFieldsUnchanged(t *testing.T) {
	var cases []string
	base := "abcdefghijklmnopqrstuvwxyz0123456789"
	for i := 0; i <= 24; i++ {
		for _, odd := range []string{" ", "  ", "\t", "\n", "\x01", "\x1f", "é", "\u00a0", "\x7f", " \x01", "\x01 "} {
			cases = append(cases, base[:i]+odd+base[i:], base[:i]+" "+odd+base[i:])
		}
		cases = append(cases, base[:i], " "+base[:i], base[:i]+" ")
	}
	for _, text := range docFrameTexts(t) {
		for i := 0; i < len(text); i += 89 {
			for _, n := range []int{7, 8, 9, 31, 200} {
				cases = append(cases, text[i:min(len(text), i+n)])
			}
		}
	}
	folded := 0
	for _, s := range cases {
		want := isASCII(s) && strings.Join(strings.Fields(s), " ") == s
		if got := spaceFolded(s); got != want {
			t.Fatalf("spaceFolded(%q) = %v, want %v", s, got, want)
		}
		if want {
			folded++
		}
	}
	if folded < 100 || folded == len(cases) {
		t.Fatalf("%d of %d cases folded: the cases do not test both answers", folded, len(cases))
	}
}

// BenchmarkSentenceText is what build does per sentence holding a finding
// and per offset, on every sentence of 1,000 e3c-bulk reports: map the
// sentence back, fold its spaces, and turn both ends into code points.
func BenchmarkSentenceText(b *testing.B) {
	reports := sharedReports(b, bulkReports, 1000)
	if len(reports) == 0 {
		b.Skip("shared corpus not present")
	}
	seg, err := NewSegmenter(SegmentConfig{Abbreviations: punktAbbrevs})
	if err != nil {
		b.Fatal(err)
	}
	type doc struct {
		text  string
		n     *Normalized
		spans []Sentence
	}
	var docs []doc
	size := 0
	for _, text := range reports {
		n := Normalize(text, seg.Lines())
		docs = append(docs, doc{text, n, seg.Segment(n).Sentences})
		size += len(text)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	var offs []int
	for range b.N {
		for _, d := range docs {
			offs = offs[:0]
			for _, s := range d.spans {
				ss, se := d.n.Map.Span(s.Start, s.End)
				collapseSpace(d.text[ss:se])
				offs = append(offs, ss, se)
			}
			cp := codePointsOf(d.text, offs)
			for _, o := range offs {
				cp.at(o)
			}
		}
	}
}

func TestSentenceAtFindsTheHolder(t *testing.T) {
	seg, err := NewSegmenter(SegmentConfig{Abbreviations: punktAbbrevs})
	if err != nil {
		t.Fatal(err)
	}
	inside := 0
	texts := docFrameTexts(t)
	for _, text := range texts[:min(60, len(texts))] {
		n := Normalize(text, seg.Lines())
		L := seg.Segment(n)
		for p := -1; p <= len(n.Text)+1; p++ {
			want := -1
			for i, s := range L.Sentences {
				if s.Start <= p && p < s.End {
					want = i
					break
				}
			}
			if got := L.SentenceAt(p); got != want {
				t.Fatalf("SentenceAt(%d) = %d, want %d in %q", p, got, want, n.Text)
			}
			if want >= 0 {
				inside++
			}
		}
	}
	if inside < 200 {
		t.Fatalf("only %d offsets inside sentences", inside)
	}
}

// cleanRange passes over the bytes it has no case for; looking at every
// byte must give the same text and the same offset runs.
func TestCleanRangeSkipsNothingItNeeds(t *testing.T) {
	unitAt := func(s string) bool { return strings.HasPrefix(s, "mg") || strings.HasPrefix(s, "days") }
	texts := append(docFrameTexts(t),
		"48,9% and 1,547 and 1,2,3 and S1,2 and 7·5 and x\t\r\v\fy and phase.2 mg and output,1 and shock,1,3 which and shock;1 and rate)2 then and 50%)1 because and L.2 days",
		"µg μg \u00a0 \u200b \u2013 \u2019 \u201c \u2215 \u00ba ;3 )4 .5",
		"an\x01odd\x1fcontrol byte, then a list 1,2 and more text past eight bytes: Hb 7,5 g/dl")
	// every alignment of the marked bytes against the eight-byte steps
	for k := 0; k < 9; k++ {
		for _, c := range []string{",5", ".5", ")5", ";5", "\t", "\r", "\v", "\f", "é", "7,5",
			// bytes the punctuation test flags too, alone and just before a real case
			"(5", "*5", "+5", "-5", "/5", "85", "95", ":5", "<5", "=5", ">5", "?5", "1998,5", "-5.5", "(1)2", "9\t", "8é"} {
			texts = append(texts, "word"+strings.Repeat("x", k)+c+strings.Repeat("y", 9)+c+"zz 12,5 mg")
		}
	}
	// punctuation that only a digit past the range's end follows, at every
	// alignment: the digit is not the range's to read
	for k := 0; k < 17; k++ {
		for _, c := range []string{",", ".", ")", ";"} {
			texts = append(texts, strings.Repeat("x", k)+"7"+c+"5")
		}
	}
	changed := 0
	for n, text := range texts {
		to := len(text)
		if n%2 == 1 && to > 0 {
			to-- // a range ending before the text does
		}
		fast, slow := newMapBuilder(text), newMapBuilder(text)
		cleanRange(fast, text, 0, to, unitAt)
		cleanRangeSkipping(slow, text, 0, to, unitAt, false)
		if string(fast.out) != string(slow.out) {
			t.Fatalf("cleanRange(%q) = %q, looking at every byte gives %q", text, string(fast.out), string(slow.out))
		}
		if len(fast.runs) != len(slow.runs) {
			t.Fatalf("cleanRange(%q): %d runs, looking at every byte gives %d", text, len(fast.runs), len(slow.runs))
		}
		for i := range fast.runs {
			if fast.runs[i] != slow.runs[i] {
				t.Fatalf("cleanRange(%q): run %d is %+v, looking at every byte gives %+v", text, i, fast.runs[i], slow.runs[i])
			}
		}
		if string(fast.out) != text[:to] {
			changed++
		}
	}
	if changed < 2 {
		t.Fatalf("only %d texts changed by cleaning: the test checks nothing", changed)
	}
}

func TestIsNFCIsIsNormalString(t *testing.T) {
	cases := []string{"", "a", "e\u0301", "\u0301", "abc\u0301 x", "abc\u0301", "é", "A\u030a", "Å", "ﬀ", "\u1100\u1161", "x \u1100\u1161",
		"Ke\u0301vin", "\xff\u0301", "ab\xe2\x82", "a\u0323\u0307", "a\u0307\u0323", strings.Repeat("x", 40) + "o\u0308"}
	texts := docFrameTexts(t)
	cases = append(cases, texts...)
	for _, text := range texts {
		// a decomposed copy, so both answers are tested on real text
		cases = append(cases, norm.NFD.String(text))
	}
	normal := 0
	for _, s := range cases {
		want := norm.NFC.IsNormalString(s)
		if got := isNFC(s); got != want {
			t.Fatalf("isNFC(%q) = %v, IsNormalString says %v", s, got, want)
		}
		if want {
			normal++
		}
	}
	if normal == 0 || normal == len(cases) {
		t.Fatalf("%d of %d cases normal: both answers are not tested", normal, len(cases))
	}
}

// spaceFoldedRunes says yes exactly to the strings strings.Fields and a
// join give back, non-ASCII, invalid and cut ones included.
func TestSpaceFoldedRunesIsFieldsJoined(t *testing.T) {
	cases := []string{"", " ", "  ", "a", " a", "a ", "a b", "a  b", "a\tb", "é b", "é  b", "é\u00a0b", "é\u3000",
		"\u2009é", "a \xff b", "\xff", "\xe2\x82 \xe2", "x\u200by", "a\u2028b", "µg/dl", " µ", "µ ", "a\u0085b"}
	for _, text := range docFrameTexts(t) {
		for i := 0; i < len(text); i += 97 {
			cases = append(cases, text[i:min(len(text), i+211)])
		}
	}
	var answers [2][2]int // [non-ASCII][folded]
	for _, s := range cases {
		want := strings.Join(strings.Fields(s), " ") == s
		if got := spaceFoldedRunes(s); got != want {
			t.Fatalf("spaceFoldedRunes(%q) = %v, want %v", s, got, want)
		}
		answers[b2i(!isASCII(s))][b2i(want)]++
	}
	for _, row := range answers {
		if row[0] == 0 || row[1] == 0 {
			t.Fatalf("answers %v: the cases do not test both answers on ASCII and other texts", answers)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
