package output_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// bulkResults extracts the first n reports of e3c-bulk with the built-in
// patterns: real findings (their strings, attributes and sentences) for the
// encoder's test and benchmark rather than made-up ones.
func bulkResults(tb testing.TB, n int) []*extract.Result {
	tb.Helper()
	const corpus = "../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"
	if _, err := os.Stat(corpus); err != nil {
		tb.Skip("shared corpus missing")
	}
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	eng, err := clinex.Build(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	var docs []*extract.Result
	err = extract.ReadInputs([]string{corpus}, extract.SourceOptions{IDField: "id", TextField: "text"}, func(in extract.Input) error {
		if len(docs) < n && in.Err == nil {
			docs = append(docs, eng.Extractor.ExtractInput(in))
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return docs
}

// The lines of the findings of 400 shared reports, as the CLI's workers
// encode them, are encoding/json's byte for byte: real attributes, units
// and sentences, not only made-up edge cases.
func TestAppendFindingsRealMatchesEncodingJSON(t *testing.T) {
	docs := bulkResults(t, 400)
	findings := 0
	for _, d := range docs {
		var want bytes.Buffer
		enc := output.NewEncoder(&want)
		for i := range d.Findings {
			if err := enc.Encode(&d.Findings[i]); err != nil {
				t.Fatal(err)
			}
		}
		got, err := output.AppendFindings(nil, d)
		if err != nil || !bytes.Equal(got, want.Bytes()) {
			t.Fatalf("%s: AppendFindings (error %v)\n%s\nencoding/json\n%s", d.ID, err, got, want.Bytes())
		}
		findings += len(d.Findings)
	}
	if findings < 1000 {
		t.Fatalf("only %d findings in %d reports", findings, len(docs))
	}
}
