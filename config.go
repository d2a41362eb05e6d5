// Package clinex holds the default configuration and its loader; the
// pipeline lives in extract/, the rules in patterns/, the writers in output/
// and the command in cmd/clinex.
package clinex

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sort"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/pflag"
	"github.com/spf13/viper"
	"gopkg.in/yaml.v3"

	"github.com/clinex/clinex/eval"
	"github.com/clinex/clinex/extract"
	"github.com/clinex/clinex/output"
	"github.com/clinex/clinex/patterns"
)

// DefaultConfig is config.yaml, embedded so the binary runs with no file on disk.
//
//go:embed config.yaml
var DefaultConfig []byte

// Version is set at build time with -ldflags "-X github.com/clinex/clinex.Version=…".
var Version = "0.1.0-dev"

// Config is the whole configuration.
type Config struct {
	Input    InputConfig           `mapstructure:"input"`
	Patterns PatternsConfig        `mapstructure:"patterns"`
	Output   OutputConfig          `mapstructure:"output"`
	Run      RunConfig             `mapstructure:"run"`
	Extract  extract.Options       `mapstructure:"extract"`
	Segment  extract.SegmentConfig `mapstructure:"segment"`
	Eval     EvalConfig            `mapstructure:"eval"`
	Study    StudyConfig           `mapstructure:"study"`
}

// StudyConfig is the study's per-case variables: the columns of the Cases
// sheet and cases.csv and the aggregates of cases.json, in order.
type StudyConfig struct {
	Variables []output.StudyVar `mapstructure:"variables"`
}

type InputConfig struct {
	IDField   string `mapstructure:"id_field"`
	TextField string `mapstructure:"text_field"`
	// MaxReportMB caps one report's size; 0 means no cap.
	MaxReportMB float64 `mapstructure:"max_report_mb"`
}

type PatternsConfig struct {
	Dirs []string `mapstructure:"dirs"`
}

type OutputConfig struct {
	Formats          []string `mapstructure:"formats"`
	CasesAllFindings bool     `mapstructure:"cases_all_findings"`
}

type RunConfig struct {
	Workers int `mapstructure:"workers"`
}

type EvalConfig struct {
	Schemes map[string]EvalScheme `mapstructure:"schemes"`
}

// EvalScheme is a gold scheme plus the annotation type that identifies it.
type EvalScheme struct {
	Detect      string `mapstructure:"detect"`
	eval.Scheme `mapstructure:",squash"`
}

// KnownFormats are the output formats clinex writes.
var KnownFormats = []string{"jsonl", "xlsx", "json", "csv", "parquet", "html"}

// LoadOptions says where configuration comes from besides the defaults.
type LoadOptions struct {
	File  string         // --config FILE; "" looks for ./config.yaml
	Flags *pflag.FlagSet // flags bound by key (flag annotation "key")
	Env   []string       // os.Environ(), for CLINEX_* overrides
	// FlagKeys maps a flag name to the config key it overrides.
	FlagKeys map[string]string
}

// ConfigError is a configuration mistake; the command exits 2 on it.
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

func configErr(format string, a ...any) error { return &ConfigError{fmt.Sprintf(format, a...)} }

// LoadConfig merges, in rising precedence: the embedded defaults, the
// config file, CLINEX_* environment variables and flags. Unknown keys and
// bad values are errors naming the key.
func LoadConfig(o LoadOptions) (*Config, string, error) {
	v := viper.New()
	v.SetConfigType("yaml")
	if err := v.ReadConfig(bytes.NewReader(DefaultConfig)); err != nil {
		return nil, "", fmt.Errorf("embedded config: %w", err)
	}
	known := flattenKeys(v.AllSettings(), "")
	source := "embedded defaults"
	file := o.File
	if file == "" {
		if _, err := os.Stat("config.yaml"); err == nil {
			file = "config.yaml"
		}
	}
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return nil, "", configErr("config file: %v", err)
		}
		var m map[string]any
		if err := yaml.Unmarshal(data, &m); err != nil {
			return nil, "", configErr("config file %s: not valid YAML: %v", file, err)
		}
		for _, k := range flattenKeys(m, "") {
			if !keyKnown(k, known) {
				return nil, "", configErr("config file %s: unknown key %q", file, k)
			}
		}
		if err := v.MergeConfig(bytes.NewReader(data)); err != nil {
			return nil, "", configErr("config file %s: %v", file, err)
		}
		source = file
	}
	// Environment: CLINEX_EXTRACT_MAX_GAP → extract.max_gap.
	envKeys := map[string]string{}
	for _, k := range known {
		envKeys["CLINEX_"+strings.ToUpper(strings.NewReplacer(".", "_").Replace(k))] = k
	}
	for _, kv := range o.Env {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || !strings.HasPrefix(name, "CLINEX_") {
			continue
		}
		key, ok := envKeys[name]
		if !ok {
			return nil, "", configErr("environment variable %s names no config key", name)
		}
		if isListKey(v, key) {
			v.Set(key, splitList(val))
		} else {
			v.Set(key, val)
		}
	}
	if o.Flags != nil {
		names := make([]string, 0, len(o.FlagKeys))
		for n := range o.FlagKeys {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			f := o.Flags.Lookup(name)
			if f == nil || !f.Changed {
				continue
			}
			key := o.FlagKeys[name]
			if sv, ok := f.Value.(pflag.SliceValue); ok {
				var items []string
				for _, s := range sv.GetSlice() {
					items = append(items, splitList(s)...)
				}
				v.Set(key, items)
			} else {
				v.Set(key, f.Value.String())
			}
		}
	}
	var cfg Config
	err := v.Unmarshal(&cfg, func(dc *mapstructure.DecoderConfig) {
		dc.ErrorUnused = true
		dc.WeaklyTypedInput = true
	})
	if err != nil {
		return nil, "", configErr("config (%s): %v", source, cleanDecodeErr(err))
	}
	if err := cfg.Validate(); err != nil {
		return nil, "", err
	}
	return &cfg, source, nil
}

func cleanDecodeErr(err error) string {
	s := err.Error()
	s = strings.ReplaceAll(s, "decoding failed due to the following error(s):\n\n", "")
	return strings.TrimSpace(s)
}

func isListKey(v *viper.Viper, key string) bool {
	_, ok := v.Get(key).([]any)
	return ok
}

func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
}

// keyKnown accepts a key that the defaults have, or one below a map whose
// entries are free (eval.schemes.<name>.…).
func keyKnown(k string, known []string) bool {
	if strings.HasPrefix(k, "eval.schemes.") {
		return true
	}
	for _, kk := range known {
		if k == kk || strings.HasPrefix(kk, k+".") {
			return true
		}
	}
	return false
}

func flattenKeys(m map[string]any, prefix string) []string {
	var out []string
	for k, val := range m {
		key := strings.ToLower(prefix + k)
		if sub, ok := val.(map[string]any); ok && len(sub) > 0 {
			out = append(out, flattenKeys(sub, key+".")...)
			continue
		}
		out = append(out, key)
	}
	sort.Strings(out)
	return out
}

// Validate checks values the decoder cannot: ranges and names.
func (c *Config) Validate() error {
	var errs []string
	if c.Input.IDField == "" {
		errs = append(errs, "input.id_field: must not be empty")
	}
	if c.Input.TextField == "" {
		errs = append(errs, "input.text_field: must not be empty")
	}
	for _, f := range c.Output.Formats {
		if !slices.Contains(KnownFormats, f) {
			errs = append(errs, fmt.Sprintf("output.formats: unknown format %q (known: %s)", f, strings.Join(KnownFormats, ", ")))
		}
	}
	if c.Input.MaxReportMB < 0 {
		errs = append(errs, "input.max_report_mb: must be 0 (no cap) or more")
	}
	if c.Run.Workers < 0 {
		errs = append(errs, "run.workers: must be 0 (one per core) or more")
	}
	if c.Extract.MaxGap <= 0 {
		errs = append(errs, "extract.max_gap: must be positive")
	}
	if c.Extract.RuleWindow <= 0 {
		errs = append(errs, "extract.rule_window: must be positive")
	}
	errs = append(errs, output.ValidateStudy(c.Study.Variables)...)
	names := make([]string, 0, len(c.Eval.Schemes))
	for n := range c.Eval.Schemes {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := c.Eval.Schemes[n]
		if err := s.Scheme.Validate(); err != nil {
			errs = append(errs, fmt.Sprintf("eval.schemes.%s: %v", n, err))
		}
	}
	if len(errs) > 0 {
		return &ConfigError{strings.Join(errs, "\n")}
	}
	return nil
}

// Hash is the SHA-256 of the effective configuration (defaults, file,
// environment and flags merged), so a run's result names what produced it.
func (c *Config) Hash() string {
	b, err := json.Marshal(c)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Engine is everything built once from a config: the pattern set, the
// extractor, and the problems found in the rules' own examples.
type Engine struct {
	Config    *Config
	Patterns  *patterns.Set
	Extractor *extract.Extractor
	// Warnings are configuration doubts that do not stop a run.
	Warnings []string
}

// Build loads the patterns, compiles the extractor and runs the examples of
// the user's own pattern files (the built-in ones are proven by the test
// suite); a pattern problem, a failing example included, is an error of type
// patterns.Problems.
func Build(cfg *Config, extraPatternDirs ...string) (*Engine, error) {
	dirs := append(append([]string{}, cfg.Patterns.Dirs...), extraPatternDirs...)
	set, loadErr := patterns.LoadDirs(dirs...)
	var probs patterns.Problems
	if loadErr != nil {
		if !errors.As(loadErr, &probs) || set == nil {
			return nil, loadErr
		}
	}
	ex, err := extract.NewExtractor(set, cfg.Segment, cfg.Extract)
	if err != nil {
		if len(probs) > 0 {
			return nil, probs
		}
		return nil, configErr("%v", err)
	}
	// The examples of the rules that loaded run even when others did not,
	// so one run lists every problem.
	probs = append(probs, ex.CheckExamplesOf(func(s patterns.Source) bool { return !s.Embedded })...)
	if len(probs) > 0 {
		return nil, probs
	}
	warnings := fillStudy(cfg.Study.Variables, set)
	return &Engine{Config: cfg, Patterns: set, Extractor: ex, Warnings: warnings}, nil
}

// fillStudy gives a study variable the label and unit of its concept's
// rule or lexicon entry when the config leaves them out, so "lowest
// hemoglobin" is one line. A concept that no loaded rule or entry produces
// gets a warning, not an error: a pattern folder may switch an entry off
// on purpose, and a measurement named in the text (transmitral_gradient)
// has no entry at all; but a typo would otherwise give an empty column
// without a word.
func fillStudy(vars []output.StudyVar, set *patterns.Set) []string {
	type known struct{ label, unit string }
	concepts := map[string]known{}
	for _, r := range set.Rules {
		if r.Concept != "" {
			concepts[r.Concept] = known{r.Label, r.Unit}
		}
		for _, o := range r.Outputs {
			if _, ok := concepts[o.Concept]; !ok && o.Concept != "" {
				concepts[o.Concept] = known{o.Label, r.Unit}
			}
		}
	}
	for _, a := range set.Analytes {
		k := known{label: a.Label}
		if len(a.Units) > 0 {
			k.unit = a.Units[0]
		}
		concepts[a.Concept] = k
	}
	for _, e := range set.Entities {
		concepts[e.Concept] = known{label: e.Label}
	}
	var warnings []string
	for i := range vars {
		v := &vars[i]
		if v.Concept == "" {
			continue
		}
		k, ok := concepts[v.Concept]
		if !ok {
			if v.Category != extract.CatMeasurement {
				warnings = append(warnings, fmt.Sprintf("study.variables[%d].concept: no rule or lexicon entry gives %q, so its column stays empty (a measurement named in the text needs category: measurement)", i, v.Concept))
			}
			continue
		}
		if v.Label == "" {
			v.Label = k.label
		}
		if v.Unit == "" {
			v.Unit = k.unit
		}
	}
	return warnings
}
