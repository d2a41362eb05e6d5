package output_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// The lines of the findings of 400 shared reports, as the CLI's workers
// encode them, are encoding/json's byte for byte: real attributes, units
// and sentences, not only made-up edge cases.
func TestAppendFindingsRealMatchesEncodingJSON(t *testing.T) {
	const corpus = "../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"
	if _, err := os.Stat(corpus); err != nil {
		t.Skip("shared corpus missing")
	}
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := clinex.Build(cfg)
	if err != nil {
		t.Fatal(err)
	}
	docs, findings := 0, 0
	err = extract.ReadInputs([]string{corpus}, extract.SourceOptions{IDField: "id", TextField: "text"}, func(in extract.Input) error {
		if docs < 400 && in.Err == nil {
			d := eng.Extractor.ExtractInput(in)
			var want bytes.Buffer
			enc := output.NewEncoder(&want)
			for i := range d.Findings {
				if err := enc.Encode(&d.Findings[i]); err != nil {
					t.Fatal(err)
				}
			}
			got, err := output.AppendFindings(nil, d)
			if err != nil || !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("%s: AppendFindings (error %v)\n%s\nencoding/json\n%s", in.ID, err, got, want.Bytes())
			}
			docs++
			findings += len(d.Findings)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if findings < 1000 {
		t.Fatalf("only %d findings in %d reports", findings, docs)
	}
}
