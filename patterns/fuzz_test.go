package patterns

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// Whatever a user's pattern file holds, the loader answers with a set or
// with problems that name the file, and never panics: random YAML, wrong
// types, bad regexes, unknown units, duplicate ids.
//
//	go test -run '^$' -fuzz FuzzLoadPatternFile -fuzztime 30s ./patterns
func FuzzLoadPatternFile(f *testing.F) {
	for _, name := range []string{"analytes.yaml", "units.yaml", "context.yaml", "devices.yaml", "rules/scores.yaml"} {
		data, err := Embedded.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		// The first entries of each file: big enough to hold every kind of
		// node, small enough to mutate quickly.
		f.Add(string(data[:min(len(data), 1500)]))
	}
	for _, s := range []string{"", "rules:\n  - id: a.b\n    pattern: '(?P<value>'\n", "analytes: 5", "disable: [x]\n", "rules: [{id: x.y, keywords: [a], pattern: 'a(?P<value>\\d)', category: lab, concept: c}]", "- - -\n", "units:\n  - code: x\n    synonyms: [\"\"]\n", "&a [*a]", "key: !!binary xyz"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		fsys := fstest.MapFS{"fuzz.yaml": {Data: []byte(data)}}
		type loaded struct {
			set *Set
			err error
		}
		done := make(chan loaded, 1)
		go func() {
			set, err := Load(Layer{Name: "fuzzdir", FS: fsys})
			done <- loaded{set, err}
		}()
		var set *Set
		var err error
		select {
		case l := <-done:
			set, err = l.set, l.err
		case <-time.After(5 * time.Second):
			t.Fatalf("the loader took more than 5 s on %q", data)
		}
		if err == nil {
			if set == nil {
				t.Fatal("no error and no set")
			}
			return
		}
		var ps Problems
		if !errors.As(err, &ps) {
			t.Fatalf("error of type %T, not Problems: %v", err, err)
		}
		for _, p := range ps {
			if p.Message == "" {
				t.Fatalf("a problem without a message: %+v", p)
			}
			if p.File != "" && !strings.HasPrefix(p.File, "fuzzdir") {
				t.Fatalf("a problem names %q, not the file", p.File)
			}
		}
	})
}
