// Package output writes extraction results. Every writer writes to a
// temporary file beside its target and renames it only when the run ends
// well, so a killed run never leaves a final file that looks complete.
package output

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/clinex/clinex/extract"
)

// DocResult is one document's outcome, handed to writers in input order.
type DocResult = extract.Result

// Writer receives documents in order and commits its file on Close.
type Writer interface {
	Write(d *DocResult) error
	// Close finishes the file and moves it into place.
	Close() error
	// Abort removes the temporary file; the target is left untouched.
	Abort()
	// Path is the final file path.
	Path() string
}

// atomicFile is a file written under a temporary name and renamed on commit.
type atomicFile struct {
	final string
	tmp   *os.File
}

func createAtomic(path string) (*atomicFile, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".partial-*")
	if err != nil {
		return nil, err
	}
	// CreateTemp makes the file private; results are for sharing, like any
	// file the user's umask would let them create.
	if err := f.Chmod(0o666 &^ umask); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, err
	}
	return &atomicFile{final: path, tmp: f}, nil
}

func (a *atomicFile) commit() error {
	if err := a.tmp.Sync(); err != nil {
		a.abort()
		return err
	}
	if err := a.tmp.Close(); err != nil {
		os.Remove(a.tmp.Name())
		return err
	}
	if err := os.Rename(a.tmp.Name(), a.final); err != nil {
		os.Remove(a.tmp.Name())
		return fmt.Errorf("moving %s into place: %w", a.final, err)
	}
	return nil
}

func (a *atomicFile) abort() {
	a.tmp.Close()
	os.Remove(a.tmp.Name())
}

// Options tune the writers.
type Options struct {
	// CasesAllFindings puts negated, hypothetical and other people's
	// values in the Cases sheet too; by default it holds only the
	// patient's present values, and everything stays in Findings.
	CasesAllFindings bool
	// Study is the per-case variables of the Cases sheet, cases.csv and
	// cases.json, in column order.
	Study []StudyVar
}

// Open creates the writers for the formats asked for, in DIR.
func Open(dir string, formats []string, opts Options) ([]Writer, error) {
	var ws []Writer
	for _, f := range formats {
		var w Writer
		var err error
		switch f {
		case "jsonl":
			w, err = NewJSONL(filepath.Join(dir, "findings.jsonl"))
		case "xlsx":
			w, err = NewXLSX(filepath.Join(dir, "findings.xlsx"), opts)
		case "json":
			w, err = NewCasesJSON(filepath.Join(dir, "cases.json"), opts)
		case "csv":
			// Two files: findings for code, cases for a quick table in R or pandas.
			w, err = NewFindingsCSV(filepath.Join(dir, "findings.csv"))
			if err == nil {
				ws = append(ws, w)
				w, err = NewCasesCSV(filepath.Join(dir, "cases.csv"), opts)
			}
		case "parquet":
			w, err = NewFindingsParquet(filepath.Join(dir, "findings.parquet"))
		case "html":
			w, err = NewReview(filepath.Join(dir, "review"))
		default:
			err = fmt.Errorf("unknown output format %q", f)
		}
		if err != nil {
			for _, w := range ws {
				w.Abort()
			}
			return nil, err
		}
		ws = append(ws, w)
	}
	return ws, nil
}
