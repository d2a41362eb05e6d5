package clinex_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"os"
	"runtime/debug"
	"testing"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

const bulkCorpus = "../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"

// BenchmarkExtractBulkJSONL measures the whole extract of the e3c-bulk
// corpus (8,081 reports, 7.4 MB) to JSONL: read, normalize, segment, match,
// encode. go test reports MB/s of report text.
//
//	go test -run '^$' -bench ExtractBulk -benchtime 3x .
func BenchmarkExtractBulkJSONL(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(cliGCPercent))
	if _, err := os.Stat(bulkCorpus); err != nil {
		b.Skip("shared corpus not present")
	}
	eng := testEngine(b)
	st, _ := os.Stat(bulkCorpus)
	b.SetBytes(st.Size())
	so := extract.SourceOptions{IDField: "id", TextField: "text"}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w := bufio.NewWriter(io.Discard)
		docs := 0
		// As cmd/clinex does: the findings are encoded on the workers and
		// the ordered writer copies the lines.
		err := eng.Extractor.RunThen(context.Background(), 0, func(emit func(extract.Input) error) error {
			return extract.ReadInputs([]string{bulkCorpus}, so, emit)
		}, func(r *extract.Result) {
			var err error
			if r.Lines, err = output.AppendFindings(nil, r); err != nil {
				r.Err = err
			}
		}, func(r *extract.Result) error {
			docs++
			if r.Err != nil {
				b.Fatalf("%s: %v", r.ID, r.Err)
			}
			_, err := w.Write(r.Lines)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
		w.Flush()
		if docs != 8081 {
			b.Fatalf("read %d reports, want 8081", docs)
		}
	}
}

// cliGCPercent is the collector setting cmd/clinex runs with, so the
// benchmarks measure what the command does.
const cliGCPercent = 400

// BenchmarkExtractOneWorker is the same on one worker, for a per-core figure.
func BenchmarkExtractOneWorker(b *testing.B) {
	defer debug.SetGCPercent(debug.SetGCPercent(cliGCPercent))
	if _, err := os.Stat(bulkCorpus); err != nil {
		b.Skip("shared corpus not present")
	}
	eng := testEngine(b)
	f, err := os.Open(bulkCorpus)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	var texts []string
	size := 0
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() && len(texts) < 1000 {
		var rec struct{ Text string }
		json.Unmarshal(sc.Bytes(), &rec)
		texts = append(texts, rec.Text)
		size += len(rec.Text)
	}
	b.SetBytes(int64(size))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, t := range texts {
			eng.Extractor.Extract("bench", t)
		}
	}
}

// BenchmarkStartup measures what every command pays before its first
// document: load the configuration, load and validate every built-in
// pattern, and compile the extractor (regexes, keyword automaton, sentence
// model). Issue 7's target is under 100 ms.
//
//	go test -run '^$' -bench Startup -benchtime 10x .
func BenchmarkStartup(b *testing.B) {
	for i := 0; i < b.N; i++ {
		cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := clinex.Build(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
