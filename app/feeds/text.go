package feeds

import (
	"html"
	"strconv"
	"strings"
)

// descriptionHTML is a plain-text description as HTML: escaped, blank lines
// making paragraphs and single newlines line breaks. When descriptions
// become Markdown, the videos service's sanitised HTML replaces this.
func descriptionHTML(desc string) string {
	desc = strings.TrimSpace(strings.ReplaceAll(desc, "\r\n", "\n"))
	if desc == "" {
		return ""
	}
	var b strings.Builder
	for _, p := range strings.Split(desc, "\n\n") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(p), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
