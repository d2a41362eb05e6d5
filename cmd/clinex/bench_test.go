package main

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkCLIBulk runs `clinex extract` in process on the e3c-bulk corpus
// (7.4 MB) with the outputs of issue 7's figures, so a CPU profile shows
// the sinks, the journal and the workbook as a run has them.
//
// BENCH_CORPUS names another corpus, such as the 60 MB one
// scripts/bench.sh builds, so start-up weighs in the profile as it does in
// a real run:
//
//	go test -run '^$' -bench CLIBulk -benchtime 2x -cpuprofile /tmp/cli.prof ./cmd/clinex/
func BenchmarkCLIBulk(b *testing.B) {
	corpus := "../../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"
	if c := os.Getenv("BENCH_CORPUS"); c != "" {
		corpus = c
	}
	st, err := os.Stat(corpus)
	if err != nil {
		b.Skip("shared corpus missing")
	}
	for _, formats := range []string{"jsonl", "jsonl,xlsx"} {
		b.Run(formats, func(b *testing.B) {
			b.SetBytes(st.Size())
			dir := b.TempDir()
			for i := range b.N {
				out := filepath.Join(dir, "out", string(rune('a'+i)))
				if code := run([]string{"extract", corpus, "--out", out, "-q", "--format", formats, "--workers", "2"}, nil, io.Discard, os.Stderr); code != 0 {
					b.Fatalf("exit %d", code)
				}
				// Each run's output goes before the next: kept, the page
				// cache filled with them (474 MB of findings.jsonl a run
				// on the 60 MB corpus) and the next runs' writes paid for
				// reclaiming it, a fifth of a -benchtime 4x profile where
				// a single run's writes take 0.04 s.
				b.StopTimer()
				if err := os.RemoveAll(out); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
