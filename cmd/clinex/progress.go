package main

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/mattn/go-isatty"
	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"

	"github.com/clinex/clinex/extract"
)

// isTerminal says whether w is a terminal: the progress bar is for a person
// watching, never for a log file or a pipe.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// progressBar shows documents, MB, rate, ETA and errors on stderr. The
// total is the size of the input files, summed by a walk that runs beside
// the extraction (standard input has no size known in advance: no ETA).
type progressBar struct {
	p       *mpb.Progress
	bar     *mpb.Bar
	docs    atomic.Int64
	errs    atomic.Int64
	stopped atomic.Bool
}

func newProgressBar(stderr io.Writer, paths []string) *progressBar {
	pb := &progressBar{p: mpb.New(mpb.WithOutput(stderr), mpb.WithWidth(100))}
	pb.bar = pb.p.AddBar(0,
		mpb.PrependDecorators(
			decor.Any(func(decor.Statistics) string {
				s := fmt.Sprintf("%d docs", pb.docs.Load())
				if n := pb.errs.Load(); n > 0 {
					s += fmt.Sprintf(", %d errors", n)
				}
				return s
			}, decor.WCSyncSpaceR),
		),
		mpb.AppendDecorators(
			decor.Counters(decor.SizeB1000(0), "% .1f / % .1f", decor.WCSyncSpace),
			decor.AverageSpeed(decor.SizeB1000(0), "% .1f", decor.WCSyncSpace),
			decor.OnComplete(decor.AverageETA(decor.ET_STYLE_GO, decor.WCSyncSpace), ""),
		),
	)
	go func() {
		var total int64
		for _, p := range paths {
			if p == "-" {
				return
			}
			filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if pb.stopped.Load() {
					return filepath.SkipAll
				}
				if err != nil || d.IsDir() {
					if err == nil && path != p && strings.HasPrefix(d.Name(), ".") {
						return filepath.SkipDir
					}
					return nil
				}
				ext := strings.ToLower(filepath.Ext(path))
				if ext != ".txt" && ext != ".jsonl" {
					return nil // not read by the run either
				}
				if info, err := d.Info(); err == nil && !strings.HasPrefix(d.Name(), ".") {
					total += info.Size()
				}
				return nil
			})
		}
		if !pb.stopped.Load() {
			pb.bar.SetTotal(total, false)
		}
	}()
	return pb
}

// Write prints a message above the bar.
func (pb *progressBar) Write(b []byte) (int, error) { return pb.p.Write(b) }

func (pb *progressBar) done(r *extract.Result) {
	pb.docs.Add(1)
	if r.Err != nil {
		pb.errs.Add(1)
	}
	pb.bar.IncrInt64(int64(r.Bytes))
}

// finish completes the bar (a JSONL file's size is more than the text it
// holds, so the count may end short of the total) or drops it.
func (pb *progressBar) finish(ok bool) {
	pb.stopped.Store(true)
	if ok {
		pb.bar.SetTotal(-1, true)
	} else {
		pb.bar.Abort(false)
	}
	pb.p.Wait()
}
