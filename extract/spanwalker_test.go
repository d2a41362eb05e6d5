package extract

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestSpanWalker holds build's spanWalker to OffsetMap.Span: spans in text
// order (as build asks), reversed, at random, inverted, empty and at every
// run's edges, on made-up texts that normalization rewrites (quotes, odd
// spaces, a decomposed accent, a moved caption) and on shared reports.
func TestSpanWalker(t *testing.T) {
	madeUp := []string{
		"",
		"plain text, nothing to normalize.",
		"He said \u201cfine\u201d \u2013 BP 120/80\u00a0mmHg, HR\u2009 90 bpm.\n\nNa  140 mmol/L",
		"Cafe\u0301 au lait spots; temp 38\u00b0C.\r\nSaO2 \u2265 95 %.",
		"The patient (Figure 1: chest X-ray\nshowing effusion) had a fever of 39 \u00b0C.\n",
		"\u00a0\u00a0\u00a0 leading odd spaces and trailing \u2003\u2003",
	}
	texts := withSharedReports(t, madeUp, 400, 40)
	rng := rand.New(rand.NewPCG(7, 11))
	checked := 0
	for ti, text := range texts {
		n := Normalize(text, testLines)
		m, size := n.Map, len(n.Text)
		var spans [][2]int
		for range 200 {
			s := rng.IntN(size + 1)
			spans = append(spans, [2]int{s, min(size, s+rng.IntN(80))})
		}
		for _, r := range m.runs {
			for _, s := range []int{r.norm - 1, r.norm, r.norm + 1, r.norm + r.normLen - 1, r.norm + r.normLen} {
				for _, e := range []int{s, s + 1, r.norm + r.normLen, r.norm + r.normLen + 1} {
					if s >= 0 && e <= size {
						spans = append(spans, [2]int{s, e})
					}
				}
			}
		}
		if size > 2 {
			spans = append(spans, [2]int{size - 1, 1}) // inverted
		}
		inOrder := slices.Clone(spans)
		slices.SortFunc(inOrder, func(a, b [2]int) int { return a[0] - b[0] })
		reversed := slices.Clone(inOrder)
		slices.Reverse(reversed)
		for _, list := range [][][2]int{inOrder, reversed, spans} {
			w := spanWalker{m: m}
			for _, sp := range list {
				gs, ge := w.span(sp[0], sp[1])
				ws, we := m.Span(sp[0], sp[1])
				if gs != ws || ge != we {
					t.Fatalf("text %d: span %v: walker (%d, %d), Span (%d, %d)", ti, sp, gs, ge, ws, we)
				}
				checked++
			}
		}
	}
	t.Logf("%d texts, %d spans", len(texts), checked)
	if len(texts) > len(madeUp) && checked < enough(100000) {
		t.Fatalf("only %d spans checked", checked)
	}
}
