package extract

import (
	"math/rand"
	"strings"
	"testing"

	"github.com/jdkato/prose/v3/tokenize"
)

var proseTokenizer = tokenize.New()

// tokenEdgeCases trip each rule of prose's tokenizer: emoticons, dotted
// abbreviations, contractions in both apostrophes and in any case,
// prefixes and suffixes (straight and curly), Unicode spaces, broken UTF-8
// and runs of more tokens than backTokens keeps on the stack.
var tokenEdgeCases = []string{
	"", " ", "  \n\t", "a", "(a)", "((a))", "$5", "\"x\"", "[ref]", "“quoted”", "‘single’", "end.", "e.g. i.e. U.S.A. Dr. Mrs. Mr Jan. A.b",
	"don't DON'T it's IT'S we're I'm they'll can’t it’s we’re I’m they’ll n't 's 'll x'sy's o'neil's",
	":-) (-_-) :( :((( 8D xD XDD O.o ¯\\(ツ)/¯ (╯°□°）╯︵┻━┻ (ಠ_ಠ) :-)).",
	"a\u00a0b\u2009c\u3000d\u0085e\u2028f\vg\fh\ri", "naïve café 25-hydroxyvitamin", "\xff\xfe bad \xe2\x80 x\xe2\x80\xa8y \xc2",
	"forced vital capacity (FVC) of", "gradient (mean, peak) of about", "a),", "?!.", "'''", "’’’", "(((((((((((x))))))))))).,;:!?",
	strings.Repeat("of ", 40) + "x", strings.Repeat("(a) ", 30), "score:5/10, 'x'.", "\"(a\")", "$(x)$",
}

func tokenTexts(t *testing.T) []string {
	return withSharedReports(t, append([]string(nil), tokenEdgeCases...), 600, 60)
}

func proseToks(s string) []wordTok {
	var out []wordTok
	for _, tk := range proseTokenizer.Tokenize(s) {
		out = append(out, wordTok{tk.Text, tk.Start})
	}
	return out
}

func sameToks(got, want []wordTok) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if got[i] != want[i] {
			return false
		}
	}
	return true
}

func backAll(w string) []wordTok {
	bt := backTokens{w: w, e: len(w)}
	var rev []wordTok
	for r := 0; bt.has(r); r++ {
		rev = append(rev, bt.at(r))
	}
	for l, r := 0, len(rev)-1; l < r; l, r = l+1, r-1 {
		rev[l], rev[r] = rev[r], rev[l]
	}
	return rev
}

// tokenWindows are the windows the label finders tokenize: the bytes
// before and after every digit, cut anywhere (even inside a rune), plus
// random byte strings.
func tokenWindows(t *testing.T) []string {
	var ws []string
	for _, text := range tokenTexts(t) {
		ws = append(ws, text)
		for i := 0; i < len(text); i++ {
			if isDigit(text[i]) || i%97 == 0 {
				ws = append(ws, text[max(0, i-120):i], text[i:min(len(text), i+60)])
			}
		}
	}
	// Each emoticon kept whole, alone, among words and with affixes.
	for e := range emoticons {
		ws = append(ws, e, "x "+e+" y", e+".", "("+e, "“"+e+"”", e+"'s")
	}
	rng := rand.New(rand.NewSource(7))
	alphabet := []string{"a", "B", " ", "\n", "(", ")", ".", "'", "’", "n", "t", "s", ",", "\u00a0", "\xe2", "\x80", ":", "-", "D", "$", "“", "”", "\"", "e.g.", "Dr."}
	for n := 0; n < 3000; n++ {
		var b strings.Builder
		for k := rng.Intn(16); k >= 0; k-- {
			b.WriteString(alphabet[rng.Intn(len(alphabet))])
		}
		ws = append(ws, b.String())
	}
	return ws
}

func TestWordTokensMatchProse(t *testing.T) {
	ws := tokenWindows(t)
	tokens := 0
	for _, w := range ws {
		want := proseToks(w)
		tokens += len(want)
		if got := appendTokensFrom(w, nil, len(w)+1); !sameToks(got, want) {
			t.Fatalf("forward tokens of %q:\n got %v\nwant %v", w, got, want)
		}
		if got := backAll(w); !sameToks(got, want) {
			t.Fatalf("backward tokens of %q:\n got %v\nwant %v", w, got, want)
		}
		// Stopping early keeps the tokens before the stop.
		if got := appendTokensFrom(w, nil, 4); len(got) < min(4, len(want)) || !sameToks(got, want[:len(got)]) {
			t.Fatalf("first tokens of %q: got %v, want a prefix of %v", w, got, want)
		}
	}
	t.Logf("%d windows, %d tokens", len(ws), tokens)
	if tokens < 1000 {
		t.Fatalf("only %d tokens: the comparison proves nothing", tokens)
	}
}

// The label finders before the port, on prose's tokenizer.
func measurementLabelProse(t string, sentStart, pos int) (string, int) {
	from := max(sentStart, pos-120)
	toks := proseTokenizer.Tokenize(t[from:pos])
	i := len(toks) - 1
	for ; i >= 0; i-- {
		w := strings.ToLower(toks[i].Text)
		if w == ")" && i > 0 {
			k := i - 1
			for k >= 0 && toks[k].Text != "(" && i-k < 5 {
				k--
			}
			if k >= 0 && toks[k].Text == "(" {
				i = k
				continue
			}
		}
		if !labelSkip[w] {
			break
		}
	}
	var words []string
	start := -1
	for ; i >= 0 && len(words) < 4; i-- {
		w := toks[i].Text
		lw := strings.ToLower(w)
		if labelStop[lw] || !isLabelWord(w) {
			break
		}
		words = append(words, w)
		start = from + toks[i].Start
	}
	if len(words) == 0 {
		return "", pos
	}
	for l, r := 0, len(words)-1; l < r; l, r = l+1, r-1 {
		words[l], words[r] = words[r], words[l]
	}
	return strings.Join(words, " "), start
}

func labelAfterProse(t string, pos, limit int) (string, int) {
	rest := t[pos:min(limit, pos+60)]
	toks := proseTokenizer.Tokenize(rest)
	var words []string
	end := pos
	for i, tk := range toks {
		lw := strings.ToLower(tk.Text)
		if i == 0 && lw == "in" && len(toks) > 1 {
			switch strings.ToLower(toks[1].Text) {
			case "diameter", "size", "length", "width", "thickness", "depth", "height":
				return toks[1].Text, pos + toks[1].Start + len(toks[1].Text)
			}
		}
		if labelStop[lw] || !isLabelWord(tk.Text) || len(words) == 3 {
			break
		}
		words = append(words, tk.Text)
		end = pos + tk.Start + len(tk.Text)
	}
	return strings.Join(words, " "), end
}

func TestLabelFindersMatchProse(t *testing.T) {
	texts := append(tokenTexts(t), "a transmitral gradient of 4 mmHg", "forced vital capacity (FVC) of 2.1 L",
		"a 1cm uterine myoma", "7 mm in Diameter", "8 mm IN size, 9 mm in", "The Gradient WAS about 5", "Kelvin \u212a 5")
	before, after := 0, 0
	for _, text := range texts {
		for i := 0; i <= len(text); i++ {
			if i < len(text) && !isDigit(text[i]) && i%13 != 0 {
				continue
			}
			for _, sentStart := range []int{0, max(0, i-30), i} {
				gl, gs := measurementLabel(text, sentStart, i)
				wl, ws := measurementLabelProse(text, sentStart, i)
				if gl != wl || gs != ws {
					t.Fatalf("measurementLabel(%q, %d, %d) = %q, %d; prose %q, %d", text, sentStart, i, gl, gs, wl, ws)
				}
				if s := measurementLabelStart(text, sentStart, i); s != ws {
					t.Fatalf("measurementLabelStart(%q, %d, %d) = %d; prose %d", text, sentStart, i, s, ws)
				}
				if wl != "" {
					before++
				}
			}
			for _, limit := range []int{len(text), min(len(text), i+20), i} {
				gl, ge := labelAfter(text, i, limit)
				wl, we := labelAfterProse(text, i, limit)
				if gl != wl || ge != we {
					t.Fatalf("labelAfter(%q, %d, %d) = %q, %d; prose %q, %d", text, i, limit, gl, ge, wl, we)
				}
				if wl != "" {
					after++
				}
			}
		}
	}
	t.Logf("labels before: %d, after: %d", before, after)
	if before < 100 || after < 100 {
		t.Fatalf("too few labels to prove anything: before %d, after %d", before, after)
	}
}

func FuzzWordTokensMatchProse(f *testing.F) {
	for _, s := range tokenEdgeCases {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, w string) {
		want := proseToks(w)
		if got := appendTokensFrom(w, nil, len(w)+1); !sameToks(got, want) {
			t.Fatalf("forward tokens of %q:\n got %v\nwant %v", w, got, want)
		}
		if got := backAll(w); !sameToks(got, want) {
			t.Fatalf("backward tokens of %q:\n got %v\nwant %v", w, got, want)
		}
	})
}

func BenchmarkLabelFinders(b *testing.B) {
	texts := sharedReports(b, bulkReports, 300)
	if texts == nil {
		b.Skip("shared corpus missing")
	}
	var positions [][2]int
	for ti, text := range texts {
		for i := 1; i < len(text); i++ {
			if isDigit(text[i]) && !isDigit(text[i-1]) {
				positions = append(positions, [2]int{ti, i})
			}
		}
	}
	run := func(b *testing.B, before func(string, int, int) (string, int), after func(string, int, int) (string, int)) {
		b.ReportAllocs()
		for b.Loop() {
			for _, p := range positions {
				text := texts[p[0]]
				before(text, 0, p[1])
				after(text, p[1], len(text))
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(positions)), "ns/number")
	}
	b.Run("port", func(b *testing.B) { run(b, measurementLabel, labelAfter) })
	b.Run("prose", func(b *testing.B) { run(b, measurementLabelProse, labelAfterProse) })
}
