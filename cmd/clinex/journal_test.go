package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/clinex/clinex/extract"
)

// A kill can cut the records file or the lines file anywhere, and the two
// are flushed at different times: resume keeps the longest prefix of whole
// records whose finding lines are all there, and trims both files to it.
func TestJournalKeepsOnlyRecordsWhoseLinesAreWhole(t *testing.T) {
	docs := []struct {
		id    string
		lines string
	}{
		{"a", "{\"doc\":\"a\",\"n\":1}\n{\"doc\":\"a\",\"n\":2}\n"},
		{"b", ""}, // no findings
		{"c", "{\"doc\":\"c\",\"n\":1}\n"},
		{"d", "{\"doc\":\"d\",\"n\":1}\n"},
	}
	write := func(t *testing.T) (dir string, recSizes []int64) {
		out := t.TempDir()
		jr, err := openJournal(out, manifest{Fingerprint: strings.Repeat("f", 64)}, false)
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(out, journalDir)
		for _, d := range docs {
			r := &extract.Result{ID: d.id, Source: d.id + ".txt", Findings: make([]extract.Finding, strings.Count(d.lines, "\n"))}
			if d.id == "b" {
				r.Err = errors.New("empty file")
			}
			if err := jr.append(r, []byte(d.lines)); err != nil {
				t.Fatal(err)
			}
			jr.keep() // flush after each, to know the sizes
			st, _ := os.Stat(filepath.Join(dir, journalRecords))
			recSizes = append(recSizes, st.Size())
			jr, err = openJournal(out, manifest{Fingerprint: strings.Repeat("f", 64)}, true)
			if err != nil {
				t.Fatal(err)
			}
			for range jr.kept {
				if _, err := jr.next(); err != nil {
					t.Fatal(err)
				}
			}
		}
		jr.keep()
		return dir, recSizes
	}
	linesUpTo := func(n int) int64 {
		size := 0
		for _, d := range docs[:n] {
			size += len(d.lines)
		}
		return int64(size)
	}

	for _, tc := range []struct {
		name           string
		recCut, linCut func(rec []int64) int64 // sizes to cut the files to; -1 keeps all
		kept           int
	}{
		{"whole", nil, nil, 4},
		{"lines cut inside c's", nil, func([]int64) int64 { return linesUpTo(2) + 3 }, 2},
		{"lines of d missing", nil, func([]int64) int64 { return linesUpTo(3) }, 3},
		{"no lines at all", nil, func([]int64) int64 { return 0 }, 0},
		{"record of c cut short", func(rec []int64) int64 { return rec[2] - 5 }, nil, 2},
		{"records empty", func([]int64) int64 { return 0 }, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, rec := write(t)
			if tc.recCut != nil {
				os.Truncate(filepath.Join(dir, journalRecords), tc.recCut(rec))
			}
			if tc.linCut != nil {
				os.Truncate(filepath.Join(dir, journalLines), tc.linCut(rec))
			}
			jr, err := openJournal(filepath.Dir(dir), manifest{Fingerprint: strings.Repeat("f", 64)}, true)
			if err != nil {
				t.Fatal(err)
			}
			defer jr.keep()
			if jr.kept != tc.kept {
				t.Fatalf("kept %d documents, want %d", jr.kept, tc.kept)
			}
			for i := range tc.kept {
				r, err := jr.next()
				if err != nil {
					t.Fatal(err)
				}
				if r.ID != docs[i].id || len(r.findings) != strings.Count(docs[i].lines, "\n") {
					t.Errorf("record %d: %s with %d findings", i, r.ID, len(r.findings))
				}
			}
			if r, err := jr.next(); r != nil || err != nil {
				t.Errorf("a record past the kept ones: %v, %v", r, err)
			}
			// Both files are trimmed to the kept prefix, so appends follow it.
			if st, _ := os.Stat(filepath.Join(dir, journalLines)); st.Size() != linesUpTo(tc.kept) {
				t.Errorf("lines file holds %d bytes, want %d", st.Size(), linesUpTo(tc.kept))
			}
			want := int64(0)
			if tc.kept > 0 {
				want = rec[tc.kept-1]
			}
			if st, _ := os.Stat(filepath.Join(dir, journalRecords)); st.Size() != want {
				t.Errorf("records file holds %d bytes, want %d", st.Size(), want)
			}
		})
	}
}

// A journal whose lines do not match its record (damaged on disk) is a
// clear error, not findings made up or lost.
func TestJournalDamagedLinesAreAnError(t *testing.T) {
	out := t.TempDir()
	m := manifest{Fingerprint: strings.Repeat("f", 64)}
	jr, err := openJournal(out, m, false)
	if err != nil {
		t.Fatal(err)
	}
	r := &extract.Result{ID: "a", Source: "a.txt", Findings: make([]extract.Finding, 2)}
	jr.append(r, []byte("{\"doc\":\"a\"}\n{\"doc\":\"a\"}x"))
	jr.keep()
	jr, err = openJournal(out, m, true)
	if err != nil {
		t.Fatal(err)
	}
	defer jr.keep()
	if _, err := jr.next(); err == nil || !strings.Contains(err.Error(), "journal record 0 is damaged") {
		t.Errorf("damaged lines: %v", err)
	}
}

// A journal record is written as encoding/json writes it (without HTML
// escaping), which is how --resume reads it back: every optional field
// there and not, empty slices, strings to escape, large and negative
// numbers.
func TestJournalRecordJSON(t *testing.T) {
	odd := "q\" b\\ <&> \n\t\x01 é \u2028 \xff"
	recs := []journalRecord{
		{},
		{ID: "a", Source: "f.jsonl:1", Findings: 3, LineBytes: 1 << 40},
		{ID: odd, Source: odd, SHA256: "ab12", Bytes: 12345, Cases: 2,
			Sections: []extract.SectionSpan{{Case: 1, Name: "body", Start: 0, End: 9}, {Case: 2, Name: odd, Heading: odd, Start: -1, End: 1 << 31}},
			Warnings: []string{odd, ""}, Repaired: true, Error: odd, Findings: -1, LineBytes: -5},
		{ID: "e", Sections: []extract.SectionSpan{}, Warnings: []string{}, Error: "failed"},
	}
	for i, rec := range recs {
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rec); err != nil {
			t.Fatal(err)
		}
		if got := rec.appendJSON([]byte("x")); string(got) != "x"+want.String() {
			t.Errorf("%d: appendJSON\n%s\nencoding/json\n%s", i, got[1:], want.Bytes())
		}
	}
}
