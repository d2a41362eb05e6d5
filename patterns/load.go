package patterns

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Embedded holds the built-in pattern files.
//
//go:embed *.yaml rules/*.yaml
var Embedded embed.FS

// Set is every rule, analyte and unit in effect, validated and compiled.
type Set struct {
	Rules    []*Rule
	Analytes []*Analyte
	Entities []*Entity
	Cues     []*Cue
	Units    []*Unit
	// Files lists the files loaded, in load order, for the run record.
	Files []string
	// Digest is a SHA-256 over every loaded file's name and content, so a
	// result can name the exact pattern set that produced it.
	Digest string
}

// Layer is one source of pattern files: the embedded defaults or a user folder.
type Layer struct {
	Name string // shown in messages: "embedded" or the folder path
	FS   fs.FS
}

// DefaultLayer is the embedded pattern set.
func DefaultLayer() Layer { return Layer{Name: "embedded", FS: Embedded} }

// DirLayer is a user's pattern folder.
func DirLayer(dir string) Layer { return Layer{Name: dir, FS: os.DirFS(dir)} }

// file is the shape of one pattern file.
type file struct {
	Rules    []Rule    `yaml:"rules"`
	Analytes []Analyte `yaml:"analytes"`
	Entities []Entity  `yaml:"entities"`
	Cues     []Cue     `yaml:"cues"`
	Units    []Unit    `yaml:"units"`
	Disable  []string  `yaml:"disable"`
}

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9_]+(\.[a-z0-9_]+)+$`)
	conceptPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	validCats      = map[string]bool{"demographic": true, "vital": true, "lab": true, "score": true,
		"measurement": true, "device": true, "medication": true, "procedure": true, "outcome": true, "condition": true}
	valueTypes = map[string]bool{"": true, "number": true, "roman": true, "string": true, "map": true}
)

// Load reads the layers in order: a later layer's rule or entry with the
// same id replaces the earlier one, and a `disable:` list removes ids. All
// problems are collected and returned as Problems; the set then holds only
// the rules and entries that passed, so that their examples can still be
// run and every problem reported in one go. It must not be used for
// extraction when the error is not nil.
func Load(layers ...Layer) (*Set, error) {
	var probs Problems
	set := &Set{}
	rules, analytes := newRegistry[Rule](), newRegistry[Analyte]()
	entities, cues, units := newRegistry[Entity](), newRegistry[Cue](), newRegistry[Unit]()
	digest := sha256.New()
	var disabled []struct {
		id  string
		src Source
	}

	for _, layer := range layers {
		names, err := yamlFiles(layer.FS)
		if err != nil {
			probs = append(probs, Problem{File: layer.Name, Message: err.Error()})
			continue
		}
		for _, d := range decodeFiles(layer, names, true) {
			display, data, f, ps := d.display, d.data, d.f, d.probs
			if d.err != nil {
				probs = append(probs, Problem{File: display, Message: d.err.Error()})
				continue
			}
			set.Files = append(set.Files, display)
			fmt.Fprintf(digest, "%s\x00%d\x00", display, len(data))
			digest.Write(data)
			probs = append(probs, ps...)
			// An id defined twice in one file is a mistake; across layers
			// it is an override.
			seen := map[string]int{}
			dup := func(id string, src Source) bool {
				if id == "" {
					return false
				}
				if prev, ok := seen[id]; ok {
					line, col := src.At("id")
					probs = append(probs, Problem{File: display, Line: line, Col: col, ID: id,
						Message: fmt.Sprintf("duplicate id (first defined at line %d)", prev)})
					return true
				}
				seen[id] = src.Line
				return false
			}
			for i := range f.Rules {
				if r := &f.Rules[i]; !dup(r.ID, r.Source) {
					rules.put(r.ID, r)
				}
			}
			for i := range f.Analytes {
				a := &f.Analytes[i]
				a.ID = defaultID(a.ID, a.Category, a.Concept)
				if !dup(a.ID, a.Source) {
					analytes.put(a.ID, a)
				}
			}
			for i := range f.Entities {
				en := &f.Entities[i]
				en.ID = defaultID(en.ID, en.Category, en.Concept)
				if !dup(en.ID, en.Source) {
					entities.put(en.ID, en)
				}
			}
			for i := range f.Cues {
				if c := &f.Cues[i]; !dup(c.ID, c.Source) {
					cues.put(c.ID, c)
				}
			}
			for i := range f.Units {
				// Rows may share a UCUM code when they imply different
				// concepts: bpm and breaths/min are both /min.
				u := &f.Units[i]
				units.put(u.Code+"|"+u.Implies, u)
			}
			for _, id := range f.Disable {
				disabled = append(disabled, struct {
					id  string
					src Source
				}{id, Source{File: display}})
			}
		}
	}
	for _, d := range disabled {
		r, a, en, cu := rules.remove(d.id), analytes.remove(d.id), entities.remove(d.id), cues.remove(d.id)
		if !r && !a && !en && !cu {
			probs = append(probs, Problem{File: d.src.File, ID: d.id, Message: "disable names an id that no pattern file defines"})
		}
	}
	set.Digest = hex.EncodeToString(digest.Sum(nil))
	set.Units = units.items()
	unitCodes := map[string]bool{}
	for _, u := range set.Units {
		unitCodes[u.Code] = true
		probs = append(probs, validateUnit(u)...)
	}
	probs = append(probs, unitSynonymClashes(set.Units)...)
	set.Rules = keepValid(rules.items(), &probs, func(r *Rule) Problems { return compileRule(r, unitCodes) })
	set.Analytes = keepValid(analytes.items(), &probs, func(a *Analyte) Problems { return validateAnalyte(a, unitCodes) })
	set.Entities = keepValid(entities.items(), &probs, validateEntity)
	set.Cues = keepValid(cues.items(), &probs, validateCue)
	probs = append(probs, synonymClashes(set.Analytes, set.Entities)...)
	if len(probs) > 0 {
		sortProblems(probs)
		return set, probs
	}
	return set, nil
}

// registry keeps the items of one kind by id, in the order first defined;
// a later layer's item replaces an earlier one with the same id.
type registry[T any] struct {
	byID  map[string]*T
	order []string
}

func newRegistry[T any]() *registry[T] { return &registry[T]{byID: map[string]*T{}} }

func (r *registry[T]) put(id string, item *T) {
	if _, ok := r.byID[id]; !ok {
		r.order = append(r.order, id)
	}
	r.byID[id] = item
}

func (r *registry[T]) remove(id string) bool {
	_, ok := r.byID[id]
	delete(r.byID, id)
	return ok
}

func (r *registry[T]) items() []*T {
	var out []*T
	for _, id := range r.order {
		if it, ok := r.byID[id]; ok {
			out = append(out, it)
		}
	}
	return out
}

// keepValid validates every item, collects the problems, and returns the
// items that passed.
func keepValid[T any](items []*T, probs *Problems, validate func(*T) Problems) []*T {
	var out []*T
	for _, it := range items {
		ps := validate(it)
		*probs = append(*probs, ps...)
		if len(ps) == 0 {
			out = append(out, it)
		}
	}
	return out
}

// defaultID is category.concept for a lexicon entry that names no id.
func defaultID(id, category, concept string) string {
	if id == "" && concept != "" && category != "" {
		return category + "." + concept
	}
	return id
}

func sortProblems(ps Problems) {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].File != ps[j].File {
			return ps[i].File < ps[j].File
		}
		return ps[i].Line < ps[j].Line
	})
}

func yamlFiles(fsys fs.FS) ([]string, error) {
	var names []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && (path.Ext(p) == ".yaml" || path.Ext(p) == ".yml") {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	return names, err
}

// decodedFile is one pattern file read and decoded.
type decodedFile struct {
	name    string // in the layer
	display string
	data    []byte
	err     error // reading it failed
	f       file
	probs   Problems
}

// decodeFiles reads and decodes a layer's files on all cores (YAML
// decoding is most of the start-up time) and returns them in names' order,
// so what Load builds from them does not depend on the scheduling.
func decodeFiles(layer Layer, names []string, useCache bool) []decodedFile {
	out := make([]decodedFile, len(names))
	// The largest first (the medication lexicon is half of the built-in
	// bytes), so the others fill the other cores while it decodes.
	order := make([]int, len(names))
	size := make([]int64, len(names))
	for i, name := range names {
		order[i] = i
		if st, err := fs.Stat(layer.FS, name); err == nil {
			size[i] = st.Size()
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return size[order[a]] > size[order[b]] })
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for _, i := range order {
		name, d := names[i], &out[i]
		d.name = name
		d.display = "patterns/" + name
		if layer.Name != "embedded" {
			d.display = filepath.Join(layer.Name, name)
		}
		slots <- struct{}{} // taken here, so files start in this order
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			if d.data, d.err = fs.ReadFile(layer.FS, name); d.err != nil {
				return
			}
			if embedded := layer.Name == "embedded"; embedded && useCache {
				if f, ok := cachedFile(name, d.data); ok {
					d.f = f
					return
				}
			}
			d.f, d.probs = decodeFile(d.display, d.data, layer.Name == "embedded")
		}()
	}
	wg.Wait()
	return out
}

// decodeFile decodes one file strictly: unknown keys are problems with their
// line and column, and every rule and entry remembers its line.
func decodeFile(name string, data []byte, embedded bool) (file, Problems) {
	var f file
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return f, Problems{{File: name, Line: yamlErrLine(err), Message: "not valid YAML: " + err.Error()}}
	}
	if len(root.Content) == 0 {
		return f, nil
	}
	doc := root.Content[0]
	var probs Problems
	// Unknown keys are reported, and the rest of the file is still decoded
	// and validated, so one run lists every problem.
	probs = append(probs, unknownKeys(name, doc, reflect.TypeOf(file{}), "")...)
	if err := doc.Decode(&f); err != nil {
		return file{}, append(probs, Problem{File: name, Line: yamlErrLine(err), Message: err.Error()})
	}
	// Attach source lines from the node tree.
	for _, sec := range mapPairs(doc) {
		if sec.val.Kind != yaml.SequenceNode {
			continue
		}
		// A bare "-" decodes to no entry at all (unknownKeys has named
		// it), so the decoded entries are counted apart from the nodes.
		i := -1
		for _, item := range sec.val.Content {
			if item.Kind == yaml.ScalarNode && item.ShortTag() == "!!null" {
				continue
			}
			i++
			if item.Kind != yaml.MappingNode {
				continue
			}
			src := Source{File: name, Line: item.Line, Col: item.Column, Embedded: embedded, Keys: map[string][2]int{}}
			for _, kv := range mapPairs(item) {
				src.Keys[kv.key.Value] = [2]int{kv.key.Line, kv.key.Column}
			}
			switch sec.key.Value {
			case "rules":
				if i < len(f.Rules) {
					f.Rules[i].Source = src
					setExampleLines(item, &f.Rules[i].Examples)
				}
			case "analytes":
				if i < len(f.Analytes) {
					f.Analytes[i].Source = src
					setExampleLines(item, &f.Analytes[i].Examples)
				}
			case "entities":
				if i < len(f.Entities) {
					f.Entities[i].Source = src
					setExampleLines(item, &f.Entities[i].Examples)
				}
			case "cues":
				if i < len(f.Cues) {
					f.Cues[i].Source = src
					setCueExampleLines(item, &f.Cues[i].Examples)
				}
			case "units":
				if i < len(f.Units) {
					f.Units[i].Source = src
				}
			}
		}
	}
	return f, probs
}

func setExampleLines(item *yaml.Node, ex *Examples) {
	for _, p := range mapPairs(item) {
		if p.key.Value != "examples" {
			continue
		}
		for _, q := range mapPairs(p.val) {
			switch q.key.Value {
			case "match":
				for i, e := range q.val.Content {
					if i < len(ex.Match) {
						ex.Match[i].Line, ex.Match[i].Col = e.Line, e.Column
					}
				}
			case "no_match":
				for _, e := range q.val.Content {
					ex.NoMatchLines = append(ex.NoMatchLines, e.Line)
				}
			}
		}
	}
}

func setCueExampleLines(item *yaml.Node, ex *CueExamples) {
	for _, p := range mapPairs(item) {
		if p.key.Value != "examples" {
			continue
		}
		for _, q := range mapPairs(p.val) {
			list := ex.Match
			if q.key.Value == "no_match" {
				list = ex.NoMatch
			}
			for i, e := range q.val.Content {
				if i < len(list) {
					list[i].Line = e.Line
				}
			}
		}
	}
}

type pair struct{ key, val *yaml.Node }

func mapPairs(n *yaml.Node) []pair {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var ps []pair
	for i := 0; i+1 < len(n.Content); i += 2 {
		ps = append(ps, pair{n.Content[i], n.Content[i+1]})
	}
	return ps
}

// unknownKeys walks the node against the Go type it decodes into and reports
// every mapping key that has no field, naming the rule id when it can.
// yamlFieldsCache holds yamlFields' answer per struct type: unknownKeys
// asks it for every entry of every file.
var yamlFieldsCache sync.Map // reflect.Type -> typeFields

type typeFields struct {
	byKey map[string]reflect.StructField
	known string // the keys, sorted, for the message
}

// yamlFields returns a struct type's fields by YAML key, and the keys.
func yamlFields(t reflect.Type) (map[string]reflect.StructField, string) {
	if c, ok := yamlFieldsCache.Load(t); ok {
		tf := c.(typeFields)
		return tf.byKey, tf.known
	}
	fields := map[string]reflect.StructField{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := strings.Split(f.Tag.Get("yaml"), ",")[0]
		if tag == "-" || !f.IsExported() {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		fields[tag] = f
	}
	var known []string
	for k := range fields {
		known = append(known, k)
	}
	sort.Strings(known)
	tf := typeFields{fields, strings.Join(known, ", ")}
	yamlFieldsCache.Store(t, tf)
	return tf.byKey, tf.known
}

func unknownKeys(file string, n *yaml.Node, t reflect.Type, id string) Problems {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var probs Problems
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return Problems{{File: file, Line: n.Line, Col: n.Column, ID: id, Message: fmt.Sprintf("expected a mapping, found %s", nodeKind(n))}}
		}
		fields, known := yamlFields(t)
		if id == "" {
			for _, p := range mapPairs(n) {
				if p.key.Value == "id" || (p.key.Value == "concept" && id == "") {
					id = p.val.Value
				}
			}
		}
		for _, p := range mapPairs(n) {
			f, ok := fields[p.key.Value]
			if !ok {
				probs = append(probs, Problem{File: file, Line: p.key.Line, Col: p.key.Column, ID: id,
					Message: fmt.Sprintf("unknown key %q (known keys: %s)", p.key.Value, known)})
				continue
			}
			probs = append(probs, unknownKeys(file, p.val, f.Type, id)...)
		}
	case reflect.Slice:
		if n.Kind == yaml.SequenceNode {
			for _, item := range n.Content {
				childID := id
				if t.Elem().Kind() == reflect.Struct && (t.Elem() == reflect.TypeOf(Rule{}) || t.Elem() == reflect.TypeOf(Analyte{}) || t.Elem() == reflect.TypeOf(Entity{}) || t.Elem() == reflect.TypeOf(Cue{}) || t.Elem() == reflect.TypeOf(Unit{})) {
					childID = ""
				}
				probs = append(probs, unknownKeys(file, item, t.Elem(), childID)...)
			}
		}
	}
	return probs
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return fmt.Sprintf("the value %q", n.Value)
	}
	return "something else"
}

var yamlLineRe = regexp.MustCompile(`line (\d+)`)

func yamlErrLine(err error) int {
	var te *yaml.TypeError
	msg := err.Error()
	if errors.As(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLineRe.FindStringSubmatch(msg); m != nil {
		var n int
		fmt.Sscanf(m[1], "%d", &n)
		return n
	}
	return 0
}

// reporter returns a function that records a problem at the line and
// column of one of the item's keys.
func reporter(src Source, id string, probs *Problems) func(key, format string, args ...any) {
	return func(key, format string, args ...any) {
		line, col := src.At(key)
		*probs = append(*probs, Problem{File: src.File, Line: line, Col: col, ID: id, Message: fmt.Sprintf(format, args...)})
	}
}

func compileRule(r *Rule, unitCodes map[string]bool) Problems {
	var probs Problems
	bad := reporter(r.Source, r.ID, &probs)
	if r.ID == "" {
		bad("", "rule has no id")
	} else if !idPattern.MatchString(r.ID) {
		bad("id", "id %q must be dotted lower-case words, like lab.crp", r.ID)
	}
	if !validCats[r.Category] {
		bad("category", "category %q is not one of demographic, vital, lab, score, measurement, device, medication, procedure, outcome, condition", r.Category)
	}
	if len(r.Outputs) == 0 && !conceptPattern.MatchString(r.Concept) && !(r.Concept == "" && strings.Contains(r.Pattern, "(?P<label>")) {
		bad("concept", "concept %q must be a snake_case id (or empty, with a (?P<label>...) group naming the concept)", r.Concept)
	}
	if !valueTypes[r.ValueType] {
		bad("value_type", "value_type %q must be number, roman, string or map", r.ValueType)
	}
	if r.ValueType == "map" && len(r.Values) == 0 {
		bad("value_type", "value_type map needs a values table")
	}
	if len(r.Keywords) == 0 {
		bad("keywords", "rule has no keywords: the prefilter would never run it")
	}
	for _, k := range r.Keywords {
		if strings.TrimSpace(k) == "" {
			bad("keywords", "empty keyword")
		} else if r.KeywordsAtWordStart && !isASCIIWordByte(k[0]) {
			bad("keywords", "keyword %q does not start with an ASCII letter or digit, so keywords_at_word_start would never find it at a word start", k)
		}
	}
	if r.Unit != "" && !unitCodes[r.Unit] && !isAnnotation(r.Unit) {
		bad("unit", "unit %q is not in the unit table", r.Unit)
	}
	if r.Pattern == "" {
		bad("", "rule has no pattern")
	} else if re, err := regexp.Compile(r.Pattern); err != nil {
		bad("pattern", "pattern does not compile: %v", err)
	} else {
		r.Re = re
		r.groupIndex = map[string]int{}
		for i, n := range re.SubexpNames() {
			if n != "" {
				r.groupIndex[n] = i
			}
		}
		groups := []string{"value"}
		if len(r.Outputs) > 0 {
			groups = nil
			for _, o := range r.Outputs {
				if !conceptPattern.MatchString(o.Concept) {
					bad("outputs", "output concept %q must be a snake_case id", o.Concept)
				}
				if o.Category != "" && !validCats[o.Category] {
					bad("outputs", "output category %q is not valid", o.Category)
				}
				groups = append(groups, o.Group)
			}
		}
		for _, g := range groups {
			if r.Group(g) < 0 {
				bad("pattern", "pattern has no named group (?P<%s>...)", g)
			}
		}
	}
	if r.Window < 0 {
		bad("window", "window must be positive")
	}
	if r.Plausible != nil && r.Plausible.Unit != "" && !unitCodes[r.Plausible.Unit] && !isAnnotation(r.Plausible.Unit) {
		bad("plausible", "plausible unit %q is not in the unit table", r.Plausible.Unit)
	}
	if len(r.Examples.Match) == 0 {
		bad("examples", "rule has no examples that must match")
	}
	for _, e := range r.Examples.Match {
		if !r.HasKeyword(e.Text) {
			where := ""
			if r.KeywordsAtWordStart {
				where = " at a word start"
			}
			probs = append(probs, Problem{File: r.Source.File, Line: e.Line, ID: r.ID,
				Message: fmt.Sprintf("no keyword of the rule occurs%s in the example %q, so the prefilter would never run the rule on it", where, e.Text)})
		}
	}
	return probs
}

// HasKeyword reports whether one of the rule's keywords occurs in text
// where the prefilter would take it: anywhere, in either case, or only at a
// word start with KeywordsAtWordStart.
func (r *Rule) HasKeyword(text string) bool {
	return len(r.KeywordsIn(text)) > 0
}

// KeywordsIn lists the rule's keywords that occur in text where the
// prefilter would take them, in the rule's order.
func (r *Rule) KeywordsIn(text string) []string {
	low := strings.ToLower(text)
	var found []string
	for _, k := range r.Keywords {
		lk := strings.ToLower(k)
		for from := 0; ; {
			i := strings.Index(low[from:], lk)
			if i < 0 {
				break
			}
			at := from + i
			if !r.KeywordsAtWordStart || AtWordStart(low, at) {
				found = append(found, k)
				break
			}
			from = at + 1
		}
	}
	return found
}

// AtWordStart reports whether no ASCII letter or digit comes right before
// position i of text: where a regex's \b before a word byte holds.
func AtWordStart(text string, i int) bool {
	return i == 0 || !isASCIIWordByte(text[i-1])
}

func isASCIIWordByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_'
}

// isAnnotation accepts UCUM curly-brace annotations ({score}, {INR}), which
// are unit-less by definition and need no table row.
func isAnnotation(u string) bool {
	return strings.HasPrefix(u, "{") && strings.HasSuffix(u, "}")
}

func validateUnit(u *Unit) Problems {
	var probs Problems
	bad := reporter(u.Source, "unit:"+u.Code, &probs)
	if u.Code == "" {
		bad("code", "unit has no code")
	}
	if u.Dimension == "" {
		bad("dimension", "unit has no dimension")
	}
	if len(u.Synonyms)+len(u.CaseSensitive) == 0 {
		bad("synonyms", "unit has no synonyms")
	}
	if u.Factor < 0 {
		bad("factor", "factor must not be negative")
	}
	return probs
}

func unitSynonymClashes(units []*Unit) Problems {
	var probs Problems
	owner := map[string]string{}
	for _, u := range units {
		for _, s := range u.Synonyms {
			k := strings.ToLower(strings.Join(strings.Fields(s), " "))
			if o, ok := owner[k]; ok && o != u.Code {
				probs = append(probs, Problem{File: u.Source.File, Line: u.Source.Line, ID: "unit:" + u.Code,
					Message: fmt.Sprintf("synonym %q is already a synonym of unit %s", s, o)})
			}
			owner[k] = u.Code
		}
	}
	return probs
}

func validateAnalyte(a *Analyte, unitCodes map[string]bool) Problems {
	var probs Problems
	bad := reporter(a.Source, a.ID, &probs)
	if !conceptPattern.MatchString(a.Concept) {
		bad("concept", "concept %q must be a snake_case id", a.Concept)
	}
	if a.Category != "lab" && a.Category != "vital" && a.Category != "measurement" && a.Category != "score" {
		bad("category", "category %q must be lab, vital, score or measurement", a.Category)
	}
	if len(a.Synonyms)+len(a.Abbreviations) == 0 {
		bad("synonyms", "entry has no synonyms or abbreviations")
	}
	for _, u := range a.Units {
		if !unitCodes[u] && !isAnnotation(u) {
			bad("unit", "unit %q is not in the unit table", u)
		}
	}
	if a.DefaultUnit != "" && !unitCodes[a.DefaultUnit] && !isAnnotation(a.DefaultUnit) {
		bad("default_unit", "default_unit %q is not in the unit table", a.DefaultUnit)
	}
	if a.Plausible != nil && a.Plausible.Unit != "" && !unitCodes[a.Plausible.Unit] && !isAnnotation(a.Plausible.Unit) {
		bad("plausible", "plausible unit %q is not in the unit table", a.Plausible.Unit)
	}
	return probs
}

// CueSets are what a context cue may set: an assertion, a subject, or the
// end of every cue's scope.
var CueSets = map[string]string{"negated": "assertion", "possible": "assertion", "hypothetical": "assertion",
	"historical": "assertion", "family": "subject", "other": "subject", "population": "subject",
	"target": "subject", "reference": "subject", "terminate": "terminate", "pseudo": "pseudo", "cancel": "cancel"}

func validateCue(c *Cue) Problems {
	var probs Problems
	bad := reporter(c.Source, c.ID, &probs)
	if c.ID == "" {
		bad("", "cue has no id")
	} else if !idPattern.MatchString(c.ID) {
		bad("id", "id %q must be dotted lower-case words, like context.neg_no", c.ID)
	}
	if _, ok := CueSets[c.Sets]; !ok {
		bad("sets", "sets %q must be one of negated, possible, hypothetical, historical, family, other, population, target, reference, terminate, pseudo, cancel", c.Sets)
	}
	switch c.Direction {
	case "forward", "backward", "both":
	case "":
		if c.Sets != "terminate" && c.Sets != "pseudo" {
			bad("direction", "direction must be forward, backward or both")
		}
	default:
		bad("direction", "direction %q must be forward, backward or both", c.Direction)
	}
	if c.Scope < 0 || c.Scope > 60 {
		bad("scope", "scope %d must be between 0 and 60 words", c.Scope)
	}
	if c.Sets == "cancel" && len(c.Cancels) == 0 {
		bad("cancels", "a cancel cue needs a cancels list")
	}
	for _, k := range c.Cancels {
		if _, ok := CueSets[k]; !ok {
			bad("cancels", "cancels %q is not a cue setting", k)
		}
	}
	if len(c.Phrases) == 0 {
		bad("phrases", "cue has no phrases")
	}
	return probs
}

// entityCats are the categories a named-entity lexicon entry may have.
var entityCats = map[string]bool{"medication": true, "device": true, "procedure": true, "condition": true, "outcome": true}

func validateEntity(en *Entity) Problems {
	var probs Problems
	bad := reporter(en.Source, en.ID, &probs)
	if !conceptPattern.MatchString(en.Concept) {
		bad("concept", "concept %q must be a snake_case id", en.Concept)
	}
	if !entityCats[en.Category] {
		bad("category", "category %q must be medication, device, procedure, condition or outcome", en.Category)
	}
	if len(en.Synonyms)+len(en.Abbreviations) == 0 {
		bad("synonyms", "entry has no synonyms or abbreviations")
	}
	for _, s := range append(append([]string{}, en.Synonyms...), en.Abbreviations...) {
		if strings.TrimSpace(s) == "" {
			bad("synonyms", "empty synonym")
		}
	}
	if len(en.Models) > 0 && en.Category != "device" {
		bad("models", "models are for devices only")
	}
	if len(en.Examples.Match) == 0 {
		bad("examples", "entry has no examples that must match")
	}
	return probs
}

// synonymClashes reports a name claimed by two entries: which one a
// mention means would otherwise depend on load order.
func synonymClashes(as []*Analyte, es []*Entity) Problems {
	var probs Problems
	owner := map[string]string{}
	claim := func(src Source, id string, syns, abbrevs []string) {
		for _, s := range syns {
			k := "i:" + strings.ToLower(strings.Join(strings.Fields(s), " "))
			if o, ok := owner[k]; ok && o != id {
				probs = append(probs, Problem{File: src.File, Line: src.Line, ID: id,
					Message: fmt.Sprintf("synonym %q is already claimed by %s", s, o)})
			}
			owner[k] = id
		}
		for _, s := range abbrevs {
			k := "c:" + s
			if o, ok := owner[k]; ok && o != id {
				probs = append(probs, Problem{File: src.File, Line: src.Line, ID: id,
					Message: fmt.Sprintf("abbreviation %q is already claimed by %s", s, o)})
			}
			owner[k] = id
		}
	}
	for _, a := range as {
		claim(a.Source, a.ID, a.Synonyms, a.Abbreviations)
	}
	for _, e := range es {
		claim(e.Source, e.ID, e.Synonyms, e.Abbreviations)
	}
	return probs
}

// LoadDirs loads the embedded defaults overlaid with user folders.
func LoadDirs(dirs ...string) (*Set, error) {
	layers := []Layer{DefaultLayer()}
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, Problems{{File: d, Message: "pattern folder: " + err.Error()}}
		}
		if !st.IsDir() {
			return nil, Problems{{File: d, Message: "pattern folder: not a folder"}}
		}
		layers = append(layers, DirLayer(d))
	}
	return Load(layers...)
}
