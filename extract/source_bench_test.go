package extract

import (
	"os"
	"testing"
)

// BenchmarkReadInputsJSONL reads the e3c-bulk corpus (7.4 MB, 8,081
// lines) into Inputs, as the reader goroutine of a run does.
//
//	go test -run '^$' -bench ReadInputsJSONL -count 6 ./extract/
func BenchmarkReadInputsJSONL(b *testing.B) {
	st, err := os.Stat(bulkReports)
	if err != nil {
		b.Skip("shared corpus missing")
	}
	b.SetBytes(st.Size())
	o := SourceOptions{IDField: "id", TextField: "text"}
	for range b.N {
		n := 0
		err := ReadInputs([]string{bulkReports}, o, func(in Input) error {
			if in.Err != nil {
				b.Fatal(in.Err)
			}
			n++
			return nil
		})
		if err != nil || n != 8081 {
			b.Fatalf("%d reports, %v", n, err)
		}
	}
}
