package output

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/clinex/clinex/extract"
)

// benchStudy is a study of the default's size: 40-odd variables.
func benchStudy() []StudyVar {
	var vars []StudyVar
	for _, c := range []string{"age", "sex", "heart_rate", "systolic_bp", "diastolic_bp", "spo2", "hemoglobin", "creatinine", "lactate", "euroscore_ii"} {
		vars = append(vars, StudyVar{Concept: c, Agg: AggFirst}, StudyVar{Concept: c, Agg: AggMin}, StudyVar{Concept: c, Agg: AggMax})
	}
	for _, c := range []string{extract.CatDevice, extract.CatMedication, extract.CatProcedure, extract.CatCondition, extract.CatOutcome} {
		vars = append(vars, StudyVar{Category: c, Agg: AggAll})
	}
	return vars
}

// benchDoc is a document of 20 findings in two cases, shaped like a case
// report's: vitals and labs, scores, devices, drugs, procedures, outcomes,
// each with a real-length sentence and attributes.
func benchDoc(i int) *DocResult {
	id := "doc-" + strconv.Itoa(i)
	sentence := strings.Repeat("The patient was admitted to the intensive care unit with a heart rate of 122 bpm and hemoglobin of 7.5 g/dL. ", 2)
	kinds := []struct {
		cat, concept, unit string
		attrs              map[string]any
	}{
		{"vital", "heart_rate", "/min", nil}, {"vital", "systolic_bp", "mm[Hg]", nil}, {"vital", "spo2", "%", nil},
		{"lab", "hemoglobin", "g/dL", nil}, {"lab", "creatinine", "mg/dL", nil}, {"lab", "lactate", "mmol/L", nil},
		{"score", "euroscore_ii", "%", nil}, {"demographic", "age", "a", nil},
		{"device", "impella", "", map[string]any{"family": "mechanical_circulatory_support", "maker": "Abiomed"}},
		{"medication", "norepinephrine", "ug/kg/min", map[string]any{"class": "vasopressor", "route": "intravenous"}},
		{"procedure", "ct_scan", "", map[string]any{"kind": "imaging", "status": "performed"}},
		{"outcome", "extubation", "", map[string]any{"kind": "airway", "time": map[string]any{"value": 72.0, "unit": "h", "relation": "after"}}},
		{"condition", "cardiogenic_shock", "", map[string]any{"kind": "cardiovascular"}},
	}
	d := &DocResult{ID: id, Source: id + ".txt", SHA256: strings.Repeat("ab", 32), Cases: 2, Bytes: 6000}
	for k := range 20 {
		kd := kinds[k%len(kinds)]
		f := extract.Finding{Doc: id, Case: 1 + k/10, Section: "case_presentation", Category: kd.cat, Concept: kd.concept,
			Label: kd.concept, Unit: kd.unit, Text: "evidence of " + kd.concept, Start: 100 * k, End: 100*k + 20,
			ValueStart: 100*k + 10, ValueEnd: 100*k + 20, Sentence: sentence, Assertion: "present", Subject: "patient",
			Rule: "rule." + kd.concept, Flags: []string{}, Attributes: kd.attrs}
		if kd.unit != "" {
			f.Value = extract.Number(float64(k%7) + 0.5*float64(i%3))
		}
		d.Findings = append(d.Findings, f)
	}
	return d
}

// peakTracker samples the Go heap while a run writes.
type peakTracker struct {
	stop chan struct{}
	wg   sync.WaitGroup
	peak uint64
}

func trackPeak() *peakTracker {
	p := &peakTracker{stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			p.peak = max(p.peak, ms.HeapInuse+ms.StackInuse)
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
		}
	}()
	return p
}

func (p *peakTracker) done() uint64 {
	close(p.stop)
	p.wg.Wait()
	return p.peak
}

// peakRSS is the process's high-water resident set (VmHWM), in MB; 0 where
// /proc is missing.
func peakRSS() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// BenchmarkXLSX100kFindings writes 100,000 findings (5,000 documents,
// 10,000 cases) to findings.xlsx, with documents made one at a time as the
// pipeline hands them over. It reports the peak Go heap and the process's
// peak RSS in MB (the target: under 300) and findings written per second.
//
//	go test -run '^$' -bench XLSX100k -benchtime 1x ./output/
func BenchmarkXLSX100kFindings(b *testing.B) {
	const docs = 5000
	dir := b.TempDir()
	opts := Options{Study: benchStudy()}
	if errs := ValidateStudy(opts.Study); len(errs) > 0 {
		b.Fatal(errs)
	}
	runtime.GC()
	tracker := trackPeak()
	start := time.Now()
	findings := 0
	for i := 0; i < b.N; i++ {
		x, err := NewXLSX(filepath.Join(dir, fmt.Sprintf("findings-%d.xlsx", i)), opts)
		if err != nil {
			b.Fatal(err)
		}
		for k := range docs {
			d := benchDoc(k)
			findings += len(d.Findings)
			if err := x.Write(d); err != nil {
				b.Fatal(err)
			}
		}
		x.SetRunInfo(RunInfo{Version: "bench", Start: start})
		if err := x.Close(); err != nil {
			b.Fatal(err)
		}
	}
	secs := time.Since(start).Seconds()
	b.ReportMetric(float64(tracker.done())/(1<<20), "peak-heap-MB")
	b.ReportMetric(peakRSS(), "peak-rss-MB")
	b.ReportMetric(float64(findings)/secs, "findings/s")
}

// BenchmarkFindingsJSONL encodes 20,000 findings shaped like a case
// report's, with encoding/json (as before) and with AppendFindings.
//
//	go test -run '^$' -bench FindingsJSONL -count 6 ./output/
func BenchmarkFindingsJSONL(b *testing.B) {
	docs := make([]*DocResult, 1000)
	size := 0
	for i := range docs {
		docs[i] = benchDoc(i)
		for j := range docs[i].Findings {
			line, _ := AppendFinding(nil, &docs[i].Findings[j])
			size += len(line)
		}
	}
	b.Run("encoding-json", func(b *testing.B) {
		b.SetBytes(int64(size))
		var buf bytes.Buffer
		for range b.N {
			for _, d := range docs {
				buf.Reset()
				enc := NewEncoder(&buf)
				for j := range d.Findings {
					if err := enc.Encode(&d.Findings[j]); err != nil {
						b.Fatal(err)
					}
				}
			}
		}
	})
	b.Run("append", func(b *testing.B) {
		b.SetBytes(int64(size))
		var buf []byte
		for range b.N {
			for _, d := range docs {
				var err error
				if buf, err = AppendFindings(buf[:0], d); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}
