package torrents

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strconv"
)

// Bencoding (BEP 3), written here rather than imported: Cabane needs to
// write a handful of fixed dictionaries and read back its own piece files,
// about a hundred lines; anacrolix/torrent's bencode package would bring
// that module and its requirements into go.mod for the same thing.
//
// Values are string or []byte (byte strings), int64 or int (integers),
// []any (lists) and map[string]any (dictionaries, written with sorted
// keys as BEP 3 requires, so the same dictionary always hashes the same).

// encode appends v's bencoding to b.
func encode(b []byte, v any) ([]byte, error) {
	switch x := v.(type) {
	case string:
		b = strconv.AppendInt(b, int64(len(x)), 10)
		return append(append(b, ':'), x...), nil
	case []byte:
		b = strconv.AppendInt(b, int64(len(x)), 10)
		return append(append(b, ':'), x...), nil
	case int:
		return encode(b, int64(x))
	case int64:
		b = append(b, 'i')
		b = strconv.AppendInt(b, x, 10)
		return append(b, 'e'), nil
	case []any:
		b = append(b, 'l')
		for _, e := range x {
			var err error
			if b, err = encode(b, e); err != nil {
				return nil, err
			}
		}
		return append(b, 'e'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys) // byte order, as BEP 3 says
		b = append(b, 'd')
		for _, k := range keys {
			b, _ = encode(b, k)
			var err error
			if b, err = encode(b, x[k]); err != nil {
				return nil, err
			}
		}
		return append(b, 'e'), nil
	}
	return nil, fmt.Errorf("bencode: cannot encode %T", v)
}

// Encode is v's bencoding.
func Encode(v any) ([]byte, error) { return encode(nil, v) }

// ErrSyntax is any malformed input to Decode.
var ErrSyntax = errors.New("bencode: malformed input")

// maxDepth bounds nesting so a hostile input cannot exhaust the stack.
const maxDepth = 64

// Decode parses one bencoded value that must span all of b. Byte strings
// come back as string, integers as int64.
func Decode(b []byte) (any, error) {
	v, rest, err := decode(b, 0)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d trailing bytes", ErrSyntax, len(rest))
	}
	return v, nil
}

func decode(b []byte, depth int) (any, []byte, error) {
	if len(b) == 0 || depth > maxDepth {
		return nil, nil, ErrSyntax
	}
	switch c := b[0]; {
	case c == 'i':
		end := bytes.IndexByte(b, 'e')
		if end < 0 {
			return nil, nil, ErrSyntax
		}
		digits := string(b[1:end])
		// BEP 3: no leading zeros, no "-0".
		if digits == "" || digits == "-" || digits == "-0" || (len(digits) > 1 && digits[0] == '0') || (len(digits) > 2 && digits[:2] == "-0") || digits[0] == '+' {
			return nil, nil, ErrSyntax
		}
		n, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return nil, nil, ErrSyntax
		}
		return n, b[end+1:], nil
	case c >= '0' && c <= '9':
		colon := bytes.IndexByte(b, ':')
		if colon < 0 || (colon > 1 && b[0] == '0') {
			return nil, nil, ErrSyntax
		}
		n, err := strconv.ParseUint(string(b[:colon]), 10, 31)
		if err != nil || uint64(len(b)-colon-1) < n {
			return nil, nil, ErrSyntax
		}
		start := colon + 1
		return string(b[start : start+int(n)]), b[start+int(n):], nil
	case c == 'l':
		list := []any{}
		b = b[1:]
		for len(b) > 0 && b[0] != 'e' {
			v, rest, err := decode(b, depth+1)
			if err != nil {
				return nil, nil, err
			}
			list, b = append(list, v), rest
		}
		if len(b) == 0 {
			return nil, nil, ErrSyntax
		}
		return list, b[1:], nil
	case c == 'd':
		dict := map[string]any{}
		b = b[1:]
		prev := ""
		for len(b) > 0 && b[0] != 'e' {
			k, rest, err := decode(b, depth+1)
			ks, ok := k.(string)
			if err != nil || !ok || (len(dict) > 0 && ks <= prev) {
				return nil, nil, ErrSyntax // keys are strings, sorted, unique
			}
			v, rest, err := decode(rest, depth+1)
			if err != nil {
				return nil, nil, err
			}
			dict[ks], prev, b = v, ks, rest
		}
		if len(b) == 0 {
			return nil, nil, ErrSyntax
		}
		return dict, b[1:], nil
	}
	return nil, nil, ErrSyntax
}
