package output

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/clinex/clinex/extract"
)

// sheetWriter streams one worksheet's XML to a temporary file, row by row.
//
// excelize's StreamWriter keeps up to 16 MB of every sheet in memory before
// it spills (a buffer each sheet holds until the workbook is written), and
// its per-cell work was most of the writer's CPU: on the 60 MB benchmark
// corpus that was 90 MB live for five sheets and a 338 MB peak. excelize
// still builds the workbook (sheet list, styles, defined names, content
// types); this writes only the sheet bodies and the shared strings (see
// sst.go), which the zip writer given to excelize puts in place of the
// empty parts it holds.
type sheetWriter struct {
	deflatedPart
	name string
	// ref is the name as a link to the sheet has it, quoted when it must
	// be and escaped for the XML: made once, not for every link.
	ref string
	// sst holds the workbook's text cells; a cell refers to its string.
	sst   *sharedStrings
	ncols int
	row   int // rows written, the header included
	col   int // next column (0-based) of the row being written
	// written is the column after the row's last cell written: a cell
	// there needs no reference.
	written int
	// rowNum is the row's number as text, for the cells' references.
	rowNum []byte
	// scratch holds a JSON cell while it is escaped into buf.
	scratch []byte
	// last is each column's last text and its shared string: a column
	// often repeats the row above (the document, the sentence, the
	// assertion), and comparing with it is cheaper than hashing.
	last []lastText
	// noFilter leaves the sheet without an autofilter (the Run sheet's
	// tables of different widths have no one header row).
	noFilter bool
}

// Excel's limits: rows per sheet, characters per cell. maxRows is a
// variable so a test can reach it without a million rows.
var maxRows = excelize.TotalRows

const maxCellChars = excelize.TotalCellChars

// colNames caches column letters: A, B, …, AA.
var colNames = func() []string {
	out := make([]string, 256)
	for i := range out {
		out[i], _ = excelize.ColumnNumberToName(i + 1)
	}
	return out
}()

func colName(i int) string {
	if i < len(colNames) {
		return colNames[i]
	}
	s, _ := excelize.ColumnNumberToName(i + 1)
	return s
}

// newSheetWriter starts a sheet: its view (header row frozen, and the
// first freezeCols columns), column widths, and the header row in style
// headerStyle. Its text cells go to the shared strings sst.
// The body goes to a temporary file beside the workbook (see
// deflatedPart.start), or when into is not nil, deflated into it.
func newSheetWriter(workbook string, into io.Writer, sst *sharedStrings, name string, header []string, widths []float64, freezeCols, headerStyle int, selected bool) (*sheetWriter, error) {
	s := &sheetWriter{name: name, ref: string(appendEscaped(nil, quoteSheet(name))), sst: sst, ncols: len(header), last: make([]lastText, len(header))}
	if into != nil {
		s.startIn(into)
	} else if err := s.start(workbook, "sheet"); err != nil {
		return nil, err
	}
	b := s.buf
	b = append(b, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"...)
	b = append(b, `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`...)
	b = append(b, `<sheetViews><sheetView workbookViewId="0"`...)
	if selected {
		b = append(b, ` tabSelected="1"`...)
	}
	b = append(b, `>`...)
	pane := "bottomLeft"
	if freezeCols > 0 {
		pane = "bottomRight"
		b = fmt.Appendf(b, `<pane xSplit="%d" ySplit="1" topLeftCell="%s2" activePane="%s" state="frozen"/>`, freezeCols, colName(freezeCols), pane)
	} else {
		b = fmt.Appendf(b, `<pane ySplit="1" topLeftCell="A2" activePane="%s" state="frozen"/>`, pane)
	}
	b = fmt.Appendf(b, `<selection pane="%s"/></sheetView></sheetViews>`, pane)
	b = append(b, `<sheetFormatPr defaultRowHeight="15"/>`...)
	if len(widths) > 0 {
		b = append(b, `<cols>`...)
		for i, wd := range widths {
			b = fmt.Appendf(b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(wd, 'f', -1, 64))
		}
		b = append(b, `</cols>`...)
	}
	s.buf = append(b, `<sheetData>`...)
	s.startRow()
	for _, h := range header {
		s.str(h, headerStyle)
	}
	s.endRow()
	return s, nil
}

// full reports whether the sheet has reached Excel's last row.
func (s *sheetWriter) full() bool { return s.row >= maxRows }

func (s *sheetWriter) startRow() {
	s.row++
	s.col = 0
	s.written = 0
	s.rowNum = appendInt(s.rowNum[:0], s.row)
	s.buf = append(s.buf, `<row r="`...)
	s.buf = append(s.buf, s.rowNum...)
	s.buf = append(s.buf, `">`...)
}

func (s *sheetWriter) endRow() {
	s.buf = append(s.buf, `</row>`...)
	s.flushFull()
}

// skip leaves the next cell empty.
func (s *sheetWriter) skip() { s.col++ }

// open starts a cell: <c r="B7" s="3" t="str">. The reference is
// optional and left out when the cell follows the one written before it
// (as every reader places it): the references were nearly half of a
// sheet's XML, and what it costs to deflate.
func (s *sheetWriter) open(style int, typ string) {
	b := append(s.buf, `<c`...)
	if s.col != s.written {
		b = append(b, ` r="`...)
		b = append(b, colName(s.col)...)
		b = append(b, s.rowNum...)
		b = append(b, '"')
	}
	if style > 0 {
		b = append(b, ` s="`...)
		b = appendInt(b, style)
		b = append(b, '"')
	}
	if typ != "" {
		b = append(b, ` t="`...)
		b = append(b, typ...)
		b = append(b, '"')
	}
	s.buf = append(b, '>')
	s.col++
	s.written = s.col
}

type lastText struct {
	text  string
	index int
}

// str writes a text cell, a reference to its shared string; an empty
// text leaves the cell empty.
func (s *sheetWriter) str(v string, style int) {
	if v == "" {
		s.col++
		return
	}
	s.strIndex(s.textIndex(v), style)
}

// textIndex is v's index in the shared strings, for the next cell.
func (s *sheetWriter) textIndex(v string) int {
	if s.col < len(s.last) {
		if l := &s.last[s.col]; l.text == v {
			return l.index
		}
		i := s.sst.index(v)
		s.last[s.col] = lastText{v, i}
		return i
	}
	return s.sst.index(v)
}

// strLocal writes a text cell of a column whose texts are long and seldom
// repeat but where they do, in the row above (the sentence several
// findings share): only that row is looked at. Hashing them for the
// table's memory cost more than it saved, and they crowded the short,
// much repeated texts out of it.
func (s *sheetWriter) strLocal(v string) {
	if v == "" {
		s.col++
		return
	}
	l := &s.last[s.col]
	if l.text != v {
		*l = lastText{v, s.sst.addOnce(v)}
	}
	s.strIndex(l.index, 0)
}

// shared writes a text cell holding shared string i, or for i < 0
// leaves the cell empty, as str does an empty text.
func (s *sheetWriter) shared(i int) {
	if i < 0 {
		s.col++
		return
	}
	s.strIndex(i, 0)
}

// strIndex writes a text cell holding shared string i.
func (s *sheetWriter) strIndex(i int, style int) { s.intCell(true, i, style) }

func (s *sheetWriter) integer(v int, style int) { s.intCell(false, v, style) }

// intCell writes a cell whose value is an integer: a shared string's index
// (shared) or a number.
func (s *sheetWriter) intCell(shared bool, v int, style int) {
	if style == 0 && s.col == s.written {
		s.plainCell(shared, v)
		return
	}
	if shared {
		s.open(style, "s")
	} else {
		s.open(style, "")
	}
	s.buf = append(s.buf, `<v>`...)
	s.buf = appendInt(s.buf, v)
	s.buf = append(s.buf, `</v></c>`...)
}

// plainCell writes the commonest cells, a number or shared string
// (shared) without style or reference: <c t="s"><v>v</v></c> or
// <c><v>v</v></c>. Most of a sheet is such cells: they are stored
// straight into the buffer's spare room, eight bytes at a time and the
// digits two at a time, since copying the pieces in (a memmove call each)
// was most of their cost.
func (s *sheetWriter) plainCell(shared bool, v int) {
	const most = 48 // the longest cell: 12 + a sign and 20 digits + 8
	b := s.buf
	if cap(b)-len(b) < most {
		b = slices.Grow(b, most)
	}
	n := len(b)
	a := b[n : n+most]
	p := 0
	if shared {
		binary.LittleEndian.PutUint64(a, cellSharedLo)
		binary.LittleEndian.PutUint32(a[8:], cellSharedHi)
		p = 12
	} else {
		// Eight bytes stored, six kept: the digits overwrite the rest.
		binary.LittleEndian.PutUint64(a, cellNumber)
		p = 6
	}
	p += putInt(a[p:], v)
	end := p
	binary.LittleEndian.PutUint64(a[end:], cellEnd)
	s.buf = b[:n+end+8]
	s.col++
	s.written = s.col
}

// A plain cell's fixed bytes as little-endian words: `<c t="s"` `><v>`,
// `<c><v>` (with two bytes the digits overwrite) and `</v></c>`.
var (
	cellSharedLo = binary.LittleEndian.Uint64([]byte(`<c t="s"`))
	cellSharedHi = binary.LittleEndian.Uint32([]byte(`><v>`))
	cellNumber   = binary.LittleEndian.Uint64([]byte(`<c><v>00`))
	cellEnd      = binary.LittleEndian.Uint64([]byte(`</v></c>`))
)

// digitPairs holds 00 to 99, two bytes each.
const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// digitCount is how many decimal digits u has: from its bit length
// (1233/4096 is just over log10(2)), then one comparison.
func digitCount(u uint64) int {
	u |= 1 // 0 has one digit, as 1 has
	t := bits.Len64(u) * 1233 >> 12
	if u >= powersOf10[t] {
		t++
	}
	return t
}

var powersOf10 = [20]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
	1e16, 1e17, 1e18, 1e19}

// putInt writes v in decimal at the start of a (21 bytes are enough for
// any int) and returns its length: strconv.AppendInt's digits without
// its copy of them.
func putInt(a []byte, v int) int {
	u := uint64(v)
	n := 0
	if v < 0 {
		u = uint64(-v) // math.MinInt too: its magnitude is 1<<63
		a[0] = '-'
		n = 1
	}
	n += digitCount(u)
	p := n
	for u >= 100 {
		q := u / 100
		d := (u - q*100) * 2
		a[p-1], a[p-2] = digitPairs[d+1], digitPairs[d]
		p -= 2
		u = q
	}
	if u >= 10 {
		a[p-1], a[p-2] = digitPairs[u*2+1], digitPairs[u*2]
	} else {
		a[p-1] = byte('0' + u)
	}
	return n
}

// appendInt is strconv.AppendInt(b, v, 10), the digits stored straight
// into b's spare room.
func appendInt(b []byte, v int) []byte {
	const most = 20 // a sign and 19 digits
	if cap(b)-len(b) < most {
		b = slices.Grow(b, most)
	}
	n := len(b)
	return b[:n+putInt(b[n:n+most], v)]
}

// number writes a numeric cell; NaN and infinities, which a cell cannot
// hold as numbers, are written as text.
func (s *sheetWriter) number(v float64, style int) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s.str(strconv.FormatFloat(v, 'g', -1, 64), style)
		return
	}
	s.open(style, "")
	s.buf = append(s.buf, `<v>`...)
	s.buf = strconv.AppendFloat(s.buf, v, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// value writes a number, a text, or nothing.
func (s *sheetWriter) value(v any, style int) {
	switch t := v.(type) {
	case nil:
		s.col++
	case float64:
		s.number(t, style)
	case int:
		s.integer(t, style)
	case string:
		s.str(t, style)
	case bool:
		s.str(strconv.FormatBool(t), style)
	default:
		s.str(fmt.Sprint(t), style)
	}
}

// findingValue writes a finding's value as value(v.Interface()) would,
// without boxing the number.
func (s *sheetWriter) findingValue(v extract.Value) {
	switch v.Kind {
	case extract.NumValue:
		s.number(v.Num, 0)
	case extract.StrValue:
		s.str(v.Str, 0)
	default:
		s.col++
	}
}

// jsonCell writes v as json.Marshal does (HTML escaped), as text; a value
// json.Marshal refuses leaves the cell empty.
func (s *sheetWriter) jsonCell(v any) {
	b, ok := AppendJSONValue(s.scratch[:0], v, true)
	if !ok {
		b, _ = json.Marshal(v)
	} else {
		s.scratch = b
	}
	if len(b) == 0 {
		s.col++
		return
	}
	s.strIndex(s.sst.indexBytes(b), 0)
}

// The links to a finding's row: HYPERLINK formulas whose cached value is
// what the cell shows. Appended piece by piece, as formula would write
// the whole formula, without building it as a string first.

// linkOpen writes a link cell's start, up to the link's target:
// <c…><f>HYPERLINK("#Findings!A7",
func (s *sheetWriter) linkOpen(p place, style int, typ string) {
	s.open(style, typ)
	s.buf = append(s.buf, `<f>HYPERLINK("#`...)
	s.buf = append(s.buf, p.ref...)
	s.buf = append(s.buf, `!A`...)
	s.buf = appendInt(s.buf, p.row)
	s.buf = append(s.buf, `",`...)
}

// linkRow writes a link to p showing its row number.
func (s *sheetWriter) linkRow(p place) {
	s.linkOpen(p, 0, "")
	s.buf = appendInt(s.buf, p.row)
	s.buf = append(s.buf, `)</f><v>`...)
	s.buf = appendInt(s.buf, p.row)
	s.buf = append(s.buf, `</v></c>`...)
}

// linkNumber writes a link to p showing the number v.
func (s *sheetWriter) linkNumber(p place, v float64, style int) {
	s.linkOpen(p, style, "")
	s.buf = strconv.AppendFloat(s.buf, v, 'f', -1, 64) // extract.FormatNumber
	s.buf = append(s.buf, `)</f><v>`...)
	s.buf = strconv.AppendFloat(s.buf, v, 'g', -1, 64)
	s.buf = append(s.buf, `</v></c>`...)
}

// linkText writes a link to p showing the text v, quoted in the formula
// as Excel quotes a string literal (a quote doubled).
func (s *sheetWriter) linkText(p place, v string, style int) {
	s.linkOpen(p, style, "str")
	s.buf = append(s.buf, '"')
	s.buf = appendEscaped(s.buf, strings.ReplaceAll(v, `"`, `""`))
	s.buf = append(s.buf, `")</f><v>`...)
	s.buf = appendEscaped(s.buf, v)
	s.buf = append(s.buf, `</v></c>`...)
}

// finish closes the sheet with its autofilter over every row written and
// rewinds the file for copying into the workbook.
func (s *sheetWriter) finish() error {
	last := max(s.row, 2)
	s.buf = append(s.buf, `</sheetData>`...)
	if !s.noFilter {
		s.buf = fmt.Appendf(s.buf, `<autoFilter ref="A1:%s%d"/>`, colName(max(s.ncols, 1)-1), last)
	}
	s.buf = append(s.buf, `<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`...)
	return s.finishPart()
}

// filterRange is the autofilter's range, for the workbook's defined name.
func (s *sheetWriter) filterRange() string {
	return fmt.Sprintf("A1:%s%d", colName(max(s.ncols, 1)-1), max(s.row, 2))
}

// appendEscaped appends text as XML character data: &, < and > escaped,
// characters XML 1.0 cannot hold (control characters from a PDF's text, a
// broken byte) replaced by U+FFFD, and at most Excel's 32,767 characters a
// cell (a longer text is cut there; the finding's text stays whole in the
// other formats).
func appendEscaped(b []byte, s string) []byte {
	if len(s) > maxCellChars && utf8.RuneCountInString(s) > maxCellChars {
		n := 0
		for i := range s {
			if n == maxCellChars {
				s = s[:i]
				break
			}
			n++
		}
	}
	start := 0
	for i := 0; i < len(s); {
		// Eight plain ASCII bytes at a time (no control byte, &, <, > or
		// non-ASCII byte among them): most of a sentence.
		for ; i+8 <= len(s); i += 8 {
			x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
				uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
			amp, lt, gt := x^(ones*'&'), x^(ones*'<'), x^(ones*'>')
			if ((x-ones*0x20)&^x|(amp-ones)&^amp|(lt-ones)&^lt|(gt-ones)&^gt|x)&highs != 0 {
				break
			}
		}
		if i >= len(s) {
			break
		}
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '&' && c != '<' && c != '>' {
			i++
			continue
		}
		var rep string
		size := 1
		switch {
		case c == '&':
			rep = "&amp;"
		case c == '<':
			rep = "&lt;"
		case c == '>':
			rep = "&gt;"
		case c == '\t' || c == '\n' || c == '\r':
			i++
			continue
		case c < 0x20:
			rep = "\uFFFD"
		default:
			r, n := utf8.DecodeRuneInString(s[i:])
			size = n
			if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
				rep = "\uFFFD"
			} else {
				i += n
				continue
			}
		}
		b = append(b, s[start:i]...)
		b = append(b, rep...)
		i += size
		start = i
	}
	return append(b, s[start:]...)
}
