// Package markup renders the small Markdown subset Cabane's texts use (the
// instance's descriptions and terms) as HTML that is safe to embed: every
// character of the source is escaped first, and only tags this package
// writes itself reach the page, so a <script> in a text is shown, never run.
//
// The subset: paragraphs (blank lines), line breaks, "# " headings (levels
// 1 to 3, shown one level below the page's title), "- " or "* " lists,
// **bold**, *italic*, `code`, and [links](https://...) to http, https and
// mailto addresses only. Anything else stays as the text it is.
package markup

import (
	"html"
	"regexp"
	"strings"
)

// HTML is src rendered; "" for an empty text.
func HTML(src string) string {
	src = strings.TrimSpace(strings.ReplaceAll(src, "\r\n", "\n"))
	if src == "" {
		return ""
	}
	var b strings.Builder
	for _, block := range strings.Split(src, "\n\n") {
		if block = strings.Trim(block, "\n"); strings.TrimSpace(block) == "" {
			continue
		}
		writeBlock(&b, strings.Split(block, "\n"))
	}
	return b.String()
}

// writeBlock writes one blank-line-separated block: headings and list
// items each take their line; other lines join into paragraphs.
func writeBlock(b *strings.Builder, lines []string) {
	var para []string
	inList := false
	flush := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + strings.Join(para, "<br>") + "</p>")
			para = nil
		}
	}
	closeList := func() {
		if inList {
			b.WriteString("</ul>")
			inList = false
		}
	}
	for _, l := range lines {
		t := strings.TrimSpace(l)
		if lvl, text, ok := heading(t); ok {
			flush()
			closeList()
			tag := string(rune('1' + lvl)) // # is h2: the page has its own h1
			b.WriteString("<h" + tag + ">" + inline(text) + "</h" + tag + ">")
			continue
		}
		if item, ok := strings.CutPrefix(t, "- "); ok || strings.HasPrefix(t, "* ") {
			if !ok {
				item = t[2:]
			}
			flush()
			if !inList {
				b.WriteString("<ul>")
				inList = true
			}
			b.WriteString("<li>" + inline(item) + "</li>")
			continue
		}
		closeList()
		para = append(para, inline(t))
	}
	flush()
	closeList()
}

func heading(t string) (level int, text string, ok bool) {
	for level = 1; level <= 3; level++ {
		if rest, found := strings.CutPrefix(t, strings.Repeat("#", level)+" "); found {
			return level, rest, true
		}
	}
	return 0, "", false
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	link     = regexp.MustCompile(`\[([^\]]+)\]\(([^)\s]+)\)`)
	bold     = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	italic   = regexp.MustCompile(`\*([^*]+)\*`)
)

// inline escapes a line, then marks it up. The patterns match escaped
// text, in which no markup of the source survives: whatever they wrap is
// already inert.
func inline(s string) string {
	s = html.EscapeString(s)
	// Code first, its content kept from the other patterns.
	var codes []string
	s = codeSpan.ReplaceAllStringFunc(s, func(m string) string {
		codes = append(codes, "<code>"+m[1:len(m)-1]+"</code>")
		return "\x00" + string(rune('a'+len(codes)-1)) + "\x00"
	})
	s = link.ReplaceAllStringFunc(s, func(m string) string {
		sub := link.FindStringSubmatch(m)
		href := html.UnescapeString(sub[2])
		if !safeHref(href) {
			return m
		}
		return `<a href="` + html.EscapeString(href) + `" rel="nofollow noopener noreferrer">` + sub[1] + `</a>`
	})
	s = bold.ReplaceAllString(s, "<strong>$1</strong>")
	s = italic.ReplaceAllString(s, "<em>$1</em>")
	for i, c := range codes {
		s = strings.Replace(s, "\x00"+string(rune('a'+i))+"\x00", c, 1)
	}
	return s
}

// safeHref allows web and mail links only: no javascript:, data: or
// relative tricks.
func safeHref(h string) bool {
	l := strings.ToLower(h)
	return strings.HasPrefix(l, "https://") || strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:")
}
