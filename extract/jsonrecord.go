package extract

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// jsonRecord is what a JSONL input line gives when scanRecord can read it:
// the raw JSON of the id field and of the text field (a string), as
// json.Unmarshal into map[string]json.RawMessage would find them.
type jsonRecord struct {
	id, text       []byte // raw values, quotes included for strings
	hasID, hasText bool
	// textEscaped: the text is a string with a backslash escape in it;
	// without one it is its raw bytes, which hold no NUL.
	textEscaped bool
}

// maxScanDepth bounds the nesting scanRecord follows; deeper lines go to
// encoding/json, which has its own limit and error.
const maxScanDepth = 200

// scanRecord reads a JSONL line in one pass: a JSON object of valid UTF-8
// whose keys have no escapes. It returns ok false for anything else (not
// JSON, not an object, an escaped key, invalid UTF-8, very deep nesting),
// which the caller hands to encoding/json for the same result and its
// error messages. Decoding every line into a map with encoding/json and
// then the text again was a tenth of a run's CPU, on the one goroutine
// that reads the inputs.
//
// UTF-8 is checked by str as it scans the strings: JSON's grammar has no
// place for a byte of 0x80 or more outside a string, so a line whose
// strings are valid and that parses is valid UTF-8 whole, and a line that
// is not fails one or the other (a second pass with utf8.Valid cost as much
// as the scan).
func scanRecord(raw []byte, idField, textField string) (rec jsonRecord, ok bool) {
	s := jsonScanner{b: raw}
	s.space()
	if !s.next('{') {
		return rec, false
	}
	s.space()
	if !s.next('}') {
		for {
			s.space()
			ks := s.i
			if !s.str() {
				return rec, false
			}
			key := raw[ks+1 : s.i-1]
			if s.escaped {
				return rec, false
			}
			s.space()
			if !s.next(':') {
				return rec, false
			}
			s.space()
			vs := s.i
			s.escaped = false
			if !s.value(1) {
				return rec, false
			}
			val := raw[vs:s.i]
			// A repeated key keeps its last value, as in a map.
			if string(key) == idField {
				rec.id, rec.hasID = val, true
			}
			if string(key) == textField {
				// escaped is the value's own when it is a string.
				rec.text, rec.hasText, rec.textEscaped = val, true, s.escaped
			}
			s.space()
			if s.next(',') {
				continue
			}
			if s.next('}') {
				break
			}
			return rec, false
		}
	}
	s.space()
	return rec, s.i == len(raw)
}

type jsonScanner struct {
	b []byte
	i int
	// escaped: the last string scanned had a backslash escape.
	escaped bool
}

func (s *jsonScanner) space() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) next(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

func (s *jsonScanner) value(depth int) bool {
	if s.i >= len(s.b) || depth > maxScanDepth {
		return false
	}
	switch c := s.b[s.i]; {
	case c == '"':
		return s.str()
	case c == '{':
		s.i++
		s.space()
		if s.next('}') {
			return true
		}
		for {
			s.space()
			if !s.str() {
				return false
			}
			s.space()
			if !s.next(':') {
				return false
			}
			s.space()
			if !s.value(depth + 1) {
				return false
			}
			s.space()
			if s.next(',') {
				continue
			}
			return s.next('}')
		}
	case c == '[':
		s.i++
		s.space()
		if s.next(']') {
			return true
		}
		for {
			s.space()
			if !s.value(depth + 1) {
				return false
			}
			s.space()
			if s.next(',') {
				continue
			}
			return s.next(']')
		}
	case c == 't':
		return s.literal("true")
	case c == 'f':
		return s.literal("false")
	case c == 'n':
		return s.literal("null")
	case c == '-' || c >= '0' && c <= '9':
		return s.number()
	}
	return false
}

func (s *jsonScanner) literal(word string) bool {
	if len(s.b)-s.i >= len(word) && string(s.b[s.i:s.i+len(word)]) == word {
		s.i += len(word)
		return true
	}
	return false
}

// number follows JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func (s *jsonScanner) number() bool {
	s.next('-')
	switch {
	case s.next('0'):
	case s.i < len(s.b) && s.b[s.i] >= '1' && s.b[s.i] <= '9':
		s.digits()
	default:
		return false
	}
	if s.next('.') {
		if !s.digits() {
			return false
		}
	}
	if s.next('e') || s.next('E') {
		if !s.next('+') {
			s.next('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

func (s *jsonScanner) digits() bool {
	start := s.i
	for s.i < len(s.b) && s.b[s.i] >= '0' && s.b[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// str scans a string: valid UTF-8, no control characters, only JSON's
// escapes. A key or a short value ends within the first eight bytes
// stringStops reads. A report's text is long, mostly plain ASCII, with few
// escapes: its closing quote and backslashes are found by bytes.IndexByte
// (vector instructions), and the runs before them are checked by
// plainASCII, half the work a byte of stringStops' (which cost three
// instructions a byte).
func (s *jsonScanner) str() bool {
	s.escaped = false
	if !s.next('"') {
		return false
	}
	// end and bs: the next quote, and the next backslash before it (end
	// if none), at or after s.i once found.
	end, bs := -1, -1
	for {
		if s.i+8 <= len(s.b) {
			if stops := stringStops(binary.LittleEndian.Uint64(s.b[s.i:])); stops != 0 {
				s.i += bits.TrailingZeros64(stops) >> 3
			} else {
				s.i += 8
				if end < s.i {
					q := bytes.IndexByte(s.b[s.i:], '"')
					if q < 0 {
						return false
					}
					end = s.i + q
				}
				if bs < s.i {
					bs = end
					if k := bytes.IndexByte(s.b[s.i:end], '\\'); k >= 0 {
						bs = s.i + k
					}
				}
				s.i += plainASCII(s.b[s.i:bs])
			}
		}
		if s.i >= len(s.b) {
			return false
		}
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			return true
		case c < 0x20:
			return false
		case c == '\\':
			s.escaped = true
			if s.i+1 >= len(s.b) {
				return false
			}
			switch s.b[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.b) {
					return false
				}
				for _, h := range s.b[s.i+2 : s.i+6] {
					if hexVal(h) < 0 {
						return false
					}
				}
				s.i += 6
			default:
				return false
			}
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(s.b[s.i:])
			if r == utf8.RuneError && size == 1 {
				return false // invalid UTF-8, as utf8.Valid finds it
			}
			s.i += size
		default:
			s.i++
		}
	}
}

const (
	ones8  = 0x0101010101010101
	highs8 = 0x8080808080808080
)

// stringStops has the high bit of a byte of x (little-endian) set when
// that byte ends a JSON string's plain ASCII run: a quote, a backslash, a
// byte below 0x20, or one of 0x80 and up (UTF-8 to check). The tests are
// "Bit Twiddling Hacks"' haszero and hasless, exact for the lowest byte
// that matches (no borrow comes from the bytes below it), so the lowest
// bit set is the first stop, never a byte before it; a byte above may be
// flagged wrongly, which does not matter as the scan stops at the first.
func stringStops(x uint64) uint64 {
	less := (x - ones8*0x20) &^ x
	quote := x ^ (ones8 * '"')
	quote = (quote - ones8) &^ quote
	slash := x ^ (ones8 * '\\')
	slash = (slash - ones8) &^ slash
	return (less | quote | slash | x) & highs8
}

// plainASCII returns the length of b's leading run of bytes from 0x20 to
// 0x7f, sixteen at a time: x - 0x20 sets a byte's high bit where it is
// below 0x20 (hasless, exact for the lowest byte that matches), x itself
// where it is 0x80 and up, so the lowest high bit set is the run's end.
func plainASCII(b []byte) int {
	n := len(b)
	for len(b) >= 16 {
		x, y := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:])
		sx, sy := (x-ones8*0x20|x)&highs8, (y-ones8*0x20|y)&highs8
		if sx|sy != 0 {
			if sx != 0 {
				return n - len(b) + bits.TrailingZeros64(sx)>>3
			}
			return n - len(b) + 8 + bits.TrailingZeros64(sy)>>3
		}
		b = b[16:]
	}
	for i, c := range b {
		if c < 0x20 || c >= 0x80 {
			return n - len(b) + i
		}
	}
	return n
}

func hexVal(c byte) rune {
	switch {
	case c >= '0' && c <= '9':
		return rune(c - '0')
	case c >= 'a' && c <= 'f':
		return rune(c - 'a' + 10)
	case c >= 'A' && c <= 'F':
		return rune(c - 'A' + 10)
	}
	return -1
}

// unquoteJSON decodes a string scanRecord accepted (quotes included) as
// encoding/json does: a lone or broken surrogate escape becomes U+FFFD.
// escaped says whether scanRecord saw a backslash in it. The text is built
// in a strings.Builder, so the report's bytes are copied once, not into a
// buffer and then again into a string. The result is valid UTF-8, as the
// string was.
func unquoteJSON(q []byte, escaped bool) string {
	s := q[1 : len(q)-1]
	i := -1
	if escaped {
		i = bytes.IndexByte(s, '\\')
	}
	if i < 0 {
		return string(s)
	}
	var out strings.Builder
	out.Grow(len(s))
	out.Write(s[:i])
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			// Copy up to the next escape in one go.
			j := bytes.IndexByte(s[i+1:], '\\')
			if j < 0 {
				j = len(s)
			} else {
				j += i + 1
			}
			out.Write(s[i:j])
			i = j
			continue
		}
		switch e := s[i+1]; e {
		case 'b':
			out.WriteByte('\b')
		case 'f':
			out.WriteByte('\f')
		case 'n':
			out.WriteByte('\n')
		case 'r':
			out.WriteByte('\r')
		case 't':
			out.WriteByte('\t')
		case 'u':
			r := u4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, u4(s[i+2:])); dec != utf8.RuneError {
						out.WriteRune(dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out.WriteRune(r)
			continue
		default: // " \ /
			out.WriteByte(e)
		}
		i += 2
	}
	return out.String()
}

// u4 reads the four hex digits scanRecord checked.
func u4(h []byte) rune {
	return hexVal(h[0])<<12 | hexVal(h[1])<<8 | hexVal(h[2])<<4 | hexVal(h[3])
}
