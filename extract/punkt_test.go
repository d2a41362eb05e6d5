package extract

import (
	"encoding/json"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/jdkato/prose/v3/segment"
	"gopkg.in/neurosnap/sentences.v1"
)

// punktAbbrevs is config.yaml's segment.abbreviations: both splitters get
// the same model, so the list only has to exercise the abbreviation paths.
var punktAbbrevs = []string{"pt", "pts", "approx", "fig", "figs", "i.v", "i.m", "s.c", "p.o",
	"b.i.d", "t.i.d", "q.i.d", "q.d", "e.g", "i.e", "vs", "dr", "mr", "mrs", "prof", "nos", "ref",
	"refs", "et al", "al", "ca", "cf", "wt", "ht", "st", "est", "eq", "vol", "suppl", "incl", "sat",
	"abd", "lt", "rt", "bil", "hosp"}

// punktPair holds the port and the prose splitter it replaced, on the same
// model.
type punktPair struct {
	fast  *punkt
	prose *segment.Segmenter
}

func newPunktPair(tb testing.TB) punktPair {
	tb.Helper()
	fast, err := newPunkt(punktAbbrevs)
	if err != nil {
		tb.Fatal(err)
	}
	model, err := punktModel(punktAbbrevs)
	if err != nil {
		tb.Fatal(err)
	}
	return punktPair{fast, segment.WithTraining(model)}
}

// diff returns "" when both splitters cut text at the same places, else a
// description of the first difference.
func (pp punktPair) diff(text string) string {
	var want [][2]int
	for _, s := range pp.prose.Segment(text) {
		want = append(want, [2]int{s.Start, s.End()})
	}
	sc, got := pp.fast.segment(text)
	defer pp.fast.release(sc)
	for i := 0; i < len(got) || i < len(want); i++ {
		switch {
		case i >= len(got):
			return "missing sentence " + quoteSpan(text, want[i])
		case i >= len(want):
			return "extra sentence " + quoteSpan(text, got[i])
		case got[i] != want[i]:
			return "sentence " + quoteSpan(text, got[i]) + ", prose " + quoteSpan(text, want[i])
		}
	}
	return ""
}

func quoteSpan(text string, sp [2]int) string {
	b, _ := json.Marshal(text[sp[0]:sp[1]])
	return string(b)
}

// punktEdgeCases are the texts where punkt's rules and prose's additions
// decide: abbreviations (known, hyphenated, dotted, upper-case), initials,
// numbers and ordinals, decimals, ellipses spaced or not, quotes and
// brackets after the stop, "Yahoo!", collocations and sentence starters of
// the model, non-ASCII words (whose dot the original strips by rune count),
// invalid UTF-8, odd spaces, and texts ending in a multi-byte character
// (whose last word the original never reads).
var punktEdgeCases = []string{
	"", " ", ".", "..", "...", ". . .", "a", "A.", "a.", "\n", " \n ",
	"One sentence.", "One. Two. Three.", "  Leading space. And another.  ",
	"Dr. Smith went to Washington. He arrived on Jan. 5.",
	"The pt. was admitted with approx. 2 L of blood loss. She was fine.",
	"Noradrenaline was given i.v. at 0.3 µg/kg/min. Then p.o. b.i.d. for 3 days.",
	"The lesion (Fig. 2) measured 3 cm. Figs. 3 and 4 show it.",
	"The F.B.I. investigated. Nothing came of it. The U.S.A. agreed.",
	"J. S. Bach wrote it. A. B. Smith et al. reported it. He met J. Doe.",
	"Hb was 10.2 g/dL. Na was 135. K was 4.1 mmol/L. On day 3. Day 4 was fine.",
	"It was the 3rd. The 21st. century. Doses of 1,000. 2,5. -3.5. .5 mg.",
	"An ellipsis... and then more. Really... Yes. Wait.. no. . . And then.",
	"Dots... Then. dots . . . then. A.. B... C.... D. . . E.",
	"She said “hello there.” Then she left. He said \"stop.\" and went.",
	"It (was stated.) Then. It [was.] Then. He asked 'why?' and left.",
	"Why? Because! Really?! Yes!\" No?\" Maybe?' Sure!' Ok?) Ok!) x?( y![ z.[ w.(",
	"Yahoo! is a company. So is Google. Yahoo!) and Yahoo!\" too.",
	"Mr. and Mrs. Jones vs. the state. Prof. X. Ref. 12. Cf. above. St. Mary's.",
	"A well-known e.g. case. A non-i.v. route. The x-ray. was clear. Post-op. day 2.",
	"Unicode: naïve café résumé. Ünïcödé wörds! Ça va. Éric. Über. Übung. ÉTÉ.",
	"Emoji 🎉 sentence. Another 😀 one. Ends in ü",
	"Temperature 38.5 °C. Pulse 110/min. Ends here.ü",
	"x.ü", "a?ü", "x.(ü", "ü.", "Ü. Über.", "üü. Aa.",
	"Given é-pt. daily. Then ü-approx. two. The µ-fig. shows. Ça-al. is.",
	"Multi\nline\ntext. With a break.\n\nNew paragraph here.\n",
	"Tab\tseparated. Words\v and\f feeds.\r\nCRLF line. End.",
	"No\u00a0break space. Thin\u2009space. Ideographic\u3000space. Next\u0085line. End.",
	"Invalid \xff byte. Another\xfe. \xc3 broken. End\xff",
	"Repeated. Repeated. Repeated.",
	"i.e. the same. e.g. another. q.d. dosing. Mt. Sinai. No. 5 was. Gov. Sgt. Pepper.",
	"Inc. Co. Ltd. Corp. U.S. forces. U.K. based. The U.N. said.",
	"Something , , . ,. ,, ;. :. !. ?. -. --. -1. 1-. 1.2.3. 1.2.3.4.",
	"He was No. 1. In Jan. 2020. Ltd., Co.; etc. etc.), etc.\" etc.’ etc.”",
	"(a.) (b.) 1. 2. i. ii. iii. A) b) c.",
	// Words the tokenizer enters at their stop, having read them back to
	// front: spaces and invalid bytes just before the stop.
	"a\xc2\u00a0b. Next", "x\u2028y. Z", "ab\xe2\x80\xa8.c. D", "\xc2\xc2\x85x. Y.", "é\u0085é. F.",
	"\xe2\x80. A", "p\xe2\x80.q. R", "\x80\x80. S", "ü\u3000ü? T", "x\xf0\x9f\x8e. U",
	"WORD. WORD. word. Word. wORD. 'quoted.' \"Quoted.\" (Parens.)",
}

func TestPunktMatchesProseOnEdgeCases(t *testing.T) {
	pp := newPunktPair(t)
	for _, text := range punktEdgeCases {
		if d := pp.diff(text); d != "" {
			t.Errorf("%q: %s", text, d)
		}
	}
}

// TestPunktMatchesProseOnGeneratedTexts strings together the pieces the
// rules look at, in random order and spacing, so that every pair of them
// meets; the seed is fixed, so a failure repeats.
func TestPunktMatchesProseOnGeneratedTexts(t *testing.T) {
	pp := newPunktPair(t)
	pieces := []string{
		"the", "The", "patient", "Patient", "was", "He", "She", "it", "In", "A", "a", "I", "x",
		"pt.", "Pt.", "approx.", "Fig.", "fig.", "i.v.", "p.o.", "e.g.", "i.e.", "etc.", "vs.", "Dr.",
		"Mr.", "No.", "no.", "St.", "et", "al.", "U.S.", "J.", "A.", "b.", "Inc.", "Jan.", "Co.",
		"3.", "3rd.", "21.", "10.2", "1,000.", "-3.5.", ".5", "0.3", "2", "II.", "(1).",
		".", "..", "...", ". .", "?", "!", "!?", "?!", ",", ";", ":", "-", "'", "\"",
		"mg.", "cm.", "day.", "well.", "stable.", "done!", "why?", "yes!\"", "no?'", "ok.)",
		"(see", "below.)", "[1].", "“quoted.”", "‘it.’", "end.”", "word.’", "Yahoo!", "Yahoo!)",
		"café.", "Über.", "naïve.", "µg.", "°C.", "Éric", "über", "ü", "é.", "x.[", "y.(",
		"z?(", "q![", "a.\"b", "A.B.", "a.b", "a.b.c", "a..b", "a. .", "e.g.,", "i.e.;",
		"é-pt.", "ü-approx.", "µ-fig.", "Ça-al.", "x-ray.", "non-i.v.", "anti-Dr.",
	}
	seps := []string{" ", " ", " ", " ", "  ", "\n", "\n\n", "\t", " \n ", "\u00a0", "\r\n"}
	rng := rand.New(rand.NewSource(7))
	n := 20000
	if raceDetector {
		n = 2000
	}
	for range n {
		var b strings.Builder
		words := 1 + rng.Intn(14)
		if rng.Intn(8) == 0 {
			b.WriteString(seps[rng.Intn(len(seps))])
		}
		for w := range words {
			if w > 0 {
				b.WriteString(seps[rng.Intn(len(seps))])
			}
			b.WriteString(pieces[rng.Intn(len(pieces))])
			if rng.Intn(6) == 0 { // glue two pieces into one word
				b.WriteString(pieces[rng.Intn(len(pieces))])
			}
		}
		if rng.Intn(5) == 0 {
			b.WriteString(seps[rng.Intn(len(seps))])
		}
		text := b.String()
		if d := pp.diff(text); d != "" {
			t.Fatalf("%q: %s", text, d)
		}
	}
}

// TestPunktMatchesProseOnReports compares the splitters on real reports:
// 1,000 of e3c-bulk and the two dev folders, each whole, and each block the
// normalizer hands the segmenter.
func TestPunktMatchesProseOnReports(t *testing.T) {
	const shared = "../../shared/corpus"
	texts := sharedReports(t, filepath.Join(shared, "e3c-bulk/e3c-layer3-en.jsonl"), 1000)
	for _, dir := range []string{"maccrobat-dev", "e3c-dev"} {
		files, _ := filepath.Glob(filepath.Join(shared, dir, "*.txt"))
		for _, f := range files {
			if b, err := os.ReadFile(f); err == nil {
				texts = append(texts, string(b))
			}
		}
	}
	if len(texts) == 0 {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing in CI", shared)
		}
		t.Skipf("%s not present", shared)
	}
	if raceDetector && len(texts) > 150 {
		texts = texts[:150]
	}
	pp := newPunktPair(t)
	seg := testSegmenter(t)
	blocks := 0
	for ti, text := range texts {
		if d := pp.diff(text); d != "" {
			t.Fatalf("report %d: %s", ti, d)
		}
		n := Normalize(text, seg.Lines())
		for _, blk := range n.Blocks {
			blocks++
			if d := pp.diff(n.Text[blk.Start:blk.End]); d != "" {
				t.Fatalf("report %d, block at %d: %s", ti, blk.Start, d)
			}
		}
	}
	t.Logf("%d reports, %d blocks split alike", len(texts), blocks)
}

// The scratch buffers come from a pool shared by the workers: concurrent
// calls must not see each other's tokens.
func TestPunktConcurrentCallsAgree(t *testing.T) {
	pp := newPunktPair(t)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				for _, text := range punktEdgeCases {
					if d := pp.diff(text); d != "" {
						t.Errorf("%q: %s", text, d)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzPunktMatchesProse(f *testing.F) {
	for _, text := range punktEdgeCases {
		f.Add(text)
	}
	pp := newPunktPair(f)
	f.Fuzz(func(t *testing.T, text string) {
		if d := pp.diff(text); d != "" {
			t.Fatalf("%q: %s", text, d)
		}
	})
}

// endsWithAbbrev answers ASCII windows without its regexp; it must agree
// with the regexp on every kind of byte before the abbreviation.
func TestEndsWithAbbrevMatchesItsRegexp(t *testing.T) {
	// the configured list, and one with abbreviations of a single letter,
	// which any byte may come before
	for _, abbrevs := range [][]string{punktAbbrevs, append(slices.Clip(punktAbbrevs), "c", "G", "x.y")} {
		testEndsWithAbbrev(t, abbrevs)
	}
}

func testEndsWithAbbrev(t *testing.T, abbrevs []string) {
	s, err := NewSegmenter(SegmentConfig{Abbreviations: abbrevs})
	if err != nil {
		t.Fatal(err)
	}
	if s.abbrevLower == nil {
		t.Fatal("the ASCII abbreviations were not prepared for the plain comparison")
	}
	befores := []string{"", "x", "X", "xy", ".", "..", " ", "  ", "1", "(", "-", "/", "_", "'", "e.g ", "see ", "a.", "é", "K",
		"\u212a", "ſ", "ß", "°", "µ", "5 µ", "\u00a0", "\u3000", "\xff", "\xe2\x84", "\x84\xaa", "\x84", "é.", "\u0301", "日", "１"}
	afters := []string{".", "", "..", ". ", "x.", ".)"}
	checked := 0
	for _, a := range append(slices.Clip(abbrevs), "fi", "g", "v", "al.", "xpt", "i.", "t.i", "ac", "xg", "b.c") {
		for _, form := range []string{a, strings.ToUpper(a), strings.ToUpper(a[:1]) + a[1:],
			strings.ReplaceAll(a, "s", "ſ"), strings.ReplaceAll(a, "t", "\u212a"), "\u212a" + a, a + "é"} {
			for _, before := range befores {
				for _, after := range afters {
					w := before + form + after
					checked++
					if got, want := s.endsWithAbbrev(w), s.abbrevEnd.MatchString(w); got != want {
						t.Errorf("endsWithAbbrev(%q) = %v, regexp says %v", w, got, want)
					}
				}
			}
		}
	}
	t.Logf("%d windows", checked)
}

// BenchmarkPunkt splits the blocks of 1,000 e3c-bulk reports with the port
// and with the prose splitter it replaced.
func BenchmarkPunkt(b *testing.B) {
	reports := sharedReports(b, bulkReports, 1000)
	if len(reports) == 0 {
		b.Skip("shared corpus not present")
	}
	seg, err := NewSegmenter(SegmentConfig{Abbreviations: punktAbbrevs})
	if err != nil {
		b.Fatal(err)
	}
	var blocks []string
	size := 0
	for _, text := range reports {
		n := Normalize(text, seg.Lines())
		for _, blk := range n.Blocks {
			blocks = append(blocks, n.Text[blk.Start:blk.End])
			size += blk.End - blk.Start
		}
	}
	pp := newPunktPair(b)
	b.Run("port", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for range b.N {
			for _, text := range blocks {
				sc, _ := pp.fast.segment(text)
				pp.fast.release(sc)
			}
		}
	})
	b.Run("prose", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for range b.N {
			for _, text := range blocks {
				pp.prose.Segment(text)
			}
		}
	})
}

// proseHasSentEndChars is prose v3's wordTokenizer.HasSentEndChars, as its
// source has it, for comparing hasSentEndChars with.
func proseHasSentEndChars(tok string) bool {
	for _, ender := range []string{`."`, `.)`, `.’`, `.”`, `?`, `?"`, `?'`, `?)`, `?’`, `?”`, `!`, `!"`, `!'`, `!)`, `!’`, `!”`} {
		if strings.HasSuffix(tok, ender) && !strings.Contains(tok, "Yahoo!") {
			return true
		}
	}
	for _, paren := range []string{`.[`, `.(`, `."`, `?[`, `?(`, `![`, `!(`} {
		if strings.Contains(tok, paren) {
			return true
		}
	}
	return false
}

// hasSentEndChars reads the last byte before the suffixes that end in a
// curly quote: every word of the shared reports, every ending glued to a
// few words, and every short string of the bytes that matter.
func TestHasSentEndCharsMatchesProse(t *testing.T) {
	endings := []string{"", ".", "?", "!", "\"", "'", ")", "(", "[", "’", "”", "‘", "“", "Yahoo!", "x", "\x99", "\x9d", "\xe2\x80"}
	var toks []string
	for _, w := range []string{"", "a", "word", "Yahoo", "é", "\xe2\x80\x99"} {
		for _, e1 := range endings {
			for _, e2 := range endings {
				toks = append(toks, w+e1+e2)
			}
		}
	}
	for _, text := range sharedReports(t, bulkReports, 300) {
		toks = append(toks, strings.Fields(text)...)
	}
	ended := 0
	for _, tok := range toks {
		got, want := hasSentEndChars(tok), proseHasSentEndChars(tok)
		if got != want {
			t.Fatalf("hasSentEndChars(%q) = %v, prose says %v", tok, got, want)
		}
		if want && (strings.HasSuffix(tok, "’") || strings.HasSuffix(tok, "”")) {
			ended++
		}
	}
	if ended == 0 {
		t.Error("no token ended a sentence with a curly quote: the check proves little")
	}
}

// The word shapes multiPunctAnnotate tests, with hasInnerDot before the
// two it guards, against the expressions prose matched: every word of the
// shared reports and every short string of the bytes that matter.
func TestWordShapesMatchProse(t *testing.T) {
	ellipsis := regexp.MustCompile(`(?:\.\s?){2,}\.`)
	dotted := regexp.MustCompile(`((?:[\w]\.)+[\w]*\.)`)
	internal := func(tok string) bool {
		for _, punc := range []string{")", "’", "”", `"`, "'"} {
			if strings.HasSuffix(tok, punc) {
				return true
			}
		}
		return false
	}
	parts := []string{"", ".", " ", "\t", "a", "_", "é", ")", "\"", "'", "’", "”", "\x99", "\xe2\x80"}
	var toks []string
	for _, a := range parts {
		for _, b := range parts {
			for _, c := range parts {
				for _, d := range parts {
					toks = append(toks, a+b+c+d)
				}
			}
		}
	}
	for _, text := range sharedReports(t, bulkReports, 300) {
		toks = append(toks, strings.Fields(text)...)
	}
	var seen [3]int
	for _, tok := range toks {
		inner := hasInnerDot(tok)
		if got, want := inner && looksLikeEllipsis(tok), ellipsis.MatchString(tok); got != want {
			t.Fatalf("ellipsis %q: %v, prose says %v", tok, got, want)
		} else if want {
			seen[0]++
		}
		if got, want := inner && hasDottedAbbrev(tok), dotted.MatchString(tok); got != want {
			t.Fatalf("dotted abbreviation %q: %v, prose says %v", tok, got, want)
		} else if want {
			seen[1]++
		}
		if got, want := looksInternal(tok), internal(tok); got != want {
			t.Fatalf("looksInternal(%q) = %v, prose says %v", tok, got, want)
		} else if want {
			seen[2]++
		}
	}
	if seen[0] == 0 || seen[1] == 0 || seen[2] == 0 {
		t.Fatalf("some shape never met (%v): the test proves little", seen)
	}
}

// keyShapes.has answers as the set does, for every key of the model's sets,
// each cut short and lengthened, and every lower-cased word of the shared
// reports with and without its last byte.
func TestKeyShapesAnswerAsTheirSets(t *testing.T) {
	p, err := newPunkt(punktAbbrevs)
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"", ",", strings.Repeat("a", 63), strings.Repeat("a", 64), strings.Repeat("a", 100)}
	for _, set := range []sentences.SetString{p.abbrevs, p.collocations, p.starters, p.ortho} {
		for k := range set {
			keys = append(keys, k, k+"s", k+strings.Repeat("x", 70))
			if k != "" {
				keys = append(keys, k[:len(k)-1], k[1:])
			}
		}
	}
	for _, text := range sharedReports(t, bulkReports, 300) {
		for _, w := range strings.Fields(strings.ToLower(text)) {
			keys = append(keys, w, w[:len(w)-1])
		}
	}
	sets := []struct {
		name   string
		set    sentences.SetString
		shapes *keyShapes
	}{{"abbrevs", p.abbrevs, &p.abbrevKeys}, {"collocations", p.collocations, &p.collocationKeys}, {"starters", p.starters, &p.starterKeys}}
	for _, s := range sets {
		held, skipped := 0, 0
		for _, k := range keys {
			want := s.set[k] != 0
			if got := s.shapes.has(s.set, []byte(k)); got != want {
				t.Fatalf("%s: has(%q) = %v, the set says %v", s.name, k, got, want)
			}
			if want {
				held++
			}
			if !s.shapes.mayHold([]byte(k)) {
				skipped++
			}
		}
		if held == 0 || skipped == 0 {
			t.Fatalf("%s: %d keys held, %d skipped: the test proves little", s.name, held, skipped)
		}
	}
}

// collocationFirst must allow every type that begins a collocation, cut at
// each of its commas (tokenAnnotate skips the lookup otherwise), and turn
// away the ordinary words the lookup was wasted on.
func TestCollocationFirstHoldsEveryFirstPart(t *testing.T) {
	p, err := newPunkt(punktAbbrevs)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for k, v := range p.collocations {
		if v == 0 {
			continue
		}
		for j := 0; j < len(k); j++ {
			if k[j] == ',' {
				held++
				if !p.collocationFirst.mayHold([]byte(k[:j])) {
					t.Fatalf("collocation %q: first part %q turned away", k, k[:j])
				}
			}
		}
	}
	if held == 0 {
		t.Fatal("no collocation has a comma: the test proves little")
	}
	for _, w := range []string{"patient", "day", "mg", "stable", "well"} {
		if p.collocationFirst.mayHold([]byte(w)) {
			t.Errorf("%q may begin a collocation: the filter skips nothing", w)
		}
	}
}

// Each token carries where its first sentence punctuation is, which
// typeAnnotate and multiPunctAnnotate start from: it must be where the
// token's own text has it, on real reports and on texts without any.
func TestTokensKnowTheirFirstSentPunct(t *testing.T) {
	texts := append(sharedReports(t, bulkReports, 300), "", "no stop here", "a.b? c! d", "é.", "x ü.", "...", "“quoted.”")
	found := 0
	for _, text := range texts {
		for _, tok := range punktTokenize(text, nil) {
			word := text[tok.start:tok.end]
			if want := strings.IndexAny(word, ".!?"); tok.punct != want {
				t.Fatalf("token %q: first sentence punctuation at %d, the text says %d", word, tok.punct, want)
			}
			if tok.punct >= 0 {
				found++
			}
		}
	}
	if found == 0 {
		t.Fatal("no token held sentence punctuation: the test proves little")
	}
}

// tokenAnnotate does not make the type of a word plainType accepts: it
// must be the word lower-cased without its dot, never "##number##", on
// every word of the shared reports ending in a dot and on made-up ones.
func TestPlainTypeIsTheWordLowerCased(t *testing.T) {
	p, err := newPunkt(punktAbbrevs)
	if err != nil {
		t.Fatal(err)
	}
	words := []string{".", "a.", "A.", "Word.", "##number##.", "#x.", "x#.", "3.", "a3.", "1,0.", "a,b.", "é.", "-.", "a-.", "..", "a..", "e.g.", "-5.", ".5."}
	for _, text := range sharedReports(t, bulkReports, 300) {
		words = append(words, strings.Fields(text)...)
	}
	plain := 0
	for _, w := range words {
		if !plainType(w) {
			continue
		}
		plain++
		sc := &punktScratch{}
		tok := punktToken{start: 0, end: len(w), typEnd: -1}
		typ := string(typeNoPeriod(p.typeOf(w, sc, &tok)))
		if want := strings.ToLower(w[:len(w)-1]); typ != want || typ == "##number##" {
			t.Fatalf("plain word %q has type %q, not %q", w, typ, want)
		}
	}
	if plain < 100 {
		t.Fatalf("only %d plain words: the test proves little", plain)
	}
}
