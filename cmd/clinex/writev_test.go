package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clinex/clinex/extract"
)

// writeBuffers must leave the file holding the buffers one after the
// other, however many (more than one writev takes) and however long.
func TestWriteBuffersWritesInOrder(t *testing.T) {
	var bufs [][]byte
	var want []byte
	for i := range 3000 {
		b := []byte(strings.Repeat(fmt.Sprintf("%d,", i), i%7*40+1))
		bufs = append(bufs, b)
		want = append(want, b...)
	}
	bufs = append(bufs, make([]byte, 3<<20)) // one longer than a write may take
	want = append(want, make([]byte, 3<<20)...)
	path := filepath.Join(t.TempDir(), "lines")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeBuffers(f, bufs); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("file holds %d bytes, want %d", len(got), len(want))
	}
}

func TestWriteBuffersReportsErrors(t *testing.T) {
	f, err := os.Open(os.DevNull) // read-only: a write fails
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := writeBuffers(f, [][]byte{[]byte("a")}); err == nil || !strings.Contains(err.Error(), os.DevNull) {
		t.Errorf("writing to a read-only file: %v", err)
	}
}

// advance is how a short writev goes on where it stopped.
func TestAdvanceAfterAShortWrite(t *testing.T) {
	split := func(s string) [][]byte {
		var bufs [][]byte
		for _, p := range strings.Split(s, "|") {
			bufs = append(bufs, []byte(p))
		}
		return bufs
	}
	for _, tc := range []struct {
		bufs string
		n    int
		rest string // "" when all is written
		ok   bool
	}{
		{"abc|de|f", 0, "abc|de|f", false},
		{"abc|de|f", 1, "bc|de|f", true},
		{"abc|de|f", 3, "de|f", true},
		{"abc|de|f", 4, "e|f", true},
		{"abc|de|f", 5, "f", true},
		{"abc|de|f", 6, "", true},
		{"abc||de", 3, "de", true},
		{"abc||", 3, "", true},
		{"|", 0, "", true},
	} {
		rest, ok := advance(split(tc.bufs), tc.n)
		var got []string
		for _, b := range rest {
			got = append(got, string(b))
		}
		if strings.Join(got, "|") != tc.rest || ok != tc.ok {
			t.Errorf("%q after %d bytes: %q, %v; want %q, %v", tc.bufs, tc.n, got, ok, tc.rest, tc.ok)
		}
	}
}

// A journal written from the workers' buffers (taken, written by writev)
// is byte for byte the journal written from copies, at every flush
// threshold: more documents than one writev takes, lines of every size,
// documents without findings.
func TestJournalTakenBuffersSameAsCopies(t *testing.T) {
	const docs = 5000
	lines := func(i int) []byte {
		if i%5 == 0 {
			return nil
		}
		if i%700 == 1 { // over pendingMax in one document
			return bytes.Repeat([]byte(fmt.Sprintf("{\"doc\":\"d%d\",\"long\":true}\n", i)), 80000)
		}
		return []byte(strings.Repeat(fmt.Sprintf("{\"doc\":\"d%d\"}\n", i), i%9+i%1000/100))
	}
	write := func(taken bool) (records, findings []byte) {
		out := t.TempDir()
		jr, err := openJournal(out, manifest{Fingerprint: strings.Repeat("f", 64)}, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range docs {
			l := lines(i)
			r := &extract.Result{ID: fmt.Sprint("d", i), Source: "c.jsonl", Findings: make([]extract.Finding, bytes.Count(l, []byte("\n")))}
			if taken && l != nil {
				buf := linesPool.Get().(*[]byte)
				err = jr.appendTaken(r, append((*buf)[:0], l...))
			} else {
				err = jr.append(r, l)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		jr.keep()
		dir := filepath.Join(out, journalDir)
		records, _ = os.ReadFile(filepath.Join(dir, journalRecords))
		findings, _ = os.ReadFile(filepath.Join(dir, journalLines))
		return records, findings
	}
	var want []byte
	for i := range docs {
		want = append(want, lines(i)...)
	}
	recCopied, linesCopied := write(false)
	recTaken, linesTaken := write(true)
	if !bytes.Equal(linesCopied, want) || !bytes.Equal(linesTaken, want) {
		t.Fatalf("lines files hold %d and %d bytes, want %d", len(linesCopied), len(linesTaken), len(want))
	}
	if !bytes.Equal(recCopied, recTaken) || bytes.Count(recTaken, []byte("\n")) != docs {
		t.Fatalf("records files differ: %d and %d bytes", len(recCopied), len(recTaken))
	}
}
