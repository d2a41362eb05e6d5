package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// shellWords splits a command line the way the tutorial writes it: words,
// "double-quoted" strings (possibly empty).
func shellWords(s string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`"([^"]*)"|(\S+)`).FindAllStringSubmatch(s, -1) {
		if strings.HasPrefix(m[0], `"`) {
			out = append(out, m[1])
		} else {
			out = append(out, m[2])
		}
	}
	return out
}

// Every command of docs/tuning.md runs, from the project folder, and ends
// well: the tutorial cannot rot.
func TestTutorialCommandsRun(t *testing.T) {
	t.Chdir("../..")
	f, err := os.Open("docs/tuning.md")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var cmds []string
	inSh := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "```sh"):
			inSh = true
		case strings.HasPrefix(line, "```"):
			inSh = false
		case inSh && strings.HasPrefix(line, "clinex "):
			cmds = append(cmds, line)
		}
	}
	if len(cmds) < 5 {
		t.Fatalf("only %d commands found in docs/tuning.md", len(cmds))
	}
	if _, err := os.Stat("../shared/corpus/maccrobat-dev"); err != nil && os.Getenv("CI") == "" {
		t.Skip("the shared corpus is not beside the checkout")
	}
	t.Cleanup(func() { os.Remove(filepath.Join("out", "tutorial-before.json")) })
	os.MkdirAll("out", 0o755)
	for _, c := range cmds {
		args := shellWords(c)[1:]
		code, stdout, stderr := runCLI(t, "", args...)
		if code != 0 {
			t.Errorf("%s: exit %d\n%s%s", c, code, stdout, stderr)
		}
		if strings.Contains(c, "patterns test") && !strings.Contains(stdout, "0 do not") {
			t.Errorf("%s: examples fail:\n%s", c, stdout)
		}
		if strings.Contains(c, "--explain") && !strings.Contains(stdout, "galectin_3") {
			t.Errorf("%s: the overlay's analyte was not found:\n%s", c, stdout)
		}
	}
}

// lint reports five different mistakes in one file, each at its line.
func TestLintReportsEveryMistakeWithItsLine(t *testing.T) {
	dir := t.TempDir()
	bad := `rules:
  - id: lab.one
    category: lab
    concept: one
    keywords: [one]
    pattern: 'one (?P<value>\d+'
    examples:
      match: [{text: "one 1", value: 1}]
  - id: lab.two
    category: lab
    concept: two
    keywords: [two]
    pattern: 'two (?P<value>\d+)'
    flavour: sweet
    examples:
      match: [{text: "two 2", value: 2}]
  - id: lab.two
    category: lab
    concept: two_again
    keywords: [two]
    pattern: 'two (?P<value>\d+)'
    examples:
      match: [{text: "two 2", value: 2}]
  - id: lab.three
    category: lab
    concept: three
    keywords: [three]
    pattern: 'three (?P<value>\d+) (?P<unit>\w+)'
    unit: furlongs
    examples:
      match: [{text: "three 3 m", value: 3}]
  - id: lab.four
    category: lab
    concept: four
    keywords: [four]
    pattern: 'four (?P<value>\d+)'
    examples:
      match:
        - {text: "four 4", value: 5}
`
	file := filepath.Join(dir, "bad.yaml")
	os.WriteFile(file, []byte(bad), 0o644)
	code, stdout, _ := runCLI(t, "", "patterns", "lint", dir, "--config", "../../config.yaml")
	if code != 2 {
		t.Fatalf("exit %d, want 2:\n%s", code, stdout)
	}
	for _, want := range []string{
		file + ":6:5: lab.one: pattern does not compile",
		file + ":14:5: lab.two: unknown key \"flavour\"",
		file + ":17:5: lab.two: duplicate id (first defined at line 9)",
		file + ":29:5: lab.three: unit \"furlongs\" is not in the unit table",
		file + ":39:11: lab.four: match example 1 \"four 4\": expected four=5",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("lint output lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stdout, "    pattern: 'one (?P<value>\\d+'") {
		t.Errorf("the offending line is not shown:\n%s", stdout)
	}
}
