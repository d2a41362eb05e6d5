package extract

import "testing"

// SharedReports gives the external benchmarks the corpus sample.
func SharedReports(tb testing.TB, limit int) []string {
	return sharedReports(tb, bulkReports, limit)
}
