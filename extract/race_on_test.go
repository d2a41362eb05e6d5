//go:build race

package extract

// raceDetector: the race detector slows code some tenfold; the tests that
// compare a fast path with the regex it replaces then take fewer samples
// (they check results, not concurrency).
const raceDetector = true
