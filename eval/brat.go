package eval

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode"
)

// Span is a half-open range [Start, End) of Unicode code points.
type Span struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Overlaps reports whether s and o share at least one code point.
func (s Span) Overlaps(o Span) bool {
	return max(s.Start, o.Start) < min(s.End, o.End)
}

// Entity is a BRAT text-bound annotation (a T line).
type Entity struct {
	ID    string
	Type  string
	Spans []Span // fragments in file order; one for a continuous span
	Text  string // text as written in the .ann file (fragments joined by a space)
	// Attrs holds the entity's attributes (A/M lines, including those written
	// on an event whose trigger this entity is): name → value, "true" for a
	// binary attribute.
	Attrs map[string]string
	Line  int // line number in the .ann file
}

// Hull is the span from the entity's first to its last code point.
func (e *Entity) Hull() Span {
	if len(e.Spans) == 0 {
		return Span{}
	}
	h := e.Spans[0]
	for _, s := range e.Spans[1:] {
		h.Start = min(h.Start, s.Start)
		h.End = max(h.End, s.End)
	}
	return h
}

// Overlaps reports whether any fragment of e overlaps s.
func (e *Entity) Overlaps(s Span) bool {
	for _, f := range e.Spans {
		if f.Overlaps(s) {
			return true
		}
	}
	return false
}

// HasDigit reports whether the entity's text contains a decimal digit.
func (e *Entity) HasDigit() bool { return hasDigit(e.Text) }

// Attr returns the value of the attribute name (compared case-insensitively,
// MACCROBAT writes POLARITY where E3C writes polarity).
func (e *Entity) Attr(name string) (string, bool) {
	if v, ok := e.Attrs[name]; ok {
		return v, true
	}
	keys := make([]string, 0, len(e.Attrs))
	for k := range e.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if strings.EqualFold(k, name) {
			return e.Attrs[k], true
		}
	}
	return "", false
}

// Arg is one role:id argument of an event or relation.
type Arg struct {
	Role string
	ID   string // as written (T or E id)
}

// Event is a BRAT event (an E line). Its id stands for its trigger entity.
type Event struct {
	ID      string
	Type    string
	Trigger string // entity id
	Args    []Arg
	Line    int
}

// Relation is a BRAT binary relation (an R line). Arg1/Arg2 are the resolved
// entity ids (an event argument is replaced by its trigger); they are empty
// when the argument could not be resolved, and Arg1Raw/Arg2Raw keep the ids as
// written.
type Relation struct {
	ID               string
	Type             string
	Arg1, Arg2       string
	Arg1Raw, Arg2Raw string
	Line             int
}

// Resolved reports whether both arguments resolved to entities.
func (r Relation) Resolved() bool { return r.Arg1 != "" && r.Arg2 != "" }

// GoldDoc is one annotated document.
type GoldDoc struct {
	ID        string
	Text      string
	Entities  map[string]*Entity
	Events    map[string]*Event
	Relations []Relation
	Equivs    [][]string // "*" lines: type followed by ids
	Warnings  []string   // also returned by LoadDir
	// Counts of oddities seen while reading (for reporting).
	Discontinuous int // entities with more than one fragment
	Unresolved    int // relation arguments that named no entity or event

	runes []rune
}

// Runes returns the document text as code points (computed once).
func (d *GoldDoc) Runes() []rune {
	if d.runes == nil {
		d.runes = []rune(d.Text)
	}
	return d.runes
}

// SpanText returns the text of the code-point span s, clamped to the document.
func (d *GoldDoc) SpanText(s Span) string {
	r := d.Runes()
	a, b := clamp(s.Start, len(r)), clamp(s.End, len(r))
	if a >= b {
		return ""
	}
	return string(r[a:b])
}

// EntityText returns the document text under e, fragments joined by a space
// (the BRAT convention for the .ann text field).
func (d *GoldDoc) EntityText(e *Entity) string {
	parts := make([]string, len(e.Spans))
	for i, s := range e.Spans {
		parts[i] = d.SpanText(s)
	}
	return strings.Join(parts, " ")
}

// Resolve maps an entity or event id to an entity id (an event to its
// trigger); it returns "" when id names neither.
func (d *GoldDoc) Resolve(id string) string {
	for range 8 { // an event's trigger is an entity; the bound guards odd files
		if _, ok := d.Entities[id]; ok {
			return id
		}
		ev, ok := d.Events[id]
		if !ok {
			return ""
		}
		id = ev.Trigger
	}
	return ""
}

// SortedEntities returns the entities ordered by start, end, then id.
func (d *GoldDoc) SortedEntities() []*Entity {
	out := make([]*Entity, 0, len(d.Entities))
	for _, e := range d.Entities {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Hull(), out[j].Hull()
		if a.Start != b.Start {
			return a.Start < b.Start
		}
		if a.End != b.End {
			return a.End < b.End
		}
		return idLess(out[i].ID, out[j].ID)
	})
	return out
}

// idLess orders ids like T2 < T10 (prefix, then number), falling back to strings.
func idLess(a, b string) bool {
	pa, na := splitID(a)
	pb, nb := splitID(b)
	if pa != pb {
		return pa < pb
	}
	if na != nb {
		return na < nb
	}
	return a < b
}

func splitID(s string) (string, int) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	n, _ := strconv.Atoi(s[i:])
	return s[:i], n
}

// LoadDir reads every NAME.txt in dir that has a NAME.ann beside it and
// returns the documents sorted by ID (the file stem), with all warnings
// (prefixed "NAME.ann:LINE: "). A .txt without .ann is skipped silently; an
// unreadable file is an error.
func LoadDir(dir string) ([]GoldDoc, []string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".txt") {
			continue
		}
		id := strings.TrimSuffix(name, ".txt")
		if st, err := os.Stat(filepath.Join(dir, id+".ann")); err == nil && !st.IsDir() {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	docs := make([]GoldDoc, 0, len(ids))
	var warns []string
	for _, id := range ids {
		txt, err := os.ReadFile(filepath.Join(dir, id+".txt"))
		if err != nil {
			return nil, warns, err
		}
		ann, err := os.ReadFile(filepath.Join(dir, id+".ann"))
		if err != nil {
			return nil, warns, err
		}
		d := Parse(id, string(txt), string(ann))
		warns = append(warns, d.Warnings...)
		docs = append(docs, d)
	}
	return docs, warns, nil
}

// Parse reads one BRAT .ann (ann) against its document text. It never fails:
// problems become warnings in doc.Warnings, prefixed "ID.ann:LINE: ".
//
//   - An entity whose offsets are not integers, are reversed or fall outside
//     the text is skipped. An entity whose .ann text differs from the document
//     text at its offsets is kept (offsets are authoritative) with a warning.
//   - A duplicate id keeps the first definition.
//   - An event whose trigger is not an entity is skipped.
//   - A relation whose argument names no entity or event is kept with that
//     argument empty (Arg1/Arg2 ""), counted in Unresolved; scoring skips it.
//   - An attribute on an unknown id is skipped.
//   - Unknown line kinds are skipped.
func Parse(id, text, ann string) GoldDoc {
	d := GoldDoc{
		ID:       id,
		Text:     text,
		Entities: map[string]*Entity{},
		Events:   map[string]*Event{},
	}
	runes := d.Runes()
	warn := func(line int, format string, args ...any) {
		d.Warnings = append(d.Warnings, fmt.Sprintf("%s.ann:%d: %s", id, line, fmt.Sprintf(format, args...)))
	}
	type attrLine struct {
		line              int
		name, target, val string
	}
	var attrs []attrLine
	type relLine struct {
		line    int
		id, typ string
		a1, a2  string
	}
	var rels []relLine

	lines := strings.Split(ann, "\n")
	for i, raw := range lines {
		ln := i + 1
		line := strings.TrimRight(raw, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		fields := strings.Split(line, "\t")
		lid := fields[0]
		if lid == "" {
			warn(ln, "line starts with a tab: %q", short(line))
			continue
		}
		switch lid[0] {
		case '#', 'N':
			continue // annotator notes and normalizations: ignored
		case '*':
			if len(fields) < 2 {
				warn(ln, "equivalence without body")
				continue
			}
			if f := strings.Fields(fields[1]); len(f) >= 3 {
				d.Equivs = append(d.Equivs, f)
			} else {
				warn(ln, "equivalence needs a type and two ids: %q", short(line))
			}
			continue
		}
		if len(fields) < 2 {
			warn(ln, "no tab-separated body: %q", short(line))
			continue
		}
		body := fields[1]
		switch lid[0] {
		case 'T':
			e, err := parseEntity(lid, body, fields[2:], runes)
			if err != nil {
				warn(ln, "%s: %v", lid, err)
				continue
			}
			e.Line = ln
			if _, dup := d.Entities[lid]; dup {
				warn(ln, "%s: duplicate id, first kept", lid)
				continue
			}
			if got := d.EntityText(e); got != e.Text {
				warn(ln, "%s: .ann text %q differs from document text %q (offsets kept)", lid, short(e.Text), short(got))
			}
			if len(e.Spans) > 1 {
				d.Discontinuous++
			}
			d.Entities[lid] = e
		case 'E':
			f := strings.Fields(body)
			if len(f) == 0 {
				warn(ln, "%s: empty event", lid)
				continue
			}
			typ, trig, ok := strings.Cut(f[0], ":")
			if !ok || typ == "" || trig == "" {
				warn(ln, "%s: bad event trigger %q", lid, f[0])
				continue
			}
			ev := &Event{ID: lid, Type: typ, Trigger: trig, Line: ln}
			bad := false
			for _, a := range f[1:] {
				role, aid, ok := strings.Cut(a, ":")
				if !ok || aid == "" {
					warn(ln, "%s: bad event argument %q", lid, a)
					bad = true
					break
				}
				ev.Args = append(ev.Args, Arg{Role: role, ID: aid})
			}
			if bad {
				continue
			}
			if _, dup := d.Events[lid]; dup {
				warn(ln, "%s: duplicate id, first kept", lid)
				continue
			}
			d.Events[lid] = ev
		case 'R':
			f := strings.Fields(body)
			if len(f) < 3 {
				warn(ln, "%s: relation needs a type and two arguments: %q", lid, short(line))
				continue
			}
			var args []Arg
			bad := false
			for _, a := range f[1:] {
				role, aid, ok := strings.Cut(a, ":")
				if !ok || aid == "" {
					warn(ln, "%s: bad relation argument %q", lid, a)
					bad = true
					break
				}
				args = append(args, Arg{Role: role, ID: aid})
			}
			if bad {
				continue
			}
			r := relLine{line: ln, id: lid, typ: f[0]}
			for _, a := range args {
				switch a.Role {
				case "Arg1":
					r.a1 = a.ID
				case "Arg2":
					r.a2 = a.ID
				}
			}
			if r.a1 == "" && r.a2 == "" && len(args) == 2 { // other role names: take them in order
				r.a1, r.a2 = args[0].ID, args[1].ID
			}
			if r.a1 == "" || r.a2 == "" {
				warn(ln, "%s: relation lacks Arg1 or Arg2: %q", lid, short(line))
				continue
			}
			rels = append(rels, r)
		case 'A', 'M':
			f := strings.Fields(body)
			if len(f) < 2 || len(f) > 3 {
				warn(ln, "%s: attribute needs name, target[, value]: %q", lid, short(line))
				continue
			}
			a := attrLine{line: ln, name: f[0], target: f[1], val: "true"}
			if len(f) == 3 {
				a.val = f[2]
			}
			attrs = append(attrs, a)
		default:
			warn(ln, "unknown line kind %q", short(line))
		}
	}

	// Second pass: references may point forward, so resolve them now.
	evIDs := make([]string, 0, len(d.Events))
	for k := range d.Events {
		evIDs = append(evIDs, k)
	}
	sort.Slice(evIDs, func(i, j int) bool { return idLess(evIDs[i], evIDs[j]) })
	for _, k := range evIDs {
		ev := d.Events[k]
		if _, ok := d.Entities[ev.Trigger]; !ok {
			warn(ev.Line, "%s: trigger %s is not an entity; event skipped", ev.ID, ev.Trigger)
			delete(d.Events, k)
		}
	}
	for _, k := range evIDs {
		ev, ok := d.Events[k]
		if !ok {
			continue
		}
		for _, a := range ev.Args {
			if d.Resolve(a.ID) == "" {
				warn(ev.Line, "%s: argument %s:%s names no entity or event", ev.ID, a.Role, a.ID)
			}
		}
	}
	for _, r := range rels {
		rel := Relation{ID: r.id, Type: r.typ, Arg1Raw: r.a1, Arg2Raw: r.a2, Line: r.line,
			Arg1: d.Resolve(r.a1), Arg2: d.Resolve(r.a2)}
		for _, p := range [][2]string{{rel.Arg1, r.a1}, {rel.Arg2, r.a2}} {
			if p[0] == "" {
				d.Unresolved++
				warn(r.line, "%s: argument %s names no entity or event", r.id, p[1])
			}
		}
		d.Relations = append(d.Relations, rel)
	}
	for _, a := range attrs {
		eid := d.Resolve(a.target)
		if eid == "" {
			warn(a.line, "attribute %s on unknown id %s skipped", a.name, a.target)
			continue
		}
		e := d.Entities[eid]
		if e.Attrs == nil {
			e.Attrs = map[string]string{}
		}
		e.Attrs[a.name] = a.val
	}
	return d
}

func parseEntity(id, body string, rest []string, runes []rune) (*Entity, error) {
	typ, offs, ok := strings.Cut(body, " ")
	if !ok || typ == "" {
		return nil, errors.New("no offsets after the type")
	}
	e := &Entity{ID: id, Type: typ, Text: strings.Join(rest, "\t")}
	for _, frag := range strings.Split(offs, ";") {
		f := strings.Fields(frag)
		if len(f) != 2 {
			return nil, fmt.Errorf("bad fragment %q", frag)
		}
		s, err1 := strconv.Atoi(f[0])
		t, err2 := strconv.Atoi(f[1])
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad offsets %q", frag)
		}
		if s < 0 || t < s || t > len(runes) {
			return nil, fmt.Errorf("offsets %d %d outside the text (%d code points)", s, t, len(runes))
		}
		e.Spans = append(e.Spans, Span{s, t})
	}
	return e, nil
}

func short(s string) string {
	r := []rune(s)
	if len(r) > 80 {
		return string(r[:80]) + "…"
	}
	return s
}

func clamp(i, n int) int {
	if i < 0 {
		return 0
	}
	if i > n {
		return n
	}
	return i
}

func hasDigit(s string) bool {
	for _, r := range s {
		if unicode.IsDigit(r) {
			return true
		}
	}
	return false
}
