package clinex_test

import (
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/clinex/clinex/extract"
)

const seedPath = "seeds/000_cd61988989b26957.txt"

func seedDoc(t *testing.T) (*extract.Document, string) {
	t.Helper()
	b, err := os.ReadFile(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	eng := testEngine(t)
	return eng.Extractor.Extract("seed", string(b)), string(b)
}

func find(fs []extract.Finding, concept string, caseNo int, value float64) *extract.Finding {
	for i := range fs {
		f := &fs[i]
		if f.Concept == concept && f.Case == caseNo && f.Value.IsNum() && math.Abs(f.Value.Num-value) < 1e-9 {
			return f
		}
	}
	return nil
}

// The seed report's values, as a researcher reading it would copy them.
func TestSeedValues(t *testing.T) {
	doc, _ := seedDoc(t)
	fs := doc.Findings
	want := []struct {
		concept string
		caseNo  int
		value   float64
		unit    string
	}{
		{"euroscore_ii", 1, 48.9, "%"},
		{"sts_score", 1, 16, "%"},
		{"hemoglobin", 1, 8.6, "g/dL"},
		{"heart_rate", 1, 90, "/min"},
		{"transmitral_gradient", 1, 4, "mm[Hg]"},
		{"transmitral_gradient", 1, 7, "mm[Hg]"},
		{"transmitral_gradient", 1, 5, "mm[Hg]"},
		{"age", 2, 73, "a"},
		{"heart_rate", 2, 122, "/min"},
		{"systolic_bp", 2, 78, "mm[Hg]"},
		{"diastolic_bp", 2, 45, "mm[Hg]"},
		{"mean_arterial_pressure", 2, 60, "mm[Hg]"},
		{"spo2", 2, 82, "%"},
		{"hemoglobin", 2, 7.5, "g/dL"},
		{"hematocrit", 2, 21, "%"},
		{"pao2", 2, 62, "%"},
	}
	for _, w := range want {
		f := find(fs, w.concept, w.caseNo, w.value)
		if f == nil {
			t.Errorf("no %s = %v in case %d", w.concept, w.value, w.caseNo)
			continue
		}
		if f.Unit != w.unit {
			t.Errorf("%s = %v: unit %q, want %q", w.concept, w.value, f.Unit, w.unit)
		}
	}
	if f := find(fs, "pao2", 2, 62); f != nil && !slices.Contains(f.Flags, "unit_mismatch") {
		t.Errorf("PaO2 of 62%% is not flagged for its unit: flags %v", f.Flags)
	}
	for _, f := range fs {
		if f.Concept == "pao2" || !f.Value.IsNum() {
			continue
		}
		if slices.Contains(f.Flags, "unit_mismatch") || slices.Contains(f.Flags, "implausible") {
			t.Errorf("%s = %v %s flagged %v", f.Concept, f.Value, f.Unit, f.Flags)
		}
	}
	// Age and sex belong to the second patient only.
	var sexes, ages []int
	for _, f := range fs {
		switch f.Concept {
		case "sex":
			if f.Value.Str != "female" {
				t.Errorf("sex %q from %q", f.Value.Str, f.Text)
			}
			sexes = append(sexes, f.Case)
		case "age":
			ages = append(ages, f.Case)
		}
	}
	if len(sexes) != 1 || sexes[0] != 2 || len(ages) != 1 || ages[0] != 2 {
		t.Errorf("age in cases %v and sex in cases %v, want case 2 only", ages, sexes)
	}
	if n := len(doc.Layout.Cases); n != 2 {
		t.Errorf("%d cases, want 2", n)
	}
	// The quoted mortality is a range, not 501 or 35 alone.
	var mort *extract.Finding
	for i := range fs {
		if strings.Contains(fs[i].Text, "35% to 50%") {
			mort = &fs[i]
		}
	}
	if mort == nil || mort.Value.Num != 35 || mort.ValueMax == nil || *mort.ValueMax != 50 || mort.Unit != "%" {
		t.Errorf("mortality range read as %+v", mort)
	}
}

func TestSeedNothingFromReferencesAndLabels(t *testing.T) {
	doc, text := seedDoc(t)
	for _, s := range []string{"(figure 1)", "(figure 2)", "videos 1 and \n2", "videos 3 and 4", "A3-P3", "A2-P2", "doi.org/10.24875/RECICE.\nM22000317", "Impella 5.0"} {
		i := strings.Index(text, s)
		if i < 0 {
			t.Fatalf("seed lacks %q", s)
		}
		from := utf8.RuneCountInString(text[:i])
		to := from + utf8.RuneCountInString(s)
		for _, f := range doc.Findings {
			if s == "Impella 5.0" && f.Concept == "impella" {
				continue // the model of the device is its value
			}
			if f.ValueStart < to && from < f.ValueEnd {
				t.Errorf("%s = %v taken from %q", f.Concept, f.Value, s)
			}
		}
	}
}

func TestSeedEvidenceIsTheOriginalText(t *testing.T) {
	doc, text := seedDoc(t)
	runes := []rune(text)
	for _, f := range doc.Findings {
		if f.Start < 0 || f.End > len(runes) || f.Start >= f.End {
			t.Errorf("%s: bad offsets [%d,%d)", f.Concept, f.Start, f.End)
			continue
		}
		if got := string(runes[f.Start:f.End]); got != f.Text {
			t.Errorf("%s: text %q, original[%d:%d] %q", f.Concept, f.Text, f.Start, f.End, got)
		}
		if f.ValueStart < f.Start || f.ValueEnd > f.End || f.ValueStart >= f.ValueEnd {
			t.Errorf("%s: value span [%d,%d) outside evidence [%d,%d)", f.Concept, f.ValueStart, f.ValueEnd, f.Start, f.End)
		}
	}
}
