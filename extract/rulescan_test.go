package extract

import (
	"reflect"
	"regexp"
	"testing"

	"github.com/clinex/clinex/patterns"
)

// The scanner must find what the regex finds, match for match and group
// for group, for every built-in rule and for patterns made to hit its
// corner cases (anchors, \B, empty matches, a class that takes any rune).
func TestRuleScannerMatchesRegexp(t *testing.T) {
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		t.Fatal(err)
	}
	res := []*regexp.Regexp{}
	for _, r := range set.Rules {
		res = append(res, r.Re)
	}
	// the built-in protect pattern (figure references, DOIs, citations)
	res = append(res, regexp.MustCompile(`(?i)\b(?:figures?|figs?\.?|tables?|videos?|movies?|panels?|supplementary\s+(?:figures?|tables?|videos?|data|material))\s*S?\d+[a-z]?(?:\s*(?:,|and|-|to|&)\s*S?\d+[a-z]?)*|https?://\S+|\bdoi:?\s*\S+|\b10\.\d{4,9}/\S+|\[\d+(?:\s*[,-]\s*\d+)*\]|\bref(?:erence)?s?\.?\s*\d+`))
	for _, src := range []string{`(?i)\bkappa\b`, `\Bss\d`, `^\d+`, `(?m)^x\d`, `\d*`, `[^\pL]\d`, `(?i)\bſt\w+`,
		`(?:\b[A-Z]{2,})?\d+`, `é\d`, `(?i)(?:x|\bab)\d`, `\d+\b|\bq`} {
		res = append(res, regexp.MustCompile(src))
	}
	texts := append([]string{"KAPPA 3 kappa, \u212aappa 5; ſtuff 2 Stuff; classic 1 class2 ss3; é5 ȩ5 a\xffb5 \xe9 7",
		"x1\nx2 ab3 cab4 AB5 12 q 3q TEST99 zz-7"}, prefilterTexts(t)...)
	fast, windows := 0, 0
	sample := 150
	if raceDetector {
		sample = 15
	}
	for _, re := range res {
		sc := newRuleScanner(re)
		if sc.fast {
			fast++
		}
		for _, text := range texts[:min(len(texts), sample)] {
			for start := 0; start < len(text); start += 53 {
				w := text[start:min(len(text), start+250)]
				windows++
				if got, want := sc.findAll(w), re.FindAllStringSubmatchIndex(w, -1); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s on %q:\n got %v\nwant %v", re, w, got, want)
				}
			}
		}
	}
	t.Logf("%d patterns (%d scanned by first byte), %d windows each", len(res), fast, windows/len(res))
	if fast < len(set.Rules)/2 {
		t.Errorf("only %d of %d patterns take the fast path: the comparison proves little", fast, len(res))
	}
}
