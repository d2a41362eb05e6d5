// Package patterns holds clinex's rules, lexicons and unit table as YAML
// data, embedded as the defaults, and the loader that decodes, validates and
// compiles them once.
package patterns

import (
	"fmt"
	"regexp"
)

// Range is a plausible interval for a value, in Unit (empty: the rule's unit).
type Range struct {
	Min  *float64 `yaml:"min"`
	Max  *float64 `yaml:"max"`
	Unit string   `yaml:"unit"`
}

// Expect is one positive example: text that must yield a finding, and what
// that finding must hold. Concept defaults to the rule's (first) concept.
type Expect struct {
	Text     string   `yaml:"text"`
	Concept  string   `yaml:"concept"`
	Value    any      `yaml:"value"`
	ValueMax *float64 `yaml:"value_max"`
	Unit     *string  `yaml:"unit"`
	Line     int      `yaml:"-"`
	Col      int      `yaml:"-"`
}

// Examples are a rule's or lexicon entry's built-in tests.
type Examples struct {
	Match   []Expect `yaml:"match"`
	NoMatch []string `yaml:"no_match"`
	// NoMatchLines are the YAML lines of NoMatch, for error messages.
	NoMatchLines []int `yaml:"-"`
}

// Output is one finding a rule emits from its match: a blood pressure
// "78/45 mmHg" emits systolic from group value and diastolic from value2.
type Output struct {
	Concept  string `yaml:"concept"`
	Label    string `yaml:"label"`
	Category string `yaml:"category"`
	Group    string `yaml:"group"`
}

// Rule is a regex rule as written in a pattern file.
type Rule struct {
	ID       string   `yaml:"id"`
	Category string   `yaml:"category"`
	Concept  string   `yaml:"concept"`
	Label    string   `yaml:"label"`
	Keywords []string `yaml:"keywords"`
	// KeywordsAtWordStart makes a keyword count only where it starts a
	// word (no ASCII letter or digit right before it, as the regex's \b
	// sees it). A short keyword such as "ef" or "va" occurs inside many
	// words ("before", "cardiovascular"), and each of those occurrences
	// would run the rule's regex on its sentence for nothing.
	KeywordsAtWordStart bool                `yaml:"keywords_at_word_start"`
	Pattern             string              `yaml:"pattern"`
	Unit                string              `yaml:"unit"`
	ValueType           string              `yaml:"value_type"`
	Values              map[string][]string `yaml:"values"`
	Window              int                 `yaml:"window"`
	Plausible           *Range              `yaml:"plausible"`
	Outputs             []Output            `yaml:"outputs"`
	Priority            int                 `yaml:"priority"`
	Examples            Examples            `yaml:"examples"`

	Source Source         `yaml:"-"`
	Re     *regexp.Regexp `yaml:"-"`
	// groupIndex caches the capture index of each named group.
	groupIndex map[string]int
}

// Group returns the capture index of a named group, or -1.
func (r *Rule) Group(name string) int {
	if i, ok := r.groupIndex[name]; ok {
		return i
	}
	return -1
}

// Analyte is a lexicon entry for something measured (a lab test or a vital
// sign): how it is named, which units it takes, what is plausible.
type Analyte struct {
	ID            string   `yaml:"id"`
	Concept       string   `yaml:"concept"`
	Category      string   `yaml:"category"`
	Label         string   `yaml:"label"`
	Synonyms      []string `yaml:"synonyms"`
	Abbreviations []string `yaml:"abbreviations"`
	Units         []string `yaml:"units"`
	UnitRequired  bool     `yaml:"unit_required"`
	DefaultUnit   string   `yaml:"default_unit"`
	Plausible     *Range   `yaml:"plausible"`
	// Pair names the two concepts a "a/b" value gives: blood pressure
	// 78/45 mmHg is a systolic and a diastolic pressure.
	Pair     []string `yaml:"pair"`
	Examples Examples `yaml:"examples"`

	Source Source `yaml:"-"`
}

// Entity is a lexicon entry for something named rather than measured: a
// medication, device, procedure, condition or outcome.
type Entity struct {
	ID            string   `yaml:"id"`
	Concept       string   `yaml:"concept"`
	Category      string   `yaml:"category"`
	Label         string   `yaml:"label"`
	Synonyms      []string `yaml:"synonyms"`
	Abbreviations []string `yaml:"abbreviations"`
	// Models are the model names that may follow a device's name
	// ("Impella 5.0", "MitraClip NTW"); the model becomes the value.
	Models     []string          `yaml:"models"`
	Attributes map[string]string `yaml:"attributes"`
	Examples   Examples          `yaml:"examples"`

	Source Source `yaml:"-"`
}

// Cue is a ConText trigger: a phrase that makes the findings in its scope
// negated, possible, hypothetical or historical, or about someone other than
// the patient (family, other, population) or a target rather than a value.
// Sets "terminate" ends every cue's scope (but, however, which); "pseudo"
// marks phrases that look like cues but are not ("no change", "not only"),
// so a cue inside one is ignored; "cancel" undoes what Cancels lists.
type Cue struct {
	ID        string   `yaml:"id"`
	Phrases   []string `yaml:"phrases"`
	Sets      string   `yaml:"sets"`
	Direction string   `yaml:"direction"`
	Scope     int      `yaml:"scope"`
	// Cancels lists what this cue undoes for the findings in its scope:
	// "was reached" after a target makes it an observed value again.
	Cancels  []string    `yaml:"cancels"`
	Examples CueExamples `yaml:"examples"`

	Source Source `yaml:"-"`
}

// CueExamples are sentences with the text of a finding in them and what
// the cue must make of it.
type CueExamples struct {
	Match   []CueExample `yaml:"match"`
	NoMatch []CueExample `yaml:"no_match"`
}

// CueExample: in Text, the finding whose evidence is Target must (match)
// or must not (no_match) get the cue's setting.
type CueExample struct {
	Text   string `yaml:"text"`
	Target string `yaml:"target"`
	Line   int    `yaml:"-"`
}

// Unit is one row of the unit table.
type Unit struct {
	Code          string   `yaml:"code"`
	Dimension     string   `yaml:"dimension"`
	Factor        float64  `yaml:"factor"`
	Synonyms      []string `yaml:"synonyms"`
	CaseSensitive []string `yaml:"case_sensitive"`
	Implies       string   `yaml:"implies"`

	Source Source `yaml:"-"`
}

// Source says where a rule or entry was defined.
type Source struct {
	File string
	Line int
	Col  int
	// Embedded is true for the built-in pattern files.
	Embedded bool
	// Keys holds the line and column of each key of the item.
	Keys map[string][2]int
}

// At is where a key of the item stands, or the item itself.
func (s Source) At(key string) (int, int) {
	if p, ok := s.Keys[key]; ok {
		return p[0], p[1]
	}
	return s.Line, s.Col
}

func (s Source) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Problem is one thing wrong with a pattern file.
type Problem struct {
	File    string
	Line    int
	Col     int
	ID      string
	Message string
}

func (p Problem) String() string {
	loc := p.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	id := p.ID
	if id == "" {
		id = "-"
	}
	return fmt.Sprintf("%s: %s: %s", loc, id, p.Message)
}

// WithColumn is the problem as `file:line:col: id: message`, the form
// `clinex patterns lint` prints (editors jump to it).
func (p Problem) WithColumn() string {
	col := p.Col
	if col == 0 {
		col = 1
	}
	id := p.ID
	if id == "" {
		id = "-"
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", p.File, p.Line, col, id, p.Message)
}

// Problems is a list of pattern-file problems, itself an error.
type Problems []Problem

func (ps Problems) Error() string {
	s := fmt.Sprintf("%d problem(s) in pattern files:", len(ps))
	for _, p := range ps {
		s += "\n  " + p.String()
	}
	return s
}
