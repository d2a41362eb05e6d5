package output

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clinex/clinex/extract"
)

// An aborted run leaves neither the final file nor its temporary behind,
// and a closed one leaves only the final file.
func TestWritersAreAtomic(t *testing.T) {
	dir := t.TempDir()
	ws, err := Open(dir, []string{"jsonl", "xlsx"}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := &DocResult{ID: "d", Findings: []extract.Finding{{Doc: "d", Case: 1, Category: "lab", Concept: "hemoglobin", Value: extract.Number(7.5), Unit: "g/dL", Assertion: "present", Subject: "patient"}}}
	for _, w := range ws {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		w.Abort()
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Fatalf("aborted writers left %v", ents)
	}
	ws, _ = Open(dir, []string{"jsonl", "xlsx"}, Options{})
	for _, w := range ws {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	}
	ents, _ := os.ReadDir(dir)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 2 || names[0] != "findings.jsonl" || names[1] != "findings.xlsx" {
		t.Fatalf("closed writers left %v", names)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "findings.jsonl"))
	if len(b) == 0 {
		t.Error("findings.jsonl empty")
	}
}
