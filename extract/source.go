package extract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

// Input is one report to process, or the reason it cannot be.
type Input struct {
	ID     string
	Source string // the file, or file:line for a JSONL record
	Text   string
	Err    error
}

// SourceOptions says how to read inputs.
type SourceOptions struct {
	IDField   string
	TextField string
	Stdin     io.Reader
	// MaxBytes caps one report's size; larger ones are an error for that
	// report, not for the batch. 0 means no cap.
	MaxBytes int64
}

// ReadInputs walks the paths in order (folders recursively, sorted) and
// calls emit for every report: .txt files, JSONL files (one report a line)
// and "-" for standard input. A path or record that cannot be read is
// emitted with its error, and the walk goes on.
func ReadInputs(paths []string, o SourceOptions, emit func(Input) error) error {
	ids := map[string]int{}
	uniq := func(in Input) Input {
		ids[in.ID]++
		if n := ids[in.ID]; n > 1 {
			in.ID = fmt.Sprintf("%s#%d", in.ID, n)
		}
		return in
	}
	send := func(in Input) error { return emit(uniq(in)) }
	for _, p := range paths {
		if p == "-" {
			if err := readStdin(o, send); err != nil {
				return err
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			if err := send(Input{ID: p, Source: p, Err: fmt.Errorf("cannot read %s: %w", p, unwrapPathErr(err))}); err != nil {
				return err
			}
			continue
		}
		if !st.IsDir() {
			if err := readFile(p, o, send); err != nil {
				return err
			}
			continue
		}
		var files []string
		var walkErrs []Input
		filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				walkErrs = append(walkErrs, Input{ID: path, Source: path, Err: fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err))})
				if d != nil && d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() {
				if path != p && strings.HasPrefix(d.Name(), ".") {
					return fs.SkipDir
				}
				return nil
			}
			if isReportFile(path) && !strings.HasPrefix(d.Name(), ".") {
				files = append(files, path)
			}
			return nil
		})
		sort.Strings(files)
		for _, in := range walkErrs {
			if err := send(in); err != nil {
				return err
			}
		}
		for _, f := range files {
			if err := readFile(f, o, send); err != nil {
				return err
			}
		}
	}
	return nil
}

func unwrapPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func isReportFile(path string) bool {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt", ".jsonl":
		return true
	}
	return false
}

func stem(path string) string {
	base := filepath.Base(path)
	return strings.TrimSuffix(base, filepath.Ext(base))
}

func readFile(path string, o SourceOptions, send func(Input) error) error {
	if strings.EqualFold(filepath.Ext(path), ".jsonl") {
		f, err := os.Open(path)
		if err != nil {
			return send(Input{ID: stem(path), Source: path, Err: fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err))})
		}
		defer f.Close()
		return readJSONL(f, path, o, send)
	}
	in := Input{ID: stem(path), Source: path}
	if o.MaxBytes > 0 {
		if st, err := os.Stat(path); err == nil && st.Size() > o.MaxBytes {
			in.Err = fmt.Errorf("%s is %d bytes, over the %d-byte limit for one report", path, st.Size(), o.MaxBytes)
			return send(in)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		in.Err = fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err))
		return send(in)
	}
	in.Text, in.Err = checkText(data, path)
	return send(in)
}

// ReadReport reads one report file from r exactly as ReadInputs reads a file
// on disk (same ids, sources, text checks and errors): a name ending in
// .jsonl holds one report a line, any other name one report. It serves
// readers whose files are not on the local disk (a Beam pipeline reading
// object storage), so that they cannot drift from the CLI's records. Record
// ids are not made unique across files: that needs the whole run.
func ReadReport(name string, r io.Reader, o SourceOptions, send func(Input) error) error {
	if strings.EqualFold(filepath.Ext(name), ".jsonl") {
		return readJSONL(r, name, o, send)
	}
	in := Input{ID: stem(name), Source: name}
	if o.MaxBytes > 0 {
		r = io.LimitReader(r, o.MaxBytes+1)
	}
	data, err := io.ReadAll(r)
	switch {
	case err != nil:
		in.Err = fmt.Errorf("cannot read %s: %w", name, unwrapPathErr(err))
	case o.MaxBytes > 0 && int64(len(data)) > o.MaxBytes:
		in.Err = fmt.Errorf("%s is over the %d-byte limit for one report", name, o.MaxBytes)
	default:
		in.Text, in.Err = checkText(data, name)
	}
	return send(in)
}

func readStdin(o SourceOptions, send func(Input) error) error {
	r := o.Stdin
	if r == nil {
		r = os.Stdin
	}
	br := bufio.NewReaderSize(r, 1<<16)
	peek, _ := br.Peek(512)
	if t := bytes.TrimLeft(peek, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		return readJSONL(br, "stdin", o, send)
	}
	data, err := io.ReadAll(br)
	in := Input{ID: "stdin", Source: "stdin"}
	if err != nil {
		in.Err = fmt.Errorf("cannot read standard input: %w", err)
		return send(in)
	}
	in.Text, in.Err = checkText(data, "standard input")
	return send(in)
}

func readJSONL(r io.Reader, name string, o SourceOptions, send func(Input) error) error {
	br := bufio.NewReaderSize(r, 1<<20)
	for line := 1; ; line++ {
		raw, err := br.ReadBytes('\n')
		if len(bytes.TrimSpace(raw)) > 0 {
			src := fmt.Sprintf("%s:%d", name, line)
			in := Input{ID: fmt.Sprintf("%s:%d", stem(name), line), Source: src}
			var rec map[string]any
			if jerr := json.Unmarshal(raw, &rec); jerr != nil {
				in.Err = fmt.Errorf("%s: not a JSON object: %v", src, jerr)
			} else {
				if id, ok := rec[o.IDField]; ok && id != nil {
					in.ID = fmt.Sprint(id)
				}
				text, ok := rec[o.TextField].(string)
				if !ok {
					in.Err = fmt.Errorf("%s: no string field %q holds the report text", src, o.TextField)
				} else {
					in.Text, in.Err = checkText([]byte(text), src)
				}
			}
			if err := send(in); err != nil {
				return err
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return send(Input{ID: name, Source: name, Err: fmt.Errorf("reading %s: %w", name, err)})
		}
	}
}

// checkText refuses what is not text: NUL bytes mean a binary file, and
// invalid UTF-8 is named with the offset where it starts.
func checkText(data []byte, name string) (string, error) {
	if bytes.IndexByte(data, 0) >= 0 {
		return "", fmt.Errorf("%s looks binary (it holds NUL bytes), not a text report", name)
	}
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return "", fmt.Errorf("%s is not valid UTF-8 (first bad byte at offset %d)", name, off)
	}
	return string(data), nil
}
