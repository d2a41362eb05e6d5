package output_test

import (
	"syscall"
	"testing"
	"time"

	"github.com/clinex/clinex/output"
)

// BenchmarkAppendFindingsReal encodes the findings of 3,000 e3c-bulk
// reports as the CLI's workers do, so the encoder is measured on real
// findings (their strings, attributes and sentences) rather than made-up
// ones. go test reports MB/s of JSONL written.
//
//	go test -run '^$' -bench AppendFindingsReal -count 6 ./output
func BenchmarkAppendFindingsReal(b *testing.B) {
	docs := bulkResults(b, 3000)
	size := 0
	var buf []byte
	var err error
	for _, d := range docs {
		if buf, err = output.AppendFindings(buf[:0], d); err != nil {
			b.Fatal(err)
		}
		size += len(buf)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		for _, d := range docs {
			buf, _ = output.AppendFindings(buf[:0], d)
		}
	}
	// CPU time too: other jobs on a shared machine inflate the wall clock
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
