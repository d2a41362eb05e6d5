package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/patterns"
)

func newPatternsCmd(g *globalFlags) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "patterns",
		Short: "List, lint and test the rules, lexicons and cues in effect",
	}
	cmd.AddCommand(newPatternsListCmd(g), newPatternsLintCmd(g), newPatternsTestCmd(g))
	return cmd
}

// where says where a rule or entry came from.
func where(s patterns.Source) string {
	if s.Embedded {
		return "embedded " + fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}

func newPatternsListCmd(g *globalFlags) *cobra.Command {
	var kind string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show every rule, lexicon entry and context cue in effect, and where it came from",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			eng, _, err := loadEngine(cmd, g, nil)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "id\tkind\tcategory\tconcept\tsource")
			show := func(k string) bool { return kind == "" || kind == k }
			p := eng.Patterns
			if show("rule") {
				for _, r := range p.Rules {
					fmt.Fprintf(tw, "%s\trule\t%s\t%s\t%s\n", r.ID, r.Category, r.Concept, where(r.Source))
				}
			}
			if show("analyte") {
				for _, a := range p.Analytes {
					fmt.Fprintf(tw, "%s\tanalyte\t%s\t%s\t%s\n", a.ID, a.Category, a.Concept, where(a.Source))
				}
			}
			if show("entity") {
				for _, e := range p.Entities {
					fmt.Fprintf(tw, "%s\tentity\t%s\t%s\t%s\n", e.ID, e.Category, e.Concept, where(e.Source))
				}
			}
			if show("cue") {
				for _, c := range p.Cues {
					fmt.Fprintf(tw, "%s\tcue\t%s\t\t%s\n", c.ID, c.Sets, where(c.Source))
				}
			}
			if show("unit") {
				for _, u := range p.Units {
					fmt.Fprintf(tw, "%s\tunit\t%s\t%s\t%s\n", u.Code, u.Dimension, u.Implies, where(u.Source))
				}
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&kind, "kind", "", "only one kind: rule, analyte, entity, cue, unit")
	return cmd
}

// engineWith loads the config and builds the engine with extra pattern
// folders, returning the pattern problems instead of failing on them.
func engineWith(cmd *cobra.Command, g *globalFlags, dirs []string) (*clinex.Engine, patterns.Problems, error) {
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{File: g.config, Env: os.Environ()})
	if err != nil {
		return nil, nil, usageErr(err)
	}
	eng, err := clinex.Build(cfg, append(append([]string{}, g.patterns...), dirs...)...)
	var ps patterns.Problems
	if errors.As(err, &ps) {
		return nil, ps, nil
	}
	if err != nil {
		return nil, nil, usageErr(err)
	}
	return eng, nil, nil
}

func newPatternsLintCmd(g *globalFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "lint [DIR]",
		Short: "Validate pattern files without extracting; every problem as file:line:col: id: message",
		Long: `Loads the built-in patterns overlaid with DIR (and --patterns folders) and checks
them: unknown keys, bad regexes, missing or duplicate ids, names claimed twice,
units not in the unit table, keywords that occur in none of a rule's matches,
and the examples of DIR's rules and entries. Exit code 2 if anything is wrong.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, probs, err := engineWith(cmd, g, args)
			if err != nil {
				return err
			}
			if eng != nil {
				probs = append(probs, keywordProblems(eng.Patterns)...)
			}
			out := cmd.OutOrStdout()
			for _, p := range probs {
				fmt.Fprintln(out, p.WithColumn())
				if line := sourceLine(p.File, p.Line); line != "" {
					fmt.Fprintf(out, "    %s\n", line)
				}
			}
			if len(probs) > 0 {
				return usageErr(fmt.Errorf("%d problem(s)", len(probs)))
			}
			fmt.Fprintln(out, "no problems")
			return nil
		},
	}
}

// keywordProblems: a keyword of a user rule that occurs in none of the
// texts its pattern matches in the rule's examples can never be what
// makes the prefilter run it.
func keywordProblems(set *patterns.Set) patterns.Problems {
	var probs patterns.Problems
	for _, r := range set.Rules {
		if r.Source.Embedded || r.Re == nil {
			continue
		}
		var matched []string
		for _, ex := range r.Examples.Match {
			for _, m := range r.Re.FindAllString(ex.Text, -1) {
				matched = append(matched, strings.ToLower(m))
			}
		}
		if len(matched) == 0 {
			continue
		}
		for _, k := range r.Keywords {
			found := false
			for _, m := range matched {
				if strings.Contains(m, strings.ToLower(k)) {
					found = true
					break
				}
			}
			if !found {
				line, col := r.Source.At("keywords")
				probs = append(probs, patterns.Problem{File: r.Source.File, Line: line, Col: col, ID: r.ID,
					Message: fmt.Sprintf("keyword %q occurs in none of the texts the pattern matches in the examples", k)})
			}
		}
	}
	return probs
}

// sourceLine returns line n of a pattern file, built-in or on disk.
func sourceLine(file string, n int) string {
	if n <= 0 {
		return ""
	}
	data, err := os.ReadFile(file)
	if err != nil && strings.HasPrefix(file, "patterns/") {
		data, err = fs.ReadFile(patterns.Embedded, strings.TrimPrefix(filepath.ToSlash(file), "patterns/"))
	}
	if err != nil {
		return ""
	}
	lines := strings.Split(string(data), "\n")
	if n > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[n-1], "\r")
}

func newPatternsTestCmd(g *globalFlags) *cobra.Command {
	var all bool
	return &cobra.Command{
		Use:   "test [DIR]",
		Short: "Run the examples of every rule and entry and print a pass/fail table",
		Long: `Runs the examples of DIR's rules, lexicon entries and cues (with no DIR, or
with --all, of every one in effect, built-in ones included) and prints one row
per id: how many examples must match and how many failed, the same for those
that must not. Exit code 2 if any failed.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			eng, probs, err := engineWith(cmd, g, args)
			if err != nil {
				return err
			}
			if len(probs) > 0 {
				for _, p := range probs {
					fmt.Fprintln(cmd.OutOrStdout(), p.WithColumn())
				}
				return usageErr(fmt.Errorf("%d problem(s)", len(probs)))
			}
			which := func(s patterns.Source) bool { return all || len(args) == 0 || !s.Embedded }
			results := eng.Extractor.RunExamples(which)
			return printExampleTable(cmd.OutOrStdout(), results)
		},
	}
}

func printExampleTable(w io.Writer, results []extract.ExampleResult) error {
	sort.SliceStable(results, func(i, j int) bool { return results[i].ID < results[j].ID })
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "id\tmatch\tfailed\tno_match\tfailed\tresult")
	failed := 0
	for _, r := range results {
		res := "pass"
		if r.MatchFailed+r.NoMatchFailed > 0 {
			res = "FAIL"
			failed++
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%s\n", r.ID, r.Match, r.MatchFailed, r.NoMatch, r.NoMatchFailed, res)
	}
	tw.Flush()
	for _, r := range results {
		for _, p := range r.Problems {
			fmt.Fprintln(w, p.WithColumn())
		}
	}
	fmt.Fprintf(w, "%d rules and entries pass their examples, %d do not\n", len(results)-failed, failed)
	if failed > 0 {
		return usageErr(fmt.Errorf("%d rule(s) or entries failed their examples", failed))
	}
	return nil
}
