package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/store"
)

const pageSize = 24

type listData struct {
	Videos     []store.Video
	Prev, Next string
}

func pageLinks(c echo.Context, start, total int) (prev, next string) {
	q := c.Request().URL.Query()
	link := func(st int) string {
		q.Set("start", strconv.Itoa(st))
		return c.Request().URL.Path + "?" + q.Encode()
	}
	if start > 0 {
		prev = link(max(0, start-pageSize))
	}
	if start+pageSize < total {
		next = link(start + pageSize)
	}
	return
}

func (s *Server) visibleTo(c echo.Context) int64 {
	if u := currentUser(c); u != nil {
		return u.AccountID
	}
	return 0
}

func (s *Server) home(c echo.Context) error {
	start, _ := strconv.Atoi(c.QueryParam("start"))
	vs, total, err := s.Store.ListVideos(c.Request().Context(), store.VideoQuery{PublicOnly: true, HomeViewer: atHome(c), Start: max(0, start), Count: pageSize})
	if err != nil {
		return err
	}
	d := listData{Videos: vs}
	d.Prev, d.Next = pageLinks(c, start, total)
	return s.render(c, http.StatusOK, "home", "", d)
}

type channelData struct {
	listData
	DisplayName, Handle, Description, Owner string
	Total                                   int
	Channels                                []store.Channel
}

func (s *Server) channelPage(c echo.Context) error {
	ctx := c.Request().Context()
	ch, err := s.Store.ChannelByName(ctx, c.Param("name"))
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no channel with this name here.")
	}
	if err != nil {
		return err
	}
	start, _ := strconv.Atoi(c.QueryParam("start"))
	vs, total, err := s.Store.ListVideos(ctx, store.VideoQuery{ChannelID: ch.ID, PublicOnly: true, HomeViewer: atHome(c), IncludeMine: s.visibleTo(c), Start: max(0, start), Count: pageSize})
	if err != nil {
		return err
	}
	d := channelData{listData: listData{Videos: vs}, DisplayName: ch.DisplayName, Handle: "@" + ch.Name + "@" + s.host(c),
		Description: ch.Description, Owner: ch.Account.Name, Total: total}
	d.Prev, d.Next = pageLinks(c, start, total)
	return s.render(c, http.StatusOK, "channel", ch.DisplayName, d)
}

func (s *Server) accountPage(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.Store.AccountByName(ctx, c.Param("name"))
	if errors.Is(err, store.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, "There is no account with this name here.")
	}
	if err != nil {
		return err
	}
	start, _ := strconv.Atoi(c.QueryParam("start"))
	vs, total, err := s.Store.ListVideos(ctx, store.VideoQuery{AccountID: a.ID, PublicOnly: true, HomeViewer: atHome(c), IncludeMine: s.visibleTo(c), Start: max(0, start), Count: pageSize})
	if err != nil {
		return err
	}
	chs, err := s.Store.ChannelsOfAccount(ctx, a.ID)
	if err != nil {
		return err
	}
	d := channelData{listData: listData{Videos: vs}, DisplayName: a.DisplayName, Handle: "@" + a.Name + "@" + s.host(c),
		Description: a.Description, Total: total, Channels: chs}
	d.Prev, d.Next = pageLinks(c, start, total)
	return s.render(c, http.StatusOK, "channel", a.DisplayName, d)
}

// canSee applies privacy: public and unlisted videos to anyone with the
// link, private ones to their owner and the admins, local-only ones to the
// home network and nobody else (not even a logged-in owner abroad: the
// promise to the family is about where the video can be seen).
func canSee(u *store.User, v store.Video, home bool) bool {
	switch v.Privacy {
	case store.PrivacyPublic, store.PrivacyUnlisted:
		return true
	case store.PrivacyLocal:
		return home
	}
	return u != nil && (u.AccountID == v.Channel.AccountID || u.Role == store.RoleAdmin)
}

// videoFor finds a video the requester may see; others get the same 404 as
// a video that does not exist.
func (s *Server) videoFor(c echo.Context, id string) (store.Video, error) {
	v, err := s.Store.VideoByID(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) || err == nil && !canSee(currentUser(c), v, atHome(c)) {
		return v, echo.NewHTTPError(http.StatusNotFound, "There is no video at this address.")
	}
	return v, err
}

type watchData struct {
	Video       store.Video
	Base        string
	PlaylistURL string
	Playable    bool
	Failed      bool
	Progress    float64
	Views       int64
	Date        time.Time
}

func (s *Server) watch(c echo.Context) error {
	v, err := s.videoFor(c, c.Param("id"))
	if err != nil {
		return err
	}
	s.Videos.CountView(v.ID)
	d := watchData{Video: v, Base: s.baseURL(c), PlaylistURL: s.playlistURL(c, v),
		Playable: v.State == store.StatePublished, Failed: v.State == store.StateTranscodingFailed,
		Progress: s.Videos.Progress(v), Views: v.Views + s.Videos.PendingViews(v.ID), Date: v.CreatedAt}
	if !v.PublishedAt.IsZero() {
		d.Date = v.PublishedAt
	}
	return s.render(c, http.StatusOK, "watch", v.Name, d)
}

func (s *Server) playlistURL(c echo.Context, v store.Video) string {
	return s.baseURL(c) + "/static/streaming-playlists/hls/" + v.UUID + "/master.m3u8"
}

type setupData struct{ Username, Email, Channel, ChannelDisplayName string }

func (s *Server) setupPage(c echo.Context) error {
	if s.setupDone(c.Request().Context()) {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	return s.render(c, http.StatusOK, "setup", "Set up", setupData{})
}

func (s *Server) setupSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	if s.setupDone(ctx) {
		return echo.NewHTTPError(http.StatusForbidden, "Cabane is already set up; log in instead.")
	}
	d := setupData{Username: strings.TrimSpace(c.FormValue("username")), Email: strings.TrimSpace(c.FormValue("email")),
		Channel: strings.TrimSpace(c.FormValue("channel")), ChannelDisplayName: strings.TrimSpace(c.FormValue("channelDisplayName"))}
	u, _, err := s.Auth.CreateUser(ctx, auth.NewUserRequest{Username: d.Username, Email: d.Email, Password: c.FormValue("password"),
		Admin: true, ChannelName: d.Channel, ChannelDisplayName: d.ChannelDisplayName})
	if err != nil {
		v := s.view(c, "Set up", d)
		v.Error = err.Error()
		return s.renderView(c, http.StatusUnprocessableEntity, "setup", v)
	}
	s.hasAdmin.Store(true)
	tok, err := s.Auth.StartSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSession(c, tok)
	s.Log.Info("first run: admin created", "user", u.Username)
	return c.Redirect(http.StatusSeeOther, "/")
}

type loginData struct{ Username, Next string }

func safeNext(n string) string {
	// Only local paths: a login link must not become an open redirect.
	if u, err := url.Parse(n); err != nil || n == "" || u.IsAbs() || u.Host != "" || !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.Contains(n, "\\") {
		return "/"
	}
	return n
}

func (s *Server) loginPage(c echo.Context) error {
	if currentUser(c) != nil {
		return c.Redirect(http.StatusSeeOther, safeNext(c.QueryParam("next")))
	}
	return s.render(c, http.StatusOK, "login", "Log in", loginData{Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) loginSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	d := loginData{Username: strings.TrimSpace(c.FormValue("username")), Next: safeNext(c.FormValue("next"))}
	u, err := s.Auth.Login(ctx, d.Username, c.FormValue("password"))
	if errors.Is(err, auth.ErrBadPassword) {
		v := s.view(c, "Log in", d)
		v.Error = "Wrong user name or password."
		return s.renderView(c, http.StatusUnauthorized, "login", v)
	}
	if err != nil {
		return err
	}
	tok, err := s.Auth.StartSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSession(c, tok)
	return c.Redirect(http.StatusSeeOther, d.Next)
}

func (s *Server) logout(c echo.Context) error {
	if ck, err := c.Cookie(sessionCookie); err == nil && ck.Value != "" {
		if err := s.Auth.EndSession(c.Request().Context(), ck.Value); err != nil {
			return err
		}
	}
	s.clearCookie(c, sessionCookie)
	return c.Redirect(http.StatusSeeOther, "/")
}

type uploadData struct {
	Channels []store.Channel
	MaxSize  string
}

func (s *Server) uploadPage(c echo.Context) error {
	chs, err := s.Store.ChannelsOfAccount(c.Request().Context(), currentUser(c).AccountID)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "upload", "Upload", uploadData{Channels: chs, MaxSize: humanBytes(s.Config.MaxUploadBytes)})
}

func humanBytes(n int64) string {
	units := []string{"bytes", "KB", "MB", "GB", "TB"}
	f := float64(n)
	i := 0
	for f >= 1024 && i < len(units)-1 {
		f /= 1024
		i++
	}
	if f == float64(int64(f)) {
		return fmt.Sprintf("%d %s", int64(f), units[i])
	}
	return fmt.Sprintf("%.1f %s", f, units[i])
}
