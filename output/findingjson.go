package output

import (
	"bytes"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/clinex/clinex/extract"
)

// AppendFinding appends f to dst as one JSONL line, byte for byte what
// NewEncoder(w).Encode(f) writes. encoding/json's reflection was a tenth of
// a run's CPU, on the writer's single goroutine; this walks the struct
// directly. Anything it does not know how to write exactly (a NaN, an
// attribute of a type the extractor never makes) goes through
// encoding/json instead, so the bytes and the errors stay the library's.
func AppendFinding(dst []byte, f *extract.Finding) ([]byte, error) {
	return appendFindingMemo(dst, f, nil)
}

// lineMemo is what the lines of one document's findings share.
//
// The sentence: where it was last escaped in the buffer. A sentence with
// several findings (most have) is escaped once and copied after that;
// sentences are a third of a line's bytes.
//
// The fields that mostly repeat from one finding to the next (its doc,
// section, category, unit, assertion and subject: 40% to 94% of findings
// on the bulk corpus) hold the last value found to need no escaping, so a
// repeat goes out without its bytes being looked at again.
type lineMemo struct {
	sentence string
	from, to int
	ok       bool

	doc, section, category, unit, assertion, subject string
}

func appendFindingMemo(dst []byte, f *extract.Finding, memo *lineMemo) ([]byte, error) {
	start := len(dst)
	if memo == nil {
		memo = &lineMemo{}
	}
	out, ok := appendFindingFast(dst, f, memo)
	if ok {
		return out, nil
	}
	memo.ok = false
	buf := bytes.NewBuffer(out[:start])
	err := NewEncoder(buf).Encode(f)
	return buf.Bytes(), err
}

// appendRepeated is appendJSONString(b, s, false) for a field whose last
// plain value is *last: a repeat of it is not looked at again.
func appendRepeated(b []byte, s string, last *string) []byte {
	if s == *last {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	n := len(b)
	b = appendJSONString(b, s, false)
	if len(b)-n == len(s)+2 { // every escape is longer than what it stands for
		*last = s
	}
	return b
}

func appendFindingFast(b []byte, f *extract.Finding, memo *lineMemo) ([]byte, bool) {
	b = append(b, `{"doc":`...)
	b = appendRepeated(b, f.Doc, &memo.doc)
	b = append(b, `,"case":`...)
	b = appendOffset(b, f.Case)
	b = append(b, `,"section":`...)
	b = appendRepeated(b, f.Section, &memo.section)
	b = append(b, `,"category":`...)
	b = appendRepeated(b, f.Category, &memo.category)
	b = append(b, `,"concept":`...)
	b = appendJSONString(b, f.Concept, false)
	b = append(b, `,"label":`...)
	b = appendJSONString(b, f.Label, false)
	b = append(b, `,"value":`...)
	switch f.Value.Kind {
	case extract.NumValue:
		// Value.MarshalJSON prints 'f' format; encoding/json rejects what
		// that makes of NaN and the infinities.
		if math.IsNaN(f.Value.Num) || math.IsInf(f.Value.Num, 0) {
			return b, false
		}
		b = strconv.AppendFloat(b, f.Value.Num, 'f', -1, 64)
	case extract.StrValue:
		// MarshalJSON uses json.Marshal, which escapes <, > and &; the
		// encoder keeps a marshaler's output as it is.
		b = appendJSONString(b, f.Value.Str, true)
	case extract.NoValue:
		b = append(b, "null"...)
	default:
		return b, false
	}
	b = append(b, `,"value_max":`...)
	if f.ValueMax == nil {
		b = append(b, "null"...)
	} else {
		var ok bool
		if b, ok = appendJSONFloat(b, *f.ValueMax); !ok {
			return b, false
		}
	}
	if f.Operator != "" {
		b = append(b, `,"operator":`...)
		b = appendJSONString(b, f.Operator, false)
	}
	b = append(b, `,"unit":`...)
	b = appendRepeated(b, f.Unit, &memo.unit)
	b = append(b, `,"text":`...)
	b = appendJSONString(b, f.Text, false)
	b = append(b, `,"start":`...)
	b = appendOffset(b, f.Start)
	b = append(b, `,"end":`...)
	b = appendOffset(b, f.End)
	b = append(b, `,"value_start":`...)
	b = appendOffset(b, f.ValueStart)
	b = append(b, `,"value_end":`...)
	b = appendOffset(b, f.ValueEnd)
	b = append(b, `,"sentence":`...)
	if memo.ok && memo.sentence == f.Sentence {
		b = append(b, b[memo.from:memo.to]...)
	} else {
		from := len(b)
		b = appendJSONString(b, f.Sentence, false)
		memo.sentence, memo.from, memo.to, memo.ok = f.Sentence, from, len(b), true
	}
	b = append(b, `,"assertion":`...)
	b = appendRepeated(b, f.Assertion, &memo.assertion)
	b = append(b, `,"subject":`...)
	b = appendRepeated(b, f.Subject, &memo.subject)
	b = append(b, `,"rule":`...)
	b = appendJSONString(b, f.Rule, false)
	b = append(b, `,"flags":`...)
	if f.Flags == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, fl := range f.Flags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, fl, false)
		}
		b = append(b, ']')
	}
	if len(f.Attributes) > 0 {
		b = append(b, `,"attributes":`...)
		var ok bool
		if b, ok = appendJSONAny(b, f.Attributes, false); !ok {
			return b, false
		}
	}
	if c := f.ContextCue; c != nil {
		b = append(b, `,"context_cue":{"id":`...)
		b = appendJSONString(b, c.ID, false)
		b = append(b, `,"text":`...)
		b = appendJSONString(b, c.Text, false)
		b = append(b, `,"start":`...)
		b = appendOffset(b, c.Start)
		b = append(b, `,"end":`...)
		b = appendOffset(b, c.End)
		b = append(b, `,"sets":`...)
		b = appendJSONString(b, c.Sets, false)
		b = append(b, '}')
	}
	return append(b, "}\n"...), true
}

// AppendJSONString appends s as a JSON string the way NewEncoder writes
// it (no HTML escaping).
func AppendJSONString(b []byte, s string) []byte { return appendJSONString(b, s, false) }

// AppendJSONValue appends v as json.Marshal writes it (escapeHTML) or as
// NewEncoder does without the newline (!escapeHTML), for the value types
// attributes hold; ok is false for any other type, which the caller
// leaves to encoding/json.
func AppendJSONValue(b []byte, v any, escapeHTML bool) ([]byte, bool) {
	return appendJSONAny(b, v, escapeHTML)
}

func appendJSONAny(b []byte, v any, escapeHTML bool) ([]byte, bool) {
	switch t := v.(type) {
	case nil:
		return append(b, "null"...), true
	case string:
		return appendJSONString(b, t, escapeHTML), true
	case float64:
		return appendJSONFloat(b, t)
	case int:
		return appendInt(b, t), true
	case bool:
		return strconv.AppendBool(b, t), true
	case []string:
		if t == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, s := range t {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, s, escapeHTML)
		}
		return append(b, ']'), true
	case []any:
		if t == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, e := range t {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendJSONAny(b, e, escapeHTML); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		if t == nil {
			return append(b, "null"...), true
		}
		if out, ok, done := appendCommonKeys(b, t, escapeHTML); done {
			return out, ok
		}
		// encoding/json sorts a map's keys as strings; attributes have a
		// handful (most findings one), so pairs on the stack, sorted by
		// insertion, do without a lookup per key.
		type pair struct {
			k string
			v any
		}
		var pairBuf [4]pair // most attributes have one or two keys
		pairs := pairBuf[:0]
		for k, v := range t {
			pairs = append(pairs, pair{k, v})
		}
		for i := 1; i < len(pairs); i++ {
			for j := i; j > 0 && pairs[j].k < pairs[j-1].k; j-- {
				pairs[j], pairs[j-1] = pairs[j-1], pairs[j]
			}
		}
		b = append(b, '{')
		for i, p := range pairs {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, p.k, escapeHTML)
			b = append(b, ':')
			if str, isStr := p.v.(string); isStr { // most values are
				b = appendJSONString(b, str, escapeHTML)
				continue
			}
			var ok bool
			if b, ok = appendJSONAny(b, p.v, escapeHTML); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false
}

// Most findings' attributes have one of a few sets of keys: on the bulk
// corpus "kind" alone (42% of findings), "kind" and "status" (21%),
// "class" (3.5%), "kind" and "severity" (3%), "class" and "kind" (2.3%),
// "family" (1.2%), "class" and "family", "kind" and "time" (under 1%
// each). Ranging over a map costs an iterator (with a random start) and a
// step per key, five to seven times a lookup; so a map of one or two keys
// is asked for these keys, most common first, and ranged over only when
// it holds none of these sets.
var (
	singleKeys   = [...]string{"kind", "class", "family"}
	kindPartners = [...]string{"status", "severity", "class", "time", "device", "grade"}
)

// appendCommonKeys writes m as appendJSONAny does when m's keys are one of
// the common sets; done is false, and nothing written, when they are not.
func appendCommonKeys(b []byte, m map[string]any, escapeHTML bool) (out []byte, ok, done bool) {
	switch len(m) {
	case 1:
		for _, k := range singleKeys {
			if v, has := m[k]; has {
				b = append(b, '{')
				b, ok = appendAttr(b, k, v, escapeHTML)
				return append(b, '}'), ok, true
			}
		}
	case 2:
		// m's keys are {k1, k2} when both are in it, k1 < k2
		k1, k2 := "class", "family"
		v1, has1 := m["kind"]
		if has1 {
			for _, p := range kindPartners {
				if v2, has2 := m[p]; has2 {
					k1, k2 = "kind", p
					if p < k1 {
						k1, k2, v1, v2 = p, "kind", v2, v1
					}
					return appendTwoAttrs(b, k1, v1, k2, v2, escapeHTML)
				}
			}
			return b, false, false
		}
		if v1, has1 = m[k1]; has1 {
			if v2, has2 := m[k2]; has2 {
				return appendTwoAttrs(b, k1, v1, k2, v2, escapeHTML)
			}
		}
	}
	return b, false, false
}

func appendTwoAttrs(b []byte, k1 string, v1 any, k2 string, v2 any, escapeHTML bool) (out []byte, ok, done bool) {
	b = append(b, '{')
	if b, ok = appendAttr(b, k1, v1, escapeHTML); !ok {
		return b, false, true
	}
	b = append(b, ',')
	b, ok = appendAttr(b, k2, v2, escapeHTML)
	return append(b, '}'), ok, true
}

// appendAttr writes "k":v for one of the keys above, which need no
// escaping with or without HTML escaping (a test checks).
func appendAttr(b []byte, k string, v any, escapeHTML bool) ([]byte, bool) {
	b = append(b, '"')
	b = append(b, k...)
	b = append(b, '"', ':')
	if str, isStr := v.(string); isStr {
		return appendJSONString(b, str, escapeHTML), true
	}
	return appendJSONAny(b, v, escapeHTML)
}

// appendOffset is appendInt for the ints of a line, which are offsets
// into a report and case numbers: nearly all under 10,000, written here
// digit pair by digit pair without counting the digits first (a third of
// the cost of appendInt's general way, which the others take).
func appendOffset(b []byte, v int) []byte {
	switch u := uint(v); {
	case u < 10:
		return append(b, byte('0'+u))
	case u < 100:
		return append(b, digitPairs[2*u], digitPairs[2*u+1])
	case u < 1000:
		q := u / 100
		r := 2 * (u - 100*q)
		return append(b, byte('0'+q), digitPairs[r], digitPairs[r+1])
	case u < 10000:
		q := u / 100
		r := 2 * (u - 100*q)
		return append(b, digitPairs[2*q], digitPairs[2*q+1], digitPairs[r], digitPairs[r+1])
	}
	return appendInt(b, v)
}

// appendJSONFloat is encoding/json's float64 encoder: ES6 number
// formatting, exponents unpadded; NaN and infinities are not JSON.
func appendJSONFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return b, false
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 -> e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// jsonPlain marks the ASCII bytes a JSON string holds as they are:
// jsonPlain[c]&1 without HTML escaping, &2 with it.
var jsonPlain = func() (t [utf8.RuneSelf]uint8) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		if c == '"' || c == '\\' {
			continue
		}
		t[c] = 1
		if c != '<' && c != '>' && c != '&' {
			t[c] |= 2
		}
	}
	return t
}()

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plain8 reports whether none of the 8 bytes of s needs escaping without
// HTML escaping.
func plain8(s string) bool { return specialBytes(word8(s)) == 0 }

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string encoder: the short escapes,
// \u00XX for other control bytes (and <, >, & under escapeHTML), \ufffd
// for each invalid UTF-8 byte, and U+2028 and U+2029 escaped.
//
// Nearly every string of a finding (its doc, concept, rule, text,
// sentence...) is plain ASCII and goes out as it is: they are a dozen a
// finding and most are short, so the check for that is a call of its own
// (plainJSON) and this stays small enough to be inlined.
func appendJSONString(b []byte, s string, escapeHTML bool) []byte {
	if !escapeHTML && plainJSON(s) {
		b = append(b, '"')
		b = append(b, s...)
		return append(b, '"')
	}
	return appendJSONStringEscaped(b, s, escapeHTML)
}

// plainByte marks the bytes a JSON string holds as they are without HTML
// escaping: printable ASCII but the quote and the backslash.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainJSON reports whether no byte of s needs escaping (without HTML
// escaping): eight bytes at a time, the last eight overlapping the ones
// before when the length is not a multiple of eight; a string shorter than
// that byte by byte.
func plainJSON(s string) bool {
	n := len(s)
	if n < 8 {
		for i := 0; i < n; i++ {
			if !plainByte[s[i]] {
				return false
			}
		}
		return true
	}
	var special uint64
	for i := 0; i+8 <= n; i += 8 {
		special |= specialBytes(word8(s[i:]))
	}
	if n%8 != 0 {
		special |= specialBytes(word8(s[n-8:]))
	}
	return special == 0
}

// word8 is the first eight bytes of s, little-endian (one load).
func word8(s string) uint64 {
	s = s[:8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// specialBytes is nonzero when a byte of x needs escaping without HTML
// escaping: a control byte, quote, backslash or non-ASCII byte (bit tricks
// from "Bit Twiddling Hacks": haszero and hasless).
func specialBytes(x uint64) uint64 {
	less := (x - ones*0x20) &^ x // a byte < 0x20 (or >= 0x80, caught below)
	quote := x ^ (ones * '"')
	quote = (quote - ones) &^ quote
	slash := x ^ (ones * '\\')
	slash = (slash - ones) &^ slash
	return (less | quote | slash | x) & highs
}

func appendJSONStringEscaped(b []byte, s string, escapeHTML bool) []byte {
	mask := uint8(1)
	if escapeHTML {
		mask = 2
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Most of a report is plain ASCII: eight bytes at a time, as long
		// as none of them needs a look.
		if !escapeHTML {
			for ; i+8 <= len(s) && specialBytes(word8(s[i:])) == 0; i += 8 {
			}
			if i >= len(s) {
				break
			}
		}
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonPlain[c]&mask != 0 {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
