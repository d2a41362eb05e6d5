package extract

import (
	"strings"
	"testing"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"

	"github.com/clinex/clinex/patterns"
)

// keywordTestExtractor is an extractor of the built-in patterns that
// protects the keywords given.
func keywordTestExtractor(tb testing.TB, protect ...string) *Extractor {
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		tb.Fatal(err)
	}
	e, err := NewExtractor(set, SegmentConfig{}, Options{ProtectKeywords: protect})
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// libraryAutomaton is the Aho-Corasick library the search replaced, set up
// as the extractor had it.
func libraryAutomaton(words []string) ahocorasick.AhoCorasick {
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{AsciiCaseInsensitive: true,
		MatchKind: ahocorasick.StandardMatch})
	return b.Build(words)
}

// The automaton must report exactly what the library it replaced reported,
// in the same order: rules, mentions and cues are read from the hit list in
// order, so a difference in order could change which finding wins.
func TestKeywordAutomatonMatchesLibrary(t *testing.T) {
	e := keywordTestExtractor(t, "Fig", "doi", "http")
	lib := libraryAutomaton(e.ac.words)
	texts := []string{"", "a", "Hb 10.2 g/dL, HEMOGLOBIN of 9; mean arterial pressure 65 mmHg",
		"no evidence of fever; ruled out PE. Fig. 2 (doi:10.1/x) Potassium chloride 20 mEq",
		// Word starts and ends next to other scripts, at the ends of the
		// text, inside longer names, in capitals.
		"pain", "PAIN painful xpain pain2 épain painé pain; éé pain", "Ménière's disease, β-hcg βhcg 5β-hcg",
		"mean arterial pressure mean arterial pressures the patient was the\u00a0patient",
		"fever\u2003fever\xfffever fever\xe2\x80 \xe2\x80fever", "left ventricular ejection fraction 35%"}
	texts = withSharedReports(t, texts, 1500, 150)
	// The extractor's automaton also drops the hits of whole-word-only
	// words that are not whole words; the same automaton without those
	// flags must report everything.
	all := newKeywordAutomaton(e.ac.words, nil)
	total, dropped := 0, 0
	for ti, text := range texts {
		var want, wantBounded []hit
		it := lib.IterOverlapping(text)
		for m := it.Next(); m != nil; m = it.Next() {
			h := hit{m.Start(), m.End(), m.Pattern()}
			want = append(want, h)
			if !e.ac.boundedOnly[h.pat] || wordBounded(text, h.start, h.end) {
				wantBounded = append(wantBounded, h)
			}
		}
		compareHits(t, ti, all.appendHits(nil, text), want)
		compareHits(t, ti, e.ac.appendHits(nil, text), wantBounded)
		total += len(want)
		dropped += len(want) - len(wantBounded)
	}
	t.Logf("%d texts, %d hits, %d dropped as not whole words", len(texts), total, dropped)
	if total == 0 || dropped == 0 || dropped == total {
		t.Fatalf("%d hits, %d dropped: the comparison proves nothing", total, dropped)
	}
}

// The eight-byte helpers of the word-start search must agree with the
// byte tables on every byte value in every lane.
func TestWordStartHelpers(t *testing.T) {
	for b := 0; b < 256; b++ {
		for lane := 0; lane < 8; lane++ {
			// The other lanes hold bytes that would carry into this one.
			x := uint64(0xffffffffffffffff) &^ (0xff << (8 * lane))
			x |= uint64(b) << (8 * lane)
			if got := byte(foldASCII8(x) >> (8 * lane)); got != asciiLower[b] {
				t.Fatalf("foldASCII8 %#x lane %d: %#x, want %#x", b, lane, got, asciiLower[b])
			}
			for _, other := range []uint64{0, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080, 0x4141414141414141} {
				x := other&^(0xff<<(8*lane)) | uint64(b)<<(8*lane)
				if got := nonAlnum8(x)>>(8*lane+7)&1 == 1; got != (byteKind[b] != byteWord) {
					t.Fatalf("nonAlnum8 %#x lane %d in %#x: %v", b, lane, other, got)
				}
				if got := alnumBits8(x)>>lane&1 == 1; got != (byteKind[b] == byteWord) {
					t.Fatalf("alnumBits8 %#x lane %d in %#x: %v", b, lane, other, got)
				}
				if got := gatherHigh8(x)>>lane&1 == 1; got != (b >= 0x80) {
					t.Fatalf("gatherHigh8 %#x lane %d in %#x: %v", b, lane, other, got)
				}
			}
		}
	}
	s := "ab9Z_x.yy\u00e9" + "abcdefghijklmnopqrstuvwxyz0123456789" + " q"
	for j := 0; j <= len(s); j++ {
		want := j
		for want < len(s) && byteKind[s[want]] == byteWord {
			want++
		}
		if got := wordRunEnd(s, j); got != want {
			t.Fatalf("wordRunEnd(%q, %d) = %d, want %d", s, j, got, want)
		}
		for i := 0; i < j; i++ {
			if foldHashAt(s, i, j, 7) != foldHash(strings.ToLower(s[i:j]), 7) && isASCII(s[i:j]) {
				t.Fatalf("foldHashAt(%q, %d, %d) differs from foldHash", s, i, j)
			}
			if foldHashAt(s, i, j, 7) != foldHash(s[i:j], 7) {
				t.Fatalf("foldHashAt(%q, %d, %d) differs from foldHash", s, i, j)
			}
		}
	}
}

// The search's fast paths (the bitmap of 64-byte blocks, the runs hashed
// with two loads, the two interleaved DFA searches) change where a text's
// block, run and middle fall: words and cues at every offset around a
// block's edge, next to other scripts, near the text's end and around the
// middle of texts of many lengths must give what the library gives.
func TestKeywordAutomatonOffsets(t *testing.T) {
	e := keywordTestExtractor(t, "Fig", "doi", "http")
	lib := libraryAutomaton(e.ac.words)
	pieces := []string{"mean arterial pressure", "MEAN ARTERIAL", "painful pain", "épain", "painé", "β-hcg",
		"; the patient", ", and the", "hypertensive crisis", "left ventricular ejection fraction",
		"abcdefghijklmnopq", "Fig. 2", "é", "\xff", "\u00a0", "x"}
	var texts []string
	for _, piece := range pieces {
		for pad := 0; pad <= 140; pad++ {
			// The piece at every offset around the first two block edges,
			// and as the text's end.
			texts = append(texts, strings.Repeat("a ", pad/2)+strings.Repeat("b", pad%2)+piece+" fever.",
				strings.Repeat("a ", pad/2)+strings.Repeat("b", pad%2)+piece+" fever."+strings.Repeat(" hb", 30),
				strings.Repeat("z", pad)+" "+piece)
		}
	}
	// The piece around the middle of longer texts, which the two DFA
	// searches split.
	for n := 100; n < 400; n += 7 {
		for _, piece := range pieces[:12] {
			half := strings.Repeat("fever; ", n/14)
			texts = append(texts, half+piece+half, half+piece+" "+half[:n%len(half)])
		}
	}
	hits := 0
	for ti, text := range texts {
		var want []hit
		it := lib.IterOverlapping(text)
		for m := it.Next(); m != nil; m = it.Next() {
			if h := (hit{m.Start(), m.End(), m.Pattern()}); !e.ac.boundedOnly[h.pat] || wordBounded(text, h.start, h.end) {
				want = append(want, h)
			}
		}
		hits += len(want)
		compareHits(t, ti, e.ac.appendHits(nil, text), want)
	}
	if hits < len(texts) {
		t.Fatalf("%d hits in %d texts: the texts miss the words they are made of", hits, len(texts))
	}
}

// A small word list of its own: a word over 255 bytes (its record's
// length takes two bytes), capitals in words and text, words at the
// text's end, where the last bytes are compared one by one.
func TestKeywordAutomatonOwnWords(t *testing.T) {
	long := strings.Repeat("ab", 150)
	words := []string{"Pain", long, long[:257], "mean arterial pressure", "x1", "MEAN", "arterial"}
	bounded := make([]bool, len(words))
	for i := range bounded {
		bounded[i] = true
	}
	ac := newKeywordAutomaton(words, bounded)
	if len(ac.wordStart.slots) == 0 {
		t.Fatal("no word in the word-start table")
	}
	lib := libraryAutomaton(words)
	var texts []string
	for _, w := range append(words, strings.ToUpper(long), long[:256], long[:258]) {
		for _, pad := range []int{0, 1, 7, 20, 63} {
			texts = append(texts, strings.Repeat(" ", pad)+w, w+strings.Repeat(" ", pad), "x "+w+" y"+strings.Repeat(".", pad))
		}
	}
	hits := 0
	for ti, text := range texts {
		var want []hit
		it := lib.IterOverlapping(text)
		for m := it.Next(); m != nil; m = it.Next() {
			if h := (hit{m.Start(), m.End(), m.Pattern()}); wordBounded(text, h.start, h.end) {
				want = append(want, h)
			}
		}
		hits += len(want)
		compareHits(t, ti, ac.appendHits(nil, text), want)
	}
	if hits < len(texts) {
		t.Fatalf("%d hits in %d texts", hits, len(texts))
	}
}

// The bitmap of a text's blocks must agree with the byte tables on every
// byte, at every offset, to the text's end.
func TestWordBlocks(t *testing.T) {
	var all strings.Builder
	for b := 0; b < 256; b++ {
		all.WriteByte(byte(b))
		all.WriteString("aZ9")
	}
	s := all.String()
	for _, text := range []string{"", "a", s, s[:63], s[:64], s[:65], s[1:130], s[7:]} {
		blocks := appendWordBlocks(nil, text)
		if len(blocks) != (len(text)+63)/64 {
			t.Fatalf("%d bytes: %d blocks", len(text), len(blocks))
		}
		for i := 0; i < len(blocks)*64; i++ {
			word := blocks[i/64].words>>(i%64)&1 == 1
			high := blocks[i/64].high>>(i%64)&1 == 1
			if i >= len(text) {
				if word || high {
					t.Fatalf("%d bytes: bit %d past the end is set", len(text), i)
				}
				continue
			}
			if word != (byteKind[text[i]] == byteWord) || high != (text[i] >= 0x80) {
				t.Fatalf("%d bytes: byte %d (%#x): word %v high %v", len(text), i, text[i], word, high)
			}
		}
	}
}

// The candidates of the word-start search leave out a run only where the
// walk from it finds nothing: where its first word is no word and no word
// goes on from it with the two bytes after it. Each run's walk, done from
// every run whatever the filter says, must find no hit where the run is
// left out; and the filter must leave most runs out, or the test shows
// nothing.
func TestWordStartCandidatesKeepEveryWalkWithHits(t *testing.T) {
	e := keywordTestExtractor(t)
	a, w := e.ac, &e.ac.wordStart
	texts := withSharedReports(t, []string{"the patient the left ventricle; mean arterial pressure",
		"was the mean arterial, mean arterial pressure.", "vitamin D vitamin d3 type 2 diabetes mellitus",
		"no fever no", "The Left Ventricular Ejection Fraction was", "a b c d"}, 1000, 100)
	runs, kept, walked := 0, 0, 0
	var sc wordStartBufs
	for ti, text := range texts {
		sc.blocks = appendWordBlocks(sc.blocks[:0], text)
		sc.runs = appendWordRuns(sc.runs[:0], sc.blocks, len(text))
		sc.cands = w.appendCandidates(sc.cands[:0], sc.runs, text)
		inCands := map[int]bool{}
		for _, c := range sc.cands {
			inCands[max(c.start, ^c.start)] = true
		}
		for _, r := range sc.runs {
			i, j := r.start&^runNearOther, r.end
			if i > 0 && text[i-1] >= 0x80 || j < len(text) && text[j] >= 0x80 {
				continue // not a word bounded by ASCII bytes: wordStartAt sorts it out
			}
			runs++
			if inCands[i] {
				kept++
			}
			hits := a.walkWordStart(nil, text, i, j, foldHashAt(text, i, j, w.seed), 0)
			if len(hits) == 0 {
				continue
			}
			walked++
			if !inCands[i] {
				t.Fatalf("text %d: the run %q is left out, its walk finds %d hits (%q…)", ti, text[i:j], len(hits),
					text[hits[0].start:hits[0].end])
			}
			if !w.mayHold(foldHashAt(text, i, j, w.seed), text, j) {
				t.Fatalf("text %d: mayHold turns away %q, whose walk finds hits", ti, text[i:j])
			}
		}
	}
	t.Logf("%d runs, %d kept, %d with hits", runs, kept, walked)
	if walked == 0 || kept > runs*3/4 {
		t.Fatalf("%d runs, %d kept, %d with hits: the filter proves nothing", runs, kept, walked)
	}
}

// A beginning's bit with the two bytes after it lies in the 512 bits of
// the beginning's own: one cache line holds both.
func TestNextBitSameLine(t *testing.T) {
	for _, h := range []uint64{0, 1, 0x9e3779b97f4a7c15, ^uint64(0), 1 << 63} {
		for _, shift := range []uint{42, 48, 55} {
			bit := h >> shift
			for _, b := range []byte{' ', 'a', 'A', 0, 0xff} {
				if next := nextBit(bit, h, b, b^' '); next>>9 != bit>>9 || next>>(64-shift) != 0 {
					t.Fatalf("nextBit(%#x, %#x, %q) = %#x: not in the block of %#x", bit, h, b, next, bit)
				}
			}
		}
	}
}

func compareHits(t *testing.T, ti int, got, want []hit) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("text %d: %d hits, library %d", ti, len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("text %d hit %d: %+v, library %+v", ti, i, got[i], want[i])
		}
	}
}

// go test ./extract -run '^$' -bench KeywordAutomaton
func BenchmarkKeywordAutomaton(b *testing.B) { benchmarkKeywordAutomaton(b, false) }

// BenchmarkKeywordAutomatonAllHits is the search alone, every hit reported
// as the library did: the figure to compare with it and with the
// automaton before it dropped hits.
func BenchmarkKeywordAutomatonAllHits(b *testing.B) { benchmarkKeywordAutomaton(b, true) }

func benchmarkKeywordAutomaton(b *testing.B, allHits bool) {
	e := keywordTestExtractor(b)
	texts := sharedReports(b, bulkReports, 1000)
	if len(texts) == 0 {
		b.Skip("shared corpus not present")
	}
	size := 0
	for _, text := range texts {
		size += len(text)
	}
	ac := e.ac
	if allHits {
		ac = newKeywordAutomaton(ac.words, nil)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	var hits []hit
	for i := 0; i < b.N; i++ {
		hits = searchKeywords(ac, texts, hits)
	}
}

// searchKeywords is the benchmark's loop in a function of its own, for
// instruction counts of the search alone:
//
//	valgrind --tool=callgrind --collect-atstart=no --toggle-collect='*searchKeywords' \
//		./extract.test -test.run '^$' -test.bench 'KeywordAutomaton$' -test.benchtime 3x
//
//go:noinline
func searchKeywords(ac *keywordAutomaton, texts []string, hits []hit) []hit {
	for _, t := range texts {
		hits = ac.appendHits(hits[:0], t)
	}
	return hits
}

// The automaton is built at every start, so its build is part of the
// start-up target.
//
//	go test ./extract -run '^$' -bench KeywordAutomatonBuild
func BenchmarkKeywordAutomatonBuild(b *testing.B) {
	e := keywordTestExtractor(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		newKeywordAutomaton(e.ac.words, e.ac.boundedOnly)
	}
}

// FuzzKeywordAutomaton checks the search against the library on any text:
// invalid UTF-8, other scripts around words, words cut by the text's end.
//
//	go test ./extract -run '^$' -fuzz FuzzKeywordAutomaton -fuzztime 60s
func FuzzKeywordAutomaton(f *testing.F) {
	e := keywordTestExtractor(f, "Fig", "doi", "http", "[", "10.")
	lib := libraryAutomaton(e.ac.words)
	for _, s := range []string{"mean arterial pressure 65 mmHg", "PAIN\xffpain épain the patient was",
		"β-hcg; Fig. 2 [12] 10.5", "left ventricular ejection fraction"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		var want []hit
		it := lib.IterOverlapping(text)
		for m := it.Next(); m != nil; m = it.Next() {
			if h := (hit{m.Start(), m.End(), m.Pattern()}); !e.ac.boundedOnly[h.pat] || wordBounded(text, h.start, h.end) {
				want = append(want, h)
			}
		}
		compareHits(t, 0, e.ac.appendHits(nil, text), want)
	})
}
