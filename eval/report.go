package eval

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"unicode/utf8"
)

// WriteText writes a readable table: per type, gold, predicted, ignored,
// TP (gold found / predictions matched), FP, FN, precision, recall and F1
// for overlap and for exact match; value accuracy for Check types; per pair
// spec: pairs total, scored, correct, accuracy and coverage.
func (r *Report) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	name := r.Scheme
	if name == "" {
		name = "(unnamed)"
	}
	fmt.Fprintf(bw, "scheme %s: %d documents, %d predictions\n", name, r.Docs, r.Predictions)
	if len(r.UnknownDocs) > 0 {
		fmt.Fprintf(bw, "predictions for %d documents without gold (not scored): %s\n",
			len(r.UnknownDocs), strings.Join(r.UnknownDocs, ", "))
	}
	for _, n := range r.Notes {
		fmt.Fprintf(bw, "note: %s\n", n)
	}
	if len(r.Types) > 0 {
		fmt.Fprintln(bw)
		// Name columns are padded by hand so they read left-aligned while
		// the numbers are right-aligned.
		nw, sw := len("type"), len("evidence")
		for _, t := range r.Types {
			nw = max(nw, utf8.RuneCountInString(t.Name))
		}
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%-*s\t%-*s\t%-7s\tgold\tpred\tignored\tTP gold\tTP pred\tFP\tFN\tP\tR\tF1\t\n", nw, "type", sw, "span", "match")
		for _, t := range r.Types {
			for i, m := range []struct {
				name string
				c    Counts
			}{{"overlap", t.Overlap}, {"exact", t.Exact}} {
				label, span := t.Name, t.Span
				if i > 0 {
					label, span = "", ""
				}
				fmt.Fprintf(tw, "%-*s\t%-*s\t%-7s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t\n",
					nw, label, sw, span, m.name, t.Gold, t.Pred, t.Ignored, m.c.GoldFound, m.c.PredMatched,
					m.c.FP, m.c.FN, pct(m.c.Precision, t.Pred-t.Ignored), pct(m.c.Recall, t.Gold),
					pct(m.c.F1, t.Gold+t.Pred-t.Ignored))
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, t := range r.Types {
			if t.Check == "" {
				continue
			}
			if t.Check == CheckPolarity {
				fmt.Fprintf(bw, "%s: negation agrees with the gold polarity on %d/%d events a finding overlaps = %s\n",
					t.Name, t.ValueRight, t.Overlap.GoldFound, pct(t.ValueAccuracy, t.Overlap.GoldFound))
				continue
			}
			fmt.Fprintf(bw, "%s: value check %s: recall with right value %d/%d = %s",
				t.Name, t.Check, t.ValueRight, t.Gold, pct(t.ValueAccuracy, t.Gold))
			if t.ValueUnknown > 0 {
				fmt.Fprintf(bw, " (%d gold values unreadable)", t.ValueUnknown)
			}
			fmt.Fprintln(bw)
		}
	}
	if len(r.Pairs) > 0 {
		fmt.Fprintln(bw)
		pw := len("pair")
		for _, p := range r.Pairs {
			pw = max(pw, utf8.RuneCountInString(p.Name))
		}
		tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintf(tw, "%-*s\tgold pairs\tscored\tcorrect\taccuracy\tscored/total\t\n", pw, "pair")
		for _, p := range r.Pairs {
			fmt.Fprintf(tw, "%-*s\t%d\t%d\t%d\t%s\t%s\t\n", pw, p.Name, p.Total, p.Scored, p.Correct,
				pct(p.Accuracy, p.Scored), pct(p.Coverage, p.Total))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// pct prints a ratio as a percentage, or "-" when its denominator is 0.
func pct(v float64, denom int) string {
	if denom <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*v)
}

// WriteErrors writes r.Errors as JSONL, one object per line, in a
// deterministic order: by type spec (then pair spec) in scheme order, then
// document ID, then start/end offset. See ErrorRecord for the fields.
func (r *Report) WriteErrors(w io.Writer) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for i := range r.Errors {
		if err := enc.Encode(&r.Errors[i]); err != nil {
			return err
		}
	}
	return bw.Flush()
}
