//go:build unix

package main

import (
	"bufio"
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// BenchmarkJournalLines writes 64 MB of finding lines, in buffers of the
// sizes a document's lines have, to a file as the journal does (writev of
// the buffers as they are) and as it did (copied into a 1 MB bufio
// buffer first). cpu-ms/op is the process's user and system time: most
// of it is the kernel's copy into the page cache, which wall time hides
// behind the disk.
//
//	go test -run '^$' -bench JournalLines -benchtime 10x -count 4 ./cmd/clinex/
func BenchmarkJournalLines(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	bufs := make([][]byte, 4000) // about 30 MB: more than the caches hold
	for i := range bufs {
		buf := bytes.Repeat([]byte("{\"doc\":\"d\",\"type\":\"vital\"}\n"), 70+rng.IntN(400))
		bufs[i] = buf
	}
	const total = 64 << 20
	for _, mode := range []string{"writev", "bufio"} {
		b.Run(mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "lines")
			b.SetBytes(total)
			var cpu time.Duration
			for range b.N {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				start := processCPU()
				var pending [][]byte
				w := bufio.NewWriterSize(f, 1<<20)
				for i, n := 0, 0; n < total; i++ {
					buf := bufs[i*7%len(bufs)]
					n += len(buf)
					if mode == "bufio" {
						w.Write(buf)
						continue
					}
					if pending = append(pending, buf); len(pending) == 128 || n >= total {
						if err := writeBuffers(f, pending); err != nil {
							b.Fatal(err)
						}
						pending = pending[:0]
					}
				}
				if err := w.Flush(); err != nil {
					b.Fatal(err)
				}
				cpu += processCPU() - start
				f.Close()
				os.Remove(path) // the page cache would fill up with them
			}
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
