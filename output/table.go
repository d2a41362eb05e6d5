package output

import (
	"bytes"
	"strings"

	"github.com/clinex/clinex/extract"
)

// TableColumns are the columns of findings.csv and findings.parquet, in
// order. They are the JSONL record made flat, so that R, pandas, DuckDB and
// Spark read typed columns without parsing JSON:
//   - value holds a number only; a categorical value (female, NTW, III-IV)
//     goes to value_text instead, so value stays a numeric column. Both empty
//     is a bare mention (JSON null).
//   - flags are joined with ";" in CSV (a list of strings in Parquet).
//   - attributes is the JSONL object as a JSON string (keys sorted), empty
//     when the finding has none.
//   - context_cue becomes five context_cue_* columns, empty when no cue
//     decided; context_cue_start and _end are -1 when a section decided.
var TableColumns = []string{"doc", "case", "section", "category", "concept", "label",
	"value", "value_text", "value_max", "operator", "unit", "text", "start", "end",
	"value_start", "value_end", "sentence", "assertion", "subject", "rule", "flags",
	"attributes", "context_cue_id", "context_cue_text", "context_cue_start",
	"context_cue_end", "context_cue_sets"}

// FlagSeparator joins a finding's flags in a CSV cell.
const FlagSeparator = ";"

// tableRow is one finding as a row of the tables. The parquet tags are the
// Parquet schema: pointers are nullable columns, dict marks the columns with
// few distinct values.
type tableRow struct {
	Doc        string   `parquet:"doc,dict"`
	Case       int64    `parquet:"case"`
	Section    string   `parquet:"section,dict"`
	Category   string   `parquet:"category,dict"`
	Concept    string   `parquet:"concept,dict"`
	Label      string   `parquet:"label,dict"`
	Value      *float64 `parquet:"value,optional"`
	ValueText  *string  `parquet:"value_text,optional"`
	ValueMax   *float64 `parquet:"value_max,optional"`
	Operator   *string  `parquet:"operator,optional,dict"`
	Unit       string   `parquet:"unit,dict"`
	Text       string   `parquet:"text"`
	Start      int64    `parquet:"start"`
	End        int64    `parquet:"end"`
	ValueStart int64    `parquet:"value_start"`
	ValueEnd   int64    `parquet:"value_end"`
	Sentence   string   `parquet:"sentence"`
	Assertion  string   `parquet:"assertion,dict"`
	Subject    string   `parquet:"subject,dict"`
	Rule       string   `parquet:"rule,dict"`
	Flags      []string `parquet:"flags,list"`
	// A plain STRING holding JSON, not the JSON logical type: parquet-go
	// v0.32 writes an optional JSON column as all nulls.
	Attributes      *string `parquet:"attributes,optional"`
	ContextCueID    *string `parquet:"context_cue_id,optional,dict"`
	ContextCueText  *string `parquet:"context_cue_text,optional"`
	ContextCueStart *int64  `parquet:"context_cue_start,optional"`
	ContextCueEnd   *int64  `parquet:"context_cue_end,optional"`
	ContextCueSets  *string `parquet:"context_cue_sets,optional,dict"`
}

func toRow(f *extract.Finding) (tableRow, error) {
	r := tableRow{Doc: f.Doc, Case: int64(f.Case), Section: f.Section, Category: f.Category,
		Concept: f.Concept, Label: f.Label, ValueMax: f.ValueMax, Unit: f.Unit, Text: f.Text,
		Start: int64(f.Start), End: int64(f.End), ValueStart: int64(f.ValueStart), ValueEnd: int64(f.ValueEnd),
		Sentence: f.Sentence, Assertion: f.Assertion, Subject: f.Subject, Rule: f.Rule, Flags: f.Flags}
	switch f.Value.Kind {
	case extract.NumValue:
		r.Value = &f.Value.Num
	case extract.StrValue:
		r.ValueText = &f.Value.Str
	}
	if r.Flags == nil {
		r.Flags = []string{}
	}
	if f.Operator != "" {
		r.Operator = &f.Operator
	}
	if len(f.Attributes) > 0 {
		s, err := attributesJSON(f.Attributes)
		if err != nil {
			return r, err
		}
		r.Attributes = &s
	}
	if c := f.ContextCue; c != nil {
		start, end := int64(c.Start), int64(c.End)
		r.ContextCueID, r.ContextCueText, r.ContextCueSets = &c.ID, &c.Text, &c.Sets
		r.ContextCueStart, r.ContextCueEnd = &start, &end
	}
	return r, nil
}

// attributesJSON encodes attributes as JSONL does (keys sorted, "<" kept
// as written), without the encoder's trailing newline.
func attributesJSON(a map[string]any) (string, error) {
	var b bytes.Buffer
	if err := NewEncoder(&b).Encode(a); err != nil {
		return "", err
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}
