package captions

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ErrBadCaption wraps every reason a caption file is refused; the message
// is for the uploader.
var ErrBadCaption = errors.New("caption refused")

// Bounds on one caption file. PeerTube accepts 20 MB; a feature film's
// subtitles are about 100 KB, and a file is parsed in memory on a box with
// little of it, so Cabane takes at most 4 MiB.
const (
	MaxBytes    = 4 << 20
	maxCues     = 50_000
	maxLineRune = 1000
	maxCueLines = 20
)

// cue is one timed text; times in milliseconds.
type cue struct {
	id         string
	start, end int64
	settings   string
	lines      []string
}

func bad(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadCaption, fmt.Sprintf(format, args...))
}

// Normalize reads a WebVTT or SubRip file and writes it back as a clean
// WebVTT file: only cues (identifier, timing, settings that WebVTT knows,
// text with WebVTT's own tags), no STYLE or REGION blocks, no NOTE. A file
// that is neither, or is malformed, is refused with the line at fault, and
// nothing of it is kept.
func Normalize(data []byte) ([]byte, error) {
	if len(data) > MaxBytes {
		return nil, bad("the file is larger than %d MiB", MaxBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, bad("the file is not UTF-8 text")
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, bad("the file contains NUL bytes: it is not a text file")
	}
	text := strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n")
	var cues []cue
	var err error
	if first, _, _ := strings.Cut(text, "\n"); first == "WEBVTT" || strings.HasPrefix(first, "WEBVTT ") || strings.HasPrefix(first, "WEBVTT\t") {
		cues, err = parseVTT(text)
	} else {
		cues, err = parseSRT(text)
	}
	if err != nil {
		return nil, err
	}
	if len(cues) == 0 {
		return nil, bad("the file has no cue")
	}
	var b strings.Builder
	b.WriteString("WEBVTT\n")
	for _, c := range cues {
		b.WriteString("\n")
		if c.id != "" {
			b.WriteString(c.id + "\n")
		}
		b.WriteString(Timestamp(c.start) + " --> " + Timestamp(c.end))
		if c.settings != "" {
			b.WriteString(" " + c.settings)
		}
		b.WriteString("\n")
		for _, l := range c.lines {
			b.WriteString(l + "\n")
		}
	}
	return []byte(b.String()), nil
}

// blocks splits text into blocks separated by blank lines, with the number
// of each block's first line.
func blocks(text string) (out [][]string, lineNo []int) {
	var cur []string
	start := 0
	for i, l := range strings.Split(text, "\n") {
		if strings.TrimSpace(l) == "" {
			if cur != nil {
				out, lineNo = append(out, cur), append(lineNo, start)
				cur = nil
			}
			continue
		}
		if cur == nil {
			start = i + 1
		}
		cur = append(cur, l)
	}
	if cur != nil {
		out, lineNo = append(out, cur), append(lineNo, start)
	}
	return out, lineNo
}

func parseVTT(text string) ([]cue, error) {
	bs, at := blocks(text)
	var cues []cue
	for i, b := range bs {
		if i == 0 {
			continue // the WEBVTT header block (its other lines are metadata)
		}
		head := b[0]
		if head == "NOTE" || strings.HasPrefix(head, "NOTE ") || strings.HasPrefix(head, "NOTE\t") ||
			head == "STYLE" || head == "REGION" {
			continue // comments, and styling that no viewer needs from an upload
		}
		c := cue{}
		if !strings.Contains(head, "-->") {
			if len(b) < 2 {
				return nil, bad("line %d: %q is neither a cue nor a comment", at[i], clip(head))
			}
			c.id = strings.TrimSpace(cleanLine(head))
			b = b[1:]
			at[i]++
		}
		if err := c.timing(b[0], '.', at[i]); err != nil {
			return nil, err
		}
		if err := c.text(b[1:], at[i]+1); err != nil {
			return nil, err
		}
		cues = append(cues, c)
		if len(cues) > maxCues {
			return nil, bad("more than %d cues", maxCues)
		}
	}
	return cues, nil
}

func parseSRT(text string) ([]cue, error) {
	bs, at := blocks(text)
	var cues []cue
	for i, b := range bs {
		if _, err := strconv.Atoi(strings.TrimSpace(b[0])); err != nil || len(b) < 2 {
			return nil, bad("line %d: neither WebVTT (which starts with \"WEBVTT\") nor SubRip (which starts with a cue number)", at[i])
		}
		c := cue{}
		if err := c.timing(b[1], ',', at[i]+1); err != nil {
			return nil, err
		}
		c.settings = "" // SubRip's "X1:… Y1:…" coordinates mean nothing in WebVTT
		if err := c.text(b[2:], at[i]+2); err != nil {
			return nil, err
		}
		cues = append(cues, c)
		if len(cues) > maxCues {
			return nil, bad("more than %d cues", maxCues)
		}
	}
	return cues, nil
}

// timeRe is a WebVTT timestamp (hours optional) with "." or, for SubRip,
// "," before the milliseconds.
var timeRe = regexp.MustCompile(`^(?:(\d{1,4}):)?([0-5]\d):([0-5]\d)[.,](\d{3})$`)

func parseTime(s string, sep byte) (int64, bool) {
	m := timeRe.FindStringSubmatch(s)
	if m == nil || s[len(s)-4] != sep && !(sep == ',' && s[len(s)-4] == '.') {
		return 0, false
	}
	h, _ := strconv.ParseInt("0"+m[1], 10, 64)
	mi, _ := strconv.ParseInt(m[2], 10, 64)
	se, _ := strconv.ParseInt(m[3], 10, 64)
	ms, _ := strconv.ParseInt(m[4], 10, 64)
	return ((h*60+mi)*60+se)*1000 + ms, true
}

// Timestamp writes milliseconds as WebVTT's hh:mm:ss.ttt.
func Timestamp(ms int64) string {
	return fmt.Sprintf("%02d:%02d:%02d.%03d", ms/3_600_000, ms/60_000%60, ms/1000%60, ms%1000)
}

// settingKeys are WebVTT's cue settings; others are dropped.
var settingKeys = map[string]*regexp.Regexp{
	"vertical": regexp.MustCompile(`^(rl|lr)$`),
	"line":     regexp.MustCompile(`^-?\d{1,3}(\.\d+)?%?(,(start|center|end))?$`),
	"position": regexp.MustCompile(`^\d{1,3}(\.\d+)?%(,(line-left|center|line-right))?$`),
	"size":     regexp.MustCompile(`^\d{1,3}(\.\d+)?%$`),
	"align":    regexp.MustCompile(`^(start|center|end|left|right)$`),
}

func (c *cue) timing(line string, sep byte, lineNo int) error {
	from, rest, ok := strings.Cut(line, "-->")
	if !ok {
		return bad("line %d: %q is not a cue timing (00:00:01.000 --> 00:00:02.000)", lineNo, clip(line))
	}
	fields := strings.Fields(rest)
	if len(fields) == 0 {
		return bad("line %d: the cue has no end time", lineNo)
	}
	var okS, okE bool
	c.start, okS = parseTime(strings.TrimSpace(from), sep)
	c.end, okE = parseTime(fields[0], sep)
	if !okS || !okE {
		return bad("line %d: %q is not a cue timing (00:00:01.000 --> 00:00:02.000)", lineNo, clip(line))
	}
	if c.end <= c.start {
		return bad("line %d: the cue ends before it starts", lineNo)
	}
	var kept []string
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, ":")
		if re, known := settingKeys[k]; known && re.MatchString(v) {
			kept = append(kept, f)
		}
	}
	c.settings = strings.Join(kept, " ")
	return nil
}

func (c *cue) text(lines []string, lineNo int) error {
	if len(lines) > maxCueLines {
		return bad("line %d: a cue of more than %d lines", lineNo, maxCueLines)
	}
	for i, l := range lines {
		if strings.Contains(l, "-->") {
			return bad("line %d: cue text cannot contain \"-->\" (a blank line is missing before the next cue?)", lineNo+i)
		}
		if utf8.RuneCountInString(l) > maxLineRune {
			return bad("line %d: a line of more than %d characters", lineNo+i, maxLineRune)
		}
		// A line left empty by cleaning would end the cue: dropped.
		if l = cleanLine(l); strings.TrimSpace(l) != "" {
			c.lines = append(c.lines, l)
		}
	}
	return nil
}

// tagRe finds the tags of cue text (and SubRip's HTML-like ones).
var tagRe = regexp.MustCompile(`</?([A-Za-z]*)[^<>]*>`)

// cueTags are WebVTT's own cue tags, kept with their classes; other tags
// (SubRip's <font>, anything HTML) are removed, their text kept.
var cueTags = map[string]bool{"b": true, "i": true, "u": true, "c": true, "v": true, "lang": true, "ruby": true, "rt": true}

var cueTagRe = regexp.MustCompile(`^</?(b|i|u|c|ruby|rt)(\.[A-Za-z0-9_-]+)*>$|^<(v|lang)(\.[A-Za-z0-9_-]+)*( [^<>&"]*)?>$|^</(v|lang)>$|^<\d{2,}:[0-5]\d:[0-5]\d\.\d{3}>$|^<[0-5]\d:[0-5]\d\.\d{3}>$`)

// cleanLine keeps WebVTT's tags and text, drops every other tag and
// control character, and escapes what is left of "<" and "&".
func cleanLine(l string) string {
	l = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return -1
		}
		return r
	}, l)
	var b strings.Builder
	last := 0
	for _, m := range tagRe.FindAllStringSubmatchIndex(l, -1) {
		b.WriteString(escape(l[last:m[0]]))
		tag := l[m[0]:m[1]]
		name := strings.ToLower(l[m[2]:m[3]])
		if (cueTags[name] || name == "") && cueTagRe.MatchString(tag) {
			b.WriteString(tag)
		}
		last = m[1]
	}
	b.WriteString(escape(l[last:]))
	return strings.TrimRight(b.String(), " \t")
}

// escape writes text as cue text: "<" always escaped, "&" unless it
// starts an entity.
func escape(s string) string {
	s = strings.ReplaceAll(s, "<", "&lt;")
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '&' && !entityAt(s[i:]) {
			b.WriteString("&amp;")
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

var entityRe = regexp.MustCompile(`^&(amp|lt|gt|lrm|rlm|nbsp|#\d{1,7}|#x[0-9a-fA-F]{1,6});`)

func entityAt(s string) bool { return entityRe.MatchString(s) }

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
