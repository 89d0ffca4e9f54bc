package web

import (
	"bytes"
	"cabane.dev/cabane/app/markup"
	"fmt"
	"html/template"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/assets"
)

// view is what every page template sees. Its words (embedded) are the
// page's strings: {{.T "key"}}, {{.N "key" n}}, {{.Date t}}, {{.Ago t}},
// {{.Views n}}, {{.State s}}, {{.Privacy p}}.
type view struct {
	words
	Title        string
	InstanceName string
	User         *model.User
	CSRF         string
	SetupDone    bool
	Error        string
	Notice       string
	Data         any
	Lang         string // the page's language, from the catalogues Cabane has
	Path         string // the page's path and query, for the language switcher
	langs        []string
	md           *markup.Renderer
	MyUnread     int // the signed-in user's unread notifications (my pages)
}

// part is what a shared sub-template gets: the page's view (for its
// words) and the data it shows. {{template "video-grid" (part $ .Videos)}}.
type part struct {
	V view
	D any
}

// Markdown is a creator's or admin's text rendered safely (app/markup:
// goldmark, then bluemonday's allowlist): {{$.Markdown .Video.Description}}.
func (v view) Markdown(src string) template.HTML {
	if v.md == nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(v.md.HTML(src)) // sanitised by bluemonday's allowlist
}

// langLink is one entry of the language switcher.
type langLink struct {
	Code, Name, Href string
	Current          bool
}

// Languages is the switcher: each language's own name, linking to the
// same page in it.
func (v view) Languages() []langLink {
	out := make([]langLink, 0, len(v.langs))
	for _, l := range v.langs {
		p := v.msgs
		name := p.T("lang.name." + l)
		out = append(out, langLink{Code: l, Name: name, Current: l == v.Lang,
			Href: "/lang/" + l + "?next=" + url.QueryEscape(v.Path)})
	}
	return out
}

var funcs = template.FuncMap{
	"duration": func(d time.Duration) string {
		t := int(d.Round(time.Second).Seconds())
		if t >= 3600 {
			return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
		}
		return fmt.Sprintf("%d:%02d", t/60, t%60)
	},
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"part": func(v view, d any) part { return part{V: v, D: d} },
	// Links come from the one URL builder, as in the API.
	"watchPath":     uris.ShortWatch,
	"thumbnailPath": uris.Thumbnail,
	"previewPath":   uris.Preview,
	"channelPath":   uris.ChannelPage,
	"accountPath":   uris.AccountPage,
	"apiVideoPath":  uris.APIVideo,
	"eventsPath":    uris.VideoEvents,
	"myPair":        myPair,     // my pages' shared blocks (my_social.go)
	"reportPart":    reportPart, // public pages' report forms (public_pages.go)
	// {{asset "js/player.js"}}: the file's content-hashed URL.
	"asset": func(name string) (string, error) { return assets.Hashed().URL(name) },
}

func (s *Server) view(c echo.Context, title string, data any) view {
	tok, _ := c.Get(ctxCSRF).(string)
	lang := visitorLang(c)
	return view{Title: title, InstanceName: s.instanceName(), User: currentUser(c), CSRF: tok,
		SetupDone: s.setupDone(c.Request().Context()), Data: data, Lang: lang,
		Path: c.Request().URL.RequestURI(), words: s.words(lang), langs: s.msgs.Langs(), MyUnread: s.myUnread(c), md: s.md}
}

// words are lang's strings.
func (s *Server) words(lang string) words { return words{msgs: s.msgs.Printer(lang)} }

// pageWords are the strings in the visitor's language, for what a handler
// puts on a page (a notice, a form's error, a label).
func (s *Server) pageWords(c echo.Context) words { return s.words(visitorLang(c)) }

func (s *Server) render(c echo.Context, code int, page, title string, data any) error {
	return s.renderView(c, code, page, s.view(c, title, data))
}

func (s *Server) renderView(c echo.Context, code int, page string, v view) error {
	t, err := s.tmpl.page(page)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return fmt.Errorf("render %s: %w", page, err)
	}
	h := c.Response().Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	return c.HTMLBlob(code, buf.Bytes())
}
