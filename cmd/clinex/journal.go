package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/clinex/clinex/extract"
)

// The journal lets an interrupted run be resumed. While a run goes, every
// finished document is appended to DIR/.clinex-journal/results.jsonl in
// input order (the ordered writer writes it), so the journal is always a
// prefix of the run. --resume reads that prefix back instead of extracting
// it again and feeds the final writers every document in input order, so
// the final files are those of an uninterrupted run. The journal is removed
// once the final files are in place.
const (
	journalDir      = ".clinex-journal"
	journalManifest = "manifest.json"
	journalResults  = "results.jsonl"
	// journalSyncEvery bounds what a crash of the machine (not of clinex:
	// the kernel keeps what was written) can cost; a sync per document
	// would cost more than the extraction.
	journalSyncEvery = time.Second
)

type manifest struct {
	Version     string   `json:"version"`
	Fingerprint string   `json:"fingerprint"`
	Inputs      []string `json:"inputs"`
	Started     string   `json:"started"`
}

// journalRecord is one document as the writers need it back.
type journalRecord struct {
	ID       string                `json:"id"`
	Source   string                `json:"source"`
	SHA256   string                `json:"sha256,omitempty"`
	Bytes    int                   `json:"bytes"`
	Cases    int                   `json:"cases"`
	Sections []extract.SectionSpan `json:"sections,omitempty"`
	Warnings []string              `json:"warnings,omitempty"`
	Repaired bool                  `json:"repaired,omitempty"`
	Error    string                `json:"error,omitempty"`
	// Findings is how many finding lines follow the record's own line:
	// they are the lines findings.jsonl gets, encoded once for both.
	Findings int `json:"findings"`

	findings []extract.Finding
}

func recordOf(r *extract.Result) journalRecord {
	rec := journalRecord{ID: r.ID, Source: r.Source, SHA256: r.SHA256, Bytes: r.Bytes, Cases: r.Cases,
		Sections: r.Sections, Warnings: r.Warnings, Repaired: r.Repaired, Findings: len(r.Findings)}
	if r.Err != nil {
		rec.Error = r.Err.Error()
	}
	return rec
}

func (rec *journalRecord) result(text string) *extract.Result {
	r := &extract.Result{ID: rec.ID, Source: rec.Source, Text: text, SHA256: rec.SHA256, Bytes: rec.Bytes,
		Cases: rec.Cases, Sections: rec.Sections, Warnings: rec.Warnings, Repaired: rec.Repaired, Findings: rec.findings}
	if rec.Error != "" {
		r.Err = errors.New(rec.Error)
	}
	return r
}

// journal is the writing side, plus, on resume, the reading side of the
// records an earlier run left.
type journal struct {
	dir      string
	f        *os.File
	w        *bufio.Writer
	enc      *json.Encoder
	lastSync time.Time
	// discarded: an interrupted run's journal was there and this run,
	// without --resume, starts over.
	discarded bool

	// resume: the first `kept` records are read back in order.
	kept   int
	read   int
	reader *bufio.Reader
	rf     *os.File
}

var errNoJournal = errors.New("no journal")

// openJournal starts a journal in outDir. Without resume any earlier
// journal is discarded (the run starts over); with resume the earlier
// journal must have the same fingerprint, and its complete records are
// kept (a record cut short by the kill is dropped and done again).
func openJournal(outDir string, m manifest, resume bool) (*journal, error) {
	dir := filepath.Join(outDir, journalDir)
	j := &journal{dir: dir, lastSync: time.Now()}
	results := filepath.Join(dir, journalResults)
	if resume {
		data, err := os.ReadFile(filepath.Join(dir, journalManifest))
		if errors.Is(err, os.ErrNotExist) {
			return nil, errNoJournal
		}
		if err != nil {
			return nil, fmt.Errorf("reading the journal: %w", err)
		}
		var old manifest
		if err := json.Unmarshal(data, &old); err != nil {
			return nil, fmt.Errorf("the journal's manifest %s is damaged (%v); run without --resume to start over", filepath.Join(dir, journalManifest), err)
		}
		if old.Fingerprint != m.Fingerprint {
			return nil, &resumeMismatch{old: old, now: m}
		}
		kept, size, err := completeRecords(results)
		if err != nil {
			return nil, err
		}
		if err := os.Truncate(results, size); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("trimming the journal: %w", err)
		}
		j.kept = kept
		if kept > 0 {
			rf, err := os.Open(results)
			if err != nil {
				return nil, err
			}
			j.rf, j.reader = rf, bufio.NewReaderSize(rf, 1<<20)
		}
	} else {
		if _, err := os.Stat(filepath.Join(dir, journalManifest)); err == nil {
			j.discarded = true
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("removing an old journal: %w", err)
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if !resume {
		data, _ := json.MarshalIndent(m, "", "  ")
		if err := writeSynced(filepath.Join(dir, journalManifest), data); err != nil {
			return nil, err
		}
	}
	f, err := os.OpenFile(results, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	j.f = f
	j.w = bufio.NewWriterSize(f, 1<<16)
	j.enc = json.NewEncoder(j.w)
	j.enc.SetEscapeHTML(false)
	return j, nil
}

type resumeMismatch struct{ old, now manifest }

func (e *resumeMismatch) Error() string {
	return fmt.Sprintf("cannot resume: the configuration, patterns, clinex version or inputs differ from the interrupted run's "+
		"(journal %s, inputs %q; now %s, inputs %q); run without --resume to start over",
		e.old.Fingerprint[:12], e.old.Inputs, e.now.Fingerprint[:12], e.now.Inputs)
}

// completeRecords counts the whole records of the journal (a record's line
// and its finding lines) and the size they take; a record cut short by a
// kill is left out.
func completeRecords(path string) (int, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	n, size := 0, int64(0)
	for {
		head, err := readWholeLine(br)
		if err != nil {
			return n, size, nil // the end, or a record cut short
		}
		var rec journalRecord
		if json.Unmarshal(head, &rec) != nil {
			return n, size, nil
		}
		recSize := int64(len(head))
		for i := 0; i < rec.Findings; i++ {
			line, err := readWholeLine(br)
			if err != nil {
				return n, size, nil
			}
			recSize += int64(len(line))
		}
		n++
		size += recSize
	}
}

// readWholeLine returns the next line with its '\n', or an error when the
// file ends before one.
func readWholeLine(br *bufio.Reader) ([]byte, error) {
	line, err := br.ReadBytes('\n')
	if err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return line, nil
}

// next returns the next kept record, or nil once they are all read.
func (j *journal) next() (*journalRecord, error) {
	if j.read >= j.kept {
		return nil, nil
	}
	damaged := func(err error) error {
		return fmt.Errorf("journal record %d is damaged (%v); run without --resume to start over", j.read, err)
	}
	line, err := readWholeLine(j.reader)
	if err != nil {
		return nil, damaged(err)
	}
	j.read++
	var rec journalRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return nil, damaged(err)
	}
	if rec.Findings > 0 {
		rec.findings = make([]extract.Finding, rec.Findings)
	}
	for i := range rec.findings {
		line, err := readWholeLine(j.reader)
		if err == nil {
			err = json.Unmarshal(line, &rec.findings[i])
		}
		if err != nil {
			return nil, damaged(err)
		}
	}
	if j.read == j.kept {
		j.rf.Close()
	}
	return &rec, nil
}

// append records one finished document, its findings given as the JSONL
// lines findings.jsonl gets; what reaches the kernel survives a kill of
// clinex, and a sync every second bounds a machine crash.
func (j *journal) append(r *extract.Result, findingLines []byte) error {
	if err := j.enc.Encode(recordOf(r)); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	if _, err := j.w.Write(findingLines); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	if j.w.Buffered() > 1<<15 || time.Since(j.lastSync) > journalSyncEvery {
		if err := j.w.Flush(); err != nil {
			return fmt.Errorf("writing the journal: %w", err)
		}
	}
	if time.Since(j.lastSync) > journalSyncEvery {
		j.lastSync = time.Now()
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("writing the journal: %w", err)
		}
	}
	return nil
}

// keep flushes the journal for a later --resume.
func (j *journal) keep() {
	j.w.Flush()
	j.f.Sync()
	j.f.Close()
	if j.rf != nil {
		j.rf.Close()
	}
}

// remove deletes the journal once the final files are in place.
func (j *journal) remove() error {
	j.f.Close()
	if j.rf != nil {
		j.rf.Close()
	}
	return os.RemoveAll(j.dir)
}

func writeSynced(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func fingerprint(parts ...any) string {
	h := sha256.New()
	for _, p := range parts {
		b, _ := json.Marshal(p)
		h.Write(b)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sameDocument says whether a freshly read input is the document a journal
// record holds: same id, and the same text (by checksum) or the same error.
func sameDocument(rec *journalRecord, in *extract.Input) bool {
	if rec.ID != in.ID || rec.Source != in.Source {
		return false
	}
	if in.Err != nil {
		return rec.Error == in.Err.Error()
	}
	if rec.Error != "" && rec.SHA256 == "" {
		return false
	}
	sum := sha256.Sum256([]byte(in.Text))
	return bytes.Equal([]byte(hex.EncodeToString(sum[:])), []byte(rec.SHA256))
}
