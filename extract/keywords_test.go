package extract

import (
	"bufio"
	"encoding/json"
	"os"
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
	const bulk = "../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"
	if f, err := os.Open(bulk); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		limit := 1500
		if raceDetector {
			limit = 150
		}
		for sc.Scan() && len(texts) < limit {
			var rec struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil {
				texts = append(texts, rec.Text)
			}
		}
	} else {
		t.Logf("shared corpus missing (%v): built-in texts only", err)
	}
	total := 0
	for ti, text := range texts {
		got := e.ac.appendHits(nil, text)
		var want []hit
		it := lib.IterOverlapping(text)
		for m := it.Next(); m != nil; m = it.Next() {
			want = append(want, hit{m.Start(), m.End(), m.Pattern()})
		}
		if len(got) != len(want) {
			t.Fatalf("text %d: %d hits, library %d", ti, len(got), len(want))
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("text %d hit %d: %+v, library %+v", ti, i, got[i], want[i])
			}
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("no hits at all: the comparison proves nothing")
	}
}

// go test ./extract -run '^$' -bench KeywordAutomaton
func BenchmarkKeywordAutomaton(b *testing.B) {
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		b.Fatal(err)
	}
	e, err := NewExtractor(set, SegmentConfig{}, Options{})
	if err != nil {
		b.Fatal(err)
	}
	f, err := os.Open("../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl")
	if err != nil {
		b.Skip("shared corpus not present")
	}
	defer f.Close()
	var texts []string
	size := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() && len(texts) < 1000 {
		var rec struct{ Text string }
		json.Unmarshal(sc.Bytes(), &rec)
		texts = append(texts, rec.Text)
		size += len(rec.Text)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	var hits []hit
	for i := 0; i < b.N; i++ {
		for _, t := range texts {
			hits = e.ac.appendHits(hits[:0], t)
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
		newKeywordAutomaton(e.ac.words)
	}
}
