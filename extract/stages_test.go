package extract

import (
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"slices"
	"sort"
	"syscall"
	"testing"
	"time"

	"github.com/clinex/clinex/patterns"
	"github.com/go-viper/mapstructure/v2"
	"gopkg.in/yaml.v3"
)

// configExtractor builds the extractor the command builds: the built-in
// patterns and the extract and segment settings of ../config.yaml (the
// root package, which loads it, cannot be imported from here).
func configExtractor(tb testing.TB) *Extractor {
	tb.Helper()
	data, err := os.ReadFile("../config.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	var cfg struct {
		Extract map[string]any `yaml:"extract"`
		Segment map[string]any `yaml:"segment"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		tb.Fatal(err)
	}
	var opts Options
	var seg SegmentConfig
	if err := mapstructure.Decode(cfg.Extract, &opts); err != nil {
		tb.Fatal(err)
	}
	if err := mapstructure.Decode(cfg.Segment, &seg); err != nil {
		tb.Fatal(err)
	}
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		tb.Fatal(err)
	}
	e, err := NewExtractor(set, seg, opts)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

// stageInput is one report as the rule, resolve and context stages get it
// from the stages before them.
type stageInput struct {
	text       string      // the report as read
	norm       *Normalized // text normalized, with its offset map
	t          string
	L          *Layout
	hits       []hit
	protected  [][2]int
	ruleCands  []candidate // runRules' output
	unresolved []candidate // every stage's candidates, before resolve
	resolved   []candidate
	cues       []cueHit
}

func (in *stageInput) inProtected(p int) bool {
	i := sort.Search(len(in.protected), func(i int) bool { return in.protected[i][1] > p })
	return i < len(in.protected) && in.protected[i][0] <= p
}

// stageInputs runs Extract's stages up to each of the timed ones, as
// Extract does, on the first n shared reports.
func stageInputs(tb testing.TB, e *Extractor, n int) []*stageInput {
	tb.Helper()
	texts := sharedReports(tb, bulkReports, n)
	if texts == nil {
		tb.Skip("shared corpus not present")
	}
	return stageInputsOf(e, texts)
}

// stageInputsOf is stageInputs of the given texts.
func stageInputsOf(e *Extractor, texts []string) []*stageInput {
	var out []*stageInput
	for _, text := range texts {
		nz := Normalize(text, e.seg.Lines())
		in := &stageInput{text: text, norm: nz, t: nz.Text, L: e.seg.Segment(nz)}
		t := in.t
		in.hits = e.ac.appendHits(nil, t)
		in.protected = e.protectedSpans(t, in.hits)
		in.ruleCands = e.runRules(t, in.L, in.hits, in.inProtected)
		cands := append([]candidate(nil), in.ruleCands...)
		var analyteMs, entityMs []mention
		for _, m := range e.mentions(t, in.hits) {
			if m.entity >= 0 {
				entityMs = append(entityMs, m)
			} else {
				analyteMs = append(analyteMs, m)
			}
		}
		qs := e.scanner.Scan(t, in.inProtected)
		cands, used := e.entityCandidates(cands, t, in.L, entityMs, qs)
		var free []Quantity
		for i := range qs {
			if !used[i] {
				free = append(free, qs[i])
			}
		}
		attached := len(cands)
		cands = e.attach(cands, t, in.L, analyteMs, free)
		e.linkDeviceSettings(t, in.L, entityMs, cands[attached:])
		in.unresolved = cands
		in.resolved = resolve(append([]candidate(nil), cands...))
		in.cues = e.cueHits(t, in.hits)
		out = append(out, in)
	}
	return out
}

// resolve must keep the same candidates in the same order as the version
// that copied them into four slices, on every shared report.
func TestResolveMatchesReference(t *testing.T) {
	e := configExtractor(t)
	n := enough(400)
	ins := stageInputs(t, e, n)
	total := 0
	for i, in := range ins {
		got, want := resolve(in.unresolved), resolveReference(in.unresolved)
		total += len(in.unresolved)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("report %d: resolve keeps %d candidates, the reference %d (or another order)", i, len(got), len(want))
		}
	}
	t.Logf("%d reports, %d candidates", len(ins), total)
}

// resolveReference is resolve as it was before it sifted indexes, kept
// to check the new one against. It settles overlaps: a rule's finding wins over a value found by
// unit at the same place; two rules giving one concept for the same value
// keep the higher priority, then the longer evidence.
func resolveReference(cands []candidate) []candidate {
	// A rule with negative priority is a fallback: it gives way to a value
	// the lexicon attached (the named-score rule must not take "Ki-67 index
	// was 40%" from the Ki-67 entry).
	// Sized first: candidates are large and growing four slices by
	// doubling was a fifth of all the bytes the pipeline allocated.
	var nRules, nRest, nWeak, nEntities int
	for i := range cands {
		switch c := &cands[i]; {
		case c.entity:
			nEntities++
		case c.fromRule && c.priority < 0:
			nWeak++
		case c.fromRule:
			nRules++
		default:
			nRest++
		}
	}
	rules := make([]candidate, 0, nRules+nWeak)
	rest := make([]candidate, 0, nRest)
	weak := make([]candidate, 0, nWeak)
	entities := make([]candidate, 0, nEntities)
	for _, c := range cands {
		switch {
		case c.entity:
			entities = append(entities, c)
		case c.fromRule && c.priority < 0:
			weak = append(weak, c)
		case c.fromRule:
			rules = append(rules, c)
		default:
			rest = append(rest, c)
		}
	}
	for _, w := range weak {
		taken := false
		for _, group := range [2][]candidate{rules, rest} {
			for i := range group {
				if overlaps(w.vstart, w.vend, group[i].vstart, group[i].vend) {
					taken = true
					break
				}
			}
		}
		if !taken {
			rules = append(rules, w)
		}
	}
	sort.SliceStable(rules, func(i, j int) bool {
		a, b := rules[i], rules[j]
		if a.priority != b.priority {
			return a.priority > b.priority
		}
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return la > lb
		}
		return a.order < b.order
	})
	kept := make([]candidate, 0, len(rules)+len(rest)+len(entities))
	for _, c := range rules {
		dup := false
		for _, k := range kept {
			if k.concept == c.concept && overlaps(k.vstart, k.vend, c.vstart, c.vend) {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, c)
		}
	}
	ruleKept := len(kept)
	for _, c := range rest {
		claimed := false
		for _, k := range kept[:ruleKept] {
			if overlaps(k.vstart, k.vend, c.vstart, c.vend) {
				claimed = true
				break
			}
		}
		if !claimed {
			kept = append(kept, c)
		}
	}
	return append(kept, entities...)
}

// cpuTime is the CPU time (user and system) the process has used. The
// benchmarks report it per op next to the wall-clock figure, which the
// other jobs on a shared machine inflate.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU times f's b.N runs in CPU time, with the collector off: it
// would mark the inputs of all the reports, which dwarfs the stages. The
// stage's own garbage shows in B/op.
func reportCPU(b *testing.B, f func()) {
	runtime.GC()
	defer debug.SetGCPercent(debug.SetGCPercent(-1))
	b.ReportAllocs()
	b.ResetTimer()
	start := cpuTime()
	for range b.N {
		f()
	}
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N), "cpu-ns/op")
}

// The three benchmarks time one stage each over 1,000 shared reports; the
// figure to read is ns/op divided by 1,000, per report.
//
//	go test -run '^$' -bench 'Stage' -count 6 ./extract/
func BenchmarkStageRules(b *testing.B) {
	e := configExtractor(b)
	ins := stageInputs(b, e, 1000)
	reportCPU(b, func() {
		for _, in := range ins {
			e.runRules(in.t, in.L, in.hits, in.inProtected)
		}
	})
}

// BenchmarkStageBuild times build, which maps the resolved candidates back
// to the original text and fills the findings.
func BenchmarkStageBuild(b *testing.B) {
	e := configExtractor(b)
	ins := stageInputs(b, e, 1000)
	reportCPU(b, func() {
		for _, in := range ins {
			doc := &Document{ID: "bench", Text: in.text, Norm: in.norm, Layout: in.L}
			e.build(doc, in.resolved)
		}
	})
}

func BenchmarkStageResolve(b *testing.B) {
	e := configExtractor(b)
	ins := stageInputs(b, e, 1000)
	reportCPU(b, func() {
		for _, in := range ins {
			resolve(in.unresolved)
		}
	})
}

func BenchmarkStageContext(b *testing.B) {
	e := configExtractor(b)
	ins := stageInputs(b, e, 1000)
	work := make([][]candidate, len(ins))
	reportCPU(b, func() {
		for i, in := range ins {
			// qualify writes into its candidates: a fresh copy each time
			work[i] = append(work[i][:0], in.resolved...)
			e.qualify(in.t, in.L, work[i], e.cueHits(in.t, in.hits))
		}
	})
}

// mapValue gives the first key, in sorted order, that lists the text
// (case and surrounding space aside), whatever order the map is read in.
func TestMapValueFirstSortedKey(t *testing.T) {
	values := map[string][]string{"m": {"Male", "man"}, "f": {"female", "MAN"}, "z": {"man"}, "u": {"unknown"}}
	for range 20 { // map order changes from one range to the next
		if v, ok := mapValue(values, "  Man "); !ok || v != String("f") {
			t.Fatalf("mapValue(man) = %v, %v; want f", v, ok)
		}
		if v, ok := mapValue(values, "male"); !ok || v != String("m") {
			t.Fatalf("mapValue(male) = %v, %v; want m", v, ok)
		}
		if _, ok := mapValue(values, "woman"); ok {
			t.Fatal("mapValue(woman) found a key")
		}
	}
}

// Extract qualifies and builds the kept candidates through resolve's
// indices instead of a copy of them: the findings are those of the copy,
// and so is their order where candidates tie on everything build sorts by.
func TestKeptIndexBuildsAsTheCopy(t *testing.T) {
	e := configExtractor(t)
	n := enough(300)
	ins := stageInputs(t, e, n)
	total := 0
	for _, in := range ins {
		copied := resolve(append([]candidate(nil), in.unresolved...))
		e.qualify(in.t, in.L, copied, in.cues)
		want := e.build(&Document{ID: "x", Text: in.text, Norm: in.norm, Layout: in.L}, copied)

		cands := append([]candidate(nil), in.unresolved...)
		sc := new(candScratch)
		kept := resolveScratch(sc, cands)
		e.qualifyKept(sc, in.t, in.L, cands, kept, in.cues)
		got := e.buildKept(&Document{ID: "x", Text: in.text, Norm: in.norm, Layout: in.L}, cands, kept)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%d findings through the index, %d through the copy, or they differ", len(got), len(want))
		}
		total += len(got)
	}
	if total == 0 {
		t.Fatal("no findings")
	}
	// ties on all build sorts by keep their order in the kept list
	cands := []candidate{{concept: "a", rule: "r", order: 0}, {concept: "a", rule: "r", order: 1}, {concept: "a", rule: "r", order: 2}}
	for _, kept := range [][]int32{{2, 0, 1}, {1, 2, 0}, {0, 1, 2}} {
		got := sortKept(new(buildScratch), cands, kept)
		if !slices.Equal(got, kept) {
			t.Errorf("tied candidates kept as %v sorted as %v", kept, got)
		}
	}
}

// qualifyKept finds each candidate's sentence with a cursor walking on
// from the last one's: the sentences are SentenceAt's, by value then
// evidence (placedSentence), whatever order the kept list comes in.
func TestQualifySentencesAreSentenceAt(t *testing.T) {
	e := configExtractor(t)
	n := enough(300)
	checked := 0
	for _, in := range stageInputs(t, e, n) {
		cands := append([]candidate(nil), in.unresolved...)
		sc := new(candScratch)
		kept := slices.Clone(resolveScratch(sc, cands))
		// some whose value lies in no sentence: their evidence's is theirs
		for k := 0; k < len(kept); k += 5 {
			c := cands[kept[k]]
			c.vstart, c.vend = len(in.t)+1, len(in.t)+2
			cands = append(cands, c)
			kept = append(kept, int32(len(cands)-1))
		}
		reversed := slices.Clone(kept)
		slices.Reverse(reversed)
		for _, list := range [][]int32{kept, reversed} {
			for i := range cands {
				cands[i].sentence = -7
			}
			e.qualifyKept(sc, in.t, in.L, cands, list, in.cues)
			for _, i := range list {
				if got, want := cands[i].sentence, int32(placedSentence(in.L, &cands[i])+1); got != want {
					t.Fatalf("candidate %d (%d-%d, value %d-%d): sentence %d, placedSentence %d", i,
						cands[i].start, cands[i].end, cands[i].vstart, cands[i].vend, got-1, want-1)
				}
				checked++
			}
		}
	}
	if checked < 1000 {
		t.Fatalf("only %d candidates checked", checked)
	}
}

// qualifyKept settles the candidates of a sentence without a cue other
// than terminators by their section alone: the same as qualifyOne gives
// each candidate with its sentence's cues, looked up afresh for each.
func TestQualifyKeptIsQualifyOneEach(t *testing.T) {
	e := configExtractor(t)
	n := enough(300)
	// the bulk reports have no headings: a Discussion section for the
	// population subject, with and without the patient named
	madeUp := stageInputsOf(e, []string{
		"CASE REPORT\nA 45-year-old man had a heart rate of 120 bpm and a temperature of 39 °C.\n\n" +
			"DISCUSSION\nMortality rates reach 35% in such cases. Blood pressure above 140/90 mmHg is common in adults, " +
			"and a heart rate of 130 bpm was reported. Our patient had a heart rate of 120 bpm. " +
			"There was no fever of 39 °C in the other series. A heart rate of 110 bpm. Sodium was 131 mmol/L.\n",
	})
	checked, silent, qualified, population := 0, 0, 0, 0
	for _, in := range append(madeUp, stageInputs(t, e, n)...) {
		cands := append([]candidate(nil), in.unresolved...)
		sc := new(candScratch)
		kept := slices.Clone(resolveScratch(sc, cands))
		want := append([]candidate(nil), cands...)
		e.qualifyKept(sc, in.t, in.L, cands, kept, in.cues)
		for _, i := range kept {
			c := &want[i]
			si := placedSentence(in.L, c)
			if si < 0 {
				continue
			}
			s := in.L.Sentences[si]
			var sentHits []cueHit
			for _, h := range in.cues {
				if h.start >= s.Start && h.end <= s.End {
					sentHits = append(sentHits, h)
				}
			}
			spoken := sentHits
			if !allSpeak(sentHits) {
				_, spoken = dropPseudo(sentHits, nil, nil)
			}
			if !anySpeaker(spoken) {
				silent++
			}
			sq := sentenceQual{section: in.L.Sections[s.Section].Name}
			e.qualifyOne(in.t, s, &sq, c, spoken)
			got := &cands[i]
			if got.assertion != c.assertion || got.subject != c.subject || !reflect.DeepEqual(got.cue, c.cue) {
				t.Fatalf("candidate %d (%q): qualifyKept %q %q %+v, qualifyOne %q %q %+v", i, in.t[c.start:c.end],
					got.assertion, got.subject, got.cue, c.assertion, c.subject, c.cue)
			}
			if c.assertion != "" || c.subject != "" {
				qualified++
			}
			if c.subject == "population" && !anySpeaker(spoken) {
				population++
			}
			checked++
		}
	}
	if checked < 1000 || silent == 0 || silent == checked || qualified == 0 || population == 0 {
		t.Fatalf("%d candidates checked, %d in sentences without cues, %d qualified, %d by section", checked, silent, qualified, population)
	}
	t.Logf("%d candidates checked, %d in sentences without cues, %d qualified, %d by section", checked, silent, qualified, population)
}
