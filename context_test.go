package clinex_test

import (
	"strings"
	"testing"
)

// contextCases are sentences in the style of case reports, each with the
// text of one finding in it and the assertion and subject it must get.
var contextCases = []struct {
	text, target, assertion, subject string
}{
	// present, the patient's own
	{"On admission her heart rate was 122 bpm.", "122 bpm", "present", "patient"},
	{"Laboratory tests showed a hemoglobin of 7.5 g/dL.", "7.5 g/dL", "present", "patient"},
	{"Since the presence of hemoglobin levels of 8.6 g/dL and heart rate of 90 bpm could make the gradient go up, the device was released.", "8.6 g/dL", "present", "patient"},
	{"Since the presence of hemoglobin levels of 8.6 g/dL and heart rate of 90 bpm could make the gradient go up, the device was released.", "90 bpm", "present", "patient"},
	{"Vasopressor infusion was started until a mean arterial blood pressure of 60 mmHg was reached.", "60 mmHg", "present", "patient"},
	{"Her creatinine rose to 2.4 mg/dL on day 3.", "2.4 mg/dL", "present", "patient"},
	{"There was no change in the dose of aspirin 100 mg daily.", "aspirin", "present", "patient"},
	{"The patient had not only fever but also a cough.", "fever", "present", "patient"},
	{"He presented with fever and cough.", "fever", "present", "patient"},
	{"A CT scan confirmed pulmonary embolism.", "pulmonary embolism", "present", "patient"},
	{"She was started on heparin.", "heparin", "present", "patient"},
	{"The sodium was 128 mmol/L, which was corrected slowly.", "128 mmol/L", "present", "patient"},
	{"The patient was afebrile with a temperature of 37.1 °C.", "37.1", "present", "patient"},
	{"In our patient, the LVEF was 25%.", "25%", "present", "patient"},
	{"Our patient had a troponin of 2.3 ng/mL.", "2.3 ng/mL", "present", "patient"},
	{"The gradient dropped to 5 mmHg without further intervention.", "5 mmHg", "present", "patient"},
	{"Her oxygen saturation improved to 95% after intubation.", "95%", "present", "patient"},
	{"No further episodes occurred and her hemoglobin remained 10.1 g/dL.", "10.1 g/dL", "present", "patient"},
	{"Despite no response to diuretics, the creatinine was 1.1 mg/dL.", "1.1 mg/dL", "present", "patient"},
	{"The white blood cell count was 15,000/µL but the CRP was normal.", "15,000/µL", "present", "patient"},

	// negated
	{"Finally, the lack of residual mitral regurgitation was confirmed.", "mitral regurgitation", "negated", "patient"},
	{"She reported no fever, cough or dyspnea.", "fever", "negated", "patient"},
	{"She reported no fever, cough or dyspnea.", "cough", "negated", "patient"},
	{"She reported no fever, cough or dyspnea.", "dyspnea", "negated", "patient"},
	{"He denies chest pain.", "chest pain", "negated", "patient"},
	{"There was no evidence of pulmonary embolism.", "pulmonary embolism", "negated", "patient"},
	{"Blood cultures were negative for bacteremia.", "bacteremia", "negated", "patient"},
	{"Pericardial effusion was absent.", "effusion", "negated", "patient"},
	{"The patient was without fever during the stay.", "fever", "negated", "patient"},
	{"Pneumothorax was ruled out by chest radiograph.", "Pneumothorax", "negated", "patient"},
	{"There were no signs of heart failure.", "heart failure", "negated", "patient"},
	{"No pleural effusion was seen, but ascites was present.", "pleural effusion", "negated", "patient"},
	{"No pleural effusion was seen, but ascites was present.", "ascites", "present", "patient"},
	{"She had never received chemotherapy.", "chemotherapy", "negated", "patient"},
	{"A pulmonary embolism was not detected.", "pulmonary embolism", "negated", "patient"},
	{"He had no history of diabetes mellitus.", "diabetes", "negated", "patient"},
	{"Absence of fever was documented.", "fever", "negated", "patient"},

	// possible
	{"A CT scan was performed for suspected pulmonary embolism.", "pulmonary embolism", "possible", "patient"},
	{"The findings were suggestive of pneumonia.", "pneumonia", "possible", "patient"},
	{"Possible endocarditis was considered.", "endocarditis", "possible", "patient"},
	{"Sepsis could not be excluded.", "Sepsis", "possible", "patient"},
	{"The differential diagnosis included tuberculosis.", "tuberculosis", "possible", "patient"},
	{"A probable myocardial infarction was diagnosed.", "myocardial infarction", "possible", "patient"},

	// hypothetical
	{"If the creatinine rises above 2.0 mg/dL, dialysis should be started.", "2.0 mg/dL", "hypothetical", "patient"},
	{"Heparin was given to prevent deep vein thrombosis.", "deep vein thrombosis", "hypothetical", "patient"},
	{"She was told to return if fever developed.", "fever", "hypothetical", "patient"},
	{"Prophylaxis against pneumonia was started.", "pneumonia", "hypothetical", "patient"},
	{"The patient was at risk of bleeding.", "bleeding", "hypothetical", "patient"},
	{"complete percutaneous resolution (coronary revascularization, Impella and percutaneous mitral valve repair) could be the treatment of choice.", "Impella", "hypothetical", "population"},
	{"Surgery should be considered in such cases.", "Surgery", "hypothetical", "patient"},

	// historical
	{"This is the case of a 73-year-old woman with a past medical history of breast cancer.", "breast cancer", "historical", "patient"},
	{"He had a history of myocardial infarction.", "myocardial infarction", "historical", "patient"},
	{"She had previously undergone a cholecystectomy.", "cholecystectomy", "historical", "patient"},
	{"She had known hypothyroidism treated with levothyroxine.", "hypothyroidism", "historical", "patient"},
	{"He had been diagnosed with tuberculosis 10 years ago.", "tuberculosis", "historical", "patient"},
	{"Her prior echocardiogram showed an LVEF of 55%.", "55%", "historical", "patient"},
	{"Previous CT scan was normal.", "CT", "historical", "patient"},

	// family and other people
	{"Her mother had breast cancer.", "breast cancer", "present", "family"},
	{"Family history of diabetes mellitus was reported.", "diabetes", "present", "family"},
	{"His father died of myocardial infarction at 50.", "myocardial infarction", "present", "family"},
	{"Her sister has epilepsy.", "epilepsy", "present", "family"},
	{"The donor had hepatitis B.", "hepatitis B", "present", "other"},
	{"She has no family history of cancer.", "cancer", "negated", "family"},

	// the population: figures quoted from the literature
	{"Acute mitral regurgitation leads to higher mortality rates (35% to 50%) because it is associated with cardiogenic shock.", "35% to 50%", "present", "population"},
	{"Most cases of massive hemoptysis originate at the bronchial arteries (90%) and often become complicated.", "90%", "present", "population"},
	{"The incidence of pulmonary embolism after surgery is 1%.", "pulmonary embolism", "present", "population"},
	{"In patients with cirrhosis, the mortality rate reaches 40%.", "40%", "present", "population"},
	{"Several cases of myocarditis have been reported.", "myocarditis", "present", "population"},
	{"Anemia and tachycardia are common in these patients.", "Anemia", "present", "population"},
	{"Most patients present with fever.", "fever", "present", "population"},
	{"The prevalence of hypertension in adults is 30%.", "30%", "present", "population"},

	// targets and reference ranges
	{"Norepinephrine was titrated to a mean arterial pressure of 65 mmHg.", "65 mmHg", "present", "target"},
	{"The goal was a hemoglobin above 7 g/dL.", "7 g/dL", "present", "target"},
	{"Fluids were given to maintain a urine output of 0.5 mL/kg/h.", "0.5", "present", "target"},
	{"His hemoglobin was 6.6 g/dl (normal range: 12–16 g/dl).", "12–16 g/dl", "present", "reference"},
	{"His hemoglobin was 6.6 g/dl (normal range: 12–16 g/dl).", "6.6 g/dl", "present", "patient"},
	{"Troponin I was 0.714 µg/L (reference, <0.06 µg/L).", "0.06 µg/L", "present", "reference"},
	{"Troponin I was 0.714 µg/L (reference, <0.06 µg/L).", "0.714 µg/L", "present", "patient"},
	{"25-OH vitamin D was 30.4 ng/mL (20–50 ng/mL).", "20–50 ng/mL", "present", "reference"},

	// terminators end a cue's scope
	{"There was no fever; however, the heart rate was 130 bpm.", "130 bpm", "present", "patient"},
	{"No pneumonia was found, although the CRP was 80 mg/L.", "80 mg/L", "present", "patient"},
	{"He denied chest pain but reported dyspnea.", "dyspnea", "present", "patient"},
	{"History of hypertension, but his current blood pressure was 118/76 mmHg.", "118/76 mmHg", "present", "patient"},
}

func TestContextAssertionsAndSubjects(t *testing.T) {
	eng := testEngine(t)
	if len(contextCases) < 80 {
		t.Errorf("only %d context cases", len(contextCases))
	}
	failed := 0
	for _, c := range contextCases {
		doc := eng.Extractor.Extract("ctx", c.text)
		found := false
		for _, f := range doc.Findings {
			if !strings.Contains(f.Text, c.target) {
				continue
			}
			found = true
			if f.Assertion != c.assertion || f.Subject != c.subject {
				failed++
				cue := ""
				if f.ContextCue != nil {
					cue = f.ContextCue.ID + " " + f.ContextCue.Text
				}
				t.Errorf("%q in %q: %s/%s, want %s/%s (cue %s)", c.target, c.text, f.Assertion, f.Subject, c.assertion, c.subject, cue)
			}
			break
		}
		if !found {
			failed++
			t.Errorf("%q: no finding holds %q", c.text, c.target)
		}
	}
	t.Logf("%d of %d context cases right", len(contextCases)-failed, len(contextCases))
}
