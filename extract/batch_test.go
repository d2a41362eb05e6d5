package extract

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A panic while extracting one document becomes that document's error;
// every other document still comes out, in input order.
func TestPanicInAWorkerIsThatDocumentsError(t *testing.T) {
	broken := &Extractor{} // no patterns compiled: Extract panics on any text
	const n = 50
	read := func(emit func(Input) error) error {
		for i := 0; i < n; i++ {
			in := Input{ID: fmt.Sprint(i), Source: fmt.Sprintf("doc%d.txt", i), Text: "Heart rate 90 bpm."}
			if i%10 == 3 {
				in.Text, in.Err = "", fmt.Errorf("doc%d.txt is empty", i)
			}
			if err := emit(in); err != nil {
				return err
			}
		}
		return nil
	}
	var got []string
	err := broken.Run(context.Background(), 4, read, func(r *Result) error {
		got = append(got, r.ID)
		if r.Err == nil {
			t.Errorf("%s: no error from a panicking extraction", r.ID)
		} else if !strings.Contains(r.Err.Error(), "internal error") && !strings.Contains(r.Err.Error(), "is empty") {
			t.Errorf("%s: error %v", r.ID, r.Err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Fatalf("%d documents out of %d", len(got), n)
	}
	for i, id := range got {
		if id != fmt.Sprint(i) {
			t.Fatalf("document %d came out as %s: not in input order", i, id)
		}
	}
}

// The reader never runs more than docsPerWorker×workers documents ahead of the
// writer, even when the writer is slow: memory is bounded by the pool, not
// by the corpus.
func TestDocumentsInFlightAreBounded(t *testing.T) {
	ex := &Extractor{}
	const workers, n = 3, 500
	var read, written, most atomic.Int64
	err := ex.Run(context.Background(), workers, func(emit func(Input) error) error {
		for i := 0; i < n; i++ {
			if ahead := read.Add(1) - written.Load(); ahead > most.Load() {
				most.Store(ahead)
			}
			if err := emit(Input{ID: fmt.Sprint(i), Err: fmt.Errorf("x")}); err != nil {
				return err
			}
		}
		return nil
	}, func(r *Result) error {
		for i := 0; i < 2000; i++ { // a slow writer
			_ = fmt.Sprint(i)
		}
		written.Add(1)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if written.Load() != n {
		t.Fatalf("%d of %d written", written.Load(), n)
	}
	// +1: the document the reader holds while it waits for a slot.
	if m := most.Load(); m > docsPerWorker*workers+1 {
		t.Errorf("the reader ran %d documents ahead of the writer, more than %d×%d", m, docsPerWorker, workers)
	}
}

// The text in flight stays within its budget however many slots are free;
// a report larger than the whole budget still goes through, alone; and a
// reader waiting for the budget sees the run end.
func TestTextInFlightIsBounded(t *testing.T) {
	defer func(old int) { maxTextInFlight = old }(maxTextInFlight)
	maxTextInFlight = 1000
	ex := &Extractor{}
	// most is the largest text in flight: the reader counts a document once
	// the budget let it in, the writer uncounts it before it is freed.
	most := func(sizes []int) int64 {
		var inFlight, most atomic.Int64
		written := 0
		err := ex.Run(context.Background(), 2, func(emit func(Input) error) error {
			for i, n := range sizes {
				if err := emit(Input{ID: fmt.Sprint(i), Text: strings.Repeat("x", n), Err: fmt.Errorf("x")}); err != nil {
					return err
				}
				if now := inFlight.Add(int64(n)); now > most.Load() {
					most.Store(now)
				}
			}
			return nil
		}, func(r *Result) error {
			for i := 0; i < 20000; i++ { // a slow writer
				_ = fmt.Sprint(i)
			}
			inFlight.Add(-int64(len(r.Text)))
			written++
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if written != len(sizes) {
			t.Fatalf("%d of %d written", written, len(sizes))
		}
		return most.Load()
	}
	if m := most([]int{300, 300, 300, 300, 999, 1, 300, 300, 300, 300, 300, 300}); m > 1000 || m < 600 {
		t.Errorf("%d bytes of text were in flight with a budget of 1000", m)
	}
	if m := most([]int{300, 300, 5000, 300, 300}); m > 5000 {
		t.Errorf("%d bytes of text were in flight: a report over the budget goes alone", m)
	}

	// A reader waiting for the budget sees its context end.
	ctx, cancel := context.WithCancel(context.Background())
	b, stop := newByteBudget(ctx, 10)
	defer stop()
	if err := b.acquire(ctx, 10); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- b.acquire(ctx, 5) }()
	time.Sleep(20 * time.Millisecond)
	select {
	case err := <-waited:
		t.Fatalf("acquired past the budget: %v", err)
	default:
	}
	cancel()
	select {
	case err := <-waited:
		if err != context.Canceled {
			t.Errorf("a cancelled wait returned %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a reader waiting for the text budget never saw its context end")
	}

	// A run whose writer fails while the reader waits for the budget ends:
	// the first document's 100 bytes freed do not let the third in beside
	// the second, so only the cancelled run can wake the reader.
	finished := make(chan error, 1)
	go func() {
		finished <- ex.Run(context.Background(), 1, func(emit func(Input) error) error {
			for i, n := range []int{100, 600, 600, 600} {
				if err := emit(Input{ID: fmt.Sprint(i), Text: strings.Repeat("x", n), Err: fmt.Errorf("x")}); err != nil {
					return err
				}
			}
			return nil
		}, func(r *Result) error {
			time.Sleep(50 * time.Millisecond) // the reader is waiting by now
			return fmt.Errorf("disk full")
		})
	}()
	select {
	case err := <-finished:
		if err == nil || err.Error() != "disk full" {
			t.Errorf("run with a failing writer: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("a reader waiting for the text budget never saw the run end")
	}
}

// RunThen's step runs on the worker for every document before it is
// emitted, in input order; a panic in it is that document's error.
func TestRunThenStepBeforeEmit(t *testing.T) {
	ex := &Extractor{}
	const n = 200
	var steps atomic.Int64
	var got []string
	err := ex.RunThen(context.Background(), 3, func(emit func(Input) error) error {
		for i := 0; i < n; i++ {
			// Documents with an error skip extraction, so the empty
			// extractor does not panic; the step still sees them.
			if err := emit(Input{ID: fmt.Sprint(i), Source: fmt.Sprintf("doc%d", i), Err: fmt.Errorf("unread")}); err != nil {
				return err
			}
		}
		return nil
	}, func(r *Result) {
		steps.Add(1)
		if r.ID == "7" {
			panic("step failed")
		}
		r.Lines = []byte("lines of " + r.ID)
	}, func(r *Result) error {
		got = append(got, r.ID)
		switch {
		case r.ID == "7":
			if r.Err == nil || !strings.Contains(r.Err.Error(), "internal error after extracting") || r.Lines != nil {
				t.Errorf("panicking step: err %v, lines %q", r.Err, r.Lines)
			}
		case string(r.Lines) != "lines of "+r.ID:
			t.Errorf("%s: lines %q: the step had not run before emit", r.ID, r.Lines)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if steps.Load() != n || len(got) != n {
		t.Fatalf("%d steps, %d emitted, want %d", steps.Load(), len(got), n)
	}
	for i, id := range got {
		if id != fmt.Sprint(i) {
			t.Fatalf("document %d came out as %s", i, id)
		}
	}
}

// TestTextSHA256 compares the chunked hash with sha256.Sum256 on texts
// around the chunk size, empty and multi-byte.
func TestTextSHA256(t *testing.T) {
	for _, n := range []int{0, 1, 63, 64, 4095, 4096, 4097, 3*4096 + 17} {
		text := strings.Repeat("µg/dL 7.4 ", n/10+1)[:n]
		sum := sha256.Sum256([]byte(text))
		if got, want := textSHA256(text), hex.EncodeToString(sum[:]); got != want {
			t.Errorf("len %d: got %s, want %s", n, got, want)
		}
	}
}

// While the writer is held up on a document (a write to a slow disk), the
// workers go on with the documents after it until every slot is taken:
// handing a result over never makes a worker wait, only the slots bound
// how far ahead they get.
func TestWorkersGoOnWhileTheWriterWaits(t *testing.T) {
	ex := &Extractor{}
	const workers, n = 2, 200
	var extracted atomic.Int64
	release := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- ex.RunThen(context.Background(), workers, func(emit func(Input) error) error {
			for i := 0; i < n; i++ {
				if err := emit(Input{ID: fmt.Sprint(i), Err: fmt.Errorf("x")}); err != nil {
					return err
				}
			}
			return nil
		}, func(*Result) { extracted.Add(1) }, func(r *Result) error {
			if r.ID == "0" {
				<-release
			}
			return nil
		})
	}()
	want := int64(docsPerWorker * workers)
	deadline := time.Now().Add(10 * time.Second)
	for extracted.Load() < want && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // and no further than the slots
	got := extracted.Load()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("%d documents extracted while the writer waited on the first, want every slot's %d", got, want)
	}
	if extracted.Load() != n {
		t.Fatalf("%d of %d extracted", extracted.Load(), n)
	}
}
