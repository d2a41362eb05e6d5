package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// The tests run pipelines on prism in this process (loopback workers), as
// `clinex-beam --runner prism` does.
func TestMain(m *testing.M) {
	flag.Parse()
	// Beam's loopback worker leaves a beamloopbackworker-* file in TMPDIR
	// per pipeline; give the whole test binary a folder it removes.
	tmp, err := os.MkdirTemp("", "clinex-beam-test-")
	if err != nil {
		panic(err)
	}
	os.Setenv("TMPDIR", tmp)
	beam.Init()
	code := m.Run()
	os.RemoveAll(tmp)
	os.Exit(code)
}

const (
	repoConfig = "../../config.yaml"
	bulkCorpus = "../../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"
)

// needShared skips a test when ../shared is absent on a developer machine,
// and fails it in CI, where the corpus is always beside the checkout (as the
// root package's helper).
func needShared(tb testing.TB, path string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is missing in CI: %v", path, err)
		}
		tb.Skipf("%s not present", path)
	}
}

func readLines(t *testing.T, files ...string) []string {
	t.Helper()
	var lines []string
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(fh)
		sc.Buffer(make([]byte, 1<<20), 1<<26)
		for sc.Scan() {
			lines = append(lines, sc.Text())
		}
		fh.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return lines
}

func shardFiles(t *testing.T, prefix, kind string, shards int) []string {
	t.Helper()
	var files []string
	for i := range shards {
		files = append(files, shardName(prefix, kind, i, shards))
	}
	return files
}

// cliRun is what `clinex extract PATHS --format jsonl` writes, through the
// same reader, worker pool and JSONL and errors writers.
func cliRun(t *testing.T, settings *Settings, paths []string, dir string) (findings, errs []string) {
	t.Helper()
	eng, err := engineFor(settings)
	if err != nil {
		t.Fatal(err)
	}
	jw, err := output.NewJSONL(filepath.Join(dir, "findings.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	ew, err := output.NewErrors(filepath.Join(dir, "errors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	so := extract.SourceOptions{IDField: eng.Config.Input.IDField, TextField: eng.Config.Input.TextField}
	read := func(emit func(extract.Input) error) error { return extract.ReadInputs(paths, so, emit) }
	err = eng.Extractor.Run(context.Background(), 2, read, func(r *extract.Result) error {
		if err := jw.Write(r); err != nil {
			return err
		}
		return ew.Write(r)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := jw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ew.Close(); err != nil {
		t.Fatal(err)
	}
	return readLines(t, jw.Path()), readLines(t, ew.Path())
}

func beamOptions(t *testing.T, settings *Settings, out string, shards int, inputs ...string) Options {
	t.Helper()
	eng, err := engineFor(settings)
	if err != nil {
		t.Fatal(err)
	}
	return Options{Inputs: inputs, Output: out, Shards: shards, Settings: settings,
		IDField: eng.Config.Input.IDField, TextField: eng.Config.Input.TextField}
}

// TestEquivalenceBulk: on 2,000 documents of e3c-bulk, as one JSONL file
// and as .txt files, with one id read twice, the pipeline on prism writes
// exactly the findings `clinex extract` writes, order aside.
func TestEquivalenceBulk(t *testing.T) {
	needShared(t, bulkCorpus)
	const nJSONL, nTXT = 1700, 300
	records := readLines(t, bulkCorpus)
	if len(records) < nJSONL+nTXT {
		t.Fatalf("%s has %d records, want at least %d", bulkCorpus, len(records), nJSONL+nTXT)
	}
	in := t.TempDir()
	jsonlPath := filepath.Join(in, "bulk.jsonl")
	if err := os.WriteFile(jsonlPath, []byte(strings.Join(records[:nJSONL], "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	txtDir := filepath.Join(in, "txt")
	if err := os.Mkdir(txtDir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The txt reports follow the JSONL ones; the first JSONL report is
	// repeated as a .txt, so both readers must call it <id>#2.
	var firstID string
	for i, line := range append(records[nJSONL:nJSONL+nTXT], records[0]) {
		var rec struct{ ID, Text string }
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		if i == nTXT {
			firstID = rec.ID
		}
		if err := os.WriteFile(filepath.Join(txtDir, rec.ID+".txt"), []byte(rec.Text), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	settings, _, err := LoadSettings(repoConfig, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, wantErrs := cliRun(t, settings, []string{jsonlPath, txtDir}, t.TempDir())
	if len(want) < 10*(nJSONL+nTXT) {
		t.Fatalf("the CLI found only %d findings in %d documents: the comparison would prove little", len(want), nJSONL+nTXT)
	}
	if !slices.ContainsFunc(want, func(l string) bool { return strings.Contains(l, `"doc":"`+firstID+`#2"`) }) {
		t.Fatalf("the CLI wrote no finding for the repeated document %s#2", firstID)
	}

	const shards = 3
	prefix := filepath.Join(t.TempDir(), "out", "findings")
	counts, err := Run(context.Background(), "prism", beamOptions(t, settings, prefix, shards, jsonlPath, filepath.Join(txtDir, "*.txt")))
	if err != nil {
		t.Fatal(err)
	}
	got := readLines(t, shardFiles(t, prefix, "", shards)...)
	gotErrs := readLines(t, shardName(prefix, "errors", 0, 1))

	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		reportDiff(t, got, want)
	}
	if len(gotErrs) != len(wantErrs) || len(gotErrs) != 0 {
		t.Errorf("dead letters: beam %d, CLI %d, want none: %v", len(gotErrs), len(wantErrs), gotErrs)
	}
	if n := counts[cDocsRead]; n != nJSONL+nTXT+1 {
		t.Errorf("counter %s = %d, want %d", cDocsRead, n, nJSONL+nTXT+1)
	}
	var perCategory int64
	for name, n := range counts {
		if strings.HasPrefix(name, cFindingsPrefix) {
			perCategory += n
		}
	}
	if perCategory != int64(len(want)) {
		t.Errorf("findings counters add up to %d, want %d", perCategory, len(want))
	}
}

func reportDiff(t *testing.T, got, want []string) {
	t.Helper()
	seen := map[string]int{}
	for _, l := range want {
		seen[l]++
	}
	var extra []string
	for _, l := range got {
		if seen[l] > 0 {
			seen[l]--
		} else {
			extra = append(extra, l)
		}
	}
	var missing []string
	for l, n := range seen {
		for range n {
			missing = append(missing, l)
		}
	}
	show := func(ls []string) []string { return ls[:min(3, len(ls))] }
	t.Fatalf("beam wrote %d findings, the CLI %d; %d only in beam, e.g. %q; %d only in the CLI, e.g. %q",
		len(got), len(want), len(extra), show(extra), len(missing), show(missing))
}

// TestDeadLetters: reports the reader refuses and one whose extraction
// panics each end in the errors file with their id and error; the others'
// findings are written and the pipeline completes.
func TestDeadLetters(t *testing.T) {
	seed, err := os.ReadFile("../../seeds/000_cd61988989b26957.txt")
	if err != nil {
		t.Fatal(err)
	}
	in := t.TempDir()
	files := map[string][]byte{
		"good.txt":   seed,
		"boom.txt":   seed,
		"binary.txt": {'a', 0, 'b'},
		"latin1.txt": []byte("fi\xe8vre 39 \xb0C"),
		"records.jsonl": []byte(`{"id": "r1", "text": "Heart rate 88 bpm."}` + "\n" + `{"id": "r2", "text": ` + "\n" +
			`{"id": "r3", "body": "no text field"}` + "\n"),
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(in, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	panicHook = func(id string) {
		if id == "boom" {
			panic("injected failure")
		}
	}
	t.Cleanup(func() { panicHook = nil })
	settings, _, err := LoadSettings(repoConfig, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	prefix := filepath.Join(t.TempDir(), "run")
	counts, err := Run(context.Background(), "prism", beamOptions(t, settings, prefix, 2, filepath.Join(in, "*")))
	if err != nil {
		t.Fatalf("the pipeline must complete with dead letters, got %v", err)
	}
	var dead []output.ErrorRecord
	for _, l := range readLines(t, shardName(prefix, "errors", 0, 1)) {
		var rec output.ErrorRecord
		if err := json.Unmarshal([]byte(l), &rec); err != nil {
			t.Fatalf("dead letter %q: %v", l, err)
		}
		dead = append(dead, rec)
	}
	wantErr := map[string]string{
		"binary":    "looks binary",
		"latin1":    "not valid UTF-8 (first bad byte at offset 2)",
		"boom":      "internal error while extracting (please report it): injected failure",
		"records:2": "not a JSON object",
		"r3":        `no string field "text"`,
	}
	if len(dead) != len(wantErr) {
		t.Errorf("%d dead letters, want %d: %+v", len(dead), len(wantErr), dead)
	}
	for _, rec := range dead {
		want, ok := wantErr[rec.Doc]
		if !ok {
			t.Errorf("unexpected dead letter %+v", rec)
			continue
		}
		if !strings.Contains(rec.Error, want) {
			t.Errorf("dead letter for %s: error %q, want it to contain %q", rec.Doc, rec.Error, want)
		}
		if rec.Source == "" {
			t.Errorf("dead letter for %s names no source", rec.Doc)
		}
	}
	docs := map[string]int{}
	for _, l := range readLines(t, shardFiles(t, prefix, "", 2)...) {
		var f extract.Finding
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatal(err)
		}
		docs[f.Doc]++
	}
	if docs["good"] == 0 || docs["r1"] == 0 || len(docs) != 2 {
		t.Errorf("findings per document %v, want some for good and r1 only", docs)
	}
	if counts[cDocsFailed] != int64(len(wantErr)) || counts[cDocsRead] != 7 {
		t.Errorf("counters %v: want %s = %d and %s = 7", counts, cDocsFailed, len(wantErr), cDocsRead)
	}

	// A second run writes the same bytes: shards are sorted, not in the
	// order the runner happened to process documents.
	again := filepath.Join(t.TempDir(), "run")
	if _, err := Run(context.Background(), "prism", beamOptions(t, settings, again, 2, filepath.Join(in, "*"))); err != nil {
		t.Fatal(err)
	}
	for _, pair := range [][2]string{
		{shardName(prefix, "", 0, 2), shardName(again, "", 0, 2)},
		{shardName(prefix, "", 1, 2), shardName(again, "", 1, 2)},
		{shardName(prefix, "errors", 0, 1), shardName(again, "errors", 0, 1)},
	} {
		a, errA := os.ReadFile(pair[0])
		b, errB := os.ReadFile(pair[1])
		if errA != nil || errB != nil {
			t.Fatal(errA, errB)
		}
		// The panic's stack trace names goroutines and addresses; the rest
		// of the record must not change.
		if !bytes.Equal(stripStacks(a), stripStacks(b)) {
			t.Errorf("%s and %s differ", pair[0], pair[1])
		}
	}
}

var stackTrace = regexp.MustCompile(`injected failure\\n[^"]*`)

func stripStacks(b []byte) []byte { return stackTrace.ReplaceAll(b, []byte("injected failure")) }

func TestCheckMatches(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.txt"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := checkMatches(context.Background(), filepath.Join(dir, "*.txt")); err != nil {
		t.Errorf("a matching pattern: %v", err)
	}
	err := checkMatches(context.Background(), filepath.Join(dir, "*.jsonl"))
	if err == nil || !strings.Contains(err.Error(), "matches no file") {
		t.Errorf("a pattern matching nothing: %v", err)
	}
}

// TestSettingsTravel: the engine a worker builds from the shipped settings
// has the launcher's patterns, overlays included.
func TestSettingsTravel(t *testing.T) {
	overlay := "../../docs/tutorial/overlay"
	settings, launcher, err := LoadSettings(repoConfig, []string{overlay}, []string{"CLINEX_EXTRACT_MAX_GAP=7", "HOME=/x"})
	if err != nil {
		t.Fatal(err)
	}
	if len(settings.Overlays) != 1 || len(settings.Overlays[0].Files) == 0 {
		t.Fatalf("overlay %s not shipped: %+v", overlay, settings.Overlays)
	}
	if !slices.Equal(settings.Env, []string{"CLINEX_EXTRACT_MAX_GAP=7"}) {
		t.Errorf("shipped environment %v, want only the CLINEX_ variable", settings.Env)
	}
	worker, err := settings.build()
	if err != nil {
		t.Fatal(err)
	}
	// The pattern digest names the folders, which differ; what counts is
	// that the overlay's analyte is found by both.
	const text = "Galectin-3 was 25 ng/mL. Hemoglobin 9.1 g/dL."
	encode := func(eng *clinex.Engine) string {
		var b strings.Builder
		for _, f := range eng.Extractor.Extract("t", text).Findings {
			if err := output.NewEncoder(&b).Encode(&f); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	if got, want := encode(worker), encode(launcher); got != want || !strings.Contains(want, `"concept":"galectin_3"`) {
		t.Errorf("worker findings\n%s\nlauncher findings\n%s\nwant equal, with galectin_3", got, want)
	}
	if worker.Config.Extract.MaxGap != 7 || launcher.Config.Extract.MaxGap != 7 {
		t.Errorf("extract.max_gap: worker %d, launcher %d, want 7 from the environment", worker.Config.Extract.MaxGap, launcher.Config.Extract.MaxGap)
	}
	base, _, err := LoadSettings(repoConfig, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if base.digest() == settings.digest() {
		t.Error("settings with and without an overlay share one cached engine")
	}
}

// TestRemoveOldShards removes the files of an earlier run with the prefix
// and nothing else.
func TestRemoveOldShards(t *testing.T) {
	dir := t.TempDir()
	prefix := filepath.Join(dir, "findings")
	old := []string{shardName(prefix, "", 0, 8), shardName(prefix, "", 7, 8), shardName(prefix, "errors", 0, 1)}
	keep := []string{prefix + "-notes-of-me.jsonl", filepath.Join(dir, "other-00000-of-00001.jsonl"), prefix + "-00000-of-00001.jsonl.bak"}
	for _, f := range append(slices.Clone(old), keep...) {
		if err := os.WriteFile(f, []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := removeOldShards(context.Background(), prefix); err != nil {
		t.Fatal(err)
	}
	for _, f := range old {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("%s was left", f)
		}
	}
	for _, f := range keep {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was removed: %v", f, err)
		}
	}
}
