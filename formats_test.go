package clinex_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// extractSeedTo runs `clinex extract seeds/ --format FORMATS` in-process and
// returns the output folder and each document's original text by id.
func extractSeedTo(t *testing.T, formats ...string) (string, map[string]string) {
	t.Helper()
	return extractTo(t, []string{"seeds"}, 2, formats...)
}

func extractTo(t *testing.T, inputs []string, workers int, formats ...string) (string, map[string]string) {
	t.Helper()
	eng := testEngine(t)
	dir := t.TempDir()
	ws, err := output.Open(dir, formats, output.Options{})
	if err != nil {
		t.Fatal(err)
	}
	texts := map[string]string{}
	so := extract.SourceOptions{IDField: "id", TextField: "text"}
	err = eng.Extractor.Run(context.Background(), workers, func(emit func(extract.Input) error) error {
		return extract.ReadInputs(inputs, so, emit)
	}, func(r *extract.Result) error {
		if r.Err != nil {
			return fmt.Errorf("%s: %w", r.ID, r.Err)
		}
		texts[r.ID] = r.Text
		for _, w := range ws {
			if err := w.Write(r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range ws {
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	return dir, texts
}

func readJSONL(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var lines []json.RawMessage
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		lines = append(lines, json.RawMessage(bytes.Clone(sc.Bytes())))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return lines
}

func compileFindingSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(output.FindingSchema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("finding.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("finding.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

// The shipped file and the embedded copy are one file; the schema in the
// repository is what programs outside Go read.
func TestFindingSchemaFileIsEmbedded(t *testing.T) {
	b, err := os.ReadFile("output/finding.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b, output.FindingSchema) {
		t.Fatal("output.FindingSchema differs from output/finding.schema.json")
	}
}

// Every line the seed's extraction writes validates against the schema,
// and its offsets slice its evidence out of the original text.
func TestSeedJSONLMatchesSchema(t *testing.T) {
	dir, texts := extractSeedTo(t, "jsonl")
	checkJSONLAgainstSchema(t, dir, texts, 50)
}

// The dev corpora give the schema the variety one seed cannot: thousands
// of findings of every category, cue and flag.
func TestDevCorporaJSONLMatchesSchema(t *testing.T) {
	inputs := []string{"../shared/corpus/maccrobat-dev", "../shared/corpus/e3c-dev"}
	for _, in := range inputs {
		needShared(t, in)
	}
	dir, texts := extractTo(t, inputs, 2, "jsonl")
	checkJSONLAgainstSchema(t, dir, texts, 1000)
}

func checkJSONLAgainstSchema(t *testing.T, dir string, texts map[string]string, atLeast int) {
	t.Helper()
	sch := compileFindingSchema(t)
	lines := readJSONL(t, filepath.Join(dir, "findings.jsonl"))
	if len(lines) < atLeast {
		t.Fatalf("only %d findings, expected at least %d", len(lines), atLeast)
	}
	for i, line := range lines {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(line))
		if err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Errorf("line %d does not match the schema: %v\n%s", i+1, err, line)
		}
		var f extract.Finding
		if err := json.Unmarshal(line, &f); err != nil {
			t.Fatal(err)
		}
		rs := []rune(texts[f.Doc])
		if f.Start > f.End || f.End > len(rs) || string(rs[f.Start:f.End]) != f.Text {
			t.Errorf("line %d: [%d, %d) does not slice %q from %s", i+1, f.Start, f.End, f.Text, f.Doc)
		}
	}
}

// The schema is strict: a record with a wrong type, a missing field, an
// unknown field or a value outside its vocabulary is rejected.
func TestFindingSchemaRejectsBrokenRecords(t *testing.T) {
	sch := compileFindingSchema(t)
	good := map[string]any{"doc": "d", "case": 1, "section": "body", "category": "lab",
		"concept": "hemoglobin", "label": "Hemoglobin", "value": 7.5, "value_max": nil, "unit": "g/dL",
		"text": "Hb 7.5 g/dL", "start": 0, "end": 11, "value_start": 3, "value_end": 11,
		"sentence": "Hb 7.5 g/dL.", "assertion": "present", "subject": "patient", "rule": "lab.hemoglobin",
		"flags": []any{}, "attributes": map[string]any{"route": "oral"},
		"context_cue": map[string]any{"id": "context.neg", "text": "no", "start": 0, "end": 2, "sets": "negated"}}
	validate := func(rec map[string]any) error {
		b, _ := json.Marshal(rec)
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		return sch.Validate(inst)
	}
	if err := validate(good); err != nil {
		t.Fatalf("a well-formed record is rejected: %v", err)
	}
	broken := map[string]func(map[string]any){
		"missing rule":             func(r map[string]any) { delete(r, "rule") },
		"missing value":            func(r map[string]any) { delete(r, "value") },
		"case as a string":         func(r map[string]any) { r["case"] = "1" },
		"case zero":                func(r map[string]any) { r["case"] = 0 },
		"start as a float":         func(r map[string]any) { r["start"] = 1.5 },
		"negative end":             func(r map[string]any) { r["end"] = -3 },
		"value as an object":       func(r map[string]any) { r["value"] = map[string]any{"n": 1} },
		"value_max as a string":    func(r map[string]any) { r["value_max"] = "8" },
		"unknown category":         func(r map[string]any) { r["category"] = "symptom" },
		"unknown assertion":        func(r map[string]any) { r["assertion"] = "maybe" },
		"unknown subject":          func(r map[string]any) { r["subject"] = "doctor" },
		"flags as a string":        func(r map[string]any) { r["flags"] = "implausible" },
		"unknown flag":             func(r map[string]any) { r["flags"] = []any{"odd"} },
		"unknown operator":         func(r map[string]any) { r["operator"] = "=>" },
		"extra field":              func(r map[string]any) { r["score"] = 1 },
		"bad rule id":              func(r map[string]any) { r["rule"] = "Lab Hemoglobin" },
		"attributes as a list":     func(r map[string]any) { r["attributes"] = []any{"oral"} },
		"cue without offsets":      func(r map[string]any) { delete(r["context_cue"].(map[string]any), "start") },
		"cue setting an unknown":   func(r map[string]any) { r["context_cue"].(map[string]any)["sets"] = "pseudo" },
		"evidence text empty":      func(r map[string]any) { r["text"] = "" },
		"concept with white space": func(r map[string]any) { r["concept"] = "hemo globin" },
	}
	for name, breakIt := range broken {
		rec := map[string]any{}
		b, _ := json.Marshal(good)
		json.Unmarshal(b, &rec)
		breakIt(rec)
		if validate(rec) == nil {
			t.Errorf("%s: the schema accepts it", name)
		}
	}
}

// record is a finding as all three formats can say it, for comparing them
// field by field: value as "n:48.9", "s:NT" or "null"; attributes as
// canonical JSON.
type record struct {
	Doc, Section, Category, Concept, Label, Value, Operator, Unit, Text string
	Case, Start, End, ValueStart, ValueEnd                              int
	ValueMax                                                            string
	Sentence, Assertion, Subject, Rule                                  string
	Flags                                                               string
	Attributes                                                          string
	Cue                                                                 string
}

func canonicalJSON(t *testing.T, s string) string {
	t.Helper()
	if s == "" {
		return ""
	}
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not JSON: %q: %v", s, err)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func fromJSONL(t *testing.T, line []byte) record {
	var f extract.Finding
	if err := json.Unmarshal(line, &f); err != nil {
		t.Fatal(err)
	}
	r := record{Doc: f.Doc, Case: f.Case, Section: f.Section, Category: f.Category, Concept: f.Concept,
		Label: f.Label, Operator: f.Operator, Unit: f.Unit, Text: f.Text, Start: f.Start, End: f.End,
		ValueStart: f.ValueStart, ValueEnd: f.ValueEnd, Sentence: f.Sentence, Assertion: f.Assertion,
		Subject: f.Subject, Rule: f.Rule, Flags: strings.Join(f.Flags, "|"), Value: "null"}
	switch f.Value.Kind {
	case extract.NumValue:
		r.Value = "n:" + strconv.FormatFloat(f.Value.Num, 'g', -1, 64)
	case extract.StrValue:
		r.Value = "s:" + f.Value.Str
	}
	if f.ValueMax != nil {
		r.ValueMax = strconv.FormatFloat(*f.ValueMax, 'g', -1, 64)
	}
	if f.Attributes != nil {
		b, _ := json.Marshal(f.Attributes)
		r.Attributes = canonicalJSON(t, string(b))
	}
	if c := f.ContextCue; c != nil {
		r.Cue = fmt.Sprintf("%s|%s|%d|%d|%s", c.ID, c.Text, c.Start, c.End, c.Sets)
	}
	return r
}

func fromCSV(t *testing.T, path string) []record {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	cr := csv.NewReader(fh)
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	for _, want := range []string{"doc", "case", "value", "value_text", "flags", "attributes", "context_cue_id"} {
		if _, ok := col[want]; !ok {
			t.Fatalf("findings.csv has no %s column: %v", want, rows[0])
		}
	}
	atoi := func(s string) int {
		n, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("not an integer: %q", s)
		}
		return n
	}
	var out []record
	for _, row := range rows[1:] {
		get := func(c string) string { return row[col[c]] }
		r := record{Doc: get("doc"), Case: atoi(get("case")), Section: get("section"), Category: get("category"),
			Concept: get("concept"), Label: get("label"), Operator: get("operator"), Unit: get("unit"),
			Text: get("text"), Start: atoi(get("start")), End: atoi(get("end")), ValueStart: atoi(get("value_start")),
			ValueEnd: atoi(get("value_end")), Sentence: get("sentence"), Assertion: get("assertion"),
			Subject: get("subject"), Rule: get("rule"), Flags: strings.ReplaceAll(get("flags"), ";", "|"),
			Attributes: canonicalJSON(t, get("attributes")), Value: "null"}
		switch {
		case get("value") != "" && get("value_text") != "":
			t.Fatalf("row %v has both value and value_text", row)
		case get("value") != "":
			f, err := strconv.ParseFloat(get("value"), 64)
			if err != nil {
				t.Fatal(err)
			}
			r.Value = "n:" + strconv.FormatFloat(f, 'g', -1, 64)
		case get("value_text") != "":
			r.Value = "s:" + get("value_text")
		}
		if s := get("value_max"); s != "" {
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				t.Fatal(err)
			}
			r.ValueMax = strconv.FormatFloat(f, 'g', -1, 64)
		}
		if get("context_cue_id") != "" {
			r.Cue = fmt.Sprintf("%s|%s|%d|%d|%s", get("context_cue_id"), get("context_cue_text"),
				atoi(get("context_cue_start")), atoi(get("context_cue_end")), get("context_cue_sets"))
		}
		out = append(out, r)
	}
	return out
}

// pqFinding is how a reader of findings.parquet sees it; it is written
// here independently of the writer's struct, so a renamed or retyped
// column fails the comparison.
type pqFinding struct {
	Doc        string   `parquet:"doc"`
	Case       int64    `parquet:"case"`
	Section    string   `parquet:"section"`
	Category   string   `parquet:"category"`
	Concept    string   `parquet:"concept"`
	Label      string   `parquet:"label"`
	Value      *float64 `parquet:"value,optional"`
	ValueText  *string  `parquet:"value_text,optional"`
	ValueMax   *float64 `parquet:"value_max,optional"`
	Operator   *string  `parquet:"operator,optional"`
	Unit       string   `parquet:"unit"`
	Text       string   `parquet:"text"`
	Start      int64    `parquet:"start"`
	End        int64    `parquet:"end"`
	ValueStart int64    `parquet:"value_start"`
	ValueEnd   int64    `parquet:"value_end"`
	Sentence   string   `parquet:"sentence"`
	Assertion  string   `parquet:"assertion"`
	Subject    string   `parquet:"subject"`
	Rule       string   `parquet:"rule"`
	Flags      []string `parquet:"flags,list"`
	Attributes *string  `parquet:"attributes,optional"`
	CueID      *string  `parquet:"context_cue_id,optional"`
	CueText    *string  `parquet:"context_cue_text,optional"`
	CueStart   *int64   `parquet:"context_cue_start,optional"`
	CueEnd     *int64   `parquet:"context_cue_end,optional"`
	CueSets    *string  `parquet:"context_cue_sets,optional"`
}

func fromParquet(t *testing.T, path string) []record {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	st, _ := fh.Stat()
	pf, err := parquet.OpenFile(fh, st.Size())
	if err != nil {
		t.Fatal(err)
	}
	// The columns a DuckDB or Polars user queries have the types they expect.
	for name, kind := range map[string]parquet.Kind{"value": parquet.Double, "value_max": parquet.Double,
		"start": parquet.Int64, "case": parquet.Int64, "value_text": parquet.ByteArray} {
		leaf, ok := pf.Schema().Lookup(name)
		if !ok {
			t.Fatalf("findings.parquet has no column %s", name)
		}
		if leaf.Node.Type().Kind() != kind {
			t.Errorf("column %s is %v, want %v", name, leaf.Node.Type().Kind(), kind)
		}
	}
	if !strings.Contains(pf.Schema().String(), "group flags (LIST)") {
		t.Errorf("flags is not a LIST column:\n%s", pf.Schema())
	}
	rd := parquet.NewGenericReader[pqFinding](fh)
	defer rd.Close()
	rows := make([]pqFinding, pf.NumRows())
	n, err := rd.Read(rows)
	if int64(n) != pf.NumRows() {
		t.Fatalf("read %d of %d rows: %v", n, pf.NumRows(), err)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	var out []record
	for _, p := range rows {
		r := record{Doc: p.Doc, Case: int(p.Case), Section: p.Section, Category: p.Category, Concept: p.Concept,
			Label: p.Label, Operator: str(p.Operator), Unit: p.Unit, Text: p.Text, Start: int(p.Start),
			End: int(p.End), ValueStart: int(p.ValueStart), ValueEnd: int(p.ValueEnd), Sentence: p.Sentence,
			Assertion: p.Assertion, Subject: p.Subject, Rule: p.Rule, Flags: strings.Join(p.Flags, "|"),
			Attributes: canonicalJSON(t, str(p.Attributes)), Value: "null"}
		switch {
		case p.Value != nil && p.ValueText != nil:
			t.Fatalf("row %+v has both value and value_text", p)
		case p.Value != nil:
			r.Value = "n:" + strconv.FormatFloat(*p.Value, 'g', -1, 64)
		case p.ValueText != nil:
			r.Value = "s:" + *p.ValueText
		}
		if p.ValueMax != nil {
			r.ValueMax = strconv.FormatFloat(*p.ValueMax, 'g', -1, 64)
		}
		if p.CueID != nil {
			if p.CueStart == nil || p.CueEnd == nil {
				t.Fatalf("row %+v has a cue without offsets", p)
			}
			r.Cue = fmt.Sprintf("%s|%s|%d|%d|%s", *p.CueID, str(p.CueText), *p.CueStart, *p.CueEnd, str(p.CueSets))
		}
		out = append(out, r)
	}
	return out
}

// findings.jsonl, findings.csv and findings.parquet of the seed hold the
// same findings, in the same order, field by field.
func TestSeedFormatsHoldTheSameFindings(t *testing.T) {
	dir, _ := extractSeedTo(t, "jsonl", "csv", "parquet")
	var want []record
	for _, line := range readJSONL(t, filepath.Join(dir, "findings.jsonl")) {
		want = append(want, fromJSONL(t, line))
	}
	if len(want) < 50 {
		t.Fatalf("only %d findings on the seed", len(want))
	}
	var kinds [3]bool // some number, some text value, some cue: the comparison covers each
	for _, r := range want {
		kinds[0] = kinds[0] || strings.HasPrefix(r.Value, "n:")
		kinds[1] = kinds[1] || strings.HasPrefix(r.Value, "s:")
		kinds[2] = kinds[2] || r.Cue != ""
	}
	if kinds != [3]bool{true, true, true} {
		t.Fatalf("the seed no longer has numeric values, text values and cues all: %v", kinds)
	}
	for name, got := range map[string][]record{
		"findings.csv":     fromCSV(t, filepath.Join(dir, "findings.csv")),
		"findings.parquet": fromParquet(t, filepath.Join(dir, "findings.parquet")),
	} {
		if len(got) != len(want) {
			t.Errorf("%s has %d findings, findings.jsonl %d", name, len(got), len(want))
			continue
		}
		for i := range want {
			if got[i] == want[i] {
				continue
			}
			gv, wv := reflect.ValueOf(got[i]), reflect.ValueOf(want[i])
			for k := 0; k < gv.NumField(); k++ {
				if gv.Field(k).Interface() != wv.Field(k).Interface() {
					t.Errorf("%s finding %d: %s = %#v, findings.jsonl has %#v", name, i+1,
						gv.Type().Field(k).Name, gv.Field(k).Interface(), wv.Field(k).Interface())
				}
			}
		}
	}
}

// On the dev corpora (thousands of findings of every kind), CSV and Parquet
// agree with JSONL, and every format is byte-identical whatever the worker
// count.
func TestDevCorporaFormatsAgreeAndAreDeterministic(t *testing.T) {
	inputs := []string{"../shared/corpus/maccrobat-dev", "../shared/corpus/e3c-dev"}
	for _, in := range inputs {
		needShared(t, in)
	}
	formats := []string{"jsonl", "csv", "parquet", "html"}
	one, _ := extractTo(t, inputs, 1, formats...)
	three, _ := extractTo(t, inputs, 3, formats...)
	var files []string
	err := filepath.WalkDir(one, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(one, p)
			files = append(files, rel)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 80 {
		t.Fatalf("only %d files written: %v", len(files), files)
	}
	for _, rel := range files {
		a, _ := os.ReadFile(filepath.Join(one, rel))
		b, err := os.ReadFile(filepath.Join(three, rel))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s differs between 1 and 3 workers (%v)", rel, err)
		}
	}
	var want []record
	for _, line := range readJSONL(t, filepath.Join(one, "findings.jsonl")) {
		want = append(want, fromJSONL(t, line))
	}
	for name, got := range map[string][]record{
		"findings.csv":     fromCSV(t, filepath.Join(one, "findings.csv")),
		"findings.parquet": fromParquet(t, filepath.Join(one, "findings.parquet")),
	} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s does not hold the findings of findings.jsonl (%d vs %d records)", name, len(got), len(want))
		}
	}
}
