package clinex_test

import (
	"testing"

	"github.com/clinex/clinex/patterns"
)

// Every example of every built-in rule and lexicon entry passes through the
// whole pipeline, and the keyword prefilter fires on every positive one.
func TestBuiltInPatternExamples(t *testing.T) {
	eng := testEngine(t)
	if probs := eng.Extractor.CheckExamples(); len(probs) > 0 {
		for _, p := range probs {
			t.Error(p)
		}
	}
	n := 0
	// fires checks that the prefilter would run a rule or entry on each
	// of its positive examples: a rule that passes its examples yet never
	// runs would be a rule no test can catch.
	fires := func(id string, src patterns.Source, ex []patterns.Expect) {
		if len(ex) == 0 {
			t.Errorf("%s: no examples that must match", id)
		}
		for _, e := range ex {
			n++
			if !eng.Extractor.PrefilterHits(e.Text)[id] {
				t.Errorf("%s:%d: %s: the prefilter does not fire on %q", src.File, e.Line, id, e.Text)
			}
		}
	}
	for _, r := range eng.Patterns.Rules {
		fires(r.ID, r.Source, r.Examples.Match)
	}
	for _, a := range eng.Patterns.Analytes {
		fires(a.ID, a.Source, a.Examples.Match)
	}
	for _, en := range eng.Patterns.Entities {
		fires(en.ID, en.Source, en.Examples.Match)
	}
	t.Logf("%d rules, %d analytes, %d entities, %d cues, %d positive examples", len(eng.Patterns.Rules),
		len(eng.Patterns.Analytes), len(eng.Patterns.Entities), len(eng.Patterns.Cues), n)
	concepts := map[string]string{}
	labs := 0
	for _, a := range eng.Patterns.Analytes {
		concepts[a.Concept] = a.Category
		if a.Category == "lab" {
			labs++
		}
	}
	for _, r := range eng.Patterns.Rules {
		concepts[r.Concept] = r.Category
	}
	perCategory := map[string]int{}
	for _, e := range eng.Patterns.Entities {
		perCategory[e.Category]++
	}
	for cat, min := range map[string]int{"medication": 400, "device": 80, "procedure": 150, "condition": 300} {
		if perCategory[cat] < min {
			t.Errorf("%d %s entries, want at least %d", perCategory[cat], cat, min)
		}
	}
	t.Logf("lexicon entries: %v", perCategory)
	if labs < 40 {
		t.Errorf("only %d lab analytes; at least 40 are needed", labs)
	}
	for _, c := range []string{"heart_rate", "systolic_bp", "diastolic_bp", "mean_arterial_pressure", "spo2",
		"respiratory_rate", "temperature", "weight", "height", "bmi", "hemoglobin", "hematocrit", "pao2", "paco2",
		"ph", "lactate", "creatinine", "troponin", "bnp", "nt_probnp", "wbc", "platelets", "inr", "sodium",
		"potassium", "glucose", "crp", "bilirubin", "alt", "ast", "euroscore_ii", "sts_score", "nyha_class",
		"killip_class", "lvef", "gcs", "sofa", "apache_ii", "cha2ds2_vasc", "has_bled", "age", "sex"} {
		if _, ok := concepts[c]; !ok {
			t.Errorf("no rule or lexicon entry gives concept %s", c)
		}
	}
}
