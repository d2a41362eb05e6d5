package output

import (
	"bufio"
	"strconv"
	"strings"

	"github.com/clinex/clinex/extract"
)

// CSV writes findings.csv: one row per finding with TableColumns, RFC 4180
// (CRLF between records, a field quoted when it holds a comma, a quote, CR
// or LF, quotes doubled), UTF-8 without a byte-order mark (R's read.csv
// would otherwise put it in the first column's name). An empty cell is a
// JSON null.
//
// encoding/csv is not used: with UseCRLF it rewrites a lone LF inside a
// quoted field as CRLF and drops lone CRs, and the evidence text must come
// back byte for byte.
type CSV struct {
	f       *atomicFile
	buf     *bufio.Writer
	scratch []string // one row's fields, reused
}

// NewFindingsCSV starts findings.csv at path and writes its header.
func NewFindingsCSV(path string) (*CSV, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	c := &CSV{f: f, buf: bufio.NewWriterSize(f.tmp, 1<<16)}
	if err := c.record(TableColumns); err != nil {
		f.abort()
		return nil, err
	}
	return c, nil
}

func (c *CSV) Write(d *DocResult) error {
	for i := range d.Findings {
		r, err := toRow(&d.Findings[i])
		if err != nil {
			return err
		}
		c.scratch = csvFields(&r, c.scratch[:0])
		if err := c.record(c.scratch); err != nil {
			return err
		}
	}
	return nil
}

func csvFields(r *tableRow, out []string) []string {
	i := func(n int64) string { return strconv.FormatInt(n, 10) }
	num := func(p *float64) string {
		if p == nil {
			return ""
		}
		return extract.FormatNumber(*p)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	opt := func(p *int64) string {
		if p == nil {
			return ""
		}
		return i(*p)
	}
	return append(out, r.Doc, i(r.Case), r.Section, r.Category, r.Concept, r.Label,
		num(r.Value), str(r.ValueText), num(r.ValueMax), str(r.Operator), r.Unit, r.Text,
		i(r.Start), i(r.End), i(r.ValueStart), i(r.ValueEnd), r.Sentence, r.Assertion,
		r.Subject, r.Rule, strings.Join(r.Flags, FlagSeparator), str(r.Attributes),
		str(r.ContextCueID), str(r.ContextCueText), opt(r.ContextCueStart),
		opt(r.ContextCueEnd), str(r.ContextCueSets))
}

func (c *CSV) record(fields []string) error {
	for n, s := range fields {
		if n > 0 {
			c.buf.WriteByte(',')
		}
		if !strings.ContainsAny(s, ",\"\r\n") {
			c.buf.WriteString(s)
			continue
		}
		c.buf.WriteByte('"')
		c.buf.WriteString(strings.ReplaceAll(s, `"`, `""`))
		c.buf.WriteByte('"')
	}
	_, err := c.buf.WriteString("\r\n")
	return err
}

func (c *CSV) Close() error {
	if err := c.buf.Flush(); err != nil {
		c.f.abort()
		return err
	}
	return c.f.commit()
}

func (c *CSV) Abort()       { c.f.abort() }
func (c *CSV) Path() string { return c.f.final }
