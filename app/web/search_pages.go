package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
)

// searchPageRoutes: the search page (PeerTube's /search, where its tag
// links lead with ?tagsOneOf=), tag pages at /videos/tags/<tag>, and the
// trending, most viewed and most liked page (PeerTube's
// /videos/trending, /videos/most-viewed, /videos/most-liked... as one
// page with tabs).
func (s *Server) searchPageRoutes(e *echo.Echo, page, listing []echo.MiddlewareFunc) {
	e.GET("/search", s.searchPage, page...)
	e.GET("/videos/tags/:tag", s.tagPage, page...)
	e.GET("/videos/trending", s.trendingPage, listing...)
}

// pageTab is a link of a tab bar or a choice of a filter.
type pageTab struct {
	Label, Href string
	Current     bool
}

type searchPageData struct {
	Heading    string
	Search     string
	Tag        string
	Sort       string
	Duration   string
	Sorts      []pageTab
	Durations  []pageTab
	Summary    string
	Videos     []model.Video
	Channels   []repo.ChannelStats
	Prev, Next string
	Empty      bool // a search was made and found nothing
	Asked      bool // something was searched (text or tag)
}

// durations are the search page's duration filter (PeerTube's client
// offers the same three).
var durations = map[string][2]time.Duration{
	"short":  {0, 4 * time.Minute},
	"medium": {4 * time.Minute, 10 * time.Minute},
	"long":   {10 * time.Minute, 0},
}

func (s *Server) searchPage(c echo.Context) error {
	return s.renderSearch(c, strings.TrimSpace(c.QueryParam("tagsOneOf")))
}

func (s *Server) tagPage(c echo.Context) error {
	return s.renderSearch(c, strings.TrimSpace(c.Param("tag")))
}

func (s *Server) renderSearch(c echo.Context, tag string) error {
	if s.Search == nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	ctx := c.Request().Context()
	w := s.pageWords(c)
	text := strings.TrimSpace(c.QueryParam("search"))
	if len(text) > 200 {
		text = text[:200]
	}
	d := searchPageData{Search: text, Tag: tag, Sort: c.QueryParam("sort"), Duration: c.QueryParam("duration"),
		Asked: text != "" || tag != ""}
	switch d.Sort {
	case "-match", "-publishedAt", "-views", "-likes":
	default:
		d.Sort = ""
	}
	if _, ok := durations[d.Duration]; !ok {
		d.Duration = ""
	}
	q := search.VideoQuery{Search: text, LocalHost: s.urls(c).Host(), Start: pageStart(c), Count: pageSize, Sort: d.Sort}
	if tag != "" {
		q.TagsOneOf = []string{tag}
	}
	if r, ok := durations[d.Duration]; ok {
		q.DurationMin, q.DurationMax = r[0], r[1]
	}
	switch {
	case tag != "":
		d.Heading = w.T("search.tagged", tag)
	case text != "":
		d.Heading = w.T("search.results_for", text)
	default:
		d.Heading = w.T("search.title")
	}
	if d.Asked {
		vs, total, err := s.Search.Videos(ctx, viewer(c), q)
		if err != nil {
			return err
		}
		d.Videos = vs
		d.Prev, d.Next = pageLinks(c, q.Start, total)
		// Channels match on the first page of a text search only.
		if text != "" && q.Start == 0 {
			chs, _, err := s.Search.Channels(ctx, viewer(c), search.ChannelQuery{Search: text, LocalHost: q.LocalHost, Count: 5})
			if err != nil {
				return err
			}
			d.Channels = chs
		}
		d.Empty = len(vs) == 0 && len(d.Channels) == 0
		d.Summary = w.N("search.results", total)
	}
	link := func(sort, dur string) string {
		v := c.Request().URL.Query()
		v.Del("start")
		set := func(k, val string) {
			if val == "" {
				v.Del(k)
			} else {
				v.Set(k, val)
			}
		}
		set("sort", sort)
		set("duration", dur)
		if enc := v.Encode(); enc != "" {
			return c.Request().URL.Path + "?" + enc
		}
		return c.Request().URL.Path
	}
	for _, o := range []struct{ key, label string }{{"", "search.sort_match"}, {"-publishedAt", "search.sort_published"}, {"-views", "search.sort_views"}, {"-likes", "search.sort_likes"}} {
		d.Sorts = append(d.Sorts, pageTab{Label: w.T(o.label), Href: link(o.key, d.Duration), Current: d.Sort == o.key})
	}
	for _, o := range []struct{ key, label string }{{"", "search.duration_any"}, {"short", "search.duration_short"}, {"medium", "search.duration_medium"}, {"long", "search.duration_long"}} {
		d.Durations = append(d.Durations, pageTab{Label: w.T(o.label), Href: link(d.Sort, o.key), Current: d.Duration == o.key})
	}
	return s.render(c, http.StatusOK, "search", d.Heading, d)
}

type trendingData struct {
	Heading    string
	Tabs       []pageTab
	Videos     []model.Video
	Prev, Next string
}

// trendingTabs are the trending page's sorts: PeerTube's trending (views
// of the last days), most viewed (all time), most liked.
var trendingTabs = []struct{ sort, label string }{{"-trending", "search.trending"}, {"-views", "search.most_viewed"}, {"-likes", "search.most_liked"}}

func (s *Server) trendingPage(c echo.Context) error {
	w := s.pageWords(c)
	sort := c.QueryParam("sort")
	var d trendingData
	known := false
	for _, tab := range trendingTabs {
		cur := tab.sort == sort
		known = known || cur
		d.Tabs = append(d.Tabs, pageTab{Label: w.T(tab.label), Href: "/videos/trending?sort=" + tab.sort, Current: cur})
	}
	if !known {
		sort = "-trending"
		d.Tabs[0].Current = true
	}
	for _, tab := range d.Tabs {
		if tab.Current {
			d.Heading = tab.Label
		}
	}
	list, _, err := s.videoPage(c, videos.ListQuery{Sort: sort})
	if err != nil {
		return err
	}
	d.Videos, d.Prev, d.Next = list.Videos, list.Prev, list.Next
	return s.render(c, http.StatusOK, "trending", d.Heading, d)
}
