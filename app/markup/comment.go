package markup

import (
	"html/template"
	"net/url"
	"strings"
)

// CommentHTML renders a comment's plain text as HTML, for a page and for
// the Note other servers receive (one rendering, so a comment reads the
// same everywhere): every character
// escaped, line breaks kept, and http(s) links made clickable. Nothing the
// author wrote is ever HTML, so there is nothing to sanitise: the only
// markup is the <a> and <br> this function writes, and an href is only a
// URL that parsed with an http or https scheme and a host, escaped as an
// attribute. Links are rel="nofollow ugc noopener" (PeerTube's too).
func CommentHTML(text string) string {
	var b strings.Builder
	for i, line := range strings.Split(text, "\n") {
		if i > 0 {
			b.WriteString("<br>")
		}
		linkify(&b, line)
	}
	return b.String()
}

func linkify(b *strings.Builder, line string) {
	for line != "" {
		i := nextURL(line)
		if i < 0 {
			b.WriteString(template.HTMLEscapeString(line))
			return
		}
		b.WriteString(template.HTMLEscapeString(line[:i]))
		rest := line[i:]
		end := strings.IndexAny(rest, " \t\r<>\"'")
		if end < 0 {
			end = len(rest)
		}
		// Punctuation closing a sentence is not part of the link.
		raw := strings.TrimRight(rest[:end], ".,;:!?)]")
		if u, err := url.Parse(raw); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
			href := template.HTMLEscapeString(u.String())
			b.WriteString(`<a href="` + href + `" rel="nofollow ugc noopener" target="_blank">` + template.HTMLEscapeString(raw) + `</a>`)
		} else {
			b.WriteString(template.HTMLEscapeString(raw))
		}
		line = rest[len(raw):]
	}
}

// nextURL is where the next http:// or https:// starts in s, or -1.
func nextURL(s string) int {
	i, j := strings.Index(s, "http://"), strings.Index(s, "https://")
	switch {
	case i < 0:
		return j
	case j < 0:
		return i
	}
	return min(i, j)
}
