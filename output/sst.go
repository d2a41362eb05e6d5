package output

import (
	"math"
	"strings"
)

// sharedStrings is the workbook's shared string table (xl/sharedStrings.xml),
// streamed to a temporary file like the sheets.
//
// An inline text cell costs some fifty bytes of XML around its text, and a
// run's text cells repeat: the document id on each of its findings, a few
// dozen categories, sections and assertions, the sentence that several
// findings share. A cell that refers to a shared string is half as long,
// and its text is written (and deflated) once. Only recent strings are
// remembered, so memory stays flat: a string seen again after the table
// forgot it is simply added again, which a shared string table allows
// (its entries need not be unique).
type sharedStrings struct {
	deflatedPart
	// n is the number of strings written, the next one's index.
	n int
	// recent maps the strings written lately to their index; recentBytes
	// is the length of its keys.
	recent      map[string]int
	recentBytes int
	// short caches recent's short texts, by their content, in front of
	// it: in a run the map is large and its look-ups, cache misses in its
	// groups and then in the key's bytes, were a third of the workbook
	// writer's time; an entry here holds the text's bytes, so a hit costs
	// one small read and no pointer (nor anything for the collector). An
	// entry is a key of recent with its index and goes when recent is
	// cleared: it answers as recent would.
	short *[shortSlots]shortText
}

// shortText is a short text and its index in the table, plus one (0 for
// an empty entry).
type shortText struct {
	index int32
	n     uint8
	text  [shortTextMax]byte
}

const (
	shortTextMax = 27 // an entry is 32 bytes
	shortBits    = 12
	shortSlots   = 1 << shortBits
)

// shortSlot places a text of 1 to shortTextMax bytes by its first and
// last eight bytes (fewer overlap) and its length.
func shortSlot(s string) uint64 {
	var a, b uint64
	if len(s) >= 8 {
		a = uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
			uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
		t := s[len(s)-8:]
		b = uint64(t[0]) | uint64(t[1])<<8 | uint64(t[2])<<16 | uint64(t[3])<<24 |
			uint64(t[4])<<32 | uint64(t[5])<<40 | uint64(t[6])<<48 | uint64(t[7])<<56
	} else {
		for i := range len(s) {
			a |= uint64(s[i]) << (8 * i)
		}
	}
	h := (a*0x9E3779B97F4A7C15 ^ b) * 0xC2B2AE3D27D4EB4F
	return (h ^ uint64(len(s))) * 0x9E3779B97F4A7C15 >> (64 - shortBits)
}

// The recent strings kept: enough for the categories, concepts, rules and
// units a whole run repeats and a few documents' sentences and ids.
// Variables so a test can make the table forget often.
var (
	sstRecentBytes   = 4 << 20
	sstRecentStrings = 1 << 16
)

func newSharedStrings(workbook string) (*sharedStrings, error) {
	t := &sharedStrings{recent: make(map[string]int, 1024), short: new([shortSlots]shortText)}
	if err := t.start(workbook, "strings"); err != nil {
		return nil, err
	}
	// No count or uniqueCount: both are optional, and not known until the
	// end of a streamed table.
	t.buf = append(t.buf, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`...)
	return t, nil
}

// index returns the index of s in the table, adding it if it was not
// written lately.
func (t *sharedStrings) index(s string) int {
	if len(s) == 0 || len(s) > shortTextMax {
		if i, ok := t.recent[s]; ok {
			return i
		}
		return t.add(s, false)
	}
	e := &t.short[shortSlot(s)]
	if e.index > 0 && int(e.n) == len(s) && string(e.text[:len(s)]) == s {
		return int(e.index) - 1
	}
	i, ok := t.recent[s]
	if !ok {
		i = t.add(s, false) // clears short when it clears recent
	}
	if i < math.MaxInt32 && len(s) <= sstRecentBytes/16 { // remembered
		e.index, e.n = int32(i+1), uint8(len(s))
		copy(e.text[:], s)
	}
	return i
}

// indexBytes is index for a text in a scratch buffer (a JSON cell): the
// lookup does not copy it.
func (t *sharedStrings) indexBytes(b []byte) int {
	if i, ok := t.recent[string(b)]; ok {
		return i
	}
	return t.add(string(b), true)
}

// addOnce writes s as the next string without remembering it.
func (t *sharedStrings) addOnce(s string) int {
	t.buf = appendSharedString(t.buf, s)
	t.flushFull()
	t.n++
	return t.n - 1
}

// addItems writes n string items made by appendSharedString as the next
// strings, and returns the first one's index.
func (t *sharedStrings) addItems(b []byte, n int) int {
	for len(b) > 0 {
		// Handed to the deflater a chunk at a time, as rows are.
		k := min(len(b), max(deflateChunkSize-len(t.buf), 0))
		t.buf = append(t.buf, b[:k]...)
		b = b[k:]
		t.flushFull()
	}
	t.n += n
	return t.n - n
}

// add writes s as the next string and remembers it; fresh says s is a
// copy of its own already.
func (t *sharedStrings) add(s string, fresh bool) int {
	i := t.addOnce(s)
	if len(t.recent) >= sstRecentStrings || t.recentBytes+len(s) > sstRecentBytes {
		clear(t.recent)
		clear(t.short[:])
		t.recentBytes = 0
	}
	if len(s) <= sstRecentBytes/16 {
		// A copy: the key must not hold the document's text alive.
		if !fresh {
			s = strings.Clone(s)
		}
		t.recent[s] = i
		t.recentBytes += len(s)
	}
	return i
}

// appendSharedString appends one string item, <si><t>…</t></si>, marked to
// keep its white space where a reader could otherwise trim or fold it.
func appendSharedString(b []byte, s string) []byte {
	if keepsSpace(s) {
		b = append(b, `<si><t xml:space="preserve">`...)
	} else {
		b = append(b, `<si><t>`...)
	}
	b = appendEscaped(b, s)
	return append(b, `</t></si>`...)
}

// keepsSpace reports whether s needs xml:space="preserve": it starts or
// ends with white space, or holds a tab, line break or run of spaces.
// Every sentence is asked, so it looks at eight bytes at a time.
func keepsSpace(s string) bool {
	if s == "" {
		return false
	}
	if isXMLSpace(s[0]) || isXMLSpace(s[len(s)-1]) {
		return true
	}
	i := 0
	var spaceBefore uint64 // 1 when the byte before i is a space
	for ; i+8 <= len(s); i += 8 {
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		// The high bit of each space byte: two in a row, or one first
		// after a space that ended the word before.
		sp := zeroBytes(x ^ (ones * ' '))
		if sp&(sp>>8) != 0 || spaceBefore&(sp>>7) != 0 {
			return true
		}
		spaceBefore = sp >> 63
		// A byte below 0x20 (a control byte): the word is looked at a
		// byte at a time for a tab or line break.
		if (x-ones*0x20)&^x&highs != 0 {
			for _, c := range []byte(s[i : i+8]) {
				if c == '\t' || c == '\n' || c == '\r' {
					return true
				}
			}
		}
	}
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\t' || c == '\n' || c == '\r' || c == ' ' && spaceBefore != 0 {
			return true
		}
		spaceBefore = 0
		if c == ' ' {
			spaceBefore = 1
		}
	}
	return false
}

// zeroBytes has the high bit of each byte of x that is zero set, and no
// other bit (exactly: no borrow crosses from one byte to the next).
func zeroBytes(x uint64) uint64 {
	const lows = ones * 0x7f
	return ^((x&lows + lows) | x | lows)
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// finish ends the table.
func (t *sharedStrings) finish() error {
	t.buf = append(t.buf, `</sst>`...)
	return t.finishPart()
}
