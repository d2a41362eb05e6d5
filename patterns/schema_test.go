package patterns

import (
	"encoding/json"
	"os"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// The JSON Schema an editor uses and the Go types the loader decodes into
// name the same keys.
func TestSchemaMatchesTheLoader(t *testing.T) {
	b, err := os.ReadFile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var schema struct {
		Properties map[string]any `json:"properties"`
		Defs       map[string]struct {
			Properties map[string]any `json:"properties"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(b, &schema); err != nil {
		t.Fatal(err)
	}
	check := func(name string, props map[string]any, typ reflect.Type) {
		var want, got []string
		for i := 0; i < typ.NumField(); i++ {
			tag := strings.Split(typ.Field(i).Tag.Get("yaml"), ",")[0]
			if tag != "" && tag != "-" {
				want = append(want, tag)
			}
		}
		for k := range props {
			got = append(got, k)
		}
		sort.Strings(want)
		sort.Strings(got)
		if !reflect.DeepEqual(want, got) {
			t.Errorf("%s: schema has %v, loader reads %v", name, got, want)
		}
	}
	check("file", schema.Properties, reflect.TypeOf(file{}))
	for def, typ := range map[string]reflect.Type{"rule": reflect.TypeOf(Rule{}), "analyte": reflect.TypeOf(Analyte{}),
		"entity": reflect.TypeOf(Entity{}), "cue": reflect.TypeOf(Cue{}), "unit": reflect.TypeOf(Unit{}),
		"expect": reflect.TypeOf(Expect{}), "range": reflect.TypeOf(Range{}), "cueExample": reflect.TypeOf(CueExample{})} {
		d, ok := schema.Defs[def]
		if !ok {
			t.Errorf("schema has no $defs/%s", def)
			continue
		}
		check(def, d.Properties, typ)
	}
}
