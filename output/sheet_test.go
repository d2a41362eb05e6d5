package output

import (
	"math"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// escapedByRune is the cell escaping as it was written before the
// eight-bytes-at-a-time scan: one character at a time, the reference
// appendEscaped must match.
func escapedByRune(s string) string {
	if utf8.RuneCountInString(s) > maxCellChars {
		s = string([]rune(s)[:maxCellChars])
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(byte(r))
		case r < 0x20, r == utf8.RuneError && n == 1, r == 0xFFFE, r == 0xFFFF:
			b.WriteString("\uFFFD")
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

var escapeCases = []string{
	"", "plain text of some length, more than eight bytes", "<0.01 mg/dL & >5", "a&b", "tab\there\nnewline\r",
	"\x00\x01\x1f\x7f", "bad \xff byte in a longer sentence", "émoji 😀 and ü", "\uFFFE\uFFFF", "\ufffd",
	"12345678<2345678&2345678>", strings.Repeat("x", 7) + "<", strings.Repeat("é", 20) + "&",
	strings.Repeat("ab", maxCellChars) + "<tail>", strings.Repeat("é", maxCellChars+3),
}

func TestAppendEscapedMatchesRuneByRune(t *testing.T) {
	for _, s := range escapeCases {
		for cut := range min(len(s), 9) { // every alignment of the 8-byte scan
			in := s[cut:]
			if got, want := string(appendEscaped([]byte("p"), in)), "p"+escapedByRune(in); got != want {
				t.Fatalf("appendEscaped(%.60q)\n%.200q\nwant\n%.200q", in, got, want)
			}
		}
	}
}

func FuzzAppendEscaped(f *testing.F) {
	for _, s := range escapeCases[:13] {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := string(appendEscaped(nil, s)), escapedByRune(s); got != want {
			t.Fatalf("appendEscaped(%q) = %q, want %q", s, got, want)
		}
	})
}

// A plain cell built in one go reads as the piece-by-piece one did, and
// leaves what the buffer held before it alone.
func TestPlainCellMatchesAppendInt(t *testing.T) {
	values := []int{0, 7, 9, 10, 99, 100, 101, 999, 1000, 9999, 10000, 12345, 99999, 100000, 123456789,
		1e15, 1e16 - 1, -1, -42, -100, math.MaxInt, math.MinInt, math.MaxInt - 1, math.MinInt + 1}
	for p := 1; p < 1e18; p *= 10 {
		values = append(values, p-1, p, p+1, -p)
	}
	for _, v := range values {
		for _, shared := range []bool{true, false} {
			start := `<c><v>`
			if shared {
				start = `<c t="s"><v>`
			}
			// A buffer with no spare room, and one with room to spare.
			for _, prefix := range [][]byte{[]byte("<row>"), append(make([]byte, 0, 200), "<row>"...)} {
				s := &sheetWriter{}
				s.buf = prefix
				s.plainCell(shared, v)
				if want := `<row>` + start + strconv.Itoa(v) + `</v></c>`; string(s.buf) != want {
					t.Errorf("%d: %s, want %s", v, s.buf, want)
				}
				if s.col != 1 || s.written != 1 {
					t.Errorf("%d: column %d written %d, want 1 and 1", v, s.col, s.written)
				}
			}
		}
	}
}

func TestDigitCount(t *testing.T) {
	us := []uint64{0, 1, 9, 10, 99, 100, 9999, 10000, 99999, 1 << 63, math.MaxUint64, math.MaxUint64 - 1, 1e19 - 1, 1e19}
	for p := uint64(1); p < 1e19; p *= 10 {
		us = append(us, p-1, p, p+1)
	}
	for b := range 64 {
		us = append(us, 1<<b-1, 1<<b, 1<<b+1)
	}
	for _, u := range us {
		if got, want := digitCount(u), len(strconv.FormatUint(u, 10)); got != want {
			t.Errorf("digitCount(%d) = %d, want %d", u, got, want)
		}
	}
}

// appendInt writes what strconv does for every number from -1,000 to a
// million (the offsets and counts of findings and cells), each power of
// ten's edges and the extremes.
func TestAppendIntMatchesStrconv(t *testing.T) {
	values := []int{math.MaxInt, math.MinInt}
	for n := -1000; n <= 1_000_000; n++ {
		values = append(values, n)
	}
	for p := 1; p < 1e18; p *= 10 {
		values = append(values, p-1, p, p+1, -p, -p+1)
	}
	for _, v := range values {
		// Appended after what the buffer holds, with and without room.
		for _, b := range [][]byte{[]byte("x"), append(make([]byte, 0, 64), 'x')} {
			if got, want := string(appendInt(b, v)), string(strconv.AppendInt([]byte("x"), int64(v), 10)); got != want {
				t.Errorf("appendInt(%d) = %q, want %q", v, got, want)
			}
		}
	}
}
