package extract

import (
	"maps"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/clinex/clinex/patterns"
)

// doseDimensions are the unit dimensions a drug's dose comes in.
var doseDimensions = map[string]bool{"mass": true, "dose_kg": true, "dose_bsa": true, "dose_rate_kg": true,
	"iu": true, "volume": true, "flow_h": true, "excretion": true, "subst_amount": true, "fraction": true,
	"volume_kg": true, "dose_kg_rate": true, "dose_kg_rate_h": true, "iu_kg": true, "iu_rate": true, "dose_rate": true,
	"dose_rate_min": true, "dose_unit": true, "volume_rate": true, "dose_kg_rate_mo": true, "dose_kg_rate_wk": true}

var (
	// doseGapRe: what may stand between a drug's name and its dose.
	doseGapRe = regexp.MustCompile(`(?i)^(?:[\s,:(\[-]|\b(?:at|of|a|an|dose|doses|dosage|was|were|is|started|given|administered|infusion|infused|initiated|with|in|to|increased|decreased|reduced|titrated|up|bolus|loading|maintenance|daily|iv|i\.v\.|orally|oral|intravenous|intravenously|subcutaneous|subcutaneously|total|single|continuous|then|rate|by|mg|tablet|tablets|capsule|capsules|hydrochloride|sodium|injection|therapy|treatment|regimen|which|sustained-release|extended-release|slow-release|prolonged-release|the|solution|drip|dosing|doses?|started|restarted|resumed|commenced|prescribed|received|receiving|on|course|courses|pulse|pulses|high-dose|low-dose|as|for|per|tapered|weaned|from|reduced|lowered|raised|escalated|switched|changed|maintained|kept|continued|initially|first|eventually|finally|later|subsequently)\b)*$`)
	// doseContinues: a second dose of the same drug ("tapered from 60 mg
	// daily to 5 mg daily", "20 mg/day for 1 month, 10 mg/day for 4 months").
	doseContinues = regexp.MustCompile(`(?i)^(?:[\s,;]|\b(?:to|and|then|or|followed by|increased|decreased|reduced|tapered|titrated|escalated|up|down|a|maintenance|dose|of|for|eventually|finally|later|subsequently|several|few|many|days|weeks|months|years|\d+(?:\.\d+)?\s*(?:days?|weeks?|months?|years?|hours?|d|h))\b)*$`)
	cyclesRe      = regexp.MustCompile(`(?i)\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(cycles?|courses?|doses?|infusions?|injections?)\s+of\s+(?:[\pL-]+\s+){0,2}$`)
	routeRe       = regexp.MustCompile(`(?i)(?:^|[^\pL])(i\.v\.|i\.v|iv|intravenous(?:ly)?|oral(?:ly)?|p\.o\.|per os|po|s\.c\.|subcutaneous(?:ly)?|sc|i\.m\.|intramuscular(?:ly)?|im|inhaled|nebuli[sz]ed|topical(?:ly)?|intrathecal(?:ly)?|intravitreal|transdermal|sublingual|rectal(?:ly)?)(?:[^\pL]|$)`)
	freqRe        = regexp.MustCompile(`(?i)\b(once daily|twice daily|three times daily|four times daily|once a day|twice a day|three times a day|daily|nightly|weekly|monthly|b\.i\.d\.?|t\.i\.d\.?|q\.i\.d\.?|q\.d\.?|bid|tid|qid|od|qd|every\s+\d+\s*(?:h|hours?|days?|weeks?)|q\s?\d+\s*h|per day|/day|a day|as needed|prn)\b`)
	durRe         = regexp.MustCompile(`(?i)\bfor\s+(\d+(?:\.\d+)?)\s*(days?|weeks?|months?|years?|hours?|h|d|wks?|mos?)\b`)
	timesRe       = regexp.MustCompile(`(\d+)\s*[x×]\s*$`)
	ordinalRe     = regexp.MustCompile(`(?i)\b(first|second|third|fourth|fifth|another|two|three|four|2nd|3rd|4th|additional)\s+(?:[\pL-]+\s+)?$`)
	positionRe    = regexp.MustCompile(`\b([AP][1-3]\s*-\s*[AP][1-3])\b`)
	countRe       = regexp.MustCompile(`(?i)\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+(bags?|units?|packs?|pints?|U|doses?|sessions?|cycles?|courses?)\s+of\s+(?:the\s+)?$`)
	statusAfterRe = regexp.MustCompile(`(?i)^[\s,]*(?:\w+\s+){0,2}?(?:was|were|is|are|had been|has been|been)\s+(attempted|planned|scheduled|proposed|considered|recommended|indicated|deferred|refused|declined|postponed|performed|done|carried out|completed|successful|unsuccessful)\b`)
	guidanceRe    = regexp.MustCompile(`(?i)\bunder\s+(?:the\s+)?(?:[\pL-]+\s+){0,4}$`)
	guidanceAfter = regexp.MustCompile(`(?i)^\s*(?:guidance|guided|control)\b`)
	gradeAfterRe  = regexp.MustCompile(`(?i)^\s*(?:\(?\s*grade\s+([IV]+(?:\s*-\s*[IV]+)?|[1-4](?:\s*-\s*[1-4])?)\)?)`)
	gradeBeforeRe = regexp.MustCompile(`(?i)\bgrade\s+([IV]+(?:\s*-\s*[IV]+)?|[1-4](?:\s*-\s*[1-4])?)\s+(?:[\pL-]+\s+){0,2}$`)
	timeAfterRe   = regexp.MustCompile(`(?i)\b(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?|years?|yrs?)\s+(later|after(?:wards)?|post[\pL-]*)\b|\bafter\s+(\d+(?:\.\d+)?)\s*(hours?|hrs?|h|days?|d|weeks?|wks?|months?|mos?|years?|yrs?)\b|\bon\s+(?:post[\pL-]*\s+)?day\s+(\d+)\b`)
	removalRe     = regexp.MustCompile(`(?i)^[\s,]*(?:device\s+|pump\s+|catheter\s+)?(?:was|were|had been|has been|could be|is)\s+(?:then\s+|successfully\s+|finally\s+|eventually\s+)?(removed|explanted|withdrawn|retrieved|decannulated)\b`)
)

// severityWords and statusWords are read among the words right before a
// condition or procedure; a word list is much cheaper than a regex run on
// every mention.
var (
	severityWords = newWordSet(`mild mild-to-moderate moderate moderate-to-severe severe massive acute chronic critical
significant large small extensive diffuse life-threatening refractory recurrent progressive`)
	statusWords = newWordSet(`attempted planned scheduled proposed failed unsuccessful successful elective emergency emergent urgent`)
)

// entityExtra is what entityCandidates reads of an entity at each of its
// mentions, made once with the extractor rather than on every mention. It
// holds copies of the entity's fields so a mention reads one row of one
// slice: the entities and their attribute maps lie scattered over the heap,
// and reaching them cost a cache miss or three per mention.
type entityExtra struct {
	category, concept, label, id string
	kind                         entityKind // category, switched on without comparing strings
	// attrs are the entity's attributes, copied into each finding's own
	// map; class is attrs' "class" (nil if none or empty), which a
	// further dose carries.
	attrs  []attrPair
	class  any
	models []string // longest first: the longest listed model wins
}

// attrPair is one attribute, its value already an interface.
type attrPair struct {
	key   string
	value any
}

// entityKind is an entity's category as a number.
type entityKind uint8

const (
	kindOtherEntity entityKind = iota
	kindMedication
	kindDevice
	kindProcedure
	kindCondition
	kindOutcome
)

func entityKindOf(category string) entityKind {
	switch category {
	case CatMedication:
		return kindMedication
	case CatDevice:
		return kindDevice
	case CatProcedure:
		return kindProcedure
	case CatCondition:
		return kindCondition
	case CatOutcome:
		return kindOutcome
	}
	return kindOtherEntity
}

func newEntityExtras(ents []*patterns.Entity) []entityExtra {
	out := make([]entityExtra, len(ents))
	// Each entity's strings were decoded on their own, so the same key
	// ("kind") lies in as many places as there are entities, and hashing
	// it for a finding's map read a cold cache line: one copy of each.
	keys, values := map[string]string{}, map[string]any{}
	for _, c := range Categories {
		keys[c] = c
	}
	intern := func(s string) string {
		if k, ok := keys[s]; ok {
			return k
		}
		keys[s] = s
		return s
	}
	for i, en := range ents {
		x := &out[i]
		x.category, x.concept, x.label, x.id = intern(en.Category), en.Concept, en.Label, en.ID
		x.kind = entityKindOf(en.Category)
		// sorted so every finding's map is filled in the same order
		for _, k := range slices.Sorted(maps.Keys(en.Attributes)) {
			v, ok := values[en.Attributes[k]]
			if !ok {
				v = intern(en.Attributes[k])
				values[en.Attributes[k]] = v
			}
			x.attrs = append(x.attrs, attrPair{intern(k), v})
		}
		if c := en.Attributes["class"]; c != "" {
			x.class = values[c]
		}
		x.models = append([]string(nil), en.Models...)
		sort.SliceStable(x.models, func(a, b int) bool { return len(x.models[a]) > len(x.models[b]) })
	}
	return out
}

// newAttrs makes a finding's own attribute map with the entity's
// attributes, room for extra more without growing (or one given back).
func (x *entityExtra) newAttrs(extra int) map[string]any {
	m := newAttrMap(len(x.attrs) + extra)
	for i := range x.attrs {
		m[x.attrs[i].key] = x.attrs[i].value
	}
	return m
}

var wordNumbers = map[string]float64{"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
	"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "2nd": 2, "3rd": 3, "4th": 4}

// timeUnit reads a time word ("hours", "d", "wks") with the unit table.
func (e *Extractor) timeUnit(word string) string {
	if u, code, n := e.units.Match(word); u != nil && n == len(word) && u.Dimension == "time" {
		return code
	}
	return ""
}

// entityCandidates makes a finding of every medication, device, procedure,
// condition and outcome mention, with what stands around it: a drug's dose,
// route, frequency and duration; a device's model, ordinal and position; a
// procedure's count, status and guidance; a condition's severity; an
// outcome's time. It appends them to out, and returns the quantities it
// used (doses, counts, models) so they are not read again as measurements.
func (e *Extractor) entityCandidates(out []candidate, t string, L *Layout, ms []mention, qs []Quantity) ([]candidate, []bool) {
	return e.appendEntityCandidates(out, make([]bool, len(qs)), t, L, ms, qs)
}

// appendEntityCandidates is entityCandidates marking the quantities used in
// used (all false, one per quantity: a reused buffer).
func (e *Extractor) appendEntityCandidates(out []candidate, used []bool, t string, L *Layout, ms []mention, qs []Quantity) ([]candidate, []bool) {
	out = slices.Grow(out, len(ms)) // about one each; appending in place spares a slice to copy
	first := len(out)
	guided := false
	next := 0 // the first sentence that ends after the mention: mentions come in text order
	for mi := range ms {
		m := &ms[mi]
		ex := &e.entities[m.entity]
		if next > 0 && L.Sentences[next-1].End > m.start {
			next = 0 // out of order after all: search from the start
		}
		for next < len(L.Sentences) && L.Sentences[next].End <= m.start {
			next++
		}
		if next == len(L.Sentences) || L.Sentences[next].Start > m.start {
			continue // a heading ("CASE RESOLUTION") names a section, not an outcome
		}
		sent := L.Sentences[next]
		// A medication's further doses and a device's removal go before
		// its own finding, which is made aside and appended after them;
		// every other finding is made where it goes: a candidate is some
		// 250 bytes, and building one then copying it was a fifth of the
		// stage's own instructions.
		var aside candidate
		c := &aside
		if ex.kind != kindMedication && ex.kind != kindDevice {
			out = append(out, candidate{})
			c = &out[len(out)-1]
		}
		c.category, c.concept, c.label, c.rule = ex.category, ex.concept, ex.label, ex.id
		c.start, c.end, c.vstart, c.vend = m.start, m.end, m.start, m.end
		c.order, c.entity = 1<<18, true
		if c.label == "" {
			c.label = t[m.start:m.end]
		}
		attrs := ex.newAttrs(2) // each finding owns its map
		before := t[max(sent.Start, m.start-60):m.start]
		after := t[m.end:min(sent.End, m.end+120)]
		switch ex.kind {
		case kindMedication:
			if pick := e.readDose(t, sent, m, qs, used, c, attrs); pick >= 0 {
				out = append(out, e.moreDoses(t, sent, ms, mi, pick, qs, used, *c)...)
			}
		case kindDevice:
			readModel(t, m, ex.models, c)
			if o := ordinalBefore(before); o != "" {
				w := strings.ToLower(o)
				switch n, ok := wordNumbers[w]; {
				case w == "two" || w == "three" || w == "four":
					attrs["count"] = n
				case ok:
					attrs["ordinal"] = n
				default: // another, additional
					attrs["ordinal"] = w
				}
			}
			if !mayHavePosition(after) {
			} else if p := positionRe.FindStringSubmatch(after); p != nil {
				attrs["position"] = strings.Join(strings.Fields(strings.ReplaceAll(p[1], " ", "")), "")
			}
			for qi := range qs {
				if qs[qi].NumStart >= c.vstart && qs[qi].NumEnd <= c.vend {
					used[qi] = true // the model "5.0" is not a quantity
				}
			}
			if w := t[c.end:min(sent.End, c.end+60)]; !mayBeRemoval(w) {
			} else if r := removalEnd(w); r >= 0 {
				out = append(out, e.removalOutcome(t, sent, ex, c, c.end+r))
			}
		case kindProcedure:
			var cm []int
			if strings.HasSuffix(strings.TrimRight(before, " "), "of") {
				cm = countBefore(before)
			}
			if cm != nil {
				base := m.start - len(before)
				word := strings.ToLower(before[cm[2]:cm[3]])
				n, ok := wordNumbers[word]
				if !ok {
					n, _ = strconv.ParseFloat(word, 64)
				}
				c.value = Number(n)
				c.unit = "{" + strings.TrimSuffix(strings.ToLower(before[cm[4]:cm[5]]), "s") + "}"
				c.start, c.vstart, c.vend = base+cm[0], base+cm[2], base+cm[3]
				for qi := range qs {
					if qs[qi].NumStart >= c.vstart && qs[qi].NumStart < c.vend {
						used[qi] = true
					}
				}
			}
			if st := statusAfter(after); st != "" {
				attrs["status"] = procedureStatus(st)
			} else if st := wordBefore(before, 3, statusWords); st != "" {
				attrs["status"] = procedureStatus(st)
			} else {
				attrs["status"] = "performed"
			}
			if mayBeGuidance(after) && guidanceAfter.MatchString(after) && guidanceRe.MatchString(before) { // the anchored test first: it fails at once
				attrs["role"] = "guidance"
				guided = true
			}
		case kindCondition:
			if sv := wordBefore(before, 3, severityWords); sv != "" {
				attrs["severity"] = severityValue(sv)
			}
			if g := gradeAfter(after); g != nil {
				attrs["grade"] = strings.ReplaceAll(g[1], " ", "")
			} else if g := gradeBefore(before); g != nil {
				attrs["grade"] = strings.ReplaceAll(g[1], " ", "")
			}
		case kindOutcome:
			if tm := e.readTime(after); tm != nil {
				attrs["time"] = tm
			}
		}
		if len(attrs) > 0 {
			c.attrs = attrs
		}
		if c == &aside {
			out = append(out, aside)
		}
	}
	if guided { // most documents have no guide to link
		linkGuidance(out[first:])
	}
	return out, used
}

func gradeAfter(after string) []string {
	if !mayBeGradeAfter(after) {
		return nil
	}
	return gradeAfterRe.FindStringSubmatch(after)
}

func gradeBefore(before string) []string {
	if !containsFoldASCII(before, "grade") || !mayEndWithGrade(before) { // the first is a fast search, the second tells where
		return nil
	}
	return gradeBeforeRe.FindStringSubmatch(before)
}

// procedureStatus returns an attribute value: constants put in an
// interface need no allocation, a string variable does.
func procedureStatus(w string) any {
	switch strings.ToLower(w) {
	case "attempted", "failed", "unsuccessful":
		return "attempted"
	case "planned", "scheduled", "proposed", "considered", "recommended", "indicated", "elective":
		return "planned"
	case "deferred", "refused", "declined", "postponed":
		return "not_performed"
	}
	return "performed"
}

// severityValues holds each severity word already in an interface, made
// once: a condition's severity was a new interface value at every mention.
var severityValues = func() map[string]any {
	m := make(map[string]any, len(severityWords.words))
	for w := range severityWords.words {
		m[w] = w
	}
	return m
}()

// severityValue returns sv as an attribute value.
func severityValue(sv string) any {
	if v, ok := severityValues[sv]; ok {
		return v
	}
	return sv
}

// readTime reads "72 hours later", "after 3 days", "on day 5".
func (e *Extractor) readTime(s string) map[string]any {
	if !hasDigit(s) || !mayContainFold(s, timeWords) { // each branch of timeAfterRe reads a number and one of timeWords
		return nil
	}
	match, num, unit, onDay, ok := timeAfter(s)
	if !ok {
		return nil
	}
	v, _ := strconv.ParseFloat(num, 64)
	if onDay {
		return map[string]any{"value": v, "unit": "d", "relation": "on_day", "text": match}
	}
	return map[string]any{"value": v, "unit": e.timeUnit(unit), "relation": "after", "text": match}
}

// removalOutcome is "the Impella 5.0 device was removed 72 hours later": an
// outcome about the device, with its time.
func (e *Extractor) removalOutcome(t string, sent Sentence, en *entityExtra, dev *candidate, verbEnd int) candidate {
	o := candidate{category: CatOutcome, concept: "device_removal", label: "Device removal", rule: "outcome.device_removal",
		start: dev.start, end: verbEnd, vstart: dev.start, vend: verbEnd, order: 1 << 18, entity: true,
		attrs: map[string]any{"device": en.concept, "kind": "device"}}
	rest := t[verbEnd:min(sent.End, verbEnd+40)]
	if tm := e.readTime(rest); tm != nil && strings.Index(rest, tm["text"].(string)) < 4 {
		o.attrs["time"] = tm
		o.end = verbEnd + strings.Index(rest, tm["text"].(string)) + len(tm["text"].(string))
	}
	return o
}

// linkGuidance gives a procedure done "under X guidance" its guide: the
// nearest earlier procedure within a few hundred characters that is not
// itself a guide.
func linkGuidance(cs []candidate) {
	for i := range cs {
		g := &cs[i]
		if g.category != CatProcedure || g.attrs == nil || g.attrs["role"] != "guidance" {
			continue
		}
		for j := i - 1; j >= 0; j-- {
			p := &cs[j]
			if g.start-p.end > 400 {
				break
			}
			if p.category == CatProcedure && (p.attrs == nil || p.attrs["role"] != "guidance") {
				if p.attrs == nil {
					p.attrs = map[string]any{}
				}
				p.attrs["guidance"] = g.concept
				break
			}
		}
	}
}

// readModel reads a device's model right after its name: "Impella 5.0",
// "MitraClip NTW". The longest listed model wins.
func readModel(t string, m *mention, models []string, c *candidate) {
	if len(models) == 0 {
		return
	}
	i := m.end
	for i < len(t) && (t[i] == ' ' || t[i] == '-') {
		i++
	}
	for _, md := range models {
		if i+len(md) <= len(t) && strings.EqualFold(t[i:i+len(md)], md) && !isWordByteAt(t, i+len(md)) {
			if strings.HasSuffix(md, ".") || i+len(md) == len(t) || !(t[i+len(md)] == '.' && i+len(md)+1 < len(t) && isDigit(t[i+len(md)+1])) {
				c.value = String(t[i : i+len(md)])
				c.end, c.vstart, c.vend = i+len(md), i, i+len(md)
				return
			}
		}
	}
}

// readDose finds a drug's dose: the quantity in a dose unit right after
// the name ("noradrenalin at 0.3 µg/kg/min"), or right before it ("40 mg
// furosemide"), then its route, frequency, duration and times.
func (e *Extractor) readDose(t string, sent Sentence, m *mention, qs []Quantity, used []bool, c *candidate, attrs map[string]any) int {
	pick := -1
	i := sort.Search(len(qs), func(i int) bool { return qs[i].Start >= m.end })
	for k := i; k < len(qs) && qs[k].Start-m.end <= 70 && qs[k].End <= sent.End; k++ {
		q := &qs[k]
		if used[k] {
			continue
		}
		if q.Unit != nil && doseDimensions[q.Unit.Dimension] && isDoseGap(dropParentheticals(t[m.end:q.Start])) {
			pick = k
		}
		break
	}
	if pick < 0 && i > 0 {
		q := &qs[i-1]
		gap := strings.TrimSpace(t[min(q.End, m.start):m.start])
		if q.End <= m.start && m.start-q.End <= 6 && (gap == "" || gap == "of") && q.Unit != nil && doseDimensions[q.Unit.Dimension] && !used[i-1] && q.Start >= sent.Start {
			pick = i - 1
		}
	}
	if pick < 0 {
		// "4 cycles of adjuvant chemotherapy": the count is the value
		if w := t[max(sent.Start, m.start-40):m.start]; !ofNearEnd(w) || !mayContainFold(w, cyclesWords) {
		} else if cm := cyclesBefore(w); cm != nil {
			base := max(sent.Start, m.start-40)
			word := strings.ToLower(t[base+cm[2] : base+cm[3]])
			n, ok := wordNumbers[word]
			if !ok {
				n, _ = strconv.ParseFloat(word, 64)
			}
			c.value = Number(n)
			c.unit = "{" + strings.TrimSuffix(strings.ToLower(t[base+cm[4]:base+cm[5]]), "s") + "}"
			c.start, c.vstart, c.vend = base+cm[0], base+cm[2], base+cm[5]
			for qi := range qs {
				if qs[qi].NumStart >= c.vstart && qs[qi].NumStart < c.vend {
					used[qi] = true
				}
			}
		}
		return -1
	}
	q := &qs[pick]
	used[pick] = true
	c.value, c.valueMax, c.op, c.unit = Number(q.Value), q.ValueMax, q.Op, q.UnitCode
	c.vstart, c.vend = q.NumStart, q.End
	c.start, c.end = min(c.start, q.Start), max(c.end, q.End)
	if w := t[max(sent.Start, q.Start-8):q.Start]; !endsWithTimes(w) {
	} else if tm := timesRe.FindStringSubmatchIndex(w); tm != nil {
		n, _ := strconv.Atoi(t[max(sent.Start, q.Start-8)+tm[2] : max(sent.Start, q.Start-8)+tm[3]])
		attrs["times"] = n
		c.start = min(c.start, max(sent.Start, q.Start-8)+tm[0])
	}
	rest := t[q.End:min(sent.End, q.End+60)]
	if r := findRoute(rest); r != "" {
		attrs["route"] = canonicalRoute(r)
	} else if r := findRoute(t[max(sent.Start, m.start-20):m.start]); r != "" {
		attrs["route"] = canonicalRoute(r)
	}
	if f := findFreq(rest); f != "" {
		attrs["frequency"] = strings.ToLower(f)
	}
	if !hasDigit(rest) || !containsFoldASCII(rest, "for") {
	} else if d := durRe.FindStringSubmatch(rest); d != nil {
		v, _ := strconv.ParseFloat(d[1], 64)
		attrs["duration"] = map[string]any{"value": v, "unit": e.timeUnit(d[2])}
	}
	return pick
}

// moreDoses reads the further doses of one drug in its sentence: "tapered
// from 60 mg daily to 5 mg daily", "20 mg/day for 1 month, 10 mg/day for 4
// months". Each is a finding of its own whose evidence runs from the drug's
// name, so the dose stays tied to its drug.
func (e *Extractor) moreDoses(t string, sent Sentence, ms []mention, mi, pick int, qs []Quantity, used []bool, first candidate) []candidate {
	var out []candidate
	for next := pick + 1; next < len(qs); next++ {
		p, q := &qs[pick], &qs[next]
		if q.Unit != nil && q.Unit.Dimension == "time" && q.End <= sent.End {
			continue // "20 mg/day for 1 month, 10 mg/day": the duration is read as text
		}
		if used[next] || q.Unit == nil || !doseDimensions[q.Unit.Dimension] || q.End > sent.End || q.Start-p.End > 60 ||
			!isDoseContinuation(dropFreqs(t[p.End:q.Start])) {
			break
		}
		if mi+1 < len(ms) && ms[mi+1].start < q.Start {
			break // another name stands between: the dose is its
		}
		c := first
		c.attrs = nil
		c.value, c.valueMax, c.op, c.unit = Number(q.Value), q.ValueMax, q.Op, q.UnitCode
		c.vstart, c.vend, c.end = q.NumStart, q.End, q.End
		if class := e.entities[ms[mi].entity].class; class != nil {
			c.attrs = map[string]any{"class": class}
		}
		used[next] = true
		out = append(out, c)
		pick = next
	}
	return out
}

func canonicalRoute(r string) string {
	r = strings.ToLower(strings.TrimSuffix(r, "."))
	switch {
	case strings.HasPrefix(r, "i.v") || r == "iv" || strings.HasPrefix(r, "intraven"):
		return "intravenous"
	case strings.HasPrefix(r, "oral") || strings.HasPrefix(r, "p.o") || r == "po" || r == "per os":
		return "oral"
	case strings.HasPrefix(r, "s.c") || r == "sc" || strings.HasPrefix(r, "subcut"):
		return "subcutaneous"
	case strings.HasPrefix(r, "i.m") || r == "im" || strings.HasPrefix(r, "intramusc"):
		return "intramuscular"
	case strings.HasPrefix(r, "nebuli") || r == "inhaled":
		return "inhaled"
	case strings.HasPrefix(r, "topical"):
		return "topical"
	case strings.HasPrefix(r, "intrathecal"):
		return "intrathecal"
	case strings.HasPrefix(r, "rectal"):
		return "rectal"
	}
	return r
}

// linkDeviceSettings ties a flow set on a circulatory support device to
// it: "With support from an Impella 5.0 device at a rate of 2 L/min …
// support temporarily at 1 L/min … down to 0.5 L/min" are Impella flows.
// The nearest earlier support device within the case and a few sentences
// (600 characters) is the one being set.
func (e *Extractor) linkDeviceSettings(t string, L *Layout, devs []mention, cs []candidate) []candidate {
	for i := range cs {
		c := &cs[i]
		if c.category != CatMeasurement || (c.unit != "L/min" && c.unit != "L/min/m2") {
			continue
		}
		si := L.SentenceAt(c.vstart)
		for k := len(devs) - 1; k >= 0; k-- {
			d := devs[k]
			if d.start > c.vstart {
				continue
			}
			if c.vstart-d.end > 600 {
				break
			}
			en := e.set.Entities[d.entity]
			if en.Attributes["family"] != "mechanical_circulatory_support" {
				continue
			}
			if dsi := L.SentenceAt(d.start); dsi >= 0 && si >= 0 && L.Sentences[dsi].Case != L.Sentences[si].Case {
				break
			}
			c.concept = en.Concept + "_flow"
			c.label = en.Label + " flow"
			c.rule = "device.setting"
			c.attrs = map[string]any{"device": en.Concept, "setting": "flow"}
			break
		}
	}
	return cs
}
