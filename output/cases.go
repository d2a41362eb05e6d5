package output

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"strconv"

	"github.com/clinex/clinex/extract"
)

// CasesJSON writes cases.json: one JSON array holding one object per case,
// with the case's sections, its findings and the study variables'
// aggregates. Cases are encoded as they come, so memory stays flat.
type CasesJSON struct {
	f    *atomicFile
	buf  *bufio.Writer
	opts Options
	n    int
	tmp  bytes.Buffer
}

// CaseRecord is one element of cases.json.
type CaseRecord struct {
	Doc      string                `json:"doc"`
	Case     int                   `json:"case"`
	Source   string                `json:"source"`
	Sections []extract.SectionSpan `json:"sections"`
	Findings []*extract.Finding    `json:"findings"`
	// Aggregates holds every study variable, by its key: an empty one has
	// a null value and count 0, so every case has the same keys.
	Aggregates map[string]Aggregate `json:"aggregates"`
	// Notes is the same text as the Cases sheet's notes column.
	Notes string `json:"notes"`
}

// Aggregate is one study variable in one case.
type Aggregate struct {
	// Value is a number or text for first, last, min and max, the list of
	// values for all, null when the case has none.
	Value  any             `json:"value"`
	Unit   string          `json:"unit"`
	Agg    string          `json:"agg"`
	Values []extract.Value `json:"values"`
	// Count is how many findings gave a value.
	Count int `json:"count"`
	// Finding is the index in this case's findings of the evidence, -1
	// when the case has none.
	Finding int    `json:"finding"`
	Note    string `json:"note,omitempty"`
}

// NewCasesJSON starts cases.json at path.
func NewCasesJSON(path string, opts Options) (*CasesJSON, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f.tmp, 1<<16)
	if _, err := buf.WriteString("["); err != nil {
		f.abort()
		return nil, err
	}
	return &CasesJSON{f: f, buf: buf, opts: opts}, nil
}

// CaseRecords builds the cases.json records of one document.
func CaseRecords(vars []StudyVar, d *DocResult, allFindings bool) []CaseRecord {
	aggs := AggregateDoc(vars, d, allFindings)
	out := make([]CaseRecord, len(aggs))
	for i, ca := range aggs {
		r := CaseRecord{Doc: d.ID, Case: ca.Case, Source: d.Source, Sections: []extract.SectionSpan{},
			Findings: make([]*extract.Finding, len(ca.Findings)), Aggregates: make(map[string]Aggregate, len(vars)), Notes: ca.Notes}
		pos := make(map[int]int, len(ca.Findings))
		for k, fi := range ca.Findings {
			r.Findings[k] = &d.Findings[fi]
			pos[fi] = k
		}
		for _, s := range d.Sections {
			if s.Case == ca.Case {
				r.Sections = append(r.Sections, s)
			}
		}
		for j, v := range vars {
			c := &ca.Cells[j]
			a := Aggregate{Unit: v.Unit, Agg: v.Agg, Values: c.Values, Count: c.Count, Finding: -1, Note: c.Note}
			if a.Values == nil {
				a.Values = []extract.Value{}
			}
			if !c.Empty() {
				a.Finding = pos[c.Finding]
				if v.Agg == AggAll {
					a.Value = c.Values
				} else {
					a.Value = c.Value.Interface()
				}
			}
			r.Aggregates[v.Key()] = a
		}
		out[i] = r
	}
	return out
}

func (j *CasesJSON) Write(d *DocResult) error {
	for _, r := range CaseRecords(j.opts.Study, d, j.opts.CasesAllFindings) {
		j.tmp.Reset()
		if err := NewEncoder(&j.tmp).Encode(&r); err != nil {
			return err
		}
		sep := ",\n"
		if j.n == 0 {
			sep = "\n"
		}
		j.n++
		if _, err := j.buf.WriteString(sep); err != nil {
			return err
		}
		if _, err := j.buf.Write(bytes.TrimRight(j.tmp.Bytes(), "\n")); err != nil {
			return err
		}
	}
	return nil
}

func (j *CasesJSON) Close() error {
	if _, err := j.buf.WriteString("\n]\n"); err != nil {
		j.f.abort()
		return err
	}
	if err := j.buf.Flush(); err != nil {
		j.f.abort()
		return err
	}
	return j.f.commit()
}

func (j *CasesJSON) Abort()       { j.f.abort() }
func (j *CasesJSON) Path() string { return j.f.final }

// CasesCSV writes cases.csv: one row per case, one column per study
// variable (its key; units are in the Dictionary sheet and cases.json),
// then the notes.
type CasesCSV struct {
	f    *atomicFile
	buf  *bufio.Writer
	w    *csv.Writer
	opts Options
}

// NewCasesCSV starts cases.csv at path and writes its header.
func NewCasesCSV(path string, opts Options) (*CasesCSV, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f.tmp, 1<<16)
	c := &CasesCSV{f: f, buf: buf, w: csv.NewWriter(buf), opts: opts}
	header := []string{"doc", "case"}
	for _, v := range opts.Study {
		header = append(header, v.Key())
	}
	header = append(header, "notes")
	if err := c.w.Write(header); err != nil {
		f.abort()
		return nil, err
	}
	return c, nil
}

func (c *CasesCSV) Write(d *DocResult) error {
	for _, ca := range AggregateDoc(c.opts.Study, d, c.opts.CasesAllFindings) {
		rec := make([]string, 0, len(ca.Cells)+3)
		rec = append(rec, d.ID, strconv.Itoa(ca.Case))
		for k := range ca.Cells {
			rec = append(rec, ca.Cells[k].Text())
		}
		rec = append(rec, ca.Notes)
		if err := c.w.Write(rec); err != nil {
			return err
		}
	}
	return c.w.Error()
}

func (c *CasesCSV) Close() error {
	c.w.Flush()
	if err := c.w.Error(); err != nil {
		c.f.abort()
		return err
	}
	if err := c.buf.Flush(); err != nil {
		c.f.abort()
		return err
	}
	return c.f.commit()
}

func (c *CasesCSV) Abort()       { c.f.abort() }
func (c *CasesCSV) Path() string { return c.f.final }
