package extract

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// SectionRule names the section a heading opens.
type SectionRule struct {
	Name    string `mapstructure:"name"`
	Pattern string `mapstructure:"pattern"`
}

// BoundaryRule starts a new case at a heading matching Pattern, when the
// current case already holds one of the After sections with text in it: the
// seed file's second "CASE PRESENTATION" after a first case's "Case
// resolution" starts case 2, while a report's single "Case presentation"
// after its Introduction does not.
type BoundaryRule struct {
	ID      string   `mapstructure:"id"`
	Pattern string   `mapstructure:"pattern"`
	After   []string `mapstructure:"after"`
}

// SegmentConfig configures structure detection.
type SegmentConfig struct {
	Sections        []SectionRule  `mapstructure:"sections"`
	CaseBoundaries  []BoundaryRule `mapstructure:"case_boundaries"`
	AllCapsHeadings bool           `mapstructure:"all_caps_headings"`
	Captions        string         `mapstructure:"captions"`
	Furniture       []string       `mapstructure:"furniture"`
	Abbreviations   []string       `mapstructure:"abbreviations"`
	DefaultSection  string         `mapstructure:"default_section"`
}

type compiledSection struct {
	name string
	re   *regexp.Regexp
}

type compiledBoundary struct {
	id    string
	re    *regexp.Regexp
	after map[string]bool
}

// Segmenter finds cases, sections and sentences. It is built once and is
// safe for concurrent use.
type Segmenter struct {
	sections       []compiledSection
	boundaries     []compiledBoundary
	allCaps        bool
	defaultSection string
	punkt          *punkt
	lines          *LineClassifier
	// abbrevEnd matches a sentence that punkt ended on a clinical
	// abbreviation it still took for a full stop ("(Fig." before a digit).
	abbrevEnd *regexp.Regexp
	// abbrevLower are the same abbreviations lower-cased, without their
	// dot, for mayEndWithAbbrev; nil when one is not ASCII.
	abbrevLower []string
	// abbrevByLast holds abbrevLower by last byte: a window is compared
	// only with the abbreviations ending in the letter before its dot.
	abbrevByLast [256][]string
	// abbrevBeforeLast holds, by an abbreviation's last byte, a bit for
	// its byte before (all of them for an abbreviation of one byte).
	abbrevBeforeLast [256][4]uint64
}

// NewSegmenter compiles a SegmentConfig; errors name the config key.
func NewSegmenter(c SegmentConfig) (*Segmenter, error) {
	s := &Segmenter{allCaps: c.AllCapsHeadings, defaultSection: c.DefaultSection}
	if s.defaultSection == "" {
		s.defaultSection = "body"
	}
	for i, r := range c.Sections {
		re, err := regexp.Compile(`(?i)^(?:` + r.Pattern + `)\s*[:.]?$`)
		if err != nil {
			return nil, fmt.Errorf("segment.sections[%d] (%s): bad pattern: %v", i, r.Name, err)
		}
		if r.Name == "" {
			return nil, fmt.Errorf("segment.sections[%d]: name is empty", i)
		}
		s.sections = append(s.sections, compiledSection{r.Name, re})
	}
	for i, b := range c.CaseBoundaries {
		re, err := regexp.Compile(`(?i)^(?:` + b.Pattern + `)`)
		if err != nil {
			return nil, fmt.Errorf("segment.case_boundaries[%d] (%s): bad pattern: %v", i, b.ID, err)
		}
		after := map[string]bool{}
		for _, a := range b.After {
			after[a] = true
		}
		s.boundaries = append(s.boundaries, compiledBoundary{b.ID, re, after})
	}
	lc := &LineClassifier{IsHeading: s.IsHeading}
	if c.Captions != "" {
		re, err := regexp.Compile(c.Captions)
		if err != nil {
			return nil, fmt.Errorf("segment.captions: bad pattern: %v", err)
		}
		lc.Caption = re
	}
	for i, f := range c.Furniture {
		re, err := regexp.Compile(f)
		if err != nil {
			return nil, fmt.Errorf("segment.furniture[%d]: bad pattern: %v", i, err)
		}
		lc.Furniture = append(lc.Furniture, re)
	}
	s.lines = lc
	p, err := newPunkt(c.Abbreviations)
	if err != nil {
		return nil, err
	}
	s.punkt = p
	if len(c.Abbreviations) > 0 {
		var alts []string
		for _, a := range c.Abbreviations {
			alts = append(alts, regexp.QuoteMeta(strings.TrimSuffix(a, ".")))
		}
		s.abbrevEnd = regexp.MustCompile(`(?i)(?:^|[^\pL.])(?:` + strings.Join(alts, "|") + `)\.$`)
		for _, a := range c.Abbreviations {
			low := strings.ToLower(strings.TrimSuffix(a, "."))
			if !isASCII(low) || low == "" {
				s.abbrevLower = nil
				break
			}
			s.abbrevLower = append(s.abbrevLower, low)
		}
		for _, a := range s.abbrevLower {
			last := a[len(a)-1]
			s.abbrevByLast[last] = append(s.abbrevByLast[last], a)
			if len(a) == 1 {
				s.abbrevBeforeLast[last] = [4]uint64{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}
			} else {
				b := a[len(a)-2]
				s.abbrevBeforeLast[last][b/64] |= 1 << (b % 64)
			}
		}
	}
	return s, nil
}

// endsWithAbbrev reports whether abbrevEnd matches w without running it:
// w must end in one of the abbreviations (any case) and a dot, with the
// abbreviation at w's start or after a character that is neither a letter
// nor a dot. Only the Kelvin sign and the long s fold into ASCII letters
// ("k", "s"), so a window holding either, that the plain comparison turns
// down, is left to the regexp (what that comparison finds, the regexp
// finds too); any other character can neither be part of an abbreviation
// nor start one, and the one before it is decoded like the regexp does (a
// cut or invalid sequence is U+FFFD, not a letter). Most windows are
// answered without looking at all their bytes.
func (s *Segmenter) endsWithAbbrev(w string) bool {
	if w == "" || w[len(w)-1] != '.' {
		return false
	}
	if s.abbrevLower == nil {
		return s.abbrevEnd.MatchString(w)
	}
	body := w[:len(w)-1]
	if body == "" {
		return false
	}
	if c := body[len(body)-1]; c < utf8.RuneSelf {
		// No abbreviation ends in a letter that folds to c (only ASCII
		// ones do): most sentences end in such a letter or a digit; and
		// of the others most have an ASCII byte before it that no
		// abbreviation ending in c has.
		last := asciiLower[c]
		if s.abbrevByLast[last] == nil {
			return false
		}
		if len(body) >= 2 {
			if b := body[len(body)-2]; b < utf8.RuneSelf {
				b = asciiLower[b]
				if s.abbrevBeforeLast[last][b/64]&(1<<(b%64)) == 0 {
					return false
				}
			}
		}
	}
	if s.endsWithAbbrevASCII(body) {
		return true
	}
	return asciiPrefix(w) < len(w) && (strings.Contains(w, "\u212a") || strings.Contains(w, "\u017f")) &&
		s.abbrevEnd.MatchString(w)
}

// endsWithAbbrevASCII is the plain comparison of endsWithAbbrev on w
// without its final dot.
func (s *Segmenter) endsWithAbbrevASCII(body string) bool {
	for _, a := range s.abbrevByLast[asciiLower[body[len(body)-1]]] {
		k := len(body) - len(a)
		if k < 0 || !equalFoldASCII(body[k:], a) {
			continue
		}
		if k == 0 {
			return true
		}
		if c := body[k-1]; c < utf8.RuneSelf {
			if !isASCIILetter(c) && c != '.' {
				return true
			}
		} else if r, _ := utf8.DecodeLastRuneInString(body[:k]); !unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// Lines returns the line classifier the normalizer uses.
func (s *Segmenter) Lines() *LineClassifier { return s.lines }

// IsHeading tells a heading line from running text: a known section name on
// its own line, or (when enabled) a short line in capitals.
func (s *Segmenter) IsHeading(line string) bool {
	if len(line) > 80 {
		return false
	}
	if s.sectionName(line) != "" {
		return true
	}
	for _, b := range s.boundaries {
		if b.re.MatchString(line) && len(strings.Fields(line)) <= 6 {
			return true
		}
	}
	if !s.allCaps {
		return false
	}
	letters := 0
	for _, r := range line {
		switch {
		case unicode.IsLower(r), unicode.IsDigit(r):
			return false
		case unicode.IsLetter(r):
			letters++
		}
	}
	return letters >= 4 && len(strings.Fields(line)) <= 8 && !strings.HasSuffix(line, ".")
}

func (s *Segmenter) sectionName(heading string) string {
	h := strings.TrimSpace(heading)
	for _, r := range s.sections {
		if r.re.MatchString(h) {
			return r.name
		}
	}
	return ""
}

// Case is one patient's case within a document.
type Case struct {
	Index      int // 1-based
	Start, End int // normalized byte offsets
}

// Section is a run of text under one heading.
type Section struct {
	Name       string
	Heading    string
	Case       int
	Start, End int
}

// Sentence is one sentence of the normalized text.
type Sentence struct {
	Start, End int
	Section    int // index into Layout.Sections
	Case       int
	Caption    bool
}

// Layout is the structure found in a normalized document.
type Layout struct {
	Cases     []Case
	Sections  []Section
	Sentences []Sentence
}

// Segment finds cases, sections and sentences in a normalized text.
func (s *Segmenter) Segment(n *Normalized) *Layout {
	return s.segmentInto(new(layoutParts), n)
}

// layoutParts is a layout and room for its first case and section in one
// allocation: most reports are one case in one section. More grow on the
// heap as usual. One given back (see releaseDocParts) keeps its sentences'
// array for the next document.
type layoutParts struct {
	L         Layout
	cases     [1]Case
	sections  [1]Section
	sentences []Sentence
}

// segmentInto is Segment into parts.
func (s *Segmenter) segmentInto(parts *layoutParts, n *Normalized) *Layout {
	L := &parts.L
	caseIdx := 1
	L.Cases = append(parts.cases[:0], Case{Index: 1, Start: 0})
	L.Sections = append(parts.sections[:0], Section{Name: s.defaultSection, Case: 1, Start: 0})
	// Sentences grow in a reused slice and are copied out once, at their
	// final length, instead of doubling a new slice per document.
	sentences := sentenceScratch.Get().(*[]Sentence)
	L.Sentences = (*sentences)[:0]
	// caseSections: sections seen in the current case that have text.
	caseSections := map[string]bool{}
	curHasText := false
	for _, blk := range n.Blocks {
		if blk.Kind == BlockHeading {
			heading := n.Text[blk.Start:blk.End]
			name := s.sectionName(heading)
			if name == "" {
				name = snake(heading)
			}
			if curHasText {
				caseSections[L.Sections[len(L.Sections)-1].Name] = true
			}
			for _, b := range s.boundaries {
				if !b.re.MatchString(heading) {
					continue
				}
				starts := false
				for a := range b.after {
					if caseSections[a] {
						starts = true
					}
				}
				if starts {
					L.Cases[len(L.Cases)-1].End = blk.Start
					caseIdx++
					L.Cases = append(L.Cases, Case{Index: caseIdx, Start: blk.Start})
					caseSections = map[string]bool{}
				}
				break
			}
			L.Sections[len(L.Sections)-1].End = blk.Start
			L.Sections = append(L.Sections, Section{Name: name, Heading: heading, Case: caseIdx, Start: blk.Start})
			curHasText = false
			continue
		}
		curHasText = true
		secIdx := len(L.Sections) - 1
		text := n.Text[blk.Start:blk.End]
		first := len(L.Sentences)
		sc, spans := s.punkt.segment(text)
		for _, sent := range spans {
			if k := len(L.Sentences) - 1; k >= first && s.abbrevEnd != nil &&
				s.endsWithAbbrev(n.Text[max(L.Sentences[k].Start, L.Sentences[k].End-24):L.Sentences[k].End]) {
				L.Sentences[k].End = blk.Start + sent[1]
				continue
			}
			L.Sentences = append(L.Sentences, Sentence{
				Start:   blk.Start + sent[0],
				End:     blk.Start + sent[1],
				Section: secIdx,
				Case:    caseIdx,
				Caption: blk.Kind == BlockCaption,
			})
		}
		s.punkt.release(sc)
	}
	L.Cases[len(L.Cases)-1].End = len(n.Text)
	L.Sections[len(L.Sections)-1].End = len(n.Text)
	*sentences = L.Sentences[:0]
	switch {
	case len(L.Sentences) == 0:
		L.Sentences = nil
	case parts.sentences != nil: // given back: its array is reused
		L.Sentences = append(parts.sentences[:0], L.Sentences...)
		parts.sentences = L.Sentences
	default:
		L.Sentences = slices.Clone(L.Sentences)
		parts.sentences = L.Sentences
	}
	sentenceScratch.Put(sentences)
	return L
}

var sentenceScratch = sync.Pool{New: func() any { return new([]Sentence) }}

// SentenceAt returns the index of the sentence holding normalized offset p,
// or -1 when p falls between sentences (in a heading). Every stage asks it
// for every hit, so the search is written out: the closure sort.Search
// calls per step cost more than the step.
func (L *Layout) SentenceAt(p int) int {
	ss := L.Sentences
	i, j := 0, len(ss)
	for i < j {
		h := int(uint(i+j) >> 1)
		if ss[h].End > p {
			j = h
		} else {
			i = h + 1
		}
	}
	if i < len(ss) && ss[i].Start <= p {
		return i
	}
	return -1
}

// snake turns a heading into a section name: "PATIENT HISTORY" → patient_history.
//
// Every measurement finding names its concept with it: a name that is
// already snake case comes back as it is, and the others are built in one
// buffer, lower-cased as they go (strings.ToLower and a builder grown by
// WriteRune were four allocations a name).
func snake(s string) string {
	if isSnakeWord(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	under := false
	for _, r := range s {
		r = unicode.ToLower(r)
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if under && b.Len() > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			under = false
		} else {
			under = true
		}
	}
	return b.String()
}

// isSnakeWord reports whether s is ASCII lower-case letters and digits
// only, which snake gives back unchanged.
func isSnakeWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
