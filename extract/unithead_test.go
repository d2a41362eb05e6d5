package extract

import (
	"strings"
	"testing"
)

// The head test only skips synonyms that cannot match: on texts where
// spaces, line breaks and slashes mix, Match finds what matchSyn finds
// walking every synonym of the first byte.
func TestUnitHeadSkipsOnlyMisses(t *testing.T) {
	um := testScanner(t).units
	full := func(s string) (string, int) { return walkAllSynonyms(um, s) }
	var texts []string
	for _, l := range um.byFirst {
		for _, syn := range l {
			// every way matchSyn lets a text differ from the synonym
			for _, sp := range []string{" ", "  ", "\n", " \n ", ""} {
				v := strings.ReplaceAll(syn.text, "/", sp+"/"+sp)
				v = strings.ReplaceAll(v, " ", sp+" ")
				texts = append(texts, v, strings.ToUpper(v), v+" of", v+"x", " "+v, "\n"+v)
			}
		}
	}
	texts = append(texts, "", " ", "/", " / ", "mg /dL", "mg/ dL", "mg \n/dL", "mg/\ndL", "/ min", " /min", "mg", "m", "µ", "µg")
	found := 0
	for _, s := range texts {
		if s != "" && (s[0] == 'x' || s[0] == '*' || s[0] == '1' || strings.HasPrefix(s, "×")) {
			continue // the power-of-ten units, matched before the synonyms
		}
		wantCode, wantN := full(s)
		u, code, n := um.Match(s)
		if code != wantCode || n != wantN || (u == nil) != (wantCode == "") {
			t.Fatalf("Match(%q) = %q, %d; all synonyms %q, %d", s, code, n, wantCode, wantN)
		}
		if wantCode != "" {
			found++
		}
	}
	t.Logf("%d texts, %d units", len(texts), found)
	if found < 1000 {
		t.Fatalf("only %d units found: the comparison proves little", found)
	}
}

// tensFollow only turns away texts the power-of-ten regexp does not match.
func TestTensFollowOnlySkipsMisses(t *testing.T) {
	um := testScanner(t).units
	windows := []string{"", "x", "x10^9/L", "x 10^9/L", "x\t\n10", "*10", "* 10e9", "×10⁹/L", "× 103/µL", "×\f10", "10^9/L",
		"1 0", "x1 0", "xx 10", "x 2 cm", "1", "10", "×", "\v10", "x\v10", "1e9", "x 1O"}
	for _, text := range matcherTexts(t) {
		for i := 1; i < len(text); i++ {
			if isDigit(text[i-1]) && !isDigit(text[i]) {
				w := text[skipSpaces(text, i):]
				windows = append(windows, w[:min(len(w), 64)])
			}
		}
	}
	matched := 0
	for _, w := range windows {
		gate := w != "" && (w[0] == 'x' || w[0] == '*' || w[0] == '1' || strings.HasPrefix(w, "×"))
		re := gate && um.expRe.MatchString(w)
		if re && !tensFollow(w) {
			t.Fatalf("tensFollow(%q) = false; the regexp matches", w)
		}
		if tensFollow(w) && !gate {
			t.Fatalf("tensFollow(%q) = true outside the old gate", w)
		}
		if re {
			matched++
		}
	}
	t.Logf("%d windows, %d powers of ten", len(windows), matched)
	if matched < enough(20) {
		t.Fatalf("only %d powers of ten: the comparison proves little", matched)
	}
}
