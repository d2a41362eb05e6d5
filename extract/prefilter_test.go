package extract

import (
	"regexp"
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
	return withSharedReports(t, texts, 2000, 200)
}

// A pre-check may let through what the regex then rejects, never the
// reverse: a wrong "cannot match" would silently change findings.
func TestPrefiltersNeverRejectAMatch(t *testing.T) {
	seg, err := NewSegmenter(SegmentConfig{Abbreviations: []string{"pt", "pts", "fig", "i.v", "e.g", "et al", "al", "dr", "vs", "st"}})
	if err != nil {
		t.Fatal(err)
	}
	var abbrevMatches int
	for _, text := range prefilterTexts(t) {
		for i := 0; i < len(text); i++ {
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
	t.Logf("abbreviation matches: %d", abbrevMatches)
	if abbrevMatches < 5 {
		t.Fatalf("too few matches to prove anything: abbreviation %d", abbrevMatches)
	}
	if !strings.Contains(prefilterTexts(t)[0], "ſ") {
		t.Fatal("the folding case is gone from the made-up texts")
	}
}

func TestCollapseSpaceFastPathAgrees(t *testing.T) {
	cases := []string{"", " ", "a", "a b", "a  b", " a", "a ", "a\nb", "a\tb", "a\u00a0b", "a\u2009b", "é b", "a b c d", "a\u0085b", "x\r\ny"}
	texts := prefilterTexts(t)
	for _, text := range texts[:min(200, len(texts))] {
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

// The same for the entity stage's pre-checks, on windows before and after
// every space of every text.
func TestEntityPrefiltersNeverRejectAMatch(t *testing.T) {
	texts := prefilterTexts(t)
	texts = append(texts[:min(300, len(texts)):min(300, len(texts))],
		"the procedure was attempted; it was Carried Out; was unsuccessful; grade III-IV edema; 4 cycles of chemo; two Doses of x",
		"2 x 500 mg; 3× 20 mg; for 5 days; FOR 2 weeks; 72 hours later; after 3 days; on day 5; (under 3 mg) [ref]",
		"it was propoſed; 4 courſes of; grade 2 gynecomaſtia", "treated for 3 dayſ",
		"grade 2 edema was seen; grade III-IV mucositis; Grade 1 rash worsened",
		"after 3 cycles of adjuvant therapy, two Courses of rituximab and 6 injections of the drug 2 x 40 mg then 3x 5 mg and 4 × 1 g")
	type check struct {
		name  string
		re    *regexp.Regexp
		pre   func(string) bool
		ahead bool // the window follows the position
		size  int
	}
	checks := []check{
		{"statusAfter", statusAfterRe, func(s string) bool { return mayContainFold(s, statusAfterWords) }, true, 120},
		{"timeAfter", timeAfterRe, func(s string) bool { return hasDigit(s) && mayContainFold(s, timeWords) }, true, 120},
		{"dur", durRe, func(s string) bool { return hasDigit(s) && containsFoldASCII(s, "for") }, true, 60},
		{"cycles", cyclesRe, func(s string) bool { return ofNearEnd(s) && mayContainFold(s, cyclesWords) }, false, 40},
		{"times", timesRe, endsWithTimes, false, 8},
		{"gradeBefore", gradeBeforeRe, mayEndWithGrade, false, 60},
	}
	matches := map[string]int{}
	for _, text := range texts {
		for i := 0; i < len(text); i++ {
			if text[i] != ' ' && !isDigit(text[i]) {
				continue
			}
			for _, c := range checks {
				w := text[max(0, i+1-c.size) : i+1] // the space too: some want one last
				if c.ahead {
					w = text[i:min(len(text), i+c.size)]
				}
				if c.re.MatchString(w) {
					matches[c.name]++
					if !c.pre(w) {
						t.Errorf("%s: the pre-check rejects %q, which the regex matches", c.name, w)
					}
				}
			}
			w := text[i:min(len(text), i+70)]
			if got, want := dropParentheticals(w), parenthetical.ReplaceAllString(w, " "); got != want {
				t.Errorf("dropParentheticals(%q) = %q, want %q", w, got, want)
			}
		}
	}
	t.Logf("matches: %v", matches)
	for _, c := range checks {
		if matches[c.name] < 3 {
			t.Errorf("%s: only %d matches, too few to prove anything", c.name, matches[c.name])
		}
	}
}
