package firstboot

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// rawLine is one line of cabane.txt as it lies on the card, and its
// decoded text. The rewrite keeps the bytes of the lines it does not
// consume, so a Latin-1 comment stays Latin-1.
type rawLine struct {
	num    int    // 1-based
	body   []byte // without the line ending
	eol    []byte // "\r\n", "\n" or "" for a last line without one
	latin1 bool   // the file is not UTF-8: written in Latin-1 (Windows "ANSI")
	text   string // body decoded to UTF-8 and trimmed of spaces
}

// splitLines cuts the file into lines after removing a UTF-8 BOM (reported
// back so the rewrite keeps it).
func splitLines(data []byte) (lines []rawLine, bom bool) {
	if bytes.HasPrefix(data, utf8BOM) {
		data, bom = data[len(utf8BOM):], true
	}
	// One encoding for the whole file: the comments Cabane adds must read
	// right in the editor that shows the creator's own.
	// A BOM declares UTF-8, whatever stray byte follows.
	latin1 := !bom && !utf8.Valid(data)
	for n := 1; len(data) > 0; n++ {
		l := rawLine{num: n}
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			l.body, data = data[:i], data[i+1:]
			l.eol = []byte("\n")
		} else {
			l.body, data = data, nil
		}
		if b, ok := bytes.CutSuffix(l.body, []byte("\r")); ok {
			l.body = b
			l.eol = append([]byte("\r"), l.eol...)
		}
		s := string(l.body)
		l.latin1 = latin1
		if !utf8.ValidString(s) {
			s = fromLatin1(l.body)
		}
		l.text = strings.TrimSpace(s)
		lines = append(lines, l)
	}
	return lines, bom
}

// fromLatin1 decodes ISO 8859-1, where every byte is the code point of the
// same number.
func fromLatin1(b []byte) string {
	r := make([]rune, len(b))
	for i, c := range b {
		r[i] = rune(c)
	}
	return string(r)
}

// toLatin1 encodes s for a file written in Latin-1; characters outside it
// become '?'.
func toLatin1(s string) []byte {
	out := make([]byte, 0, len(s))
	for _, r := range s {
		if r > 0xFF {
			r = '?'
		}
		out = append(out, byte(r))
	}
	return out
}

// isComment says whether a trimmed line carries no setting.
func isComment(text string) bool { return text == "" || text[0] == '#' }
