package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/clinex/clinex"
	"github.com/clinex/clinex/eval"
	"github.com/clinex/clinex/extract"
)

func newEvalCmd(g *globalFlags) *cobra.Command {
	var gold, scheme, errorsFile, save, compare string
	cmd := &cobra.Command{
		Use:   "eval --gold DIR",
		Short: "Score the extraction against a BRAT gold folder (MACCROBAT, E3C)",
		Long: `Runs the extraction on every NAME.txt of a BRAT folder and scores it against
NAME.ann, with the gold-type mapping of the scheme (eval.schemes in the config;
maccrobat and e3c are built in). Prints precision, recall and F1 per type, for
overlap and exact matches, the value accuracy of age and sex, and the accuracy
of value-to-test pairs; writes every miss and false positive to --errors.`,
		Example: "  clinex eval --gold ../shared/corpus/maccrobat-dev --save before.json\n  clinex eval --gold ../shared/corpus/maccrobat-dev --patterns my-patterns --compare before.json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if gold == "" {
				return usageErr(errors.New("eval: --gold DIR is required"))
			}
			eng, _, err := loadEngine(cmd, g, nil)
			if err != nil {
				return err
			}
			docs, warnings, err := eval.LoadDir(gold)
			if err != nil {
				return runtimeErr(fmt.Errorf("gold folder: %w", err))
			}
			if len(docs) == 0 {
				return runtimeErr(fmt.Errorf("gold folder %s holds no NAME.txt with a NAME.ann beside it", gold))
			}
			for _, w := range warnings {
				fmt.Fprintln(cmd.ErrOrStderr(), "clinex: gold:", w)
			}
			s, err := pickScheme(eng.Config, scheme, docs)
			if err != nil {
				return usageErr(err)
			}
			preds := Predict(eng.Extractor, docs)
			rep := eval.Score(docs, preds, s)
			var before *eval.Report
			if compare != "" {
				if before, err = eval.LoadReport(compare); err != nil {
					return usageErr(err)
				}
			}
			if err := rep.WriteText(cmd.OutOrStdout()); err != nil {
				return runtimeErr(err)
			}
			if before != nil {
				fmt.Fprintf(cmd.OutOrStdout(), "\nchanges since %s:\n", compare)
				if err := eval.Compare(before, rep).WriteText(cmd.OutOrStdout()); err != nil {
					return runtimeErr(err)
				}
			}
			if save != "" {
				if err := rep.Save(save); err != nil {
					return runtimeErr(err)
				}
			}
			if errorsFile != "" {
				f, err := os.Create(errorsFile)
				if err != nil {
					return runtimeErr(err)
				}
				if err := rep.WriteErrors(f); err != nil {
					f.Close()
					return runtimeErr(err)
				}
				if err := f.Close(); err != nil {
					return runtimeErr(err)
				}
				if !g.quiet {
					fmt.Fprintf(cmd.ErrOrStderr(), "clinex: misses and false positives written to %s\n", errorsFile)
				}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&gold, "gold", "", "BRAT folder: NAME.txt reports with NAME.ann gold annotations")
	cmd.Flags().StringVar(&scheme, "scheme", "", "gold scheme from eval.schemes (default: detected from the annotation types)")
	cmd.Flags().StringVar(&errorsFile, "errors", "eval-errors.jsonl", "file for misses and false positives (JSONL); empty to skip")
	cmd.Flags().StringVar(&save, "save", "", "save this run's scores, hits, misses and false positives to RUN.json")
	cmd.Flags().StringVar(&compare, "compare", "", "compare with a run saved by --save: true positives gained and lost and false positives new and gone, per type and rule")
	return cmd
}

// Predict runs the extractor on every gold document's text.
func Predict(ex *extract.Extractor, docs []eval.GoldDoc) map[string][]extract.Finding {
	preds := make(map[string][]extract.Finding, len(docs))
	for _, d := range docs {
		preds[d.ID] = ex.Extract(d.ID, d.Text).Findings
	}
	return preds
}

// pickScheme takes the named scheme, or the one whose `detect` type occurs
// most in the gold.
func pickScheme(cfg *clinex.Config, name string, docs []eval.GoldDoc) (eval.Scheme, error) {
	var names []string
	for n := range cfg.Eval.Schemes {
		names = append(names, n)
	}
	sort.Strings(names)
	if name != "" {
		s, ok := cfg.Eval.Schemes[name]
		if !ok {
			return eval.Scheme{}, fmt.Errorf("eval: no scheme %q in eval.schemes (have: %s)", name, strings.Join(names, ", "))
		}
		if s.Name == "" {
			s.Name = name
		}
		return s.Scheme, nil
	}
	counts := map[string]int{}
	for _, d := range docs {
		for _, e := range d.Entities {
			counts[e.Type]++
		}
	}
	best, bestN := "", 0
	for _, n := range names {
		if c := counts[cfg.Eval.Schemes[n].Detect]; c > bestN {
			best, bestN = n, c
		}
	}
	if best == "" {
		return eval.Scheme{}, fmt.Errorf("eval: cannot tell the gold scheme from its annotation types; name one with --scheme (have: %s)", strings.Join(names, ", "))
	}
	s := cfg.Eval.Schemes[best]
	if s.Name == "" {
		s.Name = best
	}
	return s.Scheme, nil
}
