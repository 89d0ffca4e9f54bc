package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

// The public pages' parts beyond the listings (#9 point 7): the home's
// sections, the watch page's share, support and "next" blocks, the
// channel and account heads (avatar, support, playlists), and the report
// forms (#9 point 8), which file through app/abuses as /api/v1/abuses does.

// publicPageRoutes are the report forms and the recent videos' list.
func (s *Server) publicPageRoutes(e *echo.Echo, page, listing []echo.MiddlewareFunc) {
	user := append(page[:len(page):len(page)], s.requireLogin)
	e.GET("/videos/recently-added", s.recentPage, listing...)
	e.GET("/w/p/:id", s.playlistPage, page...)
	e.POST("/videos/watch/:id/report", s.reportVideo, user...)
	e.POST("/videos/watch/:id/comments/:commentId/report", s.reportComment, user...)
	e.POST("/accounts/:name/report", s.reportAccount, user...)
}

// homeTrending is how many trending videos the home shows above the
// recent ones; nextMax how many "next" videos the watch page suggests;
// channelPlaylists how many playlists a channel page shows.
const (
	homeTrending     = 8
	nextMax          = 8
	channelPlaylists = 12
)

// homeData is the home: trending first (on the first page only), then
// the recent videos with their pager. Trending is nil on the recent page.
type homeData struct {
	listData
	Trending []model.Video
	Home     bool // the home itself, not /videos/recently-added
}

func (s *Server) home(c echo.Context) error {
	d, _, err := s.videoPage(c, videos.ListQuery{})
	if err != nil {
		return err
	}
	h := homeData{listData: d, Home: true}
	if pageStart(c) == 0 {
		// Trending is the listing's own sort (views over recent days).
		if h.Trending, _, err = s.Videos.List(c.Request().Context(), viewer(c), videos.ListQuery{Sort: "-trending", Count: homeTrending}); err != nil {
			return fmt.Errorf("home trending: %w", err)
		}
	}
	return s.render(c, http.StatusOK, "home", "", h)
}

// recentPage is the "more" of the home's recent section.
func (s *Server) recentPage(c echo.Context) error {
	d, _, err := s.videoPage(c, videos.ListQuery{Sort: "-publishedAt"})
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "home", s.pageWords(c).T("home.recent"), homeData{listData: d})
}

// shareView is the watch page's share block: the link and the embed code.
type shareView struct {
	URL, EmbedURL, EmbedCode string
}

func shareOf(u uris.Builder, v model.Video) shareView {
	embed := u.Abs(uris.Embed(v.UUID))
	// The same iframe /services/oembed answers (app/feeds), so a pasted
	// code and a link preview play alike.
	return shareView{URL: u.Abs(uris.ShortWatch(v.ShortUUID)), EmbedURL: embed, EmbedCode: embedCode(v.Name, embed)}
}

func embedCode(name, embed string) string {
	return fmt.Sprintf(`<iframe width="%d" height="%d" sandbox="allow-same-origin allow-scripts allow-popups allow-forms" title="%s" src="%s" frameborder="0" allowfullscreen></iframe>`,
		feeds.EmbedWidth, feeds.EmbedHeight, html.EscapeString(name), html.EscapeString(embed))
}

// supportText is what the support button shows: the video's own text,
// else its channel's (PeerTube's client does the same).
func supportText(v model.Video) string {
	if t := strings.TrimSpace(v.Support); t != "" {
		return t
	}
	return strings.TrimSpace(v.Channel.Support)
}

// nextVideos are the videos to watch after v: its channel's first, then
// the instance's recent ones. Both are listings without an owner scope,
// so visibility.List keeps them to what anyone like the viewer may see
// listed (never a private, unlisted or unfinished video, even the
// viewer's own).
func (s *Server) nextVideos(c echo.Context, v model.Video) ([]model.Video, error) {
	ctx, who := c.Request().Context(), viewer(c)
	same, _, err := s.Videos.List(ctx, who, videos.ListQuery{ChannelID: v.ChannelID, Count: nextMax + 1, Sort: "-publishedAt"})
	if err != nil {
		return nil, fmt.Errorf("next videos of channel %d: %w", v.ChannelID, err)
	}
	recent, _, err := s.Videos.List(ctx, who, videos.ListQuery{Count: nextMax + 1, Sort: "-publishedAt"})
	if err != nil {
		return nil, fmt.Errorf("next recent videos: %w", err)
	}
	seen := map[int64]bool{v.ID: true}
	out := []model.Video{}
	for _, x := range append(same, recent...) {
		if len(out) == nextMax {
			break
		}
		if !seen[x.ID] {
			seen[x.ID] = true
			out = append(out, x)
		}
	}
	return out, nil
}

// reportView is one report form: a reason and PeerTube's predefined
// reasons; the anonymous get a login link instead.
type reportView struct {
	ID       string // the form's DOM id: "report-video", "report-account"
	Action   string
	Next     string // where the browser goes back to
	LoggedIn bool
	Login    string
}

func reportOf(c echo.Context, id, action string) *reportView {
	next := c.Request().URL.RequestURI()
	return &reportView{ID: id, Action: action, Next: next, LoggedIn: currentUser(c) != nil,
		Login: "/login?next=" + url.QueryEscape(next)}
}

// AbuseReasons are PeerTube's predefined reasons with their labels, for
// the report forms ({{range $.AbuseReasons}}).
func (w words) AbuseReasons() []option {
	out := make([]option, 0, len(model.AbuseReasons))
	for _, r := range model.AbuseReasons {
		out = append(out, option{Value: r, Label: w.T("public.report.reason." + r)})
	}
	return out
}

// profileHead is a channel's or account's picture: the account's avatar
// (app/profile), else the name's first letter. Cabane has no banners:
// the model holds none, so the pages show none.
type profileHead struct {
	AvatarURL string
	Initial   string
}

func (s *Server) profileHead(c echo.Context, accountID int64, name string) (profileHead, error) {
	h := profileHead{Initial: initial(name)}
	if s.Profile == nil {
		return h, nil
	}
	a, err := s.Profile.AvatarOf(c.Request().Context(), accountID)
	if err != nil {
		return h, err
	}
	h.AvatarURL = avatarURL(a)
	return h, nil
}

// initial is a name's first letter, upper-cased, for the avatar fallback.
func initial(name string) string {
	r, _ := utf8.DecodeRuneInString(strings.TrimSpace(name))
	if r == utf8.RuneError {
		return "?"
	}
	return string(unicode.ToUpper(r))
}

// channelExtras fills a channel page's head: avatar, support, playlists
// (those the viewer may see, through app/playlists) and the report form
// for its account.
func (s *Server) channelExtras(c echo.Context, d *channelData, ch model.Channel) error {
	var err error
	if d.Head, err = s.profileHead(c, ch.AccountID, ch.DisplayName); err != nil {
		return err
	}
	if d.Support, err = s.supportOf(c.Request().Context(), ch.Support, model.ChannelFunding(ch.ID)); err != nil {
		return err
	}
	if s.Playlists != nil {
		if d.Playlists, _, err = s.Playlists.OfChannel(c.Request().Context(), viewer(c), ch, playlists.Query{Count: channelPlaylists}); err != nil {
			return err
		}
	}
	d.Report = s.accountReport(c, ch.AccountID, ch.Account.Name)
	return nil
}

// accountReport is the report form for an account; none on one's own.
func (s *Server) accountReport(c echo.Context, accountID int64, name string) *reportView {
	if s.Abuses == nil || name == "" {
		return nil
	}
	if u := currentUser(c); u != nil && u.AccountID == accountID {
		return nil
	}
	return reportOf(c, "report-account", uris.Account(name)+"/report")
}

// watchExtras fills the watch page's share, support, next and report
// blocks.
func (s *Server) watchExtras(c echo.Context, d *watchData) error {
	v := d.Video
	d.Share = shareOf(s.urls(c), v)
	if o := d.Origin; o != nil {
		// PeerTube shares a remote video's own URLs.
		d.Share.URL = o.URL
		if o.Embed != "" {
			d.Share.EmbedURL = o.Embed
			d.Share.EmbedCode = embedCode(v.Name, o.Embed)
		}
	}
	var err error
	if d.Support, err = s.supportOf(c.Request().Context(), supportText(v), model.ChannelFunding(v.ChannelID)); err != nil {
		return err
	}
	if d.Next, err = s.nextVideos(c, v); err != nil {
		return err
	}
	if s.Abuses != nil {
		d.Report = reportOf(c, "report-video", uris.Watch(v.UUID)+"/report")
	}
	return nil
}

// publicNotice is the sentence after a report: a fixed key, so a link
// cannot make the page say anything.
func publicNotice(v view, c echo.Context) string {
	if c.QueryParam("done") == "reported" {
		return v.T("public.report.done")
	}
	return ""
}

// renderPublic renders a public page with the notice a report leaves.
func (s *Server) renderPublic(c echo.Context, page, title string, data any) error {
	v := s.view(c, title, data)
	v.Notice = publicNotice(v, c)
	return s.renderView(c, http.StatusOK, page, v)
}

// reportFields is one report form's own values; reportPart hands them to
// the "report-fields" template with the block it sits in (a page's view,
// or the comments' communityView: both have the words and the CSRF token).
type reportFields struct{ Action, Prefix, Next, CSRF string }

type reportBlock struct {
	V any
	D reportFields
}

func reportPart(v any, action, prefix, next string) reportBlock {
	f := reportFields{Action: action, Prefix: prefix, Next: next}
	switch x := v.(type) {
	case view:
		f.CSRF = x.CSRF
	case *communityView:
		f.CSRF = x.CSRF
	}
	return reportBlock{V: v, D: f}
}

// playlistPageData is a playlist's public page: its videos as the viewer
// may see them (app/playlists hides the rest).
type playlistPageData struct {
	Playlist    model.Playlist
	Videos      []model.Video
	Unavailable int // elements whose video the viewer may not see
}

// playlistPage is /w/p/<id>, the link a channel page's playlists carry.
func (s *Server) playlistPage(c echo.Context) error {
	if s.Playlists == nil {
		return pageError(http.StatusNotFound, "errors.not_found")
	}
	p, es, _, err := s.Playlists.Elements(c.Request().Context(), viewer(c), c.Param("id"), 0, myListMax)
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	d := playlistPageData{Playlist: p}
	for _, e := range es {
		if e.Video.ID == 0 {
			d.Unavailable++
			continue
		}
		d.Videos = append(d.Videos, e.Video)
	}
	return s.render(c, http.StatusOK, "playlist", p.DisplayName, d)
}
