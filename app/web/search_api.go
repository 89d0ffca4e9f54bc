package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
)

// PeerTube's search, account, channel and overview endpoints (#9 point
// 5). Handlers parse, call the search, accounts or videos service, and
// render PeerTube's shapes.

// searchAPIRoutes adds the endpoints to the API group.
func (s *Server) searchAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	api = append(api[:len(api):len(api)], s.needSearch)
	// The anonymous crowd's searches and video lists from the microcache,
	// as GET /videos (perf2): a page of a search costs a millisecond of
	// CPU even with its ranking remembered. Searches are shared by the
	// logged-in viewers of a class too, as GET /videos (listingClass);
	// an account's or channel's list may be its owner's, with their
	// unpublished videos: the anonymous's only.
	listing := append(api[:len(api):len(api)], s.cache.middleware(s))
	g.GET("/search/videos", s.apiSearchVideos, append(api[:len(api):len(api)], s.cache.middlewareFor(s, s.listingClass))...)
	g.GET("/search/video-channels", s.apiSearchChannels, api...)
	g.GET("/search/video-playlists", s.apiSearchPlaylists, api...)
	g.GET("/accounts/:name", s.apiAccount, api...)
	g.GET("/accounts/:name/videos", s.apiAccountVideos, listing...)
	g.GET("/accounts/:name/video-channels", s.apiAccountChannels, api...)
	g.GET("/video-channels", s.apiChannels, api...)
	g.GET("/video-channels/:handle", s.apiChannel, api...)
	g.GET("/video-channels/:handle/videos", s.apiChannelVideos, listing...)
	g.GET("/overviews/videos", s.apiOverview, api...)
}

// needSearch answers 404 while no search service is wired (a server
// built without one, as some tests build it).
func (s *Server) needSearch(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Search == nil {
			return apiError(http.StatusNotFound, "no such API endpoint")
		}
		return next(c)
	}
}

// apiChannelStats is PeerTube's VideoChannel in lists, with the count of
// its videos (PeerTube's videosCount).
type apiChannelStats struct {
	apiChannel
	VideosCount int `json:"videosCount"`
}

type channelPage = listJSON[apiChannelStats]

func (s *Server) renderVideos(c echo.Context, vs []model.Video, total int) error {
	return s.renderVideoList(c, vs, total)
}

func (s *Server) apiSearchVideos(c echo.Context) error {
	q, err := s.videoQuery(c)
	if err != nil {
		return err
	}
	vs, total, err := s.Search.Videos(c.Request().Context(), viewer(c), q)
	if err != nil {
		return searchError(err)
	}
	return s.renderVideos(c, vs, total)
}

func (s *Server) apiSearchChannels(c echo.Context) error {
	params := c.QueryParams()
	start, count, err := pageParams(params)
	if err != nil {
		return err
	}
	q := search.ChannelQuery{Search: params.Get("search"), LocalHost: s.urls(c).Host(), Host: params.Get("host"),
		Handles: queryList(params, "handles"), Start: start, Count: count, Sort: params.Get("sort")}
	return s.renderChannels(c, q)
}

func (s *Server) renderChannels(c echo.Context, q search.ChannelQuery) error {
	chs, total, err := s.Search.Channels(c.Request().Context(), viewer(c), q)
	if err != nil {
		return searchError(err)
	}
	u := s.urls(c)
	out := channelPage{Total: total, Data: make([]apiChannelStats, 0, len(chs))}
	for _, ch := range chs {
		out.Data = append(out.Data, apiChannelStats{apiChannel: s.fullChannelJSON(u, ch.Channel), VideosCount: ch.VideosCount})
	}
	return c.JSON(http.StatusOK, out)
}

// apiSearchPlaylists finds the instance's public playlists by a part of
// their name (an empty list when playlists are not wired).
func (s *Server) apiSearchPlaylists(c echo.Context) error {
	if _, _, err := pageParams(c.QueryParams()); err != nil {
		return err
	}
	if s.Playlists == nil {
		return c.JSON(http.StatusOK, apiPlaylistList{Data: []apiVideoPlaylist{}})
	}
	q, err := playlistQuery(c)
	if err != nil {
		return err
	}
	// The instance's public playlists whose name holds the words.
	q.Type, q.Search = model.PlaylistRegular, strings.TrimSpace(c.QueryParam("search"))
	ps, total, err := s.Playlists.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return socialError(err)
	}
	return s.playlistList(c, ps, total)
}

func (s *Server) apiAccount(c echo.Context) error {
	a, err := s.accountByHandle(c)
	if err != nil {
		return err
	}
	out := s.fullAccountJSON(s.urls(c), a)
	if a.Remote() {
		out.URL = s.originURL(c, "account", a.ID, out.URL)
	}
	out.Avatars, out.Avatar = s.accountAvatars(c.Request().Context(), a.ID)
	out.FollowersCount = s.followersCount(c.Request().Context(), keys.Actor{Kind: keys.Account, ID: a.ID}) // inbox (#10)
	return c.JSON(http.StatusOK, out)
}

// accountByHandle finds the account that :name names ("name" or
// "name@this-host", or "name@other-host" for a remote account stored here:
// PeerTube's handles).
func (s *Server) accountByHandle(c echo.Context) (model.Account, error) {
	name, ok := handleName(c.Param("name"), s.urls(c).Host())
	if !ok {
		return model.Account{}, apiError(http.StatusNotFound, "Account not found")
	}
	a, err := s.Accounts.Account(c.Request().Context(), name)
	if errors.Is(err, model.ErrNotFound) {
		return a, apiError(http.StatusNotFound, "Account not found")
	}
	return a, err
}

func (s *Server) channelByHandle(c echo.Context) (model.Channel, error) {
	name, ok := handleName(c.Param("handle"), s.urls(c).Host())
	if !ok {
		return model.Channel{}, apiError(http.StatusNotFound, "Video channel not found")
	}
	ch, err := s.Accounts.Channel(c.Request().Context(), viewer(c), name)
	if errors.Is(err, model.ErrNotFound) {
		return ch, apiError(http.StatusNotFound, "Video channel not found")
	}
	return ch, err
}

func (s *Server) apiAccountVideos(c echo.Context) error {
	a, err := s.accountByHandle(c)
	if err != nil {
		return err
	}
	return s.scopedVideos(c, videos.ListQuery{OwnerAccountID: a.ID, AccountOnly: true, Summary: true}, search.VideoQuery{AccountID: a.ID})
}

func (s *Server) apiChannelVideos(c echo.Context) error {
	ch, err := s.channelByHandle(c)
	if err != nil {
		return err
	}
	return s.scopedVideos(c, videos.ListQuery{ChannelID: ch.ID, OwnerAccountID: ch.AccountID, Summary: true}, search.VideoQuery{ChannelID: ch.ID})
}

// scopedVideos lists an account's or a channel's videos: the plain
// listing (which shows the owner everything of theirs), or, with
// PeerTube's filters, the search within the scope.
func (s *Server) scopedVideos(c echo.Context, plain videos.ListQuery, scope search.VideoQuery) error {
	q, err := s.videoQuery(c)
	if err != nil {
		return err
	}
	if q.Filtered() {
		q.ChannelID, q.AccountID = scope.ChannelID, scope.AccountID
		vs, total, err := s.Search.Videos(c.Request().Context(), viewer(c), q)
		if err != nil {
			return searchError(err)
		}
		return s.renderVideos(c, vs, total)
	}
	if !videos.ValidSort(q.Sort) {
		return fieldError("sort", "unknown sort %q", q.Sort)
	}
	plain.Start, plain.Count, plain.Sort = q.Start, q.Count, q.Sort
	vs, total, err := s.Videos.List(c.Request().Context(), viewer(c), plain)
	if err != nil {
		return err
	}
	return s.renderVideos(c, vs, total)
}

// filteredVideos answers GET /api/v1/videos when it carries PeerTube's
// filters (tagsOneOf for a tag page, categoryOneOf, ...): ok is false for
// a plain listing, which the videos service answers.
func (s *Server) filteredVideos(c echo.Context) (bool, error) {
	if s.Search == nil {
		return false, nil
	}
	q, err := s.videoQuery(c)
	if err != nil {
		return true, err
	}
	q.Search = "" // not a search parameter of this endpoint
	if !q.Filtered() {
		return false, nil
	}
	vs, total, err := s.Search.Videos(c.Request().Context(), viewer(c), q)
	if err != nil {
		return true, searchError(err)
	}
	return true, s.renderVideos(c, vs, total)
}

func (s *Server) apiAccountChannels(c echo.Context) error {
	a, err := s.accountByHandle(c)
	if err != nil {
		return err
	}
	params := c.QueryParams()
	start, count, err := pageParams(params)
	if err != nil {
		return err
	}
	return s.renderChannels(c, search.ChannelQuery{AccountID: a.ID, LocalHost: s.urls(c).Host(), Start: start, Count: count, Sort: params.Get("sort")})
}

func (s *Server) apiChannels(c echo.Context) error {
	params := c.QueryParams()
	start, count, err := pageParams(params)
	if err != nil {
		return err
	}
	return s.renderChannels(c, search.ChannelQuery{LocalHost: s.urls(c).Host(), Start: start, Count: count, Sort: params.Get("sort")})
}

func (s *Server) apiChannel(c echo.Context) error {
	ch, err := s.channelByHandle(c)
	if err != nil {
		return err
	}
	out := s.fullChannelJSON(s.urls(c), ch)
	if ch.Remote() {
		out.URL = s.originURL(c, "channel", ch.ID, out.URL)
		out.OwnerAccount.URL = s.originURL(c, "account", ch.AccountID, out.OwnerAccount.URL)
	}
	out.FollowersCount = s.followersCount(c.Request().Context(), keys.Actor{Kind: keys.Channel, ID: ch.ID}) // inbox (#10)
	// support (#11): Cabane's fundingLinks.
	full, err := s.withFunding(c, out, ch)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, full)
}

// The overview's shapes (PeerTube's VideosOverview).
type apiOverview struct {
	Categories []apiCategoryOverview `json:"categories"`
	Channels   []apiChannelOverview  `json:"channels"`
	Tags       []apiTagOverview      `json:"tags"`
}

type apiCategoryOverview struct {
	Category idLabel    `json:"category"`
	Videos   []apiVideo `json:"videos"`
}

type apiChannelOverview struct {
	Channel apiActor   `json:"channel"`
	Videos  []apiVideo `json:"videos"`
}

type apiTagOverview struct {
	Tag    string     `json:"tag"`
	Videos []apiVideo `json:"videos"`
}

func (s *Server) apiOverview(c echo.Context) error {
	page := 1
	if v := c.QueryParam("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fieldError("page", "page must be an integer from 1 to %d", search.SamplesCount)
		}
		page = n
	}
	o, err := s.Search.Overview(c.Request().Context(), viewer(c), page)
	if err != nil {
		return searchError(err)
	}
	u := s.urls(c)
	list := func(vs []model.Video) []apiVideo {
		out := make([]apiVideo, 0, len(vs))
		for _, v := range vs {
			out = append(out, s.videoJSON(c, v))
		}
		return out
	}
	out := apiOverview{Categories: []apiCategoryOverview{}, Channels: []apiChannelOverview{}, Tags: []apiTagOverview{}}
	for _, sec := range o.Categories {
		out.Categories = append(out.Categories, apiCategoryOverview{Category: optIL(sec.Category, videos.CategoryLabel(sec.Category)), Videos: list(sec.Videos)})
	}
	for _, sec := range o.Channels {
		out.Channels = append(out.Channels, apiChannelOverview{Channel: s.channelJSON(u, sec.Channel), Videos: list(sec.Videos)})
	}
	for _, sec := range o.Tags {
		out.Tags = append(out.Tags, apiTagOverview{Tag: sec.Tag, Videos: list(sec.Videos)})
	}
	return c.JSON(http.StatusOK, out)
}

// handleName is the stored name a handle names: a local one's name
// ("name", "name@this-host"), or a remote one's whole handle
// ("name@other-host": remote rows are named so, and a local name never
// holds "@").
func handleName(handle, localHost string) (string, bool) {
	if name, ok := search.LocalName(handle, localHost); ok {
		return name, true
	}
	h := strings.TrimPrefix(strings.TrimSpace(handle), "@")
	name, host, _ := strings.Cut(h, "@")
	if name == "" || host == "" || strings.Contains(host, "@") {
		return "", false
	}
	return name + "@" + strings.ToLower(host), true
}

// originURL is a remote account's or channel's page on its own server
// (PeerTube's url of a remote actor), else fallback.
func (s *Server) originURL(c echo.Context, kind string, id int64, fallback string) string {
	a, ok, err := s.Accounts.Origin(c.Request().Context(), kind, id)
	if err != nil {
		s.Log.Warn("origin of a remote actor", "kind", kind, "id", id, "err", err)
	}
	if !ok {
		return fallback
	}
	return a.URL
}
