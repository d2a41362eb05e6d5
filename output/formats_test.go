package output

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/clinex/clinex/extract"
)

func hardFinding() extract.Finding {
	vmax := 50.0
	return extract.Finding{Doc: "d,1", Case: 2, Section: "body", Category: extract.CatDevice, Concept: "mitraclip",
		Label: `Clip "NT"`, Value: extract.String("NT"), ValueMax: &vmax, Operator: "<=", Unit: "",
		Text: "line one,\nline \"two\"\r\n😀", Start: 3, End: 26, ValueStart: 4, ValueEnd: 6,
		Sentence: " leading space", Assertion: "negated", Subject: "patient", Rule: "device.mitraclip",
		Flags:      []string{"implausible", "caption"},
		Attributes: map[string]any{"maker": "Abbott <AV>", "duration": map[string]any{"value": 3, "unit": "d"}},
		ContextCue: &extract.ContextCue{ID: "section.discussion", Sets: "population", Start: -1, End: -1}}
}

// The CSV row is RFC 4180 byte for byte: CRLF after each record, a field
// quoted only when it must be, quotes doubled, the evidence's own CR and LF
// kept as they are inside the quotes.
func TestCSVRowBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.csv")
	w, err := NewFindingsCSV(path)
	if err != nil {
		t.Fatal(err)
	}
	f := hardFinding()
	if err := w.Write(&DocResult{Findings: []extract.Finding{f}}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := strings.Join(TableColumns, ",") + "\r\n" +
		`"d,1",2,body,device,mitraclip,"Clip ""NT""",,NT,50,<=,,"line one,` + "\n" + `line ""two""` + "\r\n" + `😀",3,26,4,6,` +
		` leading space,negated,patient,device.mitraclip,implausible;caption,"{""duration"":{""unit"":""d"",""value"":3},""maker"":""Abbott <AV>""}",section.discussion,,-1,-1,population` + "\r\n"
	if string(b) != want {
		t.Fatalf("findings.csv:\n%q\nwant\n%q", b, want)
	}
	// A standard reader gets the fields back (it folds a quoted CRLF to LF).
	rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || len(rows[1]) != len(TableColumns) {
		t.Fatalf("read back %d rows of %d fields", len(rows), len(rows[len(rows)-1]))
	}
	if got := rows[1][11]; got != strings.ReplaceAll(f.Text, "\r\n", "\n") {
		t.Errorf("text read back as %q", got)
	}
}

// Parquet row groups are written as they fill, so memory holds one row
// group and not the run: after enough rows, bytes have reached the file
// before Close, and the file ends up with several row groups in order.
func TestParquetWritesRowGroupsAsItGoes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "findings.parquet")
	p, err := newParquet(path, 500)
	if err != nil {
		t.Fatal(err)
	}
	base := hardFinding()
	const docs, perDoc = 30, 100
	for d := 0; d < docs; d++ {
		r := &DocResult{Findings: make([]extract.Finding, perDoc)}
		for i := range r.Findings {
			f := base
			f.Start, f.End = d*perDoc+i, d*perDoc+i+1
			// Distinct sentences, so the row groups do not compress to nothing.
			f.Sentence = strings.Repeat(strconv.Itoa(f.Start)+" ", 20)
			r.Findings[i] = f
		}
		if err := p.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	st, err := p.f.tmp.Stat()
	if err != nil {
		t.Fatal(err)
	}
	emitted := st.Size() + int64(p.buf.Buffered())
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	// Five of the six row groups are full before Close: most of the file
	// must be out of the writer by then.
	if final, _ := os.Stat(path); emitted < final.Size()/2 {
		t.Errorf("only %d of %d bytes were written before Close (row groups of 500, %d rows)", emitted, final.Size(), docs*perDoc)
	}
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	fst, _ := fh.Stat()
	pf, err := parquet.OpenFile(fh, fst.Size())
	if err != nil {
		t.Fatal(err)
	}
	if n := len(pf.RowGroups()); n != docs*perDoc/500 {
		t.Errorf("%d row groups, want %d", n, docs*perDoc/500)
	}
	rows, err := parquet.Read[tableRow](fh, fst.Size())
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != docs*perDoc {
		t.Fatalf("%d rows", len(rows))
	}
	for i, r := range rows {
		if r.Start != int64(i) || r.ValueText == nil || *r.ValueText != "NT" || r.Value != nil || len(r.Flags) != 2 {
			t.Fatalf("row %d: %+v", i, r)
		}
	}
}

// Every finding's segments, joined, are its evidence, whatever the
// nesting and overlaps; a finding whose offsets do not fit is reported,
// not highlighted.
func TestDocSegmentsCoverEachFindingExactly(t *testing.T) {
	text := "ab😀cdé\r\nfgh"
	rs := []rune(text)
	spans := [][2]int{{0, 3}, {1, 2}, {2, 6}, {2, 6}, {5, 10}, {10, 10}, {0, 11}, {4, 12}}
	var fs []extract.Finding
	for _, s := range spans {
		fs = append(fs, extract.Finding{Start: s[0], End: s[1]})
	}
	segs, bytes := docSegments(text, fs)
	if bytes[7][0] != -1 {
		t.Errorf("finding past the end got span %v", bytes[7])
	}
	joined := make([]string, len(fs))
	for _, sg := range segs {
		for _, i := range sg.cover {
			joined[i] += text[sg.start:sg.end]
		}
		for k := 1; k < len(sg.cover); k++ {
			a, b := fs[sg.cover[k-1]], fs[sg.cover[k]]
			if a.End-a.Start > b.End-b.Start {
				t.Errorf("segment %q: cover not innermost first: %v", text[sg.start:sg.end], sg.cover)
			}
		}
	}
	for i, s := range spans[:7] {
		if want := string(rs[s[0]:s[1]]); joined[i] != want {
			t.Errorf("finding %v: segments join to %q, want %q", s, joined[i], want)
		}
	}
}

// The review site appears whole or not at all, and replaces an older one.
func TestReviewIsAtomic(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "review")
	doc := &DocResult{ID: "a/b c", Text: "Hb 7.5", Findings: []extract.Finding{{Doc: "a/b c", Start: 3, End: 6, Category: "lab"}}}
	w, err := NewReview(site)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(doc); err != nil {
		t.Fatal(err)
	}
	w.Abort()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("aborted review left %v", ents)
	}
	for run := 0; run < 2; run++ {
		w, err := NewReview(site)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(doc); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(site, "index.html")); run == 0 && err == nil {
			t.Fatal("the site is visible before Close")
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "review" {
		t.Fatalf("after two runs the folder holds %v", ents)
	}
	pages, _ := filepath.Glob(filepath.Join(site, "docs", "*.html"))
	if len(pages) != 1 || filepath.Base(pages[0]) != "00001-a_b_c.html" {
		t.Fatalf("pages %v", pages)
	}
}

// csv (findings and cases), parquet and html, opened through Open like the command does, leave
// nothing behind when aborted and only their final names when closed.
func TestNewFormatsAreAtomic(t *testing.T) {
	dir := t.TempDir()
	formats := []string{"csv", "parquet", "html"}
	r := &DocResult{ID: "d", Text: "Hb 7.5 g/dL", Findings: []extract.Finding{{Doc: "d", Case: 1, Category: "lab",
		Concept: "hemoglobin", Value: extract.Number(7.5), Unit: "g/dL", Start: 0, End: 11, Text: "Hb 7.5 g/dL",
		Assertion: "present", Subject: "patient", Rule: "lab.hemoglobin"}}}
	for _, commit := range []bool{false, true} {
		ws, err := Open(dir, formats, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range ws {
			if err := w.Write(r); err != nil {
				t.Fatal(err)
			}
			if !commit {
				w.Abort()
			} else if err := w.Close(); err != nil {
				t.Fatal(err)
			}
		}
		ents, _ := os.ReadDir(dir)
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		want := "cases.csv findings.csv findings.parquet review" // csv writes both tables
		if !commit {
			want = ""
		}
		if got := strings.Join(names, " "); got != want {
			t.Errorf("after %s: %q, want %q", map[bool]string{false: "Abort", true: "Close"}[commit], got, want)
		}
	}
}
