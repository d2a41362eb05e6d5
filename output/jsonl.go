package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
)

// JSONL writes one finding per line.
type JSONL struct {
	f   *atomicFile
	buf *bufio.Writer
	enc *json.Encoder
}

// NewJSONL starts findings.jsonl at path.
func NewJSONL(path string) (*JSONL, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f.tmp, 1<<16)
	return &JSONL{f: f, buf: buf, enc: NewEncoder(buf)}, nil
}

// NewEncoder is the JSON encoder every JSON output uses: no HTML escaping,
// so evidence text reads as written ("<0.01", "A&E").
func NewEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// EncodeFindings appends d's findings to buf as JSONL, exactly as Write
// writes them, so a caller that keeps the lines too (the run's journal)
// encodes each finding once and hands the lines to WriteLines.
func EncodeFindings(buf *bytes.Buffer, d *DocResult) error {
	enc := NewEncoder(buf)
	for i := range d.Findings {
		if err := enc.Encode(&d.Findings[i]); err != nil {
			return err
		}
	}
	return nil
}

// WriteLines writes findings already encoded by EncodeFindings.
func (j *JSONL) WriteLines(lines []byte) error {
	_, err := j.buf.Write(lines)
	return err
}

func (j *JSONL) Write(d *DocResult) error {
	for i := range d.Findings {
		if err := j.enc.Encode(&d.Findings[i]); err != nil {
			return err
		}
	}
	return nil
}

func (j *JSONL) Close() error {
	if err := j.buf.Flush(); err != nil {
		j.f.abort()
		return err
	}
	return j.f.commit()
}

func (j *JSONL) Abort()       { j.f.abort() }
func (j *JSONL) Path() string { return j.f.final }
