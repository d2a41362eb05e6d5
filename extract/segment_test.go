package extract

import (
	"strings"
	"testing"
	"unicode"
)

func testSegmenter(t *testing.T) *Segmenter {
	t.Helper()
	s, err := NewSegmenter(SegmentConfig{
		AllCapsHeadings: true,
		Sections: []SectionRule{
			{Name: "introduction", Pattern: "introduction"},
			{Name: "case_presentation", Pattern: "case (?:presentation|report)|case \\d+"},
			{Name: "discussion", Pattern: "discussion"},
		},
		CaseBoundaries: []BoundaryRule{{ID: "again", Pattern: "case (?:presentation|report)|case \\d+", After: []string{"case_presentation"}}},
		Abbreviations:  []string{"pt", "approx", "fig", "i.v"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func splitSentences(s *Segmenter, text string) []string {
	n := Normalize(text, s.Lines())
	L := s.Segment(n)
	var out []string
	for _, st := range L.Sentences {
		out = append(out, n.Text[st.Start:st.End])
	}
	return out
}

func TestClinicalAbbreviationsDoNotEndSentences(t *testing.T) {
	s := testSegmenter(t)
	for _, text := range []string{
		"The pt. was admitted with approx. 2 L of blood loss.",
		"Noradrenaline was given i.v. at 0.3 µg/kg/min.",
		"The lesion (Fig. 2) measured 3 cm.",
	} {
		if got := splitSentences(s, text); len(got) != 1 {
			t.Errorf("%q split into %q", text, got)
		}
	}
	got := splitSentences(s, "Her heart rate was 90 bpm. She was discharged.")
	if len(got) != 2 {
		t.Errorf("two sentences read as %q", got)
	}
}

func TestCaseBoundariesAndSections(t *testing.T) {
	s := testSegmenter(t)
	text := "INTRODUCTION\n\nSome background.\n\nCASE PRESENTATION\n\nA 60-year-old man.\n\nDISCUSSION\n\nOthers.\n\nCase 2\n\nA 45-year-old woman.\n"
	n := Normalize(text, s.Lines())
	L := s.Segment(n)
	if len(L.Cases) != 2 {
		t.Fatalf("%d cases, want 2", len(L.Cases))
	}
	for _, st := range L.Sentences {
		body := n.Text[st.Start:st.End]
		sec := L.Sections[st.Section].Name
		switch {
		case strings.Contains(body, "60-year-old"):
			if st.Case != 1 || sec != "case_presentation" {
				t.Errorf("first patient in case %d section %s", st.Case, sec)
			}
		case strings.Contains(body, "45-year-old"):
			if st.Case != 2 {
				t.Errorf("second patient in case %d", st.Case)
			}
		case strings.Contains(body, "background"):
			if sec != "introduction" || st.Case != 1 {
				t.Errorf("introduction in case %d section %s", st.Case, sec)
			}
		}
	}
	// a single case presentation after an introduction stays one case
	L = s.Segment(Normalize("INTRODUCTION\n\nText.\n\nCASE REPORT\n\nA man.", s.Lines()))
	if len(L.Cases) != 1 {
		t.Errorf("one report read as %d cases", len(L.Cases))
	}
}

// snakeReference is snake as it was written first: lower-case the whole
// name, then join its letter and digit runs with underscores.
func snakeReference(s string) string {
	var b strings.Builder
	under := false
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		} else {
			under = true
		}
	}
	return b.String()
}

func TestSnakeIsTheReference(t *testing.T) {
	names := []string{"", "size", "PATIENT HISTORY", "  left ventricular ejection fraction ", "Ki-67 index",
		"İstanbul ΣΟΦΙΑ", "a__b", "x\xe2\x82y", "\xff", "ABC123", "ejection-fraction (EF)", "naïve Größe", "_", "9"}
	for _, text := range docFrameTexts(t) {
		names = append(names, strings.Fields(text)...)
		if len(text) < 200 {
			names = append(names, text)
		}
	}
	unchanged := 0
	for _, s := range names {
		if got, want := snake(s), snakeReference(s); got != want {
			t.Errorf("snake(%q) = %q, want %q", s, got, want)
		}
		if isSnakeWord(s) {
			unchanged++
		}
	}
	if unchanged == 0 {
		t.Fatal("no name took the unchanged path: the test misses it")
	}
}
