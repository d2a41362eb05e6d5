package clinex_test

import (
	"os"
	"testing"
	"unicode/utf8"
)

// The whole per-document extraction never panics, and every finding's
// evidence is the original text between its offsets, whatever the input.
//
//	go test -run '^$' -fuzz FuzzExtract -fuzztime 60s .
func FuzzExtract(f *testing.F) {
	seed, _ := os.ReadFile(seedPath)
	for _, s := range []string{string(seed), "", "\x00\x01", "BP 120/80, HR 90 bpm, no fever.", "Figure 1.\n a-\nb 48,9%", "e\u0301 10\u2079/L µg μg", "CASE PRESENTATION\n\nCASE PRESENTATION\n\n73-year-old woman"} {
		f.Add(s)
	}
	eng := testEngine(f)
	f.Fuzz(func(t *testing.T, in string) {
		if !utf8.ValidString(in) {
			return
		}
		doc := eng.Extractor.Extract("fuzz", in)
		runes := []rune(in)
		for _, fd := range doc.Findings {
			if fd.Start < 0 || fd.End > len(runes) || fd.Start > fd.End {
				t.Fatalf("%q: bad offsets %d..%d", in, fd.Start, fd.End)
			}
			if got := string(runes[fd.Start:fd.End]); got != fd.Text {
				t.Fatalf("%q: text %q but original %q", in, fd.Text, got)
			}
		}
	})
}
