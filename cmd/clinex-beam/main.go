// Command clinex-beam runs clinex's extraction as an Apache Beam pipeline:
// the same config, pattern overlays, per-document extraction and output
// record as `clinex extract`, on any Beam runner (prism in process by
// default; Flink, Spark or Dataflow with Beam's own flags, see the README).
// It is a separate binary so that clinex does not carry Beam.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/runners"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/patterns"
)

// listFlag is a repeatable flag that also takes comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

// Flags of the command. Beam's own flags (--runner, --endpoint, --project,
// …) live in the standard flag set too, so workers started with them parse
// ours without complaint.
var (
	inputs      listFlag
	patternDirs listFlag
	outPrefix   = flag.String("output", "", "prefix of the output files: PREFIX-NNNNN-of-NNNNN.jsonl and PREFIX-errors-00000-of-00001.jsonl (required)")
	configFile  = flag.String("config", "", "config file (default: ./config.yaml if present, else the built-in defaults)")
	shards      = flag.Int("shards", 4, "number of findings files; each is sorted in memory on one worker, so raise it for large corpora")
	quiet       = flag.Bool("quiet", false, "print only errors")
)

func init() {
	flag.Var(&inputs, "input", "file pattern of reports, .txt or .jsonl, local or gs://… (repeatable, comma-separated; required)")
	flag.Var(&patternDirs, "patterns", "extra pattern folder overlaid on the built-in patterns (repeatable)")
}

const usage = `Usage: clinex-beam --input PATTERN --output PREFIX [--config FILE] [--patterns DIR] [--runner prism]

Runs clinex's extraction as an Apache Beam pipeline. Reads .txt reports and
JSONL files (one report a line) matched by PATTERN, writes the findings as
PREFIX-NNNNN-of-NNNNN.jsonl (the record of clinex's findings.jsonl) and the
documents that failed, with their error, as PREFIX-errors-00000-of-00001.jsonl.
The runner is prism (in process) unless --runner says otherwise; see the
README's "Scaling out" for Flink, Spark and Dataflow.

Flags of clinex-beam:
`

// Exit codes, as clinex's.
const (
	exitRuntime = 1
	exitUsage   = 2
)

type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

func main() {
	flag.Usage = func() {
		fmt.Fprint(flag.CommandLine.Output(), usage)
		for _, name := range []string{"input", "output", "config", "patterns", "shards", "quiet", "runner"} {
			f := flag.Lookup(name)
			fmt.Fprintf(flag.CommandLine.Output(), "  --%s\n    \t%s\n", f.Name, f.Usage)
		}
	}
	flag.Parse()
	// On a worker, Init runs the harness and never returns.
	beam.Init()
	if err := run(context.Background(), os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "clinex-beam:", err)
		code := exitRuntime
		var ee *exitError
		if errors.As(err, &ee) {
			code = ee.code
		}
		os.Exit(code)
	}
}

func run(ctx context.Context, stderr io.Writer) error {
	if len(inputs) == 0 || *outPrefix == "" {
		flag.Usage()
		return &exitError{exitUsage, errors.New("--input and --output are required")}
	}
	if *shards < 1 {
		return &exitError{exitUsage, errors.New("--shards must be 1 or more")}
	}
	settings, eng, err := LoadSettings(*configFile, patternDirs, os.Environ())
	if err != nil {
		var ps patterns.Problems
		var ce *clinex.ConfigError
		if errors.As(err, &ps) || errors.As(err, &ce) {
			return &exitError{exitUsage, err}
		}
		return err
	}
	// Checked here too, so the mistake is one line rather than the end of
	// a failed job's trace.
	for _, pattern := range inputs {
		if err := checkMatches(ctx, pattern); err != nil {
			return &exitError{exitUsage, err}
		}
	}
	if *quiet {
		// prism and the SDK log their progress through slog.
		slog.SetLogLoggerLevel(slog.LevelWarn)
	}
	logf := func(format string, a ...any) {
		if !*quiet {
			fmt.Fprintf(stderr, "clinex-beam: "+format+"\n", a...)
		}
	}
	source := settings.ConfigName
	if source == "" {
		source = "embedded defaults"
	}
	logf("config from %s; %d rules, %d lexicon entries, %d context cues, %d units",
		source, len(eng.Patterns.Rules), len(eng.Patterns.Analytes)+len(eng.Patterns.Entities), len(eng.Patterns.Cues), len(eng.Patterns.Units))
	opts := Options{
		Inputs: inputs, Output: *outPrefix, Shards: *shards, Settings: settings,
		IDField: eng.Config.Input.IDField, TextField: eng.Config.Input.TextField,
	}
	start := time.Now()
	counts, err := Run(ctx, "", opts)
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	runner := *runners.Runner
	if runner == "" {
		runner = "prism"
	}
	if len(counts) == 0 {
		// Runners that return before the job ends (--async, templates)
		// report no counters here; their UI has them.
		logf("submitted to %s; counters are in the runner's UI", runner)
		return nil
	}
	names := make([]string, 0, len(counts))
	for n := range counts {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		logf("counter %s.%s = %d", metricsNS, n, counts[n])
	}
	docs, failed := counts[cDocsRead], counts[cDocsFailed]
	logf("%d documents (%d failed) in %.2fs (%.2f MB/s, whole run on %s) → %s-*.jsonl",
		docs, failed, secs, float64(counts[cBytesRead])/1e6/max(secs, 1e-9), runner, *outPrefix)
	if docs == 0 {
		return errors.New("no reports found in the patterns given (.txt or .jsonl)")
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d documents failed; see %s", failed, docs, shardName(*outPrefix, "errors", 0, 1))
	}
	return nil
}

// Run builds the pipeline and runs it on runner ("" for the --runner flag,
// prism by default), and returns the counters of namespace clinex summed
// over steps.
func Run(ctx context.Context, runner string, o Options) (map[string]int64, error) {
	if err := removeOldShards(ctx, o.Output); err != nil {
		return nil, err
	}
	p, s := beam.NewPipelineWithRoot()
	Build(s, o)
	var res beam.PipelineResult
	var err error
	if runner == "" {
		res, err = beamx.RunWithMetrics(ctx, p)
	} else {
		res, err = beam.Run(ctx, runner, p)
	}
	if err != nil {
		return nil, fmt.Errorf("pipeline failed: %w", err)
	}
	counts := map[string]int64{}
	if res == nil {
		return counts, nil
	}
	for _, c := range res.Metrics().AllMetrics().Counters() {
		if c.Key.Namespace == metricsNS {
			counts[c.Key.Name] += c.Result()
		}
	}
	return counts, nil
}

func checkMatches(ctx context.Context, pattern string) error {
	fsys, err := filesystem.New(ctx, pattern)
	if err != nil {
		return fmt.Errorf("--input %s: %w", pattern, err)
	}
	defer fsys.Close()
	names, err := fsys.List(ctx, pattern)
	if err != nil {
		return fmt.Errorf("--input %s: %w", pattern, err)
	}
	if len(names) == 0 {
		return fmt.Errorf("--input %s matches no file", pattern)
	}
	return nil
}
