package eval

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/clinex/clinex/extract"
)

// Fixtures (testdata/brat, hand-written):
//
//	case1 (MACCROBAT style): "Zürich" (ü) before most spans and "×" inside the
//	  discontinuous T6 "150 ×10^9/L" (fragments 75-78;80-86) make code points
//	  differ from bytes; events E1-E3 stand for T3, T5, T10; R1/R2/R5 have
//	  event arguments; E3/R5 are written before their trigger/argument entity;
//	  attributes A1 (binary) and A2 (on event E3); four bad lines: T13 bad
//	  offsets (dropped), T15 text differs (kept), R6 unknown argument E9
//	  (kept, unresolved), X1 unknown kind.
//	case2 (E3C style): CRLF line ends, "—" and "ö" before spans, ACTOR T1 with
//	  age 6M, ACTOR T5 without age, RML T4 PERTAINSTO EVENT T3.
//	orphan.txt has no .ann and must be skipped.
const fixtures = "testdata/brat"

func loadFixtures(t *testing.T) map[string]GoldDoc {
	t.Helper()
	docs, warns, err := LoadDir(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]GoldDoc{}
	var ids []string
	for _, d := range docs {
		out[d.ID] = d
		ids = append(ids, d.ID)
	}
	if want := []string{"case1", "case2"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("doc ids = %v, want %v", ids, want)
	}
	if len(warns) != 4 {
		t.Errorf("warnings = %d, want 4:\n%s", len(warns), strings.Join(warns, "\n"))
	}
	return out
}

func TestLoadFixtures(t *testing.T) {
	docs := loadFixtures(t)
	c1, c2 := docs["case1"], docs["case2"]

	for _, w := range []string{"case1.ann:24: T13", "case1.ann:26: T15", "case1.ann:27: R6", "case1.ann:28: unknown line kind"} {
		found := false
		for _, got := range c1.Warnings {
			found = found || strings.HasPrefix(got, w)
		}
		if !found {
			t.Errorf("no warning starting %q in %q", w, c1.Warnings)
		}
	}
	if len(c2.Warnings) != 0 {
		t.Errorf("case2 warnings: %q", c2.Warnings)
	}
	if n := len(c1.Entities); n != 14 { // T1-T12, T14, T15
		t.Errorf("case1 entities = %d, want 14", n)
	}
	if _, ok := c1.Entities["T13"]; ok {
		t.Error("T13 (bad offsets) was kept")
	}
	if c1.Discontinuous != 1 || c1.Unresolved != 1 {
		t.Errorf("discontinuous=%d unresolved=%d, want 1 1", c1.Discontinuous, c1.Unresolved)
	}
	if got := c1.Entities["T6"].Spans; !reflect.DeepEqual(got, []Span{{75, 78}, {80, 86}}) {
		t.Errorf("T6 spans = %v", got)
	}
	entityTexts := []struct {
		doc  GoldDoc
		id   string
		want string
	}{
		{c1, "T3", "hemoglobin"}, // after ü: byte offset 37, code point 36
		{c1, "T6", "150 10^9/L"}, // fragments joined by a space
		{c1, "T10", "aspirin"},   // trigger of E3, defined after it
		{c1, "T15", "daily"},     // .ann says "dayly": offsets win
		{c2, "T3", "creatinine"}, // after "—", "ö" and CR LF
		{c2, "T1", "A 6-month-old girl"},
	}
	for _, tc := range entityTexts {
		if got := tc.doc.EntityText(tc.doc.Entities[tc.id]); got != tc.want {
			t.Errorf("%s %s text = %q, want %q", tc.doc.ID, tc.id, got, tc.want)
		}
	}
	if got := c1.Entities["T15"].Text; got != "dayly" {
		t.Errorf("T15 .ann text = %q", got)
	}
	if got := c1.Entities["T2"].Attrs; !reflect.DeepEqual(got, map[string]string{"Uncertain": "true"}) {
		t.Errorf("T2 attrs = %v", got)
	}
	if got := c1.Entities["T10"].Attrs; !reflect.DeepEqual(got, map[string]string{"POLARITY": "NEG"}) {
		t.Errorf("T10 attrs (via E3) = %v", got)
	}
	if v, ok := c1.Entities["T10"].Attr("polarity"); !ok || v != "NEG" {
		t.Errorf("case-insensitive Attr = %q %v", v, ok)
	}
	if got := c2.Entities["T1"].Attrs; !reflect.DeepEqual(got, map[string]string{"age": "6M", "role": "PATIENT"}) {
		t.Errorf("case2 T1 attrs = %v", got)
	}
	wantRels := []Relation{
		{ID: "R1", Type: "MODIFY", Arg1: "T4", Arg2: "T3", Arg1Raw: "T4", Arg2Raw: "E1", Line: 8},
		{ID: "R2", Type: "MODIFY", Arg1: "T6", Arg2: "T5", Arg1Raw: "T6", Arg2Raw: "E2", Line: 12},
		{ID: "R3", Type: "MODIFY", Arg1: "T8", Arg2: "T7", Arg1Raw: "T8", Arg2Raw: "T7", Line: 15},
		{ID: "R4", Type: "MODIFY", Arg1: "T9", Arg2: "T3", Arg1Raw: "T9", Arg2Raw: "E1", Line: 17},
		{ID: "R5", Type: "MODIFY", Arg1: "T11", Arg2: "T10", Arg1Raw: "T11", Arg2Raw: "E3", Line: 20},
		{ID: "R6", Type: "MODIFY", Arg1: "T8", Arg2: "", Arg1Raw: "T8", Arg2Raw: "E9", Line: 27},
	}
	if !reflect.DeepEqual(c1.Relations, wantRels) {
		t.Errorf("relations =\n%+v\nwant\n%+v", c1.Relations, wantRels)
	}
	if len(c1.Events) != 3 || c1.Events["E3"].Trigger != "T10" {
		t.Errorf("events = %v", c1.Events)
	}
	if !reflect.DeepEqual(c1.Equivs, [][]string{{"OVERLAP", "E1", "E2"}}) {
		t.Errorf("equivs = %v", c1.Equivs)
	}
}

func TestParseMalformedNeverPanics(t *testing.T) {
	ann := strings.Join([]string{
		"T1\tLab_value 0 3\tabc",
		"T2\tLab_value",           // no offsets
		"T3\tLab_value 2 1\tx",    // reversed
		"T4\tLab_value 0 99\tx",   // past the end
		"T5\tLab_value 0 1;2\tx",  // half fragment
		"T1\tAge 0 1\ta",          // duplicate
		"E1\tFoo",                 // no trigger
		"E2\tFoo:T9",              // trigger unknown
		"R1\tMODIFY Arg1:T1",      // one argument
		"R2\tMODIFY Arg1 Arg2:T1", // bad argument
		"A1\tpolarity",            // no target
		"A2\tpolarity T7 NEG",     // unknown target
		"\tstray",
		"garbage",
		"",
	}, "\n")
	d := Parse("bad", "abcdef", ann)
	if len(d.Entities) != 1 || len(d.Events) != 0 || len(d.Relations) != 0 {
		t.Errorf("kept %d entities, %d events, %d relations", len(d.Entities), len(d.Events), len(d.Relations))
	}
	if len(d.Warnings) != 13 {
		t.Errorf("warnings = %d, want 13:\n%s", len(d.Warnings), strings.Join(d.Warnings, "\n"))
	}
}

// --- scoring ---

func num(v float64) extract.Value { return extract.Number(v) }

func finding(cat, concept, rule string, v extract.Value, unit string, start, end, vs, ve int) extract.Finding {
	return extract.Finding{Category: cat, Concept: concept, Rule: rule, Value: v, Unit: unit,
		Start: start, End: end, ValueStart: vs, ValueEnd: ve}
}

// case1 predictions (offsets in code points, see the fixture comment).
func case1Preds() []extract.Finding {
	return []extract.Finding{
		finding("demographic", "age", "age", num(45), "a", 2, 19, 2, 13),                     // P1 exact Age
		finding("demographic", "sex", "sex", extract.String("female"), "", 14, 19, 14, 19),   // P2 right sex
		finding("lab", "hemoglobin", "lab", num(7.5), "g/dL", 36, 59, 50, 59),                // P3 "7.5 g/dL." exact after trim
		finding("lab", "platelets", "lab", num(150), "10^9/L", 75, 86, 75, 86),               // P4 exact hull of T6; evidence misses Platelets
		finding("lab", "sodium", "lab", num(135), "", 91, 101, 98, 101),                      // P5 overlap only
		finding("measurement", "size", "size", num(3), "cm", 172, 194, 190, 194),             // P6 on Distance: ignored
		finding("lab", "weird", "bogus", num(1), "", 25, 31, 25, 31),                         // P7 FP on "Zürich"
		finding("medication", "aspirin", "dose", num(100), "mg", 150, 164, 158, 164),         // P8 dosage, pair correct
		finding("condition", "x", "cond", extract.Value{}, "", 137, 149, 0, 0),               // P9 filtered out everywhere
		finding("demographic", "sex", "sex", extract.String("male"), "", 137, 140, 137, 140), // P10 wrong sex on "She"
		finding("lab", "gap", "gap", num(0), "", 78, 80, 78, 80),                             // P11 " ×": between T6's fragments, FP
	}
}

var maccScheme = Scheme{
	Name: "macc-test",
	Types: []TypeSpec{
		{Name: "numeric_value", Gold: []string{"Lab_value"}, GoldDigit: true,
			Categories: []string{"lab", "measurement"}, Ignore: []string{"Distance"}},
		{Name: "age", Gold: []string{"Age"}, Concepts: []string{"age"}, Check: "age"},
		{Name: "sex", Gold: []string{"Sex"}, Concepts: []string{"sex"}, Check: "sex"},
		{Name: "dosage", Gold: []string{"Dosage"}, Categories: []string{"medication"}, Span: "evidence"},
	},
	Pairs: []PairSpec{
		{Name: "lab_test", Relations: []string{"MODIFY"}, Value: []string{"Lab_value"},
			Target: []string{"Diagnostic_procedure"}, Categories: []string{"lab"}},
		{Name: "drug_dose", Relations: []string{"MODIFY"}, Value: []string{"Dosage"},
			Target: []string{"Medication"}, Categories: []string{"medication"}},
	},
}

var e3cScheme = Scheme{
	Name: "e3c-test",
	Types: []TypeSpec{
		{Name: "age", Gold: []string{"ACTOR"}, GoldAttr: map[string]string{"age": ""}, Concepts: []string{"age"}, Check: "age"},
		{Name: "result", Gold: []string{"RML"}, GoldDigit: true, Categories: []string{"lab"}},
	},
	Pairs: []PairSpec{{Name: "rml_test", Relations: []string{"PERTAINSTO"}, Value: []string{"RML"},
		Target: []string{"EVENT"}, Categories: []string{"lab"}}},
}

type typeWant struct {
	gold, pred, ignored        int
	oFound, oMatched, oFP, oFN int
	oP, oR, oF1                float64
	eFound, eMatched, eFP, eFN int
	eP, eR, eF1                float64
	valueRight, valueUnknown   int
	valueAcc                   float64
}

func checkType(t *testing.T, got TypeResult, w typeWant) {
	t.Helper()
	ints := []struct {
		name      string
		got, want int
	}{
		{"gold", got.Gold, w.gold}, {"pred", got.Pred, w.pred}, {"ignored", got.Ignored, w.ignored},
		{"overlap found", got.Overlap.GoldFound, w.oFound}, {"overlap matched", got.Overlap.PredMatched, w.oMatched},
		{"overlap FP", got.Overlap.FP, w.oFP}, {"overlap FN", got.Overlap.FN, w.oFN},
		{"exact found", got.Exact.GoldFound, w.eFound}, {"exact matched", got.Exact.PredMatched, w.eMatched},
		{"exact FP", got.Exact.FP, w.eFP}, {"exact FN", got.Exact.FN, w.eFN},
		{"value right", got.ValueRight, w.valueRight}, {"value unknown", got.ValueUnknown, w.valueUnknown},
	}
	for _, c := range ints {
		if c.got != c.want {
			t.Errorf("%s: %s = %d, want %d", got.Name, c.name, c.got, c.want)
		}
	}
	floats := []struct {
		name      string
		got, want float64
	}{
		{"overlap P", got.Overlap.Precision, w.oP}, {"overlap R", got.Overlap.Recall, w.oR}, {"overlap F1", got.Overlap.F1, w.oF1},
		{"exact P", got.Exact.Precision, w.eP}, {"exact R", got.Exact.Recall, w.eR}, {"exact F1", got.Exact.F1, w.eF1},
		{"value accuracy", got.ValueAccuracy, w.valueAcc},
	}
	for _, c := range floats {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("%s: %s = %.6f, want %.6f", got.Name, c.name, c.got, c.want)
		}
	}
}

func TestScoreMaccrobatStyle(t *testing.T) {
	docs := loadFixtures(t)
	preds := map[string][]extract.Finding{"case1": case1Preds(), "nosuchdoc": {finding("lab", "x", "x", num(1), "", 0, 1, 0, 1)}}
	r := Score([]GoldDoc{docs["case1"]}, preds, maccScheme)

	if r.Docs != 1 || r.Predictions != 11 || !reflect.DeepEqual(r.UnknownDocs, []string{"nosuchdoc"}) || len(r.Notes) != 0 {
		t.Errorf("docs=%d predictions=%d unknown=%v notes=%v", r.Docs, r.Predictions, r.UnknownDocs, r.Notes)
	}
	if len(r.Types) != 4 || len(r.Pairs) != 2 {
		t.Fatalf("%d types, %d pairs", len(r.Types), len(r.Pairs))
	}
	// numeric_value: gold T4, T6, T8 (T9 "normal" has no digit); counted
	// P3 P4 P5 P6 P7 P11 = 6; P6 only touches Distance T12: ignored.
	// Overlap: P3→T4, P4→T6, P5→T8; P7, P11 (between T6's fragments) FP.
	//   P = 3/5, R = 3/3, F1 = 2·0.6·1/1.6 = 0.75.
	// Exact: P3 (after trimming "."), P4 (T6 hull 75-86); P5 is 98-101 vs 98-108.
	//   P = 2/5, R = 2/3, F1 = 2·0.4·(2/3)/(0.4+2/3) = 0.5.
	checkType(t, r.Types[0], typeWant{gold: 3, pred: 6, ignored: 1,
		oFound: 3, oMatched: 3, oFP: 2, oFN: 0, oP: 0.6, oR: 1, oF1: 0.75,
		eFound: 2, eMatched: 2, eFP: 3, eFN: 1, eP: 0.4, eR: 2.0 / 3, eF1: 0.5})
	// age: P1 value span 2-13 = T1 exactly; 45 a = 45 years.
	checkType(t, r.Types[1], typeWant{gold: 1, pred: 1,
		oFound: 1, oMatched: 1, oP: 1, oR: 1, oF1: 1,
		eFound: 1, eMatched: 1, eP: 1, eR: 1, eF1: 1, valueRight: 1, valueAcc: 1})
	// sex: T2 "woman" ← P2 female (right), T14 "She" ← P10 male (wrong).
	checkType(t, r.Types[2], typeWant{gold: 2, pred: 2,
		oFound: 2, oMatched: 2, oP: 1, oR: 1, oF1: 1,
		eFound: 2, eMatched: 2, eP: 1, eR: 1, eF1: 1, valueRight: 1, valueAcc: 0.5})
	// dosage on evidence spans: P8 150-164 overlaps T11 158-164 but is not exact.
	checkType(t, r.Types[3], typeWant{gold: 1, pred: 1,
		oFound: 1, oMatched: 1, oP: 1, oR: 1, oF1: 1,
		eFound: 0, eMatched: 0, eFP: 1, eFN: 1, eP: 0, eR: 0, eF1: 0})

	// lab_test: R1 (T4→E1=T3), R2 (T6→E2=T5), R3 (T8→T7) are eligible; R4's
	// "normal" has no digit, R6 is unresolved. All three scored (P3, P4, P5);
	// P4's evidence misses "Platelets": 2 correct.
	if got, want := r.Pairs[0], (PairResult{Name: "lab_test", Total: 3, Scored: 3, Correct: 2, Accuracy: 2.0 / 3, Coverage: 1}); got != want {
		t.Errorf("lab_test = %+v, want %+v", got, want)
	}
	if got, want := r.Pairs[1], (PairResult{Name: "drug_dose", Total: 1, Scored: 1, Correct: 1, Accuracy: 1, Coverage: 1}); got != want {
		t.Errorf("drug_dose = %+v, want %+v", got, want)
	}

	// Errors: numeric_value FPs P7 (25-31) and P11 (78-80), sex wrong value
	// on T14, lab_test pair R2; in that order.
	var buf bytes.Buffer
	if err := r.WriteErrors(&buf); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	type rec struct {
		Kind, Doc, Type, Text, Context, Rule, Concept, Category, Expected string
		GoldID                                                            string `json:"gold_id"`
		Start, End                                                        int
		Value                                                             any
		Got                                                               []string
	}
	want := []rec{
		{Kind: "false_positive", Doc: "case1", Type: "numeric_value", Text: "Zürich", Rule: "bogus", Concept: "weird", Category: "lab", Start: 25, End: 31, Value: 1.0,
			Context: "A 45-year-old woman from Zürich had hemoglobin of 7.5 g/dL. Platelets were 150 ×10^9/L and"},
		{Kind: "false_positive", Doc: "case1", Type: "numeric_value", Text: " ×", Rule: "gap", Concept: "gap", Category: "lab", Start: 78, End: 80, Value: 0.0},
		{Kind: "wrong_value", Doc: "case1", Type: "sex", Text: "She", GoldID: "T14", Expected: "female", Start: 137, End: 140, Got: []string{"male"}},
		{Kind: "pair_wrong", Doc: "case1", Type: "lab_test", Text: "150 10^9/L", GoldID: "R2", Expected: "Platelets", Start: 75, End: 86, Got: []string{"platelets: 150 ×10^9/L"}},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d error lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, l := range lines {
		var g rec
		if err := json.Unmarshal([]byte(l), &g); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if want[i].Context == "" {
			g.Context = "" // only checked on the first record
		}
		if !reflect.DeepEqual(g, want[i]) {
			t.Errorf("error line %d =\n%+v\nwant\n%+v", i, g, want[i])
		}
	}

	// Deterministic text output with the expected figures.
	var t1, t2 bytes.Buffer
	if err := r.WriteText(&t1); err != nil {
		t.Fatal(err)
	}
	_ = Score([]GoldDoc{docs["case1"]}, preds, maccScheme).WriteText(&t2)
	if t1.String() != t2.String() {
		t.Error("WriteText is not deterministic")
	}
	for _, s := range []string{"numeric_value", "60.0%", "75.0%", "40.0%", "66.7%", "50.0%",
		"sex: value check sex: recall with right value 1/2 = 50.0%", "lab_test", "nosuchdoc"} {
		if !strings.Contains(t1.String(), s) {
			t.Errorf("text report lacks %q:\n%s", s, t1.String())
		}
	}
}

func TestScoreE3CStyle(t *testing.T) {
	docs := loadFixtures(t)
	c2 := []GoldDoc{docs["case2"]}
	creat := finding("lab", "creatinine", "lab", num(1.2), "mg/dL", 52, 76, 67, 76)
	tests := []struct {
		name      string
		age       extract.Finding
		right     int
		wantKinds []string
	}{
		// ACTOR T1 (age 6M) is the only age gold: T5 "Her" has no age attribute.
		{"months right", finding("demographic", "age", "age", num(6), "mo", 0, 18, 2, 13), 1, nil},
		{"years wrong", finding("demographic", "age", "age", num(6), "a", 0, 18, 2, 13), 0, []string{"wrong_value"}},
		{"number wrong", finding("demographic", "age", "age", num(7), "mo", 0, 18, 2, 13), 0, []string{"wrong_value"}},
		{"on Her: miss + FP", finding("demographic", "age", "age", num(6), "mo", 48, 51, 48, 51), 0, []string{"miss", "false_positive"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Score(c2, map[string][]extract.Finding{"case2": {tc.age, creat}}, e3cScheme)
			age := r.Types[0]
			found := 1
			if tc.name == "on Her: miss + FP" {
				found = 0
			}
			if age.Gold != 1 || age.Pred != 1 || age.Overlap.GoldFound != found || age.Exact.GoldFound != 0 || age.ValueRight != tc.right {
				t.Errorf("age = %+v", age)
			}
			// result: RML T4 67-76, found exactly by creat.
			checkType(t, r.Types[1], typeWant{gold: 1, pred: 1, oFound: 1, oMatched: 1, oP: 1, oR: 1, oF1: 1,
				eFound: 1, eMatched: 1, eP: 1, eR: 1, eF1: 1})
			if got := r.Pairs[0]; got != (PairResult{Name: "rml_test", Total: 1, Scored: 1, Correct: 1, Accuracy: 1, Coverage: 1}) {
				t.Errorf("pair = %+v", got)
			}
			var kinds []string
			for _, e := range r.Errors {
				kinds = append(kinds, e.Kind)
			}
			if !reflect.DeepEqual(kinds, tc.wantKinds) {
				t.Errorf("error kinds = %v, want %v", kinds, tc.wantKinds)
			}
		})
	}
}

func TestScoreNoPredictions(t *testing.T) {
	docs := loadFixtures(t)
	r := Score([]GoldDoc{docs["case1"], docs["case2"]}, nil, maccScheme)
	checkType(t, r.Types[0], typeWant{gold: 3, oFN: 3, eFN: 3})
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), "  -  0.0%  0.0%") {
		t.Errorf("undefined precision should print as -:\n%s", buf.String())
	}
	misses := 0
	for _, e := range r.Errors {
		if e.Kind == "miss" {
			misses++
		}
	}
	if misses != 3+1+2+1 { // Lab_value with digit, Age, Sex, Dosage
		t.Errorf("misses = %d, want 7", misses)
	}
}

func TestGoldValues(t *testing.T) {
	ages := []struct {
		text, attr string
		num        float64
		unit       string
		ok         bool
	}{
		{"28-year-old", "", 28, "a", true},
		{"33 - year old", "", 33, "a", true},
		{"36-yr-old", "", 36, "a", true},
		{"13 months of age", "", 13, "mo", true},
		{"age 10 years", "", 10, "a", true},
		{"newborn", "", 0, "", false},
		{"A 14-year old boy", "14Y", 14, "a", true},
		{"the child", "6M", 6, "mo", true},
		{"x", "17YY", 17, "a", true},
		{"x", "6DD", 6, "d", true},
		{"x", "37y", 37, "a", true},
	}
	for _, a := range ages {
		e := &Entity{Text: a.text}
		if a.attr != "" {
			e.Attrs = map[string]string{"age": a.attr}
		}
		v, ok := goldAge(e)
		if ok != a.ok || (ok && (v.num != a.num || v.unit != a.unit)) {
			t.Errorf("goldAge(%q, %q) = %v %v, want %v %s %v", a.text, a.attr, v, ok, a.num, a.unit, a.ok)
		}
	}
	sexes := map[string]string{"man": "male", "woman": "female", "A 14-year old boy": "male",
		"gentleman": "male", "She": "female", "female": "female", "patient": ""}
	for text, want := range sexes {
		got, _ := goldSex(&Entity{Text: text})
		if got != want {
			t.Errorf("goldSex(%q) = %q, want %q", text, got, want)
		}
	}
}

func TestTrimSpan(t *testing.T) {
	r := []rune(" (7.5 g/dL), x")
	if got := trimSpan(r, Span{0, 12}); got != (Span{2, 10}) {
		t.Errorf("trimSpan = %v, want {2 10}", got)
	}
	if got := trimSpan(r, Span{-5, 100}); got.Start < 0 || got.End > len(r) {
		t.Errorf("trimSpan not clamped: %v", got)
	}
}

// checkCorpus loads a real gold folder and checks every entity's .ann text
// against the document text at its code-point offsets.
func checkCorpus(t *testing.T, dir string, wantDocs int) {
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s absent", dir)
	}
	docs, warns, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != wantDocs {
		t.Errorf("%s: %d docs, want %d", dir, len(docs), wantDocs)
	}
	if len(warns) > 5 {
		t.Errorf("%s: %d warnings:\n%s", dir, len(warns), strings.Join(warns, "\n"))
	}
	entities, mismatched := 0, 0
	for i := range docs {
		d := &docs[i]
		for _, e := range d.SortedEntities() {
			entities++
			if got := d.EntityText(e); got != e.Text {
				mismatched++
				if mismatched <= 10 {
					t.Errorf("%s %s: document text %q, .ann text %q", d.ID, e.ID, got, e.Text)
				}
			}
		}
	}
	if entities == 0 {
		t.Errorf("%s: no entities", dir)
	}
	t.Logf("%s: %d docs, %d entities, %d warnings", dir, len(docs), entities, len(warns))
}

func TestLoadMaccrobatDev(t *testing.T) {
	checkCorpus(t, "../../shared/corpus/maccrobat-dev", 50)
}

func TestLoadE3CDev(t *testing.T) {
	checkCorpus(t, "../../shared/corpus/e3c-dev", 34)
}

// TestScoreGoldAsPredictions turns the real MACCROBAT gold into predictions
// (value span = the Lab_value, evidence = from the related test to the value)
// and expects perfect scores: a self-consistency check on real offsets.
func TestScoreGoldAsPredictions(t *testing.T) {
	dir := "../../shared/corpus/maccrobat-dev"
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("%s absent", dir)
	}
	docs, _, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	preds := map[string][]extract.Finding{}
	gold, pairs := 0, 0
	for i := range docs {
		d := &docs[i]
		target := map[string]*Entity{}
		for _, r := range d.Relations {
			if r.Type == "MODIFY" && r.Resolved() && d.Entities[r.Arg2].Type == "Diagnostic_procedure" {
				target[r.Arg1] = d.Entities[r.Arg2]
			}
		}
		for _, e := range d.SortedEntities() {
			if e.Type != "Lab_value" || !e.HasDigit() {
				continue
			}
			gold++
			h := e.Hull()
			ev := h
			if tg, ok := target[e.ID]; ok {
				pairs++
				th := tg.Hull()
				ev = Span{min(h.Start, th.Start), max(h.End, th.End)}
			}
			preds[d.ID] = append(preds[d.ID], finding("lab", "x", "gold", num(1), "", ev.Start, ev.End, h.Start, h.End))
		}
	}
	s := Scheme{Types: []TypeSpec{{Name: "lab", Gold: []string{"Lab_value"}, GoldDigit: true}},
		Pairs: []PairSpec{{Name: "lab_test", Relations: []string{"MODIFY"}, Value: []string{"Lab_value"}, Target: []string{"Diagnostic_procedure"}}}}
	r := Score(docs, preds, s)
	lt := r.Types[0]
	if lt.Gold != gold || lt.Gold != 332 || lt.Overlap.F1 != 1 || lt.Exact.F1 != 1 {
		t.Errorf("gold=%d (want %d) overlap=%+v exact=%+v", lt.Gold, gold, lt.Overlap, lt.Exact)
	}
	if p := r.Pairs[0]; p.Total != pairs || p.Scored != pairs || p.Correct != pairs {
		t.Errorf("pairs = %+v, want %d", p, pairs)
	}
	if len(r.Errors) != 0 {
		t.Errorf("%d error records, first %+v", len(r.Errors), r.Errors[0])
	}
}
