package output

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
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

// mentionSheetsOf is the set of mention sheets (bit k for
// mentionSheets[k]) that have a row for each finding of the category.
func mentionSheetsOf(category string) uint8 {
	var set uint8
	for k, ms := range mentionSheets {
		if slices.Contains(ms.categories, category) {
			set |= 1 << k
		}
	}
	return set
}

// mentionsByCategory is mentionSheetsOf for each of extract.Categories,
// looked up once.
var mentionsByCategory = func() []uint8 {
	out := make([]uint8, len(extract.Categories))
	for k, c := range extract.Categories {
		out[k] = mentionSheetsOf(c)
	}
	return out
}()

// mentionColumns lead every mention sheet; the sheet's attributes follow,
// then "other_attributes" for keys without a column of their own.
var mentionColumns = []string{"doc", "case", "finding", "category", "concept", "label", "value", "unit", "text",
	"start", "end", "section", "assertion", "subject", "rule"}

var errorColumns = []string{"doc", "source", "error"}

// formulaTextMax is the longest text a formula may carry: Excel refuses
// string literals over 255 characters, so a longer cell is written without
// its link (the notes and the Findings sheet still hold everything).
const formulaTextMax = 255

// XLSX writes findings.xlsx. Every sheet is streamed, deflated, to a
// temporary file as documents arrive (see sheetWriter), and the Findings
// sheet straight into the workbook's zip, so memory stays flat however
// many findings a run has; only one small record per document (for the
// Run sheet) is kept, and its checksum until a megabyte of them joins
// the shared strings.
type XLSX struct {
	f        *atomicFile
	book     *excelize.File
	opts     Options
	cases    *sheet
	findings *sheet
	mentions []*sheet
	errors   *sheet
	sst      *sharedStrings
	docs     []docRecord
	// checksumXML holds the latest documents' checksums as shared string
	// items, pending of them; checksums counts every document's, and
	// checksumRuns says where those already in the table are (see
	// docRecord).
	checksumXML  []byte
	pending      int
	checksums    int
	checksumRuns []checksumRun
	// catCounts counts findings by category (extract.Categories' order);
	// counts any other category a finding has.
	catCounts [16]int
	counts    map[string]int
	nCases    int
	run       RunInfo
	hasRun    bool
	link      int // style of a linked cell
	conflict  int // style of a linked cell whose case has other values
	header    int // style of header rows
	closing   []*sheetWriter
	// zip is the workbook's zip, begun with the entry direct of the
	// Findings sheet's first part (see start).
	zip    *overlayZip
	direct *zip.FileHeader
	// lastSource is the last document's source and its shared string.
	lastSource lastText
	// places holds, while a document is written, where its findings' rows
	// are.
	places []place
	// mentionsOf holds, while a document is written, the mention sheets
	// each of its findings has a row in (mentionSheetsOf).
	mentionsOf []uint8
	agg        aggScratch // reused by every document's Cases rows
}

// docRecord is what the Run sheet says of one document. Its id, source
// and error are shared strings (-1 for none), looked up as the document
// is written, so that at the end of the run, in the serial time after the
// last document, its row costs no look-up. Its checksum is the sha256-th
// checksum of the run (-1 for none), made into a string item as the
// document is written and added to the table with the others of its run
// (checksumRun): added one by one among the run's other texts, the hex
// digits deflated a sixth worse.
type docRecord struct {
	id, source, err, sha256 int
	bytes, cases, findings  int
}

// checksumRun is a run of consecutive checksums in the shared strings:
// the first-th checksum and those after it, from index on.
type checksumRun struct{ first, index int }

// checksumBlock is how much of checksumXML is added to the shared strings
// at once, while the documents are still coming: a deflate chunk.
const checksumBlock = 1 << 20

// addChecksums adds the pending checksums to the shared strings.
func (x *XLSX) addChecksums() {
	if x.pending == 0 {
		return
	}
	index := x.sst.addItems(x.checksumXML, x.pending)
	x.checksumRuns = append(x.checksumRuns, checksumRun{first: x.checksums - x.pending, index: index})
	x.checksumXML, x.pending = x.checksumXML[:0], 0
}

// docText is s's shared string for a docRecord, -1 for none.
func (x *XLSX) docText(s string) int {
	if s == "" {
		return -1
	}
	return x.sst.index(s)
}

// sourceText is docText for a document's source, which is most often the
// source of the document before (the same JSONL file): that one's string
// is kept, as a column keeps its last text (sheetWriter.last).
func (x *XLSX) sourceText(s string) int {
	if s == "" {
		return -1
	}
	if s != x.lastSource.text {
		x.lastSource = lastText{s, x.sst.index(s)}
	}
	return x.lastSource.index
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
	if x.sst, err = newSharedStrings(x.f.final); err != nil {
		return err
	}
	// A text cell is what makes excelize give the workbook a shared string
	// table (its part, content type and relationship); the cell is in a
	// sheet whose body is replaced by the streamed one, and the table by
	// the streamed x.sst.
	if err := b.SetCellStr(SheetErrors, "A1", "error"); err != nil {
		return err
	}
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
	if x.cases, err = x.newSheet(SheetCases, caseCols, caseWidths, 2); err != nil {
		return err
	}
	// The zip is begun now with the Findings sheet's entry, whose body
	// (about half the workbook) is deflated into it as the run goes
	// instead of into a temporary file copied in at the end.
	x.zip = &overlayZip{Writer: zip.NewWriter(x.f.tmp), bodies: map[string]*deflatedPart{}, used: map[string]bool{}}
	x.zip.RegisterCompressor(zip.Deflate, func(w io.Writer) (io.WriteCloser, error) {
		return flate.NewWriter(w, flate.BestSpeed)
	})
	findingsID := 0
	for id, name := range b.GetSheetMap() {
		if name == SheetFindings {
			findingsID = id
		}
	}
	if findingsID == 0 {
		return fmt.Errorf("workbook: no sheet %q", SheetFindings)
	}
	// Sizes and checksum are not known yet: they follow the body (a data
	// descriptor, as a streamed zip entry has), set in write.
	x.direct = &zip.FileHeader{Name: sheetPath(findingsID), Method: zip.Deflate, Flags: zipDataDescriptor}
	x.zip.direct = x.direct.Name
	into, err := x.zip.CreateRaw(x.direct)
	if err != nil {
		return err
	}
	x.findings = &sheet{x: x, base: SheetFindings, cols: FindingColumns, widths: findingWidths(FindingColumns)}
	if err := x.findings.addPart(SheetFindings, into); err != nil {
		return err
	}
	for _, ms := range mentionSheets {
		cols := ms.columns()
		s, err := x.newSheet(ms.name, cols, findingWidths(cols), 0)
		if err != nil {
			return err
		}
		x.mentions = append(x.mentions, s)
	}
	x.errors, err = x.newSheet(SheetErrors, errorColumns, []float64{18, 40, 80}, 0)
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

// sheet is one sheet of the workbook in parts: a part is full at Excel's
// row limit, and the rows after it go to "<name> 2", and so on, so no row
// is ever lost.
type sheet struct {
	x       *XLSX
	base    string
	cols    []string
	widths  []float64
	freezeX int
	parts   []*sheetWriter
}

func (x *XLSX) newSheet(name string, cols []string, widths []float64, freezeX int) (*sheet, error) {
	s := &sheet{x: x, base: name, cols: cols, widths: widths, freezeX: freezeX}
	return s, s.addPart(name, nil)
}

// addPart starts the sheet's next part; into, when not nil, is the zip
// entry its body is deflated into (see XLSX.direct).
func (s *sheet) addPart(name string, into io.Writer) error {
	w, err := newSheetWriter(s.x.f.final, into, s.x.sst, name, s.cols, s.widths, s.freezeX, s.x.header, name == SheetCases)
	if err != nil {
		return err
	}
	s.parts = append(s.parts, w)
	return nil
}

// row starts the next row and returns the part it is in; the caller
// writes the cells and ends the row.
func (s *sheet) row() (*sheetWriter, error) {
	w := s.parts[len(s.parts)-1]
	if w.full() {
		name := fmt.Sprintf("%s %d", s.base, len(s.parts)+1)
		if _, err := s.x.book.NewSheet(name); err != nil {
			return nil, err
		}
		if err := s.addPart(name, nil); err != nil {
			return nil, err
		}
		w = s.parts[len(s.parts)-1]
	}
	w.startRow()
	return w, nil
}

// SetRunInfo records the run's provenance for the Run sheet.
func (x *XLSX) SetRunInfo(r RunInfo) { x.run, x.hasRun = r, true }

// place is where a finding's row is, for the links to it, and the shared
// string of its text, for the mention sheets' rows.
type place struct {
	// ref is the sheet's name as a link's target has it (sheetWriter.ref).
	ref  string
	row  int
	text int
}

func (x *XLSX) Write(d *DocResult) error {
	rec := docRecord{id: x.docText(d.ID), source: x.sourceText(d.Source), err: -1, sha256: -1, bytes: d.Bytes, findings: len(d.Findings)}
	if d.SHA256 != "" {
		x.checksumXML = appendSharedString(x.checksumXML, d.SHA256)
		rec.sha256 = x.checksums
		x.checksums++
		x.pending++
		if len(x.checksumXML) >= checksumBlock {
			x.addChecksums()
		}
	}
	if d.Err != nil {
		msg := d.Err.Error()
		rec.err = x.docText(msg)
		w, err := x.errors.row()
		if err != nil {
			return err
		}
		w.str(d.ID, 0)
		w.str(d.Source, 0)
		w.str(msg, 0)
		w.endRow()
	}
	places := resize(x.places, len(d.Findings))
	x.places = places
	sheets := resize(x.mentionsOf, len(d.Findings))
	x.mentionsOf = sheets
	for i := range d.Findings {
		f := &d.Findings[i]
		if k := slices.Index(extract.Categories, f.Category); k >= 0 && k < len(x.catCounts) {
			x.catCounts[k]++
			sheets[i] = mentionsByCategory[k]
		} else {
			x.counts[f.Category]++
			sheets[i] = mentionSheetsOf(f.Category)
		}
		w, err := x.findings.row()
		if err != nil {
			return err
		}
		text := writeFinding(w, f)
		w.endRow()
		places[i] = place{w.ref, w.row, text}
	}
	for i := range d.Findings {
		for k := 0; sheets[i]>>k != 0; k++ {
			if sheets[i]>>k&1 == 0 {
				continue
			}
			w, err := x.mentions[k].row()
			if err != nil {
				return err
			}
			writeMention(w, &d.Findings[i], mentionSheets[k], places[i])
			w.endRow()
		}
	}
	aggs := aggregateDoc(x.opts.Study, d, x.opts.CasesAllFindings, &x.agg)
	rec.cases = len(aggs)
	x.nCases += len(aggs)
	for _, ca := range aggs {
		w, err := x.cases.row()
		if err != nil {
			return err
		}
		w.str(d.ID, 0)
		w.integer(ca.Case, 0)
		for j := range ca.Cells {
			c := &ca.Cells[j]
			if c.Empty() {
				w.skip()
				continue
			}
			style := x.link
			if c.Conflicting() {
				style = x.conflict
			}
			writeLinkCell(w, c, places[c.Finding], style)
		}
		w.strLocal(ca.Notes)
		w.endRow()
	}
	x.docs = append(x.docs, rec)
	return nil
}

// writeLinkCell writes a Cases cell that opens its evidence's Findings
// row: a HYPERLINK formula, since hyperlink records would have to wait in
// memory for the end of the sheet. The formula's cached value is the
// number itself, so the cell reads, sorts and sums as a number.
func writeLinkCell(w *sheetWriter, c *StudyCell, p place, style int) {
	if c.Value.Kind == extract.NumValue {
		w.linkNumber(p, c.Value.Num, style)
		return
	}
	s := c.Text()
	if utf8.RuneCountInString(s) > formulaTextMax {
		w.str(s, 0)
		return
	}
	w.linkText(p, s, style)
}

// quoteSheet quotes a sheet name for a reference when it needs it.
func quoteSheet(name string) string {
	if strings.ContainsAny(name, " &'-!") {
		return "'" + strings.ReplaceAll(name, "'", "''") + "'"
	}
	return name
}

// writeFinding writes a finding's row and returns the shared string of its
// text (-1 for none).
func writeFinding(w *sheetWriter, f *extract.Finding) int {
	w.str(f.Doc, 0)
	w.integer(f.Case, 0)
	w.str(f.Section, 0)
	w.str(f.Category, 0)
	w.str(f.Concept, 0)
	w.str(f.Label, 0)
	w.findingValue(f.Value)
	if f.ValueMax != nil {
		w.number(*f.ValueMax, 0)
	} else {
		w.skip()
	}
	w.str(f.Operator, 0)
	w.str(f.Unit, 0)
	// The evidence is not looked up in the shared strings (it seldom
	// repeats, and hashing it cost more than the bytes it saved); it is
	// written once for the finding's row and its mention row.
	text := -1
	if f.Text != "" {
		text = w.sst.addOnce(f.Text)
		w.strIndex(text, 0)
	} else {
		w.skip()
	}
	w.integer(f.Start, 0)
	w.integer(f.End, 0)
	w.integer(f.ValueStart, 0)
	w.integer(f.ValueEnd, 0)
	w.strLocal(f.Sentence)
	w.str(f.Assertion, 0)
	w.str(f.Subject, 0)
	cue := ""
	if f.ContextCue != nil {
		cue = f.ContextCue.Text
		if cue == "" {
			cue = f.ContextCue.ID
		}
	}
	w.str(cue, 0)
	w.str(f.Rule, 0)
	w.str(strings.Join(f.Flags, ","), 0)
	if len(f.Attributes) > 0 {
		w.jsonCell(f.Attributes)
	}
	return text
}

func writeMention(w *sheetWriter, f *extract.Finding, ms mentionSheet, p place) {
	w.str(f.Doc, 0)
	w.integer(f.Case, 0)
	w.linkRow(p)
	w.str(f.Category, 0)
	w.str(f.Concept, 0)
	w.str(f.Label, 0)
	w.findingValue(f.Value)
	w.str(f.Unit, 0)
	if p.text >= 0 {
		w.strIndex(p.text, 0) // the Findings row's text
	} else {
		w.skip()
	}
	w.integer(f.Start, 0)
	w.integer(f.End, 0)
	w.str(f.Section, 0)
	w.str(f.Assertion, 0)
	w.str(f.Subject, 0)
	w.str(f.Rule, 0)
	for _, a := range ms.attrs {
		w.value(attrCell(f.Attributes[a]), 0)
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
		w.jsonCell(other)
	}
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

// overlayZip is the zip writer excelize writes the workbook through: the
// parts it names in bodies (the streamed sheets) get their file's content
// instead of the empty sheet excelize holds.
type overlayZip struct {
	*zip.Writer
	bodies map[string]*deflatedPart
	// direct is the part written into the zip as the run went.
	direct  string
	used    map[string]bool
	copyBuf []byte
}

// onlyReader hides a file's WriteTo, which would copy through its own
// small buffer instead of the one given to io.CopyBuffer.
type onlyReader struct{ io.Reader }

// zipDataDescriptor is the flag of a zip entry whose checksum and sizes
// follow its body.
const zipDataDescriptor = 0x8

// sheetPath is the zip part of the worksheet whose id excelize gave.
func sheetPath(id int) string { return fmt.Sprintf("xl/worksheets/sheet%d.xml", id) }

func (z *overlayZip) Create(name string) (io.Writer, error) {
	if name == z.direct {
		// Written already: excelize's empty sheet is dropped.
		z.used[name] = true
		return io.Discard, nil
	}
	body, ok := z.bodies[name]
	if !ok {
		return z.Writer.Create(name)
	}
	// The body is deflated already: copied as it is.
	w, err := z.Writer.CreateRaw(body.zipHeader(name))
	if err != nil {
		return nil, err
	}
	// A megabyte at a time (io.Copy from a file moves 32 KB a read and a
	// write): the copies are the serial end of the run.
	if z.copyBuf == nil {
		z.copyBuf = make([]byte, 1<<20)
	}
	if _, err := io.CopyBuffer(w, onlyReader{body.tmp}, z.copyBuf); err != nil {
		return nil, err
	}
	z.used[name] = true
	return io.Discard, nil
}

func (x *XLSX) Close() error {
	err := x.write()
	x.book.Close()
	x.removeParts()
	if err != nil {
		x.f.abort()
		return err
	}
	return x.f.commit()
}

func (x *XLSX) write() error {
	dict, err := x.writeDictionary()
	if err != nil {
		return err
	}
	x.closing = append(x.closing, dict)
	run, err := x.writeRun()
	if err != nil {
		return err
	}
	x.closing = append(x.closing, run)
	run.noFilter = true
	parts := []*sheetWriter{dict, run}
	for _, s := range append([]*sheet{x.cases, x.findings, x.errors}, x.mentions...) {
		parts = append(parts, s.parts...)
	}
	ids := map[string]int{}
	for id, name := range x.book.GetSheetMap() {
		ids[name] = id
	}
	bodies := map[string]*deflatedPart{}
	for _, p := range parts {
		if err := p.finish(); err != nil {
			return err
		}
		// The defined name Excel keeps for a sheet's filter.
		if !p.noFilter {
			if err := x.book.AutoFilter(p.name, p.filterRange(), nil); err != nil {
				return err
			}
		}
		id, ok := ids[p.name]
		if !ok {
			return fmt.Errorf("workbook: no sheet %q", p.name)
		}
		if p == x.findings.parts[0] {
			x.finishDirect(p)
			continue
		}
		bodies[sheetPath(id)] = &p.deflatedPart
	}
	// Every sheet is written: the shared strings are complete.
	if err := x.sst.finish(); err != nil {
		return err
	}
	bodies["xl/sharedStrings.xml"] = &x.sst.deflatedPart
	// excelize builds the whole zip in a bytes.Buffer before copying it
	// out, which for a large run doubles the workbook in memory: the zip
	// writer it is given writes to the file instead, and the buffer stays
	// empty. Fastest deflate, as for the sheet bodies: default compression
	// cost a third of the writer's CPU for a workbook a third smaller.
	zw := x.zip
	zw.bodies = bodies
	x.book.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zw })
	var rest bytes.Buffer
	if err := x.book.Write(&rest); err != nil {
		return err
	}
	if rest.Len() != 0 {
		// Only a zip64 header or encryption would write here; clinex asks
		// for neither, so a byte here means the file is not whole.
		return fmt.Errorf("workbook: %d bytes written outside the zip stream", rest.Len())
	}
	for name := range bodies {
		if !zw.used[name] {
			return fmt.Errorf("workbook: sheet part %s was never written", name)
		}
	}
	if !zw.used[zw.direct] {
		return fmt.Errorf("workbook: sheet part %s is not in the workbook", zw.direct)
	}
	return nil
}

// finishDirect gives the Findings entry, whose body is in the zip, its
// checksum and sizes, which the zip writer puts in the data descriptor
// after the body (when the next entry starts) and in the central
// directory: as it does for an entry it streamed itself, with 64-bit
// sizes past 4 GiB.
func (x *XLSX) finishDirect(p *sheetWriter) {
	h := x.direct
	h.CRC32, h.CompressedSize64, h.UncompressedSize64 = p.crc, uint64(p.packed), uint64(p.size)
	if h.CompressedSize64 >= math.MaxUint32 || h.UncompressedSize64 >= math.MaxUint32 {
		h.CompressedSize, h.UncompressedSize = math.MaxUint32, math.MaxUint32
		h.ReaderVersion = 45 // ZIP64
	} else {
		h.CompressedSize, h.UncompressedSize = uint32(h.CompressedSize64), uint32(h.UncompressedSize64)
	}
}

func (x *XLSX) removeParts() {
	if x.sst != nil {
		x.sst.remove()
	}
	for _, p := range x.closing {
		p.remove()
	}
	x.closing = nil
	for _, s := range append([]*sheet{x.cases, x.findings, x.errors}, x.mentions...) {
		if s == nil {
			continue
		}
		for _, p := range s.parts {
			p.remove()
		}
	}
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

func (x *XLSX) writeDictionary() (*sheetWriter, error) {
	w, err := newSheetWriter(x.f.final, nil, x.sst, SheetDictionary, []string{"sheet", "column", "concept", "unit", "meaning"},
		[]float64{22, 26, 22, 12, 100}, 0, x.header, false)
	if err != nil {
		return nil, err
	}
	add := func(sheet, col, concept, unit, meaning string) {
		w.startRow()
		w.str(sheet, 0)
		w.str(col, 0)
		w.str(concept, 0)
		w.str(unit, 0)
		w.str(meaning, 0)
		w.endRow()
	}
	add(SheetCases, "doc", "", "", findingMeanings["doc"])
	add(SheetCases, "case", "", "", findingMeanings["case"])
	for _, v := range x.opts.Study {
		concept := v.Concept
		if concept == "" {
			concept = "category:" + v.Category
		}
		add(SheetCases, v.Header(), concept, v.Unit, v.Meaning(x.opts.CasesAllFindings)+" Links to its evidence in Findings.")
	}
	add(SheetCases, "notes", "", "", "What a reader must know before trusting a cell: several different values in the case, values left out for their unit, a flagged value (the cell is shaded when its case has other values)")
	for _, c := range FindingColumns {
		add(SheetFindings, c, "", "", findingMeanings[c])
	}
	for _, ms := range mentionSheets {
		for _, c := range ms.columns() {
			add(ms.name, c, "", "", findingMeanings[c])
		}
	}
	for _, c := range errorColumns {
		add(SheetErrors, c, "", "", findingMeanings[c])
	}
	add(SheetRun, "item, value", "", "", "The run's provenance: clinex version, configuration and pattern set hashes, inputs, start time, duration and counts; then one row per document with its SHA-256")
	return w, nil
}

func (x *XLSX) writeRun() (*sheetWriter, error) {
	w, err := newSheetWriter(x.f.final, nil, x.sst, SheetRun, []string{"item", "value"}, []float64{30, 66, 40, 66, 10, 8, 10}, 0, x.header, false)
	if err != nil {
		return nil, err
	}
	pair := func(k string, v any) {
		w.startRow()
		w.str(k, 0)
		w.value(v, 0)
		w.endRow()
	}
	r := x.run
	failed, findings := 0, 0
	for _, d := range x.docs {
		if d.err >= 0 {
			failed++
		}
		findings += d.findings
	}
	if x.hasRun {
		pair("clinex version", r.Version)
		pair("configuration", r.ConfigSource)
		pair("configuration SHA-256", r.ConfigHash)
		pair("pattern set SHA-256", r.PatternsHash)
		pair("formats", strings.Join(r.Formats, ","))
		pair("workers", r.Workers)
		if !r.Start.IsZero() {
			pair("start (UTC)", r.Start.UTC().Format(time.RFC3339))
			pair("duration (s)", r.Duration.Seconds())
		}
	} else {
		pair("provenance", "not given to the writer")
	}
	pair("documents", len(x.docs))
	pair("documents failed", failed)
	pair("cases", x.nCases)
	pair("findings", findings)
	for k, n := range x.catCounts[:min(len(extract.Categories), len(x.catCounts))] {
		if n > 0 {
			x.counts[extract.Categories[k]] += n
		}
	}
	x.catCounts = [16]int{}
	cats := make([]string, 0, len(x.counts))
	for c := range x.counts {
		cats = append(cats, c)
	}
	sort.Slice(cats, func(i, j int) bool {
		return slices.Index(extract.Categories, cats[i]) < slices.Index(extract.Categories, cats[j])
	})
	for _, c := range cats {
		pair("findings: "+c, x.counts[c])
	}
	headerRow := func(cols ...string) {
		w.startRow()
		w.endRow()
		w.startRow()
		for _, c := range cols {
			w.str(c, x.header)
		}
		w.endRow()
	}
	headerRow("input", "SHA-256", "bytes")
	for _, in := range r.Inputs {
		w.startRow()
		w.str(in.Path, 0)
		if in.SHA256 != "" {
			w.str(in.SHA256, 0)
			w.integer(int(in.Bytes), 0)
		}
		w.endRow()
	}
	headerRow("document", "source", "error", "SHA-256", "bytes", "cases", "findings")
	x.addChecksums()
	x.checksumXML = nil
	run := 0 // the checksum run of the row's document: they come in order
	for i, d := range x.docs {
		w.startRow()
		if w.row == maxRows && i < len(x.docs)-1 {
			// Past Excel's last row only the checksums are cut: every
			// finding is still in Findings, and the sheet says so.
			w.str(fmt.Sprintf("%d more documents: their checksums do not fit in one sheet", len(x.docs)-i), 0)
			w.endRow()
			break
		}
		w.shared(d.id)
		w.shared(d.source)
		w.shared(d.err)
		if d.sha256 >= 0 {
			for run+1 < len(x.checksumRuns) && x.checksumRuns[run+1].first <= d.sha256 {
				run++
			}
			r := x.checksumRuns[run]
			w.shared(r.index + d.sha256 - r.first)
		} else {
			w.skip()
		}
		w.integer(d.bytes, 0)
		w.integer(d.cases, 0)
		w.integer(d.findings, 0)
		w.endRow()
	}
	return w, nil
}

func (x *XLSX) Abort() {
	x.book.Close()
	x.removeParts()
	x.f.abort()
}

func (x *XLSX) Path() string { return x.f.final }
