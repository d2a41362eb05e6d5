package extract

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Value is a finding's value: a number where the text has one, a string for
// categorical values (female, III-IV), or nothing (a mention without a value).
type Value struct {
	Num  float64
	Str  string
	Kind ValueKind
}

// ValueKind tells which field of a Value holds it.
type ValueKind uint8

const (
	NoValue ValueKind = iota
	NumValue
	StrValue
)

// Number returns a numeric Value.
func Number(f float64) Value { return Value{Num: f, Kind: NumValue} }

// String returns a categorical Value.
func String(s string) Value { return Value{Str: s, Kind: StrValue} }

// IsNum reports whether v holds a number.
func (v Value) IsNum() bool { return v.Kind == NumValue }

// Interface returns the value as float64, string or nil.
func (v Value) Interface() any {
	switch v.Kind {
	case NumValue:
		return v.Num
	case StrValue:
		return v.Str
	}
	return nil
}

func (v Value) String() string {
	switch v.Kind {
	case NumValue:
		return FormatNumber(v.Num)
	case StrValue:
		return v.Str
	}
	return ""
}

// FormatNumber prints a number in its shortest exact form (48.9, not 48.900000001).
func FormatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func (v Value) MarshalJSON() ([]byte, error) {
	switch v.Kind {
	case NumValue:
		return []byte(FormatNumber(v.Num)), nil
	case StrValue:
		return json.Marshal(v.Str)
	}
	return []byte("null"), nil
}

func (v *Value) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*v = Value{}
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*v = String(s)
	default:
		f, err := strconv.ParseFloat(string(b), 64)
		if err != nil {
			return fmt.Errorf("value: %w", err)
		}
		*v = Number(f)
	}
	return nil
}
