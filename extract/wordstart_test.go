package extract

import (
	"fmt"
	"slices"
	"testing"
	"testing/fstest"

	"github.com/clinex/clinex/patterns"
)

// A rule whose regex can match inside a word shows what
// keywords_at_word_start changes: only the keyword hits at a word start
// open a window, so the in-word match is no longer looked for.
func TestKeywordsAtWordStartOpensWindowsAtWordStartsOnly(t *testing.T) {
	for _, atStart := range []bool{false, true} {
		yml := fmt.Sprintf(`rules:
  - id: lab.efx
    category: lab
    concept: efx
    keywords: [ef]
    keywords_at_word_start: %v
    pattern: '(?i)ef(?P<value>\d+)'
    examples:
      match: [{text: "ef12", value: 12}]
`, atStart)
		set, err := patterns.Load(patterns.Layer{Name: "user", FS: fstest.MapFS{"r.yaml": {Data: []byte(yml)}}})
		if err != nil {
			t.Fatal(err)
		}
		e, err := NewExtractor(set, SegmentConfig{}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		// each sentence alone, so no window reaches from one to another
		doc := e.Extract("d", "The value was xef12.\n\nThe next one was EF7.\n\nThen (ef3).\n\nAnd x_ef4.")
		var got []float64
		for _, f := range doc.Findings {
			got = append(got, f.Value.Num)
		}
		want := []float64{12, 7, 3, 4}
		if atStart {
			want = []float64{7, 3}
		}
		if !slices.Equal(got, want) {
			t.Errorf("keywords_at_word_start %v: values %v, want %v", atStart, got, want)
		}
	}
}
