package firstboot

import (
	"bytes"
	"strings"
	"time"
)

// errorPrefix starts the comment put above a bad line; the next rewrite
// drops the old ones and writes them afresh, so they never pile up.
const errorPrefix = "# error:"

// Consume returns the new content of cabane.txt: each applied line becomes
// a comment saying when it was applied (a secret one says only that it was
// removed), each bad line stays as it was under an "# error:" comment so
// the creator can fix it for the next boot, and every other byte (comments
// in any encoding, CRLF, a BOM) is kept.
func Consume(orig []byte, applied map[int]bool, problems []Problem, now time.Time) []byte {
	lines, bom := splitLines(orig)
	byLine := map[int][]Problem{}
	for _, p := range problems {
		byLine[p.Line] = append(byLine[p.Line], p)
	}
	var out bytes.Buffer
	if bom {
		out.Write(utf8BOM)
	}
	eol := []byte("\n")
	if len(lines) > 0 && bytes.Equal(lines[0].eol, []byte("\r\n")) {
		eol = []byte("\r\n")
	}
	date := now.Format("2006-01-02")
	for _, l := range lines {
		if strings.HasPrefix(l.text, errorPrefix) {
			continue
		}
		lineEOL := l.eol
		if len(lineEOL) == 0 {
			lineEOL = eol
		}
		encode := func(s string) []byte {
			if l.latin1 {
				return toLatin1(s)
			}
			return []byte(s)
		}
		for _, p := range byLine[l.num] {
			out.Write(encode(errorPrefix + " " + oneLine(p.Message.EN) + " / erreur : " + oneLine(p.Message.FR)))
			out.Write(lineEOL)
		}
		switch {
		case !applied[l.num]:
			out.Write(l.body)
			out.Write(l.eol)
			continue
		case isSecretLine(l.text):
			out.WriteString("# " + KeyWiFiPassword + " was applied and removed from the card")
		default:
			out.WriteString("# applied " + date + ": ")
			out.Write(bytes.TrimSpace(l.body))
		}
		out.Write(lineEOL)
	}
	return out.Bytes()
}

func isSecretLine(text string) bool {
	key, _, _ := splitSetting(text)
	return key == KeyWiFiPassword
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }
