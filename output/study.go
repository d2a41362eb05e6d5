package output

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/clinex/clinex/extract"
)

// Aggregations a study variable may ask for.
const (
	AggFirst = "first" // the first value in the text
	AggLast  = "last"  // the last value in the text
	AggMin   = "min"   // the smallest number
	AggMax   = "max"   // the largest number
	AggAll   = "all"   // every distinct value, in text order
)

// Aggregations lists the valid aggregations.
var Aggregations = []string{AggFirst, AggLast, AggMin, AggMax, AggAll}

// StudyVar is one per-case variable of the study: one column of the Cases
// sheet and of cases.csv, one key of a case's aggregates in cases.json.
type StudyVar struct {
	// Name is the column key in cases.csv and cases.json; empty means the
	// concept (or category), with "_<agg>" added unless agg is first.
	Name string `mapstructure:"name" json:"name"`
	// Concept selects the findings of one concept; Category those of one
	// category (all devices). Both given, a finding needs both.
	Concept  string `mapstructure:"concept" json:"concept,omitempty"`
	Category string `mapstructure:"category" json:"category,omitempty"`
	Agg      string `mapstructure:"agg" json:"agg"`
	// Label heads the column; Unit follows it in brackets, and only values
	// in this unit are aggregated (others are named in the note).
	Label string `mapstructure:"label" json:"label,omitempty"`
	Unit  string `mapstructure:"unit" json:"unit,omitempty"`
}

// Key is the variable's column key.
func (v StudyVar) Key() string {
	if v.Name != "" {
		return v.Name
	}
	base := v.Concept
	if base == "" {
		base = v.Category
	}
	if v.Agg == AggFirst || v.Agg == "" {
		return base
	}
	return base + "_" + v.Agg
}

// Header is the column heading: the label, then the unit in brackets
// ("Lowest hemoglobin (g/dL)").
func (v StudyVar) Header() string {
	h := v.Label
	if h == "" {
		h = v.Key()
	}
	if v.Unit != "" {
		h += " (" + v.Unit + ")"
	}
	return h
}

// Meaning says in words what a Cases cell of this variable holds, for the
// Dictionary sheet.
func (v StudyVar) Meaning(allFindings bool) string {
	what := "findings of concept " + v.Concept
	switch {
	case v.Concept == "":
		what = v.Category + " findings"
	case v.Category != "":
		what = v.Category + " findings of concept " + v.Concept
	}
	whose := "the patient's present "
	if allFindings {
		whose = "all "
	}
	var agg string
	switch v.Agg {
	case AggFirst:
		agg = "The first in the text of "
	case AggLast:
		agg = "The last in the text of "
	case AggMin:
		agg = "The smallest value of "
	case AggMax:
		agg = "The largest value of "
	case AggAll:
		agg = "Every distinct value (in text order, separated by \"; \") of "
	}
	s := agg + whose + what + " in the case"
	if v.Unit != "" {
		s += ", in " + v.Unit + " (values in other units are left out and named in the case's notes)"
	}
	return s + "."
}

// ValidateStudy checks the study variables; each problem names its key
// (study.variables[2].agg). It fills in the default aggregation, first.
func ValidateStudy(vars []StudyVar) []string {
	var errs []string
	seen := map[string]int{}
	for i := range vars {
		v := &vars[i]
		key := fmt.Sprintf("study.variables[%d]", i)
		if v.Agg == "" {
			v.Agg = AggFirst
		}
		if !slices.Contains(Aggregations, v.Agg) {
			errs = append(errs, fmt.Sprintf("%s.agg: unknown aggregation %q (known: %s)", key, v.Agg, strings.Join(Aggregations, ", ")))
		}
		if v.Concept == "" && v.Category == "" {
			errs = append(errs, key+": needs a concept or a category")
		}
		if v.Category != "" && !slices.Contains(extract.Categories, v.Category) {
			errs = append(errs, fmt.Sprintf("%s.category: unknown category %q (known: %s)", key, v.Category, strings.Join(extract.Categories, ", ")))
		}
		if k := v.Key(); k != "" {
			if j, dup := seen[k]; dup {
				errs = append(errs, fmt.Sprintf("%s.name: column %q is also study.variables[%d]; give one a name", key, k, j))
			} else {
				seen[k] = i
			}
			if k == "doc" || k == "case" || k == "notes" {
				errs = append(errs, fmt.Sprintf("%s.name: %q is a fixed column of the cases table; give the variable another name", key, k))
			}
		}
	}
	return errs
}

// StudyCell is one variable's aggregate in one case.
type StudyCell struct {
	// Value is the aggregate for first, last, min and max; NoValue when
	// the case has none, and always for all (see Values).
	Value extract.Value
	// Values are the distinct values the case has, in text order: the
	// cell's content for all, the conflict for the others.
	Values []extract.Value
	// Finding is the index in the document's Findings of the evidence of
	// Value (the first of Values for all); -1 when the cell is empty.
	Finding int
	// Count is how many findings gave a value to aggregate.
	Count int
	// Note says what a reader must know before trusting the cell: several
	// distinct values, values left out for their unit, a flagged value.
	Note string
}

// Empty reports whether the case has nothing for the variable.
func (c *StudyCell) Empty() bool { return c.Finding < 0 }

// Text is the cell as text: the number in its shortest form, or every
// value of all joined by "; ".
func (c *StudyCell) Text() string {
	if c.Value.Kind != extract.NoValue {
		return c.Value.String()
	}
	parts := make([]string, len(c.Values))
	for i, v := range c.Values {
		parts[i] = v.String()
	}
	return strings.Join(parts, "; ")
}

// Conflicting reports whether the case holds several distinct values that
// the aggregation reduced to one.
func (c *StudyCell) Conflicting() bool {
	return len(c.Values) > 1 && c.Value.Kind != extract.NoValue
}

// CaseAggregates is one case of a document with its study cells.
type CaseAggregates struct {
	Case int
	// Findings are the indexes in the document's Findings of the case's
	// findings, in their original order.
	Findings []int
	Cells    []StudyCell
	// Notes joins the cells' notes, each after its column heading, for the
	// one notes column of the Cases sheet and cases.csv.
	Notes string
}

// entityCategories are named things: their value in a case table is the
// mention as a reader would write it ("Impella 5.0", "Norepinephrine 0.3
// ug/kg/min"), not the bare model or dose.
var entityCategories = []string{extract.CatDevice, extract.CatMedication, extract.CatProcedure, extract.CatCondition, extract.CatOutcome}

// AggregateDoc groups a document's findings by case and aggregates every
// study variable in each. Cases without findings still get a row: a case
// is a unit of the study even when nothing was found in it. Only the
// patient's present findings count unless allFindings.
func AggregateDoc(vars []StudyVar, d *DocResult, allFindings bool) []CaseAggregates {
	return aggregateDoc(vars, d, allFindings, &aggScratch{})
}

// aggScratch holds what aggregating a document allocates, for a writer to
// reuse from one document to the next (the cells were most of what the
// workbook writer allocated): what aggregateDoc returns is valid until
// its next call with the same scratch, which must be given the same
// study variables.
type aggScratch struct {
	cases    []CaseAggregates
	cells    []StudyCell
	findings []int
	counts   []int
	cands    []candidate
	// The variables a finding may count for: lists[byConcept[concept]]
	// and lists[byCategory[category]] (variables of no concept), and
	// anyFinding, those of neither; built on the first call.
	byConcept, byCategory map[string]int32
	lists                 [][]int
	anyFinding            []int
	indexed               bool
	// varsOf are each finding's two lists (-1 for none), looked up once.
	varsOf [][2]int32
	// perVar are a case's findings each variable may count for: bucket
	// j is perVar[start[j]:start[j+1]].
	perVar, start, fill []int
}

// index files the variables by what they select, so that a case's
// findings are handed to the few variables each may count for instead of
// every variable looking at every finding.
func (s *aggScratch) index(vars []StudyVar) {
	s.byConcept, s.byCategory, s.lists, s.anyFinding = map[string]int32{}, map[string]int32{}, nil, nil
	file := func(m map[string]int32, key string, j int) {
		k, ok := m[key]
		if !ok {
			k = int32(len(s.lists))
			m[key] = k
			s.lists = append(s.lists, nil)
		}
		s.lists[k] = append(s.lists[k], j)
	}
	for j, v := range vars {
		switch {
		case v.Concept != "":
			file(s.byConcept, v.Concept, j)
		case v.Category != "":
			file(s.byCategory, v.Category, j)
		default:
			s.anyFinding = append(s.anyFinding, j)
		}
	}
	s.indexed = true
}

// listOf is m[key], or -1.
func listOf(m map[string]int32, key string) int32 {
	if k, ok := m[key]; ok {
		return k
	}
	return -1
}

func aggregateDoc(vars []StudyVar, d *DocResult, allFindings bool, s *aggScratch) []CaseAggregates {
	if !s.indexed {
		s.index(vars)
	}
	n := d.Cases
	for i := range d.Findings {
		n = max(n, d.Findings[i].Case)
	}
	if d.Err != nil && len(d.Findings) == 0 {
		n = 0
	}
	out := s.cases[:0]
	for c := range n {
		out = append(out, CaseAggregates{Case: c + 1})
	}
	s.cases = out
	// Every case's findings are a slice of one array: counted, then
	// placed (a case without findings keeps a nil slice).
	counts := resize(s.counts, n)
	clear(counts)
	s.counts = counts
	inCases := 0
	for i := range d.Findings {
		if c := d.Findings[i].Case; c >= 1 {
			counts[c-1]++
			inCases++
		}
	}
	all, at := resize(s.findings, inCases), 0
	s.findings = all
	for c := range out {
		if counts[c] > 0 {
			out[c].Findings = all[at : at : at+counts[c]]
			at += counts[c]
		}
	}
	varsOf := resize(s.varsOf, len(d.Findings))
	s.varsOf = varsOf
	for i := range d.Findings {
		f := &d.Findings[i]
		if c := f.Case; c >= 1 {
			out[c-1].Findings = append(out[c-1].Findings, i)
			varsOf[i] = [2]int32{listOf(s.byConcept, f.Concept), listOf(s.byCategory, f.Category)}
		}
	}
	nv := len(vars)
	cells := resize(s.cells, n*nv)
	s.cells = cells
	s.start, s.fill = resize(s.start, nv+1), resize(s.fill, nv)
	for c := range out {
		ca := &out[c]
		ca.Cells = cells[c*nv : (c+1)*nv : (c+1)*nv]
		s.bucket(ca.Findings)
		var notes []string
		for j := range vars {
			cell := &ca.Cells[j]
			idx := s.perVar[s.start[j]:s.start[j+1]]
			if len(idx) == 0 {
				// What aggregate makes of no findings.
				*cell = StudyCell{Finding: -1}
				continue
			}
			*cell = aggregate(vars[j], d.Findings, idx, allFindings, &s.cands)
			if note := cell.Note; note != "" {
				notes = append(notes, vars[j].Header()+": "+note)
			}
		}
		ca.Notes = strings.Join(notes, " | ")
	}
	return out
}

// bucket hands a case's findings (idx, in order) to the variables each
// may count for, in the same order: aggregate still checks every one.
func (s *aggScratch) bucket(idx []int) {
	counts := s.fill
	clear(counts)
	for _, i := range idx {
		for _, k := range s.varsOf[i] {
			if k >= 0 {
				for _, j := range s.lists[k] {
					counts[j]++
				}
			}
		}
		for _, j := range s.anyFinding {
			counts[j]++
		}
	}
	total := 0
	for j, n := range counts {
		s.start[j] = total
		counts[j] = total // from here: where bucket j's next finding goes
		total += n
	}
	s.start[len(counts)] = total
	s.perVar = resize(s.perVar, total)
	for _, i := range idx {
		for _, k := range s.varsOf[i] {
			if k >= 0 {
				for _, j := range s.lists[k] {
					s.perVar[counts[j]] = i
					counts[j]++
				}
			}
		}
		for _, j := range s.anyFinding {
			s.perVar[counts[j]] = i
			counts[j]++
		}
	}
}

// resize returns b with length n, reallocated only when it is too short.
func resize[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// candidate is one finding's contribution to a cell.
type candidate struct {
	index int
	value extract.Value
	start int
}

// aggregate computes one cell; scratch holds its candidates, reused from
// one cell to the next (aggregate runs for every variable of every case).
func aggregate(v StudyVar, fs []extract.Finding, idx []int, allFindings bool, scratch *[]candidate) StudyCell {
	cell := StudyCell{Finding: -1}
	cands := (*scratch)[:0]
	var leftOut []string
	for _, i := range idx {
		f := &fs[i]
		if v.Concept != "" && f.Concept != v.Concept || v.Category != "" && f.Category != v.Category {
			continue
		}
		if !allFindings && (f.Assertion != "present" || f.Subject != "patient") {
			continue
		}
		val := f.Value
		if slices.Contains(entityCategories, f.Category) && v.Agg != AggMin && v.Agg != AggMax {
			val = extract.String(mentionText(f))
		}
		if val.Kind == extract.NoValue {
			continue
		}
		if v.Unit != "" && val.Kind == extract.NumValue && f.Unit != v.Unit {
			if f.Unit == "" {
				leftOut = append(leftOut, val.String()+" (no unit)")
			} else {
				leftOut = append(leftOut, val.String()+" "+f.Unit)
			}
			continue
		}
		if (v.Agg == AggMin || v.Agg == AggMax) && val.Kind != extract.NumValue {
			leftOut = append(leftOut, val.String()+" (not a number)")
			continue
		}
		cands = append(cands, candidate{index: i, value: val, start: f.Start})
	}
	*scratch = cands // grown, for the next cell
	// Text order decides first and last; ties keep the pipeline's order.
	// A few candidates are put in order by insertion; many by a stable
	// sort first (sort.SliceStable would move them to the heap).
	if len(cands) > 32 {
		slices.SortStableFunc(cands, func(a, b candidate) int { return cmp.Compare(a.start, b.start) })
	}
	for i := 1; i < len(cands); i++ {
		for j := i; j > 0 && cands[j].start < cands[j-1].start; j-- {
			cands[j], cands[j-1] = cands[j-1], cands[j]
		}
	}
	cell.Count = len(cands)
	for _, c := range cands {
		if !slices.ContainsFunc(cell.Values, func(x extract.Value) bool { return sameValue(x, c.value) }) {
			cell.Values = append(cell.Values, c.value)
		}
	}
	var chosen *candidate
	if len(cands) > 0 {
		switch v.Agg {
		case AggFirst, AggAll:
			chosen = &cands[0]
		case AggLast:
			chosen = &cands[len(cands)-1]
		case AggMin, AggMax:
			chosen = &cands[0]
			for k := range cands {
				c := &cands[k]
				if v.Agg == AggMin && c.value.Num < chosen.value.Num || v.Agg == AggMax && c.value.Num > chosen.value.Num {
					chosen = c
				}
			}
		}
	}
	var notes []string
	if chosen != nil {
		cell.Finding = chosen.index
		if v.Agg != AggAll {
			cell.Value = chosen.value
			if len(cell.Values) > 1 {
				notes = append(notes, fmt.Sprintf("%d different values in the case (%s), %s shown", len(cell.Values), listValues(cell.Values), aggWord(v.Agg)))
			}
		}
		if flags := fs[chosen.index].Flags; len(flags) > 0 {
			notes = append(notes, "shown value flagged "+strings.Join(flags, ", "))
		}
	}
	if len(leftOut) > 0 {
		why := "in another unit or not a number"
		if v.Unit != "" {
			why = "not in " + v.Unit
		}
		notes = append(notes, fmt.Sprintf("left out (%s): %s", why, strings.Join(leftOut, ", ")))
	}
	cell.Note = strings.Join(notes, "; ")
	return cell
}

func aggWord(agg string) string {
	switch agg {
	case AggFirst:
		return "the first"
	case AggLast:
		return "the last"
	case AggMin:
		return "the smallest"
	case AggMax:
		return "the largest"
	}
	return agg
}

// listValues names at most ten values, so a note stays readable.
func listValues(vs []extract.Value) string {
	const most = 10
	parts := make([]string, 0, min(len(vs), most)+1)
	for i, v := range vs {
		if i == most {
			parts = append(parts, fmt.Sprintf("and %d more", len(vs)-most))
			break
		}
		parts = append(parts, v.String())
	}
	return strings.Join(parts, ", ")
}

func sameValue(a, b extract.Value) bool {
	if a.Kind != b.Kind {
		return false
	}
	if a.Kind == extract.NumValue {
		return a.Num == b.Num || math.IsNaN(a.Num) && math.IsNaN(b.Num)
	}
	return a.Str == b.Str
}

// mentionText is a named finding as one list item: "Impella 5.0",
// "Norepinephrine 0.3 ug/kg/min".
func mentionText(f *extract.Finding) string {
	s := f.Label
	if f.Value.Kind != extract.NoValue {
		s += " " + f.Value.String()
		if f.ValueMax != nil {
			s += "-" + extract.FormatNumber(*f.ValueMax)
		}
		if f.Unit != "" {
			s += " " + f.Unit
		}
	}
	return s
}
