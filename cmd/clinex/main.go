// Command clinex turns clinical case reports into research data.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/patterns"
)

// Exit codes, as the design sketch fixes them.
const (
	exitOK      = 0
	exitRuntime = 1
	exitUsage   = 2
)

// exitError carries an exit code up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(err error) error   { return &exitError{exitUsage, err} }
func runtimeErr(err error) error { return &exitError{exitRuntime, err} }

func main() {
	// Extracting to JSONL, the live heap is small (the pool's documents and
	// the patterns), so the default GOGC of 100 collects very often: 400
	// spends about a tenth less CPU per document. A soft memory limit makes
	// the collector work harder again where the heap does grow (a workbook
	// being built), so the peak stays where it was. GOGC and GOMEMLIMIT
	// still rule.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
		if os.Getenv("GOMEMLIMIT") == "" {
			debug.SetMemoryLimit(160 << 20)
		}
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "clinex:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// cobra's own errors are about flags and arguments.
	return exitUsage
}

// globalFlags are shared by every command.
type globalFlags struct {
	config   string
	patterns []string
	quiet    bool
}

func newRoot(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:           "clinex",
		Short:         "Turn clinical case reports into research data",
		Long:          "clinex extracts vitals, lab values, scores, age and sex from clinical case reports,\nnormalized and traceable to the characters they came from.",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&g.config, "config", "", "config file (default: ./config.yaml if present, else the built-in defaults)")
	root.PersistentFlags().StringArrayVar(&g.patterns, "patterns", nil, "extra pattern folder overlaid on the built-in patterns (repeatable)")
	root.PersistentFlags().BoolVarP(&g.quiet, "quiet", "q", false, "print nothing but errors")
	root.AddCommand(newExtractCmd(g), newEvalCmd(g), newVersionCmd(), newPatternsCmd(g), newTryCmd(g))
	return root
}

// loadEngine reads the config and builds the extractor, mapping problems to
// exit code 2.
func loadEngine(cmd *cobra.Command, g *globalFlags, flagKeys map[string]string) (*clinex.Engine, string, error) {
	cfg, source, err := clinex.LoadConfig(clinex.LoadOptions{File: g.config, Flags: cmd.Flags(), Env: os.Environ(), FlagKeys: flagKeys})
	if err != nil {
		return nil, "", usageErr(err)
	}
	eng, err := clinex.Build(cfg, g.patterns...)
	if err != nil {
		var ps patterns.Problems
		var ce *clinex.ConfigError
		if errors.As(err, &ps) || errors.As(err, &ce) {
			return nil, "", usageErr(err)
		}
		return nil, "", runtimeErr(err)
	}
	return eng, source, nil
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the clinex version",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := patterns.LoadDirs()
			digest := "unavailable"
			if err == nil {
				digest = set.Digest[:12]
			}
			fmt.Fprintf(cmd.OutOrStdout(), "clinex %s (built-in patterns %s)\n", clinex.Version, digest)
			return nil
		},
	}
}
