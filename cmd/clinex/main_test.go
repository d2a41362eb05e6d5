package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const seedDir = "../../seeds"

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

type finding struct {
	Doc        string   `json:"doc"`
	Case       int      `json:"case"`
	Category   string   `json:"category"`
	Concept    string   `json:"concept"`
	Value      any      `json:"value"`
	Unit       string   `json:"unit"`
	Text       string   `json:"text"`
	Start      int      `json:"start"`
	End        int      `json:"end"`
	ValueStart int      `json:"value_start"`
	ValueEnd   int      `json:"value_end"`
	Flags      []string `json:"flags"`
}

func readFindings(t *testing.T, path string) []finding {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []finding
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var x finding
		if err := json.Unmarshal(sc.Bytes(), &x); err != nil {
			t.Fatalf("%s: bad line %q: %v", path, sc.Text(), err)
		}
		out = append(out, x)
	}
	return out
}

// inCodePoints slices text by code points, as Python's text[start:end] does.
func inCodePoints(text string, start, end int) string {
	r := []rune(text)
	if start < 0 || end > len(r) || start > end {
		return "<out of range>"
	}
	return string(r[start:end])
}

func TestExtractSeedWritesJSONLAndWorkbook(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", seedDir, "--out", out, "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	seed, err := os.ReadFile(filepath.Join(seedDir, "000_cd61988989b26957.txt"))
	if err != nil {
		t.Fatal(err)
	}
	fs := readFindings(t, filepath.Join(out, "findings.jsonl"))
	if len(fs) < 15 {
		t.Fatalf("only %d findings on the seed", len(fs))
	}
	for _, f := range fs {
		if got := inCodePoints(string(seed), f.Start, f.End); got != f.Text {
			t.Errorf("%s: text %q but original[%d:%d] is %q", f.Concept, f.Text, f.Start, f.End, got)
		}
		if f.ValueStart < f.Start || f.ValueEnd > f.End {
			t.Errorf("%s: value span [%d,%d) outside evidence [%d,%d)", f.Concept, f.ValueStart, f.ValueEnd, f.Start, f.End)
		}
	}
	book, err := excelize.OpenFile(filepath.Join(out, "findings.xlsx"))
	if err != nil {
		t.Fatalf("workbook does not open: %v", err)
	}
	defer book.Close()
	rows, err := book.GetRows("Findings")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(fs)+1 {
		t.Errorf("Findings sheet has %d rows, want %d findings + header", len(rows), len(fs))
	}
	cases, err := book.GetRows("Cases")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 3 {
		t.Fatalf("Cases sheet has %d rows, want header + 2 cases", len(cases))
	}
	// numbers are stored as numbers
	col := -1
	for i, h := range cases[0] {
		if strings.HasPrefix(h, "Hemoglobin") {
			col = i
		}
	}
	if col < 0 {
		t.Fatalf("no hemoglobin column in %v", cases[0])
	}
	cell, _ := excelize.CoordinatesToCellName(col+1, 3)
	typ, err := book.GetCellType("Cases", cell)
	if err != nil {
		t.Fatal(err)
	}
	if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("hemoglobin cell %s has type %v, want a number", cell, typ)
	}
	if v, _ := book.GetCellValue("Cases", cell); v != "7.5" {
		t.Errorf("case 2 hemoglobin = %q, want 7.5", v)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "errors.jsonl")); len(b) != 0 {
		t.Errorf("errors.jsonl not empty: %s", b)
	}
}

func TestBadPatternFileExits2WithEveryProblem(t *testing.T) {
	dir := t.TempDir()
	bad := `rules:
  - id: lab.bad_regex
    category: lab
    concept: bad_regex
    keywords: [ferritin]
    pattern: 'ferritin (?P<value>\d+'
    examples:
      match: [{text: "ferritin 300", value: 300}]
  - category: lab
    concept: no_id
    keywords: [foo]
    pattern: 'foo (?P<value>\d+)'
    examples:
      match: [{text: "foo 1", value: 1}]
  - id: lab.unknown_key
    category: lab
    concept: unknown_key
    keywords: [bar]
    pattern: 'bar (?P<value>\d+)'
    colour: red
    examples:
      match: [{text: "bar 2", value: 2}]
  - id: lab.failing_example
    category: lab
    concept: failing_example
    keywords: [ferritin]
    pattern: '(?i)ferritin (?:of )?(?P<value>\d+)\s*ng/mL'
    unit: ng/mL
    examples:
      match:
        - {text: "serum ferritin of 300 ng/mL", value: 300, unit: ng/mL}
        - {text: "ferritin was 300", value: 300}
`
	if err := os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", seedDir, "--out", out, "--patterns", dir, "--config", "../../config.yaml")
	if code != 2 {
		t.Fatalf("exit %d, want 2; stderr: %s", code, stderr)
	}
	file := filepath.Join(dir, "bad.yaml")
	for _, want := range []string{
		file + ":6: lab.bad_regex: pattern does not compile",
		file + ":9: -: rule has no id",
		file + ":20: lab.unknown_key: unknown key \"colour\"",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if !strings.Contains(stderr, file+":32: lab.failing_example: match example 2 \"ferritin was 300\"") {
		t.Errorf("the failing example is not reported with the load problems:\n%s", stderr)
	}
	if n := strings.Count(stderr, file+":"); n != 4 {
		t.Errorf("%d problems listed, want 4:\n%s", n, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "findings.jsonl")); err == nil {
		t.Errorf("a run stopped by bad patterns wrote findings.jsonl")
	}
}

func TestConfigUnknownKeyAndBadValueNameTheKey(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	os.WriteFile(cfg, []byte("extract:\n  max_gapp: 10\n"), 0o644)
	code, _, stderr := runCLI(t, "", "extract", seedDir, "--out", t.TempDir(), "--config", cfg)
	if code != 2 || !strings.Contains(stderr, `"extract.max_gapp"`) {
		t.Errorf("unknown key: exit %d, stderr %s", code, stderr)
	}
	os.WriteFile(cfg, []byte("extract:\n  max_gap: lots\n"), 0o644)
	code, _, stderr = runCLI(t, "", "extract", seedDir, "--out", t.TempDir(), "--config", cfg)
	if code != 2 || !strings.Contains(stderr, "max_gap") {
		t.Errorf("bad value: exit %d, stderr %s", code, stderr)
	}
	t.Setenv("CLINEX_EXTRACT_MAX_GAPP", "3")
	code, _, stderr = runCLI(t, "", "extract", seedDir, "--out", t.TempDir(), "--config", "../../config.yaml")
	if code != 2 || !strings.Contains(stderr, "CLINEX_EXTRACT_MAX_GAPP") {
		t.Errorf("unknown env var: exit %d, stderr %s", code, stderr)
	}
}

func TestEnvAndFlagsOverrideConfig(t *testing.T) {
	out := t.TempDir()
	t.Setenv("CLINEX_OUTPUT_FORMATS", "jsonl")
	code, _, stderr := runCLI(t, "", "extract", seedDir, "--out", out, "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out, "findings.xlsx")); err == nil {
		t.Errorf("CLINEX_OUTPUT_FORMATS=jsonl still wrote the workbook")
	}
	out2 := t.TempDir()
	code, _, stderr = runCLI(t, "", "extract", seedDir, "--out", out2, "--format", "xlsx", "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(out2, "findings.jsonl")); err == nil {
		t.Errorf("--format xlsx (over the env's jsonl) still wrote findings.jsonl")
	}
	if _, err := os.Stat(filepath.Join(out2, "findings.xlsx")); err != nil {
		t.Errorf("--format xlsx wrote no workbook: %v", err)
	}
}

func TestStdinAndJSONLInputs(t *testing.T) {
	out := t.TempDir()
	code, _, stderr := runCLI(t, "A 64-year-old man had a heart rate of 110 bpm.", "extract", "-", "--out", out, "--format", "jsonl", "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	fs := readFindings(t, filepath.Join(out, "findings.jsonl"))
	got := map[string]bool{}
	for _, f := range fs {
		got[f.Concept] = true
		if f.Doc != "stdin" {
			t.Errorf("doc %q, want stdin", f.Doc)
		}
	}
	for _, c := range []string{"age", "sex", "heart_rate"} {
		if !got[c] {
			t.Errorf("no %s from stdin text", c)
		}
	}
	dir := t.TempDir()
	jl := `{"id": "r1", "text": "Her hemoglobin was 9.1 g/dL."}
{"id": "r2", "text": "A 50-year-old woman."}
`
	os.WriteFile(filepath.Join(dir, "reports.jsonl"), []byte(jl), 0o644)
	code, _, stderr = runCLI(t, "", "extract", dir, "--out", out, "--format", "jsonl", "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	docs := map[string]bool{}
	for _, f := range readFindings(t, filepath.Join(out, "findings.jsonl")) {
		docs[f.Doc] = true
	}
	if !docs["r1"] || !docs["r2"] {
		t.Errorf("JSONL ids not used as doc: %v", docs)
	}
}

func TestVersionAndUsage(t *testing.T) {
	code, out, _ := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "clinex ") {
		t.Errorf("version: exit %d, %q", code, out)
	}
	code, _, stderr := runCLI(t, "", "extract", seedDir)
	if code != 2 || !strings.Contains(stderr, "--out") {
		t.Errorf("missing --out: exit %d, %q", code, stderr)
	}
	code, _, _ = runCLI(t, "", "frobnicate")
	if code != 2 {
		t.Errorf("unknown command: exit %d, want 2", code)
	}
}
