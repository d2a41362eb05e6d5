package extract

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

var testLines = &LineClassifier{
	IsHeading: func(s string) bool { return s == "CASE PRESENTATION" || s == "DISCUSSION" },
	Caption:   regexp.MustCompile(`^(?i:figure|table)\s*\d+[.:]`),
	Furniture: []*regexp.Regexp{regexp.MustCompile(`^\d{1,4}$`)},
}

// origOf returns the original text behind a normalized span.
func origOf(n *Normalized, orig string, start, end int) string {
	s, e := n.Map.Span(start, end)
	return orig[s:e]
}

func TestNormalizeCleansAndMapsBack(t *testing.T) {
	cases := []struct {
		name, in, wantNorm string
		// a normalized substring and the original text it must map back to
		find, wantOrig string
	}{
		{"line-break hyphen", "rupture of hypervas-\ncularized reticulum", "rupture of hypervascularized reticulum", "hypervascularized", "hypervas-\ncularized"},
		{"hyphen with trailing spaces", "Abbott Labora- \n tories, United States", "Abbott Laboratories, United States", "Laboratories", "Labora- \n tories"},
		{"wrapped line", "hemoglobin levels \nof 8.6 g/dL", "hemoglobin levels of 8.6 g/dL", "levels of 8.6", "levels \nof 8.6"},
		{"decimal comma", "EuroSCORE II, 48,9%;", "EuroSCORE II, 48.9%;", "48.9%", "48,9%"},
		{"thousands stay", "platelets 35,000 and 1,547 cells", "platelets 35,000 and 1,547 cells", "1,547", "1,547"},
		{"citation after bracket", "mortality rates (35% to 50%)1 because", "mortality rates (35% to 50%) because", "50%) because", "50%)1 because"},
		{"citation after comma", "cardiac output,1 and is", "cardiac output, and is", "output, and", "output,1 and"},
		{"citation list", "cardiogenic shock,1,3 which", "cardiogenic shock, which", "shock, which", "shock,1,3 which"},
		{"citation at line end", "in the acute phase.2\nNext", "in the acute phase. Next", "phase. Next", "phase.2\nNext"},
		{"greek mu", "0.3 μg/kg/min", "0.3 µg/kg/min", "µg", "μg"},
		{"thin and no-break spaces", "82\u2009%\u00a0SpO2", "82 % SpO2", "82 % SpO2", "82\u2009%\u00a0SpO2"},
		{"en dash and minus", "12\u201316 g/dL, \u22121.2", "12-16 g/dL, -1.2", "12-16", "12\u201316"},
		{"NFC, not NFKC", "10\u2079/L e\u0301", "10\u2079/L \u00e9", "\u00e9", "e\u0301"},
		{"CRLF", "heart rate\r\n of 90 bpm", "heart rate of 90 bpm", "rate of 90", "rate\r\n of 90"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := Normalize(c.in, testLines)
			if n.Text != c.wantNorm {
				t.Fatalf("normalized %q\n got %q\nwant %q", c.in, n.Text, c.wantNorm)
			}
			i := strings.Index(n.Text, c.find)
			if i < 0 {
				t.Fatalf("%q not in %q", c.find, n.Text)
			}
			if got := origOf(n, c.in, i, i+len(c.find)); got != c.wantOrig {
				t.Errorf("span %q maps back to %q, want %q", c.find, got, c.wantOrig)
			}
		})
	}
}

func TestCaptionInterruptingSentenceMovesAfterParagraph(t *testing.T) {
	in := "although transmitral gradient increased up to 7 mmHg, \n\nFigure 1. Normal position of the device.\n after reducing support down to 0.5 L/min, the gradient dropped.\n\nNext paragraph."
	n := Normalize(in, testLines)
	want := "although transmitral gradient increased up to 7 mmHg, after reducing support down to 0.5 L/min, the gradient dropped.\n\nFigure 1. Normal position of the device.\n\nNext paragraph."
	if n.Text != want {
		t.Fatalf("got  %q\nwant %q", n.Text, want)
	}
	i := strings.Index(n.Text, "Figure 1.")
	if got := origOf(n, in, i, i+len("Figure 1. Normal")); got != "Figure 1. Normal" {
		t.Errorf("moved caption maps back to %q", got)
	}
	i = strings.Index(n.Text, "mmHg, after")
	if got := origOf(n, in, i, i+len("mmHg, after")); got != "mmHg, \n\nFigure 1. Normal position of the device.\n after" {
		t.Errorf("joined sentence maps back to %q", got)
	}
	kinds := []BlockKind{}
	for _, b := range n.Blocks {
		kinds = append(kinds, b.Kind)
	}
	if len(kinds) != 3 || kinds[0] != BlockParagraph || kinds[1] != BlockCaption || kinds[2] != BlockParagraph {
		t.Errorf("blocks %v, want paragraph, caption, paragraph", kinds)
	}
}

func TestCaptionAfterFullSentenceStaysInPlace(t *testing.T) {
	in := "The patient recovered.\n Figure 2. Final procedural outcomes.\n SUPPLEMENTARY DATA"
	n := Normalize(in, &LineClassifier{IsHeading: func(s string) bool { return s == "SUPPLEMENTARY DATA" }, Caption: testLines.Caption})
	want := "The patient recovered.\n\nFigure 2. Final procedural outcomes.\n\nSUPPLEMENTARY DATA"
	if n.Text != want {
		t.Fatalf("got %q want %q", n.Text, want)
	}
}

func TestPageFurnitureDroppedAndPageBreakJoined(t *testing.T) {
	in := "the serum creatinine was\n\n12\n\nelevated at 2.1 mg/dL."
	n := Normalize(in, testLines)
	if n.Text != "the serum creatinine was elevated at 2.1 mg/dL." {
		t.Fatalf("got %q", n.Text)
	}
}

func TestHeadingsKeepTheirOwnBlock(t *testing.T) {
	in := "end of case one.\n CASE PRESENTATION\n\nA 73-year-old woman."
	n := Normalize(in, testLines)
	if n.Text != "end of case one.\n\nCASE PRESENTATION\n\nA 73-year-old woman." {
		t.Fatalf("got %q", n.Text)
	}
	if n.Blocks[1].Kind != BlockHeading {
		t.Errorf("block 1 is %v, want heading", n.Blocks[1].Kind)
	}
}

// Every normalized span maps to a valid, ordered original span, whatever
// the input: the invariant findings' offsets rest on.
func FuzzNormalizeOffsets(f *testing.F) {
	for _, s := range []string{"hypervas-\ncularized", "48,9% (35% to 50%)1 x", "Figure 1. A\n b", "\u03bcg\u2009\r\n", "e\u0301\u0301 10\u2079", "", "\n\n\n", "a-\n", "1,2,3 ,1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return
		}
		n := Normalize(in, testLines)
		for i := 0; i <= len(n.Text); i++ {
			for _, j := range []int{i, i + 1, i + 3, len(n.Text)} {
				if j > len(n.Text) || j < i {
					continue
				}
				s, e := n.Map.Span(i, j)
				if s < 0 || e > len(in) || s > e {
					t.Fatalf("span [%d,%d) of %q maps to [%d,%d) in %q", i, j, n.Text, s, e, in)
				}
			}
		}
	})
}

// Digits after a full stop followed by a unit are a value, not a citation.
func TestCitationGuardAsksTheUnitTable(t *testing.T) {
	lc := *testLines
	lc.UnitAt = func(s string) bool { return strings.HasPrefix(s, "days") }
	in := "It was 5 mg/dL.2 days later the creatinine rose."
	if n := Normalize(in, &lc); n.Text != in {
		t.Errorf("a value after a full stop was dropped as a citation: %q", n.Text)
	}
	in = "in the acute phase.2 However"
	if n := Normalize(in, &lc); n.Text != "in the acute phase. However" {
		t.Errorf("citation kept: %q", n.Text)
	}
}

// Normalize reuses its buffers from report to report: a result must not
// change when later reports are normalized, and an unchanged report keeps
// its own text.
func TestNormalizeResultsOutliveItsBuffers(t *testing.T) {
	texts := docFrameTexts(t)
	kept := make([]*Normalized, len(texts))
	for i, text := range texts {
		kept[i] = Normalize(text, testLines)
	}
	unchanged := 0
	for i, text := range texts {
		fresh := Normalize(text, testLines)
		if kept[i].Text != fresh.Text || !slices.Equal(kept[i].Map.runs, fresh.Map.runs) {
			t.Fatalf("text %d: normalizing later reports changed its result", i)
		}
		if kept[i].Text == text {
			unchanged++
		}
	}
	if unchanged == 0 || unchanged == len(texts) {
		t.Fatalf("%d of %d texts unchanged by normalizing: the test needs both kinds", unchanged, len(texts))
	}
}

// A line filter answers as its regex does: it turns lines away only by
// the first bytes of an anchored regex's matches, and leaves the rest,
// and every line of a regex not anchored, to the regex.
func TestLineFilterIsMatchString(t *testing.T) {
	e := configExtractor(t)
	lc := e.seg.Lines()
	res := append([]*regexp.Regexp{lc.Caption, testLines.Caption,
		regexp.MustCompile(`(?i)figure \d`),      // not anchored: no filter
		regexp.MustCompile(`(?m)^table`),         // a line start, not the text's: no filter
		regexp.MustCompile(`^(?:Fig|Tab)|^\d+$`), // anchored on every branch
		regexp.MustCompile(`^(?i:ſupp|k)lement`), // folds to and from non-ASCII runes
		regexp.MustCompile(`^$`), regexp.MustCompile(`^\s*µg`)}, lc.Furniture...)
	lines := []string{"", "F", "Figure 1.", "figure 2: x", "FIG. 3|", "ſupplementary figure 1.", "Supplementary Table S2.",
		"Table", "table 1.", "Video 1:", "Page 3 of 10", "page 12", "12", "12345", "µg dose", " µg", "Kelvin", "\u212alement",
		"ſupplement", "klement", "Tab", "Fig", "\xff", "é Figure 1."}
	for _, text := range docFrameTexts(t) {
		lines = append(lines, strings.Split(text, "\n")...)
	}
	turnedAway := 0
	for _, re := range res {
		f := newLineFilter(re)
		for _, l := range lines {
			if got, want := f.matches(l), re.MatchString(l); got != want {
				t.Fatalf("filter of %s on %q: %v, MatchString %v", re, l, got, want)
			}
		}
		if f.first != nil {
			turnedAway++
		}
	}
	if turnedAway < 4 {
		t.Errorf("only %d regexes filtered", turnedAway)
	}
	for i, re := range res[:2] {
		if newLineFilter(re).first == nil {
			t.Errorf("caption regex %d (%s) has no filter", i, re)
		}
	}
}

// Normalize keeps the ASCII prefix of the text it read for build's
// code-point index; any other text's is counted.
func TestNormalizedASCIIPrefix(t *testing.T) {
	for _, text := range docFrameTexts(t) {
		n := Normalize(text, testLines)
		if got, want := n.asciiPrefixOf(text), asciiPrefix(text); got != want {
			t.Fatalf("ASCII prefix of %.40q: %d, want %d", text, got, want)
		}
		other := "é" + text
		if got, want := n.asciiPrefixOf(other[2:]), asciiPrefix(text); got != want {
			t.Fatalf("ASCII prefix of a copy of %.40q: %d, want %d", text, got, want)
		}
		if got := n.asciiPrefixOf(other); got != 0 {
			t.Fatalf("ASCII prefix of another text: %d, want 0", got)
		}
	}
}

// Every rune nfcStarter marks keeps a text normal next to ASCII, itself
// and the other marked runes, and isNFC answers as IsNormalString on each
// text made of them; the runes it must turn away (marks, Hangul vowels,
// the Kelvin and Ohm signs, which NFC replaces) are turned away.
func TestNFCStartersKeepTextNormal(t *testing.T) {
	var marked []rune
	for r := rune(0); r < nfcStarterLimit+10; r++ {
		if nfcStarter(r) {
			marked = append(marked, r)
		}
	}
	if len(marked) < 1000 {
		t.Fatalf("only %d runes marked: the fast path is never taken", len(marked))
	}
	for _, r := range []rune{'µ', '°', 'é', '±', '≥', '×', '–', '’', '·', 'Å', 'ß', 'Ω', 'Ж'} {
		if !nfcStarter(r) {
			t.Errorf("%q (%U) is not marked", r, r)
		}
	}
	for _, r := range []rune{'a', 0x0301, 0x0323, 0x1161, 0x11a8, 0x212a, 0x2126, 0x212b, 0x0340, 0x0f73, utf8.RuneError, 0x3042, 0x1f600} {
		if nfcStarter(r) {
			t.Errorf("%q (%U) is marked", r, r)
		}
	}
	followers := []string{"", "a", " ", "\u0301", "\u1161", "\u212a", "\xff"}
	for i, r := range marked {
		followers[0] = string(marked[(i*7919+13)%len(marked)])
		for _, before := range []string{"", "a", "e", "\u1100", string(r)} {
			for _, after := range followers {
				s := before + string(r) + after
				if got, want := isNFC(s), norm.NFC.IsNormalString(s); got != want {
					t.Fatalf("isNFC(%q) = %v, IsNormalString says %v", s, got, want)
				}
				if nfcStartersOnly(s, 0) && !norm.NFC.IsNormalString(s) {
					t.Fatalf("%q: only marked runes, yet not normal", s)
				}
			}
		}
	}
}
