package extract

import (
	"strings"
	"testing"
)

// A digit run too long for a float64 once made the scanner loop forever on
// the same position: one such report hung its worker and so the batch.
func TestScannerMovesPastANumberTooLargeForAFloat(t *testing.T) {
	qs := testScanner(t)
	text := "`" + strings.Repeat("2", 400) + " then 7.5 g/dL"
	qq := qs.Scan(text, nil)
	if len(qq) != 1 || qq[0].Value != 7.5 {
		t.Fatalf("got %+v, want only 7.5", qq)
	}
}
