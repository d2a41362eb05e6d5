package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/clinex/clinex"
)

// Settings is everything a worker needs to build the same engine as the
// launcher. Workers on a cluster have neither the launcher's files nor its
// environment, so the config file and the pattern folders travel as their
// contents, and the CLINEX_* variables as they were at launch; every worker
// then goes through clinex.LoadConfig and clinex.Build like the CLI does.
type Settings struct {
	ConfigName string // the file given (or ./config.yaml found); "" for the built-in defaults
	ConfigYAML []byte
	Env        []string  // the launcher's CLINEX_* variables
	Overlays   []Overlay // config patterns.dirs, then --patterns, in order
}

// Overlay is one pattern folder: its path at launch and its YAML files by
// slash-separated path inside it.
type Overlay struct {
	Dir   string
	Files map[string][]byte
}

// LoadSettings reads what the CLI would read: the config file (./config.yaml
// when none is named), the CLINEX_* environment and the pattern folders.
// It builds the engine once on the launcher so that a config or pattern
// mistake stops the run before anything is submitted.
func LoadSettings(configFile string, patternDirs []string, environ []string) (*Settings, *clinex.Engine, error) {
	s := &Settings{ConfigName: configFile}
	if s.ConfigName == "" {
		if _, err := os.Stat("config.yaml"); err == nil {
			s.ConfigName = "config.yaml"
		}
	}
	if s.ConfigName != "" {
		data, err := os.ReadFile(s.ConfigName)
		if err != nil {
			return nil, nil, &clinex.ConfigError{Msg: fmt.Sprintf("config file: %v", err)}
		}
		s.ConfigYAML = data
	}
	for _, kv := range environ {
		if strings.HasPrefix(kv, "CLINEX_") {
			s.Env = append(s.Env, kv)
		}
	}
	sort.Strings(s.Env)
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{File: s.ConfigName, Env: s.Env})
	if err != nil {
		return nil, nil, err
	}
	for _, dir := range append(append([]string{}, cfg.Patterns.Dirs...), patternDirs...) {
		ov, err := readOverlay(dir)
		if err != nil {
			return nil, nil, err
		}
		s.Overlays = append(s.Overlays, ov)
	}
	// Building from the launcher's own files names them in any problem;
	// the workers' copies live in temporary folders.
	eng, err := clinex.Build(cfg, patternDirs...)
	if err != nil {
		return nil, nil, err
	}
	return s, eng, nil
}

func readOverlay(dir string) (Overlay, error) {
	ov := Overlay{Dir: dir, Files: map[string][]byte{}}
	st, err := os.Stat(dir)
	if err != nil {
		return ov, &clinex.ConfigError{Msg: fmt.Sprintf("pattern folder %s: %v", dir, err)}
	}
	if !st.IsDir() {
		return ov, &clinex.ConfigError{Msg: fmt.Sprintf("pattern folder %s: not a folder", dir)}
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		ext := filepath.Ext(p)
		if d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		ov.Files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		return ov, fmt.Errorf("pattern folder %s: %w", dir, err)
	}
	return ov, nil
}

// build makes the engine on a worker from the shipped contents.
func (s *Settings) build() (*clinex.Engine, error) {
	tmp, err := os.MkdirTemp("", "clinex-beam-*")
	if err != nil {
		return nil, err
	}
	// The loader keeps what it read, so the copies are only needed while
	// building.
	defer os.RemoveAll(tmp)
	// Always a file: with none, LoadConfig would read a config.yaml that
	// happens to sit in the worker's working folder.
	configFile := filepath.Join(tmp, "config.yaml")
	data := s.ConfigYAML
	if s.ConfigName == "" {
		data = clinex.DefaultConfig
	}
	if err := os.WriteFile(configFile, data, 0o600); err != nil {
		return nil, err
	}
	dirs := make([]string, len(s.Overlays))
	for i, ov := range s.Overlays {
		dirs[i] = filepath.Join(tmp, fmt.Sprintf("patterns-%d", i))
		for rel, data := range ov.Files {
			p := filepath.Join(dirs[i], filepath.FromSlash(rel))
			if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, data, 0o600); err != nil {
				return nil, err
			}
		}
	}
	cfg, _, err := clinex.LoadConfig(clinex.LoadOptions{File: configFile, Env: s.Env})
	if err != nil {
		return nil, fmt.Errorf("config %s on the worker: %w", s.ConfigName, err)
	}
	// The overlays already hold the config's own pattern folders, in order.
	cfg.Patterns.Dirs = nil
	eng, err := clinex.Build(cfg, dirs...)
	if err != nil {
		return nil, fmt.Errorf("patterns on the worker: %w", err)
	}
	return eng, nil
}

func (s *Settings) digest() string {
	data, _ := json.Marshal(s)
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// engines holds one engine per settings per worker process: a runner may
// create many DoFn instances in one process (one per concurrent bundle), and
// building takes a second and tens of MB, while the extractor is safe for
// concurrent use.
var engines sync.Map // digest → func() (*clinex.Engine, error)

func engineFor(s *Settings) (*clinex.Engine, error) {
	once, _ := engines.LoadOrStore(s.digest(), sync.OnceValues(s.build))
	return once.(func() (*clinex.Engine, error))()
}
