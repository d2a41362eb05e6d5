package extract

import (
	"regexp"
	"slices"
	"unicode/utf8"

	"github.com/clinex/clinex/patterns"
)

// ContextOptions tunes the ConText stage beyond its cue file.
type ContextOptions struct {
	// PopulationSections are sections where a sentence that names no
	// patient is about patients in general (a Discussion quoting rates).
	PopulationSections []string `mapstructure:"population_sections"`
	// PatientAnchor matches words that tie a sentence to this patient.
	PatientAnchor string `mapstructure:"patient_anchor"`
}

// ContextCue says which cue decided a finding's assertion or subject.
type ContextCue struct {
	ID    string `json:"id"`
	Text  string `json:"text"`
	Start int    `json:"start"`
	End   int    `json:"end"`
	Sets  string `json:"sets"`

	// normalized byte offsets, mapped at build time
	nstart, nend int
}

// cueHit is one cue phrase found in the text.
type cueHit struct {
	start, end int
	cue        *patterns.Cue
	kind       cueKind // what the cue's Sets is (patterns.CueSets)
	rank       int8    // assertionRank or subjectRank of its Sets
}

// cueKind is patterns.CueSets' value for a cue, read once per hit rather
// than for every pair of hit and finding.
type cueKind uint8

const (
	cueOther cueKind = iota
	cueAssertion
	cueSubject
	cueTerminate
	cuePseudo
	cueCancel
)

// cueKindRank is patterns.CueSets' kind for a cue's Sets with its rank in
// assertionRank or subjectRank, by a switch: four map lookups per hit
// were a third of cueHits. TestCueKindRank holds it to the maps.
func cueKindRank(sets string) (cueKind, int8) {
	switch sets {
	case "negated":
		return cueAssertion, 4
	case "hypothetical":
		return cueAssertion, 3
	case "possible":
		return cueAssertion, 2
	case "historical":
		return cueAssertion, 1
	case "family":
		return cueSubject, 5
	case "other":
		return cueSubject, 4
	case "population":
		return cueSubject, 3
	case "target":
		return cueSubject, 2
	case "reference":
		return cueSubject, 1
	case "terminate":
		return cueTerminate, 0
	case "pseudo":
		return cuePseudo, 0
	case "cancel":
		return cueCancel, 0
	}
	return cueOther, 0
}

// assertionRank orders assertions when several cues reach one finding: a
// negation outranks a possibility, which outranks the past.
var assertionRank = map[string]int{"negated": 4, "hypothetical": 3, "possible": 2, "historical": 1}

// subjectRank orders subjects likewise: another person outranks the
// population, which outranks a target or reference range.
var subjectRank = map[string]int{"family": 5, "other": 4, "population": 3, "target": 2, "reference": 1}

// qualify sets each candidate's assertion and subject from the cues in its
// sentence, ConText style: a cue reaches the findings after it (forward),
// before it (backward) or both, up to its scope in words and never across a
// terminator (but, however, which, a semicolon). A pseudo-cue ("no change",
// "not only") switches off the cues inside it. A cancel cue undoes a setting
// for the findings it reaches: "until a mean arterial pressure of 60 mmHg
// was reached" is a target that was reached, so the value was observed in
// the patient and stays the patient's. hits are cueHits', by start.
func (e *Extractor) qualify(t string, L *Layout, cands []candidate, hits []cueHit) {
	e.qualifyScratch(new(candScratch), t, L, cands, hits)
}

// qualifyScratch is qualify with its working lists in sc.
func (e *Extractor) qualifyScratch(sc *candScratch, t string, L *Layout, cands []candidate, hits []cueHit) {
	e.qualifyKept(sc, t, L, cands, nil, hits)
}

// qualifyKept is qualifyScratch of the candidates kept lists (nil: all).
func (e *Extractor) qualifyKept(sc *candScratch, t string, L *Layout, cands []candidate, keptCands []int32, hits []cueHit) {
	n := len(cands)
	if keptCands != nil {
		n = len(keptCands)
	}
	if n == 0 {
		return
	}
	// candidates by sentence: each one's qualification reads only its own
	// sentence, so the order they are visited in is free
	order := slices.Grow(sc.placed[:0], n)
	// they come in a few runs in text order, so the sentence found last
	// or the next is most often theirs
	at := sentenceCursor{ss: L.Sentences}
	for k := range n {
		i := k
		if keptCands != nil {
			i = int(keptCands[k])
		}
		c := &cands[i]
		si := at.at(c.vstart)
		if si < 0 {
			si = at.at(c.start)
		}
		c.sentence = int32(si + 1) // build's too
		if si >= 0 {
			order = append(order, placeCand(si, i))
		}
	}
	sortPlaced(order)
	sc.placed = order
	in, kept, spokenBuf := sc.in, sc.speaking, sc.spoken
	j0 := 0 // the first hit at or after the sentence's start: sentences come in text order
	for i := 0; i < len(order); {
		si := order[i].sentence()
		s := L.Sentences[si]
		// the hits inside the sentence: those starting in it, less any
		// running past its end (rare, so copied only then)
		for j0 < len(hits) && hits[j0].start < s.Start {
			j0++
		}
		j1, past := j0, false
		for ; j1 < len(hits) && hits[j1].start <= s.End; j1++ {
			past = past || hits[j1].end > s.End
		}
		sentHits := hits[j0:j1]
		if past {
			in = in[:0]
			for _, h := range sentHits {
				if h.end <= s.End {
					in = append(in, h)
				}
			}
			sentHits = in
		}
		spoken := sentHits
		if !allSpeak(sentHits) {
			kept, spokenBuf = dropPseudo(sentHits, kept[:0], spokenBuf[:0])
			spoken = spokenBuf
		}
		sq := sentenceQual{section: L.Sections[s.Section].Name}
		if !anySpeaker(spoken) {
			// no cue but terminators (most sentences): only the section
			// can say anything, as qualifyOne would find
			for ; i < len(order) && order[i].sentence() == si; i++ {
				e.qualifyBySection(t, s, &sq, &cands[order[i].cand()], nil)
			}
			continue
		}
		for ; i < len(order) && order[i].sentence() == si; i++ {
			e.qualifyOne(t, s, &sq, &cands[order[i].cand()], spoken)
		}
	}
	sc.in, sc.speaking, sc.spoken = in, kept, spokenBuf
}

// placedSentence is the index of the sentence a candidate belongs to:
// its value's, else its evidence's; -1 for none.
func placedSentence(L *Layout, c *candidate) int {
	si := L.SentenceAt(c.vstart)
	if si < 0 {
		si = L.SentenceAt(c.start)
	}
	return si
}

// sortPlaced sorts by sentence: by insertion up to 64 (a report's
// candidates come in a few runs already in text order), as plain
// integers beyond.
func sortPlaced(order []placedCand) {
	if len(order) > 64 {
		slices.Sort(order)
		return
	}
	for k := 1; k < len(order); k++ {
		p := order[k]
		j := k
		for j > 0 && p < order[j-1] {
			order[j] = order[j-1]
			j--
		}
		order[j] = p
	}
}

// placedCand is a candidate's index with its sentence's, the sentence in
// the high half so the numbers sort by sentence.
type placedCand uint64

func placeCand(sentence, cand int) placedCand {
	return placedCand(uint64(uint32(sentence))<<32 | uint64(uint32(cand)))
}

func (p placedCand) sentence() int { return int(p >> 32) }
func (p placedCand) cand() int     { return int(uint32(p)) }

// sentenceQual is what qualifyOne learns of a sentence once for all its
// findings.
type sentenceQual struct {
	section string
	// anchor: 0 not read yet, 1 the sentence names the patient, 2 not;
	// population likewise for the section being a population section
	anchor, population int8
}

// allSpeak reports whether dropPseudo would keep every hit: no pseudo-cue
// and no two hits overlapping (hits are by start, so neighbours tell).
func allSpeak(hits []cueHit) bool {
	for i, h := range hits {
		if h.kind == cuePseudo || i > 0 && hits[i-1].end > h.start {
			return false
		}
	}
	return true
}

// dropPseudo returns the hits that speak: those not inside a pseudo-cue
// and not inside a longer cue. kept and out are reused buffers; out is
// returned with kept, grown, for the next call.
func dropPseudo(hits, kept, out []cueHit) ([]cueHit, []cueHit) {
	for _, h := range hits {
		if h.kind == cuePseudo {
			continue
		}
		inside := false
		for _, p := range hits {
			if p.kind == cuePseudo && h.start < p.end && p.start < h.end {
				inside = true
				break
			}
		}
		if !inside {
			kept = append(kept, h)
		}
	}
	// Of overlapping cues the longest speaks: "family history of" is about
	// the family, not the patient's own past.
	for i, h := range kept {
		longer := false
		for j, o := range kept {
			if i != j && o.start <= h.start && h.end <= o.end && o.end-o.start > h.end-h.start &&
				o.kind != cueTerminate && h.kind != cueTerminate {
				longer = true
				break
			}
		}
		if !longer {
			out = append(out, h)
		}
	}
	return kept, out
}

func (e *Extractor) qualifyOne(t string, s Sentence, sq *sentenceQual, c *candidate, hits []cueHit) {
	var bestA, bestS *cueHit
	var cancels []*cueHit
	for i := range hits {
		h := &hits[i]
		if h.kind == cueTerminate || !reaches(t, h, c, hits) {
			continue
		}
		switch h.kind {
		case cueAssertion:
			if bestA == nil || h.rank > bestA.rank {
				bestA = h
			}
		case cueSubject:
			if bestS == nil || h.rank > bestS.rank {
				bestS = h
			}
		case cueCancel:
			cancels = append(cancels, h)
		}
	}
	for _, k := range cancels {
		if bestA != nil && slices.Contains(k.cue.Cancels, bestA.cue.Sets) {
			bestA = nil
			c.cue = cueOf(t, k)
		}
		if bestS != nil && slices.Contains(k.cue.Cancels, bestS.cue.Sets) {
			bestS = nil
			c.cue = cueOf(t, k)
		}
	}
	if bestA != nil {
		c.assertion = bestA.cue.Sets
		c.cue = cueOf(t, bestA)
	}
	if bestS != nil && (c.subject == "" || int(bestS.rank) > subjectRank[c.subject]) {
		c.subject = bestS.cue.Sets
		if bestA == nil {
			c.cue = cueOf(t, bestS)
		}
	}
	e.qualifyBySection(t, s, sq, c, bestS)
}

// anySpeaker reports whether any hit is a cue other than a terminator:
// without one qualifyOne finds no cue that reaches a finding.
func anySpeaker(hits []cueHit) bool {
	for i := range hits {
		if hits[i].kind != cueTerminate {
			return true
		}
	}
	return false
}

// qualifyBySection is qualifyOne's last step, with bestS the subject cue
// that reached c (nil: none).
func (e *Extractor) qualifyBySection(t string, s Sentence, sq *sentenceQual, c *candidate, bestS *cueHit) {
	if c.subject == "" && bestS == nil && e.populationSection(sq) &&
		!e.namesPatient(t, s, sq) {
		// A Discussion sentence that names no patient speaks of patients
		// in general; the sentence itself would have overruled the section.
		c.subject = "population"
		if c.cue == nil {
			c.cue = &ContextCue{ID: e.sectionCue(sq.section), Sets: "population", nstart: -1, nend: -1}
		}
	}
}

// populationSection reports whether the sentence's section is one of
// PopulationSections, looked up once per sentence.
func (e *Extractor) populationSection(sq *sentenceQual) bool {
	if sq.population == 0 {
		sq.population = 2
		if slices.Contains(e.ctxOpts.PopulationSections, sq.section) {
			sq.population = 1
		}
	}
	return sq.population == 1
}

// namesPatient reports whether the patient anchor matches sentence s, read
// once per sentence.
func (e *Extractor) namesPatient(t string, s Sentence, sq *sentenceQual) bool {
	if e.patientAnchor == nil {
		return false
	}
	if sq.anchor == 0 {
		sq.anchor = 2
		if e.patientAnchor.MatchString(t[s.Start:s.End]) {
			sq.anchor = 1
		}
	}
	return sq.anchor == 1
}

func cueOf(t string, h *cueHit) *ContextCue {
	return &ContextCue{ID: h.cue.ID, Text: t[h.start:h.end], Sets: h.cue.Sets, nstart: h.start, nend: h.end}
}

// reaches tells whether a cue's scope covers a finding: the cue stands
// before it (forward) or after it (backward) within its scope in words, or
// inside its evidence, with no terminator in between.
func reaches(t string, h *cueHit, c *candidate, hits []cueHit) bool {
	if h.start < c.end && c.start < h.end {
		return true // the cue is part of the evidence ("mortality rates (35% to 50%)")
	}
	dir := h.cue.Direction
	var from, to int
	switch {
	case h.end <= c.start && (dir == "forward" || dir == "both"):
		from, to = h.end, c.start
	case h.start >= c.end && (dir == "backward" || dir == "both"):
		from, to = c.end, h.start
	default:
		return false
	}
	if moreWords(t[from:to], h.cue.Scope) {
		return false
	}
	for i := range hits {
		o := &hits[i]
		if o.kind == cueTerminate && o.start >= from && o.end <= to {
			return false
		}
	}
	return true
}

// isWordGap separates the words a cue's scope counts, as
// strings.FieldsFunc(s, isWordGap) would split them.
func isWordGap(r rune) bool {
	return r == ' ' || r == '\n' || r == '\t' || r == ',' || r == '(' || r == ')'
}

// wordGap is isWordGap by byte.
var wordGap = func() (gap [256]bool) {
	for b := range gap {
		gap[b] = isWordGap(rune(b))
	}
	return gap
}()

// moreWords reports whether s holds more than limit words, counted as
// len(strings.FieldsFunc(s, isWordGap)) without the slice, and reading no
// further than the word that goes over: a cue's scope is a few words, the
// span to a finding can be a whole sentence. The gaps are all ASCII, so
// runs of other bytes are the same fields, multi-byte runes and invalid
// bytes included.
func moreWords(s string, limit int) bool {
	if limit < 0 {
		return true // even no word is more
	}
	n := 0
	inWord := false
	for i := 0; i < len(s); i++ {
		if wordGap[s[i]] {
			inWord = false
		} else if !inWord {
			inWord = true
			if n++; n > limit {
				return true
			}
		}
	}
	return false
}

// cueHits finds the cue phrases among the prefilter's hits.
func (e *Extractor) cueHits(t string, hits []hit) []cueHit { return e.appendCueHits(nil, t, hits) }

// appendCueHits is cueHits written into out[:0], a reused buffer.
func (e *Extractor) appendCueHits(out []cueHit, t string, hits []hit) []cueHit {
	// room for every hit: a reused buffer soon has it, and counting the
	// cue hits first was a pass over all of them
	out = slices.Grow(out[:0], len(hits))
	for _, h := range hits {
		if e.acKinds[h.pat]&kindCue == 0 {
			continue
		}
		// ";" and the like are cues too; words must be whole words
		wordStart := wordByteAt(t, h.start)
		if wordStart && !wordBoundedASCII(t, h.start, h.end) {
			continue
		}
		if !wordStart && h.end < len(t) && wordByteAt(t, h.end-1) && wordByteAt(t, h.end) {
			continue
		}
		if ct := &e.acCues[h.pat]; !ct.several {
			out = append(out, cueHit{h.start, h.end, ct.cue, ct.kind, ct.rank})
			continue
		}
		for _, tg := range e.acTargets[h.pat] {
			if tg.cue < 0 {
				continue
			}
			cue := e.set.Cues[tg.cue]
			kind, rank := cueKindRank(cue.Sets)
			out = append(out, cueHit{h.start, h.end, cue, kind, rank})
		}
	}
	slices.SortStableFunc(out, func(a, b cueHit) int { return a.start - b.start })
	return out
}

// wordByteAt is isWordByteAt, by table where the byte is ASCII (nearly
// always).
func wordByteAt(t string, i int) bool {
	if i >= 0 && i < len(t) && t[i] < utf8.RuneSelf {
		return asciiWordByte[t[i]]
	}
	return isWordByteAt(t, i)
}

// cueTarget is what appendCueHits reads of a keyword in one row of one
// slice: its one cue with the cue's kind and rank, or several to read in
// acTargets.
type cueTarget struct {
	cue     *patterns.Cue
	kind    cueKind
	rank    int8
	several bool
}

func newCueTargets(acTargets [][]acTarget, cues []*patterns.Cue) []cueTarget {
	out := make([]cueTarget, len(acTargets))
	for i, tgs := range acTargets {
		n := 0
		for _, tg := range tgs {
			if tg.cue < 0 {
				continue
			}
			if n++; n == 1 {
				out[i].cue = cues[tg.cue]
				out[i].kind, out[i].rank = cueKindRank(cues[tg.cue].Sets)
			}
		}
		out[i].several = n != 1 // none: the general loop finds none too
	}
	return out
}

func compileAnchor(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, nil
	}
	return regexp.Compile(s)
}
