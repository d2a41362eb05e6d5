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

// A plain cell built in one go reads as the piece-by-piece one did.
func TestPlainCellMatchesAppendInt(t *testing.T) {
	for _, v := range []int{0, 7, 10, 99, 100, 123456789, -1, -42, math.MaxInt, math.MinInt} {
		s := &sheetWriter{}
		s.plainCell(`<c t="s"><v>`, v)
		if want := `<c t="s"><v>` + strconv.Itoa(v) + `</v></c>`; string(s.buf) != want {
			t.Errorf("%d: %s, want %s", v, s.buf, want)
		}
		if s.col != 1 || s.written != 1 {
			t.Errorf("%d: column %d written %d, want 1 and 1", v, s.col, s.written)
		}
	}
}
