package extract

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// recordLines are JSONL lines with every case the one-pass reader must
// decode as encoding/json does, or leave to it.
var recordLines = []string{
	`{"id":"a1","text":"Heart rate 90 bpm."}`,
	`  {"text" : "BP 120/80\nHR 90\tbpm \"quoted\" back\\slash \/ \b\f\r" , "id" : "x"}  ` + "\r\n",
	`{"id":42,"text":"number id"}`, `{"id":-1.5e3,"text":"float id"}`, `{"id":null,"text":"null id"}`,
	`{"id":"","text":"empty id"}`, `{"id":true,"text":"bool id"}`, `{"id":{"a":[1,2]},"text":"object id"}`,
	`{"id":"esc\u00e9\"","text":"escaped id"}`, `{"text":"no id"}`, `{"id":"only id"}`,
	`{"id":"d","text":null}`, `{"id":"d","text":5}`, `{"id":"d","text":["a"]}`, `{"id":"d","text":""}`, `{"id":"d","text":"   "}`,
	`{"id":"d","text":"a","text":"last wins","id":"e"}`,
	`{"id":"d","te\u0078t":"escaped key"}`,
	`{"id":"d","text":"\u00e9\u20ac \ud83d\ude00 pair"}`,
	`{"id":"d","text":"lone \ud83d high"}`, `{"id":"d","text":"lone \ude00 low"}`, `{"id":"d","text":"\ud83d\u0041 broken pair"}`,
	`{"id":"d","text":"\ud83d\ud83d\ude00 two highs"}`, `{"id":"d","text":"nul \u0000 byte"}`, `{"id":"d","text":"\ufeffbom in text"}`,
	`{"id":"d","text":"\u00FF upper hex"}`,
	"\ufeff" + `{"id":"bom","text":"line with a BOM"}`,
	`{"id":"d","text":"raw é and 😀"}`,
	`{"id":"d","text":"bad \xff byte"}`, `{"id":"d\xfe","text":"bad byte in id"}`,
	`{"id":"d","text":"ctl ` + "\x01" + ` in string"}`,
	`{"id":"d","text":"bad escape \x"}`, `{"id":"d","text":"bad \u12g4"}`, `{"id":"d","text":"cut \u12"}`, `{"id":"d","text":"\'"}`,
	`{"id":"d","text":"x"`, `{"id":"d","text":"x"}}`, `{"id":"d","text":"x"} trailing`, `{"id":"d","text":"x",}`, `{,}`, `{}`,
	`[1,2]`, `"text"`, `null`, `42`, `{"id":"d","text":"x","n":01}`, `{"id":"d","text":"x","n":1.}`, `{"id":"d","text":"x","n":-}`,
	`{"id":"d","text":"x","n":1e}`, `{"id":"d","text":"x","n":1E+5,"m":-0.5e-3,"o":[true,false,null,{}],"p":[]}`,
	`{"id":"d","text":"x","t":tru}`, `{"id":"d","text":"x","t":nul}`, `{"id":"d" "text":"x"}`, `{"id" "d"}`, `{id:"d"}`,
	`{"id":"d","text":"x","deep":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`,
	`{"id":"d","text":"x","deep":` + strings.Repeat(`{"a":`, 150) + "1" + strings.Repeat("}", 150) + `}`,
}

// wordLines put each byte str's eight-at-a-time scan must stop at (a
// quote ending the string, an escape, a raw control byte) and bytes it
// must pass (non-ASCII, DEL, space) at every place of a word, in texts
// longer than a word and shorter.
var wordLines = func() []string {
	var lines []string
	for _, mid := range []string{`\"`, `\\`, `\n`, `\u00e9`, `\u0000`, "\x01", "\x1f", "é", "😀", "\x7f", " ", `"`,
		// str checks UTF-8 itself: stray, cut, overlong, surrogate and
		// out-of-range sequences, and a real U+FFFD, which is valid.
		"\xff", "\x80", "\xc3", "\xe2\x82", "\xf0\x9f\x98", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xef\xbf\xbd"} {
		for p := range 18 {
			for _, tail := range []string{"", "b", strings.Repeat("b", 9), strings.Repeat("b", 16)} {
				text := strings.Repeat("a", p) + mid + tail
				lines = append(lines, `{"id":"w","text":"`+text+`"}`, `{"text":"`+text+`","id":"`+text+`"}`)
			}
		}
	}
	// Two stops in a string longer than the first eight bytes str reads:
	// the second after the quote and backslash it found first.
	mids := []string{`\"`, `\\`, `\n`, `\u00e9`, "\x01", "é", "😀", "\xff", "\xc3", " ", `"`}
	for _, mid := range mids {
		for _, mid2 := range mids {
			for _, p := range []int{0, 9, 23} {
				text := strings.Repeat("a", p) + mid + strings.Repeat("b", 9) + mid2 + strings.Repeat("c", 17)
				lines = append(lines, `{"id":"w","text":"`+text+`"}`, `{"text":"`+text+`","id":"`+text+`"}`)
			}
		}
	}
	return lines
}()

func decodeBoth(line string, o SourceOptions) (fast, slow Input) {
	fast = Input{ID: "f:1", Source: "f:1"}
	slow = fast
	decodeRecord(&fast, []byte(line), "f:1", o)
	decodeRecordSlow(&slow, []byte(strings.TrimPrefix(line, "\ufeff")), "f:1", o)
	return fast, slow
}

func sameInput(a, b Input) bool {
	ea, eb := fmt.Sprint(a.Err), fmt.Sprint(b.Err)
	a.Err, b.Err = nil, nil
	return ea == eb && reflect.DeepEqual(a, b)
}

func TestScanRecordMatchesEncodingJSON(t *testing.T) {
	for _, o := range []SourceOptions{{IDField: "id", TextField: "text"}, {IDField: "id", TextField: "text", RepairUTF8: true},
		{IDField: "text", TextField: "text"}, {IDField: "", TextField: "id"}} {
		for _, line := range append(recordLines, wordLines...) {
			if fast, slow := decodeBoth(line, o); !sameInput(fast, slow) {
				t.Errorf("%+v %q:\none pass     %+v\nencoding/json %+v", o, line, fast, slow)
			}
		}
	}
}

// The one pass must take the common line, not hand everything over.
func TestScanRecordReadsPlainLines(t *testing.T) {
	for _, line := range recordLines[:9] {
		if _, ok := scanRecord([]byte(line), "id", "text"); !ok {
			t.Errorf("%q left to encoding/json", line)
		}
	}
}

func TestScanRecordOnSharedCorpus(t *testing.T) {
	f, err := os.Open(bulkReports)
	if err != nil {
		t.Skip("shared corpus missing")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	o := SourceOptions{IDField: "id", TextField: "text"}
	n, fastOnes := 0, 0
	for sc.Scan() {
		line := sc.Text()
		if fast, slow := decodeBoth(line, o); !sameInput(fast, slow) {
			t.Fatalf("line %d: one pass %+v, encoding/json %+v", n+1, fast.ID, slow.ID)
		}
		if _, ok := scanRecord([]byte(line), "id", "text"); ok {
			fastOnes++
		}
		n++
	}
	if n < 1000 || fastOnes != n {
		t.Fatalf("%d lines, %d read in one pass", n, fastOnes)
	}
}

func FuzzScanRecord(f *testing.F) {
	for _, line := range recordLines {
		f.Add(line)
	}
	o := SourceOptions{IDField: "id", TextField: "text"}
	f.Fuzz(func(t *testing.T, line string) {
		if fast, slow := decodeBoth(line, o); !sameInput(fast, slow) {
			t.Fatalf("%q:\none pass     %+v\nencoding/json %+v", line, fast, slow)
		}
	})
}

// The reader takes a text scanRecord accepted without checking it again:
// it must be valid UTF-8 (so must the whole line), and hold a NUL only if
// it had an escape.
func TestScanRecordTextNeedsNoCheck(t *testing.T) {
	for _, line := range append(recordLines, wordLines...) {
		raw := []byte(strings.TrimPrefix(line, "\ufeff"))
		rec, ok := scanRecord(raw, "id", "text")
		if !ok {
			continue
		}
		if !utf8.Valid(raw) {
			t.Errorf("%q: accepted, not valid UTF-8", line)
		}
		if !rec.hasText || rec.text[0] != '"' {
			continue
		}
		if rec.textEscaped != bytes.Contains(rec.text, []byte{'\\'}) {
			t.Errorf("%q: textEscaped %v", line, rec.textEscaped)
		}
		text := unquoteJSON(rec.text, rec.textEscaped)
		if !utf8.ValidString(text) || !rec.textEscaped && strings.IndexByte(text, 0) >= 0 {
			t.Errorf("%q: text %q", line, text)
		}
	}
}

// plainASCII must find the end of a plain ASCII run wherever it is and
// whatever comes after it: every byte at every place of words of plain
// bytes shorter and longer than eight, alone and followed by every byte.
func TestPlainASCIIFindsTheRunsEnd(t *testing.T) {
	plain := func(c byte) bool { return c >= 0x20 && c < 0x80 }
	for _, fill := range []byte{' ', 'a', '"', '\\', '~', 0x7f} {
		for n := range 18 {
			for at := range n {
				for c := range 256 {
					for _, d := range []int{-1, 0, 0x1f, 0x20, 0x7f, 0x80, 0xff} {
						w := bytes.Repeat([]byte{fill}, n)
						w[at] = byte(c)
						if d >= 0 && at+1 < n {
							w[at+1] = byte(d)
						}
						want := len(w)
						for i, b := range w {
							if !plain(b) {
								want = i
								break
							}
						}
						if got := plainASCII(w); got != want {
							t.Fatalf("% x: run of %d, want %d", w, got, want)
						}
					}
				}
			}
		}
	}
}

// stringStops must point str at the first byte that ends a plain ASCII
// run, whatever comes after it: every byte at every place of a word of
// plain bytes, alone and followed by every other byte.
func TestStringStopsFindsTheFirstStop(t *testing.T) {
	isStop := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	plains := []byte{' ', 'a', '!', '#', '[', ']', '~', 0x7f}
	for _, fill := range plains {
		for at := range 8 {
			for c := range 256 {
				for after := at + 1; after <= 8; after++ {
					for d := range 256 {
						if after == 8 && d > 0 {
							break // one word with nothing after the byte
						}
						var w [8]byte
						for i := range w {
							w[i] = fill
						}
						w[at] = byte(c)
						if after < 8 {
							w[after] = byte(d)
						}
						want := 8
						for i, b := range w {
							if isStop(b) {
								want = i
								break
							}
						}
						got := 8
						if stops := stringStops(binary.LittleEndian.Uint64(w[:])); stops != 0 {
							got = bits.TrailingZeros64(stops) >> 3
						}
						if got != want {
							t.Fatalf("% x: first stop at %d, want %d", w, got, want)
						}
					}
				}
			}
		}
	}
}
