//go:build !windows

package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/creack/pty"
)

// ansi matches the escape sequences mpb redraws the bar with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// progressRun runs the clinex binary on dir with stderr on a
// pseudo-terminal when tty is true (on a pipe otherwise) and returns what
// stderr showed, escape sequences removed. dir holds one bad report, so
// the run must exit 1.
func progressRun(t *testing.T, dir string, tty bool, extra ...string) string {
	t.Helper()
	args := append([]string{"extract", dir, "--out", filepath.Join(t.TempDir(), "out"), "--workers", "1"}, extra...)
	cmd := exec.Command(clinexBinary(t), args...)
	if !tty {
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); exitCode(err) != 1 {
			t.Fatalf("clinex %v: %v\n%s", args, err, stderr.String())
		}
		return stderr.String()
	}
	ptmx, tt, err := pty.Open()
	if err != nil {
		t.Skipf("no pseudo-terminal here: %v", err)
	}
	defer ptmx.Close()
	pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 160})
	cmd.Stderr = tt
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tt.Close() // the child holds it now; the master reads EOF when it exits
	var seen bytes.Buffer
	copied := make(chan struct{})
	go func() { io.Copy(&seen, ptmx); close(copied) }()
	err = cmd.Wait()
	<-copied
	if exitCode(err) != 1 {
		t.Fatalf("clinex %v: %v\n%s", args, err, seen.String())
	}
	return ansi.ReplaceAllString(strings.ReplaceAll(seen.String(), "\r", "\n"), "")
}

func exitCode(err error) int {
	if e, ok := err.(*exec.ExitError); ok {
		return e.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

// The bar is for a person at a terminal: documents, errors, MB, rate and
// ETA while the run goes, then one summary line; nothing of it on a pipe or
// with --quiet.
func TestProgressBarOnlyOnATerminal(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 40; i++ {
		text := fmt.Sprintf("Case %d. A %d-year-old man had a hemoglobin of %d.%d g/dL and a heart rate of %d bpm.\n",
			i, 40+i, 8+i%6, i%10, 60+i)
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("r%02d.txt", i)), []byte(strings.Repeat(text, 600)), 0o644)
	}
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)

	shown := progressRun(t, dir, true)
	// the bar's last frame: every document counted, the failed one named as
	// an error, the bytes done out of the total, a rate
	bar := regexp.MustCompile(`41 docs, 1 errors\s+\[=+\]\s+[0-9.]+ [kKM]B / [0-9.]+ [kKM]B\s+[0-9.]+ [kKM]?B/s`)
	if !bar.MatchString(shown) {
		t.Errorf("no final bar frame with documents, errors, MB and rate on the terminal:\n%s", shown)
	}
	// an earlier frame, part done, with its ETA (the run lasts over a
	// second, the bar redraws every 150 ms)
	partial := regexp.MustCompile(`\d+ docs(, 1 errors)?\s+\[=*>-+\]\s+[0-9.]+ [kKM]B / [0-9.]+ [kKM]B\s+[0-9.]+ [kKM]?B/s\s+\d+(ms|s|m)`)
	if !partial.MatchString(shown) {
		t.Errorf("no frame of a run under way with its ETA:\n%s", shown)
	}
	summary := regexp.MustCompile(`(?m)^clinex: 41 documents \(1 failed[^)]*\), \d+ findings in [0-9.]+s \([0-9.]+ MB/s\) → `)
	if !summary.MatchString(shown) {
		t.Errorf("no one-line summary after the bar:\n%s", shown)
	}
	if !strings.Contains(shown, "empty.txt") {
		t.Errorf("the failed document is not named on the terminal:\n%s", shown)
	}

	for _, c := range []struct {
		name  string
		tty   bool
		extra []string
	}{{"pipe", false, nil}, {"quiet", true, []string{"--quiet"}}} {
		shown := progressRun(t, dir, c.tty, c.extra...)
		if strings.Contains(shown, " docs") || strings.Contains(shown, "B/s ") {
			t.Errorf("%s: a progress bar was drawn:\n%s", c.name, shown)
		}
	}
}
