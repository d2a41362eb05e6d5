package extract

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"runtime/debug"
	"testing"
	"unsafe"
)

func findingsJSON(t *testing.T, fs []Finding) string {
	t.Helper()
	b, err := json.Marshal(fs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Findings given back are built into again, and the findings built into
// them are those a fresh slice gets; findings not given back (a library
// user's) are never written into, however many others are given back
// around them, while Run extracts on several workers.
func TestReleasedFindingsAreReusedAndOnlyThey(t *testing.T) {
	texts := withSharedReports(t, []string{
		"BP 120/80 mmHg, HR 88 bpm. He was given furosemide 40 mg i.v. twice daily for 5 days and had a severe myocardial infarction.",
		"A second Impella 5.0 was placed; pericardiocentesis was performed under echocardiographic guidance. He died 3 days later.",
		"", "no findings here",
	}, 400, 60)
	e := configExtractor(t)
	want := make([]string, len(texts))
	wantSections := make([]string, len(texts))
	kept := make([][]Finding, len(texts)) // never given back
	for i, text := range texts {
		doc := e.Extract("d", text)
		kept[i] = doc.Findings
		want[i] = findingsJSON(t, kept[i])
		b, _ := json.Marshal(doc.Sections)
		wantSections[i] = fmt.Sprint(len(doc.Layout.Cases), string(b))
	}

	released := map[*Finding]bool{}
	releasedMaps := map[uintptr]bool{}
	var keptInRun []*Result
	reused, reusedMaps, withFindings := 0, 0, 0
	read := func(emit func(Input) error) error {
		for i, text := range texts {
			if err := emit(Input{ID: "d", Source: string(rune('a' + i%26)), Text: text}); err != nil {
				return err
			}
		}
		return nil
	}
	i := 0
	err := e.Run(context.Background(), 4, read, func(r *Result) error {
		defer func() { i++ }()
		if got := findingsJSON(t, r.Findings); got != want[i] {
			t.Fatalf("report %d: findings built into a slice given back differ:\n got %s\nwant %s", i, got, want[i])
		}
		// and the layout, built in the parts of documents before it
		if b, _ := json.Marshal(r.Sections); fmt.Sprint(r.Cases, string(b)) != wantSections[i] {
			t.Fatalf("report %d: cases and sections %d %s, want %s", i, r.Cases, b, wantSections[i])
		}
		if i%3 == 2 { // kept by the caller, as a library user keeps all
			keptInRun = append(keptInRun, r)
		}
		if len(r.Findings) == 0 {
			return nil
		}
		withFindings++
		if released[&r.Findings[0]] {
			reused++
		}
		for _, f := range r.Findings {
			if f.Attributes != nil && releasedMaps[reflect.ValueOf(f.Attributes).Pointer()] {
				reusedMaps++
			}
		}
		if i%3 == 2 {
			return nil
		}
		released[&r.Findings[0]] = true
		for _, f := range r.Findings {
			if f.Attributes != nil {
				releasedMaps[reflect.ValueOf(f.Attributes).Pointer()] = true
			}
		}
		n := len(r.Findings)
		r.ReleaseFindings()
		if r.Findings != nil || r.NumFindings() != n {
			t.Fatalf("after ReleaseFindings the result has %d findings and counts %d, want none and %d", len(r.Findings), r.NumFindings(), n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i := range texts {
		if got := findingsJSON(t, kept[i]); got != want[i] {
			t.Fatalf("report %d: findings never given back were written into:\n got %s\nwant %s", i, got, want[i])
		}
	}
	for k, r := range keptInRun {
		if got := findingsJSON(t, r.Findings); got != want[3*k+2] {
			t.Fatalf("report %d, kept in the run, was written into:\n got %s\nwant %s", 3*k+2, got, want[3*k+2])
		}
	}
	assertNoSharedArrays(t, append(kept, findingsOf(keptInRun)...))
	// The pools may drop what they hold at any collection (and under the
	// race detector at random), so only a run without it is sure to see
	// reuse; the results above are checked either way.
	if !raceDetector && withFindings > 30 && (reused == 0 || reusedMaps == 0) {
		t.Errorf("of %d reports with findings, %d got a slice given back and %d findings a map given back", withFindings, reused, reusedMaps)
	}
	t.Logf("%d reports with findings: %d built into slices given back, %d maps reused", withFindings, reused, reusedMaps)
}

func findingsOf(rs []*Result) [][]Finding {
	var out [][]Finding
	for _, r := range rs {
		out = append(out, r.Findings)
	}
	return out
}

// assertNoSharedArrays fails if two of the slices overlap in memory or
// two findings share an attribute map.
func assertNoSharedArrays(t *testing.T, slices [][]Finding) {
	t.Helper()
	type span struct{ lo, hi uintptr }
	var spans []span
	maps := map[uintptr]bool{}
	for _, fs := range slices {
		if cap(fs) == 0 {
			continue
		}
		lo := uintptr(unsafe.Pointer(unsafe.SliceData(fs)))
		spans = append(spans, span{lo, lo + uintptr(cap(fs))*unsafe.Sizeof(Finding{})})
		for _, f := range fs {
			if f.Attributes == nil {
				continue
			}
			p := reflect.ValueOf(f.Attributes).Pointer()
			if maps[p] {
				t.Fatalf("two findings kept share an attribute map")
			}
			maps[p] = true
		}
	}
	for a := range spans {
		for b := a + 1; b < len(spans); b++ {
			if spans[a].lo < spans[b].hi && spans[b].lo < spans[a].hi {
				t.Fatalf("two kept results share their findings' memory")
			}
		}
	}
}

// A slice given back is cleared whole, past its length too, and so are
// its maps: nothing of the document it held stays reachable from the
// pools, and the next document starts from zero findings.
func TestReleaseClearsTheFindingsAndTheirMaps(t *testing.T) {
	text := "secret report text"
	m := map[string]any{"kind": "x", "status": "performed"}
	fs := make([]Finding, 5)
	for i := range fs {
		fs[i] = Finding{Doc: "d", Text: text, Rule: "r", Attributes: map[string]any{"k": i}, Flags: []string{"f"}}
	}
	fs[1].Attributes = m
	all := fs
	r := &Result{Findings: fs[:2]} // resliced shorter: the rest must go too
	r.ReleaseFindings()
	for i := range all {
		if !reflect.ValueOf(all[i]).IsZero() {
			t.Fatalf("finding %d not cleared: %+v", i, all[i])
		}
	}
	if len(m) != 0 {
		t.Fatalf("a map given back still holds %v", m)
	}
	// an empty result gives nothing back and does not fail
	(&Result{}).ReleaseFindings()
}

// newFindings' slices are zero however they were made, and hold at
// least n findings.
func TestNewFindingsAreZero(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 7, 8, 9, 100, 2048, 2049, 5000} {
		fs := newFindings(n)
		if len(fs) != n || fs == nil {
			t.Fatalf("newFindings(%d) has length %d (nil %v)", n, len(fs), fs == nil)
		}
		for i := range fs[:cap(fs)] {
			if !reflect.ValueOf(fs[:cap(fs)][i]).IsZero() {
				t.Fatalf("newFindings(%d)[%d] is not zero", n, i)
			}
		}
		for i := range fs {
			fs[i] = Finding{Doc: "x", Attributes: map[string]any{"a": 1}}
		}
		releaseFindings(fs)
	}
}

// A document's parts given back keep only their arrays (of numbers):
// nothing of the document stays reachable. A document built in them is
// the one fresh parts give.
func TestDocPartsGivenBackKeepNothingOfTheDocument(t *testing.T) {
	e := configExtractor(t)
	texts := []string{
		"HISTORY\nA 54-year-old man. BP 120/80 mmHg.\n\nCASE 2\nHR 88 bpm. He was given furosemide 40 mg.",
		"Figure 1. Chest X-ray.\nThe patient had a severe myocardial infarction; troponin 2.3 ng/mL.",
		"no findings here",
	}
	p := new(docParts)
	for _, text := range texts {
		fresh := e.Extract("d", text)
		doc := e.extractInto(p, "d", text)
		if !reflect.DeepEqual(doc.Norm, fresh.Norm) || !reflect.DeepEqual(doc.Layout, fresh.Layout) ||
			findingsJSON(t, doc.Findings) != findingsJSON(t, fresh.Findings) || !reflect.DeepEqual(doc.Sections, fresh.Sections) {
			t.Fatalf("%q: the document built in parts given back differs from a fresh one", text)
		}
		releaseDocParts(p)
		if !reflect.ValueOf(p.doc).IsZero() || p.norm.n.Text != "" || p.norm.n.Map != nil || p.norm.m.inner != nil ||
			!reflect.ValueOf(p.layout.L).IsZero() || len(p.norm.n.Blocks) != 0 || len(p.norm.m.runs) != 0 || len(p.layout.sentences) != 0 {
			t.Fatalf("parts given back still hold the document: %+v", p)
		}
		if v, _ := docPartsPool.Get().(*docParts); v != nil && v != p {
			docPartsPool.Put(v) // p, which the test goes on using, was taken back out; this is not ours
		}
	}
	if cap(p.layout.sentences) == 0 || cap(p.norm.m.runs) == 0 {
		t.Fatal("parts given back lost their arrays")
	}
}

// BenchmarkRunGivingFindingsBack is Run on one worker over the shared
// sample, its findings kept (as a library user keeps them) or given back
// on the worker once used (as a JSONL run does), with the CLI's GOGC:
//
//	go test ./extract -run '^$' -bench RunGivingFindingsBack -benchmem -count 6
func BenchmarkRunGivingFindingsBack(b *testing.B) {
	texts := sharedReports(b, bulkReports, 1000)
	if len(texts) == 0 {
		b.Skip("shared corpus not present")
	}
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	e := configExtractor(b)
	size := 0
	for _, t := range texts {
		size += len(t)
	}
	read := func(emit func(Input) error) error {
		for _, t := range texts {
			if err := emit(Input{ID: "d", Source: "s", Text: t}); err != nil {
				return err
			}
		}
		return nil
	}
	for _, giveBack := range []bool{false, true} {
		name := "kept"
		var then func(*Result)
		if giveBack {
			name, then = "given-back", (*Result).ReleaseFindings
		}
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			for range b.N {
				if err := e.RunThen(context.Background(), 1, read, then, func(*Result) error { return nil }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
