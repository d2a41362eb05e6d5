package extract

import (
	"strings"
	"testing"
)

// inFoldSet must answer as the map looked up with strings.ToLower did, for
// every word of the shared reports, in three cases, and for the words
// where lower-casing is not byte by byte.
func TestInFoldSetMatchesMap(t *testing.T) {
	texts := sharedReports(t, bulkReports, 1000)
	if texts == nil {
		t.Skip("shared corpus not present")
	}
	words := []string{"", "A", "THE", "Of", "İs", "İS", "ſo", "leſs", "\u212aey", "wAs", "level:", "LEVEL:", "=", ":", "(",
		strings.Repeat("a", 32), strings.Repeat("A", 33), "concentrations", "CONCENTRATIONS", "é", "the\u00a0"}
	for _, set := range []map[string]bool{linkWords, labelSkip, labelStop, inWhat, sizeWords} {
		for w := range set {
			words = append(words, w, strings.ToUpper(w), strings.ToUpper(w[:1])+w[1:], w+"s", w[:len(w)-1])
		}
	}
	for _, text := range texts {
		for _, w := range strings.Fields(text) {
			words = append(words, w)
			for _, tk := range appendTokensFrom(w, nil, 8) {
				words = append(words, tk.text)
			}
		}
	}
	hits := 0
	sets := []struct {
		m map[string]bool
		f *foldSet
	}{{linkWords, linkWordSet}, {labelSkip, labelSkipSet}, {labelStop, labelStopSet}, {inWhat, inWhatSet}, {sizeWords, sizeWordSet}}
	for _, s := range sets {
		for _, w := range words {
			want := s.m[strings.ToLower(w)]
			if got := inFoldSet(s.f, w); got != want {
				t.Fatalf("inFoldSet(%q) = %v, the map says %v", w, got, want)
			}
			if want {
				hits++
			}
		}
	}
	t.Logf("%d words, %d found", len(words), hits)
	if hits < enough(10000) {
		t.Fatalf("only %d words found: the comparison proves little", hits)
	}
}

// inFoldSetMap is inFoldSet as it was, hashing every word for the map.
func inFoldSetMap(set map[string]bool, w string) bool {
	if len(w) > 32 {
		return set[strings.ToLower(w)]
	}
	var buf [32]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 0x80 {
			return set[strings.ToLower(w)]
		}
		buf[i] = lowerByte(c)
	}
	return set[string(buf[:len(w)])]
}

// BenchmarkInFoldSet looks up the words of label windows, as the label
// finders and isLinkGap do, in the word sets (set) and, to compare, as the
// maps were asked before (map).
func BenchmarkInFoldSet(b *testing.B) {
	texts := sharedReports(b, bulkReports, 200)
	if texts == nil {
		b.Skip("shared corpus not present")
	}
	var words []string
	for _, text := range texts {
		words = append(words, strings.Fields(text)...)
	}
	lookups := map[string]func(w string){
		"set": func(w string) { inFoldSet(labelStopSet, w); inFoldSet(linkWordSet, w) },
		"map": func(w string) { inFoldSetMap(labelStop, w); inFoldSetMap(linkWords, w) },
	}
	for _, name := range []string{"set", "map"} {
		lookup := lookups[name]
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, w := range words {
					lookup(w)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(words)*2), "ns/lookup")
		})
	}
}
