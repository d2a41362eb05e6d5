package clinex_test

import (
	"testing"

	"github.com/clinex/clinex/eval"
	"github.com/clinex/clinex/extract"
)

// scoreDev runs the extraction on a shared gold folder with its configured scheme.
func scoreDev(t *testing.T, dir, scheme string) *eval.Report {
	t.Helper()
	needShared(t, dir)
	eng := testEngine(t)
	docs, _, err := eval.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	preds := map[string][]extract.Finding{}
	for _, d := range docs {
		preds[d.ID] = eng.Extractor.Extract(d.ID, d.Text).Findings
	}
	s, ok := eng.Config.Eval.Schemes[scheme]
	if !ok {
		t.Fatalf("no scheme %s in config", scheme)
	}
	s.Name = scheme
	return eval.Score(docs, preds, s.Scheme)
}

func typeResult(t *testing.T, r *eval.Report, name string) eval.TypeResult {
	t.Helper()
	for _, tr := range r.Types {
		if tr.Name == name {
			return tr
		}
	}
	t.Fatalf("no type %s in report", name)
	return eval.TypeResult{}
}

func pairResult(t *testing.T, r *eval.Report, name string) eval.PairResult {
	t.Helper()
	for _, p := range r.Pairs {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no pair score %s in report", name)
	return eval.PairResult{}
}

func atLeast(t *testing.T, what string, got, min float64) {
	t.Helper()
	t.Logf("%s = %.3f (target %.2f)", what, got, min)
	if got < min {
		t.Errorf("%s = %.3f, below %.2f", what, got, min)
	}
}

// The accuracy targets of the core issue, on the MACCROBAT dev set: gold
// Lab_value spans with a digit, Age and Sex.
//
//	clinex eval --gold ../shared/corpus/maccrobat-dev
func TestMaccrobatDevAccuracy(t *testing.T) {
	r := scoreDev(t, "../shared/corpus/maccrobat-dev", "maccrobat")
	v := typeResult(t, r, "numeric_value")
	atLeast(t, "numeric value recall", v.Overlap.Recall, 0.85)
	atLeast(t, "numeric value precision", v.Overlap.Precision, 0.85)
	atLeast(t, "value→test pair accuracy", pairResult(t, r, "value_to_test").Accuracy, 0.80)
	for _, name := range []string{"age", "sex"} {
		tr := typeResult(t, r, name)
		atLeast(t, name+" recall with the right value", tr.ValueAccuracy, 0.95)
	}
	// devices, drugs, procedures and outcomes
	atLeast(t, "Medication recall", typeResult(t, r, "medication").Overlap.Recall, 0.75)
	atLeast(t, "numeric Dosage recall", typeResult(t, r, "dosage").Overlap.Recall, 0.85)
	atLeast(t, "dose→drug pair accuracy", pairResult(t, r, "dose_to_drug").Accuracy, 0.80)
	atLeast(t, "Therapeutic_procedure recall", typeResult(t, r, "therapeutic_procedure").Overlap.Recall, 0.60)
	atLeast(t, "Outcome recall", typeResult(t, r, "outcome").Overlap.Recall, 0.80)
}

// E3C: numeric RML recall.
//
//	clinex eval --gold ../shared/corpus/e3c-dev
func TestE3CDevAccuracy(t *testing.T) {
	r := scoreDev(t, "../shared/corpus/e3c-dev", "e3c")
	v := typeResult(t, r, "numeric_value")
	atLeast(t, "numeric RML recall", v.Overlap.Recall, 0.80)
	pol := typeResult(t, r, "event_polarity")
	atLeast(t, "negation agreement with EVENT polarity", pol.ValueAccuracy, 0.90)
	if pol.Overlap.GoldFound < 300 {
		t.Errorf("findings meet only %d events: too few to judge negation", pol.Overlap.GoldFound)
	}
	if v.Gold < 100 {
		t.Errorf("only %d gold RML values read: the scorer lost data", v.Gold)
	}
}
