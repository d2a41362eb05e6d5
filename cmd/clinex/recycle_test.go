package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/clinex/clinex"
)

// A run gives each document's findings back for the next ones to be built
// in only when no writer reads them after write returns: with findings.jsonl
// alone (and errors.jsonl, which reads none) or on standard output. Every
// other format is written on a goroutine of its own, later.
func TestFindingsGivenBackOnlyWhenNoWriterKeepsThem(t *testing.T) {
	var cases [][]string
	for _, f := range clinex.KnownFormats {
		cases = append(cases, []string{f})
		if f != "jsonl" {
			cases = append(cases, []string{"jsonl", f})
		}
	}
	for _, formats := range cases {
		cfg := &clinex.Config{}
		cfg.Output.Formats = formats
		fs, err := newFileSink(t.TempDir(), cfg, nil)
		if err != nil {
			t.Fatalf("%v: %v", formats, err)
		}
		want := !slices.Equal(formats, []string{"jsonl"})
		if got := fs.keepsFindings(); got != want {
			t.Errorf("%v: keepsFindings = %v, want %v", formats, got, want)
		}
		fs.abort()
	}
	if newStreamSink(io.Discard, io.Discard).keepsFindings() {
		t.Error("the stream sink keeps findings: it writes each document's lines before write returns")
	}
}

// The CSV is written on a goroutine of its own while the workers go on:
// every row is the finding findings.jsonl has at its place, so no
// document's findings were built into another's before the CSV had them.
func TestAKeepingWriterSeesEachDocumentsOwnFindings(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bulk.jsonl"), bulkDocs(t, 300), 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--format", "jsonl,csv", "--workers", "2", "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := readFindings(t, filepath.Join(out, "findings.jsonl"))
	f, err := os.Open(filepath.Join(out, "findings.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(lines)+1 || len(lines) < 1000 {
		t.Fatalf("%d CSV rows for %d finding lines", len(rows)-1, len(lines))
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	for i, l := range lines {
		row := rows[i+1]
		got := strings.Join([]string{row[col["doc"]], row[col["concept"]], row[col["text"]], row[col["start"]]}, "|")
		want := strings.Join([]string{l.Doc, l.Concept, l.Text, strconv.Itoa(l.Start)}, "|")
		if got != want {
			t.Fatalf("finding %d: CSV row %s, findings.jsonl %s", i, got, want)
		}
	}
}

// A JSONL run gives the findings back on the workers, before the writer
// counts them: the summary still counts every finding line.
func TestAJSONLRunCountsTheFindingsItGaveBack(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bulk.jsonl"), bulkDocs(t, 200), 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--format", "jsonl", "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := len(readFindings(t, filepath.Join(out, "findings.jsonl")))
	if want := fmt.Sprintf("200 documents (0 failed), %d findings", lines); lines < 500 || !strings.Contains(stderr, want) {
		t.Fatalf("summary %q, want %q", stderr, want)
	}
}
