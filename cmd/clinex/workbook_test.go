package main

import (
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// extractSeed runs the README's main command on seeds/ with the formats
// given and returns the output folder.
func extractSeed(t *testing.T, config string, formats string) string {
	t.Helper()
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", seedDir, "--out", out, "--config", config, "--format", formats, "-q")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	return out
}

// casesTable reads the Cases sheet: its header and, per row, the cells.
func casesTable(t *testing.T, book *excelize.File) ([]string, [][]string) {
	t.Helper()
	rows, err := book.GetRows(output.SheetCases)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) == 0 {
		t.Fatal("Cases sheet is empty")
	}
	return rows[0], rows[1:]
}

var linkTarget = regexp.MustCompile(`^HYPERLINK\("#(Findings)!A(\d+)",`)

func TestSeedWorkbook(t *testing.T) {
	out := extractSeed(t, "../../config.yaml", "jsonl,xlsx")
	book, err := excelize.OpenFile(filepath.Join(out, "findings.xlsx"))
	if err != nil {
		t.Fatalf("workbook does not open: %v", err)
	}
	defer book.Close()
	wantSheets := []string{"Cases", "Findings", "Devices", "Medications", "Procedures & outcomes", "Dictionary", "Run", "Errors"}
	if got := book.GetSheetList(); !slices.Equal(got, wantSheets) {
		t.Errorf("sheets %v, want %v", got, wantSheets)
	}
	header, rows := casesTable(t, book)
	if len(rows) != 2 {
		t.Fatalf("Cases has %d rows, want one per case (2)", len(rows))
	}
	findings, err := book.GetRows(output.SheetFindings)
	if err != nil {
		t.Fatal(err)
	}
	fcol := func(name string) int { return slices.Index(findings[0], name) }
	for _, w := range []struct {
		header, concept string
		byCase          [2]string // "" when the case has none
	}{
		{"Hemoglobin (g/dL)", "hemoglobin", [2]string{"8.6", "7.5"}},
		{"Heart rate (/min)", "heart_rate", [2]string{"90", "122"}},
		{"Systolic blood pressure (mm[Hg])", "systolic_bp", [2]string{"", "78"}},
		{"Diastolic blood pressure (mm[Hg])", "diastolic_bp", [2]string{"", "45"}},
		{"Oxygen saturation (%)", "spo2", [2]string{"", "82"}},
		{"EuroSCORE II (%)", "euroscore_ii", [2]string{"48.9", ""}},
	} {
		col := slices.Index(header, w.header)
		if col < 0 {
			t.Errorf("no column %q in %v", w.header, header)
			continue
		}
		for c := range 2 {
			cell, _ := excelize.CoordinatesToCellName(col+1, c+2)
			got, _ := book.GetCellValue(output.SheetCases, cell)
			if got != w.byCase[c] {
				t.Errorf("case %d %s = %q, want %q", c+1, w.header, got, w.byCase[c])
			}
			if w.byCase[c] == "" {
				continue
			}
			typ, _ := book.GetCellType(output.SheetCases, cell)
			if typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
				t.Errorf("case %d %s is stored as %v, not a number", c+1, w.header, typ)
			}
			// The cell's link opens the Findings row of its evidence.
			formula, _ := book.GetCellFormula(output.SheetCases, cell)
			m := linkTarget.FindStringSubmatch(formula)
			if m == nil {
				t.Errorf("case %d %s: no link to Findings in %q", c+1, w.header, formula)
				continue
			}
			row, _ := strconv.Atoi(m[2])
			if row < 2 || row > len(findings) {
				t.Errorf("case %d %s links to Findings row %d, outside the sheet", c+1, w.header, row)
				continue
			}
			fr := findings[row-1]
			if fr[fcol("concept")] != w.concept || fr[fcol("case")] != strconv.Itoa(c+1) || fr[fcol("value")] != w.byCase[c] {
				t.Errorf("case %d %s links to Findings row %d: %v", c+1, w.header, row, fr)
			}
		}
	}
	// The Dictionary explains every column of every data sheet.
	dict, _ := book.GetRows(output.SheetDictionary)
	explained := map[string]bool{}
	for _, r := range dict[1:] {
		if len(r) >= 5 && r[4] != "" {
			explained[r[0]+"\x00"+r[1]] = true
		}
	}
	for _, s := range []string{"Cases", "Findings", "Devices", "Medications", "Procedures & outcomes", "Errors"} {
		rows, _ := book.GetRows(s)
		for _, h := range rows[0] {
			if !explained[s+"\x00"+h] {
				t.Errorf("Dictionary does not explain %s column %q", s, h)
			}
		}
	}
	// The Run sheet names the document's checksum and the counts.
	run, _ := book.GetRows(output.SheetRun)
	seed, _ := os.ReadFile(filepath.Join(seedDir, "000_cd61988989b26957.txt"))
	var sawDoc, sawVersion bool
	for _, r := range run {
		if len(r) >= 4 && r[0] == "000_cd61988989b26957" && r[3] == sha256Hex(seed) {
			sawDoc = true
		}
		if len(r) >= 2 && r[0] == "clinex version" && r[1] != "" {
			sawVersion = true
		}
	}
	if !sawDoc || !sawVersion {
		t.Errorf("Run sheet lacks the seed's checksum (%v) or the version (%v):\n%v", sawDoc, sawVersion, run)
	}
	// Every device mention is a row of Devices, its finding column pointing
	// at the device's Findings row.
	devs, _ := book.GetRows(output.SheetDevices)
	var nDevices int
	for _, r := range findings[1:] {
		if r[fcol("category")] == "device" {
			nDevices++
		}
	}
	if len(devs)-1 != nDevices || nDevices == 0 {
		t.Errorf("Devices has %d rows, Findings %d devices", len(devs)-1, nDevices)
	}
	for i, r := range devs[1:] {
		row, _ := strconv.Atoi(r[2])
		if row < 2 || row > len(findings) || findings[row-1][fcol("concept")] != r[4] || findings[row-1][fcol("start")] != r[9] {
			t.Errorf("Devices row %d points at Findings row %q, which is not its finding", i+2, r[2])
		}
	}
}

// A study asking for the lowest hemoglobin is one config line.
func TestStudyConfigLowestHemoglobin(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "study.yaml")
	os.WriteFile(cfg, []byte("study:\n  variables:\n    - {concept: hemoglobin, agg: min, label: Lowest hemoglobin}\n    - {concept: heart_rate, agg: max}\n"), 0o644)
	out := extractSeed(t, cfg, "xlsx,csv,json")
	book, err := excelize.OpenFile(filepath.Join(out, "findings.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	header, rows := casesTable(t, book)
	if want := []string{"doc", "case", "Lowest hemoglobin (g/dL)", "Heart rate (/min)", "notes"}; !slices.Equal(header, want) {
		t.Fatalf("Cases header %v, want %v", header, want)
	}
	if len(rows) != 2 || rows[1][2] != "7.5" || rows[0][2] != "8.6" {
		t.Errorf("lowest hemoglobin by case: %v, want 8.6 and 7.5", rows)
	}
	b, _ := os.ReadFile(filepath.Join(out, "cases.csv"))
	if want := "doc,case,hemoglobin_min,heart_rate_max,notes\n"; !strings.HasPrefix(string(b), want) {
		t.Errorf("cases.csv starts %q, want %q", b, want)
	}
}

func TestBadStudyConfigNamesTheKey(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "study.yaml")
	os.WriteFile(cfg, []byte("study:\n  variables:\n    - {concept: hemoglobin, agg: lowest}\n"), 0o644)
	code, _, stderr := runCLI(t, "", "extract", seedDir, "--out", t.TempDir(), "--config", cfg)
	if code != 2 || !strings.Contains(stderr, `study.variables[0].agg: unknown aggregation "lowest"`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// cases.json, cases.csv and the Cases sheet hold the same value for every
// case and variable.
func TestCaseFormatsAgree(t *testing.T) {
	out := extractSeed(t, "../../config.yaml", "xlsx,json,csv")
	f, err := os.Open(filepath.Join(out, "cases.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Doc        string                      `json:"doc"`
		Case       int                         `json:"case"`
		Findings   []extract.Finding           `json:"findings"`
		Aggregates map[string]json.RawMessage  `json:"aggregates"`
		Sections   []extract.SectionSpan       `json:"sections"`
		Notes      string                      `json:"notes"`
		Raw        map[string]output.Aggregate `json:"-"`
	}
	b, err := os.ReadFile(filepath.Join(out, "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatalf("cases.json is not one JSON array: %v", err)
	}
	book, err := excelize.OpenFile(filepath.Join(out, "findings.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	_, sheet := casesTable(t, book)
	if len(recs) != 3 || len(cases) != 2 || len(sheet) != 2 {
		t.Fatalf("cases: csv %d rows (with header), json %d, sheet %d; want 2 each", len(recs), len(cases), len(sheet))
	}
	header := recs[0]
	compared := 0
	for i, c := range cases {
		row := recs[i+1]
		if row[0] != c.Doc || row[1] != strconv.Itoa(c.Case) || sheet[i][0] != c.Doc {
			t.Errorf("case %d: csv %v / json %s %d", i, row[:2], c.Doc, c.Case)
		}
		if len(c.Sections) == 0 || len(c.Findings) == 0 {
			t.Errorf("case %d has %d sections and %d findings in cases.json", c.Case, len(c.Sections), len(c.Findings))
		}
		for k, key := range header[2 : len(header)-1] {
			raw, ok := c.Aggregates[key]
			if !ok {
				t.Errorf("case %d: cases.json has no aggregate %q", c.Case, key)
				continue
			}
			var a struct {
				Value   json.RawMessage `json:"value"`
				Values  []extract.Value `json:"values"`
				Finding int             `json:"finding"`
			}
			json.Unmarshal(raw, &a)
			var jsonText string
			switch {
			case string(a.Value) == "null":
			case strings.HasPrefix(string(a.Value), "["):
				parts := make([]string, len(a.Values))
				for j, v := range a.Values {
					parts[j] = v.String()
				}
				jsonText = strings.Join(parts, "; ")
			default:
				var v extract.Value
				json.Unmarshal(a.Value, &v)
				jsonText = v.String()
				// the evidence index points at a finding holding that value
				if f := c.Findings[a.Finding]; f.Value.String() != jsonText {
					t.Errorf("case %d %s: finding %d holds %v, not %s", c.Case, key, a.Finding, f.Value, jsonText)
				}
			}
			sheetText := ""
			if k+2 < len(sheet[i]) {
				sheetText = sheet[i][k+2]
			}
			if row[k+2] != jsonText || sheetText != jsonText {
				t.Errorf("case %d %s: csv %q, json %q, sheet %q", c.Case, key, row[k+2], jsonText, sheetText)
			}
			if jsonText != "" {
				compared++
			}
		}
		if row[len(row)-1] != c.Notes {
			t.Errorf("case %d notes differ: csv %q json %q", c.Case, row[len(row)-1], c.Notes)
		}
	}
	if compared < 15 {
		t.Errorf("only %d non-empty values compared", compared)
	}
}

// LibreOffice opens the workbook and reads every sheet: what a researcher
// without Excel does. Skipped on a machine without it, but CI installs it,
// so there a missing LibreOffice fails.
func TestLibreOfficeReadsTheWorkbook(t *testing.T) {
	lo, err := exec.LookPath("libreoffice")
	if err != nil {
		lo, err = exec.LookPath("soffice")
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("libreoffice is not installed (.ci/run installs Debian's libreoffice-calc-nogui)")
		}
		t.Skip("libreoffice not installed")
	}
	out := extractSeed(t, "../../config.yaml", "xlsx")
	conv := t.TempDir()
	// -1 exports every sheet to its own CSV; a profile of its own keeps
	// parallel runs from sharing one.
	cmd := exec.Command(lo, "-env:UserInstallation=file://"+filepath.Join(conv, "profile"), "--headless",
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,UTF8,1,,0,false,true,false,false,false,-1",
		"--outdir", conv, filepath.Join(out, "findings.xlsx"))
	msg, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("libreoffice: %v\n%s", err, msg)
	}
	for _, s := range []string{"Cases", "Findings", "Devices", "Medications", "Procedures & outcomes", "Dictionary", "Run", "Errors"} {
		b, err := os.ReadFile(filepath.Join(conv, "findings-"+s+".csv"))
		if err != nil {
			t.Errorf("LibreOffice did not read sheet %s: %v\n%s", s, err, msg)
			continue
		}
		if s == "Cases" {
			recs, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
			if err != nil || len(recs) != 3 {
				t.Errorf("LibreOffice's Cases: %d rows (%v), want header + 2", len(recs), err)
				continue
			}
			col := slices.Index(recs[0], "Hemoglobin (g/dL)")
			if col < 0 || recs[2][col] != "7.5" {
				t.Errorf("LibreOffice reads case 2 hemoglobin as %v", recs[2])
			}
		}
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// A document that cannot be read is a row of the Errors sheet and counted
// as failed in Run, and gets no case row; the good ones are all there.
func TestWorkbookErrorsSheet(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a_good.txt"), []byte("A 40-year-old man with a heart rate of 120 bpm."), 0o644)
	os.WriteFile(filepath.Join(dir, "b_binary.txt"), []byte("PK\x03\x04\x00\x00binary"), 0o644)
	out := t.TempDir()
	code, _, stderr := runCLI(t, "", "extract", dir, "--out", out, "--format", "xlsx,csv", "--config", "../../config.yaml")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr: %s", code, stderr)
	}
	book, err := excelize.OpenFile(filepath.Join(out, "findings.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	errs, _ := book.GetRows(output.SheetErrors)
	if len(errs) != 2 || errs[1][0] != "b_binary" || !strings.Contains(errs[1][2], "binary") {
		t.Errorf("Errors sheet: %v", errs)
	}
	_, cases := casesTable(t, book)
	if len(cases) != 1 || cases[0][0] != "a_good" {
		t.Errorf("Cases rows: %v, want the good document's one case", cases)
	}
	run, _ := book.GetRows(output.SheetRun)
	var failed string
	for _, r := range run {
		if len(r) >= 2 && r[0] == "documents failed" {
			failed = r[1]
		}
	}
	if failed != "1" {
		t.Errorf("Run sheet: documents failed = %q, want 1", failed)
	}
}

// The Run sheet gives an input file's checksum and size (hashed while the
// run goes), and a folder's name alone.
func TestWorkbookRunSheetNamesTheInputs(t *testing.T) {
	dir := t.TempDir()
	jsonl := []byte("{\"id\":\"a\",\"text\":\"Heart rate 120 bpm.\"}\n{\"id\":\"b\",\"text\":\"Hb 9.1 g/dL.\"}\n")
	file := filepath.Join(dir, "reports.jsonl")
	os.WriteFile(file, jsonl, 0o644)
	folder := filepath.Join(dir, "more")
	os.Mkdir(folder, 0o755)
	os.WriteFile(filepath.Join(folder, "c.txt"), []byte("SpO2 91%."), 0o644)
	out := t.TempDir()
	if code, _, stderr := runCLI(t, "", "extract", file, folder, "--out", out, "--format", "xlsx", "--config", "../../config.yaml"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	book, err := excelize.OpenFile(filepath.Join(out, "findings.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	run, _ := book.GetRows(output.SheetRun)
	inputs := map[string][]string{}
	for _, r := range run {
		if len(r) > 0 && (r[0] == file || r[0] == folder) {
			inputs[r[0]] = r[1:]
		}
	}
	if got := inputs[file]; len(got) != 2 || got[0] != sha256Hex(jsonl) || got[1] != strconv.Itoa(len(jsonl)) {
		t.Errorf("Run sheet row of %s: %v, want its SHA-256 and %d bytes", file, got, len(jsonl))
	}
	if got, ok := inputs[folder]; !ok || len(got) != 0 {
		t.Errorf("Run sheet row of the folder: %v (present %v), want its name alone", got, ok)
	}
}
