package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

func newExtractCmd(g *globalFlags) *cobra.Command {
	var outDir string
	cmd := &cobra.Command{
		Use:   "extract PATH... --out DIR",
		Short: "Extract findings from reports (.txt files, folders, JSONL, - for stdin)",
		Long: `Reads .txt reports, folders of them (recursively), JSONL files (one report a line,
fields from input.id_field and input.text_field) and - for standard input, and
writes DIR/findings.jsonl and DIR/findings.xlsx (see --format), plus
DIR/errors.jsonl listing any report that could not be processed.`,
		Example: "  clinex extract seeds/ --out out\n  clinex extract reports.jsonl --out out --format jsonl",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if outDir == "" {
				return usageErr(errors.New("extract: --out DIR is required"))
			}
			eng, source, err := loadEngine(cmd, g, map[string]string{"format": "output.formats", "workers": "run.workers"})
			if err != nil {
				return err
			}
			cfg := eng.Config
			if !g.quiet {
				fmt.Fprintf(cmd.ErrOrStderr(), "clinex: config from %s; %d rules, %d lexicon entries, %d context cues, %d units\n",
					source, len(eng.Patterns.Rules), len(eng.Patterns.Analytes)+len(eng.Patterns.Entities), len(eng.Patterns.Cues), len(eng.Patterns.Units))
			}
			for _, w := range eng.Warnings {
				fmt.Fprintf(cmd.ErrOrStderr(), "clinex: warning: %s\n", w)
			}
			if err := os.MkdirAll(outDir, 0o755); err != nil {
				return runtimeErr(fmt.Errorf("output folder: %w", err))
			}
			writers, err := output.Open(outDir, cfg.Output.Formats, output.Options{CasesAllFindings: cfg.Output.CasesAllFindings, Study: cfg.Study.Variables})
			if err != nil {
				return runtimeErr(err)
			}
			errs, err := output.NewErrors(filepath.Join(outDir, "errors.jsonl"))
			if err != nil {
				for _, w := range writers {
					w.Abort()
				}
				return runtimeErr(err)
			}
			writers = append(writers, errs)
			abort := func() {
				for _, w := range writers {
					w.Abort()
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			start := time.Now()
			var docs, failed, findings, bytes int
			so := extract.SourceOptions{IDField: cfg.Input.IDField, TextField: cfg.Input.TextField, Stdin: cmd.InOrStdin()}
			read := func(emit func(extract.Input) error) error { return extract.ReadInputs(args, so, emit) }
			err = eng.Extractor.Run(ctx, cfg.Run.Workers, read, func(r *extract.Result) error {
				docs++
				bytes += r.Bytes
				if r.Err != nil {
					failed++
					fmt.Fprintf(cmd.ErrOrStderr(), "clinex: %s: %v\n", r.ID, r.Err)
				}
				findings += len(r.Findings)
				for _, w := range writers {
					if err := w.Write(r); err != nil {
						return fmt.Errorf("writing %s: %w", w.Path(), err)
					}
				}
				return nil
			})
			if err != nil {
				abort()
				if errors.Is(err, context.Canceled) {
					return runtimeErr(errors.New("interrupted: no output file was written"))
				}
				return runtimeErr(err)
			}
			var info *output.RunInfo
			for _, w := range writers {
				if s, ok := w.(output.RunInfoSetter); ok {
					if info == nil {
						info = runInfo(eng, source, args, start)
					}
					s.SetRunInfo(*info)
				}
				if err := w.Close(); err != nil {
					return runtimeErr(fmt.Errorf("finishing %s: %w", w.Path(), err))
				}
			}
			if !g.quiet {
				secs := time.Since(start).Seconds()
				fmt.Fprintf(cmd.ErrOrStderr(), "clinex: %d documents (%d failed), %d findings in %.2fs (%.2f MB/s) → %s\n",
					docs, failed, findings, secs, float64(bytes)/1e6/max(secs, 1e-9), outDir)
			}
			if docs == 0 {
				return runtimeErr(errors.New("no reports found in the paths given (.txt, .jsonl or -)"))
			}
			if failed > 0 {
				return runtimeErr(fmt.Errorf("%d of %d documents failed; see %s", failed, docs, filepath.Join(outDir, "errors.jsonl")))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "output folder (created if missing)")
	cmd.Flags().StringSlice("format", nil, "output formats, comma-separated: jsonl, xlsx, json (cases.json), csv (findings.csv + cases.csv), parquet, html (review/) (default from config: jsonl,xlsx)")
	cmd.Flags().Int("workers", 0, "parallel workers (default: one per core)")
	return cmd
}

// runInfo is the provenance a writer records: what ran, on what, when.
func runInfo(eng *clinex.Engine, configSource string, args []string, start time.Time) *output.RunInfo {
	cfg := eng.Config
	workers := cfg.Run.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	info := &output.RunInfo{Version: clinex.Version, ConfigHash: cfg.Hash(), PatternsHash: eng.Patterns.Digest,
		ConfigSource: configSource, Workers: workers, Formats: cfg.Output.Formats, Start: start, Duration: time.Since(start)}
	for _, a := range args {
		info.Inputs = append(info.Inputs, output.HashInput(a))
	}
	return info
}
