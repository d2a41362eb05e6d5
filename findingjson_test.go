package clinex_test

import (
	"bytes"
	"context"
	"testing"

	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
)

// Every finding the shared corpora give is written by output.AppendFinding,
// and every document by output.AppendFindings, exactly as encoding/json
// writes them: the hand-written encoder replaced the
// library's for speed and must not change a byte of findings.jsonl.
func TestAppendFindingOnSharedCorpora(t *testing.T) {
	corpora := []string{bulkCorpus, "../shared/corpus/e3c-dev", "../shared/corpus/maccrobat-dev"}
	for _, c := range corpora {
		needShared(t, c)
	}
	if testing.Short() {
		corpora = corpora[1:]
	}
	eng := testEngine(t)
	so := extract.SourceOptions{IDField: "id", TextField: "text"}
	var want bytes.Buffer
	var got []byte
	findings := 0
	err := eng.Extractor.Run(context.Background(), 0, func(emit func(extract.Input) error) error {
		return extract.ReadInputs(corpora, so, emit)
	}, func(r *extract.Result) error {
		enc := output.NewEncoder(&want)
		for i := range r.Findings {
			f := &r.Findings[i]
			want.Reset()
			if err := enc.Encode(f); err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			var err error
			if got, err = output.AppendFinding(got[:0], f); err != nil {
				t.Fatalf("%s: %v", r.ID, err)
			}
			if !bytes.Equal(got, want.Bytes()) {
				t.Fatalf("%s: AppendFinding\n%s\nencoding/json\n%s", r.ID, got, want.Bytes())
			}
			findings++
		}
		// the whole document at once, as the CLI writes it: a sentence
		// repeated by the next finding is copied, not escaped again
		want.Reset()
		for i := range r.Findings {
			enc.Encode(&r.Findings[i])
		}
		doc, err := output.AppendFindings([]byte("prefix"), r)
		if err != nil {
			t.Fatalf("%s: %v", r.ID, err)
		}
		if !bytes.Equal(doc[len("prefix"):], want.Bytes()) {
			t.Fatalf("%s: AppendFindings differs from encoding/json", r.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if findings < 1000 {
		t.Fatalf("only %d findings compared", findings)
	}
	t.Logf("%d findings compared", findings)
}
