package extract_test

import (
	"testing"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
)

// BenchmarkDocFrame measures the per-document frame around the matchers,
// with the built-in configuration, on 1,000 e3c-bulk reports: the
// normalizer with its offset map, and the segmenter (cases, sections and
// punkt sentences). go test reports MB/s of report text.
//
//	go test -run '^$' -bench DocFrame -benchtime 20x -count 6 ./extract
func BenchmarkDocFrame(b *testing.B) {
	reports := extract.SharedReports(b, 1000)
	if len(reports) == 0 {
		b.Skip("shared corpus not present")
	}
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{})
	if err != nil {
		b.Fatal(err)
	}
	eng, err := clinex.Build(cfg)
	if err != nil {
		b.Fatal(err)
	}
	seg := eng.Extractor.Segmenter()
	size := 0
	norms := make([]*extract.Normalized, len(reports))
	for i, text := range reports {
		size += len(text)
		norms[i] = extract.Normalize(text, seg.Lines())
	}
	b.Run("normalize", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for range b.N {
			for _, text := range reports {
				extract.Normalize(text, seg.Lines())
			}
		}
	})
	b.Run("segment", func(b *testing.B) {
		b.SetBytes(int64(size))
		b.ReportAllocs()
		for range b.N {
			for _, n := range norms {
				seg.Segment(n)
			}
		}
	})
}
