package extract

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

// prefilterTexts are corpus reports (when ../shared is there) and texts
// made to trip a careless pre-check: runes that fold to ASCII letters,
// words cut by a window, upper case, symbols.
func prefilterTexts(t *testing.T) []string {
	texts := []string{
		"less than 5, LESS THAN 5, Less Than\n 5, moreover 5, over 5, ≤5, ≥ 5, ≈5, ±5, ~5, <=5, >=5, at leaſt 5, AT MOST 5, between 2 and 3",
		"approximately 4, roughly 4, nearly 4, x-over 4, up to 4, uP tO 4, under4, 3-4, abov 4, aBoVe 4, «above» 4",
		"normal range 3-5, ULN 40, (reference 20-50), ref. 1-2, cut-off 0.5, Normal values: 4-6, upper limit of normal 40, nl: 3",
		"the pt. 5 was seen; Fig. 2 shows i.v. 3 and E.G. 4; the ptſ. 5; et al. 6; ET AL. 7; x.pt. 8; Dr. 9; vs. 10",
	}
	const bulk = "../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"
	f, err := os.Open(bulk)
	if err != nil {
		t.Logf("shared corpus missing (%v): made-up texts only", err)
		return texts
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() && len(texts) < 2000 {
		var rec struct{ Text string }
		if json.Unmarshal(sc.Bytes(), &rec) == nil {
			texts = append(texts, rec.Text)
		}
	}
	return texts
}

// A pre-check may let through what the regex then rejects, never the
// reverse: a wrong "cannot match" would silently change findings.
func TestPrefiltersNeverRejectAMatch(t *testing.T) {
	seg, err := NewSegmenter(SegmentConfig{Abbreviations: []string{"pt", "pts", "fig", "i.v", "e.g", "et al", "al", "dr", "vs", "st"}})
	if err != nil {
		t.Fatal(err)
	}
	var opMatches, refMatches, abbrevMatches, rejected int
	for _, text := range prefilterTexts(t) {
		for i := 0; i < len(text); i++ {
			if isDigit(text[i]) {
				w := text[max(0, i-24):i]
				if opBefore.MatchString(w) {
					opMatches++
					if !mayEndWithOp(w) {
						t.Errorf("mayEndWithOp(%q) = false; opBefore matches", w)
					}
				} else if !mayEndWithOp(w) {
					rejected++
				}
				w = text[max(0, i-40):i]
				if referenceCue.MatchString(w) {
					refMatches++
					if !mayHoldReferenceCue(w) {
						t.Errorf("mayHoldReferenceCue(%q) = false; referenceCue matches", w)
					}
				}
			}
			if text[i] == '.' {
				w := text[max(0, i-23) : i+1]
				want := seg.abbrevEnd.MatchString(w)
				if want {
					abbrevMatches++
				}
				if got := seg.endsWithAbbrev(w); got != want {
					t.Errorf("endsWithAbbrev(%q) = %v, abbrevEnd says %v", w, got, want)
				}
			}
		}
	}
	t.Logf("matches: op %d, reference %d, abbreviation %d; windows the op pre-check spared: %d", opMatches, refMatches, abbrevMatches, rejected)
	if opMatches < 10 || refMatches < 4 || abbrevMatches < 5 {
		t.Fatalf("too few matches to prove anything: op %d, reference %d, abbreviation %d", opMatches, refMatches, abbrevMatches)
	}
	if !strings.Contains(prefilterTexts(t)[0], "ſ") {
		t.Fatal("the folding case is gone from the made-up texts")
	}
}

func TestCollapseSpaceFastPathAgrees(t *testing.T) {
	cases := []string{"", " ", "a", "a b", "a  b", " a", "a ", "a\nb", "a\tb", "a\u00a0b", "a\u2009b", "é b", "a b c d", "a\u0085b", "x\r\ny"}
	for _, text := range prefilterTexts(t)[:200] {
		for i := 0; i+30 <= len(text); i += 17 {
			cases = append(cases, text[i:i+30])
		}
	}
	for _, s := range cases {
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	}
}
