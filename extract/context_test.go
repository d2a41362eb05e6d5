package extract

import (
	"slices"
	"strings"
	"testing"

	"github.com/clinex/clinex/patterns"
)

// cueKindRank must say what patterns.CueSets and the rank maps say, for
// every Sets the loader accepts and for one it does not.
func TestCueKindRank(t *testing.T) {
	kinds := map[string]cueKind{"assertion": cueAssertion, "subject": cueSubject,
		"terminate": cueTerminate, "pseudo": cuePseudo, "cancel": cueCancel}
	for sets, kindName := range patterns.CueSets {
		want, ok := kinds[kindName]
		if !ok {
			t.Errorf("patterns.CueSets[%q] = %q, a kind the ConText stage does not know", sets, kindName)
		}
		rank := assertionRank[sets]
		if kindName == "subject" {
			rank = subjectRank[sets]
		}
		if k, r := cueKindRank(sets); k != want || int(r) != rank {
			t.Errorf("cueKindRank(%q) = %v, %d; want %v, %d", sets, k, r, want, rank)
		}
	}
	if k, r := cueKindRank("no such set"); k != cueOther || r != 0 {
		t.Errorf("cueKindRank of an unknown set = %v, %d", k, r)
	}
}

// moreWords counts bytes where strings.FieldsFunc decodes runes: the two
// must agree on every span, multi-byte runes and invalid UTF-8 included.
func TestMoreWordsMatchesFieldsFunc(t *testing.T) {
	gap := func(r rune) bool { return isWordGap(r) }
	texts := withSharedReports(t, []string{"", " ", "a", " a ", "a,b(c)d\te\nf", ",,(", "née 5 mg, (ƒ) \xff\xfe x",
		"ß\u00a0ß", "a \u2009 b"}, 300, 30)
	spans := 0
	for _, text := range texts {
		for start := 0; start < len(text); start += 37 {
			for _, n := range []int{1, 7, 40, 160} {
				s := text[start:min(len(text), start+n)]
				spans++
				want := len(strings.FieldsFunc(s, gap))
				for _, limit := range []int{0, 1, 3, 8, want - 1, want} {
					if got := moreWords(s, limit); got != (want > limit) {
						t.Fatalf("moreWords(%q, %d) = %v with %d words", s, limit, got, want)
					}
				}
			}
		}
		if want := len(strings.FieldsFunc(text, gap)); moreWords(text, want) || !moreWords(text, want-1) {
			t.Fatalf("moreWords of a whole text of %d words is wrong", want)
		}
	}
	t.Logf("%d spans", spans)
}

// sortPlaced gives slices.Sort's order, by insertion or not.
func TestSortPlaced(t *testing.T) {
	for _, n := range []int{0, 1, 2, 10, 64, 65, 200} {
		var order []placedCand
		for i := range n {
			order = append(order, placeCand((i*37+11)%17, i))
		}
		want := slices.Clone(order)
		slices.Sort(want)
		sortPlaced(order)
		if !slices.Equal(order, want) {
			t.Fatalf("%d: %v, want %v", n, order, want)
		}
		for i := 1; i < len(order); i++ {
			if order[i].sentence() < order[i-1].sentence() {
				t.Fatalf("%d: not by sentence at %d", n, i)
			}
		}
	}
}
