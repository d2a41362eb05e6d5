package output

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"slices"
)

// JSONL writes one finding per line.
type JSONL struct {
	f    *atomicFile
	buf  *bufio.Writer
	line []byte
}

// NewJSONL starts findings.jsonl at path.
func NewJSONL(path string) (*JSONL, error) {
	f, err := createAtomic(path)
	if err != nil {
		return nil, err
	}
	buf := bufio.NewWriterSize(f.tmp, 1<<16)
	return &JSONL{f: f, buf: buf}, nil
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
	lines, err := AppendFindings(buf.AvailableBuffer(), d)
	buf.Write(lines)
	return err
}

// AppendFindings appends d's findings to dst as JSONL (see AppendFinding).
// On an error dst holds the lines before the finding that failed.
func AppendFindings(dst []byte, d *DocResult) ([]byte, error) {
	// Room for the lines ahead of them, so they are not grown a doubling
	// at a time: an estimate for the document, not its exact size, as
	// adding the lengths up read every finding a second time (an eighth
	// of the encoder's time on findings not in cache), and each line's
	// own size checked before it is written.
	dst = slices.Grow(dst, len(d.Findings)*lineEstimate)
	var memo lineMemo
	for i := range d.Findings {
		f := &d.Findings[i]
		if need := 400 + len(f.Sentence) + len(f.Text) + len(f.Doc) + len(f.Concept) + len(f.Label) + len(f.Rule); cap(dst)-len(dst) < need {
			dst = slices.Grow(dst, need+(len(d.Findings)-i)*lineEstimate)
		}
		n := len(dst)
		var err error
		if dst, err = appendFindingMemo(dst, f, &memo); err != nil {
			return dst[:n], err
		}
	}
	return dst, nil
}

// lineEstimate is about a finding's line: 525 bytes on average on the
// bulk corpus.
const lineEstimate = 576

// WriteLines writes findings already encoded by EncodeFindings.
func (j *JSONL) WriteLines(lines []byte) error {
	_, err := j.buf.Write(lines)
	return err
}

func (j *JSONL) Write(d *DocResult) error {
	var err error
	j.line, err = AppendFindings(j.line[:0], d)
	if _, werr := j.buf.Write(j.line); err == nil {
		err = werr
	}
	return err
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
