package output

import (
	"bufio"
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
