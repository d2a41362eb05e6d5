package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// recordingWriter keeps the ids it is given; it fails at failAt (when > 0).
type recordingWriter struct {
	ids            []string
	failAt         int
	closed, abort  bool
	info           *output.RunInfo
	writesAfterRun int
}

func (w *recordingWriter) Write(r *extract.Result) error {
	if w.info != nil {
		w.writesAfterRun++
	}
	w.ids = append(w.ids, r.ID)
	if w.failAt > 0 && len(w.ids) == w.failAt {
		return errors.New("disk full")
	}
	return nil
}
func (w *recordingWriter) Close() error                 { w.closed = true; return nil }
func (w *recordingWriter) Abort()                       { w.abort = true }
func (w *recordingWriter) Path() string                 { return "rec" }
func (w *recordingWriter) SetRunInfo(ri output.RunInfo) { w.info = &ri }

func TestAsyncWriterKeepsOrderAndDrainsOnClose(t *testing.T) {
	inner := &recordingWriter{}
	a := newAsyncWriter(inner)
	for i := range 100 {
		if err := a.Write(&extract.Result{ID: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	a.SetRunInfo(output.RunInfo{Version: "v"})
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if len(inner.ids) != 100 || !inner.closed || inner.abort || inner.info == nil || inner.writesAfterRun != 0 {
		t.Fatalf("%d written, closed %v, aborted %v, run info %v, writes after it %d", len(inner.ids), inner.closed, inner.abort, inner.info, inner.writesAfterRun)
	}
	for i, id := range inner.ids {
		if id != fmt.Sprint(i) {
			t.Fatalf("document %d written as %s", i, id)
		}
	}
}

// A failed write comes back from a later Write or from Close, and the
// writer's file is aborted, never committed.
func TestAsyncWriterReportsAFailedWrite(t *testing.T) {
	inner := &recordingWriter{failAt: 5}
	a := newAsyncWriter(inner)
	var err error
	for i := 0; i < 1000 && err == nil; i++ {
		err = a.Write(&extract.Result{ID: fmt.Sprint(i)})
	}
	if err == nil {
		err = a.Close()
	} else if cerr := a.Close(); cerr == nil {
		t.Fatal("Close after a failed write returned no error")
	}
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("error %v, want the write's", err)
	}
	if inner.closed || !inner.abort {
		t.Fatalf("closed %v, aborted %v: a failed writer must be aborted", inner.closed, inner.abort)
	}
	if len(inner.ids) != 5 {
		t.Fatalf("%d documents written to a failed writer, want 5 (none after the failure)", len(inner.ids))
	}
}
