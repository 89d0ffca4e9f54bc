// Package markup renders the Markdown that creators and admins write
// (video and channel descriptions, the instance's about page and terms) as
// HTML that is safe to put in a page. goldmark renders CommonMark with
// autolinks and never passes raw HTML through; bluemonday then keeps only
// text formatting and http, https and mailto links, as PeerTube's own
// renderer does, so hostile input is shown as text or dropped, never run.
package markup

import (
	"bytes"
	"strings"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// Renderer turns Markdown into safe HTML. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New builds a renderer. Building the sanitiser's policy costs more than a
// render, so build one and share it.
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.Linkify, extension.Strikethrough),
		// The page has its own <h1>: a text's headings start one below.
		goldmark.WithParserOptions(parser.WithASTTransformers(util.Prioritized(demoteHeadings{}, 100))),
		// A line break in a description is a line break, as on PeerTube.
		goldmark.WithRendererOptions(html.WithHardWraps()),
	)
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li", "hr",
		"h2", "h3", "h4", "h5", "h6")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https", "mailto")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.RequireNoReferrerOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.AllowAttrs("start").Matching(bluemonday.Integer).OnElements("ol")
	return &Renderer{md: md, policy: p}
}

// HTML is src rendered and sanitised; "" for a blank text.
func (r *Renderer) HTML(src string) string {
	if strings.TrimSpace(src) == "" {
		return ""
	}
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(src), &buf); err != nil {
		// goldmark fails only when writing to buf fails, which a
		// bytes.Buffer does not; show the text rather than nothing.
		return r.policy.Sanitize("<p>" + strings.ReplaceAll(src, "<", "&lt;") + "</p>")
	}
	out := r.policy.SanitizeReader(&buf).String()
	if strings.TrimSpace(out) == "" {
		return "" // only what the sanitiser removed
	}
	return out
}

// demoteHeadings moves every heading one level down ("# Rules" is an
// <h2>), so that a text never competes with its page's title.
type demoteHeadings struct{}

func (demoteHeadings) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if h, ok := n.(*ast.Heading); ok && entering {
			h.Level = min(h.Level+1, 6)
		}
		return ast.WalkContinue, nil
	})
}
