package extract

import (
	"sort"
	"testing"

	"github.com/clinex/clinex/patterns"
)

// entityInput is what Extract hands entityCandidates for one text.
type entityInput struct {
	t  string
	L  *Layout
	ms []mention
	qs []Quantity
}

// entityInputs runs the stages before entityCandidates the way Extract
// does, so the stage can be measured and compared on its own.
func entityInputs(tb testing.TB, texts []string) (*Extractor, []entityInput) {
	tb.Helper()
	set, err := patterns.Load(patterns.DefaultLayer())
	if err != nil {
		tb.Fatal(err)
	}
	e, err := NewExtractor(set, SegmentConfig{}, Options{})
	if err != nil {
		tb.Fatal(err)
	}
	var ins []entityInput
	for _, text := range texts {
		n := Normalize(text, e.seg.Lines())
		L := e.seg.Segment(n)
		t := n.Text
		hits := e.ac.appendHits(nil, t)
		protected := e.protectedSpans(t, hits)
		inProtected := func(p int) bool {
			i := sort.Search(len(protected), func(i int) bool { return protected[i][1] > p })
			return i < len(protected) && protected[i][0] <= p
		}
		var ms []mention
		for _, m := range e.mentions(t, hits) {
			if m.entity >= 0 {
				ms = append(ms, m)
			}
		}
		ins = append(ins, entityInput{t, L, ms, e.scanner.Scan(t, inProtected)})
	}
	return e, ins
}

// go test ./extract -run '^$' -bench EntityCandidates
func BenchmarkEntityCandidates(b *testing.B) {
	texts := sharedReports(b, bulkReports, 1000)
	if len(texts) == 0 {
		b.Skip("shared corpus not present")
	}
	e, ins := entityInputs(b, texts)
	size, mentions := 0, 0
	for i := range ins {
		size += len(ins[i].t)
		mentions += len(ins[i].ms)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, in := range ins {
			e.entityCandidates(nil, in.t, in.L, in.ms, in.qs)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*mentions), "ns/mention")
}
