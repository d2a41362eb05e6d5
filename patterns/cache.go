package patterns

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/gob"
	"encoding/json"
	"sync"
)

// decodedCache holds the built-in pattern files already decoded (each
// file's decoded form with its SHA-256), made from the YAML by
//
//	CLINEX_UPDATE_PATTERN_CACHE=1 go test ./patterns -run TestDecodedCache
//
// Decoding 1.3 MB of YAML was over half of every command's start-up. The
// YAML stays the source: a file whose bytes no longer match its entry is
// decoded from YAML as before, and a test fails until the cache is made
// again, so an edited pattern can never be shadowed by an old one.
//
//go:embed decoded.gob
var decodedCache []byte

type cacheEntry struct {
	Name string // in patterns/
	SHA  [32]byte
	// File is the file's decoded form as JSON: gob would lose a pointer
	// to zero (a plausible minimum of 0 would become no minimum).
	File []byte
	// Ints marks the example values YAML read as integers (JSON gives
	// float64s back), in the order expects walks them.
	Ints []bool
}

// expects is every example value of a file, in a fixed order.
func expects(f *file) []*Expect {
	var out []*Expect
	add := func(ex *Examples) {
		for i := range ex.Match {
			out = append(out, &ex.Match[i])
		}
	}
	for i := range f.Rules {
		add(&f.Rules[i].Examples)
	}
	for i := range f.Analytes {
		add(&f.Analytes[i].Examples)
	}
	for i := range f.Entities {
		add(&f.Entities[i].Examples)
	}
	return out
}

var (
	cacheOnce    sync.Once
	cacheEntries map[string]cacheEntry
)

// cachedFile is the embedded file name's decoded form, if the cache holds
// this very content.
func cachedFile(name string, data []byte) (file, bool) {
	cacheOnce.Do(func() {
		var list []cacheEntry
		if err := gob.NewDecoder(bytes.NewReader(decodedCache)).Decode(&list); err != nil {
			return // decode from YAML; the cache test says why
		}
		cacheEntries = make(map[string]cacheEntry, len(list))
		for _, e := range list {
			cacheEntries[e.Name] = e
		}
	})
	e, ok := cacheEntries[name]
	if !ok || e.SHA != sha256.Sum256(data) {
		return file{}, false
	}
	var f file
	if err := json.Unmarshal(e.File, &f); err != nil {
		return file{}, false
	}
	exs := expects(&f)
	if len(exs) != len(e.Ints) {
		return file{}, false
	}
	for i, ex := range exs {
		if v, ok := ex.Value.(float64); ok && e.Ints[i] {
			ex.Value = int(v)
		}
	}
	return f, true
}

// buildDecodedCache decodes every built-in file from YAML and returns the
// cache's bytes; a file with problems is left out (it is decoded, and its
// problems reported, at every start).
func buildDecodedCache() ([]byte, error) {
	names, err := yamlFiles(Embedded)
	if err != nil {
		return nil, err
	}
	var entries []cacheEntry // in the files' order, so the cache is made the same every time
	for _, d := range decodeFiles(Layer{Name: "embedded", FS: Embedded}, names, false) {
		if d.err != nil || len(d.probs) > 0 {
			continue
		}
		var ints []bool
		cacheable := true
		for _, ex := range expects(&d.f) {
			switch ex.Value.(type) {
			case nil, string, bool, float64:
				ints = append(ints, false)
			case int:
				ints = append(ints, true)
			default: // a list or a map: left to the YAML
				cacheable = false
			}
		}
		if !cacheable {
			continue
		}
		data, err := json.Marshal(d.f)
		if err != nil {
			return nil, err
		}
		entries = append(entries, cacheEntry{Name: d.name, SHA: sha256.Sum256(d.data), File: data, Ints: ints})
	}
	var out bytes.Buffer
	err = gob.NewEncoder(&out).Encode(entries)
	return out.Bytes(), err
}
