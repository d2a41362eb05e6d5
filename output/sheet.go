package output

import (
	"archive/zip"
	"bufio"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
	"github.com/xuri/excelize/v2"
)

// sheetWriter streams one worksheet's XML to a temporary file, row by row.
//
// excelize's StreamWriter keeps up to 16 MB of every sheet in memory before
// it spills (a buffer each sheet holds until the workbook is written), and
// its per-cell work was most of the writer's CPU: on the 60 MB benchmark
// corpus that was 90 MB live for five sheets and a 338 MB peak. excelize
// still builds the workbook (sheet list, styles, defined names, content
// types); this writes only the sheet bodies, which the zip writer given to
// excelize puts in place of the empty sheets it holds.
type sheetWriter struct {
	name string
	tmp  *os.File
	pipe *io.PipeWriter
	done chan error
	// crc and size are the uncompressed body's checksum and length, and
	// packed the compressed length, for the zip entry.
	crc    uint32
	size   int64
	packed int64
	w      *bufio.Writer
	ncols  int
	row    int // rows written, the header included
	col    int // next column (0-based) of the row being written
	rowStr string
	num    []byte
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
// headerStyle.
// The body goes to a temporary file beside the workbook, named after it
// (".findings.xlsx.partial-sheet-*") so that what an interrupted run left
// is plainly unfinished.
func newSheetWriter(workbook, name string, header []string, widths []float64, freezeCols, headerStyle int, selected bool) (*sheetWriter, error) {
	f, err := os.CreateTemp(filepath.Dir(workbook), "."+filepath.Base(workbook)+".partial-sheet-*")
	if err != nil {
		return nil, err
	}
	s := &sheetWriter{name: name, tmp: f, ncols: len(header), done: make(chan error, 1)}
	// The body is deflated as it is written, on a goroutine of its own:
	// compression overlaps the run instead of being a serial tail at the
	// end, and the temporary file is a fifth of the XML's size.
	pr, pw := io.Pipe()
	s.pipe = pw
	s.w = bufio.NewWriterSize(pw, 1<<16)
	go s.compress(pr)
	w := s.w
	w.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	w.WriteString(`<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">`)
	w.WriteString(`<sheetViews><sheetView workbookViewId="0"`)
	if selected {
		w.WriteString(` tabSelected="1"`)
	}
	w.WriteString(`>`)
	pane := "bottomLeft"
	if freezeCols > 0 {
		pane = "bottomRight"
		fmt.Fprintf(w, `<pane xSplit="%d" ySplit="1" topLeftCell="%s2" activePane="%s" state="frozen"/>`, freezeCols, colName(freezeCols), pane)
	} else {
		fmt.Fprintf(w, `<pane ySplit="1" topLeftCell="A2" activePane="%s" state="frozen"/>`, pane)
	}
	fmt.Fprintf(w, `<selection pane="%s"/></sheetView></sheetViews>`, pane)
	w.WriteString(`<sheetFormatPr defaultRowHeight="15"/>`)
	if len(widths) > 0 {
		w.WriteString(`<cols>`)
		for i, wd := range widths {
			fmt.Fprintf(w, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, i+1, i+1, strconv.FormatFloat(wd, 'f', -1, 64))
		}
		w.WriteString(`</cols>`)
	}
	w.WriteString(`<sheetData>`)
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
	s.rowStr = strconv.Itoa(s.row)
	s.w.WriteString(`<row r="`)
	s.w.WriteString(s.rowStr)
	s.w.WriteString(`">`)
}

func (s *sheetWriter) endRow() { s.w.WriteString(`</row>`) }

// skip leaves the next cell empty.
func (s *sheetWriter) skip() { s.col++ }

func (s *sheetWriter) open(style int, typ string) {
	w := s.w
	w.WriteString(`<c r="`)
	w.WriteString(colName(s.col))
	w.WriteString(s.rowStr)
	w.WriteByte('"')
	if style > 0 {
		w.WriteString(` s="`)
		w.WriteString(strconv.Itoa(style))
		w.WriteByte('"')
	}
	if typ != "" {
		w.WriteString(` t="`)
		w.WriteString(typ)
		w.WriteByte('"')
	}
	w.WriteByte('>')
	s.col++
}

// str writes a text cell; an empty text leaves the cell empty.
func (s *sheetWriter) str(v string, style int) {
	if v == "" {
		s.col++
		return
	}
	s.open(style, "inlineStr")
	s.w.WriteString(`<is><t xml:space="preserve">`)
	writeEscaped(s.w, v)
	s.w.WriteString(`</t></is></c>`)
}

// number writes a numeric cell; NaN and infinities, which a cell cannot
// hold as numbers, are written as text.
func (s *sheetWriter) number(v float64, style int) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		s.str(strconv.FormatFloat(v, 'g', -1, 64), style)
		return
	}
	s.open(style, "")
	s.w.WriteString(`<v>`)
	s.num = strconv.AppendFloat(s.num[:0], v, 'g', -1, 64)
	s.w.Write(s.num)
	s.w.WriteString(`</v></c>`)
}

func (s *sheetWriter) integer(v int, style int) {
	s.open(style, "")
	s.w.WriteString(`<v>`)
	s.num = strconv.AppendInt(s.num[:0], int64(v), 10)
	s.w.Write(s.num)
	s.w.WriteString(`</v></c>`)
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

// formula writes a cell with a formula and its cached result (a number or
// a text), so a reader that does not calculate still sees the value.
func (s *sheetWriter) formula(f string, cached any, style int) {
	switch c := cached.(type) {
	case float64:
		s.open(style, "")
		s.w.WriteString(`<f>`)
		writeEscaped(s.w, f)
		s.w.WriteString(`</f><v>`)
		s.num = strconv.AppendFloat(s.num[:0], c, 'g', -1, 64)
		s.w.Write(s.num)
	case int:
		s.open(style, "")
		s.w.WriteString(`<f>`)
		writeEscaped(s.w, f)
		s.w.WriteString(`</f><v>`)
		s.num = strconv.AppendInt(s.num[:0], int64(c), 10)
		s.w.Write(s.num)
	default:
		s.open(style, "str")
		s.w.WriteString(`<f>`)
		writeEscaped(s.w, f)
		s.w.WriteString(`</f><v>`)
		writeEscaped(s.w, fmt.Sprint(c))
	}
	s.w.WriteString(`</v></c>`)
}

// finish closes the sheet with its autofilter over every row written and
// rewinds the file for copying into the workbook.
func (s *sheetWriter) finish() error {
	last := max(s.row, 2)
	s.w.WriteString(`</sheetData>`)
	if !s.noFilter {
		fmt.Fprintf(s.w, `<autoFilter ref="A1:%s%d"/>`, colName(max(s.ncols, 1)-1), last)
	}
	s.w.WriteString(`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>`)
	if err := s.w.Flush(); err != nil {
		return err
	}
	s.pipe.Close()
	s.pipe = nil
	if err := <-s.done; err != nil {
		return err
	}
	_, err := s.tmp.Seek(0, io.SeekStart)
	return err
}

// compress deflates what the sheet writes into its temporary file.
func (s *sheetWriter) compress(r *io.PipeReader) {
	out := &countingWriter{w: bufio.NewWriterSize(s.tmp, 1<<16)}
	zw, _ := flate.NewWriter(out, flate.BestSpeed)
	h := crc32.NewIEEE()
	n, err := io.Copy(io.MultiWriter(zw, h), r)
	if err == nil {
		err = zw.Close()
	}
	if err == nil {
		err = out.w.Flush()
	}
	// A failed compression stops the writer's next write too.
	r.CloseWithError(err)
	s.crc, s.size, s.packed = h.Sum32(), n, out.n
	s.done <- err
}

// zipHeader is the zip entry of the deflated body.
func (s *sheetWriter) zipHeader(name string) *zip.FileHeader {
	return &zip.FileHeader{Name: name, Method: zip.Deflate, CRC32: s.crc,
		CompressedSize64: uint64(s.packed), UncompressedSize64: uint64(s.size)}
}

type countingWriter struct {
	w *bufio.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// filterRange is the autofilter's range, for the workbook's defined name.
func (s *sheetWriter) filterRange() string {
	return fmt.Sprintf("A1:%s%d", colName(max(s.ncols, 1)-1), max(s.row, 2))
}

func (s *sheetWriter) remove() {
	if s.pipe != nil {
		s.pipe.CloseWithError(io.ErrClosedPipe)
		s.pipe = nil
		<-s.done
	}
	s.tmp.Close()
	os.Remove(s.tmp.Name())
}

// writeEscaped writes text as XML character data: &, < and > escaped,
// characters XML 1.0 cannot hold (control characters from a PDF's text, a
// broken byte) replaced by U+FFFD, and at most Excel's 32,767 characters a
// cell (a longer text is cut there; the finding's text stays whole in the
// other formats).
func writeEscaped(w *bufio.Writer, s string) {
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
		w.WriteString(s[start:i])
		w.WriteString(rep)
		i += size
		start = i
	}
	w.WriteString(s[start:])
}
