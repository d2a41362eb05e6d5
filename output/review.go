package output

import (
	"bufio"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/clinex/clinex/extract"
)

// Review writes the review site: DIR/index.html listing the documents with
// their counts per category and flags, and DIR/docs/NNNNN-ID.html per
// document, showing its original text with every finding highlighted at its
// code-point offsets. Everything is inline (no server, no network), and the
// site is built in a temporary folder renamed into place on Close.
//
// A page is written as soon as its document arrives; only one summary line
// per document stays in memory for the index.
type Review struct {
	final string
	tmp   string
	docs  []reviewSummary
}

type reviewSummary struct {
	id, source, file, err string
	cases, findings       int
	byCategory            map[string]int
	byFlag                map[string]int
	negated, notPatient   int
}

// reviewFlags are the flags the index counts, in column order.
var reviewFlags = []string{"unit_mismatch", "implausible", "unit_missing", "caption"}

// NewReview starts the review site that will live in dir (DIR/review).
func NewReview(dir string) (*Review, error) {
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".partial-*")
	if err != nil {
		return nil, err
	}
	// MkdirTemp makes the folder private; the site is for reading.
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	if err := os.Mkdir(filepath.Join(tmp, "docs"), 0o755); err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	return &Review{final: dir, tmp: tmp}, nil
}

func (r *Review) Write(d *DocResult) error {
	s := reviewSummary{id: d.ID, source: d.Source, cases: d.Cases, findings: len(d.Findings),
		byCategory: map[string]int{}, byFlag: map[string]int{}}
	if d.Err != nil {
		s.err = d.Err.Error()
	}
	for i := range d.Findings {
		f := &d.Findings[i]
		s.byCategory[f.Category]++
		for _, fl := range f.Flags {
			s.byFlag[fl]++
		}
		if f.Assertion == "negated" {
			s.negated++
		}
		if f.Subject != "patient" {
			s.notPatient++
		}
	}
	if d.Err == nil || d.Text != "" {
		s.file = fmt.Sprintf("docs/%05d-%s.html", len(r.docs)+1, fileSlug(d.ID))
		if err := writeFileWith(filepath.Join(r.tmp, s.file), func(w io.Writer) error { return writeDocPage(w, d) }); err != nil {
			return err
		}
	}
	r.docs = append(r.docs, s)
	return nil
}

// fileSlug keeps the characters of a document id that are safe in a file
// name on every system; the sequence number in front keeps names unique.
func fileSlug(id string) string {
	var b strings.Builder
	for _, c := range id {
		if b.Len() >= 60 {
			break
		}
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b.WriteRune(c)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "doc"
	}
	return b.String()
}

func writeFileWith(path string, fill func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<16)
	if err := fill(w); err != nil {
		f.Close()
		return err
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (r *Review) Close() error {
	if err := writeFileWith(filepath.Join(r.tmp, "index.html"), r.writeIndex); err != nil {
		r.Abort()
		return err
	}
	return swapDir(r.tmp, r.final)
}

// swapDir moves the finished site into place. A folder cannot be renamed
// over a non-empty one, so a previous site is first moved aside (and put
// back if the swap fails), then removed.
func swapDir(tmp, final string) error {
	var old string
	if _, err := os.Stat(final); err == nil {
		hold, err := os.MkdirTemp(filepath.Dir(final), "."+filepath.Base(final)+".old-*")
		if err != nil {
			os.RemoveAll(tmp)
			return err
		}
		old = filepath.Join(hold, "site")
		if err := os.Rename(final, old); err != nil {
			os.RemoveAll(hold)
			os.RemoveAll(tmp)
			return fmt.Errorf("moving the previous %s aside: %w", final, err)
		}
		defer os.RemoveAll(hold)
	}
	if err := os.Rename(tmp, final); err != nil {
		if old != "" {
			os.Rename(old, final)
		}
		os.RemoveAll(tmp)
		return fmt.Errorf("moving %s into place: %w", final, err)
	}
	return nil
}

func (r *Review) Abort()       { os.RemoveAll(r.tmp) }
func (r *Review) Path() string { return r.final }

// htmlText escapes text for an element's content so the DOM gets back the
// very same characters: markup characters become references, and so does
// CR, which the HTML parser would otherwise fold into LF (a character
// reference is not folded). NUL cannot survive parsing at all; it becomes
// U+FFFD, one code point as well, so offsets still line up.
func htmlText(w *bufio.Writer, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var rep string
		switch s[i] {
		case '&':
			rep = "&amp;"
		case '<':
			rep = "&lt;"
		case '>':
			rep = "&gt;"
		case '"':
			rep = "&#34;"
		case '\'':
			rep = "&#39;"
		case '\r':
			rep = "&#13;"
		case 0:
			rep = "&#xFFFD;"
		default:
			continue
		}
		w.WriteString(s[last:i])
		w.WriteString(rep)
		last = i + 1
	}
	w.WriteString(s[last:])
}

func esc(s string) string { return html.EscapeString(s) }

// segment is a stretch of text covered by the same findings.
type segment struct {
	start, end int   // byte offsets
	cover      []int // finding indexes, innermost first
}

// docSegments cuts the text at every finding's start and end, so that
// overlapping and nested findings each cover a run of whole segments; the
// page wraps every covered segment in a mark naming all its findings.
// It also returns, per finding, its byte span (-1 when its code-point
// offsets do not fit the text, which the page then says).
func docSegments(text string, fs []extract.Finding) ([]segment, [][2]int) {
	cpByte := make([]int, 0, len(text)+1)
	for i := range text {
		cpByte = append(cpByte, i)
	}
	cpByte = append(cpByte, len(text))
	spans := make([][2]int, len(fs))
	cuts := []int{0, len(text)}
	for i := range fs {
		f := &fs[i]
		if f.Start < 0 || f.End < f.Start || f.End >= len(cpByte) {
			spans[i] = [2]int{-1, -1}
			continue
		}
		spans[i] = [2]int{cpByte[f.Start], cpByte[f.End]}
		cuts = append(cuts, spans[i][0], spans[i][1])
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	// Sweep the cuts with the set of findings open at each: a finding open
	// at a cut stays open to the next one, since every end is a cut.
	order := make([]int, 0, len(fs))
	for i, sp := range spans {
		if sp[0] >= 0 && sp[1] > sp[0] {
			order = append(order, i)
		}
	}
	slices.SortStableFunc(order, func(x, y int) int { return spans[x][0] - spans[y][0] })
	innermostFirst := func(x, y int) int {
		if d := (fs[x].End - fs[x].Start) - (fs[y].End - fs[y].Start); d != 0 {
			return d
		}
		return x - y
	}
	var open []int
	next := 0
	segs := make([]segment, 0, len(cuts))
	for k := 0; k+1 < len(cuts); k++ {
		a, b := cuts[k], cuts[k+1]
		open = slices.DeleteFunc(open, func(i int) bool { return spans[i][1] <= a })
		for ; next < len(order) && spans[order[next]][0] <= a; next++ {
			open = append(open, order[next])
		}
		var cover []int
		if len(open) > 0 {
			cover = slices.Clone(open)
			slices.SortFunc(cover, innermostFirst)
		}
		segs = append(segs, segment{start: a, end: b, cover: cover})
	}
	return segs, spans
}

func findingClasses(f *extract.Finding) string {
	c := "cat-" + f.Category + " a-" + f.Assertion + " s-" + f.Subject
	if f.Subject != "patient" {
		c += " notpatient"
	}
	if len(f.Flags) > 0 {
		c += " flagged"
	}
	return c
}

// findingSummary is a finding in one line: "Hemoglobin 7.5 g/dL".
func findingSummary(f *extract.Finding) string {
	s := f.Label
	if s == "" {
		s = f.Concept
	}
	if f.Value.Kind != extract.NoValue {
		s += " " + f.Operator + f.Value.String()
		if f.ValueMax != nil {
			s += "–" + extract.FormatNumber(*f.ValueMax)
		}
		if f.Unit != "" {
			s += " " + f.Unit
		}
	}
	return s
}

func findingTitle(f *extract.Finding) string {
	t := findingSummary(f) + "\n" + f.Category + " · " + f.Concept + " · " + f.Assertion + " · " + f.Subject + "\nrule " + f.Rule
	if len(f.Flags) > 0 {
		t += "\nflags " + strings.Join(f.Flags, ", ")
	}
	return t
}

func writeDocPage(out io.Writer, d *DocResult) error {
	w := out.(*bufio.Writer)
	segs, spans := docSegments(d.Text, d.Findings)
	title := d.ID + " · clinex review"
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>%s</title>\n<style>%s</style></head>\n<body class=\"doc-page\">\n", esc(title), reviewCSS)
	fmt.Fprintf(w, "<header><a href=\"../index.html\">← all documents</a><h1>%s</h1><p class=\"meta\">%s · %d case(s) · %d finding(s)", esc(d.ID), esc(d.Source), d.Cases, len(d.Findings))
	if d.SHA256 != "" {
		fmt.Fprintf(w, " · sha256 <code>%s</code>", esc(d.SHA256))
	}
	w.WriteString("</p>")
	if d.Err != nil {
		fmt.Fprintf(w, "<p class=\"error\">Error: %s</p>", esc(d.Err.Error()))
	}
	w.WriteString(legendHTML)
	w.WriteString("</header>\n<main><div id=\"text\" class=\"text\">")
	byteStarts := map[int][]int{}
	for i, sp := range spans {
		if sp[0] >= 0 {
			byteStarts[sp[0]] = append(byteStarts[sp[0]], i)
		}
	}
	for _, sg := range segs {
		for _, i := range byteStarts[sg.start] {
			fmt.Fprintf(w, "<span class=\"anchor\" id=\"f-%d\"></span>", i)
		}
		delete(byteStarts, sg.start)
		if len(sg.cover) == 0 {
			htmlText(w, d.Text[sg.start:sg.end])
			continue
		}
		inner := &d.Findings[sg.cover[0]]
		ids := make([]string, len(sg.cover))
		titles := make([]string, len(sg.cover))
		for k, i := range sg.cover {
			ids[k] = strconv.Itoa(i)
			titles[k] = findingTitle(&d.Findings[i])
		}
		cls := "hl " + findingClasses(inner)
		if len(sg.cover) > 1 {
			cls += " multi"
		}
		fmt.Fprintf(w, "<mark class=\"%s\" data-f=\"%s\" title=\"%s\">", esc(cls), strings.Join(ids, " "), esc(strings.Join(titles, "\n\n")))
		htmlText(w, d.Text[sg.start:sg.end])
		w.WriteString("</mark>")
	}
	// Empty findings at the very end of the text still get their anchor.
	for _, i := range byteStarts[len(d.Text)] {
		fmt.Fprintf(w, "<span class=\"anchor\" id=\"f-%d\"></span>", i)
	}
	w.WriteString("</div>\n<aside><div id=\"details\" class=\"details\"><p class=\"hint\">Click a highlight or a finding below to see everything about it.</p></div>\n<ol id=\"list\" class=\"list\">")
	for i := range d.Findings {
		f := &d.Findings[i]
		note := ""
		if spans[i][0] < 0 {
			note = " <span class=\"bad\">offsets outside the text</span>"
		}
		flags := ""
		if len(f.Flags) > 0 {
			flags = " <span class=\"flags\">⚑ " + esc(strings.Join(f.Flags, ", ")) + "</span>"
		}
		fmt.Fprintf(w, "<li id=\"l-%d\"><a href=\"#f-%d\" data-i=\"%d\"><span class=\"chip %s\">%s</span> %s</a>%s%s<br><small>%s · case %d · %s · %s · [%d, %d)</small></li>\n",
			i, i, i, esc(findingClasses(f)), esc(f.Category), esc(findingSummary(f)), flags, note,
			esc(f.Concept), f.Case, esc(f.Assertion), esc(f.Subject), f.Start, f.End)
	}
	w.WriteString("</ol></aside></main>\n<script type=\"application/json\" id=\"findings-data\">")
	// json.Marshal escapes <, > and & as \u003c…, so no "</script>" can
	// appear inside this element whatever the text holds.
	b, err := json.Marshal(d.Findings)
	if err != nil {
		return err
	}
	if d.Findings == nil {
		b = []byte("[]")
	}
	w.Write(b)
	w.WriteString("</script>\n<script>")
	w.WriteString(reviewJS)
	_, err = w.WriteString("</script>\n</body></html>\n")
	return err
}

func (r *Review) writeIndex(out io.Writer) error {
	w := out.(*bufio.Writer)
	total := reviewSummary{byCategory: map[string]int{}, byFlag: map[string]int{}}
	for _, s := range r.docs {
		total.cases += s.cases
		total.findings += s.findings
		total.negated += s.negated
		total.notPatient += s.notPatient
		for k, v := range s.byCategory {
			total.byCategory[k] += v
		}
		for k, v := range s.byFlag {
			total.byFlag[k] += v
		}
	}
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>clinex review</title>\n<style>%s</style></head>\n<body class=\"index-page\">\n", reviewCSS)
	fmt.Fprintf(w, "<header><h1>clinex review</h1><p class=\"meta\">%d document(s), %d case(s), %d finding(s). Click a document to check its values against its text; click a column heading to sort.</p></header>\n", len(r.docs), total.cases, total.findings)
	w.WriteString("<main class=\"index\"><table id=\"docs\"><thead><tr><th>#</th><th>document</th><th>source</th><th>cases</th><th>findings</th>")
	for _, c := range extract.Categories {
		fmt.Fprintf(w, "<th><span class=\"chip cat-%s\">%s</span></th>", esc(c), esc(c))
	}
	for _, f := range reviewFlags {
		fmt.Fprintf(w, "<th>⚑ %s</th>", esc(f))
	}
	w.WriteString("<th>negated</th><th>not the patient</th><th>error</th></tr></thead>\n<tbody>\n")
	row := func(n, name string, s *reviewSummary) {
		fmt.Fprintf(w, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%d</td><td>%d</td>", n, name, esc(s.source), s.cases, s.findings)
		for _, c := range extract.Categories {
			fmt.Fprintf(w, "<td>%s</td>", count(s.byCategory[c]))
		}
		for _, f := range reviewFlags {
			fmt.Fprintf(w, "<td class=\"flagcount\">%s</td>", count(s.byFlag[f]))
		}
		fmt.Fprintf(w, "<td>%s</td><td>%s</td><td class=\"error\">%s</td></tr>\n", count(s.negated), count(s.notPatient), esc(s.err))
	}
	for i := range r.docs {
		s := &r.docs[i]
		name := esc(s.id)
		if s.file != "" {
			name = fmt.Sprintf("<a href=\"%s\">%s</a>", esc(s.file), esc(s.id))
		}
		row(strconv.Itoa(i+1), name, s)
	}
	w.WriteString("</tbody><tfoot>")
	row("", "all", &total)
	w.WriteString("</tfoot></table></main>\n<script>")
	w.WriteString(indexJS)
	_, err := w.WriteString("</script>\n</body></html>\n")
	return err
}

func count(n int) string {
	if n == 0 {
		return ""
	}
	return strconv.Itoa(n)
}
