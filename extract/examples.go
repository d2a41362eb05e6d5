package extract

import (
	"fmt"
	"math"
	"strings"

	"github.com/clinex/clinex/patterns"
)

// CheckExamples runs every rule's and lexicon entry's examples through the
// whole pipeline: each `match` example must yield a finding from that rule
// with the expected concept, value and unit, and each `no_match` example
// must yield none from it. The problems name the example's file and line.
func (e *Extractor) CheckExamples() patterns.Problems {
	return e.CheckExamplesOf(func(patterns.Source) bool { return true })
}

// ExampleResult is how one rule or entry fared on its examples.
type ExampleResult struct {
	ID                     string
	Source                 patterns.Source
	Match, MatchFailed     int
	NoMatch, NoMatchFailed int
	Problems               patterns.Problems
}

// RunExamples runs the examples of the rules, entries and cues that `which`
// selects and reports per id; `clinex patterns test` prints it and the
// project's tests call it on the built-in patterns.
func (e *Extractor) RunExamples(which func(patterns.Source) bool) []ExampleResult {
	var out []ExampleResult
	add := func(id string, src patterns.Source, nMatch, nNo int, probs patterns.Problems) {
		r := ExampleResult{ID: id, Source: src, Match: nMatch, NoMatch: nNo, Problems: probs}
		for _, p := range probs {
			if strings.HasPrefix(p.Message, "no_match") {
				r.NoMatchFailed++
			} else {
				r.MatchFailed++
			}
		}
		out = append(out, r)
	}
	for _, r := range e.set.Rules {
		if which(r.Source) {
			concept := r.Concept
			if len(r.Outputs) > 0 {
				concept = r.Outputs[0].Concept
			}
			add(r.ID, r.Source, len(r.Examples.Match), len(r.Examples.NoMatch), e.checkExamples(r.ID, concept, r.Source, r.Examples))
		}
	}
	for _, a := range e.set.Analytes {
		if which(a.Source) {
			concept := a.Concept
			if len(a.Pair) == 2 {
				concept = a.Pair[0]
			}
			add(a.ID, a.Source, len(a.Examples.Match), len(a.Examples.NoMatch), e.checkExamples(a.ID, concept, a.Source, a.Examples))
		}
	}
	for _, en := range e.set.Entities {
		if which(en.Source) {
			add(en.ID, en.Source, len(en.Examples.Match), len(en.Examples.NoMatch), e.checkExamples(en.ID, en.Concept, en.Source, en.Examples))
		}
	}
	for _, c := range e.set.Cues {
		if which(c.Source) {
			add(c.ID, c.Source, len(c.Examples.Match), len(c.Examples.NoMatch), e.checkCueExamples(c))
		}
	}
	return out
}

// CheckExamplesOf runs the examples of the rules and entries that `which`
// selects. At start-up clinex runs those of the user's own pattern folders:
// the embedded ones are proven by the test suite, and running their four
// thousand examples on every start would cost half a second.
func (e *Extractor) CheckExamplesOf(which func(patterns.Source) bool) patterns.Problems {
	var probs patterns.Problems
	for _, r := range e.RunExamples(which) {
		probs = append(probs, r.Problems...)
	}
	return probs
}

// checkCueExamples: in each match example the finding whose evidence holds
// the target gets the cue's setting (a cancel cue: not the settings it
// cancels); in a no_match example it does not.
func (e *Extractor) checkCueExamples(c *patterns.Cue) patterns.Problems {
	var probs patterns.Problems
	check := func(ex patterns.CueExample, want bool, kind string, i int) {
		doc := e.Extract("example", ex.Text)
		var f *Finding
		for k := range doc.Findings {
			if strings.Contains(doc.Findings[k].Text, ex.Target) {
				f = &doc.Findings[k]
				break
			}
		}
		line := ex.Line
		if line == 0 {
			line = c.Source.Line
		}
		if f == nil {
			probs = append(probs, patterns.Problem{File: c.Source.File, Line: line, ID: c.ID,
				Message: fmt.Sprintf("%s example %d %q: no finding holds %q", kind, i+1, ex.Text, ex.Target)})
			return
		}
		got := f.Assertion == c.Sets || f.Subject == c.Sets
		if c.Sets == "cancel" {
			got = true
			for _, k := range c.Cancels {
				if f.Assertion == k || f.Subject == k {
					got = false
				}
			}
		}
		if got != want {
			probs = append(probs, patterns.Problem{File: c.Source.File, Line: line, ID: c.ID,
				Message: fmt.Sprintf("%s example %d %q: %q came out %s/%s", kind, i+1, ex.Text, ex.Target, f.Assertion, f.Subject)})
		}
	}
	for i, ex := range c.Examples.Match {
		check(ex, true, "match", i)
	}
	for i, ex := range c.Examples.NoMatch {
		check(ex, false, "no_match", i)
	}
	return probs
}

func (e *Extractor) checkExamples(id, concept string, src patterns.Source, ex patterns.Examples) patterns.Problems {
	var probs patterns.Problems
	for i, m := range ex.Match {
		want := m.Concept
		if want == "" {
			want = concept
		}
		doc := e.Extract("example", m.Text)
		var got []string
		ok := false
		for _, f := range doc.Findings {
			if f.Rule != id {
				continue
			}
			got = append(got, describe(f))
			if f.Concept == want && valueMatches(f, m) {
				ok = true
			}
		}
		if !ok {
			line := m.Line
			if line == 0 {
				line = src.Line
			}
			msg := fmt.Sprintf("match example %d %q: expected %s", i+1, m.Text, expectation(want, m))
			if len(got) == 0 {
				msg += ", but the rule found nothing"
			} else {
				msg += ", got " + strings.Join(got, "; ")
			}
			probs = append(probs, patterns.Problem{File: src.File, Line: line, Col: m.Col, ID: id, Message: msg})
		}
	}
	for i, text := range ex.NoMatch {
		doc := e.Extract("example", text)
		for _, f := range doc.Findings {
			if f.Rule == id {
				line := src.Line
				if i < len(ex.NoMatchLines) {
					line = ex.NoMatchLines[i]
				}
				probs = append(probs, patterns.Problem{File: src.File, Line: line, ID: id,
					Message: fmt.Sprintf("no_match example %d %q: the rule found %s", i+1, text, describe(f))})
				break
			}
		}
	}
	return probs
}

func describe(f Finding) string {
	s := fmt.Sprintf("%s=%s", f.Concept, f.Value.String())
	if f.ValueMax != nil {
		s += "-" + FormatNumber(*f.ValueMax)
	}
	if f.Unit != "" {
		s += " " + f.Unit
	}
	return s + fmt.Sprintf(" (%q)", f.Text)
}

func expectation(concept string, m patterns.Expect) string {
	s := concept
	if m.Value != nil {
		s += fmt.Sprintf("=%v", m.Value)
	}
	if m.ValueMax != nil {
		s += "-" + FormatNumber(*m.ValueMax)
	}
	if m.Unit != nil {
		s += " " + *m.Unit
	}
	return s
}

func valueMatches(f Finding, m patterns.Expect) bool {
	switch v := m.Value.(type) {
	case nil:
	case int:
		if !f.Value.IsNum() || math.Abs(f.Value.Num-float64(v)) > 1e-9 {
			return false
		}
	case float64:
		if !f.Value.IsNum() || math.Abs(f.Value.Num-v) > 1e-9 {
			return false
		}
	case string:
		if f.Value.Kind != StrValue || f.Value.Str != v {
			return false
		}
	default:
		return false
	}
	if m.ValueMax != nil && (f.ValueMax == nil || math.Abs(*f.ValueMax-*m.ValueMax) > 1e-9) {
		return false
	}
	if m.Unit != nil && f.Unit != *m.Unit {
		return false
	}
	return true
}

// PrefilterHits returns the ids of the rules and lexicon entries whose
// keywords, synonyms or abbreviations the prefilter finds in text: the
// ones that would run on it. A rule that passes its examples yet never
// fires would be a rule that tests cannot catch; this lets a test check.
func (e *Extractor) PrefilterHits(text string) map[string]bool {
	n := Normalize(text, e.seg.Lines())
	ids := map[string]bool{}
	for _, m := range e.ac.appendHits(nil, n.Text) {
		for _, tg := range e.acTargets[m.pat] {
			switch {
			case tg.rule >= 0:
				ids[e.set.Rules[tg.rule].ID] = true
			case tg.analyte >= 0 || tg.entity >= 0:
				if !wordBounded(n.Text, m.start, m.end) || (tg.exact != "" && n.Text[m.start:m.end] != tg.exact) {
					continue
				}
				if tg.analyte >= 0 {
					ids[e.set.Analytes[tg.analyte].ID] = true
				} else {
					ids[e.set.Entities[tg.entity].ID] = true
				}
			}
		}
	}
	return ids
}
