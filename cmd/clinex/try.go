package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
)

func newTryCmd(g *globalFlags) *cobra.Command {
	var file, rule string
	var explain bool
	cmd := &cobra.Command{
		Use:   `try "TEXT"`,
		Short: "Show the findings for one piece of text, and why",
		Long: `Runs the extraction on TEXT (or --file) and prints its findings as a table with
their offsets. --explain adds, per finding, the rule or entry and where it is
defined, the value and unit as read, the context cue that decided its
assertion or subject, its flags and attributes. --rule ID shows that rule's
pattern and why it did or did not match the text.`,
		Example: `  clinex try "Her hemoglobin was 7.5 g/dL."
  clinex try --explain --rule lab.ferritin "Serum ferritin was 850 ng/mL."`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var text string
			switch {
			case file != "" && len(args) == 0:
				b, err := os.ReadFile(file)
				if err != nil {
					return runtimeErr(err)
				}
				text = string(b)
			case file == "" && len(args) == 1:
				text = args[0]
			default:
				return usageErr(errors.New(`try: give the text as one argument, or --file FILE`))
			}
			eng, _, err := loadEngine(cmd, g, nil)
			if err != nil {
				return err
			}
			doc := eng.Extractor.Extract("try", text)
			out := cmd.OutOrStdout()
			printFindings(out, doc.Findings)
			if explain {
				explainFindings(out, eng, doc.Findings)
			}
			if rule != "" {
				return explainRule(out, eng, doc, rule, text)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&file, "file", "", "read the text from a file")
	cmd.Flags().BoolVar(&explain, "explain", false, "show, per finding, the rule, the value as read and the context cue")
	cmd.Flags().StringVar(&rule, "rule", "", "show this rule's or entry's pattern and why it did or did not match")
	return cmd
}

func printFindings(w io.Writer, fs []extract.Finding) {
	if len(fs) == 0 {
		fmt.Fprintln(w, "no findings")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "#\tstart-end\tcategory\tconcept\tvalue\tunit\tassertion\tsubject\ttext")
	for i, f := range fs {
		v := f.Value.String()
		if f.ValueMax != nil {
			v += "-" + extract.FormatNumber(*f.ValueMax)
		}
		if f.Operator != "" {
			v = f.Operator + v
		}
		fmt.Fprintf(tw, "%d\t%d-%d\t%s\t%s\t%s\t%s\t%s\t%s\t%q\n", i+1, f.Start, f.End, f.Category, f.Concept, v, f.Unit, f.Assertion, f.Subject, f.Text)
	}
	tw.Flush()
}

func explainFindings(w io.Writer, eng *clinex.Engine, fs []extract.Finding) {
	src := map[string]string{}
	for _, r := range eng.Patterns.Rules {
		src[r.ID] = where(r.Source)
	}
	for _, a := range eng.Patterns.Analytes {
		src[a.ID] = where(a.Source)
	}
	for _, e := range eng.Patterns.Entities {
		src[e.ID] = where(e.Source)
	}
	for i, f := range fs {
		fmt.Fprintf(w, "\n#%d %s = %s %s\n", i+1, f.Concept, f.Value.String(), f.Unit)
		origin := src[f.Rule]
		switch {
		case origin != "":
		case strings.HasPrefix(f.Rule, "unit."):
			origin = "the unit implies the concept (unit table)"
		case f.Rule == "quantity.measurement":
			origin = "a number with a unit, named by the words around it"
		case f.Rule == "device.setting":
			origin = "a flow set on the circulatory support device before it"
		default:
			origin = "built into the engine"
		}
		fmt.Fprintf(w, "   rule     %s (%s)\n", f.Rule, origin)
		if kw := keywordsIn(eng, f.Rule, f.Sentence); kw != "" {
			fmt.Fprintf(w, "   keyword  %s (the prefilter hit that ran the rule)\n", kw)
		}
		r := []rune(f.Text)
		if a, b := f.ValueStart-f.Start, f.ValueEnd-f.Start; a >= 0 && b <= len(r) && a < b {
			fmt.Fprintf(w, "   value    %q read at %d-%d, unit %q\n", string(r[a:b]), f.ValueStart, f.ValueEnd, f.Unit)
		}
		if c := f.ContextCue; c != nil {
			fmt.Fprintf(w, "   context  %s/%s by cue %s %q at %d-%d\n", f.Assertion, f.Subject, c.ID, c.Text, c.Start, c.End)
		} else {
			fmt.Fprintf(w, "   context  %s/%s (no cue reached it)\n", f.Assertion, f.Subject)
		}
		if len(f.Flags) > 0 {
			fmt.Fprintf(w, "   flags    %s\n", strings.Join(f.Flags, ", "))
		}
		if len(f.Attributes) > 0 {
			keys := make([]string, 0, len(f.Attributes))
			for k := range f.Attributes {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var parts []string
			for _, k := range keys {
				parts = append(parts, fmt.Sprintf("%s=%v", k, f.Attributes[k]))
			}
			fmt.Fprintf(w, "   attrs    %s\n", strings.Join(parts, " "))
		}
	}
}

// explainRule tells, for one rule or entry, what it is and why it did or
// did not give a finding on the text.
func explainRule(w io.Writer, eng *clinex.Engine, doc *extract.Document, id, text string) error {
	fmt.Fprintf(w, "\n%s\n", id)
	hits := eng.Extractor.PrefilterHits(text)
	fired := 0
	for _, f := range doc.Findings {
		if f.Rule == id {
			fired++
		}
	}
	for _, r := range eng.Patterns.Rules {
		if r.ID != id {
			continue
		}
		fmt.Fprintf(w, "   defined   %s\n   keywords  %s\n   pattern   %s\n", where(r.Source), strings.Join(r.Keywords, ", "), r.Re.String())
		ms := r.Re.FindAllString(text, -1)
		switch {
		case fired > 0:
			fmt.Fprintf(w, "   result    %d finding(s)\n", fired)
		case !hits[id]:
			fmt.Fprintln(w, "   result    no finding: no keyword of the rule occurs in the text, so the prefilter never runs it")
		case len(ms) == 0:
			fmt.Fprintln(w, "   result    no finding: a keyword occurs, but the pattern matches nowhere in the text")
		default:
			fmt.Fprintf(w, "   result    no finding: the pattern matches %q, but outside the window around a keyword, across a sentence, or another rule's finding took the value\n", ms[0])
		}
		return nil
	}
	for _, a := range eng.Patterns.Analytes {
		if a.ID == id {
			fmt.Fprintf(w, "   defined   %s\n   names     %s\n   units     %s\n", where(a.Source), strings.Join(append(append([]string{}, a.Synonyms...), a.Abbreviations...), ", "), strings.Join(a.Units, ", "))
			return ruleVerdict(w, fired, hits[id], "no number after the name takes one of its units, close enough and linked only by words like 'of', 'was'")
		}
	}
	for _, e := range eng.Patterns.Entities {
		if e.ID == id {
			fmt.Fprintf(w, "   defined   %s\n   names     %s\n", where(e.Source), strings.Join(append(append([]string{}, e.Synonyms...), e.Abbreviations...), ", "))
			return ruleVerdict(w, fired, hits[id], "a longer name of another entry covers it, or it stands in a heading")
		}
	}
	return usageErr(fmt.Errorf("try: no rule or entry %q (see clinex patterns list)", id))
}

func ruleVerdict(w io.Writer, fired int, hit bool, why string) error {
	switch {
	case fired > 0:
		fmt.Fprintf(w, "   result    %d finding(s)\n", fired)
	case !hit:
		fmt.Fprintln(w, "   result    no finding: none of its names occurs in the text as a whole word (abbreviations in their case)")
	default:
		fmt.Fprintf(w, "   result    no finding: a name occurs, but %s\n", why)
	}
	return nil
}

// keywordsIn lists the keywords or names of a rule or entry that occur in
// a text: what the prefilter found to run it.
func keywordsIn(eng *clinex.Engine, id, text string) string {
	low := strings.ToLower(text)
	var names []string
	for _, r := range eng.Patterns.Rules {
		if r.ID == id {
			names = r.KeywordsIn(text) // only those the prefilter takes
		}
	}
	for _, a := range eng.Patterns.Analytes {
		if a.ID == id {
			names = append(append([]string{}, a.Synonyms...), a.Abbreviations...)
		}
	}
	for _, e := range eng.Patterns.Entities {
		if e.ID == id {
			names = append(append([]string{}, e.Synonyms...), e.Abbreviations...)
		}
	}
	var found []string
	for _, n := range names {
		if strings.Contains(low, strings.ToLower(n)) && !slices.Contains(found, n) {
			found = append(found, fmt.Sprintf("%q", n))
		}
	}
	return strings.Join(found, ", ")
}
