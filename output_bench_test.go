package clinex_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// bulkResults extracts the e3c-bulk corpus once, so the writer benchmarks
// measure the writers alone on real findings (about 300,000 of them).
var bulkResults = sync.OnceValues(func() ([]*extract.Result, error) {
	eng, err := sharedEngine()
	if err != nil {
		return nil, err
	}
	var out []*extract.Result
	so := extract.SourceOptions{IDField: "id", TextField: "text"}
	err = eng.Extractor.Run(context.Background(), 0, func(emit func(extract.Input) error) error {
		return extract.ReadInputs([]string{bulkCorpus}, so, emit)
	}, func(r *extract.Result) error {
		out = append(out, r)
		return nil
	})
	return out, err
})

func benchWriterInput(b *testing.B) []*extract.Result {
	if _, err := os.Stat(bulkCorpus); err != nil {
		b.Skip("shared corpus not present")
	}
	rs, err := bulkResults()
	if err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(bulkCorpus)
	b.SetBytes(st.Size())
	return rs
}

// BenchmarkWriteBulkJSONL is the JSONL encoding of the e3c-bulk findings
// alone; MB/s count the corpus's bytes, comparable with ExtractBulkJSONL.
//
//	go test -run '^$' -bench WriteBulk -benchtime 5x -count 5 .
func BenchmarkWriteBulkJSONL(b *testing.B) {
	rs := benchWriterInput(b)
	defer debug.SetGCPercent(debug.SetGCPercent(cliGCPercent))
	var buf bytes.Buffer
	b.ResetTimer()
	for range b.N {
		for _, r := range rs {
			buf.Reset()
			if err := output.EncodeFindings(&buf, r); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkWriteBulkXLSX writes the e3c-bulk findings to findings.xlsx with
// the default study, on the writer's goroutine as a run does.
func BenchmarkWriteBulkXLSX(b *testing.B) {
	rs := benchWriterInput(b)
	defer debug.SetGCPercent(debug.SetGCPercent(cliGCPercent))
	eng := testEngine(b)
	opts := output.Options{CasesAllFindings: eng.Config.Output.CasesAllFindings, Study: eng.Config.Study.Variables}
	dir := b.TempDir()
	// The sheets are deflated on every core, so the wall time per run
	// hides most of the writer's cost: its CPU time is reported too.
	cpu0 := cpuSeconds()
	b.ResetTimer()
	for range b.N {
		x, err := output.NewXLSX(filepath.Join(dir, "findings.xlsx"), opts)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range rs {
			if err := x.Write(r); err != nil {
				b.Fatal(err)
			}
		}
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric((cpuSeconds()-cpu0)/float64(b.N), "cpu-s/op")
}

// cpuSeconds is the process's user and system CPU time so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}
