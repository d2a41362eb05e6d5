package output

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/json"
	"io"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/clinex/clinex/extract"
)

// FindingColumns are the Findings sheet's columns, in order.
var FindingColumns = []string{"doc", "case", "section", "category", "concept", "label", "value", "value_max",
	"operator", "unit", "text", "start", "end", "value_start", "value_end", "sentence", "assertion",
	"subject", "context_cue", "rule", "flags", "attributes"}

// Sheet names, in workbook order.
const (
	SheetCases       = "Cases"
	SheetFindings    = "Findings"
	SheetDevices     = "Devices"
	SheetMedications = "Medications"
	SheetProcedures  = "Procedures & outcomes"
	SheetDictionary  = "Dictionary"
	SheetRun         = "Run"
	SheetErrors      = "Errors"
)

// mentionSheet is a sheet of one row per mention of a kind of named thing,
// with that kind's attributes as columns.
type mentionSheet struct {
	name       string
	categories []string
	attrs      []string // attribute keys with a column each, in order
}

var mentionSheets = []mentionSheet{
	{SheetDevices, []string{extract.CatDevice}, []string{"family", "maker", "position", "ordinal", "count"}},
	{SheetMedications, []string{extract.CatMedication}, []string{"class", "kind", "route", "frequency", "duration", "times"}},
	{SheetProcedures, []string{extract.CatProcedure, extract.CatOutcome}, []string{"kind", "status", "role", "guidance", "count", "time", "device"}},
}

// mentionColumns lead every mention sheet; the sheet's attributes follow,
// then "other_attributes" for keys without a column of their own.
var mentionColumns = []string{"doc", "case", "finding", "category", "concept", "label", "value", "unit", "text",
	"start", "end", "section", "assertion", "subject", "rule"}

var errorColumns = []string{"doc", "source", "error"}

// formulaTextMax is the longest text a formula may carry: Excel refuses
// string literals over 255 characters, so a longer cell is written without
// its link (the notes and the Findings sheet still hold everything).
const formulaTextMax = 255

// XLSX writes findings.xlsx. Every data sheet is streamed to a temporary
// file as documents arrive, so memory stays flat however many findings a
// run has; only one small record per document (for the Run sheet) is kept.
type XLSX struct {
	f        *atomicFile
	book     *excelize.File
	opts     Options
	cases    *streamSheet
	findings *streamSheet
	mentions []*streamSheet
	errors   *streamSheet
	docs     []docRecord
	counts   map[string]int
	nCases   int
	run      RunInfo
	hasRun   bool
	link     int // style of a linked cell
	conflict int // style of a linked cell whose case has other values
	header   int // style of header rows
}

// docRecord is what the Run sheet says of one document.
type docRecord struct {
	id, source, sha256, err string
	bytes, cases, findings  int
}

// NewXLSX starts findings.xlsx at path.
func NewXLSX(path string, opts Options) (*XLSX, error) {
	af, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	x := &XLSX{f: af, book: excelize.NewFile(), opts: opts, counts: map[string]int{}}
	if err := x.start(); err != nil {
		x.Abort()
		return nil, err
	}
	return x, nil
}

func (x *XLSX) start() error {
	b := x.book
	if err := b.SetSheetName("Sheet1", SheetCases); err != nil {
		return err
	}
	for _, s := range []string{SheetFindings, SheetDevices, SheetMedications, SheetProcedures, SheetDictionary, SheetRun, SheetErrors} {
		if _, err := b.NewSheet(s); err != nil {
			return err
		}
	}
	var err error
	if x.header, err = b.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		return err
	}
	if x.link, err = b.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}}); err != nil {
		return err
	}
	if x.conflict, err = b.NewStyle(&excelize.Style{Font: &excelize.Font{Color: "0563C1", Underline: "single"}, Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"FCE4D6"}}}); err != nil {
		return err
	}
	caseCols := []string{"doc", "case"}
	caseWidths := []float64{18, 6}
	for _, v := range x.opts.Study {
		h := v.Header()
		caseCols = append(caseCols, h)
		caseWidths = append(caseWidths, min(max(float64(len(h))+2, 10), 40))
	}
	caseCols = append(caseCols, "notes")
	caseWidths = append(caseWidths, 80)
	if x.cases, err = x.newStream(SheetCases, caseCols, caseWidths, 2); err != nil {
		return err
	}
	if x.findings, err = x.newStream(SheetFindings, FindingColumns, findingWidths(FindingColumns), 0); err != nil {
		return err
	}
	for _, ms := range mentionSheets {
		cols := ms.columns()
		s, err := x.newStream(ms.name, cols, findingWidths(cols), 0)
		if err != nil {
			return err
		}
		x.mentions = append(x.mentions, s)
	}
	x.errors, err = x.newStream(SheetErrors, errorColumns, []float64{18, 40, 80}, 0)
	return err
}

func (ms mentionSheet) columns() []string {
	cols := slices.Clone(mentionColumns)
	cols = append(cols, ms.attrs...)
	return append(cols, "other_attributes")
}

func findingWidths(cols []string) []float64 {
	widths := map[string]float64{"text": 40, "sentence": 80, "label": 22, "concept": 22, "doc": 18, "flags": 18,
		"rule": 26, "attributes": 40, "other_attributes": 30, "source": 30, "context_cue": 16, "family": 20, "time": 16}
	out := make([]float64, len(cols))
	for i, c := range cols {
		out[i] = 10
		if w, ok := widths[c]; ok {
			out[i] = w
		}
	}
	return out
}

// streamSheet is one streamed sheet. A sheet is full at Excel's row limit;
// the rows after it go to "<name> 2", and so on, so no row is ever lost.
type streamSheet struct {
	x       *XLSX
	base    string
	name    string
	part    int
	sw      *excelize.StreamWriter
	row     int // last row written
	cols    []string
	widths  []float64
	freezeX int
	done    []string // sheets already full and flushed
}

func (x *XLSX) newStream(name string, cols []string, widths []float64, freezeX int) (*streamSheet, error) {
	s := &streamSheet{x: x, base: name, name: name, part: 1, cols: cols, widths: widths, freezeX: freezeX}
	return s, s.open()
}

func (s *streamSheet) open() error {
	sw, err := s.x.book.NewStreamWriter(s.name)
	if err != nil {
		return err
	}
	s.sw, s.row = sw, 1
	for i, w := range s.widths {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	topLeft, _ := excelize.CoordinatesToCellName(s.freezeX+1, 2)
	pane := "bottomLeft"
	if s.freezeX > 0 {
		pane = "bottomRight"
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, XSplit: s.freezeX, YSplit: 1, TopLeftCell: topLeft, ActivePane: pane}); err != nil {
		return err
	}
	header := make([]any, len(s.cols))
	for i, c := range s.cols {
		header[i] = excelize.Cell{StyleID: s.x.header, Value: c}
	}
	return sw.SetRow("A1", header)
}

// add writes the next row and returns the sheet and row it went to.
func (s *streamSheet) add(values []any) (string, int, error) {
	if s.row >= excelize.TotalRows {
		if err := s.flush(); err != nil {
			return "", 0, err
		}
		s.done = append(s.done, s.name)
		s.part++
		s.name = fmt.Sprintf("%s %d", s.base, s.part)
		if _, err := s.x.book.NewSheet(s.name); err != nil {
			return "", 0, err
		}
		if err := s.open(); err != nil {
			return "", 0, err
		}
	}
	s.row++
	if err := s.sw.SetRow("A"+strconv.Itoa(s.row), values); err != nil {
		return "", 0, err
	}
	return s.name, s.row, nil
}

// flush ends the current part, with the autofilter over what it holds. The
// filter is set on the worksheet the stream writer still holds, which it
// writes out on Flush; set after Flush it would land in an empty sheet.
func (s *streamSheet) flush() error {
	last, _ := excelize.CoordinatesToCellName(len(s.cols), max(s.row, 2))
	if err := s.x.book.AutoFilter(s.name, "A1:"+last, nil); err != nil {
		return err
	}
	return s.sw.Flush()
}

// SetRunInfo records the run's provenance for the Run sheet.
func (x *XLSX) SetRunInfo(r RunInfo) { x.run, x.hasRun = r, true }

func (x *XLSX) Write(d *DocResult) error {
	rec := docRecord{id: d.ID, source: d.Source, sha256: d.SHA256, bytes: d.Bytes, findings: len(d.Findings)}
	if d.Err != nil {
		rec.err = d.Err.Error()
		if _, _, err := x.errors.add([]any{d.ID, d.Source, rec.err}); err != nil {
			return err
		}
	}
	// Each finding's row, kept for the links from Cases and the mention sheets.
	type place struct {
		sheet string
		row   int
	}
	places := make([]place, len(d.Findings))
	for i := range d.Findings {
		f := &d.Findings[i]
		x.counts[f.Category]++
		sheet, row, err := x.findings.add(findingRow(f))
		if err != nil {
			return err
		}
		places[i] = place{sheet, row}
	}
	for i := range d.Findings {
		f := &d.Findings[i]
		for k, ms := range mentionSheets {
			if slices.Contains(ms.categories, f.Category) {
				if _, _, err := x.mentions[k].add(mentionRow(f, ms, places[i].sheet, places[i].row)); err != nil {
					return err
				}
			}
		}
	}
	aggs := AggregateDoc(x.opts.Study, d, x.opts.CasesAllFindings)
	rec.cases = len(aggs)
	x.nCases += len(aggs)
	for _, ca := range aggs {
		row := make([]any, 0, len(ca.Cells)+3)
		row = append(row, d.ID, ca.Case)
		for j := range ca.Cells {
			c := &ca.Cells[j]
			if c.Empty() {
				row = append(row, nil)
				continue
			}
			p := places[c.Finding]
			style := x.link
			if c.Conflicting() {
				style = x.conflict
			}
			row = append(row, linkCell(c, p.sheet, p.row, style))
		}
		if ca.Notes != "" {
			row = append(row, ca.Notes)
		}
		if _, _, err := x.cases.add(row); err != nil {
			return err
		}
	}
	x.docs = append(x.docs, rec)
	return nil
}

// linkCell is a Cases cell that opens its evidence's Findings row: a
// HYPERLINK formula, because the stream writer cannot write hyperlink
// records without keeping every one in memory. The formula's cached value
// is the number itself, so the cell reads, sorts and sums as a number.
func linkCell(c *StudyCell, sheet string, row int, style int) any {
	var val any
	var lit string
	if c.Value.Kind == extract.NumValue {
		val = c.Value.Num
		lit = extract.FormatNumber(c.Value.Num)
	} else {
		s := c.Text()
		val = s
		if len([]rune(s)) > formulaTextMax {
			return s
		}
		lit = `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return excelize.Cell{StyleID: style, Value: val, Formula: fmt.Sprintf(`HYPERLINK("#%s!A%d",%s)`, quoteSheet(sheet), row, lit)}
}

// quoteSheet quotes a sheet name for a reference when it needs it.
func quoteSheet(name string) string {
	if strings.ContainsAny(name, " &'-!") {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	return name
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

func mentionRow(f *extract.Finding, ms mentionSheet, sheet string, row int) []any {
	link := excelize.Cell{Value: row, Formula: fmt.Sprintf(`HYPERLINK("#%s!A%d",%d)`, quoteSheet(sheet), row, row)}
	out := []any{f.Doc, f.Case, link, f.Category, f.Concept, f.Label, f.Value.Interface(), f.Unit, f.Text,
		f.Start, f.End, f.Section, f.Assertion, f.Subject, f.Rule}
	for _, a := range ms.attrs {
		out = append(out, attrCell(f.Attributes[a]))
	}
	var other map[string]any
	for k, v := range f.Attributes {
		if !slices.Contains(ms.attrs, k) {
			if other == nil {
				other = map[string]any{}
			}
			other[k] = v
		}
	}
	if other != nil {
		b, _ := json.Marshal(other)
		out = append(out, string(b))
	}
	return out
}

// attrCell shows an attribute as a reader would say it: numbers stay
// numbers, a duration or time reads "72 h after" rather than JSON.
func attrCell(v any) any {
	switch t := v.(type) {
	case nil, string, bool, int, float64:
		return t
	case map[string]any:
		if val, ok := t["value"]; ok {
			s := fmt.Sprint(val)
			if f, ok := val.(float64); ok {
				s = extract.FormatNumber(f)
			}
			if u, ok := t["unit"].(string); ok && u != "" {
				s += " " + u
			}
			if r, ok := t["relation"].(string); ok && r != "" {
				s += " " + r
			}
			return s
		}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (x *XLSX) Close() error {
	if err := x.finish(); err != nil {
		x.Abort()
		return err
	}
	// excelize builds the whole zip in a bytes.Buffer before copying it
	// out: for a large run that doubles the workbook's size in memory. The
	// zip writer it is given writes to the file instead, and the buffer
	// stays empty. Fastest deflate: the workbook is written once per run
	// and default compression spent a third of the writer's CPU.
	var zw *zip.Writer
	x.book.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw = zip.NewWriter(x.f.tmp)
		zw.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
			return flate.NewWriter(w, flate.BestSpeed)
		})
		return zw
	})
	var rest bytes.Buffer
	if err := x.book.Write(&rest); err != nil {
		x.Abort()
		return err
	}
	x.book.Close()
	if rest.Len() != 0 {
		// Only a zip64 header or encryption would write here; clinex asks
		// for neither, so a byte here means the file above is not whole.
		x.f.abort()
		return fmt.Errorf("workbook: %d bytes written outside the zip stream", rest.Len())
	}
	return x.f.commit()
}

func (x *XLSX) finish() error {
	for _, s := range append([]*streamSheet{x.cases, x.findings, x.errors}, x.mentions...) {
		if err := s.flush(); err != nil {
			return err
		}
	}
	if err := x.writeDictionary(); err != nil {
		return err
	}
	if err := x.writeRun(); err != nil {
		return err
	}

	// Cases, the first sheet, is the one a new workbook opens on. Not
	// SetActiveSheet: it parses every worksheet back into memory, the
	// streamed ones included.
	return nil
}

// findingMeanings are the Findings columns in words, for the Dictionary.
var findingMeanings = map[string]string{
	"doc":              "The document: its file stem, or the JSONL record's id",
	"case":             "1-based case number within the document",
	"section":          "The section the finding is in (body before any heading)",
	"category":         "demographic, vital, lab, score, measurement, device, medication, procedure, condition or outcome",
	"concept":          "The canonical concept id (snake_case)",
	"label":            "The preferred label, or for a measurement the words naming it in the text",
	"value":            "The value: a number where the text has one, else a category, model, dose or count; empty for a bare mention",
	"value_max":        "The upper end of a range",
	"operator":         "<, <=, >, >= or ~ when the text gives one",
	"unit":             "The UCUM unit code",
	"text":             "The evidence: the original characters from the name to the value and unit",
	"start":            "Code-point offset of the evidence in the original report",
	"end":              "Code-point offset just after the evidence",
	"value_start":      "Code-point offset of the value and its unit alone",
	"value_end":        "Code-point offset just after the value and its unit",
	"sentence":         "The sentence, white space folded",
	"assertion":        "present, negated, possible, hypothetical or historical",
	"subject":          "patient, family, other, population, target or reference",
	"context_cue":      "The words (or cue id) that decided the assertion or subject",
	"rule":             "The id of the rule or lexicon entry that produced the finding",
	"flags":            "unit_mismatch, implausible, unit_missing, caption (comma-separated)",
	"attributes":       "What the kind of finding adds (JSON): device maker and position, drug route, procedure status, outcome time",
	"finding":          "The finding's row in the Findings sheet (a link to it)",
	"other_attributes": "Attributes without a column of their own (JSON)",
	"family":           "Device family, from the lexicon",
	"maker":            "Device maker, from the lexicon",
	"position":         "Where the device was placed (A3-P3)",
	"ordinal":          "Which one of several (a second MitraClip is 2)",
	"count":            "How many (devices placed, procedure repetitions)",
	"class":            "Drug class, from the lexicon",
	"kind":             "Kind of drug mention, procedure or outcome, from the lexicon",
	"route":            "Route of administration (intravenous, oral…)",
	"frequency":        "How often (daily, q8h)",
	"duration":         "How long the drug was given",
	"times":            "Repeated doses (2 x 500 mg)",
	"status":           "performed, attempted, planned or not_performed",
	"role":             "guidance when the procedure guided another",
	"guidance":         "The procedure that guided this one",
	"time":             "When, relative to the event before (72 h after)",
	"device":           "The device an outcome (a removal) concerns",
	"source":           "The file the document came from",
	"error":            "Why the document could not be read or processed",
}

func (x *XLSX) writeDictionary() error {
	sw, err := x.book.NewStreamWriter(SheetDictionary)
	if err != nil {
		return err
	}
	for i, w := range []float64{22, 26, 22, 12, 100} {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	rows := [][]any{{"sheet", "column", "concept", "unit", "meaning"}}
	rows = append(rows, []any{SheetCases, "doc", nil, nil, findingMeanings["doc"]},
		[]any{SheetCases, "case", nil, nil, findingMeanings["case"]})
	for _, v := range x.opts.Study {
		concept := v.Concept
		if concept == "" {
			concept = "category:" + v.Category
		}
		rows = append(rows, []any{SheetCases, v.Header(), concept, v.Unit, v.Meaning(x.opts.CasesAllFindings) + " Links to its evidence in Findings."})
	}
	rows = append(rows, []any{SheetCases, "notes", nil, nil, "What a reader must know before trusting a cell: several different values in the case, values left out for their unit, a flagged value (the cell is shaded when its case has other values)"})
	for _, c := range FindingColumns {
		rows = append(rows, []any{SheetFindings, c, nil, nil, findingMeanings[c]})
	}
	for _, ms := range mentionSheets {
		for _, c := range ms.columns() {
			rows = append(rows, []any{ms.name, c, nil, nil, findingMeanings[c]})
		}
	}
	for _, c := range errorColumns {
		rows = append(rows, []any{SheetErrors, c, nil, nil, findingMeanings[c]})
	}
	rows = append(rows, []any{SheetRun, "item, value", nil, nil, "The run's provenance: clinex version, configuration and pattern set hashes, inputs, start time, duration and counts; then one row per document with its SHA-256"})
	for i, r := range rows {
		if i == 0 {
			for k := range r {
				r[k] = excelize.Cell{StyleID: x.header, Value: r[k]}
			}
		}
		if err := sw.SetRow("A"+strconv.Itoa(i+1), r); err != nil {
			return err
		}
	}
	if err := x.book.AutoFilter(SheetDictionary, fmt.Sprintf("A1:E%d", len(rows)), nil); err != nil {
		return err
	}
	return sw.Flush()
}

func (x *XLSX) writeRun() error {
	sw, err := x.book.NewStreamWriter(SheetRun)
	if err != nil {
		return err
	}
	for i, w := range []float64{30, 66, 40, 66, 10, 8, 10} {
		if err := sw.SetColWidth(i+1, i+1, w); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	r := x.run
	failed, findings := 0, 0
	for _, d := range x.docs {
		if d.err != "" {
			failed++
		}
		findings += d.findings
	}
	rows := [][]any{{"item", "value"}}
	if x.hasRun {
		start, dur := any(nil), any(nil)
		if !r.Start.IsZero() {
			start = r.Start.UTC().Format(time.RFC3339)
			dur = r.Duration.Seconds()
		}
		rows = append(rows,
			[]any{"clinex version", r.Version},
			[]any{"configuration", r.ConfigSource},
			[]any{"configuration SHA-256", r.ConfigHash},
			[]any{"pattern set SHA-256", r.PatternsHash},
			[]any{"formats", strings.Join(r.Formats, ",")},
			[]any{"workers", r.Workers},
			[]any{"start (UTC)", start},
			[]any{"duration (s)", dur})
	} else {
		rows = append(rows, []any{"provenance", "not given to the writer"})
	}
	rows = append(rows, []any{"documents", len(x.docs)}, []any{"documents failed", failed},
		[]any{"cases", x.nCases}, []any{"findings", findings})
	cats := make([]string, 0, len(x.counts))
	for c := range x.counts {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		return slices.Index(extract.Categories, cats[i]) < slices.Index(extract.Categories, cats[j])
	})
	for _, c := range cats {
		rows = append(rows, []any{"findings: " + c, x.counts[c]})
	}
	filterEnd := len(rows)
	headers := []int{0}
	rows = append(rows, nil, []any{"input", "SHA-256", "bytes"})
	headers = append(headers, len(rows)-1)
	for _, in := range r.Inputs {
		var sum, size any
		if in.SHA256 != "" {
			sum, size = in.SHA256, in.Bytes
		}
		rows = append(rows, []any{in.Path, sum, size})
	}
	rows = append(rows, nil, []any{"document", "source", "error", "SHA-256", "bytes", "cases", "findings"})
	headers = append(headers, len(rows)-1)
	for _, i := range headers {
		for k := range rows[i] {
			rows[i][k] = excelize.Cell{StyleID: x.header, Value: rows[i][k]}
		}
	}
	for i, row := range rows {
		if err := sw.SetRow("A"+strconv.Itoa(i+1), row); err != nil {
			return err
		}
	}
	next := len(rows)
	for i, d := range x.docs {
		next++
		if next == excelize.TotalRows && i < len(x.docs)-1 {
			// Past Excel's last row only the checksums are cut: every
			// finding is still in Findings, and the sheet says so.
			msg := fmt.Sprintf("%d more documents: their checksums do not fit in one sheet", len(x.docs)-i)
			if err := sw.SetRow("A"+strconv.Itoa(next), []any{msg}); err != nil {
				return err
			}
			break
		}
		var errText any
		if d.err != "" {
			errText = d.err
		}
		if err := sw.SetRow("A"+strconv.Itoa(next), []any{d.id, d.source, errText, d.sha256, d.bytes, d.cases, d.findings}); err != nil {
			return err
		}
	}
	if err := x.book.AutoFilter(SheetRun, fmt.Sprintf("A1:B%d", filterEnd), nil); err != nil {
		return err
	}
	return sw.Flush()
}

func (x *XLSX) Abort() {
	x.book.Close()
	x.f.abort()
}

func (x *XLSX) Path() string { return x.f.final }
