package main

import (
	"bytes"
	"context"
	"fmt"
	"hash/fnv"
	"path"
	"reflect"
	"regexp"
	"runtime/debug"
	"sort"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/fileio"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/register"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// Counter names; the namespace is "clinex". Findings are counted per
// category as findings_<category>.
const (
	metricsNS       = "clinex"
	cDocsRead       = "documents_read"
	cDocsFailed     = "documents_failed"
	cBytesRead      = "bytes_read"
	cFilesSkipped   = "files_skipped"
	cFindingsPrefix = "findings_"
)

// Report is one document on its way from a file to the extraction.
type Report struct {
	ID     string
	Source string
	// Pattern, File and Seq place the report where the CLI would read it
	// (inputs in the order given, files sorted, records in file order), so
	// that duplicate ids get the same #2, #3 suffixes.
	Pattern int
	File    string
	Seq     int
	Text    string
	Err     string // why it could not be read; "" when it was
}

// Block is one document's lines in an output file; shards are sorted by
// Doc so that a run's files are byte-identical whatever the runner did.
type Block struct {
	Doc   string
	Lines string
}

func init() {
	beam.RegisterType(reflect.TypeOf((*Report)(nil)).Elem())
	beam.RegisterType(reflect.TypeOf((*Block)(nil)).Elem())
	register.DoFn3x1[context.Context, fileio.ReadableFile, func(Report), error](&readFn{})
	register.DoFn3x0[string, func(*Report) bool, func(Report)](&uniqueFn{})
	register.DoFn4x0[context.Context, Report, func(int, Block), func(int, Block)](&extractFn{})
	register.DoFn2x0[int, func(int, Block)](&emptyShardFn{})
	register.DoFn4x1[context.Context, int, func(*Block) bool, func(string), error](&writeShardFn{})
	register.Function1x2(keyByID)
	register.Emitter1[Report]()
	register.Emitter2[int, Block]()
	register.Emitter1[string]()
	register.Iter1[Report]()
	register.Iter1[Block]()
}

// Options are a run's inputs, outputs and engine.
type Options struct {
	Inputs   []string // file patterns, local or any registered filesystem
	Output   string   // prefix of the output files
	Shards   int      // findings files
	Settings *Settings
	// IDField and TextField name a JSONL record's fields (input.* of the
	// config, resolved on the launcher).
	IDField, TextField string
}

// Outputs are the files a pipeline writes, as PCollections of their names.
type Outputs struct {
	Findings, Errors beam.PCollection
}

// shardName is PREFIX-00003-of-00008.jsonl, or PREFIX-errors-00000-of-00001.jsonl.
func shardName(prefix, kind string, shard, shards int) string {
	if kind != "" {
		kind += "-"
	}
	return fmt.Sprintf("%s-%s%05d-of-%05d.jsonl", prefix, kind, shard, shards)
}

// Build adds the extraction to s: read → unique ids → extract → sharded
// JSONL of findings and of dead letters.
func Build(s beam.Scope, o Options) Outputs {
	var reports []beam.PCollection
	for i, pattern := range o.Inputs {
		ps := s.Scope(fmt.Sprintf("read %d", i))
		matches := fileio.MatchFiles(ps, pattern, fileio.MatchEmptyDisallow())
		files := fileio.ReadMatches(ps, matches, fileio.ReadUncompressed(), fileio.ReadDirectorySkip())
		reports = append(reports, beam.ParDo(ps, &readFn{Pattern: i, IDField: o.IDField, TextField: o.TextField}, files))
	}
	all := beam.Flatten(s, reports...)
	// Grouping by id both makes ids unique as the CLI does and breaks
	// fusion with the read, so that a few large JSONL files still spread
	// their documents over every worker.
	grouped := beam.GroupByKey(s, beam.ParDo(s, keyByID, all))
	unique := beam.ParDo(s, &uniqueFn{}, grouped)
	found, dead := beam.ParDo2(s, &extractFn{Settings: o.Settings, Shards: o.Shards}, unique)

	write := func(name string, blocks beam.PCollection, kind string, shards int) beam.PCollection {
		ws := s.Scope(name)
		// One empty block per shard, so that every shard file exists even
		// when no document hashes to it: a reader can check it has all N.
		keys := make([]int, shards)
		for i := range keys {
			keys[i] = i
		}
		empty := beam.ParDo(ws, &emptyShardFn{}, beam.CreateList(ws, keys))
		groups := beam.GroupByKey(ws, beam.Flatten(ws, blocks, empty))
		return beam.ParDo(ws, &writeShardFn{Prefix: o.Output, Kind: kind, Shards: shards}, groups)
	}
	return Outputs{
		Findings: write("write findings", found, "", o.Shards),
		Errors:   write("write errors", dead, "errors", 1),
	}
}

func keyByID(r Report) (string, Report) { return r.ID, r }

// readFn reads one matched file into reports, with the CLI's reader.
type readFn struct {
	Pattern            int
	IDField, TextField string
}

func (f *readFn) ProcessElement(ctx context.Context, file fileio.ReadableFile, emit func(Report)) error {
	name := file.Metadata.Path
	switch strings.ToLower(path.Ext(name)) {
	case ".txt", ".jsonl":
	default:
		// As the CLI does inside a folder: a pattern such as dir/* also
		// matches READMEs and the like, which are not reports.
		beam.NewCounter(metricsNS, cFilesSkipped).Inc(ctx, 1)
		return nil
	}
	seq := 0
	send := func(in extract.Input) error {
		seq++
		r := Report{ID: in.ID, Source: in.Source, Pattern: f.Pattern, File: name, Seq: seq, Text: in.Text}
		if in.Err != nil {
			r.Err = in.Err.Error()
		}
		beam.NewCounter(metricsNS, cDocsRead).Inc(ctx, 1)
		beam.NewCounter(metricsNS, cBytesRead).Inc(ctx, int64(len(in.Text)))
		emit(r)
		return nil
	}
	rc, err := file.Open(ctx)
	if err != nil {
		return send(extract.Input{ID: stem(name), Source: name, Err: fmt.Errorf("cannot read %s: %w", name, err)})
	}
	defer rc.Close()
	return extract.ReadReport(name, rc, extract.SourceOptions{IDField: f.IDField, TextField: f.TextField}, send)
}

func stem(name string) string {
	base := path.Base(name)
	return strings.TrimSuffix(base, path.Ext(base))
}

// uniqueFn gives the second and later reports with one id the suffixes the
// CLI gives them (id#2, id#3), in the CLI's reading order.
type uniqueFn struct{}

func (f *uniqueFn) ProcessElement(id string, reports func(*Report) bool, emit func(Report)) {
	var all []Report
	var r Report
	for reports(&r) {
		all = append(all, r)
	}
	sort.Slice(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Pattern != b.Pattern {
			return a.Pattern < b.Pattern
		}
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Seq < b.Seq
	})
	for i, r := range all {
		if i > 0 {
			r.ID = fmt.Sprintf("%s#%d", id, i+1)
		}
		emit(r)
	}
}

// panicHook lets a test make one document's extraction panic; nil in the
// command.
var panicHook func(id string)

// extractFn runs the CLI's per-document extraction. The engine is built
// once per worker process (engineFor), in Setup, never per element.
type extractFn struct {
	Settings *Settings
	Shards   int

	eng      *clinex.Engine
	counters map[string]beam.Counter
}

func (f *extractFn) Setup() error {
	eng, err := engineFor(f.Settings)
	if err != nil {
		return err
	}
	f.eng = eng
	f.counters = map[string]beam.Counter{}
	return nil
}

func (f *extractFn) counter(name string) beam.Counter {
	c, ok := f.counters[name]
	if !ok {
		c = beam.NewCounter(metricsNS, name)
		f.counters[name] = c
	}
	return c
}

func (f *extractFn) ProcessElement(ctx context.Context, r Report, findings, deadLetters func(int, Block)) {
	res := f.extract(r)
	if res.Err != nil {
		f.counter(cDocsFailed).Inc(ctx, 1)
		var buf bytes.Buffer
		// The record of errors.jsonl; encoding three strings cannot fail.
		_ = output.NewEncoder(&buf).Encode(output.ErrorRecord{Doc: res.ID, Source: res.Source, Error: res.Err.Error()})
		deadLetters(0, Block{Doc: res.ID, Lines: buf.String()})
		return
	}
	if len(res.Findings) == 0 {
		return
	}
	var buf bytes.Buffer
	enc := output.NewEncoder(&buf)
	perCategory := map[string]int64{}
	for i := range res.Findings {
		if err := enc.Encode(&res.Findings[i]); err != nil {
			// A finding that cannot be written loses the whole document
			// to the dead letters rather than half of it to the shards.
			f.counter(cDocsFailed).Inc(ctx, 1)
			var eb bytes.Buffer
			_ = output.NewEncoder(&eb).Encode(output.ErrorRecord{Doc: res.ID, Source: res.Source, Error: fmt.Sprintf("%s: writing finding %d: %v", res.Source, i, err)})
			deadLetters(0, Block{Doc: res.ID, Lines: eb.String()})
			return
		}
		perCategory[res.Findings[i].Category]++
	}
	for cat, n := range perCategory {
		f.counter(cFindingsPrefix+cat).Inc(ctx, n)
	}
	findings(shardOf(res.ID, f.Shards), Block{Doc: res.ID, Lines: buf.String()})
}

// extract is Extractor.ExtractInput, the CLI's step, with one more guard:
// a panic anywhere in this document's handling is that document's error.
func (f *extractFn) extract(r Report) (res *extract.Result) {
	in := extract.Input{ID: r.ID, Source: r.Source, Text: r.Text}
	if r.Err != "" {
		in.Err = fmt.Errorf("%s", r.Err)
	}
	defer func() {
		if p := recover(); p != nil {
			res = &extract.Result{ID: r.ID, Source: r.Source,
				Err: fmt.Errorf("%s: internal error while extracting (please report it): %v\n%s", r.Source, p, debug.Stack())}
		}
	}()
	if panicHook != nil && in.Err == nil {
		panicHook(r.ID)
	}
	return f.eng.Extractor.ExtractInput(in)
}

func shardOf(id string, shards int) int {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int(h.Sum32() % uint32(shards))
}

type emptyShardFn struct{}

func (f *emptyShardFn) ProcessElement(shard int, emit func(int, Block)) { emit(shard, Block{}) }

// writeShardFn writes one shard under a temporary name and renames it into
// place, so a retried or killed bundle never leaves a complete-looking file
// with part of the records.
type writeShardFn struct {
	Prefix string
	Kind   string
	Shards int
}

func (f *writeShardFn) ProcessElement(ctx context.Context, shard int, blocks func(*Block) bool, emit func(string)) error {
	var all []Block
	var b Block
	for blocks(&b) {
		if b.Lines != "" {
			all = append(all, b)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Doc != all[j].Doc {
			return all[i].Doc < all[j].Doc
		}
		return all[i].Lines < all[j].Lines
	})
	final := shardName(f.Prefix, f.Kind, shard, f.Shards)
	fsys, err := filesystem.New(ctx, final)
	if err != nil {
		return err
	}
	defer fsys.Close()
	tmp := fmt.Sprintf("%s.partial-%d", final, time.Now().UnixNano())
	w, err := fsys.OpenWrite(ctx, tmp)
	if err != nil {
		return fmt.Errorf("writing %s: %w", final, err)
	}
	for _, b := range all {
		if _, err := w.Write([]byte(b.Lines)); err != nil {
			w.Close()
			removeQuietly(ctx, fsys, tmp)
			return fmt.Errorf("writing %s: %w", final, err)
		}
	}
	if err := w.Close(); err != nil {
		removeQuietly(ctx, fsys, tmp)
		return fmt.Errorf("writing %s: %w", final, err)
	}
	if err := filesystem.Rename(ctx, fsys, tmp, final); err != nil {
		removeQuietly(ctx, fsys, tmp)
		return fmt.Errorf("moving %s into place: %w", final, err)
	}
	emit(final)
	return nil
}

func removeQuietly(ctx context.Context, fsys filesystem.Interface, name string) {
	if r, ok := fsys.(filesystem.Remover); ok {
		_ = r.Remove(ctx, name)
	}
}

// removeOldShards deletes the shard files of an earlier run with this
// prefix, so that a run with fewer shards or no failures does not leave
// stale files that a glob would mix in. Only names this command writes are
// touched.
func removeOldShards(ctx context.Context, prefix string) error {
	fsys, err := filesystem.New(ctx, prefix)
	if err != nil {
		return err
	}
	defer fsys.Close()
	names, err := fsys.List(ctx, prefix+"-*-of-*.jsonl")
	if err != nil {
		return fmt.Errorf("listing %s-*.jsonl: %w", prefix, err)
	}
	rm, canRemove := fsys.(filesystem.Remover)
	for _, name := range names {
		if !isShardName(prefix, name) {
			continue
		}
		if !canRemove {
			return fmt.Errorf("%s exists and this filesystem cannot remove it; use a new --output prefix", name)
		}
		if err := rm.Remove(ctx, name); err != nil {
			return fmt.Errorf("removing the earlier run's %s: %w", name, err)
		}
	}
	return nil
}

func isShardName(prefix, name string) bool {
	return regexp.MustCompile(`^` + regexp.QuoteMeta(prefix) + `-(errors-)?[0-9]{5}-of-[0-9]{5}\.jsonl$`).MatchString(name)
}
