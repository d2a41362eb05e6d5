package output

import (
	"archive/zip"
	"encoding/xml"
	"errors"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/clinex/clinex/extract"
)

// Text from a PDF carries control characters and markup characters that
// XML cannot hold as they are; the cell must still parse and read back.
func TestAppendEscaped(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Hb <7 & falling>", "Hb &lt;7 &amp; falling&gt;"},
		{"page\fbreak\x00", "page\uFFFDbreak\uFFFD"},
		{"tab\there\nline", "tab\there\nline"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"µg/L 10⁹ – ok", "µg/L 10⁹ – ok"},
	} {
		b := appendEscaped(nil, tc.in)
		if string(b) != tc.want {
			t.Errorf("%q escaped to %q, want %q", tc.in, b, tc.want)
		}
		var back string
		if err := xml.Unmarshal([]byte("<t>"+string(b)+"</t>"), &back); err != nil {
			t.Errorf("%q: not XML: %v", tc.in, err)
		}
	}
	if n := utf8.RuneCount(appendEscaped(nil, strings.Repeat("é", maxCellChars+10))); n != maxCellChars {
		t.Errorf("a long text kept %d characters, want Excel's %d", n, maxCellChars)
	}
}

// A sheet that reaches Excel's last row goes on in "Findings 2", and the
// Cases links point into the part that holds the evidence.
func TestFullSheetGoesOnInANewOne(t *testing.T) {
	defer func(n int) { maxRows = n }(maxRows)
	maxRows = 4 // a header and three findings a part
	path := filepath.Join(t.TempDir(), "findings.xlsx")
	x, err := NewXLSX(path, Options{Study: []StudyVar{{Concept: "hemoglobin", Agg: AggLast, Unit: "g/dL"}}})
	if err != nil {
		t.Fatal(err)
	}
	var fs []extract.Finding
	for i := range 5 {
		fs = append(fs, hb(1, 10*i, float64(7+i), "g/dL"))
	}
	if err := x.Write(&DocResult{ID: "d", Cases: 1, Findings: fs}); err != nil {
		t.Fatal(err)
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	book := openBook(t, path)
	var values []string
	for _, s := range []string{"Findings", "Findings 2"} {
		rows, err := book.GetRows(s)
		if err != nil {
			t.Fatalf("sheet %s: %v", s, err)
		}
		for _, r := range rows[1:] {
			values = append(values, r[6])
		}
	}
	if strings.Join(values, ",") != "7,8,9,10,11" {
		t.Errorf("findings across the parts: %v, want 7..11 once each", values)
	}
	formula, _ := book.GetCellFormula("Cases", "C2")
	m := regexp.MustCompile(`#'(Findings 2)'!A(\d+)"`).FindStringSubmatch(formula)
	if m == nil {
		t.Fatalf("the last hemoglobin's link %q does not point into Findings 2", formula)
	}
	row, _ := strconv.Atoi(m[2])
	cell, _ := excelize.CoordinatesToCellName(7, row)
	if v, _ := book.GetCellValue(m[1], cell); v != "11" {
		t.Errorf("link goes to %s!%s holding %q, want 11", m[1], cell, v)
	}
}

// A sheet of many deflate chunks (compressed in parallel and joined) reads
// back whole and in order, and the zip's checksum holds (excelize and Go's
// zip reader check it).
func TestManyChunkSheetReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.xlsx")
	x, err := NewXLSX(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const docs = 1000 // 20,000 findings, some 7 MB of Findings XML
	for i := range docs {
		if err := x.Write(benchDoc(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if x.findings.parts[0].size < 3*deflateChunkSize {
		t.Fatalf("the Findings sheet is %d bytes: fewer than three chunks, the test proves nothing", x.findings.parts[0].size)
	}
	// The Findings entry was deflated into the zip as the rows came: it
	// is the zip's first, its checksum and sizes after its body, and Go's
	// zip reader finds them right (it checks the checksum at the end).
	z, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer z.Close()
	first := z.File[0]
	if first.Name != x.direct.Name || first.Flags&zipDataDescriptor == 0 || first.UncompressedSize64 != uint64(x.findings.parts[0].size) {
		t.Fatalf("first entry %s, flags %x, %d bytes; want %s with a data descriptor, %d bytes",
			first.Name, first.Flags, first.UncompressedSize64, x.direct.Name, x.findings.parts[0].size)
	}
	body, err := first.Open()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := io.Copy(io.Discard, body); err != nil || n != x.findings.parts[0].size {
		t.Fatalf("reading the Findings entry: %d bytes, %v", n, err)
	}
	book := openBook(t, path)
	rows, err := book.GetRows(SheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+docs*20 {
		t.Fatalf("%d rows, want %d", len(rows), 1+docs*20)
	}
	for _, k := range []int{0, 1, 2999, docs*20 - 1} {
		d := benchDoc(k / 20)
		if got, want := rows[1+k][0], d.Findings[k%20].Doc; got != want {
			t.Fatalf("row %d: doc %q, want %q", k+2, got, want)
		}
		if got, want := rows[1+k][15], d.Findings[k%20].Sentence; got != want {
			t.Fatalf("row %d: sentence %q, want %q", k+2, got, want)
		}
	}
}

// The Run sheet's document rows, written at the end from what each
// document left (its texts' shared strings, its checksum made ready as a
// string item, added to the table with the others of its run): every
// document reads back with its own id, source, error and checksum, over
// several runs of checksums and more than one deflate chunk of strings,
// and a document without a checksum or source keeps those cells empty.
func TestRunSheetDocumentRows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.xlsx")
	x, err := NewXLSX(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const docs = 16000 // some 1.3 MB of checksum items
	sha := func(i int) string { return strings.Repeat(strconv.FormatInt(int64(1e15+i), 16), 5)[:64] }
	for i := range docs {
		d := &DocResult{ID: "doc-" + strconv.Itoa(i), Source: "corpus.jsonl", SHA256: sha(i), Bytes: i, Cases: 1}
		switch i % 1000 {
		case 7:
			d.SHA256, d.Source = "", ""
		case 8:
			d.Err = errors.New("unreadable & <odd>")
		}
		if err := x.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	if len(x.checksumRuns) < 2 || x.sst.size <= deflateChunkSize {
		t.Fatalf("%d runs of checksums, %d bytes of strings: the test proves nothing", len(x.checksumRuns), x.sst.size)
	}
	book := openBook(t, path)
	rows, err := book.GetRows(SheetRun)
	if err != nil {
		t.Fatal(err)
	}
	first := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 0 && r[0] == "document" })
	if first < 0 || len(rows) != first+1+docs {
		t.Fatalf("%d rows, the documents' header at %d, want %d documents after it", len(rows), first, docs)
	}
	for i, r := range rows[first+1:] {
		r = append(r, make([]string, 7)...)
		want := []string{"doc-" + strconv.Itoa(i), "corpus.jsonl", "", sha(i), strconv.Itoa(i), "1", "0"}
		switch i % 1000 {
		case 7:
			want[1], want[3] = "", ""
		case 8: // a document that failed has no cases
			want[2], want[5] = "unreadable & <odd>", "0"
		}
		if !slices.Equal(r[:7], want) {
			t.Fatalf("document %d: %q, want %q", i, r[:7], want)
		}
	}
}

// openBook opens a workbook the test wrote with excelize, closed when the
// test ends.
func openBook(t *testing.T, path string) *excelize.File {
	t.Helper()
	book, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { book.Close() })
	return book
}
