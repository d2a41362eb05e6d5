package extract

import (
	"cmp"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/clinex/clinex/patterns"
)

// Options tunes how values are attached to what they measure.
type Options struct {
	// MaxGap is how far (bytes) an analyte name may stand before its value.
	MaxGap int `mapstructure:"max_gap"`
	// RuleWindow is the default window (bytes each side of a keyword hit) a
	// rule's regex runs on, when the rule sets none.
	RuleWindow int `mapstructure:"rule_window"`
	// MeasurementDimensions lists unit dimensions that make an unnamed
	// quantity a `measurement` finding (a size, a gradient, a percentage);
	// durations and doses are left to their own kinds.
	MeasurementDimensions []string `mapstructure:"measurement_dimensions"`
	// Protect is a regex for spans whose numbers are never values: figure
	// and video references, DOIs, URLs, bracketed citations.
	Protect string `mapstructure:"protect"`
	// ProtectKeywords are the words the Protect regex can start with; it
	// runs only near them, never over a whole document.
	ProtectKeywords []string `mapstructure:"protect_keywords"`
	// Context tunes the assertion and subject stage.
	Context ContextOptions `mapstructure:"context"`
}

// Extractor runs the whole per-document pipeline. It is built once from a
// pattern set and is safe for concurrent use.
type Extractor struct {
	set     *patterns.Set
	seg     *Segmenter
	units   *UnitMatcher
	scanner *QuantityScanner
	ac      *keywordAutomaton
	// entities is what the entity stage reads of set.Entities, same order.
	entities []entityExtra
	// ruleScan runs each rule's regex (set.Rules order).
	ruleScan  []*ruleScanner
	acTargets [][]acTarget
	// acKinds has the kinds of each keyword's targets, so a stage skips
	// the hits it has no use for without reading their targets.
	acKinds []targetKind
	// acMentions and acCues are each keyword's mention and cue targets,
	// for appendMentions and appendCueHits.
	acMentions []mentionTarget
	acCues     []cueTarget
	protect    *regexp.Regexp
	// protectScan runs protect; its submatches are not read.
	protectScan *ruleScanner
	opts        Options
	measDims    map[string]bool
	unitCodes   map[string]*patterns.Unit
	analytes    map[string]*patterns.Analyte // by concept
	ctxOpts     ContextOptions
	// patientAnchor matches words that tie a sentence to this patient.
	patientAnchor *regexp.Regexp
	// impliedRules is the rule id of a value whose unit implies its
	// concept ("unit.temperature"), and sectionCues the cue id of a
	// population section ("section.discussion"), made once rather than
	// concatenated at every finding.
	impliedRules map[string]string
	sectionCues  map[string]string
}

type acTarget struct {
	rule    int // index into set.Rules, or -1
	analyte int // index into set.Analytes, or -1
	entity  int // index into set.Entities, or -1
	cue     int // index into set.Cues, or -1
	exact   string
	protect bool // a Protect keyword
	// wordStart: the rule takes this keyword only where it starts a word
	// (the rule's keywords_at_word_start).
	wordStart bool
}

type targetKind uint8

const (
	kindRule targetKind = 1 << iota
	kindMention
	kindCue
	kindProtect
)

func (t acTarget) kind() targetKind {
	var k targetKind
	if t.rule >= 0 {
		k |= kindRule
	}
	if t.analyte >= 0 || t.entity >= 0 {
		k |= kindMention
	}
	if t.cue >= 0 {
		k |= kindCue
	}
	if t.protect {
		k |= kindProtect
	}
	return k
}

// NewExtractor compiles everything the pipeline needs, once.
func NewExtractor(set *patterns.Set, seg SegmentConfig, opts Options) (*Extractor, error) {
	// One automaton for every keyword, synonym and abbreviation.
	index := map[string]int{}
	var words []string
	var acTargets [][]acTarget
	add := func(w string, t acTarget) {
		k := strings.ToLower(w)
		i, ok := index[k]
		if !ok {
			i = len(words)
			index[k] = i
			words = append(words, k)
			acTargets = append(acTargets, nil)
		}
		acTargets[i] = append(acTargets[i], t)
	}
	for i, r := range set.Rules {
		for _, k := range r.Keywords {
			add(k, acTarget{rule: i, analyte: -1, entity: -1, cue: -1, wordStart: r.KeywordsAtWordStart})
		}
	}
	for i, a := range set.Analytes {
		for _, syn := range a.Synonyms {
			add(strings.Join(strings.Fields(syn), " "), acTarget{rule: -1, analyte: i, entity: -1, cue: -1})
		}
		for _, ab := range a.Abbreviations {
			add(ab, acTarget{rule: -1, analyte: i, entity: -1, exact: ab, cue: -1})
		}
	}
	for i, en := range set.Entities {
		for _, syn := range en.Synonyms {
			add(strings.Join(strings.Fields(syn), " "), acTarget{rule: -1, analyte: -1, entity: i, cue: -1})
		}
		for _, ab := range en.Abbreviations {
			add(ab, acTarget{rule: -1, analyte: -1, entity: i, exact: ab, cue: -1})
		}
	}
	for i, c := range set.Cues {
		for _, ph := range c.Phrases {
			add(strings.Join(strings.Fields(ph), " "), acTarget{rule: -1, analyte: -1, entity: -1, cue: i})
		}
	}
	for _, k := range opts.ProtectKeywords {
		add(k, acTarget{rule: -1, analyte: -1, entity: -1, protect: true, cue: -1})
	}
	// The automaton is the longest part of the build: it grows on another
	// core while the segmenter loads its sentence model.
	acDone := make(chan *keywordAutomaton, 1)
	acKinds := make([]targetKind, len(words))
	boundedOnly := make([]bool, len(words))
	for i, tgs := range acTargets {
		for _, tg := range tgs {
			acKinds[i] |= tg.kind()
		}
		// Mentions and cues take a word's hit only where it is a whole word
		// (a cue that starts with a letter or digit; see cueHits), and so
		// do the other readers of hits (PrefilterHits): a word that is
		// nothing else need not be reported elsewhere.
		boundedOnly[i] = acKinds[i]&(kindRule|kindProtect) == 0 && words[i] != "" &&
			words[i][0] < utf8.RuneSelf && asciiWordByte[words[i][0]]
	}
	go func() { acDone <- newKeywordAutomaton(words, boundedOnly) }()
	s, err := NewSegmenter(seg)
	if err != nil {
		return nil, err
	}
	um, err := NewUnitMatcher(set.Units)
	if err != nil {
		return nil, fmt.Errorf("unit table: %w", err)
	}
	// The normalizer tells a citation from a value by the unit after it.
	s.lines.UnitAt = func(x string) bool { u, _, _ := um.Match(x); return u != nil }
	if opts.MaxGap <= 0 {
		opts.MaxGap = 60
	}
	if opts.RuleWindow <= 0 {
		opts.RuleWindow = 120
	}
	e := &Extractor{set: set, seg: s, units: um, scanner: &QuantityScanner{units: um}, opts: opts,
		measDims: map[string]bool{}, unitCodes: map[string]*patterns.Unit{}, analytes: map[string]*patterns.Analyte{}}
	for _, d := range opts.MeasurementDimensions {
		e.measDims[d] = true
	}
	for _, a := range set.Analytes {
		e.analytes[a.Concept] = a
	}
	for _, u := range set.Units {
		if _, ok := e.unitCodes[u.Code]; !ok || u.Implies == "" {
			e.unitCodes[u.Code] = u
		}
	}
	e.ctxOpts = opts.Context
	e.impliedRules = map[string]string{}
	for _, u := range set.Units {
		if u.Implies != "" {
			e.impliedRules[u.Implies] = "unit." + u.Implies
		}
	}
	e.sectionCues = map[string]string{}
	for _, sec := range opts.Context.PopulationSections {
		e.sectionCues[sec] = "section." + sec
	}
	if e.patientAnchor, err = compileAnchor(opts.Context.PatientAnchor); err != nil {
		return nil, fmt.Errorf("extract.context.patient_anchor: bad pattern: %v", err)
	}
	if opts.Protect != "" {
		re, err := regexp.Compile(opts.Protect)
		if err != nil {
			return nil, fmt.Errorf("extract.protect: bad pattern: %v", err)
		}
		e.protect = re
		e.protectScan = newRuleScanner(re)
	}
	e.acTargets, e.acKinds = acTargets, acKinds
	e.acMentions = newMentionTargets(acTargets)
	e.acCues = newCueTargets(acTargets, set.Cues)
	e.entities = newEntityExtras(set.Entities)
	for _, r := range set.Rules {
		rs := newRuleScanner(r.Re)
		rs.groups = newRuleGroups(r)
		e.ruleScan = append(e.ruleScan, rs)
	}
	e.ac = <-acDone
	return e, nil
}

// impliedRule is "unit." + implies, made once.
func (e *Extractor) impliedRule(implies string) string {
	if r, ok := e.impliedRules[implies]; ok {
		return r
	}
	return "unit." + implies
}

// sectionCue is "section." + section, made once.
func (e *Extractor) sectionCue(section string) string {
	if id, ok := e.sectionCues[section]; ok {
		return id
	}
	return "section." + section
}

// Segmenter returns the segmenter the extractor uses.
func (e *Extractor) Segmenter() *Segmenter { return e.seg }

// Set returns the pattern set the extractor was built from.
func (e *Extractor) Set() *patterns.Set { return e.set }

// Document is one report and what the pipeline found in it.
type Document struct {
	ID       string
	Text     string
	Norm     *Normalized
	Layout   *Layout
	Findings []Finding
	// Sections are the layout's sections mapped back to the original
	// text, in code points, for writers that show the document's shape.
	Sections []SectionSpan
}

// SectionSpan is one section of one case, in code points of the original
// text, like a finding's offsets.
type SectionSpan struct {
	Case    int    `json:"case"`
	Name    string `json:"name"`
	Heading string `json:"heading,omitempty"`
	Start   int    `json:"start"`
	End     int    `json:"end"`
}

// candidate is a finding before offsets are mapped back to the original.
type candidate struct {
	category, concept, label, rule string
	value                          Value
	valueMax                       *float64
	op, unit                       string
	subject                        string
	assertion                      string
	cue                            *ContextCue
	attrs                          map[string]any
	start, end                     int
	vstart, vend                   int
	flags                          []string
	fromRule                       bool
	entity                         bool // a lexicon entity: never claimed by a rule
	priority                       int
	order                          int
	// sentence is the index of the sentence the finding is placed in,
	// plus one, once qualify has looked it up for build; 0 before.
	sentence int32
}

type hit struct {
	start, end int
	pat        int
}

type mention struct {
	start, end int
	analyte    int // index into set.Analytes, or -1
	entity     int // index into set.Entities, or -1
}

// Extract runs the pipeline on one document.
func (e *Extractor) Extract(id, text string) *Document {
	return e.extractInto(new(docParts), id, text)
}

// extractInto is Extract into p.
func (e *Extractor) extractInto(p *docParts, id, text string) *Document {
	doc := &p.doc
	doc.ID, doc.Text = id, text
	n := normalizeInto(&p.norm, text, e.seg.Lines())
	L := e.seg.segmentInto(&p.layout, n)
	doc.Norm, doc.Layout = n, L
	t := n.Text

	// Hits, mentions and candidates are scratch: build copies what it
	// keeps into the findings. Their slices are reused from document to
	// document; they were half of the bytes allocated.
	scratch := candScratchPool.Get().(*candScratch)
	defer scratch.put()
	hits := e.ac.appendHits(slices.Grow(scratch.hits[:0], len(t)/32), t) // about one hit per 35 bytes
	scratch.hits = hits
	protected := e.protectedSpans(t, hits)
	inProtected := func(p int) bool {
		i := sort.Search(len(protected), func(i int) bool { return protected[i][1] > p })
		return i < len(protected) && protected[i][0] <= p
	}

	cands := e.appendRules(scratch.found[:0], t, L, hits, inProtected)
	ms := e.appendMentions(scratch.allMentions[:0], t, hits)
	scratch.allMentions = ms
	nEntity := 0
	for i := range ms {
		if ms[i].entity >= 0 {
			nEntity++
		}
	}
	scratch.mentions = slices.Grow(scratch.mentions[:0], len(ms))[:len(ms)]
	entityMs, analyteMs := scratch.mentions[:0:nEntity], scratch.mentions[nEntity:nEntity]
	for _, m := range ms {
		if m.entity >= 0 {
			entityMs = append(entityMs, m)
		} else {
			analyteMs = append(analyteMs, m)
		}
	}
	qs := e.scanner.appendScan(scratch.quantities[:0], t, inProtected)
	scratch.quantities = qs
	scratch.used = slices.Grow(scratch.used[:0], len(qs))[:len(qs)]
	clear(scratch.used)
	cands, used := e.appendEntityCandidates(cands, scratch.used, t, L, entityMs, qs)
	free := qs[:0] // filtered in place: qs is not read again
	for i := range qs {
		if !used[i] {
			free = append(free, qs[i])
		}
	}
	attached := len(cands)
	cands = e.attach(cands, t, L, analyteMs, free)
	e.linkDeviceSettings(t, L, entityMs, cands[attached:])
	scratch.found = cands
	// the kept candidates by index: copying them out (they are large) and
	// clearing the copies cost more than reading them through the index
	kept := resolveScratch(scratch, cands)
	scratch.cues = e.appendCueHits(scratch.cues[:0], t, hits)
	e.qualifyKept(scratch, t, L, cands, kept, scratch.cues)
	doc.Findings = e.buildKept(doc, cands, kept)
	return doc
}

// candScratch is what one Extract call uses and drops: every slice here
// is rebuilt for each document, so it comes from a pool instead of the
// heap (Extract runs concurrently, so the Extractor cannot hold it).
type candScratch struct {
	hits     []hit
	mentions []mention
	found    []candidate
	// allMentions is mentions' result, split into mentions by kind.
	allMentions []mention
	// quantities are the scanner's; used marks those an entity took.
	quantities []Quantity
	used       []bool
	// resolve's index lists.
	resolveBuf []int32
	// cues are the document's cue hits; placed, in, speaking and spoken
	// are qualify's.
	cues, in, speaking, spoken []cueHit
	placed                     []placedCand
}

var candScratchPool = sync.Pool{New: func() any { return new(candScratch) }}

// maxPooledCands keeps a huge report's candidates from staying in the pool.
const maxPooledCands = 1 << 14

// put clears the slices (a candidate holds strings, maps and pointers the
// findings now own) and returns them to the pool. Only what the document
// used is cleared: past its length a slice was cleared before it was
// returned last time, and clearing the whole capacity (the largest report
// seen) was 2% of a run's CPU.
func (s *candScratch) put() {
	if cap(s.hits) > 8*maxPooledCands {
		s.hits = nil
	}
	if cap(s.mentions) > 8*maxPooledCands {
		s.mentions = nil
	}
	if cap(s.found) > maxPooledCands {
		s.found = nil
	} else {
		clear(s.found)
		s.found = s.found[:0]
	}
	if cap(s.allMentions) > 8*maxPooledCands {
		s.allMentions = nil
	}
	// quantities point at values: cleared so a pooled scratch keeps no
	// document's data alive
	if cap(s.quantities) > 8*maxPooledCands {
		s.quantities, s.used = nil, nil
	} else {
		clear(s.quantities)
	}
	if cap(s.resolveBuf) > 8*maxPooledCands {
		s.resolveBuf = nil
	}
	if cap(s.cues) > 8*maxPooledCands || cap(s.placed) > 8*maxPooledCands {
		s.cues, s.in, s.speaking, s.spoken, s.placed = nil, nil, nil, nil, nil
	}
	candScratchPool.Put(s)
}

// protectedSpans finds figure references, DOIs, URLs and citations, by
// running the Protect regex on windows around its keywords only.
func (e *Extractor) protectedSpans(t string, hits []hit) [][2]int {
	if e.protect == nil {
		return nil
	}
	var ws [][2]int
	for _, h := range hits {
		if e.acKinds[h.pat]&kindProtect == 0 {
			continue
		}
		for _, tg := range e.acTargets[h.pat] {
			if tg.protect {
				ws = append(ws, [2]int{max(0, h.start-2), min(len(t), h.end+120)})
				break
			}
		}
	}
	var out [][2]int
	for _, w := range mergeWindows(ws) {
		for _, m := range e.protectScan.findAll(t[w[0]:w[1]]) {
			out = append(out, [2]int{w[0] + m[0], w[0] + m[1]})
		}
	}
	return out
}

func isWordByteAt(t string, i int) bool {
	if i < 0 || i >= len(t) {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t[i:])
	if r == utf8.RuneError {
		r, _ = utf8.DecodeLastRuneInString(t[:i+1])
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func wordBounded(t string, start, end int) bool {
	before := start > 0 && isWordRuneBefore(t, start)
	after := end < len(t) && isWordByteAt(t, end)
	return !before && !after
}

func isWordRuneBefore(t string, i int) bool {
	r, _ := utf8.DecodeLastRuneInString(t[:i])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// mentions returns lexicon name hits (analytes and entities), whole words
// only, abbreviations in their written case, the longest where hits overlap
// ("mean arterial pressure" over "arterial pressure", "potassium chloride"
// the drug over "potassium" the lab).
func (e *Extractor) mentions(t string, hits []hit) []mention { return e.appendMentions(nil, t, hits) }

// appendMentions is mentions written into ms[:0] (a reused buffer).
func (e *Extractor) appendMentions(ms []mention, t string, hits []hit) []mention {
	ms = ms[:0]
	for _, h := range hits {
		if e.acKinds[h.pat]&kindMention == 0 || !wordBoundedASCII(t, h.start, h.end) {
			continue
		}
		if mt := &e.acMentions[h.pat]; !mt.several {
			if mt.exact == "" || t[h.start:h.end] == mt.exact {
				ms = append(ms, mention{h.start, h.end, int(mt.analyte), int(mt.entity)})
			}
			continue
		}
		tgs := e.acTargets[h.pat]
		for i := range tgs {
			tg := &tgs[i]
			if tg.analyte < 0 && tg.entity < 0 {
				continue
			}
			if tg.exact != "" && t[h.start:h.end] != tg.exact {
				continue
			}
			ms = append(ms, mention{h.start, h.end, tg.analyte, tg.entity})
			break
		}
	}
	// No two mentions share a span (one per hit, and distinct words never
	// do), so any sort gives this order. The hits come nearly in it (out
	// of it only where words overlap), so an insertion sort moves a few;
	// past a bound on its moves the general sort finishes.
	if !insertionSortMentions(ms, 4*len(ms)+16) {
		slices.SortFunc(ms, func(a, b mention) int {
			if a.start != b.start {
				return a.start - b.start
			}
			return b.end - a.end
		})
	}
	// Kept in place: the kept ones never pass the one being read.
	out := ms[:0]
	for _, m := range ms {
		if len(out) > 0 {
			last := &out[len(out)-1]
			if m.start < last.end {
				if m.end-m.start > last.end-last.start {
					*last = m
				}
				continue
			}
		}
		out = append(out, m)
	}
	return out
}

// insertionSortMentions sorts ms by start, then longest first, by
// insertion, unless that takes more than maxMoves moves: it then stops
// and reports false, ms reordered but not sorted.
func insertionSortMentions(ms []mention, maxMoves int) bool {
	moves := 0
	for k := 1; k < len(ms); k++ {
		m := ms[k]
		j := k
		for j > 0 && (m.start < ms[j-1].start || m.start == ms[j-1].start && m.end > ms[j-1].end) {
			ms[j] = ms[j-1]
			j--
		}
		ms[j] = m
		if moves += k - j; moves > maxMoves {
			return false
		}
	}
	return true
}

// mentionTarget is what appendMentions reads of a keyword in one row of
// one slice: the keyword's one analyte or entity target, or several to
// try in acTargets. Reaching the targets themselves took two cold cache
// lines a hit (the slice's header, then the target).
type mentionTarget struct {
	exact           string
	analyte, entity int32
	several         bool
}

func newMentionTargets(acTargets [][]acTarget) []mentionTarget {
	out := make([]mentionTarget, len(acTargets))
	for i, tgs := range acTargets {
		n := 0
		for _, tg := range tgs {
			if tg.analyte < 0 && tg.entity < 0 {
				continue
			}
			if n++; n == 1 {
				out[i] = mentionTarget{exact: tg.exact, analyte: int32(tg.analyte), entity: int32(tg.entity)}
			}
		}
		out[i].several = n != 1 // none: the general loop finds none too
	}
	return out
}

// runRules runs each rule's regex on windows around its keyword hits,
// clamped to the hit's sentence, so no rule sweeps the whole document.
func (e *Extractor) runRules(t string, L *Layout, hits []hit, inProtected func(int) bool) []candidate {
	return e.appendRules(nil, t, L, hits, inProtected)
}

// appendRules appends the rules' candidates to out.
func (e *Extractor) appendRules(out []candidate, t string, L *Layout, hits []hit, inProtected func(int) bool) []candidate {
	// every rule's windows in one slice, sorted by rule then start, in
	// slices kept from the document before
	sc := ruleScratchPool.Get().(*ruleScratch)
	defer sc.release()
	windows := sc.windows[:0]
	sentences := sentenceCursor{ss: L.Sentences}
	for _, h := range hits {
		if e.acKinds[h.pat]&kindRule == 0 {
			continue
		}
		si := -2 // not looked up yet: most hits are no rule's keyword
		for _, tg := range e.acTargets[h.pat] {
			if tg.rule < 0 || tg.wordStart && !patterns.AtWordStart(t, h.start) {
				continue
			}
			r := e.set.Rules[tg.rule]
			w := r.Window
			if w == 0 {
				w = e.opts.RuleWindow
			}
			if si == -2 {
				si = sentences.at(h.start)
			}
			lo, hi := h.start-w, h.end+w
			if si >= 0 {
				s := L.Sentences[si]
				lo, hi = max(lo, s.Start), min(hi, s.End)
			} else {
				lo, hi = max(lo, 0), min(hi, len(t))
			}
			windows = append(windows, ruleWindow{tg.rule, [2]int{lo, hi}})
		}
	}
	sc.windows = windows
	windows = groupByRule(sc, windows, len(e.set.Rules))
	// the matches first, so the candidates, which are large, are not
	// copied as their slice grows
	found := sc.found[:0]
	ws := sc.spans
	for i := 0; i < len(windows); {
		ri := windows[i].rule
		ws = ws[:0]
		for ; i < len(windows) && windows[i].rule == ri; i++ {
			ws = append(ws, windows[i].span)
		}
		// Merged windows are disjoint and a window's matches do not
		// overlap, so no match is found twice.
		for _, w := range mergeWindows(ws) {
			sc.matches = e.ruleScan[ri].appendAll(sc.matches[:0], &sc.sim, t[w[0]:w[1]])
			for _, m := range sc.matches {
				for k := range m {
					if m[k] >= 0 {
						m[k] += w[0]
					}
				}
				if m[1] == m[0] || inProtected(m[0]) {
					continue
				}
				found = append(found, ruleMatch{ri, m})
			}
		}
	}
	sc.spans, sc.found = ws, found
	if len(found) == 0 {
		return out
	}
	out = slices.Grow(out, len(found)) // most rules give one finding a match
	for _, f := range found {
		out = e.appendRuleCandidates(out, t, e.set.Rules[f.rule], f.rule, f.m)
	}
	return out
}

// ruleMatch is one match of a rule's regex, as FindStringSubmatchIndex
// gives it, in document offsets.
type ruleMatch struct {
	rule int
	m    []int
}

// ruleWindow is a span of text one rule runs on.
type ruleWindow struct {
	rule int // index into set.Rules
	span [2]int
}

// mergeWindows sorts ws by start and merges the windows that overlap or
// touch, in place.
func mergeWindows(ws [][2]int) [][2]int {
	slices.SortFunc(ws, func(a, b [2]int) int { return a[0] - b[0] })
	out := ws[:0]
	for _, w := range ws {
		if len(out) > 0 && w[0] <= out[len(out)-1][1] {
			if w[1] > out[len(out)-1][1] {
				out[len(out)-1][1] = w[1]
			}
			continue
		}
		out = append(out, w)
	}
	return out
}

func groupText(t string, m []int, g int) (string, int, int, bool) {
	if g < 0 || 2*g+1 >= len(m) || m[2*g] < 0 {
		return "", 0, 0, false
	}
	return t[m[2*g]:m[2*g+1]], m[2*g], m[2*g+1], true
}

// appendRuleCandidates appends the findings of rule r's match m to out.
func (e *Extractor) appendRuleCandidates(out []candidate, t string, r *patterns.Rule, ri int, m []int) []candidate {
	g := &e.ruleScan[ri].groups
	outputs := g.outputs
	unit := r.Unit
	var unitRow *patterns.Unit
	if ut, _, _, ok := groupText(t, m, g.unit); ok {
		if u, code, _ := e.units.Match(ut); u != nil {
			unit, unitRow = code, u
		}
	}
	if unitRow == nil {
		unitRow = e.unitCodes[unit]
	}
	op := ""
	if ot, _, _, ok := groupText(t, m, g.op); ok {
		op = opCanon[strings.ToLower(strings.Join(strings.Fields(ot), " "))]
		if op == "" {
			op = strings.TrimSpace(ot)
		}
	}
	for oi, o := range outputs {
		vt, vs, ve, ok := groupText(t, m, g.output[oi])
		if !ok {
			continue
		}
		label, concept := firstNonEmpty(o.Label, r.Label), firstNonEmpty(o.Concept, r.Concept)
		// A rule may name what it measures from the text: "Rotterdam score
		// was 0.15" gives the concept rotterdam_score.
		if lt, _, _, ok := groupText(t, m, g.label); ok {
			label = collapseSpace(lt)
			if concept == "" {
				concept = snake(label)
			}
		}
		c := candidate{category: firstNonEmpty(o.Category, r.Category), concept: concept,
			label: label, rule: r.ID, unit: unit, op: op,
			start: m[0], end: m[1], vstart: vs, vend: ve, fromRule: true, priority: r.Priority, order: ri}
		var val Value
		var vmax *float64
		switch r.ValueType {
		case "roman":
			val, vmax, ok = parseClass(vt)
		case "map":
			val, ok = g.mapValue(vt)
		case "string":
			val, ok = String(strings.TrimSpace(vt)), true
		default:
			var f float64
			f, _, ok = readNumber(strings.TrimSpace(vt), 0)
			if ok && strings.HasPrefix(strings.TrimSpace(vt), "-") {
				f = -f
			}
			val = Number(f)
		}
		if !ok {
			continue
		}
		if mt, _, _, ok := groupText(t, m, g.valueMax); ok && len(outputs) == 1 {
			if f, _, ok := readNumber(strings.TrimSpace(mt), 0); ok {
				vmax = &f
			}
		}
		c.value, c.valueMax = val, vmax
		// the value span runs from the value to its unit, or to value_max
		for _, gi := range [2]int{g.valueMax, g.unit} {
			if _, gs, ge, ok := groupText(t, m, gi); ok && len(outputs) == 1 {
				c.vstart, c.vend = min(c.vstart, gs), max(c.vend, ge)
			}
		}
		if val.IsNum() && r.Plausible != nil {
			c.flags = append(c.flags, e.plausibility(val.Num, vmax, unitRow, r.Plausible)...)
		}
		out = append(out, c)
	}
	return out
}

func firstNonEmpty(a ...string) string {
	for _, s := range a {
		if s != "" {
			return s
		}
	}
	return ""
}

var romanValues = map[string]float64{"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}

// parseClass reads a class or grade: "III" → 3, "III-IV" → 3 to 4, "2" → 2.
func parseClass(s string) (Value, *float64, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == ' ' || r == 'o' || r == 't' })
	var nums []float64
	for _, p := range parts {
		if p == "" {
			continue
		}
		if v, ok := romanValues[p]; ok {
			nums = append(nums, v)
			continue
		}
		f, end, ok := readNumber(p, 0)
		if !ok || end != len(p) {
			return Value{}, nil, false
		}
		nums = append(nums, f)
	}
	switch len(nums) {
	case 1:
		return Number(nums[0]), nil, true
	case 2:
		if nums[1] > nums[0] {
			return Number(nums[0]), &nums[1], true
		}
		return Number(nums[0]), nil, true
	}
	return Value{}, nil, false
}

func mapValue(values map[string][]string, s string) (Value, bool) {
	// the first key in sorted order that lists s, found without sorting
	// the keys into a new slice at every match
	low := strings.ToLower(strings.TrimSpace(s))
	best, found := "", false
	for k, vs := range values {
		if found && k >= best {
			continue
		}
		for _, v := range vs {
			if strings.ToLower(v) == low {
				best, found = k, true
				break
			}
		}
	}
	if !found {
		return Value{}, false
	}
	return String(best), true
}

// plausibility flags a value outside the concept's plausible range, or in a
// unit that cannot be converted to the range's unit.
func (e *Extractor) plausibility(v float64, vmax *float64, unit *patterns.Unit, r *patterns.Range) []string {
	if r == nil {
		return nil
	}
	if r.Unit != "" {
		to := e.unitCodes[r.Unit]
		if unit == nil || to == nil {
			if unit == nil || unit.Code != r.Unit {
				if unit != nil {
					return []string{"unit_mismatch"}
				}
				return nil
			}
		} else {
			cv, ok := Convert(v, unit, to)
			if !ok {
				return []string{"unit_mismatch"}
			}
			v = cv
			if vmax != nil {
				m, _ := Convert(*vmax, unit, to)
				vmax = &m
			}
		}
	}
	hi := v
	if vmax != nil {
		hi = *vmax
	}
	if (r.Min != nil && v < *r.Min-1e-9) || (r.Max != nil && hi > *r.Max+1e-9) {
		return []string{"implausible"}
	}
	return nil
}

// build maps candidates back to the original text and fills the record.
func (e *Extractor) build(doc *Document, cands []candidate) []Finding {
	return e.buildKept(doc, cands, nil)
}

// buildKept is build of the candidates kept lists, in its order (nil:
// all of them).
func (e *Extractor) buildKept(doc *Document, cands []candidate, kept []int32) []Finding {
	n, L := doc.Norm, doc.Layout
	nKept := len(cands)
	if kept != nil {
		nKept = len(kept)
	}
	// one finding per candidate, each filled in place: a Finding is large
	// and appending a local copy of it moved every byte twice
	out := newFindings(nKept)
	sc := buildScratchPool.Get().(*buildScratch)
	defer buildScratchPool.Put(sc)
	offs := sc.offs[:0]
	// findings come by start, their sentences likewise: each walks its
	// own way through the map
	spans, sentenceSpans := spanWalker{m: n.Map}, spanWalker{m: n.Map}
	// a sentence with several findings is folded once; findings come in
	// text order, so a few recent sentences are all worth remembering
	var sentences [8]struct {
		index int
		text  string
	}
	for i := range sentences {
		sentences[i].index = -1
	}
	for k, ci := range sortKept(sc, cands, kept) {
		c := &cands[ci]
		bs, be := spans.span(c.start, c.end)
		vs, ve := spans.span(c.vstart, c.vend)
		// field by field into the zeroed finding: a composite literal
		// was built aside and then copied whole
		f := &out[k]
		f.Doc, f.Category, f.Concept, f.Label = doc.ID, c.category, c.concept, c.label
		f.Value, f.ValueMax, f.Operator, f.Unit = c.value, c.valueMax, c.op, c.unit
		f.Text, f.ByteStart, f.ByteEnd, f.ValueByteStart, f.ValueByteEnd = doc.Text[bs:be], bs, be, vs, ve
		f.Assertion, f.Subject = firstNonEmpty(c.assertion, "present"), firstNonEmpty(c.subject, "patient")
		f.Rule, f.Flags, f.Attributes, f.ContextCue = c.rule, c.flags, c.attrs, c.cue
		if c.cue != nil && c.cue.nstart >= 0 {
			cs, ce := spans.span(c.cue.nstart, c.cue.nend)
			c.cue.Text = doc.Text[cs:ce]
			offs = append(offs, cs, ce)
			c.cue.nstart, c.cue.nend = cs, ce // original bytes from here on
		}
		if f.Flags == nil {
			f.Flags = []string{}
		}
		si := int(c.sentence) - 1
		if c.sentence == 0 {
			si = placedSentence(L, c)
		}
		if si >= 0 {
			s := L.Sentences[si]
			slot := &sentences[si%len(sentences)]
			if slot.index != si {
				ss, se := sentenceSpans.span(s.Start, s.End)
				slot.index, slot.text = si, collapseSpace(doc.Text[ss:se])
			}
			f.Sentence = slot.text
			f.Section = L.Sections[s.Section].Name
			f.Case = s.Case
			if s.Caption {
				f.Flags = append(f.Flags, "caption")
			}
		} else {
			f.Case, f.Section = L.caseSectionAt(c.start)
		}
		offs = append(offs, bs, be, vs, ve)
	}
	secBytes := make([][2]int, len(L.Sections))
	sectionSpans := spanWalker{m: n.Map}
	for i, sec := range L.Sections {
		bs, be := sectionSpans.span(sec.Start, sec.End)
		secBytes[i] = [2]int{bs, be}
		offs = append(offs, bs, be)
	}
	sc.offs = offs
	cp := codePointsASCII(doc.Text, n.asciiPrefixOf(doc.Text), offs, sc.blocks)
	if cp.index.blocks != nil && cap(cp.index.blocks) <= maxPooledBlocks {
		sc.blocks = cp.index.blocks // a huge report's table is not kept
	}
	doc.Sections = make([]SectionSpan, 0, len(L.Sections))
	for i, sec := range L.Sections {
		doc.Sections = append(doc.Sections, SectionSpan{Case: sec.Case, Name: sec.Name, Heading: sec.Heading,
			Start: cp.at(secBytes[i][0]), End: cp.at(secBytes[i][1])})
	}
	for i := range out {
		f := &out[i]
		f.Start, f.End = cp.at(f.ByteStart), cp.at(f.ByteEnd)
		f.ValueStart, f.ValueEnd = cp.at(f.ValueByteStart), cp.at(f.ValueByteEnd)
		if k := f.ContextCue; k != nil {
			if k.nstart >= 0 {
				k.Start, k.End = cp.at(k.nstart), cp.at(k.nend)
			} else {
				k.Start, k.End = -1, -1
			}
		}
	}
	return out
}

// spanWalker is OffsetMap.Span for spans that come nearly in text order,
// as a document's findings and their sentences do: it remembers the run
// the last span fell in and walks from there, instead of two binary
// searches through three calls for every span. A span inside one copied
// run (nearly all of them) maps there; any other goes to Span.
// TestSpanWalker holds it to Span.
type spanWalker struct {
	m    *OffsetMap
	last int // index of the run the last span was looked for in
	// the copied run the last span fell in (the whole text when nothing
	// was normalized): normalized [lo, hi) maps to orig on
	lo, hi, orig int
}

// span is Span(start, end); a span in the same copied run as the last
// one (nine in ten in build) maps here at once.
func (w *spanWalker) span(start, end int) (int, int) {
	if d := start - w.lo; d >= 0 && start < end && end <= w.hi {
		return w.orig + d, w.orig + d + (end - start)
	}
	return w.walk(start, end)
}

// walk is span for a span out of the last one's run: it looks for the
// run from the last one's.
func (w *spanWalker) walk(start, end int) (int, int) {
	m := w.m
	if m.inner != nil || start > end {
		return m.Span(start, end)
	}
	runs := m.runs
	if len(runs) == 0 {
		w.lo, w.hi, w.orig = 0, math.MaxInt, 0
		return start, end // nothing normalized: the map is the identity
	}
	i := min(w.last, len(runs)-1)
	// the run holding start: runs are contiguous in the normalized text
	for steps := 0; ; steps++ {
		if steps == 8 {
			i = firstRunEndingAfter(runs, start)
			break
		}
		if runs[i].norm > start && i > 0 {
			i--
		} else if runs[i].norm+runs[i].normLen <= start && i+1 < len(runs) {
			i++
		} else {
			break
		}
	}
	w.last = i
	if r := &runs[i]; r.copied && r.norm <= start && start < r.norm+r.normLen &&
		r.norm < end && end <= r.norm+r.normLen {
		w.lo, w.hi, w.orig = r.norm, r.norm+r.normLen, r.orig
		return r.orig + (start - r.norm), r.orig + (end - r.norm)
	}
	return m.Span(start, end)
}

// firstRunEndingAfter is the index of the first run that ends after n,
// len(runs)-1 if none does.
func firstRunEndingAfter(runs []offsetRun, n int) int {
	return min(runsEndingBy(runs, n), len(runs)-1)
}

// buildScratch is what build reuses from one document to the next.
type buildScratch struct {
	offs   []int
	order  []int32
	blocks []uint32 // the rune index's table
}

var buildScratchPool = sync.Pool{New: func() any { return new(buildScratch) }}

// maxPooledBlocks bounds the rune index table kept for the next report:
// 4 MB, that of a 8 MB report.
const maxPooledBlocks = 1 << 20

// sortCandidates returns the indices of cands in finding order: by
// evidence start, value start, concept, rule, then input order (what
// sort.SliceStable gave, without moving the large candidates around).
func sortCandidates(sc *buildScratch, cands []candidate) []int32 {
	return sortKept(sc, cands, nil)
}

// sortKept is sortCandidates of the candidates kept lists (nil: all),
// their order in it standing for the input order; it returns indices
// into cands.
func sortKept(sc *buildScratch, cands []candidate, kept []int32) []int32 {
	order := sc.order[:0]
	if kept == nil {
		for i := range cands {
			order = append(order, int32(i))
		}
	} else {
		order = append(order, kept...)
	}
	sc.order = order
	// A report's candidates come in a few runs already in order (rules,
	// values, entities), so an insertion sort moves few of them; a long
	// list it would move too much is left to the general sort, whose
	// comparisons through a function value were half its cost.
	maxMoves := math.MaxInt
	if len(order) > 64 {
		maxMoves = 8 * len(order)
	}
	if !insertionSortKept(cands, kept, order, maxMoves) {
		slices.SortFunc(order, func(i, j int32) int { return compareKept(cands, kept, i, j) })
	}
	return order
}

// insertionSortKept sorts order as compareKept does, by insertion, and
// reports whether it did so within maxMoves moves (order is left part
// sorted if not). The starts, nearly always different, are compared in
// the loop: a call for each comparison was most of the sort's cost.
func insertionSortKept(cands []candidate, kept, order []int32, maxMoves int) bool {
	moves := 0
	for k := 1; k < len(order); k++ {
		ci := order[k]
		a := &cands[ci]
		j := k
		for j > 0 {
			b := &cands[order[j-1]]
			if a.start > b.start || a.start == b.start && a.vstart > b.vstart {
				break
			}
			if (a.start == b.start && a.vstart == b.vstart) && compareKept(cands, kept, ci, order[j-1]) >= 0 {
				break
			}
			order[j] = order[j-1]
			j--
		}
		order[j] = ci
		if moves += k - j; moves > maxMoves {
			return false
		}
	}
	return true
}

// compareKept is compareCandidates, then the candidates' places in the
// input order: their indices in cands, or in kept when it is not nil
// (looked up only for a tie on all else, all but never met).
func compareKept(cands []candidate, kept []int32, i, j int32) int {
	if c := compareCandidates(cands, i, j); c != 0 {
		return c
	}
	if kept != nil {
		i, j = int32(slices.Index(kept, i)), int32(slices.Index(kept, j))
	}
	return cmp.Compare(i, j)
}

// compareCandidates orders candidates i and j: by evidence start, value
// start, concept, rule; 0 if all are equal.
func compareCandidates(cands []candidate, i, j int32) int {
	a, b := &cands[i], &cands[j]
	if a.start != b.start {
		return cmp.Compare(a.start, b.start)
	}
	if a.vstart != b.vstart {
		return cmp.Compare(a.vstart, b.vstart)
	}
	if c := strings.Compare(a.concept, b.concept); c != 0 {
		return c
	}
	return strings.Compare(a.rule, b.rule)
}

// codePointer converts byte offsets of a document to code points.
type codePointer struct {
	index runeIndex
	// slow holds every offset when index cannot count them exactly.
	slow map[int]int
}

func (c *codePointer) at(o int) int {
	if c.slow != nil {
		return c.slow[o]
	}
	return c.index.at(o)
}

// codePointsOf prepares the conversion of offs: by table when the text is
// valid UTF-8 and every offset is a character boundary (which makes the
// table's count the same as codePoints' sums), else by codePoints.
func codePointsOf(text string, offs []int) codePointer { return codePointsWith(text, offs, nil) }

// codePointsWith is codePointsOf with the table in blocks[:0], a reused
// buffer: the result is valid until blocks is reused.
func codePointsWith(text string, offs []int, blocks []uint32) codePointer {
	return codePointsASCII(text, asciiPrefix(text), offs, blocks)
}

// codePointsASCII is codePointsWith with text's ASCII prefix known.
func codePointsASCII(text string, ascii int, offs []int, blocks []uint32) codePointer {
	x := makeRuneIndexASCII(text, ascii, blocks)
	for _, o := range offs {
		if !x.ok(o) {
			return codePointer{slow: codePoints(text, offs)}
		}
	}
	return codePointer{index: x}
}

// caseSectionAt returns the case and section of normalized offset p: the
// last of each that starts at or before it (both are in text order).
func (L *Layout) caseSectionAt(p int) (int, string) {
	c, s := 1, ""
	if i := sort.Search(len(L.Cases), func(i int) bool { return L.Cases[i].Start > p }); i > 0 {
		c = L.Cases[i-1].Index
	}
	if i := sort.Search(len(L.Sections), func(i int) bool { return L.Sections[i].Start > p }); i > 0 {
		s = L.Sections[i-1].Name
	}
	return c, s
}

// codePoints converts byte offsets to code-point offsets in one sweep.
func codePoints(text string, offs []int) map[int]int {
	sorted := append([]int(nil), offs...)
	sort.Ints(sorted)
	out := make(map[int]int, len(sorted))
	pos, count := 0, 0
	for _, o := range sorted {
		if _, ok := out[o]; ok {
			continue
		}
		count += utf8.RuneCountInString(text[pos:o])
		pos = o
		out[o] = count
	}
	return out
}

// collapseSpace is strings.Join(strings.Fields(s), " ") in one pass and
// one allocation, or none when s is already folded.
func collapseSpace(s string) string {
	if spaceFolded(s) || spaceFoldedRunes(s) {
		return s // most evidence and labels: nothing to fold, nothing to copy
	}
	var b strings.Builder
	b.Grow(len(s))
	word := -1 // start of the current field, or -1 between fields
	for i := 0; i < len(s); {
		space, size := false, 1
		if c := s[i]; c < utf8.RuneSelf {
			space = asciiSpace[c]
		} else {
			space, size = spaceRuneAt(s, i)
		}
		switch {
		case space && word >= 0:
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(s[word:i])
			word = -1
		case !space && word < 0:
			word = i
		}
		i += size
	}
	if word >= 0 {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(s[word:])
	}
	return b.String()
}

// spaceFoldedRunes is spaceFolded for any text: no space rune but single
// plain spaces, none at either end. A sentence with a non-ASCII letter or
// sign in it (about one in twenty) is most often folded already, and was
// copied all the same.
func spaceFoldedRunes(s string) bool {
	prevSpace := true // a space at the start is not folded
	for i := 0; i < len(s); {
		c, size := s[i], 1
		space := false
		if c < utf8.RuneSelf {
			space = asciiSpace[c]
			if space && c != ' ' {
				return false
			}
		} else if space, size = spaceRuneAt(s, i); space {
			return false
		}
		if space && prevSpace {
			return false
		}
		prevSpace = space
		i += size
	}
	return !prevSpace || s == ""
}

// spaceFolded reports whether strings.Join(strings.Fields(s), " ") would
// give s back: ASCII (no other space runes to find), single plain spaces,
// none at either end. Every finding's sentence passes here, so it tests
// eight bytes a step.
func spaceFolded(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	const (
		ones   = 0x0101010101010101
		highs  = 0x8080808080808080
		sevens = 0x7f7f7f7f7f7f7f7f
	)
	i := 0
	var prev uint64 // the spaces of the word before
	for ; i+8 <= len(s); i += 8 {
		w := load64(s, i)
		// one test for both: a byte below 0x20 borrows into its high bit,
		// and no borrow starts without one
		if ((w-0x20*ones)|w)&highs != 0 {
			if w&highs != 0 {
				return false // not ASCII
			}
			break // a control byte: the loop below tells a space from the rest
		}
		x := w ^ 0x20*ones                    // a space is a zero byte here
		spaces := ^((x + sevens) | x) & highs // exact: no byte of x has its high bit
		// a space after a space: in this word, or its first byte after the
		// last word's last
		if spaces&(spaces<<8|prev>>56) != 0 {
			return false
		}
		prev = spaces
	}
	for ; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 0x80 || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r':
			return false
		case c == ' ' && (i > 0 && s[i-1] == ' '):
			return false
		}
	}
	return true
}

// resolve settles overlaps: a rule's finding wins over a value found by
// unit at the same place; two rules giving one concept for the same value
// keep the higher priority, then the longer evidence.
//
// Candidates are large: it sorts and sifts their indexes and copies each
// kept one once, into the result.
func resolve(cands []candidate) []candidate {
	out, _ := resolveInto(nil, cands, nil)
	return out
}

// resolveScratch is resolveIndex with its index lists in sc: the kept
// candidates' indices, valid until sc is reused.
func resolveScratch(sc *candScratch, cands []candidate) []int32 {
	kept, buf := resolveIndex(cands, sc.resolveBuf)
	sc.resolveBuf = buf
	return kept
}

// resolveInto is resolve with the kept candidates copied to dst[:0] and its
// index lists carved from buf (returned, grown, for reuse).
func resolveInto(dst, cands []candidate, buf []int32) ([]candidate, []int32) {
	kept, buf := resolveIndex(cands, buf)
	out := slices.Grow(dst[:0], len(kept))
	for _, ci := range kept {
		out = append(out, cands[ci])
	}
	return out, buf
}

// resolveIndex returns the indices of the candidates resolve keeps, in
// its order, carved from buf (returned, grown, for reuse).
func resolveIndex(cands []candidate, buf []int32) ([]int32, []int32) {
	// A rule with negative priority is a fallback: it gives way to a value
	// the lexicon attached (the named-score rule must not take "Ki-67 index
	// was 40%" from the Ki-67 entry).
	var nRules, nRest, nWeak, nEntities int
	for i := range cands {
		switch c := &cands[i]; {
		case c.entity:
			nEntities++
		case c.fromRule && c.priority < 0:
			nWeak++
		case c.fromRule:
			nRules++
		default:
			nRest++
		}
	}
	// one buffer: rules (with room for the fallbacks), rest, fallbacks,
	// entities, then what is kept
	buf = slices.Grow(buf[:0], 2*len(cands)+nWeak)[:2*len(cands)+nWeak]
	whole := buf
	carve := func(n int) []int32 {
		part := buf[0:0:n]
		buf = buf[n:]
		return part
	}
	rules, rest, weak, entities := carve(nRules+nWeak), carve(nRest), carve(nWeak), carve(nEntities)
	for i := range cands {
		switch c := &cands[i]; {
		case c.entity:
			entities = append(entities, int32(i))
		case c.fromRule && c.priority < 0:
			weak = append(weak, int32(i))
		case c.fromRule:
			rules = append(rules, int32(i))
		default:
			rest = append(rest, int32(i))
		}
	}
	for _, wi := range weak {
		w := &cands[wi]
		// checked against the rules so far, fallbacks kept before it among them
		if !overlapsAny(cands, rules, w.vstart, w.vend) && !overlapsAny(cands, rest, w.vstart, w.vend) {
			rules = append(rules, wi)
		}
	}
	slices.SortStableFunc(rules, func(i, j int32) int {
		a, b := &cands[i], &cands[j]
		if a.priority != b.priority {
			return b.priority - a.priority
		}
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return lb - la
		}
		return a.order - b.order
	})
	kept := carve(len(rules) + len(rest) + len(entities))
	for _, ci := range rules {
		c := &cands[ci]
		dup := false
		for _, ki := range kept {
			if k := &cands[ki]; k.concept == c.concept && overlaps(k.vstart, k.vend, c.vstart, c.vend) {
				dup = true
				break
			}
		}
		if !dup {
			kept = append(kept, ci)
		}
	}
	ruleKept := len(kept)
	for _, ci := range rest {
		if c := &cands[ci]; !overlapsAny(cands, kept[:ruleKept], c.vstart, c.vend) {
			kept = append(kept, ci)
		}
	}
	// the entities follow the kept: there is room, as kept was carved
	// with room for all the rules and values
	return append(kept, entities...), whole
}

// overlapsAny reports whether the value span [vs, ve) overlaps the value
// span of any of the candidates idx.
func overlapsAny(cands []candidate, idx []int32, vs, ve int) bool {
	for _, i := range idx {
		if overlaps(cands[i].vstart, cands[i].vend, vs, ve) {
			return true
		}
	}
	return false
}

func overlaps(a0, a1, b0, b1 int) bool { return a0 < b1 && b0 < a1 }
