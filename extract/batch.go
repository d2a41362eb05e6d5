package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
)

// Result is one document's outcome, in input order.
type Result struct {
	ID     string
	Source string
	// Text is the original report, for writers that show it (the review
	// page); SHA256 is its checksum (hex), for the run's provenance.
	Text     string
	SHA256   string
	Findings []Finding
	Cases    int
	Sections []SectionSpan
	Bytes    int
	Err      error
	// Warnings say what was done to the text to read it (see Input);
	// Repaired is set when invalid UTF-8 was replaced.
	Warnings []string
	Repaired bool
	// Lines is what RunThen's step made of the result on its worker for
	// the writer (the findings encoded as JSONL), so the writer's single
	// goroutine only copies it.
	Lines []byte
	// released is how many findings ReleaseFindings gave back.
	released int
}

// Run extracts every input with a bounded pool of workers and hands the
// results to emit one at a time, in input order, whatever the worker count:
// the output is the same byte for byte. At most docsPerWorker×workers
// documents, and maxTextInFlight bytes of their text (one larger report
// alone), are in memory at once (read, being extracted, or waiting for a
// slower one before them), however large the corpus: the reader waits.
func (e *Extractor) Run(ctx context.Context, workers int, read func(func(Input) error) error, emit func(*Result) error) error {
	return e.RunThen(ctx, workers, read, nil, emit)
}

// RunThen is Run with a step done on the worker right after each document
// (then may be nil): work the ordered writer would otherwise do alone on
// one goroutine, such as encoding the findings, runs on every core. A
// panic in then becomes the document's error, as one in extraction does.
func (e *Extractor) RunThen(ctx context.Context, workers int, read func(func(Input) error) error, then func(*Result), emit func(*Result) error) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	slots := make(chan struct{}, docsPerWorker*workers)
	// what each document in flight took of the budget, in input order (a
	// slot is held for each, so sending never waits)
	sizes := make(chan int, docsPerWorker*workers)
	type job struct {
		seq int
		in  Input
	}
	// as deep as the slots: the reader queues many documents in one turn
	// on a core and the workers take them without waking it for each. With
	// room for one a worker, the workers waited for the reader (and it for
	// them) 13% of a run: 1.8 s on the 60 MB benchmark against 1.5 s.
	jobs := make(chan job, docsPerWorker*workers)
	// room for every document in flight (a slot is held for each), so a
	// worker that finishes while the writer is in a write never waits to
	// hand its result over: it goes on to its next document, and only the
	// slots bound how far ahead of the writer the workers get. With room
	// for 4 a worker, workers waited there while the writer flushed a
	// megabyte of findings to the journal.
	done := make(chan struct {
		seq int
		r   *Result
	}, docsPerWorker*workers)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	text, stop := newByteBudget(ctx, maxTextInFlight)
	defer stop()

	var readErr error
	go func() {
		defer close(jobs)
		// A bug in reading must end the run with an error, not a crash
		// that leaves the output folder half done.
		defer func() {
			if p := recover(); p != nil {
				readErr = fmt.Errorf("internal error while reading the inputs (please report it): %v\n%s", p, debug.Stack())
			}
		}()
		seq := 0
		readErr = read(func(in Input) error {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return ctx.Err()
			}
			if err := text.acquire(ctx, len(in.Text)); err != nil {
				return err
			}
			sizes <- len(in.Text)
			select {
			case jobs <- job{seq, in}:
				seq++
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r := e.safeExtract(j.in)
				if then != nil {
					safeThen(then, r)
				}
				select {
				case done <- struct {
					seq int
					r   *Result
				}{j.seq, r}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(done) }()

	pending := map[int]*Result{}
	next := 0
	var emitErr error
	for d := range done {
		if emitErr != nil {
			continue
		}
		pending[d.seq] = d.r
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			err := emit(r)
			text.release(<-sizes)
			<-slots
			if err != nil {
				emitErr = err
				cancel()
				break
			}
		}
	}
	if emitErr != nil {
		return emitErr
	}
	if readErr != nil && ctx.Err() == nil {
		return readErr
	}
	return ctx.Err()
}

// docsPerWorker and maxTextInFlight bound the documents in memory. A
// few documents a worker are not enough: one long report holds the ones
// after it until it is written, in input order, and with 4 a worker both
// cores were idle 14% of the time on the benchmark corpus; 16 a worker
// cost 8 MB more peak memory and ran the corpus 5% faster. 64, with the
// job queue as deep, ran it 7% faster again than 16 with the same queue
// (a report takes some 45 µs, so 16 covered under a millisecond of a
// writer's pause); 256 and 1024 gained nothing more.
const docsPerWorker = 64

var maxTextInFlight = 64 << 20

// byteBudget lets the reader hold at most max bytes of text in flight; a
// document larger than the whole budget goes through alone.
type byteBudget struct {
	mu   sync.Mutex
	cond *sync.Cond
	used int
	max  int
}

// newByteBudget's budget wakes its waiters when ctx ends (they return
// its error); stop releases that hook.
func newByteBudget(ctx context.Context, max int) (b *byteBudget, stop func() bool) {
	b = &byteBudget{max: max}
	b.cond = sync.NewCond(&b.mu)
	return b, context.AfterFunc(ctx, b.wake)
}

func (b *byteBudget) acquire(ctx context.Context, n int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used > 0 && b.used+n > b.max {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.cond.Wait()
	}
	b.used += n
	return nil
}

func (b *byteBudget) release(n int) {
	b.mu.Lock()
	b.used -= n
	b.mu.Unlock()
	b.cond.Broadcast()
}

// wake lets a waiter see that its context ended.
func (b *byteBudget) wake() {
	b.mu.Lock()
	b.mu.Unlock()
	b.cond.Broadcast()
}

func safeThen(then func(*Result), r *Result) {
	defer func() {
		if p := recover(); p != nil {
			r.Findings, r.Lines = nil, nil
			r.Err = fmt.Errorf("%s: internal error after extracting (please report it): %v\n%s", r.Source, p, debug.Stack())
		}
	}()
	then(r)
}

// ExtractInput is the per-document step of Run for callers that schedule
// documents themselves (a Beam DoFn): an input's read error is kept, and a
// panic becomes the document's error.
func (e *Extractor) ExtractInput(in Input) *Result { return e.safeExtract(in) }

// FlagRepairedUTF8 marks the findings of a report whose invalid UTF-8 was
// replaced with U+FFFD: their offsets count the repaired text.
const FlagRepairedUTF8 = "repaired_utf8"

// safeExtract turns a panic on one document into that document's error, so
// one bad report never ends the batch.
func (e *Extractor) safeExtract(in Input) (r *Result) {
	if in.Known != nil {
		return in.Known
	}
	r = &Result{ID: in.ID, Source: in.Source, Text: in.Text, Bytes: len(in.Text), Err: in.Err, Warnings: in.Warnings, Repaired: in.Repaired}
	if in.Err != nil {
		return r
	}
	r.SHA256 = textSHA256(in.Text)
	defer func() {
		if p := recover(); p != nil {
			r.Findings = nil
			r.Err = fmt.Errorf("%s: internal error while extracting (please report it): %v\n%s", in.Source, p, debug.Stack())
		}
	}()
	parts := newDocParts()
	doc := e.extractInto(parts, in.ID, in.Text)
	if in.Repaired {
		for i := range doc.Findings {
			doc.Findings[i].Flags = append(slices.Clip(doc.Findings[i].Flags), FlagRepairedUTF8)
		}
	}
	r.Findings = doc.Findings
	r.Cases = len(doc.Layout.Cases)
	r.Sections = doc.Sections
	releaseDocParts(parts) // the result holds nothing of the document's layout or map
	return r
}

// textSHA256 is the hex SHA-256 of text. sha256.Sum256([]byte(text)) made
// a copy of every report just to hash it; the text goes through a small
// buffer on the stack instead.
func textSHA256(text string) string {
	h := sha256.New()
	var chunk [4096]byte
	for len(text) > 0 {
		n := copy(chunk[:], text)
		h.Write(chunk[:n])
		text = text[n:]
	}
	var sum [sha256.Size]byte
	var hexSum [2 * sha256.Size]byte
	hex.Encode(hexSum[:], h.Sum(sum[:0]))
	return string(hexSum[:])
}
