package output

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"time"
)

// RunInfo is what a run's provenance needs beyond the documents: which
// clinex, which configuration and patterns, which inputs, and when. The
// command sets it before Close on every writer that takes it.
type RunInfo struct {
	Version      string
	ConfigHash   string // SHA-256 of the effective configuration
	PatternsHash string // digest of every pattern file loaded
	ConfigSource string // "embedded defaults" or the file read
	Inputs       []InputFile
	Workers      int
	Formats      []string
	Start        time.Time
	Duration     time.Duration
}

// InputFile is one path given on the command line, with the checksum of
// its bytes when it is a file (folders list their documents in the
// documents table; standard input has no checksum of its own).
type InputFile struct {
	Path   string
	SHA256 string
	Bytes  int64
}

// RunInfoSetter is a writer that records the run's provenance.
type RunInfoSetter interface {
	SetRunInfo(RunInfo)
}

// HashInput describes one input path: a regular file gets the SHA-256 of
// its bytes; a folder or standard input ("-") only its name, since each of
// their documents has its own checksum in the documents table.
func HashInput(path string) InputFile {
	in := InputFile{Path: path}
	if path == "-" {
		return in
	}
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return in
	}
	f, err := os.Open(path)
	if err != nil {
		return in
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return in
	}
	in.SHA256, in.Bytes = hex.EncodeToString(h.Sum(nil)), n
	return in
}
