package extract

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// The number reader never panics, reads only digits, group commas and one
// decimal point, and its value is what those characters say.
//
//	go test -run '^$' -fuzz FuzzReadNumber -fuzztime 30s ./extract
func FuzzReadNumber(f *testing.F) {
	for _, s := range []string{"1,547.5", "48.9%", ".5", "35,000 x", "1,2,3", "1,23", "12,345,678.90", "9.", "0001", "1e5", "٣"} {
		f.Add(s, 0)
	}
	f.Fuzz(func(t *testing.T, text string, at int) {
		if len(text) == 0 {
			return
		}
		i := ((at % len(text)) + len(text)) % len(text)
		v, end, ok := readNumber(text, i)
		if !ok {
			if end != i {
				t.Fatalf("%q at %d: no number but end %d", text, i, end)
			}
			return
		}
		if end <= i || end > len(text) {
			t.Fatalf("%q at %d: end %d outside the text", text, i, end)
		}
		read := text[i:end]
		if strings.Trim(read, "0123456789,.") != "" || strings.Count(read, ".") > 1 {
			t.Fatalf("%q at %d: read %q, which is not a number", text, i, read)
		}
		want, err := strconv.ParseFloat(strings.ReplaceAll(read, ",", ""), 64)
		if err != nil || v != want || math.IsNaN(v) || v < 0 {
			t.Fatalf("%q at %d: read %q as %v (want %v, %v)", text, i, read, v, want, err)
		}
	})
}

// The unit matcher never panics and never claims more than it was given.
//
//	go test -run '^$' -fuzz FuzzUnitMatch -fuzztime 30s ./extract
func FuzzUnitMatch(f *testing.F) {
	um := testScanner(f).units
	for _, s := range []string{"mmHg", "g/dL.", "x 10^9/L", "×10⁹/L", "10(9)/L", "µg/mL", "mg/kg/min", "%", "bpm,", "1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u, text, n := um.Match(s)
		if u == nil {
			return
		}
		if n <= 0 || n > len(s) || n > 64 {
			t.Fatalf("%q: unit %s of length %d", s, u.Code, n)
		}
		_ = text
	})
}
