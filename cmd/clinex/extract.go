package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/clinex/clinex/extract"
)

func newExtractCmd(g *globalFlags) *cobra.Command {
	var outDir string
	var stream, resume, strict, repair bool
	cmd := &cobra.Command{
		Use:   "extract PATH... --out DIR | --stdin-jsonl",
		Short: "Extract findings from reports (.txt files, folders, JSONL, - for stdin)",
		Long: `Reads .txt reports, folders of them (recursively), JSONL files (one report a line,
fields from input.id_field and input.text_field) and - for standard input, and
writes DIR/findings.jsonl and DIR/findings.xlsx (see --format), plus
DIR/errors.jsonl listing any report that could not be processed.

With --stdin-jsonl it is a filter for a pipeline (Spark's RDD.pipe, Hadoop
Streaming): reports as JSONL on standard input, findings as JSONL on standard
output as each document ends, in input order; failed documents as JSON lines
on standard error.`,
		Example: "  clinex extract seeds/ --out out\n  clinex extract reports.jsonl --out out --format jsonl\n" +
			"  clinex extract corpus/ --out out --resume\n  cat reports.jsonl | clinex extract --stdin-jsonl > findings.jsonl",
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case stream && len(args) > 0:
				return usageErr(errors.New("extract: --stdin-jsonl reads standard input only; give no PATH"))
			case stream && outDir != "":
				return usageErr(errors.New("extract: --stdin-jsonl writes to standard output; drop --out"))
			case stream && resume:
				return usageErr(errors.New("extract: --resume needs an output folder; it does not apply to --stdin-jsonl"))
			case !stream && len(args) == 0:
				return usageErr(errors.New("extract: give at least one PATH (or --stdin-jsonl)"))
			case !stream && outDir == "":
				return usageErr(errors.New("extract: --out DIR is required"))
			}
			if stream {
				args = []string{"-"}
			}
			eng, source, err := loadEngine(cmd, g, map[string]string{"format": "output.formats", "workers": "run.workers"})
			if err != nil {
				return err
			}
			cfg := eng.Config
			stderr := cmd.ErrOrStderr()
			if !g.quiet {
				fmt.Fprintf(stderr, "clinex: config from %s; %d rules, %d lexicon entries, %d context cues, %d units\n",
					source, len(eng.Patterns.Rules), len(eng.Patterns.Analytes)+len(eng.Patterns.Entities), len(eng.Patterns.Cues), len(eng.Patterns.Units))
			}
			for _, w := range eng.Warnings {
				fmt.Fprintf(stderr, "clinex: warning: %s\n", w)
			}
			if !stream {
				if err := os.MkdirAll(outDir, 0o755); err != nil {
					return runtimeErr(fmt.Errorf("output folder: %w", err))
				}
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			b := &batchRun{
				eng: eng, paths: args, outDir: outDir, stream: stream, resume: resume, strict: strict, quiet: g.quiet,
				workers: cfg.Run.Workers,
				source: extract.SourceOptions{IDField: cfg.Input.IDField, TextField: cfg.Input.TextField, Stdin: cmd.InOrStdin(),
					StdinJSONL: stream, MaxBytes: int64(cfg.Input.MaxReportMB * 1e6), RepairUTF8: repair},
				stdout: cmd.OutOrStdout(), stderr: stderr, configSource: source,
				progress: !g.quiet && isTerminal(stderr),
			}
			start := time.Now()
			t, err := b.execute(ctx)
			if err != nil {
				var rm *resumeMismatch
				if errors.As(err, &rm) {
					return usageErr(err)
				}
				return runtimeErr(err)
			}
			if !g.quiet {
				secs := time.Since(start).Seconds()
				dest := outDir
				if stream {
					dest = "standard output"
				}
				extra := ""
				if t.reused > 0 {
					extra += fmt.Sprintf(", %d from the journal", t.reused)
				}
				if t.repaired > 0 {
					extra += fmt.Sprintf(", %d repaired", t.repaired)
				}
				fmt.Fprintf(stderr, "clinex: %d documents (%d failed%s), %d findings in %.2fs (%.2f MB/s) → %s\n",
					t.docs, t.failed, extra, t.findings, secs, float64(t.bytes)/1e6/max(secs, 1e-9), dest)
			}
			if t.docs == 0 && !stream {
				return runtimeErr(errors.New("no reports found in the paths given (.txt, .jsonl or -)"))
			}
			if t.failed > 0 {
				where := filepath.Join(outDir, "errors.jsonl")
				if stream {
					where = "the JSON lines on standard error"
				}
				return runtimeErr(fmt.Errorf("%d of %d documents failed; see %s", t.failed, t.docs, where))
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&outDir, "out", "o", "", "output folder (created if missing)")
	cmd.Flags().StringSlice("format", nil, "output formats, comma-separated: jsonl, xlsx, json (cases.json), csv (findings.csv + cases.csv), parquet, html (review/) (default from config: jsonl,xlsx)")
	cmd.Flags().Int("workers", 0, "parallel workers (default: one per core)")
	cmd.Flags().BoolVar(&stream, "stdin-jsonl", false, "stream mode: JSONL reports on stdin, findings as JSONL on stdout, nothing else on stdout")
	cmd.Flags().BoolVar(&resume, "resume", false, "continue an interrupted run into the same --out folder without redoing finished documents")
	cmd.Flags().BoolVar(&strict, "strict", false, "stop at the first document that fails (exit 1, no output written)")
	cmd.Flags().BoolVar(&repair, "repair-utf8", false, "replace invalid UTF-8 bytes with U+FFFD instead of failing the document (offsets then count the repaired text)")
	return cmd
}
