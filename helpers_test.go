package clinex_test

import (
	"os"
	"sync"
	"testing"

	"github.com/clinex/clinex"
)

// testEngine builds the engine from the repository's config.yaml (the file
// embedded as the default), ignoring CLINEX_* variables, so the environment
// of a developer's shell does not change what tests see.
func testEngine(tb testing.TB) *clinex.Engine {
	tb.Helper()
	eng, err := sharedEngine()
	if err != nil {
		tb.Fatal(err)
	}
	return eng
}

// sharedEngine is built once for the package: the extractor is safe for
// concurrent use and building it takes a second.
var sharedEngine = sync.OnceValues(func() (*clinex.Engine, error) {
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{File: "config.yaml"})
	if err != nil {
		return nil, err
	}
	return clinex.Build(cfg)
})

// needShared skips a test when ../shared is absent on a developer machine,
// and fails it in CI, where the corpus is always beside the checkout.
func needShared(tb testing.TB, path string) {
	tb.Helper()
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("%s is missing in CI: %v", path, err)
		}
		tb.Skipf("%s not present", path)
	}
}
