package extract

import (
	"testing"

	ahocorasick "github.com/petar-dambovaliev/aho-corasick"

	"github.com/clinex/clinex/patterns"
)

// The automaton must report exactly what the library it replaced reported,
// in the same order: rules, mentions and cues are read from the hit list in
// order, so a difference in order could change which finding wins.
func TestKeywordAutomatonMatchesLibrary(t *testing.T) {
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewExtractor(set, SegmentConfig{}, Options{ProtectKeywords: []string{"Fig", "doi", "http"}})
	if err != nil {
		t.Fatal(err)
	}
	b := ahocorasick.NewAhoCorasickBuilder(ahocorasick.Opts{AsciiCaseInsensitive: true,
		MatchKind: ahocorasick.StandardMatch})
	lib := b.Build(e.ac.words)
	texts := []string{"", "a", "Hb 10.2 g/dL, HEMOGLOBIN of 9; mean arterial pressure 65 mmHg",
		"no evidence of fever; ruled out PE. Fig. 2 (doi:10.1/x) Potassium chloride 20 mEq"}
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
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewExtractor(set, SegmentConfig{}, Options{})
	if err != nil {
		b.Fatal(err)
	}
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
		for _, t := range texts {
			hits = ac.appendHits(hits[:0], t)
		}
	}
}

// The automaton is built at every start, so its build is part of the
// start-up target.
//
//	go test ./extract -run '^$' -bench KeywordAutomatonBuild
func BenchmarkKeywordAutomatonBuild(b *testing.B) {
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewExtractor(set, SegmentConfig{}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		newKeywordAutomaton(e.ac.words, e.ac.boundedOnly)
	}
}
