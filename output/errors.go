package output

import (
	"bufio"
	"encoding/json"
	"strings"
)

// Errors writes errors.jsonl: one line per document that could not be
// processed, with why.
type Errors struct {
	f   *atomicFile
	buf *bufio.Writer
	enc *json.Encoder
}

// ErrorRecord is one line of errors.jsonl: a document that failed (Error),
// or one that was processed after its text was repaired (Warning).
type ErrorRecord struct {
	Doc     string `json:"doc"`
	Source  string `json:"source"`
	Error   string `json:"error,omitempty"`
	Warning string `json:"warning,omitempty"`
}

// NewErrors starts errors.jsonl at path.
func NewErrors(path string) (*Errors, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriter(f.tmp)
	return &Errors{f: f, buf: buf, enc: NewEncoder(buf)}, nil
}

func (e *Errors) Write(d *DocResult) error {
	if d.Err != nil {
		return e.enc.Encode(ErrorRecord{Doc: d.ID, Source: d.Source, Error: d.Err.Error()})
	}
	if d.Repaired {
		return e.enc.Encode(ErrorRecord{Doc: d.ID, Source: d.Source, Warning: strings.Join(d.Warnings, "; ")})
	}
	return nil
}

func (e *Errors) Close() error {
	if err := e.buf.Flush(); err != nil {
		e.f.abort()
		return err
	}
	return e.f.commit()
}

func (e *Errors) Abort()       { e.f.abort() }
func (e *Errors) Path() string { return e.f.final }
