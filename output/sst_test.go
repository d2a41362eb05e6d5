package output

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// Text cells are shared strings, and cells after the one before them have
// no reference: every text reads back as it was written (white space kept,
// markup and control characters as an inline cell had them), in its
// column, whether the table still remembered it or had to add it again,
// and a cell after an empty one is where it belongs.
func TestSharedStringsReadBack(t *testing.T) {
	defer func(n, b int) { sstRecentStrings, sstRecentBytes = n, b }(sstRecentStrings, sstRecentBytes)
	sstRecentStrings, sstRecentBytes = 5, 1<<10 // the table forgets every few strings
	texts := []struct{ in, want string }{
		{"  leading spaces", "  leading spaces"},
		{"trailing space ", "trailing space "},
		{"two  spaces inside", "two  spaces inside"},
		{"a\ttab", "a\ttab"},
		{"a line\nbreak", "a line\nbreak"},
		{"Hb <7 & falling>", "Hb <7 & falling>"},
		{"page\fbreak\x00", "page\uFFFDbreak\uFFFD"},
		{"µg/L 10⁹ – ok", "µg/L 10⁹ – ok"},
		{"plain", "plain"},
	}
	path := filepath.Join(t.TempDir(), "findings.xlsx")
	x, err := NewXLSX(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const docs = 7
	type want struct{ doc, op, unit, text, sentence string }
	var wants []want
	for i := range docs {
		d := &DocResult{ID: "doc-" + strconv.Itoa(i), Cases: 1}
		for k := range len(texts) {
			f := hb(1, 10*k, float64(k), "")
			f.Doc = d.ID
			f.Text, f.Sentence = texts[(i+k)%len(texts)].in, texts[(i+2*k)%len(texts)].in
			w := want{doc: d.ID, text: texts[(i+k)%len(texts)].want, sentence: texts[(i+2*k)%len(texts)].want}
			if k%2 == 0 { // the operator after an empty value_max, the unit after it
				f.Operator, w.op = ">", ">"
			}
			if k%3 == 0 {
				f.Unit, w.unit = "g/dL", "g/dL"
			}
			d.Findings = append(d.Findings, f)
			wants = append(wants, w)
		}
		if err := x.Write(d); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}
	book := openBook(t, path)
	rows, err := book.GetRows(SheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 1+len(wants) {
		t.Fatalf("%d rows, want %d", len(rows), 1+len(wants))
	}
	cell := func(r []string, c int) string {
		if c < len(r) {
			return r[c]
		}
		return ""
	}
	for i, w := range wants {
		r := rows[1+i]
		got := want{doc: cell(r, 0), op: cell(r, 8), unit: cell(r, 9), text: cell(r, 10), sentence: cell(r, 15)}
		if got != w {
			t.Errorf("row %d: %+v, want %+v", i+2, got, w)
		}
		if cell(r, 6) != strconv.Itoa(i%len(texts)) || cell(r, 16) != "present" {
			t.Errorf("row %d: value %q assertion %q", i+2, cell(r, 6), cell(r, 16))
		}
		// Read by reference, as a program reading one cell does.
		for col, v := range map[string]string{"I": w.op, "J": w.unit, "K": w.text, "P": w.sentence} {
			ref := col + strconv.Itoa(i+2)
			if got, err := book.GetCellValue(SheetFindings, ref); err != nil || got != v {
				t.Errorf("%s: %q (%v), want %q", ref, got, err, v)
			}
		}
	}
	// The header row is text too.
	if h, _ := book.GetCellValue(SheetFindings, "P1"); h != "sentence" {
		t.Errorf("header P1 %q, want sentence", h)
	}
}

// A string the table remembers is written once: a second document with
// the same findings adds only its id and its findings' evidence texts
// (each written once, for the Findings row and its mention row, and not
// looked up: evidence seldom repeats), not even the sentence they share.
func TestSharedStringsWrittenOnce(t *testing.T) {
	x, err := NewXLSX(filepath.Join(t.TempDir(), "findings.xlsx"), Options{Study: benchStudy()})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Abort()
	doc := func(id string) *DocResult {
		d := benchDoc(1)
		d.ID = id
		for i := range d.Findings {
			d.Findings[i].Doc = id
		}
		return d
	}
	if err := x.Write(doc("first")); err != nil {
		t.Fatal(err)
	}
	n := x.sst.n
	if err := x.Write(doc("second")); err != nil {
		t.Fatal(err)
	}
	if added, want := x.sst.n-n, 1+len(benchDoc(1).Findings); added != want {
		t.Errorf("the second document added %d strings, want %d (its id and evidence texts)", added, want)
	}
}

// keepsSpaceByScan is keepsSpace as it was before the eight-bytes-at-a-time
// scan: the reference it must match.
func keepsSpaceByScan(s string) bool {
	if s == "" {
		return false
	}
	if isXMLSpace(s[0]) || isXMLSpace(s[len(s)-1]) {
		return true
	}
	return strings.ContainsAny(s, "\t\n\r") || strings.Contains(s, "  ")
}

var keepsSpaceCases = []string{"", "plain text", " a", "a ", "a  b", "a\tb", "a\nb", "\n", "x<y", "a\rb",
	"12345678  345678", "1234567 8 234567", "1234567  234567", "1234567 \x01345678", "abcdefg\x00hij",
	"abcdefgh\x1fijklmnop", "é  ü and more words", "a b c d e f g h i j k l m n o p", "éééé\téééé",
	"\x80\x80\x80\x80\x80\x80\x80\x80 \x80  x"}

func TestKeepsSpace(t *testing.T) {
	for s, want := range map[string]bool{"": false, "plain text": false, " a": true, "a ": true, "a  b": true,
		"a\tb": true, "a\nb": true, "\n": true, "x<y": false} {
		if got := keepsSpace(s); got != want {
			t.Errorf("keepsSpace(%q) = %v, want %v", s, got, want)
		}
	}
	// Every alignment of the eight-byte words, inside a longer text.
	for _, c := range keepsSpaceCases {
		for pre := range 9 {
			s := "x" + strings.Repeat("y", pre) + c + "z"
			for cut := range len(s) {
				if got, want := keepsSpace(s[cut:]), keepsSpaceByScan(s[cut:]); got != want {
					t.Errorf("keepsSpace(%q) = %v, want %v", s[cut:], got, want)
				}
			}
		}
	}
}

func FuzzKeepsSpace(f *testing.F) {
	for _, s := range keepsSpaceCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := keepsSpace(s), keepsSpaceByScan(s); got != want {
			t.Fatalf("keepsSpace(%q) = %v, want %v", s, got, want)
		}
	})
}

// The cache of short texts in front of the table's map answers as the
// map would, and never with another text's index: texts of every length
// up to past the cache's longest, equal texts at other addresses, texts
// at one address with other bytes (a reused buffer), many texts of one
// length, across the table forgetting every few strings.
func TestSharedStringsShortCache(t *testing.T) {
	defer func(n, b int) { sstRecentStrings, sstRecentBytes = n, b }(sstRecentStrings, sstRecentBytes)
	for _, limit := range []int{3, 17, 1 << 16} {
		sstRecentStrings, sstRecentBytes = limit, 1<<20
		tbl, err := newSharedStrings(filepath.Join(t.TempDir(), "findings.xlsx"))
		if err != nil {
			t.Fatal(err)
		}
		var texts []string
		for n := 1; n <= shortTextMax+2; n++ {
			texts = append(texts, strings.Repeat("ab", n)[:n], strings.Repeat("ba", n)[:n], strings.Repeat("x", n-1)+"y")
		}
		texts = append(texts, "heart_rate", "hemoglobin", "vital", "lab", "present", "patient", "procedure.mri", "g/dL")
		reused := make([]byte, 12)
		var written []string
		for i := range 40000 {
			var s string
			switch i % 4 {
			case 0: // the same strings again and again
				s = texts[(i*7)%len(texts)]
			case 1: // an equal text elsewhere
				s = strings.Clone(texts[(i*3)%len(texts)])
			case 2: // one address, other bytes
				copy(reused, strconv.Itoa(1e11+i%29))
				s = unsafe.String(&reused[0], len(reused))
			case 3: // many texts of one length
				s = "doc-" + strconv.Itoa(100000+i%3001)
			}
			want, remembered := tbl.recent[s]
			if !remembered {
				want = tbl.n
			}
			got := tbl.index(s)
			if tbl.n > len(written) {
				written = append(written, strings.Clone(s))
			}
			if got != want {
				t.Fatalf("limit %d, call %d: index(%q) = %d, the map says %d", limit, i, s, got, want)
			}
			if written[got] != s {
				t.Fatalf("limit %d, call %d: index(%q) = %d, which holds %q", limit, i, s, got, written[got])
			}
		}
		tbl.remove()
	}
}
