package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
)

const bulkCorpus = "../../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"

// needShared skips when ../shared is absent on a developer machine and
// fails in CI, where it is always beside the checkout.
func needShared(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is missing in CI: %v", path, err)
		}
		t.Skipf("%s not present", path)
	}
}

// bulkDocs returns the first n JSONL lines of e3c-bulk.
func bulkDocs(t *testing.T, n int) []byte {
	t.Helper()
	needShared(t, bulkCorpus)
	f, err := os.Open(bulkCorpus)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	br := bufio.NewReaderSize(f, 1<<20)
	for i := 0; i < n; i++ {
		line, err := br.ReadBytes('\n')
		out.Write(line)
		if err != nil {
			break
		}
	}
	return out.Bytes()
}

var (
	binaryOnce sync.Once
	binaryPath string
	binaryErr  error
)

// clinexBinary builds the command once for the tests that run it as a
// separate process (killing it, piping through it).
func clinexBinary(t *testing.T) string {
	t.Helper()
	binaryOnce.Do(func() {
		dir, err := os.MkdirTemp("", "clinex-bin-")
		if err != nil {
			binaryErr = err
			return
		}
		binaryPath = filepath.Join(dir, "clinex")
		out, err := exec.Command("go", "build", "-o", binaryPath, ".").CombinedOutput()
		if err != nil {
			binaryErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binaryErr != nil {
		t.Fatal(binaryErr)
	}
	return binaryPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaryPath != "" {
		os.RemoveAll(filepath.Dir(binaryPath))
	}
	os.Exit(code)
}

type errorLine struct {
	Doc     string `json:"doc"`
	Source  string `json:"source"`
	Error   string `json:"error"`
	Warning string `json:"warning"`
}

func readErrorLines(t *testing.T, data []byte) []errorLine {
	t.Helper()
	var out []errorLine
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if l == "" {
			continue
		}
		var e errorLine
		if err := json.Unmarshal([]byte(l), &e); err != nil {
			t.Fatalf("error line %q: %v", l, err)
		}
		out = append(out, e)
	}
	return out
}

func utf16Bytes(s string, little bool) []byte {
	out := []byte{0xFE, 0xFF}
	if little {
		out = []byte{0xFF, 0xFE}
	}
	for _, u := range utf16.Encode([]rune(s)) {
		if little {
			out = append(out, byte(u), byte(u>>8))
		} else {
			out = append(out, byte(u>>8), byte(u))
		}
	}
	return out
}

// Every kind of bad input gets one message naming the document on stderr
// and one line in errors.jsonl, the batch goes on, the exit code is 1, and
// the good documents' findings are exactly those of a run on them alone.
func TestEveryBadInputIsNamedAndTheGoodOnesAreAllThere(t *testing.T) {
	good := map[string][]byte{
		"a_good.txt":      []byte("A 40-year-old man with a heart rate of 120 bpm. Hemoglobin was 9.1 g/dL."),
		"g_crlf.txt":      []byte("CASE PRESENTATION\r\nA 62-year-old woman.\r\nHer hemoglobin was 8.2 g/dL and her heart rate 104 bpm.\r\n"),
		"h_bom.txt":       append([]byte{0xEF, 0xBB, 0xBF}, []byte("Hemoglobin was 7.4 g/dL; SpO2 of 91%.")...),
		"i_utf16le.txt":   utf16Bytes("A 55-year-old man. Hemoglobin was 10.3 g/dL, temperature 38.5 °C.", true),
		"j_utf16be.txt":   utf16Bytes("A 71-year-old woman. Her heart rate was 130 bpm.", false),
		"k_reports.jsonl": []byte(`{"id":"ok1","text":"SpO2 of 91%."}` + "\n" + `{"id":"ok2","text":"Hemoglobin was 6.9 g/dL."}` + "\n"),
	}
	bad := map[string][]byte{
		"b_binary.txt": []byte("PK\x03\x04\x00\x00binary"),
		"c_latin1.txt": []byte("A 30-year-old man, temperature 38\xb0C, heart rate 99 bpm."),
		"d_empty.txt":  nil,
		"e_blank.txt":  []byte(" \r\n\n\t "),
		"f_large.txt":  bytes.Repeat([]byte("Hemoglobin was 9.1 g/dL. "), 100_000), // 2.5 MB, over the 1 MB cap below
		"l_bad.jsonl":  []byte("{\"id\":\"fine\",\"text\":\"Heart rate 88 bpm.\"}\nnot json\n{\"id\":\"notext\",\"body\":\"x\"}\n{\"id\":\"huge\",\"text\":\"" + strings.Repeat("a ", 600_000) + "\"}\n"),
		"m_odd16.txt":  {0xFF, 0xFE, 'a', 0, 'b'},
	}
	goodDir, mixed := t.TempDir(), t.TempDir()
	for name, data := range good {
		os.WriteFile(filepath.Join(goodDir, name), data, 0o644)
		os.WriteFile(filepath.Join(mixed, name), data, 0o644)
	}
	for name, data := range bad {
		os.WriteFile(filepath.Join(mixed, name), data, 0o644)
	}
	// The good record of l_bad.jsonl is good too.
	os.WriteFile(filepath.Join(goodDir, "l_bad.jsonl"), []byte("{\"id\":\"fine\",\"text\":\"Heart rate 88 bpm.\"}\n"), 0o644)
	// Unreadable: a symbolic link loop (unreadable even for root), a
	// folder without permissions (only when not root), a missing path.
	os.Symlink("n_loop.txt", filepath.Join(mixed, "n_loop.txt"))
	lockedDir := filepath.Join(mixed, "o_locked")
	os.Mkdir(lockedDir, 0o755)
	os.WriteFile(filepath.Join(lockedDir, "p.txt"), []byte("Heart rate 77 bpm."), 0o644)
	os.Chmod(lockedDir, 0)
	t.Cleanup(func() { os.Chmod(lockedDir, 0o755) })
	asRoot := os.Geteuid() == 0
	missing := filepath.Join(mixed, "missing.txt")

	cfg := filepath.Join(t.TempDir(), "config.yaml")
	os.WriteFile(cfg, []byte("input:\n  max_report_mb: 1\n"), 0o644)

	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", mixed, missing, "--out", out, "--format", "jsonl", "--config", cfg)
	if code != 1 {
		t.Fatalf("exit %d, want 1 (some documents failed); stderr: %s", code, stderr)
	}
	want := map[string]string{
		"b_binary": "looks binary",
		"c_latin1": "not valid UTF-8 (first bad byte at offset 33); use --repair-utf8",
		"d_empty":  "is empty",
		"e_blank":  "is empty",
		"f_large":  "is 2.5 MB, over the 1.0 MB limit for one report (input.max_report_mb)",
		"l_bad:2":  "not a JSON object",
		"notext":   `no string field "text"`,
		"l_bad:4":  "over the 1.0 MB limit",
		"m_odd16":  "odd number of bytes",
		"n_loop":   "too many levels of symbolic links",
		missing:    "no such file or directory",
		"o_locked": "permission denied",
	}
	if asRoot {
		// Root reads every folder: p.txt is then a good document.
		delete(want, "o_locked")
		os.Mkdir(filepath.Join(goodDir, "o_locked"), 0o755)
		os.WriteFile(filepath.Join(goodDir, "o_locked", "p.txt"), []byte("Heart rate 77 bpm."), 0o644)
	}
	goodOut := t.TempDir()
	if code, _, stderr := runCLI(t, "", "extract", goodDir, "--out", goodOut, "--format", "jsonl", "--config", cfg); code != 0 {
		t.Fatalf("good documents alone: exit %d: %s", code, stderr)
	}
	errLog, err := os.ReadFile(filepath.Join(out, "errors.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := readErrorLines(t, errLog)
	got := map[string]bool{}
	for _, e := range lines {
		doc := e.Doc
		if doc == lockedDir {
			doc = "o_locked"
		}
		w, ok := want[doc]
		if !ok {
			t.Errorf("unexpected errors.jsonl line %+v", e)
			continue
		}
		got[doc] = true
		if !strings.Contains(e.Error, w) {
			t.Errorf("%s: error %q, want it to say %q", doc, e.Error, w)
		}
		if !strings.Contains(e.Error, e.Source) {
			t.Errorf("%s: error %q does not name the file %s", doc, e.Error, e.Source)
		}
		if n := strings.Count(stderr, "clinex: "+e.Doc+": "); n != 1 {
			t.Errorf("stderr names %s %d times, want once:\n%s", e.Doc, n, stderr)
		}
	}
	for doc := range want {
		if !got[doc] {
			t.Errorf("no errors.jsonl line for %s:\n%s", doc, errLog)
		}
	}
	if !strings.Contains(stderr, fmt.Sprintf("%d of ", len(want))) {
		t.Errorf("the last message does not count %d failed documents: %s", len(want), stderr)
	}

	// The good documents' findings, all of them, as in a run on them alone.
	goodLines := findingsOf(t, filepath.Join(goodOut, "findings.jsonl"), nil)
	mixedLines := findingsOf(t, filepath.Join(out, "findings.jsonl"), func(doc string) bool { return want[doc] == "" })
	if len(goodLines) < 12 {
		t.Fatalf("only %d findings from the good documents", len(goodLines))
	}
	if strings.Join(goodLines, "\n") != strings.Join(mixedLines, "\n") {
		t.Errorf("the good documents' findings differ with bad ones beside them:\nalone: %s\nmixed: %s", strings.Join(goodLines, "\n"), strings.Join(mixedLines, "\n"))
	}
	// Decoded files: offsets count code points of the decoded text.
	texts := map[string]string{
		"g_crlf":    string(good["g_crlf.txt"]),
		"h_bom":     string(good["h_bom.txt"][3:]),
		"i_utf16le": "A 55-year-old man. Hemoglobin was 10.3 g/dL, temperature 38.5 °C.",
		"j_utf16be": "A 71-year-old woman. Her heart rate was 130 bpm.",
	}
	seen := map[string]int{}
	for _, f := range readFindings(t, filepath.Join(out, "findings.jsonl")) {
		text, ok := texts[f.Doc]
		if !ok {
			continue
		}
		seen[f.Doc]++
		if got := inCodePoints(text, f.Start, f.End); got != f.Text {
			t.Errorf("%s: %s text %q but decoded[%d:%d] is %q", f.Doc, f.Concept, f.Text, f.Start, f.End, got)
		}
	}
	for doc := range texts {
		if seen[doc] < 2 {
			t.Errorf("%s: %d findings, want at least 2", doc, seen[doc])
		}
	}
	// CRLF gives the same findings as LF, only shifted by the \r before them.
	lf := t.TempDir()
	os.WriteFile(filepath.Join(lf, "g_crlf.txt"), bytes.ReplaceAll(good["g_crlf.txt"], []byte("\r\n"), []byte("\n")), 0o644)
	lfOut := t.TempDir()
	runCLI(t, "", "extract", lf, "--out", lfOut, "--format", "jsonl", "--config", cfg)
	var crlfConcepts, lfConcepts []string
	for _, f := range readFindings(t, filepath.Join(out, "findings.jsonl")) {
		if f.Doc == "g_crlf" {
			crlfConcepts = append(crlfConcepts, fmt.Sprint(f.Concept, f.Value, f.Unit, f.Text))
		}
	}
	for _, f := range readFindings(t, filepath.Join(lfOut, "findings.jsonl")) {
		lfConcepts = append(lfConcepts, fmt.Sprint(f.Concept, f.Value, f.Unit, f.Text))
	}
	if strings.Join(crlfConcepts, "|") != strings.Join(lfConcepts, "|") {
		t.Errorf("CRLF findings %v differ from LF %v", crlfConcepts, lfConcepts)
	}
}

// findingsOf returns findings.jsonl's lines, only those of the documents
// keep accepts when keep is not nil.
func findingsOf(t *testing.T, path string, keep func(doc string) bool) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var f struct {
			Doc string `json:"doc"`
		}
		json.Unmarshal([]byte(l), &f)
		if keep == nil || keep(f.Doc) {
			out = append(out, l)
		}
	}
	return out
}

// --repair-utf8 keeps the document: each bad byte becomes one U+FFFD, the
// findings are flagged and their offsets count the repaired text, the
// document is listed in errors.jsonl as a warning, and the exit code is 0.
func TestRepairUTF8KeepsTheDocumentAndFlagsIt(t *testing.T) {
	dir := t.TempDir()
	raw := []byte("A 30-year-old man, temperature 38\xb0C, heart rate 99 bpm.")
	os.WriteFile(filepath.Join(dir, "latin1.txt"), raw, 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--format", "jsonl", "--repair-utf8", "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d, want 0: %s", code, stderr)
	}
	repaired := strings.ReplaceAll(string(raw), "\xb0", "\uFFFD")
	fs := readFindings(t, filepath.Join(out, "findings.jsonl"))
	var hr bool
	for _, f := range fs {
		if got := inCodePoints(repaired, f.Start, f.End); got != f.Text {
			t.Errorf("%s: text %q but repaired[%d:%d] is %q", f.Concept, f.Text, f.Start, f.End, got)
		}
		if !strings.Contains(strings.Join(f.Flags, ","), "repaired_utf8") {
			t.Errorf("%s: flags %v lack repaired_utf8", f.Concept, f.Flags)
		}
		hr = hr || f.Concept == "heart_rate"
	}
	if !hr {
		t.Errorf("no heart rate after the repaired byte: %+v", fs)
	}
	b, _ := os.ReadFile(filepath.Join(out, "errors.jsonl"))
	lines := readErrorLines(t, b)
	if len(lines) != 1 || lines[0].Doc != "latin1" || lines[0].Error != "" || !strings.Contains(lines[0].Warning, "U+FFFD") {
		t.Errorf("errors.jsonl = %s, want one warning line for latin1", b)
	}
	if !strings.Contains(stderr, "clinex: latin1: warning: invalid UTF-8 replaced") {
		t.Errorf("stderr does not warn about latin1: %s", stderr)
	}
}

// --strict stops at the first failed document: exit 1, its name in the
// message, and no final file written.
func TestStrictStopsAtTheFirstFailure(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Heart rate 99 bpm."), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "c.txt"), []byte("Heart rate 98 bpm."), 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--strict", "--config", "../../config.yaml")
	if code != 1 || !strings.Contains(stderr, "b failed and --strict stops at the first failure") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	for _, f := range []string{"findings.jsonl", "findings.xlsx", "errors.jsonl"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s written by a run that stopped", f)
		}
	}
}

// Stream mode: JSONL in on stdin, findings out on stdout as JSONL and
// nothing else, every input accounted for (its findings on stdout, or a
// JSON error line on stderr), in input order.
func TestStreamModePipesEveryDocumentThrough(t *testing.T) {
	bin := clinexBinary(t)
	input := bulkDocs(t, 300)
	// Two failures in the stream: a line that is not JSON, a record without text.
	input = append(input, []byte("this is not json\n{\"id\":\"no-text\"}\n{\"id\":\"last\",\"text\":\"Her heart rate was 140 bpm.\"}\n")...)
	var ids []string
	for _, l := range bytes.Split(bytes.TrimSpace(input), []byte("\n")) {
		var rec struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(l, &rec) == nil {
			ids = append(ids, rec.ID)
		}
	}
	cmd := exec.Command(bin, "extract", "--stdin-jsonl", "--workers", "2", "--config", "../../config.yaml")
	cmd.Stdin = bytes.NewReader(input)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want 1 (two documents failed); stderr %s", err, stderr.String())
	}
	order := []string{}
	withFindings := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var f struct {
			Doc   string `json:"doc"`
			Start *int   `json:"start"`
		}
		if err := json.Unmarshal([]byte(l), &f); err != nil || f.Doc == "" || f.Start == nil {
			t.Fatalf("stdout holds a line that is not a finding: %q", l)
		}
		if !withFindings[f.Doc] {
			order = append(order, f.Doc)
		}
		withFindings[f.Doc] = true
	}
	failed := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(stderr.String()), "\n") {
		if strings.HasPrefix(l, "{") {
			var e errorLine
			if err := json.Unmarshal([]byte(l), &e); err != nil {
				t.Fatalf("stderr error line %q: %v", l, err)
			}
			failed[e.Doc] = e.Error
		}
	}
	if !strings.Contains(failed["stdin:301"], "not a JSON object") || !strings.Contains(failed["no-text"], `no string field "text"`) {
		t.Errorf("failed documents on stderr: %v", failed)
	}
	// Every id comes back; a document without findings is the only one
	// allowed to be absent from stdout, and e3c reports all have some.
	var missing []string
	for _, id := range ids {
		if !withFindings[id] && failed[id] == "" {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d input ids came back neither as findings nor as errors: %v", len(missing), len(ids), missing)
	}
	// In input order.
	pos := map[string]int{}
	for i, id := range ids {
		pos[id] = i
	}
	for i := 1; i < len(order); i++ {
		if pos[order[i]] < pos[order[i-1]] {
			t.Fatalf("findings of %s come after those of %s, against input order", order[i-1], order[i])
		}
	}
	if !withFindings["last"] {
		t.Errorf("the record after the failures was not processed")
	}
}

// The output is byte-identical whatever the worker count.
func TestSameOutputWithOneAndEightWorkers(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bulk.jsonl"), bulkDocs(t, 400), 0o644)
	os.WriteFile(filepath.Join(dir, "zz_bad.jsonl"), []byte("nope\n"), 0o644)
	var outs [][]byte
	for _, w := range []string{"1", "8"} {
		out := t.TempDir()
		code, _, stderr := runCLI(t, "", "extract", dir, seedDir, "--out", out, "--format", "jsonl", "--workers", w, "--config", "../../config.yaml")
		if code != 1 {
			t.Fatalf("workers %s: exit %d: %s", w, code, stderr)
		}
		var both []byte
		for _, f := range []string{"findings.jsonl", "errors.jsonl"} {
			b, err := os.ReadFile(filepath.Join(out, f))
			if err != nil {
				t.Fatal(err)
			}
			both = append(append(both, b...), 0)
		}
		outs = append(outs, both)
	}
	if !bytes.Equal(outs[0], outs[1]) {
		t.Errorf("findings.jsonl or errors.jsonl differ between 1 and 8 workers")
	}
	if n := bytes.Count(outs[0], []byte("\n")); n < 2000 {
		t.Errorf("only %d lines of output on 400 reports", n)
	}
}

// A run killed mid-way (SIGKILL: no chance to clean up) and resumed gives
// byte for byte the files of an uninterrupted run, and leaves no journal.
func TestKilledRunResumesToTheSameOutput(t *testing.T) {
	bin := clinexBinary(t)
	dir := t.TempDir()
	const docs = 1 << 30 // all of e3c-bulk, so the run lasts long enough to be killed
	os.WriteFile(filepath.Join(dir, "bulk.jsonl"), bulkDocs(t, docs), 0o644)
	os.WriteFile(filepath.Join(dir, "broken.jsonl"), []byte("{\"id\":\"x\"}\nnot json\n"), 0o644)
	cfg := "../../config.yaml"

	full := t.TempDir()
	if err := exec.Command(bin, "extract", dir, "--out", full, "--format", "jsonl", "--quiet", "--config", cfg).Run(); err == nil {
		t.Fatal("the uninterrupted run should exit 1 (two documents fail)")
	}

	out := t.TempDir()
	cmd := exec.Command(bin, "extract", dir, "--out", out, "--format", "jsonl", "--quiet", "--workers", "2", "--config", cfg)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	records := filepath.Join(out, journalDir, journalRecords)
	for {
		if st, err := os.Stat(records); err == nil && st.Size() > 50_000 {
			break
		}
		select {
		case <-exited:
			t.Fatal("the run ended before it could be killed")
		case <-time.After(10 * time.Millisecond):
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exited
	kept, _, _, err := completeRecords(filepath.Join(out, journalDir))
	if err != nil {
		t.Fatal(err)
	}
	if kept == 0 {
		t.Fatal("killed with an empty journal")
	}
	t.Logf("killed after %d documents were journaled", kept)
	if _, err := os.Stat(filepath.Join(out, "findings.jsonl")); err == nil {
		t.Fatal("a killed run left a findings.jsonl")
	}

	var stderr bytes.Buffer
	res := exec.Command(bin, "extract", dir, "--out", out, "--format", "jsonl", "--resume", "--config", cfg)
	res.Stderr = &stderr
	if err := res.Run(); err == nil {
		t.Fatal("the resumed run should exit 1 (two documents fail)")
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("resuming: %d documents already done", kept)) ||
		!strings.Contains(stderr.String(), fmt.Sprintf("%d from the journal", kept)) {
		t.Errorf("the resumed run does not say it reused %d documents: %s", kept, stderr.String())
	}
	for _, f := range []string{"findings.jsonl", "errors.jsonl"} {
		a, _ := os.ReadFile(filepath.Join(full, f))
		b, _ := os.ReadFile(filepath.Join(out, f))
		if len(a) == 0 || !bytes.Equal(a, b) {
			t.Errorf("%s after kill and resume differs from the uninterrupted run (%d vs %d bytes)", f, len(b), len(a))
		}
	}
	ents, _ := os.ReadDir(out)
	for _, e := range ents {
		if e.Name() != "findings.jsonl" && e.Name() != "errors.jsonl" {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

// Resume refuses when the patterns (or config) differ, with exit 2, and
// when there is nothing to resume.
func TestResumeRefusesAnotherConfiguration(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("Heart rate 99 bpm."), 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--resume", "--config", "../../config.yaml")
	if code != 1 || !strings.Contains(stderr, "holds no journal") {
		t.Errorf("resume without a journal: exit %d, %s", code, stderr)
	}
	// A journal left by an interrupted run with the default patterns...
	m := manifest{Version: "x", Fingerprint: strings.Repeat("0", 64), Inputs: []string{dir}}
	jr, err := openJournal(out, m, false)
	if err != nil {
		t.Fatal(err)
	}
	jr.keep()
	code, _, stderr = runCLI(t, "", "extract", dir, "--out", out, "--resume", "--config", "../../config.yaml")
	if code != 2 || !strings.Contains(stderr, "cannot resume: the configuration, patterns") {
		t.Errorf("resume with other patterns: exit %d, %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, journalDir)); err != nil {
		t.Errorf("a refused resume removed the journal: %v", err)
	}
}

// A document whose text changed between the interrupted run and the resume
// is extracted again, not taken from the journal, and so is every document
// after it (the journal's lines become findings.jsonl in input order); the
// files are then those of a fresh run on the inputs as they are now.
func TestResumeExtractsAChangedDocumentAgain(t *testing.T) {
	cfg := "../../config.yaml"
	for _, tc := range []struct {
		name, changed, text, says string
		reused                    int
		newFinding                string
	}{
		{"last", "z.txt", "A 50-year-old woman.", "clinex: z changed since the interrupted run: extracting it again\n", 3, `"concept":"sex"`},
		{"middle", "b.txt", "Hemoglobin was 7.2 g/dL.", "clinex: b changed since the interrupted run: extracting it again, and the 2 journaled documents after it\n", 1, `"value":7.2`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			write := func(name, text string) { os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644) }
			write("a.txt", "Her heart rate was 120 bpm.")
			write("b.txt", "Hemoglobin was 9.1 g/dL.")
			write("c.txt", "SpO2 of 91%.")
			write("z.txt", "")
			out := t.TempDir()
			// --strict stops at z.txt and keeps the journal of a, b, c (and z's error).
			if code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--format", "jsonl,csv", "--strict", "--config", cfg); code != 1 {
				t.Fatalf("strict run: exit %d: %s", code, stderr)
			}
			if kept, _, _, _ := completeRecords(filepath.Join(out, journalDir)); kept != 4 {
				t.Fatalf("journal holds %d documents, want 4", kept)
			}
			write(tc.changed, tc.text)
			if tc.changed != "z.txt" {
				write("z.txt", "A 50-year-old woman.")
			}
			code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--format", "jsonl,csv", "--resume", "--config", cfg)
			if code != 0 {
				t.Fatalf("resume: exit %d: %s", code, stderr)
			}
			if !strings.Contains(stderr, tc.says) || strings.Count(stderr, "changed since") != 1 {
				t.Errorf("stderr should say once: %q\n%s", tc.says, stderr)
			}
			if !strings.Contains(stderr, fmt.Sprintf("%d from the journal", tc.reused)) {
				t.Errorf("%d documents should come from the journal: %s", tc.reused, stderr)
			}
			fresh := t.TempDir()
			runCLI(t, "", "extract", dir, "--out", fresh, "--format", "jsonl,csv", "--config", cfg)
			for _, f := range []string{"findings.jsonl", "findings.csv", "cases.csv", "errors.jsonl"} {
				a, _ := os.ReadFile(filepath.Join(fresh, f))
				b, _ := os.ReadFile(filepath.Join(out, f))
				if !bytes.Equal(a, b) {
					t.Errorf("resumed %s differs from a fresh run:\nfresh:   %s\nresumed: %s", f, a, b)
				}
			}
			b, _ := os.ReadFile(filepath.Join(out, "findings.jsonl"))
			for _, want := range []string{`"value":120`, `"value":91`, tc.newFinding} {
				if !bytes.Contains(b, []byte(want)) {
					t.Errorf("%s is missing from the resumed findings: %s", want, b)
				}
			}
			if _, err := os.Stat(filepath.Join(out, journalDir)); !os.IsNotExist(err) {
				t.Errorf("the journal is left after a run that ended well: %v", err)
			}
		})
	}
}

// A 200 MB report is refused from its size, under the default cap, without
// being read (the file is sparse: the test costs no disk and no time), and
// the report beside it is still done.
func TestA200MBReportIsRefusedWithoutBeingRead(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "huge.txt"), nil, 0o644)
	if err := os.Truncate(filepath.Join(dir, "huge.txt"), 200_000_000); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "small.txt"), []byte("Heart rate 90 bpm."), 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--format", "jsonl", "--config", "../../config.yaml")
	if code != 1 || !strings.Contains(stderr, "clinex: huge: "+filepath.Join(dir, "huge.txt")+" is 200.0 MB, over the 64.0 MB limit for one report") {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	if fs := readFindings(t, filepath.Join(out, "findings.jsonl")); len(fs) == 0 || fs[0].Doc != "small" {
		t.Errorf("the small report's findings are missing: %+v", fs)
	}
}
