package web

import (
	"html/template"

	"cabane.dev/cabane/app/markup"
)

// commentHTML is a comment's text as the page shows it (markup.CommentHTML
// writes only escaped text, <br> and checked links).
func commentHTML(text string) template.HTML { return template.HTML(markup.CommentHTML(text)) }
