package extract

import (
	"reflect"
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

// Every entity finding carries its lexicon entry's attributes in a map of
// its own: changing one finding's map changes no other finding nor the
// lexicon. The entity stage copies the attributes from its own table, not
// from the entry, so this holds the copy to the entry.
func TestEntityAttributesOwnedAndComplete(t *testing.T) {
	texts := sharedReports(t, bulkReports, 300)
	if len(texts) == 0 {
		texts = []string{"He was given furosemide 40 mg and had a myocardial infarction. A second Impella 5.0 was placed; pericardiocentesis was performed. He died 3 days later."}
	}
	e, ins := entityInputs(t, texts)
	byConcept := map[string]*patterns.Entity{}
	for _, en := range e.set.Entities {
		byConcept[en.Concept] = en
	}
	seen := map[uintptr]bool{}
	checked := 0
	var all [][]candidate // kept alive, so no map's address is reused
	for _, in := range ins {
		cs, _ := e.entityCandidates(nil, in.t, in.L, in.ms, in.qs)
		all = append(all, cs)
		for _, c := range cs {
			if c.attrs == nil {
				continue
			}
			p := reflect.ValueOf(c.attrs).Pointer()
			if seen[p] {
				t.Fatalf("%s shares its attribute map with another finding", c.concept)
			}
			seen[p] = true
			en := byConcept[c.concept]
			if en == nil || c.rule != en.ID {
				continue // a removal outcome or a second dose: not the entry's own finding
			}
			for k, v := range en.Attributes {
				if c.attrs[k] != any(v) {
					t.Errorf("%s: attribute %s = %v, want %q", c.concept, k, c.attrs[k], v)
				}
			}
			checked++
		}
	}
	if checked == 0 || len(all) != len(ins) {
		t.Fatal("no entity finding with attributes")
	}
	// a finding's map is not the lexicon's either
	for i := range e.entities {
		x := &e.entities[i]
		if len(x.attrs) == 0 {
			continue
		}
		m := x.newAttrs(0)
		m[x.attrs[0].key] = "changed"
		if e.set.Entities[i].Attributes[x.attrs[0].key] == "changed" || x.attrs[0].value == any("changed") {
			t.Fatal("a finding's map reaches the lexicon")
		}
		break
	}
}
