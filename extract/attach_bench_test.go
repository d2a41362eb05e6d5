package extract

import "testing"

// attachInput is what the quantity scanner and attach get in Extract.
type attachInput struct {
	*stageInput
	analyteMs []mention
	free      []Quantity
}

func attachInputs(b *testing.B, e *Extractor, n int) []attachInput {
	b.Helper()
	var out []attachInput
	for _, in := range stageInputs(b, e, n) {
		var analyteMs, entityMs []mention
		for _, m := range e.mentions(in.t, in.hits) {
			if m.entity >= 0 {
				entityMs = append(entityMs, m)
			} else {
				analyteMs = append(analyteMs, m)
			}
		}
		qs := e.scanner.Scan(in.t, in.inProtected)
		_, used := e.entityCandidates(nil, in.t, in.L, entityMs, qs)
		var free []Quantity
		for i := range qs {
			if !used[i] {
				free = append(free, qs[i])
			}
		}
		out = append(out, attachInput{in, analyteMs, free})
	}
	return out
}

// The two benchmarks time the quantity scanner and attach over 1,000
// shared reports; ns/op divided by 1,000 is per report.
//
//	go test -run '^$' -bench 'Stage(Quantity|Attach)' -count 6 ./extract/
func BenchmarkStageQuantity(b *testing.B) {
	e := configExtractor(b)
	ins := attachInputs(b, e, 1000)
	var buf []Quantity
	reportCPU(b, func() {
		for _, in := range ins {
			buf = e.scanner.appendScan(buf[:0], in.t, in.inProtected)
		}
	})
}

func BenchmarkStageAttach(b *testing.B) {
	e := configExtractor(b)
	ins := attachInputs(b, e, 1000)
	var buf []candidate
	reportCPU(b, func() {
		for _, in := range ins {
			buf = e.attach(buf[:0], in.t, in.L, in.analyteMs, in.free)
		}
	})
}
