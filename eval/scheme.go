package eval

import (
	"errors"
	"fmt"
)

// Scheme maps gold annotation types to clinex findings; decoded from YAML
// config with mapstructure tags.
type Scheme struct {
	Name  string     `mapstructure:"name"`
	Types []TypeSpec `mapstructure:"types"`
	Pairs []PairSpec `mapstructure:"pairs"`
}

// TypeSpec scores one kind of value (gold types against prediction filters).
type TypeSpec struct {
	Name      string   `mapstructure:"name"`       // e.g. "numeric_value"
	Gold      []string `mapstructure:"gold"`       // gold entity types, e.g. [Lab_value]
	GoldDigit bool     `mapstructure:"gold_digit"` // keep only gold spans whose text has a digit
	// GoldAttr keeps only gold entities with these attributes; an empty value
	// means "has the attribute, any value" (e.g. {age: ""}). Names and values
	// compare case-insensitively.
	GoldAttr   map[string]string `mapstructure:"gold_attr"`
	Categories []string          `mapstructure:"categories"` // prediction categories counted (empty = any)
	Concepts   []string          `mapstructure:"concepts"`   // prediction concepts counted (empty = any)
	// Subjects keeps only predictions about these subjects (empty = any):
	// gold sets annotate the patient's values, not reference ranges.
	Subjects []string `mapstructure:"subjects"`
	// PredDigit keeps only predictions whose value text has a digit, the
	// mirror of GoldDigit: "NYHA class III" is not a numeric value on
	// either side.
	PredDigit bool `mapstructure:"pred_digit"`
	// Span is "value" (ValueStart..ValueEnd, the default; Start..End when the
	// value span is empty) or "evidence" (Start..End).
	Span string `mapstructure:"span"`
	// Ignore lists gold types that a prediction may overlap without counting
	// as a false positive (an annotated Distance for a size measurement, say);
	// such predictions are left out of precision, and reported as "ignored".
	Ignore []string `mapstructure:"ignore"`
	// Check is "" | "age" | "sex": also score whether the matched
	// prediction's value is right.
	Check string `mapstructure:"check"`
}

// PairSpec scores whether values are attached to the right test or drug.
type PairSpec struct {
	Name       string   `mapstructure:"name"`
	Relations  []string `mapstructure:"relations"`  // relation types, e.g. MODIFY, PERTAINSTO (empty = any)
	Value      []string `mapstructure:"value"`      // Arg1 gold types (value side), digit-filtered (empty = any)
	Target     []string `mapstructure:"target"`     // Arg2 gold types (the test); empty = any
	Categories []string `mapstructure:"categories"` // prediction categories counted (empty = any)
	Concepts   []string `mapstructure:"concepts"`   // prediction concepts counted (empty = any)
	Subjects   []string `mapstructure:"subjects"`   // prediction subjects counted (empty = any)
}

// Span modes and checks understood by Score.
const (
	SpanValue    = "value"
	SpanEvidence = "evidence"
	CheckAge     = "age"
	CheckSex     = "sex"
	// CheckPolarity scores a finding's negation against the gold entity's
	// polarity attribute (NEG ⇔ assertion negated), over the gold entities a
	// finding overlaps; every overlapping finding must agree.
	CheckPolarity = "polarity"
)

// Validate reports configuration mistakes (Score tolerates them: an unknown
// span mode is read as "value", an unknown check is not scored).
func (s Scheme) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, t := range s.Types {
		if t.Name == "" {
			errs = append(errs, fmt.Errorf("types[%d]: no name", i))
		} else if seen["type:"+t.Name] {
			errs = append(errs, fmt.Errorf("types[%d]: duplicate name %q", i, t.Name))
		}
		seen["type:"+t.Name] = true
		if len(t.Gold) == 0 {
			errs = append(errs, fmt.Errorf("type %q: no gold types", t.Name))
		}
		switch t.Span {
		case "", SpanValue, SpanEvidence:
		default:
			errs = append(errs, fmt.Errorf("type %q: span %q is not value or evidence", t.Name, t.Span))
		}
		switch t.Check {
		case "", CheckAge, CheckSex, CheckPolarity:
		default:
			errs = append(errs, fmt.Errorf("type %q: check %q is not age, sex or polarity", t.Name, t.Check))
		}
	}
	for i, p := range s.Pairs {
		if p.Name == "" {
			errs = append(errs, fmt.Errorf("pairs[%d]: no name", i))
		} else if seen["pair:"+p.Name] {
			errs = append(errs, fmt.Errorf("pairs[%d]: duplicate name %q", i, p.Name))
		}
		seen["pair:"+p.Name] = true
	}
	return errors.Join(errs...)
}
