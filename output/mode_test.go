package output

import (
	"os"
	"path/filepath"
	"testing"
)

// A result file is for sharing: it gets the permissions os.Create would
// give, not the private mode of a temporary file.
func TestCommittedFileHasUmaskMode(t *testing.T) {
	dir := t.TempDir()
	w, err := NewJSONL(filepath.Join(dir, "findings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), 0o666&^umask; got != want {
		t.Fatalf("findings.jsonl mode %v, want %v", got, want)
	}
}
