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
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// The journal lets an interrupted run be resumed. While a run goes, every
// finished document's findings are appended, as the JSONL lines
// findings.jsonl gets, to DIR/.clinex-journal/findings.jsonl, and a short
// record of the document (id, checksum, error, how many finding lines and
// bytes it has) to records.jsonl, both in input order (the ordered writer
// writes them), so the journal is always a prefix of the run. At the end
// the lines file becomes findings.jsonl by a rename: the findings are
// written once, not once for the journal and again for the output.
// --resume reads the prefix back instead of extracting it again and feeds
// the other writers every document in input order, so the final files are
// those of an uninterrupted run. The journal is removed once the final
// files are in place.
const (
	journalDir      = ".clinex-journal"
	journalManifest = "manifest.json"
	journalRecords  = "records.jsonl"
	journalLines    = "findings.jsonl"
	// journalLayout changes when the journal's files change meaning: a
	// journal of another layout is not resumed.
	journalLayout = 2
	// journalSyncEvery bounds what a crash of the machine (not of clinex:
	// the kernel keeps what was written) can cost; a sync per document
	// would cost more than the extraction.
	journalSyncEvery = time.Second
)

type manifest struct {
	Version     string   `json:"version"`
	Layout      int      `json:"layout"`
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
	// Findings is how many finding lines the document has in the lines
	// file, and LineBytes how many bytes they take.
	Findings  int   `json:"findings"`
	LineBytes int64 `json:"line_bytes"`

	findings []extract.Finding
}

func recordOf(r *extract.Result, lines []byte) journalRecord {
	rec := journalRecord{ID: r.ID, Source: r.Source, SHA256: r.SHA256, Bytes: r.Bytes, Cases: r.Cases,
		Sections: r.Sections, Warnings: r.Warnings, Repaired: r.Repaired, Findings: r.NumFindings(), LineBytes: int64(len(lines))}
	if r.Err != nil {
		rec.Error = r.Err.Error()
	}
	return rec
}

// appendJSON appends rec as the line json.Encoder (without HTML escaping)
// writes for it: the ordered writer made one a document, and reflection
// was most of what the journal cost it besides the writes.
func (rec *journalRecord) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	b = output.AppendJSONString(b, rec.ID)
	b = append(b, `,"source":`...)
	b = output.AppendJSONString(b, rec.Source)
	if rec.SHA256 != "" {
		b = append(b, `,"sha256":`...)
		b = output.AppendJSONString(b, rec.SHA256)
	}
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, int64(rec.Bytes), 10)
	b = append(b, `,"cases":`...)
	b = strconv.AppendInt(b, int64(rec.Cases), 10)
	if len(rec.Sections) > 0 {
		b = append(b, `,"sections":[`...)
		for i, sec := range rec.Sections {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"case":`...)
			b = strconv.AppendInt(b, int64(sec.Case), 10)
			b = append(b, `,"name":`...)
			b = output.AppendJSONString(b, sec.Name)
			if sec.Heading != "" {
				b = append(b, `,"heading":`...)
				b = output.AppendJSONString(b, sec.Heading)
			}
			b = append(b, `,"start":`...)
			b = strconv.AppendInt(b, int64(sec.Start), 10)
			b = append(b, `,"end":`...)
			b = strconv.AppendInt(b, int64(sec.End), 10)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(rec.Warnings) > 0 {
		b = append(b, `,"warnings":[`...)
		for i, w := range rec.Warnings {
			if i > 0 {
				b = append(b, ',')
			}
			b = output.AppendJSONString(b, w)
		}
		b = append(b, ']')
	}
	if rec.Repaired {
		b = append(b, `,"repaired":true`...)
	}
	if rec.Error != "" {
		b = append(b, `,"error":`...)
		b = output.AppendJSONString(b, rec.Error)
	}
	b = append(b, `,"findings":`...)
	b = strconv.AppendInt(b, int64(rec.Findings), 10)
	b = append(b, `,"line_bytes":`...)
	b = strconv.AppendInt(b, rec.LineBytes, 10)
	return append(b, "}\n"...)
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
	dir            string
	records, lines *os.File
	recW           *bufio.Writer
	// pending holds the finding lines not written yet, in linesPool
	// buffers of the journal's own, given back once written; they go to
	// the lines file in one writev, not copied into a buffer first (the
	// copy of every finding line was a quarter of what the journal cost).
	pending [][]byte
	// pendingCap is the capacity the pending buffers hold: a pooled
	// buffer keeps the size of the largest document it was used for, so
	// it is what they cost in memory, not the lines in them.
	pendingCap int
	iovs       [][]byte // writeBuffers' scratch
	recLine    []byte
	lastSync   time.Time
	// syncing is held while a background fsync runs: the writer goes on
	// meanwhile (a second's journal took ~45 ms to sync, and the writer
	// waiting on it held every worker up), and never starts a second one.
	syncing sync.Mutex
	syncErr error // the last background sync's, read under syncing
	// discarded: an interrupted run's journal was there and this run,
	// without --resume, starts over.
	discarded bool

	// On resume the first `kept` documents are read back, in order, by the
	// input reader; reused is how many of them the run takes from the
	// journal: all, unless one of them changed since (see dropFrom).
	kept      int
	reused    atomic.Int64
	read      int
	recRead   *bufio.Reader
	linesRead *bufio.Reader
	readFiles []*os.File
	// recEnd and linesEnd: where the records read back so far end, in
	// the records and lines files; lastRec and lastLines: what the last
	// one took.
	recEnd, linesEnd   int64
	lastRec, lastLines int64
	linesScratch       []byte
}

var errNoJournal = errors.New("no journal")

// openJournal starts a journal in outDir. Without resume any earlier
// journal is discarded (the run starts over); with resume the earlier
// journal must have the same fingerprint, and its complete records are
// kept (a record cut short by the kill, or whose lines were, is dropped
// and done again).
func openJournal(outDir string, m manifest, resume bool) (*journal, error) {
	m.Layout = journalLayout
	dir := filepath.Join(outDir, journalDir)
	j := &journal{dir: dir, lastSync: time.Now()}
	records, lines := filepath.Join(dir, journalRecords), filepath.Join(dir, journalLines)
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
		if old.Layout != journalLayout {
			return nil, fmt.Errorf("cannot resume: the journal in %s was written by another version of clinex; run without --resume to start over", dir)
		}
		if old.Fingerprint != m.Fingerprint {
			return nil, &resumeMismatch{old: old, now: m}
		}
		kept, recSize, linesSize, err := completeRecords(dir)
		if err != nil {
			return nil, err
		}
		if err := truncateJournal(dir, recSize, linesSize); err != nil {
			return nil, err
		}
		j.kept = kept
		if kept > 0 {
			for _, name := range []string{records, lines} {
				f, err := os.Open(name)
				if err != nil {
					j.closeReaders()
					return nil, fmt.Errorf("reading the journal: %w", err)
				}
				j.readFiles = append(j.readFiles, f)
			}
			j.recRead = bufio.NewReaderSize(j.readFiles[0], 1<<16)
			j.linesRead = bufio.NewReaderSize(j.readFiles[1], 1<<20)
		}
	} else {
		if _, err := os.Stat(filepath.Join(dir, journalManifest)); err == nil {
			j.discarded = true
		}
		if err := os.RemoveAll(dir); err != nil {
			return nil, fmt.Errorf("removing an old journal: %w", err)
		}
	}
	j.reused.Store(int64(j.kept))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	if !resume {
		data, _ := json.MarshalIndent(m, "", "  ")
		if err := writeSynced(filepath.Join(dir, journalManifest), data); err != nil {
			return nil, err
		}
	}
	var err error
	if j.records, err = os.OpenFile(records, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644); err == nil {
		// 0o666 less the umask, as every output file: this one becomes
		// findings.jsonl.
		j.lines, err = os.OpenFile(lines, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o666)
	}
	if err != nil {
		if j.records != nil {
			j.records.Close()
		}
		j.closeReaders()
		return nil, fmt.Errorf("opening the journal: %w", err)
	}
	j.recW = bufio.NewWriterSize(j.records, 1<<16)
	return j, nil
}

type resumeMismatch struct{ old, now manifest }

func (e *resumeMismatch) Error() string {
	return fmt.Sprintf("cannot resume: the configuration, patterns, clinex version or inputs differ from the interrupted run's "+
		"(journal %s, inputs %q; now %s, inputs %q); run without --resume to start over",
		e.old.Fingerprint[:12], e.old.Inputs, e.now.Fingerprint[:12], e.now.Inputs)
}

// completeRecords counts the whole records of the journal in dir and the
// bytes they and their finding lines take: the longest prefix of records,
// each a whole line, whose lines are all in the lines file. The lines are
// flushed before their record can be, but a kill can still cut either
// file anywhere.
func completeRecords(dir string) (n int, recSize, linesSize int64, err error) {
	f, err := os.Open(filepath.Join(dir, journalRecords))
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, 0, nil
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("reading the journal: %w", err)
	}
	defer f.Close()
	linesHave := int64(0)
	if st, err := os.Stat(filepath.Join(dir, journalLines)); err == nil {
		linesHave = st.Size()
	}
	br := bufio.NewReaderSize(f, 1<<16)
	for {
		line, err := readWholeLine(br)
		if err != nil {
			return n, recSize, linesSize, nil // the end, or a record cut short
		}
		var rec journalRecord
		if json.Unmarshal(line, &rec) != nil || rec.LineBytes < 0 || linesSize+rec.LineBytes > linesHave {
			return n, recSize, linesSize, nil
		}
		n++
		recSize += int64(len(line))
		linesSize += rec.LineBytes
	}
}

// truncateJournal cuts both files to the records kept.
func truncateJournal(dir string, recSize, linesSize int64) error {
	for _, f := range []struct {
		name string
		size int64
	}{{journalRecords, recSize}, {journalLines, linesSize}} {
		if err := os.Truncate(filepath.Join(dir, f.name), f.size); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("trimming the journal: %w", err)
		}
	}
	return nil
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

// next returns the next kept record with its findings, or nil once they
// are all read (or reuse stopped at a changed document).
func (j *journal) next() (*journalRecord, error) {
	if j.read >= int(j.reused.Load()) {
		return nil, nil
	}
	damaged := func(err error) error {
		return fmt.Errorf("journal record %d is damaged (%v); run without --resume to start over", j.read, err)
	}
	line, err := readWholeLine(j.recRead)
	if err != nil {
		return nil, damaged(err)
	}
	var rec journalRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return nil, damaged(err)
	}
	if cap(j.linesScratch) < int(rec.LineBytes) {
		j.linesScratch = make([]byte, rec.LineBytes)
	}
	lines := j.linesScratch[:rec.LineBytes]
	if _, err := io.ReadFull(j.linesRead, lines); err != nil {
		return nil, damaged(err)
	}
	if rec.Findings > 0 {
		rec.findings = make([]extract.Finding, rec.Findings)
	}
	for i := range rec.findings {
		end := bytes.IndexByte(lines, '\n')
		if end < 0 {
			return nil, damaged(fmt.Errorf("%d finding lines, want %d", i, rec.Findings))
		}
		if err := json.Unmarshal(lines[:end], &rec.findings[i]); err != nil {
			return nil, damaged(err)
		}
		lines = lines[end+1:]
	}
	if len(lines) > 0 {
		return nil, damaged(fmt.Errorf("more than %d finding lines", rec.Findings))
	}
	j.read++
	j.lastRec, j.lastLines = int64(len(line)), rec.LineBytes
	j.recEnd += j.lastRec
	j.linesEnd += j.lastLines
	if j.read == j.kept {
		j.closeReaders()
	}
	return &rec, nil
}

// dropFrom ends reuse at the document just read back, which changed since
// the interrupted run: the journal keeps the documents before it, and it
// and every later one are extracted again. Reuse stops there, not just for
// that document, because the journal's lines become findings.jsonl as they
// are, in input order. Called by the input reader before the document is
// handed on, so before the writer appends anything.
func (j *journal) dropFrom() (dropped int, err error) {
	at := j.read - 1
	dropped = j.kept - at
	j.reused.Store(int64(at))
	j.closeReaders()
	// The record just read is the changed one: cut before it.
	if err := j.records.Truncate(j.recEnd - j.lastRec); err != nil {
		return 0, fmt.Errorf("trimming the journal: %w", err)
	}
	if err := j.lines.Truncate(j.linesEnd - j.lastLines); err != nil {
		return 0, fmt.Errorf("trimming the journal: %w", err)
	}
	return dropped, nil
}

func (j *journal) closeReaders() {
	for _, f := range j.readFiles {
		f.Close()
	}
	j.readFiles = nil
}

// isReused says whether the document at position seq of the run came from
// the journal (and is in it already).
func (j *journal) isReused(seq int) bool { return seq < int(j.reused.Load()) }

// Pending finding lines are written once their buffers hold pendingMax
// bytes or number maxIovecs (Linux takes at most 1,024 in one writev);
// most often before, when the records are flushed (every 32 KB of them,
// a hundred documents or so).
const (
	pendingMax = 2 << 20
	maxIovecs  = 1024
)

// append records one finished document, its findings given as the JSONL
// lines findings.jsonl gets, which the caller keeps (they are copied);
// what reaches the kernel survives a kill of clinex, and a sync every
// second bounds a machine crash.
func (j *journal) append(r *extract.Result, findingLines []byte) error {
	var own []byte
	if len(findingLines) > 0 {
		own = append((*linesPool.Get().(*[]byte))[:0], findingLines...)
	}
	return j.appendTaken(r, own)
}

// appendTaken is append for lines in a buffer of linesPool's (a worker's
// encoding) that the journal takes: it is written as it is and given back
// to the pool once written; the caller must not touch it again.
func (j *journal) appendTaken(r *extract.Result, findingLines []byte) error {
	if len(findingLines) > 0 {
		j.pending = append(j.pending, findingLines)
		j.pendingCap += cap(findingLines)
	} else {
		putLines(findingLines)
	}
	rec := recordOf(r, findingLines)
	j.recLine = rec.appendJSON(j.recLine[:0])
	if _, err := j.recW.Write(j.recLine); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	due := time.Since(j.lastSync) > journalSyncEvery
	if j.recW.Buffered() > 1<<15 || due {
		// The lines first: a record on disk without its lines would be
		// dropped on resume and its document done again.
		if err := j.flushLines(); err != nil {
			return fmt.Errorf("writing the journal: %w", err)
		}
		if err := j.recW.Flush(); err != nil {
			return fmt.Errorf("writing the journal: %w", err)
		}
	} else if j.pendingCap >= pendingMax || len(j.pending) >= maxIovecs {
		if err := j.flushLines(); err != nil {
			return fmt.Errorf("writing the journal: %w", err)
		}
	}
	if due && j.syncing.TryLock() {
		j.lastSync = time.Now()
		if err := j.syncErr; err != nil {
			j.syncing.Unlock()
			return fmt.Errorf("writing the journal: %w", err)
		}
		go func() {
			defer j.syncing.Unlock()
			err := j.lines.Sync()
			if rerr := j.records.Sync(); err == nil {
				err = rerr
			}
			j.syncErr = err
		}()
	}
	return nil
}

// flushLines writes the pending finding lines and gives their buffers
// back to linesPool.
func (j *journal) flushLines() error {
	if len(j.pending) == 0 {
		return nil
	}
	// writeBuffers trims the slices it was given as it goes: a copy of
	// the list, so that the buffers go back to the pool whole.
	j.iovs = append(j.iovs[:0], j.pending...)
	err := writeBuffers(j.lines, j.iovs)
	clear(j.iovs)
	for i, buf := range j.pending {
		putLines(buf)
		j.pending[i] = nil
	}
	j.pending, j.pendingCap = j.pending[:0], 0
	return err
}

// commitLines makes the journal's finding lines the final findings.jsonl
// at path: synced, then renamed (the journal and path share a folder).
func (j *journal) commitLines(path string) error {
	j.syncing.Lock()
	defer j.syncing.Unlock()
	if err := j.flushLines(); err != nil {
		return err
	}
	if err := j.lines.Sync(); err != nil {
		return err
	}
	// Closed before the rename, which some systems refuse on an open file.
	if err := j.lines.Close(); err != nil {
		return err
	}
	return os.Rename(j.lines.Name(), path)
}

// keep flushes the journal for a later --resume.
func (j *journal) keep() {
	j.syncing.Lock() // no sync left running on a file about to close
	defer j.syncing.Unlock()
	j.flushLines()
	j.recW.Flush()
	j.lines.Sync()
	j.records.Sync()
	j.lines.Close()
	j.records.Close()
	j.closeReaders()
}

// remove deletes the journal once the final files are in place.
func (j *journal) remove() error {
	j.syncing.Lock()
	defer j.syncing.Unlock()
	j.lines.Close()
	j.records.Close()
	j.closeReaders()
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

func writeEach(f *os.File, bufs [][]byte) error {
	for _, b := range bufs {
		if _, err := f.Write(b); err != nil {
			return err
		}
	}
	return nil
}

// advance drops the first n bytes written from bufs. ok is false when
// nothing was written though bytes were left: the system took none.
func advance(bufs [][]byte, n int) (rest [][]byte, ok bool) {
	if n <= 0 {
		for _, b := range bufs {
			if len(b) > 0 {
				return bufs, false
			}
		}
		return nil, true
	}
	for n > 0 && len(bufs) > 0 {
		if n < len(bufs[0]) {
			bufs[0] = bufs[0][n:]
			return bufs, true
		}
		n -= len(bufs[0])
		bufs = bufs[1:]
	}
	for len(bufs) > 0 && len(bufs[0]) == 0 {
		bufs = bufs[1:]
	}
	return bufs, true
}
