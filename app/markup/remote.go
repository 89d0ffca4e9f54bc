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

// breaks are the elements that end a line in a remote comment's HTML.
var breaks = strings.NewReplacer("<br>", "\n", "<br/>", "\n", "<br />", "\n", "</p>", "</p>\n\n")

// RemoteText is a remote comment's HTML (a Mastodon or GoToSocial Note's
// content) as the plain text Cabane keeps for comments: paragraphs and
// line breaks kept as new lines, every tag dropped (a mention reads
// "@name"), entities decoded, for a template to escape again.
func RemoteText(src string) string {
	return strings.TrimSpace(html.UnescapeString(strict.Sanitize(breaks.Replace(src))))
}
