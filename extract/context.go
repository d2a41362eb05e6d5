package extract

import (
	"regexp"
	"slices"
	"sort"
	"strings"

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
// the patient and stays the patient's.
func (e *Extractor) qualify(t string, L *Layout, cands []candidate, hits []cueHit) {
	if len(cands) == 0 {
		return
	}
	bySentence := map[int][]int{}
	for i := range cands {
		si := L.SentenceAt(cands[i].vstart)
		if si < 0 {
			si = L.SentenceAt(cands[i].start)
		}
		if si >= 0 {
			bySentence[si] = append(bySentence[si], i)
		}
	}
	sents := make([]int, 0, len(bySentence))
	for si := range bySentence {
		sents = append(sents, si)
	}
	sort.Ints(sents)
	for _, si := range sents {
		s := L.Sentences[si]
		var in []cueHit
		for _, h := range hits {
			if h.start >= s.Start && h.end <= s.End {
				in = append(in, h)
			}
		}
		in = dropPseudo(in)
		for _, ci := range bySentence[si] {
			c := &cands[ci]
			e.qualifyOne(t, s, L.Sections[s.Section].Name, c, in)
		}
	}
}

func dropPseudo(hits []cueHit) []cueHit {
	var pseudo [][2]int
	for _, h := range hits {
		if h.cue.Sets == "pseudo" {
			pseudo = append(pseudo, [2]int{h.start, h.end})
		}
	}
	var kept []cueHit
	for _, h := range hits {
		if h.cue.Sets == "pseudo" {
			continue
		}
		inside := false
		for _, p := range pseudo {
			if h.start < p[1] && p[0] < h.end {
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
	var out []cueHit
	for i, h := range kept {
		longer := false
		for j, o := range kept {
			if i != j && o.start <= h.start && h.end <= o.end && o.end-o.start > h.end-h.start &&
				patterns.CueSets[o.cue.Sets] != "terminate" && patterns.CueSets[h.cue.Sets] != "terminate" {
				longer = true
				break
			}
		}
		if !longer {
			out = append(out, h)
		}
	}
	return out
}

func (e *Extractor) qualifyOne(t string, s Sentence, section string, c *candidate, hits []cueHit) {
	var bestA, bestS *cueHit
	var cancels []*cueHit
	for i := range hits {
		h := &hits[i]
		kind := patterns.CueSets[h.cue.Sets]
		if kind == "terminate" || !reaches(t, h, c, hits) {
			continue
		}
		switch kind {
		case "assertion":
			if bestA == nil || assertionRank[h.cue.Sets] > assertionRank[bestA.cue.Sets] {
				bestA = h
			}
		case "subject":
			if bestS == nil || subjectRank[h.cue.Sets] > subjectRank[bestS.cue.Sets] {
				bestS = h
			}
		case "cancel":
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
	if bestS != nil && (c.subject == "" || subjectRank[bestS.cue.Sets] > subjectRank[c.subject]) {
		c.subject = bestS.cue.Sets
		if bestA == nil {
			c.cue = cueOf(t, bestS)
		}
	}
	if c.subject == "" && bestS == nil && slices.Contains(e.ctxOpts.PopulationSections, section) &&
		(e.patientAnchor == nil || !e.patientAnchor.MatchString(t[s.Start:s.End])) {
		// A Discussion sentence that names no patient speaks of patients
		// in general; the sentence itself would have overruled the section.
		c.subject = "population"
		if c.cue == nil {
			c.cue = &ContextCue{ID: "section." + section, Sets: "population", nstart: -1, nend: -1}
		}
	}
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
	if wordCount(t[from:to]) > h.cue.Scope {
		return false
	}
	for i := range hits {
		o := &hits[i]
		if o.cue.Sets == "terminate" && o.start >= from && o.end <= to {
			return false
		}
	}
	return true
}

func wordCount(s string) int {
	return len(strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\n' || r == '\t' || r == ',' || r == '(' || r == ')'
	}))
}

// cueHits finds the cue phrases among the prefilter's hits.
func (e *Extractor) cueHits(t string, hits []hit) []cueHit {
	var out []cueHit
	for _, h := range hits {
		if e.acKinds[h.pat]&kindCue == 0 {
			continue
		}
		for _, tg := range e.acTargets[h.pat] {
			if tg.cue < 0 {
				continue
			}
			// ";" and the like are cues too; words must be whole words
			if isWordByteAt(t, h.start) && !wordBounded(t, h.start, h.end) {
				continue
			}
			if !isWordByteAt(t, h.start) && h.end < len(t) && isWordByteAt(t, h.end-1) && isWordByteAt(t, h.end) {
				continue
			}
			out = append(out, cueHit{h.start, h.end, e.set.Cues[tg.cue]})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

func compileAnchor(s string) (*regexp.Regexp, error) {
	if s == "" {
		return nil, nil
	}
	return regexp.Compile(s)
}
