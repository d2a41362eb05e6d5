package patterns

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

func TestKeywordsAtWordStartProblemsNameFileLineAndRule(t *testing.T) {
	yml := `rules:
  - id: lab.bad_start
    category: lab
    concept: bad_start
    keywords: [ef, "%ef"]
    keywords_at_word_start: true
    pattern: '\bef(?P<value>\d+)'
    examples:
      match:
        - {text: "ef12", value: 12}
        - {text: "xef12", value: 12}
`
	_, err := Load(Layer{Name: "user", FS: fstest.MapFS{"r.yaml": {Data: []byte(yml)}}})
	var ps Problems
	if !errors.As(err, &ps) {
		t.Fatalf("Load: %v, want Problems", err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	for _, want := range []string{
		`r.yaml:5:`, `lab.bad_start: keyword "%ef" does not start with an ASCII letter or digit`,
		`r.yaml:11:`, `no keyword of the rule occurs at a word start in the example "xef12"`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if len(ps) != 2 {
		t.Errorf("%d problems, want 2:\n%s", len(ps), all)
	}
}

func TestRuleKeywordsIn(t *testing.T) {
	r := &Rule{Keywords: []string{"EF", "va"}}
	if got := r.KeywordsIn("Before the VA test"); strings.Join(got, ",") != "EF,va" {
		t.Errorf("anywhere: got %q", got)
	}
	r.KeywordsAtWordStart = true
	for text, want := range map[string]string{
		"Before the VA test":      "va",
		"before, then EF 40%":     "EF",
		"ef12 and cardiovascular": "EF",
		"_ef x_va":                "",
		"(EF) VA":                 "EF,va",
		"":                        "",
	} {
		if got := strings.Join(r.KeywordsIn(text), ","); got != want {
			t.Errorf("at word start, %q: got %q, want %q", text, got, want)
		}
	}
}
