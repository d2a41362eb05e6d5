package extract

import (
	"bufio"
	"encoding/json"
	"os"
	"testing"
)

// bulkReports is the unannotated corpus the equivalence tests and the
// benchmarks sample real text from.
const bulkReports = "../../shared/corpus/e3c-bulk/e3c-layer3-en.jsonl"

// sharedReports reads the texts of the first limit reports of a JSONL
// file from ../shared; nil when the file is missing, so each caller says
// whether that skips it or leaves it its made-up texts.
func sharedReports(tb testing.TB, path string, limit int) []string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	var texts []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() && len(texts) < limit {
		var rec struct{ Text string }
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			tb.Fatalf("%s: %v", path, err)
		}
		texts = append(texts, rec.Text)
	}
	if err := sc.Err(); err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return texts
}

// withSharedReports returns the made-up texts followed by real reports,
// up to limit texts in all (raceLimit under the race detector, which makes
// each text ten times slower and checks concurrency, not results). Without
// ../shared the made-up texts stand alone, so the test still runs.
func withSharedReports(tb testing.TB, madeUp []string, limit, raceLimit int) []string {
	tb.Helper()
	if raceDetector {
		limit = raceLimit
	}
	bulk := sharedReports(tb, bulkReports, limit-len(madeUp))
	if bulk == nil {
		tb.Logf("shared corpus missing: made-up texts only")
	}
	return append(madeUp, bulk...)
}
