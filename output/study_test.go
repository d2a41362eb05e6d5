package output

import (
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/clinex/clinex/extract"
)

// hb is a hemoglobin finding of case c at offset start.
func hb(c, start int, v float64, unit string) extract.Finding {
	return extract.Finding{Doc: "d", Case: c, Category: "lab", Concept: "hemoglobin", Label: "Hemoglobin",
		Value: extract.Number(v), Unit: unit, Start: start, Assertion: "present", Subject: "patient"}
}

func cellOf(t *testing.T, v StudyVar, d *DocResult, all bool) StudyCell {
	t.Helper()
	if errs := ValidateStudy([]StudyVar{v}); len(errs) > 0 {
		t.Fatal(errs)
	}
	if v.Agg == "" {
		v.Agg = AggFirst
	}
	cas := AggregateDoc([]StudyVar{v}, d, all)
	if len(cas) == 0 {
		t.Fatal("no case")
	}
	return cas[0].Cells[0]
}

func TestAggregations(t *testing.T) {
	// Out of text order on purpose: first and last follow the offsets.
	d := &DocResult{ID: "d", Cases: 1, Findings: []extract.Finding{
		hb(1, 300, 9.1, "g/dL"), hb(1, 10, 8.6, "g/dL"), hb(1, 200, 7.5, "g/dL"), hb(1, 250, 7.5, "g/dL"),
	}}
	for _, tc := range []struct {
		agg       string
		want      float64
		wantIndex int
		wantWord  string
	}{
		{AggFirst, 8.6, 1, "the first"},
		{AggLast, 9.1, 0, "the last"},
		{AggMin, 7.5, 2, "the smallest"},
		{AggMax, 9.1, 0, "the largest"},
	} {
		c := cellOf(t, StudyVar{Concept: "hemoglobin", Agg: tc.agg, Unit: "g/dL"}, d, false)
		if c.Value.Kind != extract.NumValue || c.Value.Num != tc.want {
			t.Errorf("%s = %v, want %v", tc.agg, c.Value, tc.want)
		}
		if c.Finding != tc.wantIndex {
			t.Errorf("%s evidence is finding %d, want %d", tc.agg, c.Finding, tc.wantIndex)
		}
		if c.Count != 4 || len(c.Values) != 3 || !c.Conflicting() {
			t.Errorf("%s: count %d, distinct %v, conflicting %v", tc.agg, c.Count, c.Values, c.Conflicting())
		}
		if !strings.Contains(c.Note, "3 different values in the case (8.6, 7.5, 9.1), "+tc.wantWord+" shown") {
			t.Errorf("%s note %q does not name the values", tc.agg, c.Note)
		}
	}
	c := cellOf(t, StudyVar{Concept: "hemoglobin", Agg: AggAll, Unit: "g/dL"}, d, false)
	if c.Text() != "8.6; 7.5; 9.1" || c.Conflicting() || c.Note != "" {
		t.Errorf("all = %q (conflicting %v, note %q), want 8.6; 7.5; 9.1 with no note", c.Text(), c.Conflicting(), c.Note)
	}
}

// A value in another unit or with none is not mixed into the aggregate, and
// the note names it.
func TestOtherUnitsAreLeftOutAndNamed(t *testing.T) {
	d := &DocResult{ID: "d", Cases: 1, Findings: []extract.Finding{
		hb(1, 10, 86, "g/L"), hb(1, 20, 9.0, "g/dL"), hb(1, 30, 6.0, ""),
	}}
	c := cellOf(t, StudyVar{Concept: "hemoglobin", Agg: AggMin, Unit: "g/dL"}, d, false)
	if c.Value.Num != 9 || c.Count != 1 {
		t.Errorf("min = %v from %d values, want 9 from 1", c.Value, c.Count)
	}
	if !strings.Contains(c.Note, "86 g/L") || !strings.Contains(c.Note, "6 (no unit)") {
		t.Errorf("note %q does not name the values left out", c.Note)
	}
	if c.Conflicting() {
		t.Error("one value in the unit is not a conflict")
	}
}

// Only the patient's present values count, unless cases_all_findings.
func TestAssertionAndSubjectFilter(t *testing.T) {
	neg := hb(1, 5, 5.0, "g/dL")
	neg.Assertion = "negated"
	pop := hb(1, 6, 4.0, "g/dL")
	pop.Subject = "population"
	d := &DocResult{ID: "d", Cases: 1, Findings: []extract.Finding{neg, pop, hb(1, 50, 8.0, "g/dL")}}
	v := StudyVar{Concept: "hemoglobin", Agg: AggMin, Unit: "g/dL"}
	if c := cellOf(t, v, d, false); c.Value.Num != 8 {
		t.Errorf("patient's present min = %v, want 8", c.Value)
	}
	if c := cellOf(t, v, d, true); c.Value.Num != 4 {
		t.Errorf("all findings min = %v, want 4", c.Value)
	}
}

// Cases are kept apart, an empty case still gets its row, and a category
// variable lists the case's mentions as a reader would write them.
func TestCasesAndCategoryVariables(t *testing.T) {
	dev := func(c, start int, label, model string) extract.Finding {
		f := extract.Finding{Doc: "d", Case: c, Category: "device", Concept: strings.ToLower(label), Label: label,
			Start: start, Assertion: "present", Subject: "patient"}
		if model != "" {
			f.Value = extract.String(model)
		}
		return f
	}
	d := &DocResult{ID: "d", Cases: 3, Findings: []extract.Finding{
		dev(1, 1, "Impella", "5.0"), dev(1, 9, "MitraClip", ""), dev(1, 20, "Impella", "5.0"), hb(3, 4, 7.5, "g/dL"),
	}}
	vars := []StudyVar{{Category: "device", Agg: AggAll}, {Concept: "hemoglobin", Agg: AggFirst, Unit: "g/dL"}}
	if errs := ValidateStudy(vars); len(errs) > 0 {
		t.Fatal(errs)
	}
	cas := AggregateDoc(vars, d, false)
	if len(cas) != 3 {
		t.Fatalf("%d cases, want 3", len(cas))
	}
	if got := cas[0].Cells[0].Text(); got != "Impella 5.0; MitraClip" {
		t.Errorf("case 1 devices = %q", got)
	}
	if !cas[1].Cells[0].Empty() || !cas[1].Cells[1].Empty() || len(cas[1].Findings) != 0 {
		t.Errorf("case 2 has no findings but got %+v", cas[1])
	}
	if c := cas[2].Cells[1]; c.Value.Num != 7.5 || c.Finding != 3 {
		t.Errorf("case 3 hemoglobin = %v (finding %d)", c.Value, c.Finding)
	}
	if !cas[0].Cells[1].Empty() {
		t.Error("case 1 got case 3's hemoglobin")
	}
}

func TestValidateStudyNamesTheKey(t *testing.T) {
	errs := ValidateStudy([]StudyVar{
		{Concept: "hemoglobin", Agg: "lowest"},
		{},
		{Category: "vitals"},
		{Concept: "hemoglobin"},
		{Concept: "hemoglobin", Agg: "first"},
	})
	want := []string{
		`study.variables[0].agg: unknown aggregation "lowest"`,
		`study.variables[1]: needs a concept or a category`,
		`study.variables[2].category: unknown category "vitals"`,
		`study.variables[4].name: column "hemoglobin" is also study.variables[3]`,
	}
	joined := strings.Join(errs, "\n")
	for _, w := range want {
		if !strings.Contains(joined, w) {
			t.Errorf("no %q in\n%s", w, joined)
		}
	}
	if len(errs) != len(want) {
		t.Errorf("%d problems, want %d:\n%s", len(errs), len(want), joined)
	}
	v := StudyVar{Concept: "hemoglobin", Agg: AggMin, Label: "Lowest hemoglobin", Unit: "g/dL"}
	if v.Key() != "hemoglobin_min" || v.Header() != "Lowest hemoglobin (g/dL)" {
		t.Errorf("key %q header %q", v.Key(), v.Header())
	}
}

// Candidates are put in text order stably, whatever their number (by
// insertion up to 32, by a sort beyond): first, last and the list of
// values are those of a stable sort by start, ties in pipeline order.
func TestAggregateOrdersStably(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for _, n := range []int{2, 3, 8, 9, 31, 32, 33, 100} {
		var fs []extract.Finding
		for i := range n {
			fs = append(fs, hb(1, 10*rng.IntN(n/2+1), float64(i), "g/dL")) // starts tie often
		}
		want := slices.Clone(fs)
		sort.SliceStable(want, func(a, b int) bool { return want[a].Start < want[b].Start })
		d := &DocResult{ID: "d", Cases: 1, Findings: fs}
		first := cellOf(t, StudyVar{Concept: "hemoglobin", Agg: AggFirst}, d, false)
		last := cellOf(t, StudyVar{Concept: "hemoglobin", Agg: AggLast}, d, false)
		if first.Value.Num != want[0].Value.Num || last.Value.Num != want[n-1].Value.Num {
			t.Errorf("%d candidates: first %v last %v, want %v and %v", n, first.Value.Num, last.Value.Num, want[0].Value.Num, want[n-1].Value.Num)
		}
		for i, v := range first.Values {
			if v.Num != want[i].Value.Num {
				t.Errorf("%d candidates: value %d is %v, want %v", n, i, v.Num, want[i].Value.Num)
				break
			}
		}
	}
}

// aggregateDocByScan is aggregateDoc as it was before the findings were
// handed to the variables by concept and category: every variable looks
// at every finding of the case. The reference the buckets must match.
func aggregateDocByScan(vars []StudyVar, d *DocResult, allFindings bool) []CaseAggregates {
	n := d.Cases
	for i := range d.Findings {
		n = max(n, d.Findings[i].Case)
	}
	if d.Err != nil && len(d.Findings) == 0 {
		n = 0
	}
	out := make([]CaseAggregates, n)
	for c := range out {
		out[c].Case = c + 1
	}
	for i := range d.Findings {
		if c := d.Findings[i].Case; c >= 1 {
			out[c-1].Findings = append(out[c-1].Findings, i)
		}
	}
	var cands []candidate
	for c := range out {
		ca := &out[c]
		ca.Cells = make([]StudyCell, len(vars))
		var notes []string
		for j := range vars {
			ca.Cells[j] = aggregate(vars[j], d.Findings, ca.Findings, allFindings, &cands)
			if note := ca.Cells[j].Note; note != "" {
				notes = append(notes, vars[j].Header()+": "+note)
			}
		}
		ca.Notes = strings.Join(notes, " | ")
	}
	return out
}

// One scratch over many documents gives every case what every variable
// looking at every finding gives: variables of a concept, of a concept
// and a category, of a category, of neither (which take every finding),
// several of one concept, and findings no variable takes.
func TestAggregateBucketsMatchScan(t *testing.T) {
	vars := []StudyVar{
		{Concept: "hemoglobin", Agg: AggFirst, Unit: "g/dL"}, {Concept: "hemoglobin", Agg: AggMin},
		{Concept: "hemoglobin", Category: "lab", Agg: AggMax, Name: "hb_lab"},
		{Concept: "hemoglobin", Category: "vital", Agg: AggLast, Name: "hb_vital"},
		{Category: "device", Agg: AggAll}, {Category: "lab", Agg: AggAll, Name: "labs"},
		{Concept: "impella", Agg: AggLast}, {Agg: AggAll, Name: "everything"}, {Concept: "absent", Agg: AggFirst},
	}
	rng := rand.New(rand.NewPCG(3, 5))
	concepts := []string{"hemoglobin", "impella", "lactate", "mitraclip"}
	cats := []string{"lab", "device", "vital"}
	units := []string{"g/dL", "", "mmol/L"}
	var s aggScratch
	for doc := range 300 {
		d := &DocResult{ID: "d", Cases: rng.IntN(4)}
		for range rng.IntN(40) {
			f := hb(rng.IntN(5), rng.IntN(500), float64(rng.IntN(6)), units[rng.IntN(len(units))])
			f.Concept, f.Category = concepts[rng.IntN(len(concepts))], cats[rng.IntN(len(cats))]
			f.Label = f.Concept
			if rng.IntN(5) == 0 {
				f.Assertion = "negated"
			}
			if rng.IntN(7) == 0 {
				f.Value = extract.String("model " + concepts[rng.IntN(2)])
			}
			if rng.IntN(9) == 0 {
				f.Flags = []string{"implausible"}
			}
			d.Findings = append(d.Findings, f)
		}
		for _, all := range []bool{false, true} {
			got := aggregateDoc(vars, d, all, &s)
			want := aggregateDocByScan(vars, d, all)
			if len(got) != len(want) {
				t.Fatalf("doc %d: %d cases, want %d", doc, len(got), len(want))
			}
			for c := range want {
				g, w := got[c], want[c]
				if g.Case != w.Case || g.Notes != w.Notes || !slices.Equal(g.Findings, w.Findings) || len(g.Cells) != len(w.Cells) {
					t.Fatalf("doc %d case %d: %+v, want %+v", doc, c+1, g, w)
				}
				for j := range w.Cells {
					gc, wc := g.Cells[j], w.Cells[j]
					if gc.Finding != wc.Finding || gc.Count != wc.Count || gc.Note != wc.Note || gc.Value != wc.Value ||
						!slices.Equal(gc.Values, wc.Values) || (gc.Values == nil) != (wc.Values == nil) {
						t.Fatalf("doc %d case %d variable %s: %+v, want %+v", doc, c+1, vars[j].Key(), gc, wc)
					}
				}
			}
		}
	}
}
