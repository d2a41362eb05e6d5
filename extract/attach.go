package extract

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/clinex/clinex/patterns"
)

// linkWords may stand between a name and its value without breaking the
// link ("hemoglobin levels of 7.5", "PaO2 was 62"). Anything else between
// them, for a value whose unit the analyte does not take, means the value
// belongs to something else.
var linkWords = toSet(`of was were is are at level levels value values count counts concentration
concentrations measured measuring measurement reading showed shows show revealed noted elevated increased
decreased raised low high normal the a an to from on admission initial initially serum plasma blood total
about approximately up down reached with by in been had has remained rose fell dropped peaked peak maximum
minimum around nearly over below above less more than greater further also still then later result results
content rate index be found recorded estimated calculated documented observed demonstrated level:`)

// labelSkip are words skipped right before a value when looking for the
// name of an unnamed measurement; labelStop ends the name.
var labelSkip = toSet(`of was were is are being at to up down by from reached increased decreased dropped rose fell
measured measuring measures approximately about around nearly over below above under less more than greater
estimated calculated found of: = : ( , showed revealed with been had has remained went go goes went further
only just still then`)

var labelStop = toSet(`a an the and or but with without of in on at for to from by as this that these those
his her their its our was were is are be been being had has have which who whom whose while when where after
before during since until than also not no nor both either all any each every some such one two three there
it he she they we i into onto upon via per versus vs respectively although though however because due showed shows revealed reveals demonstrated demonstrates
indicated indicates noted found had has given received using used under`)

// The sets as inFoldSet reads them.
var (
	linkWordSet, labelSkipSet, labelStopSet = foldSetOf(linkWords), foldSetOf(labelSkip), foldSetOf(labelStop)
	inWhatSet, sizeWordSet                  = foldSetOf(inWhat), foldSetOf(sizeWords)
)

func toSet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// attach gives each quantity its meaning: the analyte named nearest before
// it in the sentence (or right after it: "82% oxygen saturation"), the
// concept of the value it continues ("rose from 19 mmHg to 8 mmHg", "86
// and 48 µmol/L, respectively"), the concept its unit implies (bpm is a
// heart rate), or, failing all, a `measurement` labelled with the words
// before it. A reference range ("normal range, 12-16 g/dL") keeps its
// analyte but gets subject `reference`.
//
// It appends the candidates to out, so they go straight into the caller's
// list instead of a list of their own, and a quantity's into it too.
func (e *Extractor) attach(out []candidate, t string, L *Layout, ms []mention, qs []Quantity) []candidate {
	first := len(out)
	// prev is the last quantity given a meaning, for list continuation.
	prev := struct {
		q     *Quantity
		c     []candidate
		sent  int
		valid bool
	}{}
	for qi := range qs {
		q := &qs[qi]
		si := L.SentenceAt(q.NumStart)
		if si < 0 {
			continue
		}
		sent := L.Sentences[si]
		if compoundWordFollows(t, q.End) {
			continue // 25-hydroxyvitamin D, 3-vessel disease
		}
		// Borrow a unit from the next number in "from 10.2 to 7.5 g/dL".
		unit, unitCode := q.Unit, q.UnitCode
		if unit == nil && qi+1 < len(qs) && qs[qi+1].HasUnit() && qs[qi+1].Start-q.End < 8 &&
			isRangeLink(t[q.End:qs[qi+1].Start]) {
			unit, unitCode = qs[qi+1].Unit, qs[qi+1].UnitCode
		}
		n := len(out)
		out = e.meaning(out, t, sent, ms, q, unit, unitCode)
		if len(out) == n && prev.valid && prev.sent == si && continues(t, prev.q, q, unit) {
			for _, pc := range prev.c {
				c := pc
				c.start, c.end = pc.start, q.End
				c.vstart, c.vend = q.NumStart, q.End
				c.value, c.valueMax, c.op = Number(q.Value), q.ValueMax, q.Op
				c.flags = nil
				if unit != nil {
					c.unit = unitCode
				}
				if a, ok := e.analytes[c.concept]; ok && c.value.IsNum() {
					c.flags = e.analytePlausibility(a, q.Value, q.ValueMax, unit)
				}
				out = append(out, c)
				break
			}
		}
		if len(out) == n {
			continue
		}
		cs := out[n:]
		// Only a quantity that means something needs this test.
		reference := isReference(t, sent.Start, q, prevQuantity(qs, qi))
		for i := range cs {
			if reference {
				cs[i].subject = "reference"
			}
			if cs[i].flags == nil {
				cs[i].flags = []string{}
			}
		}
		// cs stays valid when out grows: later appends copy, never change, it.
		prev.q, prev.c, prev.sent, prev.valid = q, cs, si, true
	}
	backfillLabels(out[first:])
	return out
}

// meaning appends to out what one quantity measures, if anything.
func (e *Extractor) meaning(out []candidate, t string, sent Sentence, ms []mention, q *Quantity, unit *patterns.Unit, unitCode string) []candidate {
	left, right := nearestMentions(ms, q, sent, t, e.opts.MaxGap)
	order := []*mention{left, right}
	if left != nil && right != nil && strings.TrimSpace(t[q.End:right.start]) == "" &&
		leftIsRemote(t[left.end:q.Start]) {
		// "2% neutrophils, 94% lymphocytes": a name right after the value
		// beats one before it that a comma or another value separates.
		order = []*mention{right, left}
	}
	for _, m := range order {
		if m == nil {
			continue
		}
		isLeft := m == left
		var gap string
		if isLeft {
			gap = t[m.end:q.Start]
		} else {
			gap = t[q.End:m.start]
		}
		a := e.set.Analytes[m.analyte]
		compatible := unit != nil && takesUnit(a, unitCode)
		linked := isLinkGap(gap)
		switch {
		case compatible && (isLeft || linked):
			return e.analyteCandidates(out, t, a, m, q, unitCode, unit, nil)
		case unit == nil && linked && isLeft && !a.UnitRequired && (q.Second == nil || len(a.Pair) == 2) && !followedByWordValue(t, q.End):
			var flags []string
			code := a.DefaultUnit
			if code == "" {
				flags = append(flags, "unit_missing")
			}
			return e.analyteCandidates(out, t, a, m, q, code, e.unitCodes[code], flags)
		case unit == nil && !isLeft && strings.TrimSpace(gap) == "" && !a.UnitRequired && q.Second == nil:
			// "-1.2 z-score": the name follows the bare number directly
			var flags []string
			code := a.DefaultUnit
			if code == "" {
				flags = append(flags, "unit_missing")
			}
			return e.analyteCandidates(out, t, a, m, q, code, e.unitCodes[code], flags)
		case unit != nil && linked && isLeft && e.measDims[unit.Dimension] && (unit.Implies == "" || unit.Implies == a.Concept) && !strings.ContainsAny(gap, "()[]"):
			return e.analyteCandidates(out, t, a, m, q, unitCode, unit, []string{"unit_mismatch"})
		}
	}
	if unit == nil {
		return out
	}
	if unit.Implies != "" {
		// "a fever of 38.9 °C", "sinus tachycardia of 140 beats/min": the
		// evidence takes in the words that name the value.
		start := q.Start
		if ls := measurementLabelStart(t, sent.Start, q.Start); ls < start && q.Start-ls <= 40 {
			start = ls
		}
		c := candidate{category: CatVital, concept: unit.Implies, rule: e.impliedRule(unit.Implies),
			start: start, end: q.End, vstart: q.NumStart, vend: q.End, unit: unitCode, op: q.Op,
			value: Number(q.Value), valueMax: q.ValueMax, order: 1 << 20}
		if a, ok := e.analytes[unit.Implies]; ok {
			c.category, c.label = a.Category, a.Label
			c.flags = e.analytePlausibility(a, q.Value, q.ValueMax, unit)
		}
		return append(out, c)
	}
	if !e.measDims[unit.Dimension] && !q.Exponent {
		return out
	}
	label, ls := measurementLabel(t, sent.Start, q.Start)
	end := q.End
	if label == "" {
		label, end = labelAfter(t, q.End, sent.End)
		ls = q.Start
	}
	if label == "" {
		return out
	}
	c := candidate{category: CatMeasurement, concept: snake(label), label: label, rule: "quantity.measurement",
		start: ls, end: end, vstart: q.NumStart, vend: q.End, unit: unitCode, op: q.Op,
		value: Number(q.Value), valueMax: q.ValueMax, order: 1 << 21}
	if q.Second != nil {
		c.value = String(FormatNumber(q.Value) + "/" + FormatNumber(*q.Second))
	}
	return append(out, c)
}

func prevQuantity(qs []Quantity, i int) *Quantity {
	if i > 0 {
		return &qs[i-1]
	}
	return nil
}

// A reference cue ends the text before a reference range or normal value:
// "(normal range, 12-16 g/dL)", "(normal <50 µg/L)", "[reference: 4-10]".
// It is matched by hand, from the end, as this regexp did (the test holds
// the matcher to it); the regexp tried each of 40 start positions before
// every number:
//
//	(?i)(?:\bnormal|\breference|\bref\.?|\bnl|\bULN|\bupper limit(?: of normal)?|\blower limit(?: of normal)?|\bcut-?off|\bnormal values?)(?:\s+(?:range|ranges|value|values|limits?|levels?|interval|is|was|being|for age))*\s*[:,=]?\s*(?:range\s*)?$
var (
	referenceCues = byLastByte("normal", "reference", "ref", "ref.", "nl", "uln", "upper limit", "upper limit of normal",
		"lower limit", "lower limit of normal", "cutoff", "cut-off", "normal value", "normal values")
	referenceCueWords = byLastByte("range", "ranges", "value", "values", "limit", "limits", "level", "levels", "interval",
		"is", "was", "being", "for age")
)

// byLastByte indexes lower-case words by their last byte, so a matcher
// reading backwards tries only the words that can end where it stands. A
// word ending in s is also listed under 0xBF, the last byte of ſ, which
// (?i) folds to s (no word ends in k, the other letter a rune folds to).
func byLastByte(words ...string) *[256][]string {
	var t [256][]string
	for _, w := range words {
		t[w[len(w)-1]] = append(t[w[len(w)-1]], w)
		if w[len(w)-1] == 's' {
			t[0xBF] = append(t[0xBF], w)
		}
	}
	return &t
}

// endsWithReferenceCue reports whether s ends with a reference cue. No
// part of the grammar ends in white space, so each \s* before a part takes
// all the white space there is.
func endsWithReferenceCue(s string) bool {
	e := trimRegexSpaceEnd(s, len(s))
	if e == 0 {
		return false
	}
	if b, ok := foldSuffixStart(s[:e], "range"); ok && referenceCueBefore(s, b) {
		return true
	}
	return referenceCueBefore(s, e)
}

// referenceCueBefore: s[:e] ends with the cue words and an optional : , or =.
func referenceCueBefore(s string, e int) bool {
	e = trimRegexSpaceEnd(s, e)
	if cueWordsEndAt(s, e) {
		return true
	}
	return e > 0 && (s[e-1] == ':' || s[e-1] == ',' || s[e-1] == '=') && cueWordsEndAt(s, trimRegexSpaceEnd(s, e-1))
}

// cueWordsEndAt: s[:e] ends with a cue and any number of words after it
// ("normal range", "reference values for age").
func cueWordsEndAt(s string, e int) bool {
	if e == 0 {
		return false
	}
	last := lowerByte(s[e-1])
	for _, cue := range referenceCues[last] {
		if b, ok := foldSuffixStart(s[:e], cue); ok && (b == 0 || !isWordByte(s[b-1])) {
			return true
		}
	}
	for _, w := range referenceCueWords[last] {
		if b, ok := foldSuffixStart(s[:e], w); ok {
			if z := trimRegexSpaceEnd(s, b); z < b && cueWordsEndAt(s, z) {
				return true
			}
		}
	}
	return false
}

func trimRegexSpaceEnd(s string, e int) int {
	for e > 0 && isRegexSpace(s[e-1]) {
		e--
	}
	return e
}

// isReference tells a reference range from the patient's value: a cue
// word just before it, or a range in brackets right after a value ("30.4
// ng/mL (20-50 ng/mL)").
func isReference(t string, sentStart int, q, prev *Quantity) bool {
	from := max(sentStart, q.Start-40)
	if endsWithReferenceCue(t[from:q.Start]) {
		return true
	}
	if q.ValueMax != nil && prev != nil && prev.End <= q.Start && q.Start-prev.End <= 3 {
		gap := strings.TrimSpace(t[prev.End:q.Start])
		return gap == "(" || gap == "["
	}
	return false
}

// continues reports whether q continues the list or change that prev
// started: "86 µmol/L and 48 µmol/L", "from 0.20 to 0.55", "2.7 L (69% of
// predicted) and 3.2 L".
func continues(t string, prev, q *Quantity, unit *patterns.Unit) bool {
	if prev.End > q.Start || q.Start-prev.End > 40 {
		return false
	}
	if unit != nil && prev.Unit != nil && unit.Dimension != prev.Unit.Dimension {
		return false
	}
	if unit == nil && prev.Unit != nil {
		return false
	}
	gap := strings.ToLower(t[prev.End:q.Start])
	gap = parenthetical.ReplaceAllString(gap, " ")
	words := strings.FieldsFunc(gap, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
	if len(words) > 3 {
		return false
	}
	for _, w := range words {
		switch w {
		case "and", "or", "to", "then", "vs", "vs.", "versus", "-", "up", "down", "further", "finally", "later", "and/or":
		default:
			return false
		}
	}
	return true
}

var parenthetical = regexp.MustCompile(`\([^()]{0,80}\)|\[[^\[\]]{0,80}\]`)

// compoundWordFollows: "25-hydroxyvitamin", "3-vessel": the number is part
// of a word, not a value.
func compoundWordFollows(t string, i int) bool {
	if i+1 >= len(t) || t[i] != '-' {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t[i+1:])
	return unicode.IsLetter(r)
}

func isRangeLink(s string) bool {
	s = strings.TrimSpace(s)
	return s == "to" || s == "-" || s == "and" || s == ","
}

// followedByWordValue: "8 of 12", "2 times" — a bare number that counts
// something named after it is not the analyte's value.
func followedByWordValue(t string, i int) bool {
	rest := strings.TrimLeft(t[i:min(len(t), i+16)], " ")
	for _, w := range []string{"of ", "times", "out of", "-year", "year", "day", "week", "month", "hour", "cycles", "episodes", "doses", "patients", "cases"} {
		if strings.HasPrefix(rest, w) {
			return true
		}
	}
	return false
}

// nearestMentions finds the analyte mentions a quantity may belong to: the
// nearest one before it in the same sentence within maxGap, and one right
// after it separated by link words only ("82% oxygen saturation").
func nearestMentions(ms []mention, q *Quantity, sent Sentence, t string, maxGap int) (left, right *mention) {
	i := sort.Search(len(ms), func(i int) bool { return ms[i].start >= q.Start }) - 1
	if i >= 0 && ms[i].end <= q.Start && ms[i].start >= sent.Start && q.Start-ms[i].end <= maxGap {
		left = &ms[i]
	}
	j := sort.Search(len(ms), func(j int) bool { return ms[j].start >= q.End })
	if j < len(ms) && ms[j].end <= sent.End && ms[j].start-q.End <= 24 {
		gap := t[q.End:ms[j].start]
		if isLinkGap(gap) && !strings.ContainsAny(gap, ",;:()") {
			right = &ms[j]
		}
	}
	return left, right
}

// isLinkGap reports whether only link words and light punctuation stand in s.
// It walks the words in place: lower-casing a word as it is looked up
// finds what lower-casing s and then splitting it found, as no rune
// lower-cases into a separator or out of one.
func isLinkGap(s string) bool {
	words := 0
	for i := 0; i < len(s); {
		sep, size := linkSepAt(s, i)
		if sep {
			i += size
			continue
		}
		b := i
		for i < len(s) {
			if sep, size = linkSepAt(s, i); sep {
				break
			}
			i += size
		}
		words++
		if !inFoldSet(linkWordSet, s[b:i]) || words > 5 {
			return false
		}
	}
	return strings.IndexByte(s, ';') < 0
}

// linkSepAt: white space or , : = ( ) - at i separates the words of a gap.
func linkSepAt(s string, i int) (bool, int) {
	switch s[i] {
	case ',', ':', '=', '(', ')', '-':
		return true, 1
	}
	return spaceAt(s, i)
}

func takesUnit(a *patterns.Analyte, code string) bool {
	for _, u := range a.Units {
		if u == code {
			return true
		}
	}
	return strings.HasPrefix(code, "10*") && hasCountUnit(a)
}

func hasCountUnit(a *patterns.Analyte) bool {
	for _, u := range a.Units {
		if strings.HasPrefix(u, "10*") || u == "/uL" {
			return true
		}
	}
	return false
}

// leftIsRemote: a name before the value is separated from it by a list
// comma, a conjunction or another number.
func leftIsRemote(gap string) bool {
	if strings.ContainsAny(gap, ",;0123456789") {
		return true
	}
	for _, w := range strings.Fields(strings.ToLower(gap)) {
		if w == "and" || w == "with" || w == "or" {
			return true
		}
	}
	return false
}

// mentionStart is where the evidence for a mention starts: an abbreviation
// in brackets after its long form ("alanine aminotransferase (ALAT): 158
// U/L") takes the long form in, so the evidence names the test as written.
func mentionStart(t string, m *mention) int {
	i := m.start
	for i > 0 && t[i-1] == ' ' {
		i--
	}
	if i == 0 || t[i-1] != '(' || m.end >= len(t) || t[m.end] != ')' {
		return m.start
	}
	if ls := measurementLabelStart(t, max(0, i-80), i-1); ls < i-1 {
		return ls
	}
	return m.start
}

func (e *Extractor) analyteCandidates(out []candidate, t string, a *patterns.Analyte, m *mention, q *Quantity, code string, unit *patterns.Unit, flags []string) []candidate {
	start, end := min(mentionStart(t, m), q.Start), max(m.end, q.End)
	base := candidate{category: a.Category, concept: a.Concept, label: firstNonEmpty(a.Label, t[m.start:m.end]), rule: a.ID,
		start: start, end: end, vstart: q.NumStart, vend: q.End, unit: code, op: q.Op, order: 1 << 19}
	if q.Second != nil && len(a.Pair) == 2 {
		first, second := base, base
		first.concept, second.concept = a.Pair[0], a.Pair[1]
		first.value, second.value = Number(q.Value), Number(*q.Second)
		first.flags = append(append([]string{}, flags...), e.conceptPlausibility(a.Pair[0], q.Value, nil, unit)...)
		second.flags = append(append([]string{}, flags...), e.conceptPlausibility(a.Pair[1], *q.Second, nil, unit)...)
		if f, ok := e.analytes[a.Pair[0]]; ok {
			first.category = f.Category
		}
		if f, ok := e.analytes[a.Pair[1]]; ok {
			second.category = f.Category
		}
		return append(out, first, second)
	}
	c := base
	c.value, c.valueMax = Number(q.Value), q.ValueMax
	if q.Second != nil {
		c.value = String(FormatNumber(q.Value) + "/" + FormatNumber(*q.Second))
	}
	c.flags = append([]string{}, flags...)
	if c.value.IsNum() && !slices.Contains(flags, "unit_mismatch") {
		c.flags = append(c.flags, e.analytePlausibility(a, q.Value, q.ValueMax, unit)...)
	}
	return append(out, c)
}

func (e *Extractor) conceptPlausibility(concept string, v float64, vmax *float64, unit *patterns.Unit) []string {
	if a, ok := e.analytes[concept]; ok {
		return e.analytePlausibility(a, v, vmax, unit)
	}
	return nil
}

// measurementLabel names an unnamed quantity by the words before it: "a
// transmitral gradient of 4 mmHg" is labelled "transmitral gradient". It
// returns the label and where it starts.
func measurementLabel(t string, sentStart, pos int) (string, int) {
	var bt backTokens
	first, last := labelBefore(&bt, t, sentStart, pos)
	if first < 0 {
		return "", pos
	}
	n := first - last // separating spaces
	for r := last; r <= first; r++ {
		n += len(bt.at(r).text)
	}
	var b strings.Builder
	b.Grow(n)
	for r := first; r >= last; r-- {
		b.WriteString(bt.at(r).text)
		if r > last {
			b.WriteByte(' ')
		}
	}
	return b.String(), max(sentStart, pos-120) + bt.at(first).start
}

// measurementLabelStart is where measurementLabel's label starts, or pos.
func measurementLabelStart(t string, sentStart, pos int) int {
	var bt backTokens
	first, _ := labelBefore(&bt, t, sentStart, pos)
	if first < 0 {
		return pos
	}
	return max(sentStart, pos-120) + bt.at(first).start
}

// labelBefore finds the label's words among the tokens of the window
// before pos, which it gives bt: tokens first down to last counted from
// the end (first >= last), or first < 0 when there is none.
func labelBefore(bt *backTokens, t string, sentStart, pos int) (first, last int) {
	from := max(sentStart, pos-120)
	bt.w, bt.e = t[from:pos], pos-from
	r := 0
	for ; bt.has(r); r++ {
		w := bt.at(r).text
		if w == ")" && bt.has(r+1) {
			// an abbreviation in brackets: "forced vital capacity (FVC) of"
			k := r + 1
			for bt.has(k) && bt.at(k).text != "(" && k-r < 5 {
				k++
			}
			if bt.has(k) && bt.at(k).text == "(" {
				r = k
				continue
			}
		}
		if !inFoldSet(labelSkipSet, w) {
			break
		}
	}
	first, last = -1, r
	for words := 0; bt.has(r) && words < 4; r++ {
		w := bt.at(r).text
		if inFoldSet(labelStopSet, w) || !isLabelWord(w) {
			break
		}
		first = r
		words++
	}
	return first, last
}

// labelAfter names a quantity by the words right after it when none stand
// before: "a 1cm uterine myoma", "7 mm in diameter". It returns the label
// and where it ends.
func labelAfter(t string, pos, limit int) (string, int) {
	var buf [12]wordTok
	// The loop below reads at most the first four tokens.
	toks := appendTokensFrom(t[pos:min(limit, pos+60)], buf[:0], 4)
	if len(toks) > 1 && inFoldSet(inWhatSet, toks[0].text) && inFoldSet(sizeWordSet, toks[1].text) {
		return toks[1].text, pos + toks[1].start + len(toks[1].text)
	}
	n := 0
	for ; n < len(toks) && n < 3; n++ {
		if inFoldSet(labelStopSet, toks[n].text) || !isLabelWord(toks[n].text) {
			break
		}
	}
	if n == 0 {
		return "", pos
	}
	size := n - 1
	for _, tk := range toks[:n] {
		size += len(tk.text)
	}
	var b strings.Builder
	b.Grow(size)
	for i, tk := range toks[:n] {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(tk.text)
	}
	return b.String(), pos + toks[n-1].start + len(toks[n-1].text)
}

var (
	inWhat    = toSet("in")
	sizeWords = toSet("diameter size length width thickness depth height")
)

func isLabelWord(w string) bool {
	letters := 0
	for _, r := range w {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r), r == '-', r == '\'':
		default:
			return false
		}
	}
	return letters >= 2
}

// backfillLabels gives a bare head noun the fuller label used just before
// it: after "transmitral gradient of 4 mmHg", "the gradient dropped to 5
// mmHg" is the transmitral gradient too.
func backfillLabels(cs []candidate) []candidate {
	var full []string
	for i := range cs {
		c := &cs[i]
		if c.rule != "quantity.measurement" {
			continue
		}
		if !strings.Contains(c.label, " ") {
			for k := len(full) - 1; k >= 0; k-- {
				if strings.HasSuffix(strings.ToLower(full[k]), " "+strings.ToLower(c.label)) {
					c.concept = snake(full[k])
					break
				}
			}
		} else {
			full = append(full, c.label)
		}
	}
	return cs
}

// analytePlausibility checks a value against the entry's plausible range.
// A unit the entry accepts but that has no exact conversion to the range's
// unit (creatinine in µmol/L against a mg/dL range) is not a mismatch: the
// range is simply not checked.
func (e *Extractor) analytePlausibility(a *patterns.Analyte, v float64, vmax *float64, unit *patterns.Unit) []string {
	if a.Plausible == nil {
		return nil
	}
	if unit != nil && a.Plausible.Unit != "" && unit.Code != a.Plausible.Unit && takesUnit(a, unit.Code) {
		if _, ok := Convert(v, unit, e.unitCodes[a.Plausible.Unit]); !ok {
			return nil
		}
	}
	return e.plausibility(v, vmax, unit, a.Plausible)
}
