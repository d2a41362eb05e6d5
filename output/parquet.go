package output

import (
	"bufio"

	"github.com/parquet-go/parquet-go"
)

// parquetRowGroupRows bounds a row group: the writer keeps one row group's
// column chunks in memory, so this bounds its memory (about 10 MB for
// findings with long sentences), while staying large enough for DuckDB,
// Polars and Spark to read efficiently.
const parquetRowGroupRows = 50_000

// parquetBatch is how many rows are handed to the encoder at once.
const parquetBatch = 1024

// Parquet writes findings.parquet: the columns of TableColumns with the
// tableRow schema (value DOUBLE and value_text STRING, both nullable; flags a
// LIST of STRING; attributes a JSON string), Snappy-compressed, in row groups
// written as they fill.
type Parquet struct {
	f     *atomicFile
	buf   *bufio.Writer
	w     *parquet.GenericWriter[tableRow]
	batch []tableRow
}

// NewFindingsParquet starts findings.parquet at path.
func NewFindingsParquet(path string) (*Parquet, error) {
	return newParquet(path, parquetRowGroupRows)
}

func newParquet(path string, rowGroupRows int64) (*Parquet, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f.tmp, 1<<16)
	w := parquet.NewGenericWriter[tableRow](buf,
		parquet.NewSchema("finding", parquet.SchemaOf(tableRow{})),
		parquet.Compression(&parquet.Snappy),
		parquet.MaxRowsPerRowGroup(rowGroupRows),
		parquet.CreatedBy("clinex", "", ""))
	return &Parquet{f: f, buf: buf, w: w, batch: make([]tableRow, 0, parquetBatch)}, nil
}

func (p *Parquet) Write(d *DocResult) error {
	for i := range d.Findings {
		r, err := toRow(&d.Findings[i])
		if err != nil {
			return err
		}
		p.batch = append(p.batch, r)
		if len(p.batch) == cap(p.batch) {
			if err := p.flushBatch(); err != nil {
				return err
			}
		}
	}
	return nil
}

func (p *Parquet) flushBatch() error {
	if len(p.batch) == 0 {
		return nil
	}
	_, err := p.w.Write(p.batch)
	clear(p.batch) // drop the strings the rows point at
	p.batch = p.batch[:0]
	return err
}

func (p *Parquet) Close() error {
	if err := p.flushBatch(); err != nil {
		p.f.abort()
		return err
	}
	if err := p.w.Close(); err != nil {
		p.f.abort()
		return err
	}
	if err := p.buf.Flush(); err != nil {
		p.f.abort()
		return err
	}
	return p.f.commit()
}

func (p *Parquet) Abort()       { p.f.abort() }
func (p *Parquet) Path() string { return p.f.final }
