package eval

import (
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/clinex/clinex/extract"
)

// Counts holds one match mode's figures for a type.
type Counts struct {
	GoldFound   int     // gold spans matched by at least one counted prediction (TP, recall side)
	PredMatched int     // predictions matching at least one gold span (TP, precision side)
	FP          int     // counted − ignored − matched predictions
	FN          int     // gold − found
	Precision   float64 // PredMatched / (Pred − Ignored); 0 when that is 0
	Recall      float64 // GoldFound / Gold; 0 when there is no gold
	F1          float64 // harmonic mean of Precision and Recall
}

// TypeResult is the score of one TypeSpec.
type TypeResult struct {
	Name    string
	Span    string // "value" or "evidence"
	Check   string
	Gold    int // gold spans after the GoldDigit/GoldAttr filters
	Pred    int // counted predictions (after category/concept filters)
	Ignored int // predictions overlapping only Ignore-type gold
	Overlap Counts
	Exact   Counts
	// Value check (Check != ""): ValueRight gold spans were found by a
	// prediction with the right value; ValueAccuracy = ValueRight / Gold
	// ("recall with right value"). ValueUnknown gold spans had no readable
	// gold value (they count in Gold but can never be right).
	ValueRight    int
	ValueUnknown  int
	ValueAccuracy float64
}

// PairResult is the score of one PairSpec.
type PairResult struct {
	Name     string
	Total    int     // gold relations eligible (value type with a digit → target type)
	Scored   int     // of which some counted prediction's value span overlaps Arg1
	Correct  int     // of which such a prediction's evidence span also overlaps Arg2
	Accuracy float64 // Correct / Scored
	Coverage float64 // Scored / Total
}

// ErrorRecord is one line of the errors JSONL.
//
// Kinds: "miss" (gold span no prediction overlaps), "false_positive"
// (counted prediction overlapping no gold of the type nor of an Ignore type),
// "wrong_value" (Check types: gold found, but no overlapping prediction has
// the right value) and "pair_wrong" (a scored pair whose predictions' evidence
// misses the gold target). Start/End are code points: the gold hull for
// miss/wrong_value/pair_wrong, the prediction's scored span for
// false_positive.
type ErrorRecord struct {
	Kind     string         `json:"kind"`
	Doc      string         `json:"doc"`
	Type     string         `json:"type"`
	Start    int            `json:"start"`
	End      int            `json:"end"`
	Spans    []Span         `json:"spans,omitempty"` // gold fragments, when discontinuous
	Text     string         `json:"text"`
	Context  string         `json:"context"`
	GoldID   string         `json:"gold_id,omitempty"`
	GoldType string         `json:"gold_type,omitempty"`
	Expected string         `json:"expected,omitempty"` // wrong_value: the gold value; pair_wrong: the gold target text
	Rule     string         `json:"rule,omitempty"`
	Concept  string         `json:"concept,omitempty"`
	Category string         `json:"category,omitempty"`
	Value    *extract.Value `json:"value,omitempty"`
	Unit     string         `json:"unit,omitempty"`
	Evidence *Span          `json:"evidence,omitempty"` // false_positive: the finding's Start..End
	Got      []string       `json:"got,omitempty"`      // wrong_value / pair_wrong: what the predictions said
}

// Report is the outcome of Score.
type Report struct {
	Scheme      string
	Docs        int
	Predictions int      // findings given for gold documents
	UnknownDocs []string // prediction keys with no gold document (sorted)
	Types       []TypeResult
	Pairs       []PairResult
	Errors      []ErrorRecord
	// Hits are the gold spans found, each with the rule of the finding
	// that found it, so two runs can be compared rule by rule.
	Hits  []ErrorRecord
	Notes []string // configuration problems (from Scheme.Validate)
}

// contextWidth is how many code points of context are shown on each side.
const contextWidth = 60

// Score compares predictions (keyed by document ID, the .txt stem) with the
// gold documents under scheme s. See the package documentation for the
// matching rules. It never panics on out-of-range prediction offsets.
func Score(docs []GoldDoc, preds map[string][]extract.Finding, s Scheme) *Report {
	docs = slices.Clone(docs)
	sort.SliceStable(docs, func(i, j int) bool { return docs[i].ID < docs[j].ID })
	r := &Report{Scheme: s.Name, Docs: len(docs)}
	if err := s.Validate(); err != nil {
		r.Notes = strings.Split(err.Error(), "\n")
	}
	known := map[string]bool{}
	for i := range docs {
		known[docs[i].ID] = true
		r.Predictions += len(preds[docs[i].ID])
	}
	for k := range preds {
		if !known[k] {
			r.UnknownDocs = append(r.UnknownDocs, k)
		}
	}
	sort.Strings(r.UnknownDocs)

	for _, t := range s.Types {
		r.Types = append(r.Types, scoreType(docs, preds, t, &r.Errors, &r.Hits))
	}
	for _, p := range s.Pairs {
		r.Pairs = append(r.Pairs, scorePair(docs, preds, p, &r.Errors))
	}
	return r
}

// scored is a counted prediction with the span it is scored on.
type scored struct {
	f    *extract.Finding
	span Span
	idx  int
}

func predSpan(f *extract.Finding, mode string) Span {
	if mode != SpanEvidence && f.ValueEnd > f.ValueStart {
		return Span{f.ValueStart, f.ValueEnd}
	}
	return Span{f.Start, f.End}
}

func evidenceSpan(f *extract.Finding) Span { return Span{f.Start, f.End} }

func counted(fs []extract.Finding, cats, concepts, subjects []string, digit bool, mode string) []scored {
	var out []scored
	for i := range fs {
		f := &fs[i]
		if len(cats) > 0 && !slices.Contains(cats, f.Category) {
			continue
		}
		if len(concepts) > 0 && !slices.Contains(concepts, f.Concept) {
			continue
		}
		if len(subjects) > 0 && !slices.Contains(subjects, f.Subject) {
			continue
		}
		if digit && !hasDigit(valueText(f)) {
			continue
		}
		out = append(out, scored{f: f, span: predSpan(f, mode), idx: i})
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.span.Start != b.span.Start {
			return a.span.Start < b.span.Start
		}
		if a.span.End != b.span.End {
			return a.span.End < b.span.End
		}
		return a.idx < b.idx
	})
	return out
}

func goldKeep(e *Entity, t TypeSpec) bool {
	if !slices.Contains(t.Gold, e.Type) {
		return false
	}
	if t.GoldDigit && !e.HasDigit() {
		return false
	}
	keys := make([]string, 0, len(t.GoldAttr))
	for k := range t.GoldAttr {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, ok := e.Attr(k)
		if !ok {
			return false
		}
		if want := t.GoldAttr[k]; want != "" && !strings.EqualFold(want, v) {
			return false
		}
	}
	return true
}

func scoreType(docs []GoldDoc, preds map[string][]extract.Finding, t TypeSpec, errs, hits *[]ErrorRecord) TypeResult {
	mode := t.Span
	if mode != SpanEvidence {
		mode = SpanValue
	}
	res := TypeResult{Name: t.Name, Span: mode, Check: t.Check}
	checking := t.Check == CheckAge || t.Check == CheckSex || t.Check == CheckPolarity
	for di := range docs {
		d := &docs[di]
		runes := d.Runes()
		var gold, ign []*Entity
		for _, e := range d.SortedEntities() {
			if goldKeep(e, t) {
				gold = append(gold, e)
			} else if slices.Contains(t.Ignore, e.Type) {
				ign = append(ign, e)
			}
		}
		ps := counted(preds[d.ID], t.Categories, t.Concepts, t.Subjects, t.PredDigit, mode)
		res.Gold += len(gold)
		res.Pred += len(ps)

		var recs []ErrorRecord
		goldTrim := make([]Span, len(gold))
		for i, g := range gold {
			goldTrim[i] = trimSpan(runes, g.Hull())
		}
		for _, p := range ps {
			pt := trimSpan(runes, p.span)
			over, exact := false, false
			for i, g := range gold {
				if g.Overlaps(p.span) {
					over = true
				}
				if pt.End > pt.Start && pt == goldTrim[i] {
					exact = true
				}
			}
			if exact {
				res.Exact.PredMatched++
			}
			if over {
				res.Overlap.PredMatched++
				continue
			}
			ignored := false
			for _, g := range ign {
				if g.Overlaps(p.span) {
					ignored = true
					break
				}
			}
			if ignored {
				res.Ignored++
				continue
			}
			v := p.f.Value
			ev := evidenceSpan(p.f)
			recs = append(recs, ErrorRecord{
				Kind: "false_positive", Doc: d.ID, Type: t.Name,
				Start: p.span.Start, End: p.span.End,
				Text: d.SpanText(p.span), Context: context(runes, p.span),
				Rule: p.f.Rule, Concept: p.f.Concept, Category: p.f.Category,
				Value: &v, Unit: p.f.Unit, Evidence: &ev,
			})
		}
		for i, g := range gold {
			found, exact, right := false, false, false
			hitRule := ""
			var got []string
			for _, p := range ps {
				if pt := trimSpan(runes, p.span); pt.End > pt.Start && pt == goldTrim[i] {
					exact = true
				}
				if !g.Overlaps(p.span) {
					continue
				}
				if checking {
					d := describe(p.f)
					if t.Check == CheckPolarity {
						d += " " + p.f.Assertion
					}
					got = append(got, d)
					ok := valueRight(t.Check, g, p.f)
					switch {
					case t.Check == CheckPolarity:
						// every finding on the event must agree with its polarity
						right = ok && (right || !found)
					case ok:
						right = true
					}
				}
				if !found {
					hitRule = p.f.Rule
				}
				found = true
			}
			if found {
				res.Overlap.GoldFound++
				h := g.Hull()
				*hits = append(*hits, ErrorRecord{Kind: "hit", Doc: d.ID, Type: t.Name, Start: h.Start, End: h.End,
					Text: g.Text, GoldID: g.ID, GoldType: g.Type, Rule: hitRule})
			}
			if exact {
				res.Exact.GoldFound++
			}
			want, known := "", true
			if checking {
				want, known = goldValueString(t.Check, g)
				if !known {
					res.ValueUnknown++
				}
				if right {
					res.ValueRight++
				}
			}
			h := g.Hull()
			rec := ErrorRecord{Doc: d.ID, Type: t.Name, Start: h.Start, End: h.End,
				Text: g.Text, Context: context(runes, h), GoldID: g.ID, GoldType: g.Type}
			if len(g.Spans) > 1 {
				rec.Spans = slices.Clone(g.Spans)
			}
			switch {
			case !found:
				rec.Kind = "miss"
				recs = append(recs, rec)
			case checking && !right:
				rec.Kind = "wrong_value"
				rec.Expected = want
				if !known {
					rec.Expected = "?"
				}
				rec.Got = got
				recs = append(recs, rec)
			}
		}
		sortRecords(recs)
		*errs = append(*errs, recs...)
	}
	denomP := res.Pred - res.Ignored
	for _, c := range []*Counts{&res.Overlap, &res.Exact} {
		c.FN = res.Gold - c.GoldFound
		c.FP = denomP - c.PredMatched
		c.Precision = ratio(c.PredMatched, denomP)
		c.Recall = ratio(c.GoldFound, res.Gold)
		c.F1 = f1(c.Precision, c.Recall)
	}
	if checking {
		res.ValueAccuracy = ratio(res.ValueRight, res.Gold)
		if t.Check == CheckPolarity {
			// polarity is only defined where a finding meets the event
			res.ValueAccuracy = ratio(res.ValueRight, res.Overlap.GoldFound)
		}
	}
	return res
}

func scorePair(docs []GoldDoc, preds map[string][]extract.Finding, p PairSpec, errs *[]ErrorRecord) PairResult {
	res := PairResult{Name: p.Name}
	for di := range docs {
		d := &docs[di]
		runes := d.Runes()
		ps := counted(preds[d.ID], p.Categories, p.Concepts, p.Subjects, false, SpanValue)
		var recs []ErrorRecord
		for _, rel := range d.Relations {
			if len(p.Relations) > 0 && !slices.Contains(p.Relations, rel.Type) {
				continue
			}
			if !rel.Resolved() {
				continue
			}
			a1, a2 := d.Entities[rel.Arg1], d.Entities[rel.Arg2]
			if len(p.Value) > 0 && !slices.Contains(p.Value, a1.Type) {
				continue
			}
			if !a1.HasDigit() {
				continue
			}
			if len(p.Target) > 0 && !slices.Contains(p.Target, a2.Type) {
				continue
			}
			res.Total++
			hit, ok := false, false
			var got []string
			for _, q := range ps {
				if !a1.Overlaps(q.span) {
					continue
				}
				hit = true
				ev := evidenceSpan(q.f)
				got = append(got, q.f.Concept+": "+d.SpanText(ev))
				if a2.Overlaps(ev) {
					ok = true
				}
			}
			if !hit {
				continue
			}
			res.Scored++
			if ok {
				res.Correct++
				continue
			}
			h := a1.Hull()
			recs = append(recs, ErrorRecord{Kind: "pair_wrong", Doc: d.ID, Type: p.Name,
				Start: h.Start, End: h.End, Text: a1.Text, Context: context(runes, h),
				GoldID: rel.ID, GoldType: rel.Type, Expected: a2.Text, Got: got})
		}
		sortRecords(recs)
		*errs = append(*errs, recs...)
	}
	res.Accuracy = ratio(res.Correct, res.Scored)
	res.Coverage = ratio(res.Scored, res.Total)
	return res
}

func sortRecords(recs []ErrorRecord) {
	sort.SliceStable(recs, func(i, j int) bool {
		a, b := recs[i], recs[j]
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End < b.End
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.GoldID != b.GoldID {
			return idLess(a.GoldID, b.GoldID)
		}
		return a.Rule < b.Rule
	})
}

func ratio(a, b int) float64 {
	if b <= 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// trimSpan narrows s (clamped to the text) past surrounding whitespace, a
// leading "(" and trailing ".,;:)", as used by exact matching.
func trimSpan(runes []rune, s Span) Span {
	a, b := clamp(s.Start, len(runes)), clamp(s.End, len(runes))
	for a < b && (unicode.IsSpace(runes[a]) || runes[a] == '(') {
		a++
	}
	for a < b && (unicode.IsSpace(runes[b-1]) || strings.ContainsRune(".,;:)", runes[b-1])) {
		b--
	}
	return Span{a, b}
}

// context returns ±contextWidth code points around s, whitespace runs
// (newlines included) folded to one space.
func context(runes []rune, s Span) string {
	a := clamp(s.Start-contextWidth, len(runes))
	b := clamp(s.End+contextWidth, len(runes))
	if a >= b {
		return ""
	}
	return strings.Join(strings.Fields(string(runes[a:b])), " ")
}

func describe(f *extract.Finding) string {
	s := f.Value.String()
	if f.Unit != "" {
		s += " " + f.Unit
	}
	return s
}

// --- value checks ---

// ageValue is an age as a number and a normalized unit: "a" (years), "mo",
// "wk" or "d".
type ageValue struct {
	num  float64
	unit string
}

var (
	numberRE  = regexp.MustCompile(`\d+(?:\.\d+)?`)
	ageAttrRE = regexp.MustCompile(`^\s*(\d+(?:\.\d+)?)\s*([A-Za-z])`)
)

// goldAge reads the gold age of e: its "age" attribute when present (E3C:
// "14Y" = 14 years, "6M" = 6 months, "10D" = 10 days, "3W" = 3 weeks; a
// repeated letter as in "17YY" is tolerated), otherwise the first number in
// its text, in months/weeks/days when the following words say so
// ("13 months of age") and in years otherwise ("28-year-old").
func goldAge(e *Entity) (ageValue, bool) {
	if v, ok := e.Attr("age"); ok {
		if m := ageAttrRE.FindStringSubmatch(v); m != nil {
			n, _ := strconv.ParseFloat(m[1], 64)
			unit := map[string]string{"y": "a", "m": "mo", "w": "wk", "d": "d"}[strings.ToLower(m[2])]
			if unit != "" {
				return ageValue{n, unit}, true
			}
		}
	}
	loc := numberRE.FindStringIndex(e.Text)
	if loc == nil {
		return ageValue{}, false
	}
	n, _ := strconv.ParseFloat(e.Text[loc[0]:loc[1]], 64)
	unit := "a"
	after := strings.ToLower(e.Text[loc[1]:])
	words := strings.FieldsFunc(after, func(r rune) bool { return !unicode.IsLetter(r) })
	if len(words) > 0 {
		switch w := words[0]; {
		case strings.HasPrefix(w, "month") || w == "mo" || w == "mos":
			unit = "mo"
		case strings.HasPrefix(w, "week") || w == "wk" || w == "wks":
			unit = "wk"
		case strings.HasPrefix(w, "day"):
			unit = "d"
		}
	}
	return ageValue{n, unit}, true
}

// predAgeUnit normalizes a prediction's age unit; years may be written "a"
// (the clinex convention), "y", "yr", "year(s)" or left empty.
func predAgeUnit(u string) string {
	switch strings.ToLower(strings.TrimSpace(u)) {
	case "", "a", "y", "yr", "yrs", "year", "years":
		return "a"
	case "mo", "mos", "month", "months":
		return "mo"
	case "wk", "wks", "w", "week", "weeks":
		return "wk"
	case "d", "day", "days":
		return "d"
	}
	return u
}

var sexWords = map[string]string{
	"man": "male", "male": "male", "boy": "male", "gentleman": "male", "husband": "male",
	"father": "male", "son": "male", "he": "male",
	"woman": "female", "female": "female", "girl": "female", "lady": "female", "wife": "female",
	"mother": "female", "daughter": "female", "she": "female",
}

// goldSex reads "male"/"female" from the first word of e's text found in the
// table man/male/boy/gentleman/husband/father/son/he → male,
// woman/female/girl/lady/wife/mother/daughter/she → female.
func goldSex(e *Entity) (string, bool) {
	for _, w := range strings.FieldsFunc(strings.ToLower(e.Text), func(r rune) bool { return !unicode.IsLetter(r) }) {
		if s, ok := sexWords[w]; ok {
			return s, true
		}
	}
	return "", false
}

func goldValueString(check string, e *Entity) (string, bool) {
	switch check {
	case CheckAge:
		a, ok := goldAge(e)
		if !ok {
			return "", false
		}
		return extract.FormatNumber(a.num) + " " + a.unit, true
	case CheckSex:
		return goldSex(e)
	case CheckPolarity:
		if isNeg(e) {
			return "negated", true
		}
		return "not negated", true
	}
	return "", false
}

func isNeg(e *Entity) bool {
	v, _ := e.Attr("polarity")
	return strings.EqualFold(v, "NEG")
}

func valueRight(check string, e *Entity, f *extract.Finding) bool {
	switch check {
	case CheckAge:
		g, ok := goldAge(e)
		if !ok || !f.Value.IsNum() {
			return false
		}
		return math.Abs(f.Value.Num-g.num) < 1e-9 && predAgeUnit(f.Unit) == g.unit
	case CheckSex:
		g, ok := goldSex(e)
		if !ok || f.Value.Kind != extract.StrValue {
			return false
		}
		p := strings.ToLower(strings.TrimSpace(f.Value.Str))
		if m, ok := sexWords[p]; ok {
			p = m
		}
		return p == g
	case CheckPolarity:
		return isNeg(e) == (f.Assertion == "negated")
	}
	return false
}

// valueText is the finding's value as written: the evidence text cut to the
// value span (offsets are code points, relative to the evidence start).
func valueText(f *extract.Finding) string {
	r := []rune(f.Text)
	a, b := f.ValueStart-f.Start, f.ValueEnd-f.Start
	if a < 0 || b > len(r) || a > b {
		return f.Text
	}
	return string(r[a:b])
}
