package extract

import (
	"unicode/utf16"
	"unicode/utf8"
)

// jsonRecord is what a JSONL input line gives when scanRecord can read it:
// the raw JSON of the id field and of the text field (a string), as
// json.Unmarshal into map[string]json.RawMessage would find them.
type jsonRecord struct {
	id, text       []byte // raw values, quotes included for strings
	hasID, hasText bool
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
func scanRecord(raw []byte, idField, textField string) (rec jsonRecord, ok bool) {
	if !utf8.Valid(raw) {
		return rec, false
	}
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
			if !s.value(1) {
				return rec, false
			}
			val := raw[vs:s.i]
			// A repeated key keeps its last value, as in a map.
			if string(key) == idField {
				rec.id, rec.hasID = val, true
			}
			if string(key) == textField {
				rec.text, rec.hasText = val, true
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

// str scans a string (the input is valid UTF-8): no control characters,
// only JSON's escapes.
func (s *jsonScanner) str() bool {
	s.escaped = false
	if !s.next('"') {
		return false
	}
	for s.i < len(s.b) {
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
		default:
			s.i++
		}
	}
	return false
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
// Without escapes the result is q's own bytes.
func unquoteJSON(q []byte) []byte {
	s := q[1 : len(q)-1]
	i := 0
	for i < len(s) && s[i] != '\\' {
		i++
	}
	if i == len(s) {
		return s
	}
	out := make([]byte, i, len(s))
	copy(out, s[:i])
	for i < len(s) {
		c := s[i]
		if c != '\\' {
			// Copy up to the next escape in one go.
			j := i + 1
			for j < len(s) && s[j] != '\\' {
				j++
			}
			out = append(out, s[i:j]...)
			i = j
			continue
		}
		switch e := s[i+1]; e {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			r := u4(s[i+2:])
			i += 6
			if utf16.IsSurrogate(r) {
				if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
					if dec := utf16.DecodeRune(r, u4(s[i+2:])); dec != utf8.RuneError {
						out = utf8.AppendRune(out, dec)
						i += 6
						continue
					}
				}
				r = utf8.RuneError
			}
			out = utf8.AppendRune(out, r)
			continue
		default: // " \ /
			out = append(out, e)
		}
		i += 2
	}
	return out
}

// u4 reads the four hex digits scanRecord checked.
func u4(h []byte) rune {
	return hexVal(h[0])<<12 | hexVal(h[1])<<8 | hexVal(h[2])<<4 | hexVal(h[3])
}
