package extract

import (
	"reflect"
	"slices"
	"testing"
)

// refMentions is appendMentions as written before the compact rows: each
// hit's target list read in full.
func refMentions(e *Extractor, t string, hits []hit) []mention {
	var ms []mention
	for _, h := range hits {
		if e.acKinds[h.pat]&kindMention == 0 || !wordBoundedASCII(t, h.start, h.end) {
			continue
		}
		for _, tg := range e.acTargets[h.pat] {
			if tg.analyte < 0 && tg.entity < 0 || tg.exact != "" && t[h.start:h.end] != tg.exact {
				continue
			}
			ms = append(ms, mention{h.start, h.end, tg.analyte, tg.entity})
			break
		}
	}
	slices.SortFunc(ms, func(a, b mention) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	out := ms[:0]
	for _, m := range ms {
		if n := len(out); n > 0 && m.start < out[n-1].end {
			if m.end-m.start > out[n-1].end-out[n-1].start {
				out[n-1] = m
			}
			continue
		}
		out = append(out, m)
	}
	return out
}

// refCueHits is appendCueHits as written before the compact rows.
func refCueHits(e *Extractor, t string, hits []hit) []cueHit {
	var out []cueHit
	for _, h := range hits {
		for _, tg := range e.acTargets[h.pat] {
			if tg.cue < 0 {
				continue
			}
			if isWordByteAt(t, h.start) && !wordBounded(t, h.start, h.end) {
				continue
			}
			if !isWordByteAt(t, h.start) && h.end < len(t) && isWordByteAt(t, h.end-1) && isWordByteAt(t, h.end) {
				continue
			}
			cue := e.set.Cues[tg.cue]
			kind, rank := cueKindRank(cue.Sets)
			out = append(out, cueHit{h.start, h.end, cue, kind, rank})
		}
	}
	slices.SortStableFunc(out, func(a, b cueHit) int { return a.start - b.start })
	return out
}

// The mention and cue readers take a keyword's one target from a compact
// row and read the target list only for keywords with several: on shared
// reports and on text made of every keyword they give what reading the
// lists in full gives.
func TestCompactTargetsMatchLists(t *testing.T) {
	e := configExtractor(t)
	texts := sharedReports(t, bulkReports, 400)
	// every keyword twice, in its own case and upper case, so each row is
	// read at least once, keywords with several targets included
	var b []byte
	several := 0
	for i, w := range e.ac.words {
		if e.acMentions[i].several && e.acKinds[i]&kindMention != 0 || e.acCues[i].several && e.acKinds[i]&kindCue != 0 {
			several++
		}
		b = append(b, w...)
		b = append(b, " and "...)
		b = append(b, upperASCII(w)...)
		b = append(b, ". "...)
	}
	if several == 0 {
		t.Log("no keyword with several mention or cue targets")
	}
	texts = append(texts, string(b))
	// and with letters, digits and signs, ASCII or not, pressed against
	// them, for the whole-word tests
	b = b[:0]
	for i, w := range e.ac.words {
		for _, side := range []string{"é", "x", "1", "·", "\u00a0", "Ω"} {
			if i%2 == 0 {
				b = append(b, side...)
				b = append(b, w...)
			} else {
				b = append(b, w...)
				b = append(b, side...)
			}
			b = append(b, ' ')
		}
	}
	texts = append(texts, string(b))
	for _, text := range texts {
		for i := -1; i <= len(text); i++ {
			if wordByteAt(text, i) != isWordByteAt(text, i) {
				t.Fatalf("wordByteAt(%.20q, %d) = %v", text[max(0, i):], i, wordByteAt(text, i))
			}
		}
	}
	for _, text := range texts {
		hits := e.ac.appendHits(nil, text)
		if got, want := e.appendMentions(nil, text, hits), refMentions(e, text, hits); !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Fatalf("mentions differ on %.60q: %d vs %d", text, len(got), len(want))
		}
		if got, want := e.appendCueHits(nil, text, hits), refCueHits(e, text, hits); !reflect.DeepEqual(got, want) && (len(got) > 0 || len(want) > 0) {
			t.Fatalf("cue hits differ on %.60q: %d vs %d", text, len(got), len(want))
		}
	}
}

func upperASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// The entity stage walks the sentences along with the mentions; mentions
// out of text order (no caller passes them, but the stage does not rely on
// it) give the findings each mention gives alone.
func TestEntityCandidatesMentionOrder(t *testing.T) {
	texts := sharedReports(t, bulkReports, 200)
	if len(texts) == 0 {
		t.Skip("shared corpus not present")
	}
	e, ins := entityInputs(t, texts)
	compared := 0
	for _, in := range ins {
		if len(in.ms) < 2 {
			continue
		}
		for _, m := range in.ms {
			one, _ := e.entityCandidates(nil, in.t, in.L, []mention{m}, in.qs)
			// the mention after the last one: the walk must come back
			last := in.ms[len(in.ms)-1]
			two, _ := e.entityCandidates(nil, in.t, in.L, []mention{last, m}, in.qs)
			lastAlone, used := e.entityCandidates(nil, in.t, in.L, []mention{last}, in.qs)
			if slices.Contains(used, true) {
				break // the last mention takes a quantity the other might have: not comparable
			}
			if len(two) < len(lastAlone) {
				t.Fatalf("%d findings for the last mention with another, %d alone", len(two), len(lastAlone))
			}
			if m == last {
				continue
			}
			rest := two[len(lastAlone):]
			if len(rest) != len(one) {
				t.Fatalf("mention at %d: %d findings after a later mention, %d alone", m.start, len(rest), len(one))
			}
			for k := range one {
				if one[k].start != rest[k].start || one[k].concept != rest[k].concept {
					t.Fatalf("mention at %d: %+v after a later mention, %+v alone", m.start, rest[k], one[k])
				}
			}
			compared++
		}
		if compared > 500 {
			break
		}
	}
	if compared == 0 {
		t.Fatal("nothing compared")
	}
}

// The mentions' insertion sort gives the general sort's order, and stops
// past its bound on moves leaving every mention in the slice.
func TestInsertionSortMentions(t *testing.T) {
	less := func(a, b mention) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	}
	for _, n := range []int{0, 1, 2, 5, 40, 300} {
		var ms []mention
		for i := range n {
			s := (i*37 + 11) % (n + 3)
			ms = append(ms, mention{start: s, end: s + 1 + i%4 + (i*7)%5*10, entity: i})
		}
		want := slices.Clone(ms)
		slices.SortFunc(want, less)
		got := slices.Clone(ms)
		if !insertionSortMentions(got, len(got)*len(got)) || !slices.Equal(got, want) {
			t.Fatalf("%d mentions: %v, want %v", n, got, want)
		}
		got = slices.Clone(ms)
		if insertionSortMentions(got, 0) && n > 2 {
			t.Fatalf("%d mentions sorted in no move", n)
		}
		slices.SortFunc(got, less) // what appendMentions does then
		if !slices.Equal(got, want) {
			t.Fatalf("%d mentions lost or changed after a stopped sort", n)
		}
	}
}
