package extract

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Input is one report to process, or the reason it cannot be.
type Input struct {
	ID     string
	Source string // the file, or file:line for a JSONL record
	Text   string
	Err    error
	// Warnings say what was done to the text to make it readable (a
	// byte-order mark dropped, invalid UTF-8 replaced); offsets refer to
	// the text as decoded.
	Warnings []string
	// Repaired is set when bytes of the report were replaced (invalid
	// UTF-8 under RepairUTF8): its findings carry the flag repaired_utf8.
	Repaired bool
	// Known is the document's result when it is already known (a resumed
	// run's journal): the pool hands it on without extracting again.
	Known *Result
}

// SourceOptions says how to read inputs.
type SourceOptions struct {
	IDField   string
	TextField string
	Stdin     io.Reader
	// StdinJSONL reads standard input as JSONL whatever it starts with
	// (stream mode); otherwise a stdin starting with '{' is JSONL and
	// anything else is one report.
	StdinJSONL bool
	// MaxBytes caps one report's size (a file, a JSONL line, standard
	// input); larger ones are an error for that report, not for the
	// batch, and are never read whole into memory. 0 means no cap.
	MaxBytes int64
	// RepairUTF8 replaces each invalid UTF-8 byte with U+FFFD instead of
	// refusing the report.
	RepairUTF8 bool
}

// ReadInputs walks the paths in order and calls emit for every report:
// .txt files, JSONL files (one report a line), folders of them (recursively,
// in lexical order, hidden entries skipped) and "-" for standard input.
// Reports are read one at a time as emit asks for them, so memory holds the
// reports in flight and never the corpus nor its list of files. A path or
// record that cannot be read is emitted with its error and the walk goes on;
// only an error from emit (the run was cancelled) ends it.
func ReadInputs(paths []string, o SourceOptions, emit func(Input) error) error {
	// Duplicate ids get a "#n" suffix. Only a hash of each id is kept, so
	// the table costs a few bytes a document, not the ids themselves.
	seen := newIDCounts()
	send := func(in Input) error {
		if n := seen.add(in.ID); n > 1 {
			in.ID = fmt.Sprintf("%s#%d", in.ID, n)
		}
		return emit(in)
	}
	for _, p := range paths {
		if p == "-" {
			if err := readStdin(o, send); err != nil {
				return err
			}
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			if err := send(failed(p, p, fmt.Errorf("cannot read %s: %w", p, unwrapPathErr(err)))); err != nil {
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
		// WalkDir reads one folder at a time, sorted, and the callback
		// sends each report before the walk goes on.
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if serr := send(failed(path, path, fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err)))); serr != nil {
					return serr
				}
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
			if !isReportFile(path) || strings.HasPrefix(d.Name(), ".") {
				return nil
			}
			return readFile(path, o, send)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// idCounts counts how often each id was seen, by a 64-bit hash of it, as
// a map[uint64]uint32 would: a hash seen once sits in an open-addressing
// table of hashes alone, and only the few seen again get a count in a map.
// Assigning into the map for every document, its growth included, was a
// third of the reader's time (a cache miss and more per id).
type idCounts struct {
	seed maphash.Seed
	// slots holds the hashes seen, 0 for an empty slot; the hash 0 itself
	// is counted in zero.
	slots []uint64
	used  int
	zero  uint32
	// again counts the hashes seen more than once.
	again map[uint64]uint32
}

func newIDCounts() *idCounts {
	return &idCounts{seed: maphash.MakeSeed(), slots: make([]uint64, 1<<10)}
}

// add counts id once more and returns how many times it was seen so far.
func (c *idCounts) add(id string) uint32 { return c.addHash(maphash.String(c.seed, id)) }

func (c *idCounts) addHash(h uint64) uint32 {
	if h == 0 {
		c.zero++
		return c.zero
	}
	mask := uint64(len(c.slots) - 1)
	// The hash is uniform: its low bits pick the slot.
	for i := h & mask; ; i = (i + 1) & mask {
		switch c.slots[i] {
		case h:
			if c.again == nil {
				c.again = map[uint64]uint32{}
			}
			n := c.again[h]
			if n == 0 {
				n = 1
			}
			n++
			c.again[h] = n
			return n
		case 0:
			c.slots[i] = h
			c.used++
			if c.used*4 > len(c.slots)*3 {
				c.grow()
			}
			return 1
		}
	}
}

func (c *idCounts) grow() {
	old := c.slots
	c.slots = make([]uint64, 2*len(old))
	mask := uint64(len(c.slots) - 1)
	for _, h := range old {
		if h == 0 {
			continue
		}
		i := h & mask
		for c.slots[i] != 0 {
			i = (i + 1) & mask
		}
		c.slots[i] = h
	}
}

func failed(id, source string, err error) Input { return Input{ID: id, Source: source, Err: err} }

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
	f, err := os.Open(path)
	if err != nil {
		return send(failed(stem(path), path, fmt.Errorf("cannot read %s: %w", path, unwrapPathErr(err))))
	}
	defer f.Close()
	return ReadReport(path, f, o, send)
}

// ReadReport reads one report file from r exactly as ReadInputs reads a file
// on disk (same ids, sources, decoding, checks and errors): a name ending in
// .jsonl holds one report a line, any other name one report. It serves
// readers whose files are not on the local disk (a Beam pipeline reading
// object storage), so that they cannot drift from the CLI's records. Record
// ids are not made unique across files: that needs the whole run.
func ReadReport(name string, r io.Reader, o SourceOptions, send func(Input) error) error {
	if strings.EqualFold(filepath.Ext(name), ".jsonl") {
		return readJSONL(r, name, o, send)
	}
	in := Input{ID: stem(name), Source: name}
	data, err := readCapped(r, o.MaxBytes)
	if err != nil {
		in.Err = readErr(name, err)
		return send(in)
	}
	decodeInto(&in, data, name, o)
	return send(in)
}

// errTooLarge says a report is over SourceOptions.MaxBytes.
type errTooLarge struct {
	size  int64 // -1 when only "more than max" is known
	limit int64
}

func (e errTooLarge) Error() string {
	mb := func(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/1e6) }
	size := "more than " + mb(e.limit)
	if e.size >= 0 {
		size = mb(e.size)
	}
	return fmt.Sprintf("is %s, over the %s limit for one report (input.max_report_mb); split it or raise the limit", size, mb(e.limit))
}

func readErr(name string, err error) error {
	var big errTooLarge
	if errors.As(err, &big) {
		return fmt.Errorf("%s %w", name, err)
	}
	return fmt.Errorf("cannot read %s: %w", name, unwrapPathErr(err))
}

// readCapped reads r whole, but never more than max+1 bytes: a report over
// the cap is refused without being held in memory.
func readCapped(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		return io.ReadAll(r)
	}
	if f, ok := r.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode().IsRegular() && st.Size() > max {
			return nil, errTooLarge{st.Size(), max}
		}
	}
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, errTooLarge{-1, max}
	}
	return data, nil
}

func readStdin(o SourceOptions, send func(Input) error) error {
	r := o.Stdin
	if r == nil {
		r = os.Stdin
	}
	br := bufio.NewReaderSize(r, 1<<16)
	if o.StdinJSONL {
		return readJSONL(br, "stdin", o, send)
	}
	peek, _ := br.Peek(512)
	if t := bytes.TrimLeft(peek, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '{' {
		return readJSONL(br, "stdin", o, send)
	}
	in := Input{ID: "stdin", Source: "stdin"}
	data, err := readCapped(br, o.MaxBytes)
	if err != nil {
		in.Err = readErr("standard input", err)
		return send(in)
	}
	decodeInto(&in, data, "standard input", o)
	return send(in)
}

func readJSONL(r io.Reader, name string, o SourceOptions, send func(Input) error) error {
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 1<<20)
	}
	// A line may hold the report text escaped, so it may be a little
	// longer than the report itself.
	lineCap := int64(0)
	if o.MaxBytes > 0 {
		lineCap = o.MaxBytes + o.MaxBytes/8 + 4096
	}
	idStem := stem(name)
	var srcBuf []byte
	for line := 1; ; line++ {
		raw, over, err := readLine(br, lineCap)
		// name:line in one allocation; the id stem:line only for a
		// record without an id of its own.
		srcBuf = strconv.AppendInt(append(append(srcBuf[:0], name...), ':'), int64(line), 10)
		src := string(srcBuf)
		in := Input{Source: src}
		blank := false
		switch {
		case over > 0:
			in.Err = fmt.Errorf("%s: the line %s", src, errTooLarge{over, o.MaxBytes})
		case len(bytes.TrimSpace(raw)) == 0:
			blank = true
		default:
			decodeRecord(&in, raw, src, o)
		}
		if in.ID == "" {
			in.ID = idStem + src[len(name):]
		}
		if !blank {
			if serr := send(in); serr != nil {
				return serr
			}
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return send(failed(name, name, fmt.Errorf("reading %s: %w", name, err)))
		}
	}
}

// readLine reads up to and including the next '\n'. A line longer than max
// (when max > 0) is skipped to its end and only its length is returned.
func readLine(br *bufio.Reader, max int64) (line []byte, over int64, err error) {
	// A line that fits in the reader's buffer is used where it is (it is
	// decoded before the next read): no copy.
	chunk, err := br.ReadSlice('\n')
	if err != bufio.ErrBufferFull {
		if max > 0 && int64(len(chunk)) > max {
			return nil, int64(len(chunk)), err
		}
		return chunk, 0, err
	}
	buf := append([]byte(nil), chunk...)
	n := int64(len(chunk))
	if max > 0 && n > max {
		buf = nil
	}
	for {
		chunk, err := br.ReadSlice('\n')
		n += int64(len(chunk))
		if max <= 0 || n <= max {
			buf = append(buf, chunk...)
		} else {
			buf = nil
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if max > 0 && n > max {
			return nil, n, err
		}
		return buf, 0, err
	}
}

func decodeRecord(in *Input, raw []byte, src string, o SourceOptions) {
	raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
	// The common line (an object of valid UTF-8 with a string text) is read
	// in one pass; anything else goes the long way, for the same result
	// and encoding/json's own error messages.
	if rec, ok := scanRecord(raw, o.IDField, o.TextField); ok && rec.hasText && rec.text[0] == '"' {
		if rec.hasID {
			recordID(in, rec.id)
		}
		decodeText(in, unquoteJSON(rec.text, rec.textEscaped), src, o, rec.textEscaped)
		return
	}
	decodeRecordSlow(in, raw, src, o)
}

// decodeRecordSlow reads any line with encoding/json.
func decodeRecordSlow(in *Input, raw []byte, src string, o SourceOptions) {
	var rec map[string]json.RawMessage
	if err := json.Unmarshal(raw, &rec); err != nil {
		if !utf8.Valid(raw) && !o.RepairUTF8 {
			in.Err = fmt.Errorf("%s: not valid UTF-8 (use --repair-utf8 to replace bad bytes with U+FFFD)", src)
			return
		}
		in.Err = fmt.Errorf("%s: not a JSON object: %v", src, err)
		return
	}
	if idRaw, ok := rec[o.IDField]; ok {
		recordID(in, idRaw)
	}
	textRaw, ok := rec[o.TextField]
	var text string
	if !ok || json.Unmarshal(textRaw, &text) != nil {
		in.Err = fmt.Errorf("%s: no string field %q holds the report text", src, o.TextField)
		return
	}
	// encoding/json has already replaced invalid UTF-8 in the string with
	// U+FFFD; whether that is allowed is decided on the raw bytes.
	if !utf8.Valid(textRaw) {
		if !o.RepairUTF8 {
			in.Err = fmt.Errorf("%s: the text is not valid UTF-8 (use --repair-utf8 to replace bad bytes with U+FFFD)", src)
			return
		}
		in.Repaired = true
		in.Warnings = append(in.Warnings, "invalid UTF-8 replaced with U+FFFD; offsets count the repaired text")
	}
	decodeInto(in, []byte(text), src, o)
}

// recordID sets the document's id from the raw JSON of the id field: a
// string (an empty one keeps the line's id), or the spelling of anything
// else but null.
func recordID(in *Input, idRaw []byte) {
	if len(idRaw) > 1 && idRaw[0] == '"' && bytes.IndexByte(idRaw, '\\') < 0 && utf8.Valid(idRaw) {
		if id := idRaw[1 : len(idRaw)-1]; len(id) > 0 {
			in.ID = string(id)
		}
		return
	}
	var id string
	if json.Unmarshal(idRaw, &id) == nil {
		if id != "" {
			in.ID = id
		}
	} else if t := strings.TrimSpace(string(idRaw)); t != "null" && t != "" {
		in.ID = t // a number keeps its spelling: 42, not 42.0
	}
}

// decodeText is decodeInto for a JSONL record's text, unescaped by
// unquoteJSON from a string scanRecord accepted, so valid UTF-8, and
// without a NUL unless it was escaped: the common one, with no byte-order
// mark and not blank, is the report as it is, without another copy;
// anything else goes through decodeInto.
func decodeText(in *Input, text string, name string, o SourceOptions, escaped bool) {
	if strings.HasPrefix(text, "\xEF\xBB\xBF") || strings.HasPrefix(text, "\xFF\xFE") || strings.HasPrefix(text, "\xFE\xFF") ||
		strings.TrimSpace(text) == "" || escaped && strings.IndexByte(text, 0) >= 0 {
		decodeInto(in, []byte(text), name, o)
		return
	}
	in.Text = text
}

// decodeInto turns a report's bytes into its text. UTF-8 (a leading BOM
// dropped) is read as is; UTF-16 with a BOM is decoded; NUL bytes otherwise
// mean a binary file; invalid UTF-8 is refused with the offset where it
// starts, or repaired under RepairUTF8. Offsets of findings count code
// points of the decoded text, so a BOM is not counted: Python's
// open(f, encoding="utf-8-sig") or encoding="utf-16" reads the same text.
func decodeInto(in *Input, data []byte, name string, o SourceOptions) {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
		in.Warnings = append(in.Warnings, "UTF-8 byte-order mark dropped; offsets count from the character after it")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		text, err := decodeUTF16(data[2:], data[0] == 0xFF)
		if err != nil {
			in.Err = fmt.Errorf("%s: %v", name, err)
			return
		}
		data = []byte(text)
		in.Warnings = append(in.Warnings, "decoded from UTF-16; offsets count code points of the decoded text")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		in.Err = fmt.Errorf("%s is empty: no report text", name)
		return
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		in.Err = fmt.Errorf("%s looks binary (a NUL byte at offset %d), not a text report", name, i)
		return
	}
	if !utf8.Valid(data) {
		if !o.RepairUTF8 {
			in.Err = fmt.Errorf("%s is not valid UTF-8 (first bad byte at offset %d); use --repair-utf8 to replace bad bytes with U+FFFD", name, firstInvalid(data))
			return
		}
		data = repairUTF8(data)
		if !in.Repaired {
			in.Repaired = true
			in.Warnings = append(in.Warnings, "invalid UTF-8 replaced with U+FFFD; offsets count the repaired text")
		}
	}
	in.Text = string(data)
}

func firstInvalid(data []byte) int {
	off := 0
	for off < len(data) {
		r, size := utf8.DecodeRune(data[off:])
		if r == utf8.RuneError && size <= 1 {
			break
		}
		off += size
	}
	return off
}

// repairUTF8 replaces each byte that does not start a valid sequence with
// one U+FFFD, so one bad byte costs one code point (as Python's
// errors="replace" does for a stray Latin-1 byte).
func repairUTF8(data []byte) []byte {
	out := make([]byte, 0, len(data)+16)
	for len(data) > 0 {
		r, size := utf8.DecodeRune(data)
		if r == utf8.RuneError && size <= 1 {
			out = utf8.AppendRune(out, utf8.RuneError)
			data = data[1:]
			continue
		}
		out = append(out, data[:size]...)
		data = data[size:]
	}
	return out
}

func decodeUTF16(b []byte, little bool) (string, error) {
	if len(b)%2 != 0 {
		return "", errors.New("UTF-16 text with an odd number of bytes (truncated?)")
	}
	units := make([]uint16, len(b)/2)
	for i := range units {
		if little {
			units[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
		} else {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		}
	}
	return string(utf16.Decode(units)), nil
}
