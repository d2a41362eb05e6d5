package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// batchRun is one `clinex extract`: where reports come from, where
// results go, and how failures count.
type batchRun struct {
	eng     *clinex.Engine
	paths   []string
	outDir  string // "" in stream mode
	stream  bool   // --stdin-jsonl: findings to stdout as each document ends
	resume  bool
	strict  bool
	quiet   bool
	workers int
	source  extract.SourceOptions
	stdout  io.Writer
	stderr  io.Writer
	// progress shows a bar on stderr (a terminal, not --quiet).
	progress bool
	// configSource names where the config came from, for the Run sheet.
	configSource string
}

// tally is what the run did, for the summary line and the exit code.
type tally struct {
	docs, failed, repaired, findings, reused int
	bytes                                    int64
}

// sink receives every document in input order.
type sink interface {
	write(r *extract.Result) error
	commit() error
	abort()
	// keepsFindings says whether the sink reads a document's findings
	// (besides their lines) in write or after it; if not, they are given
	// back for the next documents to be built in once encoded.
	keepsFindings() bool
}

// errFailFast ends a --strict run at its first failed document.
var errFailFast = errors.New("strict")

// execute runs the batch and returns the tally; the error is a runtime
// failure (or the first failed document under --strict), not the count of
// failed documents, which the caller turns into the exit code.
func (b *batchRun) execute(ctx context.Context) (tally, error) {
	var t tally
	var out sink
	var jr *journal
	if b.stream {
		out = newStreamSink(b.stdout, b.stderr)
	} else {
		var err error
		if jr, err = b.openJournal(); err != nil {
			return t, err
		}
		fs, err := newFileSink(b.outDir, b.eng.Config, jr)
		if err == nil {
			started := time.Now()
			inputs := func() []output.InputFile { return hashInputs(b.paths)() }
			if fs.wantsRunInfo() {
				inputs = hashInputs(b.paths)
			}
			fs.runInfo = func() output.RunInfo {
				return runInfo(b.eng, b.configSource, inputs(), b.workers, started)
			}
		}
		if err != nil {
			jr.keep()
			return t, err
		}
		out = fs
		if jr.discarded && !b.quiet {
			fmt.Fprintf(b.stderr, "clinex: %s held the journal of an interrupted run; starting over (--resume continues it instead)\n", b.outDir)
		}
		if jr.kept > 0 && !b.quiet {
			fmt.Fprintf(b.stderr, "clinex: resuming: %d documents already done in %s\n", jr.kept, b.outDir)
		}
	}

	var msgs io.Writer = &lockedWriter{w: b.stderr}
	var bar *progressBar
	if b.progress {
		bar = newProgressBar(b.stderr, b.paths)
		msgs = bar
	}
	read := b.reader(jr, msgs, &t)
	then := encodeLines
	if !out.keepsFindings() {
		then = encodeAndRelease
	}
	var strictErr error
	err := b.eng.Extractor.RunThen(ctx, b.workers, read, then, func(r *extract.Result) error {
		t.docs++
		t.bytes += int64(r.Bytes)
		t.findings += r.NumFindings()
		if r.Err != nil {
			t.failed++
			if !b.stream {
				fmt.Fprintf(msgs, "clinex: %s: %v\n", r.ID, r.Err)
			}
		} else if r.Repaired {
			t.repaired++
			if !b.quiet {
				fmt.Fprintf(msgs, "clinex: %s: warning: %s\n", r.ID, strings.Join(r.Warnings, "; "))
			}
		}
		if bar != nil {
			bar.done(r)
		}
		err := out.write(r)
		releaseLines(r)
		if err != nil {
			return err
		}
		if r.Err != nil && b.strict {
			strictErr = fmt.Errorf("%s failed and --strict stops at the first failure: %v", r.ID, r.Err)
			return errFailFast
		}
		return nil
	})
	if bar != nil {
		bar.finish(err == nil)
	}
	if errors.Is(err, errFailFast) {
		err = strictErr
	}
	if err != nil {
		out.abort()
		if jr != nil {
			jr.keep()
		}
		if errors.Is(err, context.Canceled) {
			if jr != nil {
				return t, fmt.Errorf("interrupted after %d documents: no output file was written; run again with --resume to continue", t.docs)
			}
			return t, errors.New("interrupted")
		}
		return t, err
	}
	if err := out.commit(); err != nil {
		if jr != nil {
			jr.keep()
		}
		return t, err
	}
	if jr != nil {
		if err := jr.remove(); err != nil {
			return t, fmt.Errorf("removing the journal: %w", err)
		}
	}
	return t, nil
}

func (b *batchRun) openJournal() (*journal, error) {
	cfg := *b.eng.Config
	cfg.Run.Workers = 0 // the worker count does not change the results
	m := manifest{Version: clinex.Version, Inputs: b.paths, Started: time.Now().UTC().Format(time.RFC3339)}
	m.Fingerprint = fingerprint(clinex.Version, cfg, b.eng.Patterns.Digest, b.paths,
		b.source.MaxBytes, b.source.RepairUTF8, b.source.IDField, b.source.TextField)
	jr, err := openJournal(b.outDir, m, b.resume)
	if errors.Is(err, errNoJournal) {
		return nil, fmt.Errorf("cannot resume: %s holds no journal of an interrupted run (it finished, or never started there)", b.outDir)
	}
	return jr, err
}

// reader streams the inputs into the pool; on resume, each document the
// journal already holds is handed on as Known (checked to be the same
// document) instead of being extracted again, up to the first that changed.
func (b *batchRun) reader(jr *journal, msgs io.Writer, t *tally) func(func(extract.Input) error) error {
	return func(emit func(extract.Input) error) error {
		return extract.ReadInputs(b.paths, b.source, func(in extract.Input) error {
			if jr != nil {
				rec, err := jr.next()
				if err != nil {
					return err
				}
				switch {
				case rec == nil:
				case sameDocument(rec, &in):
					in.Known = rec.result(in.Text)
					t.reused++
				default:
					dropped, err := jr.dropFrom()
					if err != nil {
						return err
					}
					after := ""
					if dropped > 1 {
						after = fmt.Sprintf(", and the %d journaled documents after it", dropped-1)
					}
					fmt.Fprintf(msgs, "clinex: %s changed since the interrupted run: extracting it again%s\n", in.ID, after)
				}
			}
			return emit(in)
		})
	}
}

// linesPool recycles the buffers findings are encoded into: one per
// document in flight.
var linesPool = sync.Pool{New: func() any { return new([]byte) }}

// encodeLines runs on the pool's workers: every sink writes the findings as
// JSONL (findings.jsonl, the journal, standard output), and encoding them
// there, not on the one writer goroutine, lets it keep up with the workers.
// A finding that fails to encode leaves Lines nil: the sink encodes the
// document again and reports the error.
func encodeLines(r *extract.Result) {
	if len(r.Findings) == 0 {
		return
	}
	buf := linesPool.Get().(*[]byte)
	lines, err := output.AppendFindings((*buf)[:0], r)
	if err != nil {
		linesPool.Put(buf)
		return
	}
	r.Lines = lines
}

// encodeAndRelease is encodeLines for a sink that needs only the lines: the
// findings go back for the next documents to be built in. Given back here,
// on the worker, they are still in its core's cache and go to its pool (the
// writer, giving them back after writing, paid a cache miss on each).
func encodeAndRelease(r *extract.Result) {
	encodeLines(r)
	if r.Lines != nil { // else the sink encodes them again, to report why
		r.ReleaseFindings()
	}
}

// findingLines is r's findings as JSONL: encoded by a worker, or here.
func findingLines(r *extract.Result, scratch *[]byte) ([]byte, error) {
	if r.Lines != nil || len(r.Findings) == 0 {
		return r.Lines, nil
	}
	var err error
	*scratch, err = output.AppendFindings((*scratch)[:0], r)
	return *scratch, err
}

// releaseLines gives r's buffer back once every sink has written it.
func releaseLines(r *extract.Result) {
	if r.Lines == nil {
		return
	}
	putLines(r.Lines)
	r.Lines = nil
}

// putLines gives a buffer of linesPool's back.
func putLines(buf []byte) {
	if buf == nil || cap(buf) > 1<<20 { // a huge document's buffer is not kept for all
		return
	}
	buf = buf[:0]
	linesPool.Put(&buf)
}

// lockedWriter lets the reader (a changed input on resume) and the writer
// (failed documents) speak on stderr at once.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// fileSink writes the final files under temporary names (renamed at the
// end) and the journal, whose finding lines become findings.jsonl.
type fileSink struct {
	// runInfo describes the run for writers that record it, at the end.
	runInfo func() output.RunInfo
	writers []output.Writer
	jr      *journal
	// jsonl is findings.jsonl's path when it is asked for ("" if not).
	jsonl   string
	seq     int
	scratch []byte
}

func newFileSink(outDir string, cfg *clinex.Config, jr *journal) (*fileSink, error) {
	removeStalePartials(outDir)
	// findings.jsonl is the journal's lines file, renamed at the end.
	var formats []string
	jsonl := ""
	for _, f := range cfg.Output.Formats {
		if f == "jsonl" {
			jsonl = filepath.Join(outDir, "findings.jsonl")
		} else {
			formats = append(formats, f)
		}
	}
	writers, err := output.Open(outDir, formats, output.Options{CasesAllFindings: cfg.Output.CasesAllFindings, Study: cfg.Study.Variables})
	if err != nil {
		return nil, err
	}
	errs, err := output.NewErrors(filepath.Join(outDir, "errors.jsonl"))
	if err != nil {
		for _, w := range writers {
			w.Abort()
		}
		return nil, err
	}
	for i, w := range writers {
		writers[i] = newAsyncWriter(w)
	}
	return &fileSink{writers: append(writers, errs), jr: jr, jsonl: jsonl}, nil
}

// asyncWriter runs a writer on a goroutine of its own, documents handed
// over in order through a short queue: the workbook's rows cost more than
// the ordered writer's other work, and on one goroutine they held the run
// to what one core could write. findings.jsonl and errors.jsonl, a copy of
// bytes each, stay on the ordered writer.
type asyncWriter struct {
	output.Writer
	docs chan *extract.Result
	done chan struct{}
	// err is the first error of Write; the goroutine sets it, and failed
	// tells the ordered writer to stop handing documents over.
	err     error
	failed  atomic.Bool
	drained bool
}

// asyncQueue is how many documents wait for each async writer: results
// kept in memory on top of the pool's.
const asyncQueue = 8

func newAsyncWriter(w output.Writer) *asyncWriter {
	a := &asyncWriter{Writer: w, docs: make(chan *extract.Result, asyncQueue), done: make(chan struct{})}
	go func() {
		defer close(a.done)
		for r := range a.docs {
			if a.err != nil {
				continue
			}
			if err := a.Writer.Write(r); err != nil {
				a.err = err
				a.failed.Store(true)
			}
		}
	}()
	return a
}

func (a *asyncWriter) Write(r *extract.Result) error {
	if a.failed.Load() {
		a.drain()
		return a.err
	}
	a.docs <- r
	return nil
}

// drain waits until every document handed over is written.
func (a *asyncWriter) drain() {
	if !a.drained {
		a.drained = true
		close(a.docs)
		<-a.done
	}
}

func (a *asyncWriter) Close() error {
	a.drain()
	if a.err != nil {
		a.Writer.Abort()
		return a.err
	}
	return a.Writer.Close()
}

func (a *asyncWriter) Abort() {
	a.drain()
	a.Writer.Abort()
}

func (a *asyncWriter) SetRunInfo(info output.RunInfo) {
	if setter, ok := a.Writer.(output.RunInfoSetter); ok {
		a.drain() // the writer is not written to while it is told
		setter.SetRunInfo(info)
	}
}

// removeStalePartials deletes the temporary files and folders a killed run
// left (every writer names them .NAME.partial-*); only one run writes a
// folder at once.
func removeStalePartials(outDir string) {
	old, _ := filepath.Glob(filepath.Join(outDir, ".*.partial-*"))
	for _, p := range old {
		os.RemoveAll(p)
	}
}

func (s *fileSink) write(r *extract.Result) error {
	// A document read back from the journal is in it already, its
	// finding lines too.
	if !s.jr.isReused(s.seq) {
		var err error
		if r.Lines != nil {
			// The journal writes the worker's buffer as it is and gives it
			// back to the pool once written: no writer after it reads it.
			lines := r.Lines
			r.Lines = nil
			err = s.jr.appendTaken(r, lines)
		} else {
			var lines []byte
			if lines, err = findingLines(r, &s.scratch); err != nil {
				return fmt.Errorf("encoding the findings of %s: %w", r.ID, err)
			}
			err = s.jr.append(r, lines)
		}
		if err != nil {
			return err
		}
	}
	s.seq++
	for _, w := range s.writers {
		if err := w.Write(r); err != nil {
			return fmt.Errorf("writing %s: %w", w.Path(), err)
		}
	}
	return nil
}

// recordsRunInfo says whether w records the run's provenance.
func recordsRunInfo(w output.Writer) bool {
	if a, isAsync := w.(*asyncWriter); isAsync {
		w = a.Writer
	}
	_, ok := w.(output.RunInfoSetter)
	return ok
}

func (s *fileSink) wantsRunInfo() bool {
	return slices.ContainsFunc(s.writers, recordsRunInfo)
}

func (s *fileSink) commit() error {
	var info *output.RunInfo
	for _, w := range s.writers {
		setter, _ := w.(output.RunInfoSetter)
		if recordsRunInfo(w) && s.runInfo != nil {
			if info == nil {
				ri := s.runInfo()
				info = &ri
			}
			setter.SetRunInfo(*info)
		}
	}
	if s.jsonl != "" {
		if err := s.jr.commitLines(s.jsonl); err != nil {
			s.abort()
			return fmt.Errorf("finishing %s: %w", s.jsonl, err)
		}
	}
	for i, w := range s.writers {
		if err := w.Close(); err != nil {
			for _, rest := range s.writers[i+1:] {
				rest.Abort()
			}
			return fmt.Errorf("finishing %s: %w", w.Path(), err)
		}
	}
	return nil
}

// keepsFindings: the workbook, CSV, JSON and the other formats are written
// on goroutines of their own, after write returns; findings.jsonl is the
// lines the worker encoded, and errors.jsonl reads no finding.
func (s *fileSink) keepsFindings() bool {
	return slices.ContainsFunc(s.writers, func(w output.Writer) bool {
		_, errorsOnly := w.(*output.Errors)
		return !errorsOnly
	})
}

func (s *fileSink) abort() {
	for _, w := range s.writers {
		w.Abort()
	}
}

// streamSink is the map step of a pipeline: findings as JSONL on stdout,
// flushed as each document ends; failed documents as JSON lines on stderr.
// Nothing else goes to stdout.
type streamSink struct {
	w       *bufio.Writer
	errEnc  interface{ Encode(any) error }
	scratch []byte
}

func newStreamSink(stdout, stderr io.Writer) *streamSink {
	w := bufio.NewWriterSize(stdout, 1<<16)
	return &streamSink{w: w, errEnc: output.NewEncoder(stderr)}
}

func (s *streamSink) write(r *extract.Result) error {
	if r.Err != nil {
		return s.errEnc.Encode(output.ErrorRecord{Doc: r.ID, Source: r.Source, Error: r.Err.Error()})
	}
	if r.Repaired {
		if err := s.errEnc.Encode(output.ErrorRecord{Doc: r.ID, Source: r.Source, Warning: strings.Join(r.Warnings, "; ")}); err != nil {
			return err
		}
	}
	lines, err := findingLines(r, &s.scratch)
	if _, werr := s.w.Write(lines); err == nil {
		err = werr
	}
	if err != nil {
		return fmt.Errorf("writing to standard output: %w", err)
	}
	if err := s.w.Flush(); err != nil {
		return fmt.Errorf("writing to standard output: %w", err)
	}
	return nil
}

func (s *streamSink) commit() error       { return s.w.Flush() }
func (s *streamSink) keepsFindings() bool { return false }
func (s *streamSink) abort()              { s.w.Flush() }

// hashInputs checksums the input files on a goroutine of its own, from
// the start of the run: done at the end, it was a serial 50 ms per 60 MB
// after the last document.
func hashInputs(paths []string) func() []output.InputFile {
	done := make(chan []output.InputFile, 1)
	go func() {
		var inputs []output.InputFile
		for _, a := range paths {
			inputs = append(inputs, output.HashInput(a))
		}
		done <- inputs
	}()
	return sync.OnceValue(func() []output.InputFile { return <-done })
}

// runInfo is the provenance a writer records: what ran, on what, when.
func runInfo(eng *clinex.Engine, configSource string, inputs []output.InputFile, workers int, start time.Time) output.RunInfo {
	cfg := eng.Config
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	info := output.RunInfo{Version: clinex.Version, ConfigHash: cfg.Hash(), PatternsHash: eng.Patterns.Digest,
		ConfigSource: configSource, Workers: workers, Formats: cfg.Output.Formats, Start: start, Duration: time.Since(start)}
	info.Inputs = inputs
	return info
}
