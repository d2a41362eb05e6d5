package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// findingKeys reads findings.jsonl as one line per finding, for diffing.
func findingKeys(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var f map[string]any
		if err := json.Unmarshal([]byte(l), &f); err != nil {
			t.Fatal(err)
		}
		out[strings.Join([]string{f["concept"].(string), f["rule"].(string), f["label"].(string), f["text"].(string)}, " | ")] = true
	}
	return out
}

// An overlay folder that adds lab.ferritin, gives the built-in heart-rate
// entry new examples and switches a rule off changes extract's output by
// exactly that, with no rebuild.
func TestOverlayChangesExtractExactly(t *testing.T) {
	dir := t.TempDir()
	overlay := `analytes:
  - id: lab.ferritin
    concept: ferritin
    category: lab
    label: Serum ferritin (study definition)
    synonyms: [ferritin, serum ferritin]
    units: ["ng/mL", "ug/L"]
    plausible: {min: 1, max: 100000, unit: "ng/mL"}
    examples:
      match:
        - {text: "Serum ferritin was 850 ng/mL.", value: 850, unit: "ng/mL"}
      no_match:
        - "Ferritin was normal."
  - id: vital.heart_rate
    concept: heart_rate
    category: vital
    label: Heart rate
    synonyms: [heart rate, heart rates, pulse, pulse rate, heart frequency, cardiac frequency, ventricular rate, heartbeat]
    abbreviations: [HR]
    units: ["/min"]
    default_unit: "/min"
    plausible: {min: 10, max: 350, unit: "/min"}
    examples:
      match:
        - {text: "Our study's wording: the heart rate was 58 bpm at rest.", value: 58, unit: "/min"}
      no_match:
        - "The heart was normal in size."
disable: [score.grade]
`
	os.WriteFile(filepath.Join(dir, "study.yaml"), []byte(overlay), 0o644)
	report := filepath.Join(t.TempDir(), "r.txt")
	os.WriteFile(report, []byte("A 60-year-old man had a heart rate of 58 bpm and a grade 3 murmur. Serum ferritin was 850 ng/mL and hemoglobin 9.1 g/dL.\n"), 0o644)

	before, after := t.TempDir(), t.TempDir()
	if code, _, stderr := runCLI(t, "", "extract", report, "--out", before, "--format", "jsonl", "--config", "../../config.yaml"); code != 0 {
		t.Fatalf("without overlay: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "", "extract", report, "--out", after, "--format", "jsonl", "--config", "../../config.yaml", "--patterns", dir); code != 0 {
		t.Fatalf("with overlay: exit %d: %s", code, stderr)
	}
	b, a := findingKeys(t, filepath.Join(before, "findings.jsonl")), findingKeys(t, filepath.Join(after, "findings.jsonl"))
	var gone, came []string
	for k := range b {
		if !a[k] {
			gone = append(gone, k)
		}
	}
	for k := range a {
		if !b[k] {
			came = append(came, k)
		}
	}
	sort.Strings(gone)
	sort.Strings(came)
	wantGone := []string{"ferritin | lab.ferritin | Ferritin | Serum ferritin was 850 ng/mL", "grade | score.grade | Grade | grade 3"}
	wantCame := []string{"ferritin | lab.ferritin | Serum ferritin (study definition) | Serum ferritin was 850 ng/mL"}
	if strings.Join(gone, "\n") != strings.Join(wantGone, "\n") || strings.Join(came, "\n") != strings.Join(wantCame, "\n") {
		t.Errorf("overlay changed\n gone: %q\n came: %q\nwant\n gone: %q\n came: %q", gone, came, wantGone, wantCame)
	}
	// the heart-rate entry with its new examples is the one in effect
	code, stdout, _ := runCLI(t, "", "patterns", "test", dir, "--config", "../../config.yaml")
	if code != 0 || !regexp.MustCompile(`vital\.heart_rate\s+1\s+0\s+1\s+0\s+pass`).MatchString(stdout) {
		t.Errorf("patterns test of the overlay: exit %d\n%s", code, stdout)
	}
}

// eval --compare of a run before and after switching a rule off reports
// the true positives that rule found as lost, by its id.
func TestEvalCompareNamesTheRuleThatLostTruePositives(t *testing.T) {
	gold := "../../../shared/corpus/maccrobat-dev"
	if _, err := os.Stat(gold); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip("shared corpus not present")
	}
	saved := filepath.Join(t.TempDir(), "before.json")
	if code, _, stderr := runCLI(t, "", "eval", "--gold", gold, "--errors", "", "--save", saved, "--config", "../../config.yaml"); code != 0 {
		t.Fatalf("eval --save: exit %d: %s", code, stderr)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "off.yaml"), []byte("disable: [lab.hemoglobin]\n"), 0o644)
	code, stdout, stderr := runCLI(t, "", "eval", "--gold", gold, "--errors", "", "--compare", saved, "--patterns", dir, "--config", "../../config.yaml")
	if code != 0 {
		t.Fatalf("eval --compare: exit %d: %s", code, stderr)
	}
	var row string
	for _, l := range strings.Split(stdout, "\n") {
		if strings.HasPrefix(l, "numeric_value / lab.hemoglobin ") {
			row = l
		}
	}
	f := strings.Fields(row)
	if len(f) != 7 || f[3] != "0" || f[4] == "0" {
		t.Fatalf("no row of lost true positives for lab.hemoglobin (TP gained, lost, FP new, FP gone):\n%s", stdout)
	}
	if !strings.Contains(stdout, "lost     numeric_value          lab.hemoglobin") {
		t.Errorf("the lost hits are not listed by rule:\n%s", stdout)
	}
}
