package web

import (
	"bytes"
	"cabane.dev/cabane/app/i18n"
	"fmt"
	"html/template"
	"io/fs"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/assets"
)

// view is what every page template sees.
type view struct {
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
	msgs         i18n.Printer
	langs        []string
	MyUnread     int // the signed-in user's unread notifications (my pages)
}

// T is the message key in the page's language ({{.T "home.recent"}}, or
// {{$.T ...}} inside a range), formatted with args when there are any.
func (v view) T(key string, args ...any) string { return v.msgs.T(key, args...) }

// N is the form of key that fits the count n ({{$.N "video.views" .Views}}).
func (v view) N(key string, n any, args ...any) string { return v.msgs.N(key, toInt(n), args...) }

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

// toInt accepts the integer types templates hand over (counts are int64 in
// the models).
func toInt(n any) int {
	switch x := n.(type) {
	case int:
		return x
	case int64:
		return int(x)
	case int32:
		return int(x)
	case uint64:
		return int(x)
	}
	return 0
}

var funcs = template.FuncMap{
	"duration": func(d time.Duration) string {
		t := int(d.Round(time.Second).Seconds())
		if t >= 3600 {
			return fmt.Sprintf("%d:%02d:%02d", t/3600, t/60%60, t%60)
		}
		return fmt.Sprintf("%d:%02d", t/60, t%60)
	},
	"views": func(n int64) string {
		if n == 1 {
			return "1 view"
		}
		return fmt.Sprintf("%d views", n)
	},
	"ago":        ago,
	"date":       func(t time.Time) string { return t.Format("2 January 2006") },
	"iso":        func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"stateLabel": stateLabel,
	// Links come from the one URL builder, as in the API.
	"watchPath":     uris.ShortWatch,
	"thumbnailPath": uris.Thumbnail,
	"previewPath":   uris.Preview,
	"channelPath":   uris.ChannelPage,
	"accountPath":   uris.AccountPage,
	"apiVideoPath":  uris.APIVideo,
	"eventsPath":    uris.VideoEvents,
	"privacyLabel":  privacyLabel,
	"searchT":       searchT,
	"myPair":        myPair, // my pages' shared blocks (my_social.go)
	// {{asset "js/player.js"}}: the file's content-hashed URL.
	"asset": func(name string) (string, error) { return assets.Hashed().URL(name) },
}

func ago(t time.Time) string {
	d := time.Since(t)
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return plural(int(d.Minutes()), "minute") + " ago"
	case d < 24*time.Hour:
		return plural(int(d.Hours()), "hour") + " ago"
	case d < 30*24*time.Hour:
		return plural(int(d.Hours()/24), "day") + " ago"
	}
	return t.Format("2 Jan 2006")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

func loadTemplates() (map[string]*template.Template, error) {
	fsys := assets.Templates()
	layout, err := template.New("").Funcs(funcs).ParseFS(fsys, "layout.html")
	if err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	pages, err := fs.Glob(fsys, "*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		if p == "layout.html" {
			continue
		}
		t, err := template.Must(layout.Clone()).ParseFS(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", p, err)
		}
		out[strings.TrimSuffix(p, ".html")] = t
	}
	return out, nil
}

func (s *Server) view(c echo.Context, title string, data any) view {
	tok, _ := c.Get(ctxCSRF).(string)
	lang := visitorLang(c)
	return view{Title: title, InstanceName: s.instanceName(), User: currentUser(c), CSRF: tok,
		SetupDone: s.setupDone(c.Request().Context()), Data: data, Lang: lang,
		Path: c.Request().URL.RequestURI(), msgs: s.msgs.Printer(lang), langs: s.msgs.Langs(), MyUnread: s.myUnread(c)}
}

func (s *Server) render(c echo.Context, code int, page, title string, data any) error {
	return s.renderView(c, code, page, s.view(c, title, data))
}

func (s *Server) renderView(c echo.Context, code int, page string, v view) error {
	t, ok := s.tmpl[page]
	if !ok {
		return fmt.Errorf("no template %q", page)
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

func stateLabel(state int) string {
	switch state {
	case model.StatePublished:
		return "Published"
	case model.StateToTranscode:
		return "To transcode"
	case model.StateTranscodingFailed:
		return "Transcoding failed"
	}
	return "Unknown"
}

func privacyLabel(p int) string {
	switch p {
	case model.PrivacyPublic:
		return "Public"
	case model.PrivacyUnlisted:
		return "Unlisted"
	case model.PrivacyPrivate:
		return "Private"
	case model.PrivacyInternal:
		return "Internal"
	case model.PrivacyLocal:
		return "Local network only"
	}
	return "Unknown"
}
