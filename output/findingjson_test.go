package output

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/clinex/clinex/extract"
)

// libraryLine is what AppendFinding must write: encoding/json's encoder as
// every JSON output configures it.
func libraryLine(f *extract.Finding) ([]byte, error) {
	var buf bytes.Buffer
	err := NewEncoder(&buf).Encode(f)
	return buf.Bytes(), err
}

func checkSameAsLibrary(t *testing.T, f *extract.Finding) {
	t.Helper()
	want, wantErr := libraryLine(f)
	got, err := AppendFinding([]byte("prefix"), f)
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("error %v, encoding/json's %v", err, wantErr)
	}
	if !bytes.HasPrefix(got, []byte("prefix")) {
		t.Fatalf("the bytes before the line were changed: %q", got)
	}
	if err != nil {
		if err.Error() != wantErr.Error() {
			t.Fatalf("error %q, encoding/json's %q", err, wantErr)
		}
		return
	}
	if got := got[len("prefix"):]; !bytes.Equal(got, want) {
		t.Fatalf("AppendFinding\n%s\nencoding/json\n%s", got, want)
	}
}

// edgeStrings are texts whose JSON encoding has a special case.
var edgeStrings = []string{
	"", "plain", `quote " backslash \ slash /`, "<0.01 & >5", "\b\f\n\r\t\x00\x01\x1f\x7f",
	"bad \xff byte", "\xe2\x80", "cut \xf0\x9f\x98", "\u2028line\u2029para", "😀 émoji", "\ufffd", "\xed\xa0\x80 surrogate",
	"<script>", "a\u00a0b", "\uFEFFbom",
}

func edgeFindings() []extract.Finding {
	base := hardFinding()
	var fs []extract.Finding
	fs = append(fs, base)
	bare := extract.Finding{Doc: "d"} // zero everything: nil flags, no value, no attributes, no cue
	fs = append(fs, bare)
	empty := bare
	empty.Flags = []string{}
	empty.Attributes = map[string]any{} // omitempty leaves out an empty map too
	fs = append(fs, empty)
	for _, s := range edgeStrings {
		f := base
		f.Doc, f.Section, f.Label, f.Text, f.Sentence, f.Rule, f.Operator = s, s, s, s, s, s, s
		f.Value = extract.String(s)
		f.Flags = []string{s, "x"}
		f.Attributes = map[string]any{s: s, "k" + s: []any{s, 1.5, nil, true}}
		f.ContextCue = &extract.ContextCue{ID: s, Text: s, Sets: s, Start: -1, End: 7}
		fs = append(fs, f)
	}
	for _, v := range []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-10, 1e20, 1e21, 1.234e21, -2e300,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 123456789.125, 37.5, 1.0 / 3} {
		f := base
		v := v
		f.Value = extract.Number(v)
		f.ValueMax = &v
		f.Attributes = map[string]any{"n": v, "time": map[string]any{"value": v, "unit": "h", "relation": "after"}, "count": 3, "neg": -42}
		fs = append(fs, f)
	}
	// Values encoding/json refuses or that only it knows how to write:
	// AppendFinding must hand them over and give the same bytes or error.
	nan, inf := math.NaN(), math.Inf(1)
	for _, f := range []extract.Finding{
		{Doc: "nan", Value: extract.Number(nan)},
		{Doc: "inf", Value: extract.Number(math.Inf(-1))},
		{Doc: "max-nan", ValueMax: &nan},
		{Doc: "max-inf", ValueMax: &inf},
		{Doc: "attr-nan", Attributes: map[string]any{"x": nan}},
		{Doc: "attr-types", Attributes: map[string]any{"i64": int64(5), "u8": uint8(7), "f32": float32(0.1),
			"strs": []string{"a", "<b>"}, "nilstrs": []string(nil), "nilmap": map[string]any(nil), "nilany": []any(nil),
			"value": extract.Number(2.5), "raw": json.RawMessage(`{"a": 1}`), "map": map[string]int{"b": 2, "a": 1}}},
		{Doc: "kind", Value: extract.Value{Kind: 9}},
	} {
		fs = append(fs, f)
	}
	// Many attributes: more keys than the sort's stack array holds.
	many := base
	many.Attributes = map[string]any{}
	for i := range 40 {
		many.Attributes[strings.Repeat("k", 40-i)] = i
	}
	fs = append(fs, many)
	return fs
}

func TestAppendFindingMatchesEncodingJSON(t *testing.T) {
	for i, f := range edgeFindings() {
		t.Run(strconv.Itoa(i), func(t *testing.T) { checkSameAsLibrary(t, &f) })
	}
}

// AppendFinding writes the escaped string json.Marshal would for a
// categorical value (Value.MarshalJSON escapes HTML) and the unescaped one
// everywhere else: the test above compares bytes, this says it plainly.
func TestAppendFindingHTMLEscapingOnlyInValue(t *testing.T) {
	f := extract.Finding{Doc: "<a&b>", Value: extract.String("<a&b>")}
	got, err := AppendFinding(nil, &f)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(got, []byte(`"doc":"<a&b>"`)) || !bytes.Contains(got, []byte(`"value":"\u003ca\u0026b\u003e"`)) {
		t.Fatalf("got %s", got)
	}
}

func TestEncodeFindingsMatchesWrite(t *testing.T) {
	d := &DocResult{Findings: edgeFindings()[:5]}
	var want bytes.Buffer
	enc := NewEncoder(&want)
	for i := range d.Findings {
		if err := enc.Encode(&d.Findings[i]); err != nil {
			t.Fatal(err)
		}
	}
	var got bytes.Buffer
	if err := EncodeFindings(&got, d); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		t.Fatalf("EncodeFindings\n%s\nencoding/json\n%s", got.Bytes(), want.Bytes())
	}
}

// FuzzAppendFinding: for any strings and numbers in any field, the line is
// encoding/json's, byte for byte (or the same error).
func FuzzAppendFinding(f *testing.F) {
	for _, s := range edgeStrings {
		f.Add(s, s, 1.5, -3.25, 7, true)
	}
	f.Add("a", "b", math.NaN(), 1e21, -1, false)
	f.Add("\u2029", "\xff", 1e-7, 0.0, 0, true)
	f.Fuzz(func(t *testing.T, s1, s2 string, v, vmax float64, n int, flag bool) {
		fd := extract.Finding{Doc: s1, Case: n, Section: s2, Category: s1, Concept: s2, Label: s1 + s2,
			Unit: s2, Text: s1, Start: n, End: -n, ValueStart: n / 2, ValueEnd: n * 3, Sentence: s2 + s1,
			Assertion: s1, Subject: s2, Rule: s1, Operator: s2}
		if flag {
			fd.Value = extract.Number(v)
			fd.ValueMax = &vmax
			fd.Flags = []string{s1, s2}
			fd.Attributes = map[string]any{s1: v, s2: map[string]any{"value": vmax, s1: s2, "n": n}}
			fd.ContextCue = &extract.ContextCue{ID: s1, Text: s2, Start: n, End: n + 1, Sets: s1}
		} else {
			fd.Value = extract.String(s1)
			fd.Attributes = map[string]any{s2: []any{s1, v, flag, nil}}
			if n%2 == 0 {
				fd.Flags = []string{}
			}
		}
		checkSameAsLibrary(t, &fd)
	})
}

// plain8 passes eight bytes only when none needs a look, wherever the
// byte is among them and whatever the others are.
func TestPlain8(t *testing.T) {
	for _, fill := range []byte{'a', ' ', '~', '!'} {
		for c := 0; c < 256; c++ {
			for p := range 8 {
				s := []byte(strings.Repeat(string(fill), 8))
				s[p] = byte(c)
				want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
				if got := plain8(string(s)); got != want {
					t.Fatalf("plain8(%q) = %v", s, got)
				}
			}
		}
	}
}

// plainJSON looks at every byte whatever the length: the short strings
// byte by byte, the others eight at a time with an overlapping last word.
func TestPlainJSON(t *testing.T) {
	for n := 1; n <= 25; n++ {
		for c := 0; c < 256; c++ {
			for p := range n {
				s := []byte(strings.Repeat("a", n))
				s[p] = byte(c)
				want := c >= 0x20 && c < 0x80 && c != '"' && c != '\\'
				if got := plainJSON(string(s)); got != want {
					t.Fatalf("plainJSON(%q) = %v", s, got)
				}
			}
		}
	}
	if !plainJSON("") {
		t.Fatal(`plainJSON("") = false`)
	}
}

// The workbook's attribute cells are json.Marshal's (HTML escaped).
func TestAppendJSONValueMatchesMarshal(t *testing.T) {
	for i, f := range edgeFindings() {
		for _, v := range []any{f.Attributes, map[string]any{"flags": f.Flags}, f.Value.Interface()} {
			want, wantErr := json.Marshal(v)
			got, ok := AppendJSONValue(nil, v, true)
			if !ok {
				continue // the caller leaves it to json.Marshal
			}
			if wantErr != nil || !bytes.Equal(got, want) {
				t.Fatalf("%d: AppendJSONValue %s, json.Marshal %s (%v)", i, got, want, wantErr)
			}
		}
	}
}

// The attribute maps appendCommonKeys writes without ranging over them, and
// the near misses it must leave to the range: each written as encoding/json
// writes it, with HTML escaping (the workbook) and without (the lines).
func TestCommonAttributeKeysMatchEncodingJSON(t *testing.T) {
	var keySets [][]string
	for _, k := range singleKeys {
		keySets = append(keySets, []string{k}, []string{k, "other"}, []string{k, "a"})
	}
	for _, p := range kindPartners {
		keySets = append(keySets, []string{"kind", p}, []string{p}, []string{p, "zz"}, []string{"kind", p, "time"})
	}
	keySets = append(keySets, []string{"class", "family"}, []string{"class", "family", "kind"},
		[]string{"kind", "kind2"}, []string{"family", "maker"}, []string{"class", "route"}, []string{"other"})
	values := []any{"plain", "<a&b>", "quote \" \u2028 \xff", 3, 1.5e-7, true, nil, []string{"x", "<y>"},
		map[string]any{"value": 2.0, "unit": "d"}, []any{"a", 1.0}, int64(9)}
	var maps []map[string]any
	for _, ks := range keySets {
		for i, v := range values {
			m := map[string]any{}
			for j, k := range ks {
				m[k] = values[(i+j*3)%len(values)]
			}
			m[ks[0]] = v
			maps = append(maps, m)
		}
	}
	maps = append(maps, map[string]any{"kind": math.NaN()}, map[string]any{"kind": "x", "status": math.Inf(1)},
		map[string]any{"class": math.NaN(), "kind": "x"})
	common := 0
	for _, m := range maps {
		if _, _, done := appendCommonKeys(nil, m, false); done {
			common++
		}
		for _, html := range []bool{false, true} {
			got, ok := appendJSONAny([]byte("x"), m, html)
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(html)
			wantErr := enc.Encode(m)
			if ok && wantErr != nil { // !ok alone is fine: the caller asks encoding/json
				t.Fatalf("%v (html %v): written, but encoding/json's error %v", m, html, wantErr)
			}
			if ok && string(got) != "x"+strings.TrimSuffix(want.String(), "\n") {
				t.Fatalf("%v (html %v): %s, encoding/json %s", m, html, got[1:], want.Bytes())
			}
		}
	}
	// the fast path was taken for the common sets, not only the range
	if common < len(values)*(len(singleKeys)+len(kindPartners)+1) {
		t.Fatalf("only %d of %d maps written by appendCommonKeys", common, len(maps))
	}
}

// appendAttr writes the common keys as they are: none may need escaping.
func TestCommonAttributeKeysArePlain(t *testing.T) {
	for _, k := range append(append([]string{"kind", "class", "family"}, singleKeys[:]...), kindPartners[:]...) {
		for _, html := range []bool{false, true} {
			want, _ := json.Marshal(k)
			if got := appendJSONString(nil, k, html); string(got) != `"`+k+`"` || string(want) != `"`+k+`"` {
				t.Fatalf("key %q is not plain JSON", k)
			}
		}
	}
}

// AppendFindings remembers the last plain value of the fields that repeat
// from one finding to the next: runs of repeats, plain and escaped, and
// changes between them, must all come out as encoding/json writes them.
func TestAppendFindingsRepeatsMatchEncodingJSON(t *testing.T) {
	base := hardFinding()
	var fs []extract.Finding
	for i := range 4 * len(edgeStrings) {
		f := base
		s := edgeStrings[(i/2)%len(edgeStrings)] // each value twice in a row
		u := edgeStrings[(i/3)%len(edgeStrings)] // runs of three, out of step
		f.Doc, f.Section, f.Category, f.Unit, f.Assertion, f.Subject = s, u, s, u, s, u
		f.Sentence = edgeStrings[(i/4)%len(edgeStrings)]
		fs = append(fs, f)
	}
	checkLinesSameAsLibrary(t, &DocResult{Findings: fs})
}

func checkLinesSameAsLibrary(t *testing.T, d *DocResult) {
	t.Helper()
	var want bytes.Buffer
	enc := NewEncoder(&want)
	for i := range d.Findings {
		if err := enc.Encode(&d.Findings[i]); err != nil {
			t.Fatal(err)
		}
	}
	got, err := AppendFindings([]byte("prefix"), d)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got[len("prefix"):], want.Bytes()) {
		g, w := strings.Split(string(got[len("prefix"):]), "\n"), strings.Split(want.String(), "\n")
		for i := range min(len(g), len(w)) {
			if g[i] != w[i] {
				t.Fatalf("line %d: AppendFindings\n%s\nencoding/json\n%s", i, g[i], w[i])
			}
		}
		t.Fatalf("AppendFindings wrote %d lines, encoding/json %d", len(g), len(w))
	}
}

// appendOffset writes every int as strconv does: each boundary of its
// digit-pair cases, the negatives and the extremes.
func TestAppendOffsetMatchesStrconv(t *testing.T) {
	vs := []int{math.MinInt, math.MaxInt, -10000, -1, 1 << 40}
	for v := -1000; v <= 120000; v++ {
		vs = append(vs, v)
	}
	for _, v := range vs {
		if got, want := appendOffset([]byte("x"), v), strconv.AppendInt([]byte("x"), int64(v), 10); !bytes.Equal(got, want) {
			t.Fatalf("appendOffset(%d) = %s, want %s", v, got[1:], want[1:])
		}
	}
}
