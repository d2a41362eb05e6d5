package clinex_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
)

// has finds a finding of a concept in a case, optionally with a value.
func has(fs []extract.Finding, caseNo int, concept string, value any) *extract.Finding {
	for i := range fs {
		f := &fs[i]
		if f.Case != caseNo || f.Concept != concept {
			continue
		}
		switch v := value.(type) {
		case nil:
			return f
		case string:
			if f.Value.Kind == extract.StrValue && f.Value.Str == v {
				return f
			}
		case float64:
			if f.Value.IsNum() && f.Value.Num == v {
				return f
			}
		}
	}
	return nil
}

// The seed's devices, drugs, procedures, conditions and outcomes, as a
// researcher reading it would list them.
func TestSeedDomain(t *testing.T) {
	doc, _ := seedDoc(t)
	fs := doc.Findings
	need := func(caseNo int, concept string, value any) *extract.Finding {
		t.Helper()
		f := has(fs, caseNo, concept, value)
		if f == nil {
			t.Errorf("case %d: no %s %v", caseNo, concept, value)
		}
		return f
	}
	// case 1: Impella 5.0 and its flows
	need(1, "impella", "5.0")
	for _, flow := range []float64{2, 1, 0.5} {
		if f := need(1, "impella_flow", flow); f != nil && (f.Unit != "L/min" || f.Attributes["device"] != "impella") {
			t.Errorf("Impella flow %v: unit %q attributes %v", flow, f.Unit, f.Attributes)
		}
	}
	if f := need(1, "mitraclip", "NTW"); f != nil && f.Attributes["position"] != "A3-P3" {
		t.Errorf("MitraClip NTW attributes %v, want position A3-P3", f.Attributes)
	}
	if f := need(1, "mitraclip", "NT"); f != nil && (f.Attributes["position"] != "A2-P2" || f.Attributes["ordinal"] != 2.0) {
		t.Errorf("second MitraClip attributes %v, want position A2-P2 and ordinal 2", f.Attributes)
	}
	guided := false
	for _, f := range fs {
		if f.Concept == "percutaneous_mitral_valve_repair" && f.Attributes["guidance"] == "transesophageal_echocardiography" {
			guided = true
		}
	}
	if !guided {
		t.Error("no percutaneous mitral valve repair under transesophageal echocardiography guidance")
	}
	need(1, "extubation", nil)
	if f := need(1, "device_removal", nil); f != nil {
		tm, _ := f.Attributes["time"].(map[string]any)
		if f.Attributes["device"] != "impella" || tm == nil || tm["value"] != 72.0 || tm["unit"] != "h" {
			t.Errorf("device removal attributes %v, want the Impella 72 h later", f.Attributes)
		}
	}
	need(1, "favorable_outcome", nil)
	// case 2
	if f := need(2, "breast_cancer", nil); f != nil && f.Assertion != "historical" {
		t.Errorf("breast cancer is %s, want historical", f.Assertion)
	}
	massive := false
	for _, f := range fs {
		if f.Case == 2 && f.Concept == "hemoptysis" && f.Attributes["severity"] == "massive" {
			massive = true
		}
	}
	if !massive {
		t.Error("no massive hemoptysis in case 2")
	}
	for _, c := range []string{"orotracheal_intubation", "mechanical_ventilation", "ct_scan", "selective_bronchial_intubation", "embolization", "fistula", "alveolar_hemorrhage"} {
		need(2, c, nil)
	}
	if f := need(2, "red_cell_transfusion", 2.0); f != nil && f.Category != "procedure" {
		t.Errorf("transfusion category %s", f.Category)
	}
	if f := need(2, "norepinephrine", 0.3); f != nil && f.Unit != "ug/kg/min" {
		t.Errorf("norepinephrine unit %q, want ug/kg/min", f.Unit)
	}
	for _, f := range fs {
		if f.Case == 1 && (f.Concept == "norepinephrine" || f.Concept == "breast_cancer") {
			t.Errorf("case 1 got the second patient's %s", f.Concept)
		}
	}
}

// The seed's context: quoted figures, negation, hypotheses, the past.
func TestSeedContext(t *testing.T) {
	doc, _ := seedDoc(t)
	fs := doc.Findings
	for _, f := range fs {
		switch {
		case f.Concept == "higher_mortality_rates", f.Concept == "bronchial_arteries":
			if f.Subject != "population" {
				t.Errorf("%s (%q) is %s, want population", f.Concept, f.Text, f.Subject)
			}
			if f.ContextCue == nil || f.ContextCue.Text == "" {
				t.Errorf("%s: no context cue recorded", f.Concept)
			}
		}
	}
	negated := false
	for _, f := range fs {
		if f.Concept == "mitral_regurgitation" && f.Assertion == "negated" && f.ContextCue != nil && f.ContextCue.Text == "lack of" {
			negated = true
		}
	}
	if !negated {
		t.Error("the lack of residual mitral regurgitation is not negated")
	}
	for _, c := range []string{"pci", "percutaneous_mitral_valve_repair", "impella"} {
		found := false
		for _, f := range fs {
			if f.Concept == c && f.Case == 1 && f.Assertion == "hypothetical" && f.Subject != "patient" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s in 'could be the treatment of choice' is not hypothetical and not the patient's", c)
		}
	}
	for _, w := range []struct {
		concept string
		caseNo  int
		value   float64
	}{{"hemoglobin", 1, 8.6}, {"heart_rate", 1, 90}, {"mean_arterial_pressure", 2, 60}} {
		f := find(fs, w.concept, w.caseNo, w.value)
		if f == nil || f.Assertion != "present" || f.Subject != "patient" {
			t.Errorf("%s %v: %+v, want present and the patient's", w.concept, w.value, f)
		}
	}
}

// A researcher's own lexicon folder adds a device and a drug, no rebuild.
func TestOverlayLexiconAddsDeviceAndDrug(t *testing.T) {
	dir := t.TempDir()
	overlay := `entities:
  - concept: zenith_pump
    category: device
    label: Zenith pump
    synonyms: [zenith pump]
    models: ["X2"]
    attributes: {family: mechanical_circulatory_support}
    examples:
      match:
        - {text: "A Zenith pump X2 was inserted.", value: X2}
      no_match: ["The zenith of the curve."]
  - concept: novatrexil
    category: medication
    label: Novatrexil
    synonyms: [novatrexil]
    attributes: {class: other}
    examples:
      match:
        - {text: "Novatrexil 40 mg daily was started.", value: 40, unit: mg}
      no_match: ["No drug was given."]
`
	if err := os.WriteFile(filepath.Join(dir, "mine.yaml"), []byte(overlay), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{File: "config.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := clinex.Build(cfg, dir)
	if err != nil {
		t.Fatal(err)
	}
	fs := eng.Extractor.Extract("o", "A Zenith pump X2 was placed and novatrexil 40 mg daily was given.").Findings
	if f := has(fs, 1, "zenith_pump", "X2"); f == nil || f.Category != "device" {
		t.Errorf("overlay device not found: %+v", fs)
	}
	if f := has(fs, 1, "novatrexil", 40.0); f == nil || f.Unit != "mg" || f.Attributes["frequency"] != "daily" {
		t.Errorf("overlay drug not found with its dose: %+v", f)
	}
}
