package extract

import (
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// scanVocabulary is what made-up windows are built from: the words of the
// entity regexes and their near misses, numbers, separators, upper case,
// and non-ASCII runes (ſ and K fold into s and k) that send a reader to
// its regex.
var scanVocabulary = strings.Fields(`was were is are had been has been could be then successfully finally
performed planned carried out Carried Out unsuccessful successful done Done considered PLANNED wasp isn't
first second two three four another additional 4th 3rd x-first -second fourth fifths
once daily twice a day three times daily b.i.d. b.i.d B.I.D. t.i.d q.i.d. q.d. q.d qd od bid
q8h q 6 h Q12H q6 every 8 hours every 2 days EVERY 1 week per day /day mg/day a day as needed prn weekly
i.v. i.v iv IV orally oral p.o. per os po s.c. sc SC im i.m. intramuscularly nebulised nebulized rectally
at of a an dose doses dosage sustained-release high-dose low-dose started given titrated then ofthe
after later afterwards post-op postoperative post- post day days on On hours hour hrs h d wks mo years
3 72 1.5 2. 5.5 10 4x 2 x , : ( [ ] ) - _ . ; ſ K é µ grade (grade II-III 1-2 III device pump catheter
removed explanted guidance guided control A1-P2 P3 A2 severe mild moderate-to-severe life-threatening
attempted emergency Elective failed chronic units U bags sessions cycles courses of the ten one seven`)

// scanEdgeCases are written to sit on the edges of each reader.
var scanEdgeCases = []string{
	" was removed 72 hours later", ", device was then removed", " pump had been explanted", " catheter could be withdrawn",
	"  ,  is successfully decannulated", " wasremoved", " Was Finally Retrieved after 3 days", " device  were retrieved",
	" was performed", " , , the procedure was attempted", " it then was done.", " x y z was planned", " had been carried out",
	" has been Carried  Out", " was carried outside", " is unsuccessful", " was successfully", " was ſcheduled",
	" \u212a was planned", " é was planned", " was_planned", " was\tplanned", " were\nrecommended",
	" (grade 2)", "( grade III-IV)", " grade", " grade 2 edema", "(grade II)", " Grade III-IV", "  (  grade 1 - 2)",
	" grade IV,", "\tgrade 3", " grade iv mucositis", "\tGrade 1 - 2", " under guidance", " guided", "control", " controls",
	" A1-P2 ", "A1 - P3", "xA1-A2", "P2-A4", "a1-p2", " 72 hours later", " 3 d after", " 1.5 weeks postoperatively",
	" 2 days post-op-", " 2 days post-", " 4 yrs afterwards", " after 3 days", " after 3.5 h,", " after 3days", " after 3 daysx",
	" on day 5", " on postoperative day 3", " on post day 2", " on day 5a", " on  day  12.", " On Post-Op Day 1",
	" 5h later", " 5 hours  later", " 3. days later", " after 2.", "q8h", " q 12 h", " Q6H,", "every 8 hours", " every 2days",
	"mg/day", " mg /day", " b.i.d. then", " b.i.d.x", " t.i.d", " q.d.", "qd.", " per day", " as needed", " prn",
	" i.v.", " i.v.x", " iv,", " IVx", " orally.", " per os ", " s.c.", " nebulised", " nebulized", " subcutaneously",
	"first ", "a second Impella ", "two chest tubes ", "x-first ", "1first ", "_first ", "first  ", "first", "2nd ",
	"4 cycles of adjuvant chemotherapy ", "two doses of ", "6 injections of the drug ", "3 courses of R-CHOP x ",
	"3 infusions of intravenous immunoglobulin ", "2 cycles of été chimio ", "2 cycles of a1 b ", "2 cycles  of\tx-y\nz ", "4 cycles of 5 mg ", "2 doses of (x) y ", "2 doses of a,b ", "2 doses of µ- ",
	"(10 Doses OF ", "ten courses of a b c ", "2 cyclesof x ", " device was then removed", " were successfully  explanted,",
	" is eventually decannulated.", " pump is finally", " catheter  had been withdrawn", " device device was removed",
	" could be retrieved", " is then then removed", "   , ,was removedx", " was removed_",
	"2 units of ", "three sessions of the ", "x2 units of ", "(4 bags of  ", "ten U of the ", "2 units of the the ",
	"2 units  of\n", "2 unitsof ", "two-2 cycles of ", "a12 doses of ", "(12 doses of ", "Seven Courses OF THE ",
	"the first - ", "first second ", "third re-do ", "first Impella CP ", "additional\n", "another\tone\t",
}

// oddRunes are non-ASCII runes and broken UTF-8 set among the words of
// made-up windows: letters and non-letters beside routes and units, a
// no-break space, bytes cut from K and ſ.
var oddRunes = []string{"é", "µ", "µg/day", "°", "–", "\u00a0", "\xff", "\xe2\x84", "\xc5", "ivé", "éiv", "µiv", "iv°",
	"daysé", "éwas", "ǅ", "Ω", "\u212a", "wee\u212aly", "\u017f", "ca\u017fe"}

// madeUpWindows joins random vocabulary with random white space into n
// windows, the same ones on every run.
func madeUpWindows(n int) []string {
	r := rand.New(rand.NewPCG(7, 11))
	seps := []string{" ", " ", " ", "", "  ", "\n", "\t", ", ", "\v"}
	out := make([]string, 0, n)
	for len(out) < n {
		var b strings.Builder
		if r.IntN(4) == 0 {
			b.WriteString(seps[r.IntN(len(seps))])
		}
		for k := 1 + r.IntN(8); k > 0; k-- {
			if r.IntN(10) == 0 {
				b.WriteString(oddRunes[r.IntN(len(oddRunes))])
			}
			b.WriteString(scanVocabulary[r.IntN(len(scanVocabulary))])
			b.WriteString(seps[r.IntN(len(seps))])
		}
		out = append(out, b.String())
	}
	return out
}

// scanWindows are the windows the readers are compared on: made-up ones
// and, around every space and digit of the shared reports, the windows
// before and after it at the sizes the entity stage cuts.
func scanWindows(t *testing.T) (before, after []string) {
	made := madeUpWindows(20000)
	if raceDetector {
		made = made[:2000]
	}
	for _, c := range scanEdgeCases {
		made = append(made, c, strings.TrimSpace(c), strings.ToUpper(c))
	}
	before = append(before, made...)
	after = append(after, made...)
	for _, text := range withSharedReports(t, nil, 200, 20) {
		for i := 0; i < len(text); i++ {
			if text[i] != ' ' && !isDigit(text[i]) {
				continue
			}
			before = append(before, text[max(0, i-60):i+1], text[max(0, i-20):i])
			after = append(after, text[i:min(len(text), i+120)])
		}
	}
	return before, after
}

func submatch(m []string, i int) string {
	if m == nil {
		return ""
	}
	return m[i]
}

// Each reader must give what the regex it replaces gives, on every
// window; and each pre-check must never reject a window its regex matches.
func TestEntityReadersMatchTheirRegexes(t *testing.T) {
	before, after := scanWindows(t)
	matches := map[string]int{}
	check := func(name, w string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s(%q) = %q, the regex says %q", name, w, got, want)
		}
		if !reflect.ValueOf(want).IsZero() && want != -1 {
			matches[name]++
		}
	}
	for _, w := range before {
		check("ordinalBefore", w, ordinalBefore(w), submatch(ordinalRe.FindStringSubmatch(w), 1))
		check("countBefore", w, countBefore(w), countRe.FindStringSubmatchIndex(w))
		check("cyclesBefore", w, cyclesBefore(w), cyclesRe.FindStringSubmatchIndex(w))
		check("findRoute", w, findRoute(w), submatch(routeRe.FindStringSubmatch(w), 1))
		for _, set := range []*wordSet{severityWords, statusWords} {
			for n := 1; n <= 3; n++ {
				check("wordBefore", w, wordBefore(w, n, set), wordBeforeFields(w, n, set))
			}
		}
	}
	for _, w := range after {
		check("statusAfter", w, statusAfter(w), submatch(statusAfterRe.FindStringSubmatch(w), 1))
		wantEnd := -1
		if r := removalRe.FindStringSubmatchIndex(w); r != nil {
			wantEnd = r[1]
		}
		check("removalEnd", w, removalEnd(w), wantEnd)
		check("findFreq", w, findFreq(w), freqRe.FindString(w))
		check("findRoute", w, findRoute(w), submatch(routeRe.FindStringSubmatch(w), 1))
		m := timeAfterRe.FindStringSubmatch(w)
		var want []string
		switch {
		case m == nil:
		case m[1] != "":
			want = []string{m[0], m[1], m[2], "after"}
		case m[4] != "":
			want = []string{m[0], m[4], m[5], "after"}
		default:
			want = []string{m[0], m[6], "", "on_day"}
		}
		var got []string
		if match, num, unit, onDay, ok := timeAfter(w); ok {
			got = []string{match, num, unit, map[bool]string{false: "after", true: "on_day"}[onDay]}
		}
		check("timeAfter", w, got, want)
		for _, pre := range []struct {
			name string
			ok   bool
			want bool
		}{
			{"mayHavePosition", mayHavePosition(w), positionRe.MatchString(w)},
			{"mayBeRemoval", mayBeRemoval(w), removalRe.MatchString(w)},
			{"mayBeGuidance", mayBeGuidance(w), guidanceAfter.MatchString(w)},
			{"mayBeGradeAfter", mayBeGradeAfter(w), gradeAfterRe.MatchString(w)},
			{"timeWords", mayContainFold(w, timeWords), timeAfterRe.MatchString(w)},
		} {
			if pre.want {
				matches[pre.name]++
				if !pre.ok {
					t.Errorf("%s rejects %q, which its regex matches", pre.name, w)
				}
			}
		}
	}
	t.Logf("%d windows before, %d after; matches: %v", len(before), len(after), matches)
	for _, name := range []string{"ordinalBefore", "countBefore", "cyclesBefore", "removalEnd", "findRoute", "wordBefore", "statusAfter", "findFreq", "timeAfter",
		"mayHavePosition", "mayBeRemoval", "mayBeGuidance", "mayBeGradeAfter", "timeWords"} {
		if matches[name] < 20 {
			t.Errorf("%s: only %d matches, too few to prove anything", name, matches[name])
		}
	}
}

// isDoseGap reads the gap between a drug's name and its dose, and
// dropFreqs and isDoseContinuation the gap between two of its doses; the
// gaps are the real ones of the shared reports (every quantity after a
// drug, every quantity after another) and made-up ones.
func TestDoseGapReadersMatchTheirRegexes(t *testing.T) {
	gaps := madeUpWindows(30000)
	gaps = append(gaps, "", " ", " at ", " was started at a dose of ", " (i.v.) ", "i.v.x", " i.v. ", "ofthe",
		" sustained-release ", "-release ", " high-dose", " ſodium ", " é ", "Dose:", " DOSE [",
		" daily for 1 month, ", " for 2 weeks then ", "3.5 days, ", " for 4 months; ", " 4 monthsx ", " 2. days",
		" followed by ", " followed  by ", " twice daily, then ", "q8h to ", " every 6 hours and ", " daily daily ")
	var continued []string
	if texts := sharedReports(t, bulkReports, 1500); texts != nil {
		_, ins := entityInputs(t, texts)
		for _, in := range ins {
			for _, m := range in.ms {
				for _, q := range in.qs {
					if q.Start >= m.end && q.Start-m.end <= 70 {
						gaps = append(gaps, dropParentheticals(in.t[m.end:q.Start]))
					}
				}
			}
			for i := 1; i < len(in.qs); i++ {
				if p, q := in.qs[i-1], in.qs[i]; p.End <= q.Start && q.Start-p.End <= 60 {
					continued = append(continued, in.t[p.End:q.Start])
				}
			}
		}
	}
	n, nc := 0, 0
	for _, g := range gaps {
		want := doseGapRe.MatchString(g)
		if got := isDoseGap(g); got != want {
			t.Errorf("isDoseGap(%q) = %v, the regex says %v", g, got, want)
		}
		if want {
			n++
		}
	}
	for _, g := range append(continued, gaps...) {
		dropped := freqRe.ReplaceAllString(g, " ")
		if got := dropFreqs(g); got != dropped {
			t.Errorf("dropFreqs(%q) = %q, the regex says %q", g, got, dropped)
		}
		want := doseContinues.MatchString(dropped)
		if got := isDoseContinuation(dropped); got != want {
			t.Errorf("isDoseContinuation(%q) = %v, the regex says %v", dropped, got, want)
		}
		if want {
			nc++
		}
	}
	t.Logf("%d gaps, %d dose gaps; %d gaps between quantities, %d continuations", len(gaps), n, len(continued), nc)
	if n < 50 || n == len(gaps) || nc < 50 || nc == len(gaps)+len(continued) {
		t.Fatalf("%d of %d gaps match, %d continue: the comparison proves nothing", n, len(gaps), nc)
	}
}

func TestContainsFoldASCIIAndIsASCII(t *testing.T) {
	windows := append(madeUpWindows(3000), "", "g", "grad", "grade", "GRADE", "xgRaDe", "gradgrade", "ggrade", "gradé",
		"for", "FOR", "fo", "f", "ffor", "fOr ", "Grade\u00e9", "\u00e9grade")
	for _, w := range windows {
		lw := strings.Map(func(r rune) rune {
			if r < utf8.RuneSelf {
				return rune(asciiLower[r])
			}
			return r
		}, w)
		for _, word := range []string{"grade", "for", "g"} {
			if got, want := containsFoldASCII(w, word), strings.Contains(lw, word); got != want {
				t.Errorf("containsFoldASCII(%q, %q) = %v, want %v", w, word, got, want)
			}
		}
		want := true
		for i := 0; i < len(w); i++ {
			want = want && w[i] < utf8.RuneSelf
		}
		if got := isASCII(w); got != want {
			t.Errorf("isASCII(%q) = %v", w, got)
		}
	}
	for n := 0; n < 20; n++ { // a non-ASCII byte at every place of every length
		for at := 0; at < n; at++ {
			b := []byte(strings.Repeat("a", n))
			b[at] = 0xC3
			if isASCII(string(b)) {
				t.Errorf("isASCII(%q) = true", b)
			}
		}
		if !isASCII(strings.Repeat("a", n)) {
			t.Errorf("isASCII of %d a's = false", n)
		}
	}
}

func TestDropParenthesesMatchesItsRegex(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 5))
	parts := []string{"(", ")", "[", "]", "a", "bc ", "é", "µg", "\n", "\xff", strings.Repeat("x", 40), strings.Repeat("é", 30)}
	cases := []string{"", "()", "[]", "(a)", "(a", "a)", "((a))", "[(a)]", "(" + strings.Repeat("a", 80) + ")",
		"(" + strings.Repeat("a", 81) + ")", "(" + strings.Repeat("é", 80) + ")", "(" + strings.Repeat("é", 81) + ")",
		"[" + strings.Repeat("a", 80) + "]", "[" + strings.Repeat("a", 81) + "]", "(a)(b)", "(a) [b] (c"}
	for len(cases) < 20000 {
		var b strings.Builder
		for k := r.IntN(12); k > 0; k-- {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		cases = append(cases, b.String())
	}
	changed := 0
	for _, c := range cases {
		want := parenthetical.ReplaceAllString(c, " ")
		if got := dropParentheticals(c); got != want {
			t.Errorf("dropParentheticals(%q) = %q, the regex says %q", c, got, want)
		}
		if want != c {
			changed++
		}
	}
	if changed < 1000 {
		t.Fatalf("only %d of %d texts hold a bracket to drop", changed, len(cases))
	}
}

func TestHasFoldRune(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{{"", false}, {"abc", false}, {"ſ", true}, {"xſ", true}, {"\u212a", true}, {"a\u212a", true}, {"\xc5", false},
		{"\xe2\x84", false}, {"\xe2\x84\xab", false}, {"Ŀ–ſ", true}, {"– \u212a", true}, {"é–µ", false}} {
		if got := hasFoldRune(c.s); got != c.want {
			t.Errorf("hasFoldRune(%q) = %v", c.s, got)
		}
	}
}

// wordBefore reads the words in one pass from the mention back: the
// farthest word of the set wins, and a word that is not letters and
// hyphens between it and the mention makes it "" even when a nearer word
// is in the set.
func TestWordBeforeEdges(t *testing.T) {
	for _, w := range []string{"mild 2cm severe ", "severe mild ", "mild severe", "Mild-to-moderate  acute\n",
		"mild, severe ", "mild (severe) ", "a b c mild ", "mild a b c ", "MILD 3x ", "x mild 3x severe ", "", "   ", "\n",
		"mild\tsevere\v", "sévère mild ", "mild sévère ", "severe massive-2 ", "elective failed", "planned attempted "} {
		for _, set := range []*wordSet{severityWords, statusWords} {
			for n := 1; n <= 5; n++ {
				if got, want := wordBefore(w, n, set), wordBeforeFields(w, n, set); got != want {
					t.Errorf("wordBefore(%q, %d) = %q, want %q", w, n, got, want)
				}
			}
		}
	}
	if got := wordBefore("mild 2cm severe ", 3, severityWords); got != "" {
		t.Errorf("a number between: %q, want none", got)
	}
	if got := wordBefore("mild acute ", 3, severityWords); got != "mild" {
		t.Errorf("the farthest: %q, want mild", got)
	}
}
