package extract

// Finding is one extracted value with everything a researcher needs to trust
// it. It is flat on purpose: one JSON line or one spreadsheet row says it all.
//
// Start/End and ValueStart/ValueEnd count Unicode code points into the
// original document text (so Python's text[start:end] is the evidence); the
// byte offsets used internally are not serialized.
type Finding struct {
	Doc        string   `json:"doc"`
	Case       int      `json:"case"`
	Section    string   `json:"section"`
	Category   string   `json:"category"`
	Concept    string   `json:"concept"`
	Label      string   `json:"label"`
	Value      Value    `json:"value"`
	ValueMax   *float64 `json:"value_max"`
	Operator   string   `json:"operator,omitempty"`
	Unit       string   `json:"unit"`
	Text       string   `json:"text"`
	Start      int      `json:"start"`
	End        int      `json:"end"`
	ValueStart int      `json:"value_start"`
	ValueEnd   int      `json:"value_end"`
	Sentence   string   `json:"sentence"`
	Assertion  string   `json:"assertion"`
	Subject    string   `json:"subject"`
	Rule       string   `json:"rule"`
	Flags      []string `json:"flags"`
	// Attributes holds what a kind of finding adds: a device's maker,
	// position, ordinal and setting; a drug's route, frequency and
	// duration; a procedure's count, status and guidance; an outcome's
	// time. See the README for the keys.
	Attributes map[string]any `json:"attributes,omitempty"`
	// ContextCue is the cue that decided the assertion or subject, with
	// its text and code-point offsets (-1 when a section decided).
	ContextCue *ContextCue `json:"context_cue,omitempty"`

	// Byte offsets into the original text, for slicing without re-decoding.
	ByteStart      int `json:"-"`
	ByteEnd        int `json:"-"`
	ValueByteStart int `json:"-"`
	ValueByteEnd   int `json:"-"`
}

// Categories a finding may have; the output contract lists exactly these.
const (
	CatDemographic = "demographic"
	CatVital       = "vital"
	CatLab         = "lab"
	CatScore       = "score"
	CatMeasurement = "measurement"
	CatDevice      = "device"
	CatMedication  = "medication"
	CatProcedure   = "procedure"
	CatOutcome     = "outcome"
	CatCondition   = "condition"
)

// Categories lists every valid category, in documentation order.
var Categories = []string{CatDemographic, CatVital, CatLab, CatScore, CatMeasurement,
	CatDevice, CatMedication, CatProcedure, CatOutcome, CatCondition}
