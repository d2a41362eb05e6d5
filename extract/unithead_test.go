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
	full := func(s string) (string, int) {
		if len(s) > 64 {
			s = s[:64]
		}
		if s == "" {
			return "", 0
		}
		for _, syn := range um.byFirst[lowerByte(s[0])] {
			if n := matchSyn(syn, s); n > 0 {
				return syn.unit.Code, n
			}
		}
		return "", 0
	}
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
