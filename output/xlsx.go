package output

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/xuri/excelize/v2"

	"github.com/clinex/clinex/extract"
)

// FindingColumns are the Findings sheet's columns, in order.
var FindingColumns = []string{"doc", "case", "section", "category", "concept", "label", "value", "value_max",
	"operator", "unit", "text", "start", "end", "value_start", "value_end", "sentence", "assertion",
	"subject", "context_cue", "rule", "flags", "attributes"}

// caseCategories are the categories that get a Cases column, in order.
var caseCategories = []string{extract.CatDemographic, extract.CatVital, extract.CatLab, extract.CatScore}

// XLSX writes the workbook: Findings (one row per finding, streamed) and
// Cases (one row per case, one column per concept, first present value).
type XLSX struct {
	f        *atomicFile
	book     *excelize.File
	findings *excelize.StreamWriter
	row      int
	cases    []caseRow
	columns  map[string]*caseColumn
	opts     Options
}

type caseRow struct {
	doc    string
	index  int
	values map[string]caseCell
	lists  map[string][]string // category → what the case names of it
}

// listCategories get one Cases column each, listing what the case names:
// its devices, drugs, procedures, conditions and outcomes.
var listCategories = []string{extract.CatDevice, extract.CatMedication, extract.CatProcedure, extract.CatCondition, extract.CatOutcome}

var listHeaders = map[string]string{extract.CatDevice: "Devices", extract.CatMedication: "Medications",
	extract.CatProcedure: "Procedures", extract.CatCondition: "Conditions", extract.CatOutcome: "Outcomes"}

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

type caseCell struct {
	value extract.Value
	row   int // Findings row of the evidence
	more  int // how many other values the case has for the concept
}

type caseColumn struct {
	concept, category, label, unit string
	firstSeen                      int
}

// NewXLSX starts findings.xlsx at path.
func NewXLSX(path string, opts Options) (*XLSX, error) {
	af, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	book := excelize.NewFile()
	if err := book.SetSheetName("Sheet1", "Findings"); err != nil {
		af.abort()
		return nil, err
	}
	sw, err := book.NewStreamWriter("Findings")
	if err != nil {
		af.abort()
		return nil, err
	}
	x := &XLSX{f: af, book: book, findings: sw, row: 1, columns: map[string]*caseColumn{}, opts: opts}
	widths := map[string]float64{"text": 40, "sentence": 80, "label": 22, "concept": 22, "doc": 18, "flags": 18, "rule": 26}
	for i, c := range FindingColumns {
		w := 10.0
		if v, ok := widths[c]; ok {
			w = v
		}
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return nil, err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	header := make([]any, len(FindingColumns))
	for i, c := range FindingColumns {
		header[i] = c
	}
	if err := sw.SetRow("A1", header); err != nil {
		return nil, err
	}
	return x, nil
}

func (x *XLSX) Write(d *DocResult) error {
	rows := map[int]*caseRow{}
	for i := range d.Findings {
		f := &d.Findings[i]
		x.row++
		cell, _ := excelize.CoordinatesToCellName(1, x.row)
		if err := x.findings.SetRow(cell, findingRow(f)); err != nil {
			return err
		}
		if !x.opts.CasesAllFindings && (f.Assertion != "present" || f.Subject != "patient") {
			continue
		}
		cr, ok := rows[f.Case]
		if !ok {
			cr = &caseRow{doc: d.ID, index: f.Case, values: map[string]caseCell{}, lists: map[string][]string{}}
			rows[f.Case] = cr
		}
		if slices.Contains(listCategories, f.Category) {
			item := mentionText(f)
			if !slices.Contains(cr.lists[f.Category], item) {
				cr.lists[f.Category] = append(cr.lists[f.Category], item)
			}
			continue
		}
		if !slices.Contains(caseCategories, f.Category) {
			continue
		}
		if _, ok := x.columns[f.Concept]; !ok {
			x.columns[f.Concept] = &caseColumn{concept: f.Concept, category: f.Category, label: f.Label, unit: f.Unit, firstSeen: len(x.columns)}
		}
		if cur, ok := cr.values[f.Concept]; ok {
			cur.more++
			cr.values[f.Concept] = cur
			continue
		}
		cr.values[f.Concept] = caseCell{value: f.Value, row: x.row}
	}
	n := d.Cases
	for c := range rows {
		n = max(n, c)
	}
	for c := 1; c <= n; c++ {
		if cr, ok := rows[c]; ok {
			x.cases = append(x.cases, *cr)
		} else {
			x.cases = append(x.cases, caseRow{doc: d.ID, index: c})
		}
	}
	return nil
}

func findingRow(f *extract.Finding) []any {
	var vmax any
	if f.ValueMax != nil {
		vmax = *f.ValueMax
	}
	cue := ""
	if f.ContextCue != nil {
		cue = f.ContextCue.Text
		if cue == "" {
			cue = f.ContextCue.ID
		}
	}
	attrs := ""
	if len(f.Attributes) > 0 {
		b, _ := json.Marshal(f.Attributes)
		attrs = string(b)
	}
	return []any{f.Doc, f.Case, f.Section, f.Category, f.Concept, f.Label, f.Value.Interface(), vmax,
		f.Operator, f.Unit, f.Text, f.Start, f.End, f.ValueStart, f.ValueEnd, f.Sentence, f.Assertion,
		f.Subject, cue, f.Rule, strings.Join(f.Flags, ","), attrs}
}

func (x *XLSX) Close() error {
	if err := x.findings.Flush(); err != nil {
		x.Abort()
		return err
	}
	if err := x.writeCases(); err != nil {
		x.Abort()
		return err
	}
	if err := x.book.Write(x.f.tmp); err != nil {
		x.Abort()
		return err
	}
	x.book.Close()
	return x.f.commit()
}

// writeCases lays out one row per case: the columns follow category order,
// then first appearance, so the sheet reads demographics, vitals, labs,
// scores. A cell whose case has more values for the concept says so in a
// comment, never silently.
func (x *XLSX) writeCases() error {
	const sheet = "Cases"
	if _, err := x.book.NewSheet(sheet); err != nil {
		return err
	}
	cols := make([]*caseColumn, 0, len(x.columns))
	for _, c := range x.columns {
		cols = append(cols, c)
	}
	catRank := map[string]int{}
	for i, c := range caseCategories {
		catRank[c] = i
	}
	sort.Slice(cols, func(i, j int) bool {
		if catRank[cols[i].category] != catRank[cols[j].category] {
			return catRank[cols[i].category] < catRank[cols[j].category]
		}
		return cols[i].firstSeen < cols[j].firstSeen
	})
	sw, err := x.book.NewStreamWriter(sheet)
	if err != nil {
		return err
	}
	header := []any{"doc", "case"}
	for _, c := range cols {
		h := c.label
		if h == "" {
			h = c.concept
		}
		if c.unit != "" {
			h = fmt.Sprintf("%s (%s)", h, c.unit)
		}
		header = append(header, h)
	}
	for _, cat := range listCategories {
		header = append(header, listHeaders[cat])
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: 2, YSplit: 1, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	type note struct {
		cell, text string
	}
	var notes []note
	for i, cr := range x.cases {
		row := []any{cr.doc, cr.index}
		for j, c := range cols {
			cell, ok := cr.values[c.concept]
			if !ok {
				row = append(row, nil)
				continue
			}
			row = append(row, cell.value.Interface())
			if cell.more > 0 {
				name, _ := excelize.CoordinatesToCellName(j+3, i+2)
				notes = append(notes, note{name, fmt.Sprintf("First of %d values in this case; see Findings row %d and the rows after it.", cell.more+1, cell.row)})
			}
		}
		for _, cat := range listCategories {
			if items := cr.lists[cat]; len(items) > 0 {
				row = append(row, strings.Join(items, "; "))
			} else {
				row = append(row, nil)
			}
		}
		if err := sw.SetRow(fmt.Sprintf("A%d", i+2), row); err != nil {
			return err
		}
	}
	if err := sw.Flush(); err != nil {
		return err
	}
	for _, n := range notes {
		if err := x.book.AddComment(sheet, excelize.Comment{Cell: n.cell, Author: "clinex", Text: n.text}); err != nil {
			return err
		}
	}
	return nil
}

func (x *XLSX) Abort() {
	x.book.Close()
	x.f.abort()
}

func (x *XLSX) Path() string { return x.f.final }
