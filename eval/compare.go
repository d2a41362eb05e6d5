package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
)

// Save writes a report (scores, hits, misses and false positives) as JSON,
// so a later run can be compared with it.
func (r *Report) Save(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", " ")
	if err := enc.Encode(r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// LoadReport reads a report written by Save.
func LoadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: not a saved eval run: %w", path, err)
	}
	return &r, nil
}

// Change is one gold span or false positive that differs between two runs,
// with the rule responsible: the rule that found a lost hit before, the
// rule that finds a gained hit now, the rule of a false positive. A miss
// no rule found is put on "(no rule)".
type Change struct {
	Kind  string // gained, lost, fp_new, fp_gone
	Type  string
	Rule  string
	Doc   string
	Start int
	End   int
	Text  string
}

// Comparison is what changed from a saved run to this one.
type Comparison struct {
	Changes []Change
	// Scores before and after, per type (overlap recall and precision).
	Before, After map[string]Counts
}

// key identifies a hit or false positive with the rule behind it, so a
// gold span found by another rule after the change shows as lost by the
// old rule and gained by the new one.
func key(e ErrorRecord) string {
	return fmt.Sprintf("%s\x00%s\x00%d\x00%d\x00%s", e.Type, e.Doc, e.Start, e.End, e.Rule)
}

// Compare lists the hits gained and lost and the false positives that
// appeared or went away from old to new.
func Compare(old, new *Report) *Comparison {
	c := &Comparison{Before: map[string]Counts{}, After: map[string]Counts{}}
	for _, t := range old.Types {
		c.Before[t.Name] = t.Overlap
	}
	for _, t := range new.Types {
		c.After[t.Name] = t.Overlap
	}
	index := func(recs []ErrorRecord, kind string) map[string]ErrorRecord {
		m := map[string]ErrorRecord{}
		for _, e := range recs {
			if e.Kind == kind {
				m[key(e)] = e
			}
		}
		return m
	}
	oldHits, newHits := index(old.Hits, "hit"), index(new.Hits, "hit")
	oldFP, newFP := index(old.Errors, "false_positive"), index(new.Errors, "false_positive")
	add := func(kind string, e ErrorRecord) {
		rule := e.Rule
		if rule == "" {
			rule = "(no rule)"
		}
		c.Changes = append(c.Changes, Change{Kind: kind, Type: e.Type, Rule: rule, Doc: e.Doc, Start: e.Start, End: e.End, Text: e.Text})
	}
	for k, e := range oldHits {
		if _, ok := newHits[k]; !ok {
			add("lost", e)
		}
	}
	for k, e := range newHits {
		if _, ok := oldHits[k]; !ok {
			add("gained", e)
		}
	}
	for k, e := range newFP {
		if _, ok := oldFP[k]; !ok {
			add("fp_new", e)
		}
	}
	for k, e := range oldFP {
		if _, ok := newFP[k]; !ok {
			add("fp_gone", e)
		}
	}
	sort.Slice(c.Changes, func(i, j int) bool {
		a, b := c.Changes[i], c.Changes[j]
		for _, p := range [][2]string{{a.Type, b.Type}, {a.Rule, b.Rule}, {a.Kind, b.Kind}, {a.Doc, b.Doc}} {
			if p[0] != p[1] {
				return p[0] < p[1]
			}
		}
		return a.Start < b.Start
	})
	return c
}

// WriteText prints the score change per type, then per type and rule the
// true positives gained and lost and the false positives new and gone,
// then every change with its text.
func (c *Comparison) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	var types []string
	for t := range c.After {
		types = append(types, t)
	}
	sort.Strings(types)
	fmt.Fprintln(bw, "type                    recall before → after     precision before → after")
	for _, t := range types {
		b, a := c.Before[t], c.After[t]
		fmt.Fprintf(bw, "%-22s  %6.1f%% → %6.1f%%        %6.1f%% → %6.1f%%\n", t, 100*b.Recall, 100*a.Recall, 100*b.Precision, 100*a.Precision)
	}
	type agg struct{ gained, lost, fpNew, fpGone int }
	per := map[[2]string]*agg{}
	var keys [][2]string
	for _, ch := range c.Changes {
		k := [2]string{ch.Type, ch.Rule}
		if per[k] == nil {
			per[k] = &agg{}
			keys = append(keys, k)
		}
		switch ch.Kind {
		case "gained":
			per[k].gained++
		case "lost":
			per[k].lost++
		case "fp_new":
			per[k].fpNew++
		case "fp_gone":
			per[k].fpGone++
		}
	}
	fmt.Fprintln(bw)
	if len(keys) == 0 {
		fmt.Fprintln(bw, "no change in what was found")
		return bw.Flush()
	}
	fmt.Fprintln(bw, "type / rule                                        TP gained  TP lost  FP new  FP gone")
	for _, k := range keys {
		a := per[k]
		fmt.Fprintf(bw, "%-50s %9d %8d %7d %8d\n", k[0]+" / "+k[1], a.gained, a.lost, a.fpNew, a.fpGone)
	}
	fmt.Fprintln(bw)
	for _, ch := range c.Changes {
		fmt.Fprintf(bw, "%-8s %-22s %-36s %s:%d-%d %q\n", ch.Kind, ch.Type, ch.Rule, ch.Doc, ch.Start, ch.End, ch.Text)
	}
	return bw.Flush()
}
