package patterns

import (
	"os"
	"reflect"
	"testing"
)

// The decoded cache must give exactly what decoding the YAML gives, for
// every built-in file; after an edit of a pattern file this fails until
// the cache is made again:
//
//	CLINEX_UPDATE_PATTERN_CACHE=1 go test ./patterns -run TestDecodedCache
func TestDecodedCacheIsCurrent(t *testing.T) {
	if os.Getenv("CLINEX_UPDATE_PATTERN_CACHE") != "" {
		data, err := buildDecodedCache()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("decoded.gob", data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote decoded.gob (%d bytes); run the tests again to check it", len(data))
		return
	}
	names, err := yamlFiles(Embedded)
	if err != nil {
		t.Fatal(err)
	}
	const remake = "the pattern cache is out of date: CLINEX_UPDATE_PATTERN_CACHE=1 go test ./patterns -run TestDecodedCache"
	for _, d := range decodeFiles(DefaultLayer(), names, false) {
		if d.err != nil || len(d.probs) > 0 {
			t.Fatalf("%s: %v %v", d.name, d.err, d.probs)
		}
		cached, ok := cachedFile(d.name, d.data)
		if !ok {
			t.Fatalf("%s is not in the cache, or has changed since: %s", d.name, remake)
		}
		if !reflect.DeepEqual(cached, d.f) {
			t.Fatalf("%s: the cache decodes to something else than the YAML: %s", d.name, remake)
		}
		// other bytes under the same name are decoded from the YAML
		if _, ok := cachedFile(d.name, append(d.data[:len(d.data):len(d.data)], '\n')); ok {
			t.Fatalf("%s: the cache answered for different content", d.name)
		}
	}
	if len(cacheEntries) != len(names) {
		t.Fatalf("the cache holds %d files, the patterns %d: %s", len(cacheEntries), len(names), remake)
	}
}
