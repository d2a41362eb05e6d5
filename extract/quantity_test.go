package extract

import (
	"testing"

	"github.com/clinex/clinex/patterns"
)

func testScanner(t testing.TB) *QuantityScanner {
	t.Helper()
	set, err := patterns.LoadDirs()
	if err != nil {
		t.Fatal(err)
	}
	um, err := NewUnitMatcher(set.Units)
	if err != nil {
		t.Fatal(err)
	}
	return &QuantityScanner{units: um}
}

func TestQuantityScanner(t *testing.T) {
	qs := testScanner(t)
	type want struct {
		value  float64
		max    float64 // 0: none
		second float64 // 0: none
		op     string
		unit   string
		text   string // the whole quantity as found
	}
	cases := []struct {
		in   string
		want []want
	}{
		{"hemoglobin 8.6 g/dL", []want{{value: 8.6, unit: "g/dL", text: "8.6 g/dL"}}},
		{"78/45 mmHg", []want{{value: 78, second: 45, unit: "mm[Hg]", text: "78/45 mmHg"}}},
		{"107/66 mm Hg", []want{{value: 107, second: 66, unit: "mm[Hg]", text: "107/66 mm Hg"}}},
		{"(35% to 50%)", []want{{value: 35, max: 50, unit: "%", text: "35% to 50%"}}},
		{"normal 12-16 g/dL", []want{{value: 12, max: 16, unit: "g/dL", text: "12-16 g/dL"}}},
		{"troponin <0.01 ng/mL", []want{{value: 0.01, op: "<", unit: "ng/mL", text: "<0.01 ng/mL"}}},
		{"WBC >35,000/µL", []want{{value: 35000, op: ">", unit: "/uL", text: ">35,000/µL"}}},
		{"1,547 cells/mm3", []want{{value: 1547, unit: "/uL", text: "1,547 cells/mm3"}}},
		{"platelets 150 ×10^9/L", []want{{value: 150, unit: "10*9/L", text: "150 ×10^9/L"}}},
		{"93 × 103 cells/µL", []want{{value: 93, unit: "10*3/uL", text: "93 × 103 cells/µL"}}},
		{"18.3×10⁹/L", []want{{value: 18.3, unit: "10*9/L", text: "18.3×10⁹/L"}}},
		{"85 beats per minute", []want{{value: 85, unit: "/min", text: "85 beats per minute"}}},
		{"38.5°C", []want{{value: 38.5, unit: "Cel", text: "38.5°C"}}},
		{"0.3 µg/kg/min", []want{{value: 0.3, unit: "ug/kg/min", text: "0.3 µg/kg/min"}}},
		{"135 mEq/L", []want{{value: 135, unit: "meq/L", text: "135 mEq/L"}}},
		{"5 m in length", []want{{value: 5, unit: "m", text: "5 m"}}},
		{"T-score: -3.4", []want{{value: -3.4, text: "-3.4"}}},
		{"up to 7 mmHg", []want{{value: 7, op: "<=", unit: "mm[Hg]", text: "up to 7 mmHg"}}},
		{"between 2 and 3 cm", []want{{value: 2, max: 3, unit: "cm", text: "between 2 and 3 cm"}}},
		// names, not values
		{"PaO2 and SpO2, A3-P3, COVID-19", nil},
		{"INR-1.3", []want{{value: 1.3, text: "1.3"}}},
	}
	for _, c := range cases {
		got := qs.Scan(c.in, nil)
		if len(got) != len(c.want) {
			t.Errorf("%q: %d quantities, want %d: %+v", c.in, len(got), len(c.want), got)
			continue
		}
		for i, w := range c.want {
			q := got[i]
			text := c.in[q.Start:q.End]
			if q.Value != w.value || q.Op != w.op || q.UnitCode != w.unit || text != w.text {
				t.Errorf("%q: got value %v op %q unit %q text %q; want %v %q %q %q", c.in, q.Value, q.Op, q.UnitCode, text, w.value, w.op, w.unit, w.text)
			}
			if (w.max == 0) != (q.ValueMax == nil) || q.ValueMax != nil && *q.ValueMax != w.max {
				t.Errorf("%q: value_max %v, want %v", c.in, q.ValueMax, w.max)
			}
			if (w.second == 0) != (q.Second == nil) || q.Second != nil && *q.Second != w.second {
				t.Errorf("%q: second %v, want %v", c.in, q.Second, w.second)
			}
		}
	}
}

// The number and unit parsers never panic and never report a quantity
// outside the text, whatever it holds.
func FuzzQuantityScanner(f *testing.F) {
	qs := testScanner(f)
	for _, s := range []string{"78/45 mmHg", "1,547.5 x 10^9/L", "<0.01-", "5 to", "-", "10⁹", "between 1 and", "3 × 10(9)/L"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, q := range qs.Scan(in, nil) {
			if q.Start < 0 || q.End > len(in) || q.Start > q.NumStart || q.NumEnd > q.End || q.NumStart >= q.NumEnd {
				t.Fatalf("%q: bad quantity %+v", in, q)
			}
		}
	})
}
