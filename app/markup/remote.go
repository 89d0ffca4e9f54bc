package markup

import (
	"html"
	"strings"

	"github.com/microcosm-cc/bluemonday"
)

// RemoteHTML is HTML written on another server (a remote actor's summary,
// a federated comment) made safe for a page: the same elements, links and
// schemes as rendered Markdown, everything else dropped. It is not
// rendered as Markdown: remote servers send HTML.
func (r *Renderer) RemoteHTML(src string) string {
	out := strings.TrimSpace(r.policy.Sanitize(src))
	return out
}

// strict keeps no element at all.
var strict = bluemonday.StrictPolicy()

// PlainText is remote text that may carry markup (a display name with
// custom emoji spans) as plain text: tags dropped, entities decoded, for a
// template to escape again.
func PlainText(src string) string {
	return strings.TrimSpace(html.UnescapeString(strict.Sanitize(src)))
}
