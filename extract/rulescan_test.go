package extract

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/clinex/clinex/patterns"
)

// The scanner must find what the regex finds, match for match and group
// for group, for every built-in rule and for patterns made to hit its
// corner cases (anchors, \B, empty matches, a class that takes any rune).
// scannerCases returns the built-in rules, the protect pattern and
// patterns made to hit the scanner's corner cases (anchors, \b and \B,
// empty matches, case folding out of ASCII, a class that takes any rune),
// with made-up texts for the corners followed by shared reports.
func scannerCases(t *testing.T) ([]*regexp.Regexp, []string) {
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
		`(?:\b[A-Z]{2,})?\d+`, `é\d`, `(?i)(?:x|\bab)\d`, `\d+\b|\bq`,
		`x\d+$`, `(?m)x\d$`, `(?s)a.b`, `a[^\n]b`, `\bcla\B\w+`, `(?i)stra(?:ß|ss)e`, `(?i)\bkm\b`, `\d+ ?\S`} {
		res = append(res, regexp.MustCompile(src))
	}
	texts := append([]string{"KAPPA 3 kappa, \u212aappa 5; ſtuff 2 Stuff; classic 1 class2 ss3; é5 ȩ5 a\xffb5 \xe9 7",
		"x1\nx2 ab3 cab4 AB5 12 q 3q TEST99 zz-7",
		"STRASSE Straẞe straße a\nb a\x80b aéb 5 \u212aM km KM5 classy x12\n"}, prefilterTexts(t)...)
	return res, texts
}

func TestRuleScannerMatchesRegexp(t *testing.T) {
	res, texts := scannerCases(t)
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
	if fast < len(res)/2 {
		t.Errorf("only %d of %d patterns take the fast path: the comparison proves little", fast, len(res))
	}
}

// The filters findAll runs before the regexp (first byte, byte pairs,
// prefix classes, mayStart) may only turn away starts where the regexp,
// run as findAll runs it, finds no match: checked at every start of every
// window, for each filter on its own.
func TestRuleScannerFiltersKeepEveryMatch(t *testing.T) {
	res, texts := scannerCases(t)
	sample := 60
	if raceDetector {
		sample = 6
	}
	sim := new(simScratch)
	tried, turned, firstPassed, pairTurned := 0, 0, 0, 0
	for _, re := range res {
		sc := newRuleScanner(re)
		if !sc.fast {
			continue
		}
		sc.ready()
		anchored := regexp.MustCompile(`^(?:` + sc.src + `)`)
		afterOne := regexp.MustCompile(`^(?s:.)(?:` + sc.src + `)`)
		for _, text := range texts[:min(len(texts), sample)] {
			for start := 0; start < len(text); start += 97 {
				w := text[start:min(len(text), start+250)]
				for c := 0; c < len(w); c++ {
					behind := c > 0 && sc.wordAssert && isASCIIWordByte(w[c-1])
					before := rune(-1)
					var m []int
					if behind {
						before = rune(w[c-1])
						m = afterOne.FindStringIndex(w[c-1:])
					} else {
						m = anchored.FindStringIndex(w[c:])
					}
					first, pair := sc.first[w[c]], sc.pairFits(w, c)
					prefix, may := sc.prefixFits(w, c), sc.mayStart(sim, w, c, before)
					pass := first && pair && prefix && may
					tried++
					if !pass {
						turned++
					}
					if first {
						firstPassed++
						if !pair {
							pairTurned++
						}
					}
					if m != nil && !pass {
						t.Fatalf("%s: a match starts at %d of %q but the filters turn it away (first %v, pair %v, prefix %v, mayStart %v)",
							re, c, w, first, pair, prefix, may)
					}
				}
			}
		}
	}
	t.Logf("%d starts, %d turned away; of %d first bytes let through, the pairs turn away %d", tried, turned, firstPassed, pairTurned)
	if turned == 0 {
		t.Error("the filters turned nothing away: the check proves little")
	}
	// two thirds on the full sample, under half on the race detector's
	if pairTurned < firstPassed/4 {
		t.Errorf("the byte pairs turn away only %d of the %d starts the first byte lets through: the check proves little", pairTurned, firstPassed)
	}
}

// Workers share a rule's scanner and its DFA, which they build as they go:
// run concurrently (and under -race in CI), they must find what one finds.
func TestRuleScannerShared(t *testing.T) {
	res, texts := scannerCases(t)
	texts = texts[:min(len(texts), 40)]
	for _, re := range res[:min(len(res), 12)] {
		sc := newRuleScanner(re)
		want := make([][][]int, len(texts))
		for i, text := range texts {
			want[i] = re.FindAllStringSubmatchIndex(text, -1)
		}
		errs := make(chan string, 4)
		for g := range 4 {
			go func() {
				for k := range texts {
					i := (k + g*7) % len(texts) // each worker in its own order
					if got := sc.findAll(texts[i]); !reflect.DeepEqual(got, want[i]) {
						errs <- fmt.Sprintf("%s on text %d: got %v, want %v", re, i, got, want[i])
						return
					}
				}
				errs <- ""
			}()
		}
		for range 4 {
			if e := <-errs; e != "" {
				t.Fatal(e)
			}
		}
	}
}

// A rule whose DFA is full steps threads instead, and finds the same.
func TestRuleScannerFullDFA(t *testing.T) {
	res, texts := scannerCases(t)
	texts = texts[:min(len(texts), 40)]
	for _, re := range res {
		sc := newRuleScanner(re)
		if !sc.fast {
			continue
		}
		sc.ready()
		for i := 0; len(sc.dfa.states) < maxDFAStates; i++ {
			sc.dfa.states[fmt.Sprint("filler", i)] = new(dfaState)
		}
		for _, text := range texts {
			if got, want := sc.findAll(text), re.FindAllStringSubmatchIndex(text, -1); !reflect.DeepEqual(got, want) {
				t.Fatalf("%s with a full DFA: got %v, want %v", re, got, want)
			}
		}
	}
}

// TestGroupByRule checks the counting sort of appendRules' windows against
// the sort by rule and start it replaced: the same rules in the same
// order, and each rule's windows merged the same.
func TestGroupByRule(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	sc := new(ruleScratch)
	for round := range 500 {
		rules := 1 + rng.IntN(40)
		windows := make([]ruleWindow, rng.IntN(60))
		for i := range windows {
			lo := rng.IntN(500)
			windows[i] = ruleWindow{rng.IntN(rules), [2]int{lo, lo + rng.IntN(250)}}
		}
		sorted := slices.Clone(windows)
		slices.SortFunc(sorted, func(a, b ruleWindow) int {
			if a.rule != b.rule {
				return a.rule - b.rule
			}
			return a.span[0] - b.span[0]
		})
		grouped := groupByRule(sc, windows, rules)
		if len(grouped) != len(sorted) {
			t.Fatalf("round %d: %d windows grouped, %d sorted", round, len(grouped), len(sorted))
		}
		for i := 0; i < len(sorted); {
			r := sorted[i].rule
			j := i
			for j < len(sorted) && sorted[j].rule == r {
				j++
			}
			var want, got [][2]int
			for k := i; k < j; k++ {
				if grouped[k].rule != r {
					t.Fatalf("round %d: window %d of rule %d, want rule %d", round, k, grouped[k].rule, r)
				}
				want, got = append(want, sorted[k].span), append(got, grouped[k].span)
			}
			if w, g := mergeWindows(want), mergeWindows(got); !slices.Equal(w, g) {
				t.Fatalf("round %d rule %d: merged %v, want %v", round, r, g, w)
			}
			i = j
		}
	}
}

// TestRuleGroups checks the capture indexes kept per rule against the
// rule's own lookups, which appendRuleCandidates made for every match.
func TestRuleGroups(t *testing.T) {
	e := configExtractor(t)
	withNamed := 0
	for ri, r := range e.set.Rules {
		g := e.ruleScan[ri].groups
		for name, got := range map[string]int{"unit": g.unit, "op": g.op, "label": g.label, "value_max": g.valueMax} {
			if want := r.Group(name); got != want {
				t.Errorf("rule %s: group %q at %d, want %d", r.ID, name, got, want)
			}
		}
		outputs := r.Outputs
		if len(outputs) == 0 {
			outputs = []patterns.Output{{Concept: r.Concept, Label: r.Label, Category: r.Category, Group: "value"}}
		}
		if !reflect.DeepEqual(g.outputs, outputs) || len(g.output) != len(outputs) {
			t.Fatalf("rule %s: outputs %+v (groups %v), want %+v", r.ID, g.outputs, g.output, outputs)
		}
		for i, o := range outputs {
			if want := r.Group(o.Group); g.output[i] != want {
				t.Errorf("rule %s output %d: group %d, want %d", r.ID, i, g.output[i], want)
			}
			if g.output[i] > 0 {
				withNamed++
			}
		}
	}
	if withNamed == 0 {
		t.Fatal("no rule output has a group: the check saw nothing")
	}
}

// The values of each configured map rule, looked up as the rule's map
// was at every match: its own values in other cases and spacing, and
// texts it does not list.
func TestRuleGroupsMapValue(t *testing.T) {
	e := configExtractor(t)
	checked := 0
	for ri, r := range e.set.Rules {
		if len(r.Values) == 0 {
			continue
		}
		g := &e.ruleScan[ri].groups
		var texts []string
		for k, vs := range r.Values {
			texts = append(texts, k, k+"x", "")
			for _, v := range vs {
				texts = append(texts, v, strings.ToUpper(v), " "+strings.ToUpper(v[:len(v)/2])+v[len(v)/2:]+"\t", v+"s", v[:len(v)/2])
			}
		}
		for _, text := range texts {
			gv, gok := g.mapValue(text)
			wv, wok := mapValue(r.Values, text)
			if gv != wv || gok != wok {
				t.Fatalf("rule %s, %q: %v %v, want %v %v", r.ID, text, gv, gok, wv, wok)
			}
			if gok {
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no configured rule maps a value: the check saw nothing")
	}
	t.Logf("%d texts found a key", checked)
}

// The sentence cursor against SentenceAt on shared reports' layouts, for
// the keyword hits' starts in their order, in reverse and at random.
func TestSentenceCursor(t *testing.T) {
	e := configExtractor(t)
	rng := rand.New(rand.NewPCG(3, 3))
	looked := 0
	for _, in := range stageInputs(t, e, 200) {
		var ps []int
		for _, h := range in.hits {
			ps = append(ps, h.start)
		}
		n := len(ps)
		for k := n - 1; k >= 0; k-- {
			ps = append(ps, ps[k])
		}
		for range n {
			ps = append(ps, rng.IntN(len(in.t)+2)-1)
		}
		c := sentenceCursor{ss: in.L.Sentences}
		for _, p := range ps {
			if got, want := c.at(p), in.L.SentenceAt(p); got != want {
				t.Fatalf("sentence at %d: %d, want %d", p, got, want)
			}
			looked++
		}
	}
	if looked == 0 {
		t.Fatal("no place looked up")
	}
}
