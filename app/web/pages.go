package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

const pageSize = 24

type listData struct {
	Videos     []model.Video
	Prev, Next string
}

func pageLinks(c echo.Context, start, total int) (prev, next string) {
	q := c.Request().URL.Query()
	link := func(st int) string {
		q.Set("start", strconv.Itoa(st))
		return c.Request().URL.Path + "?" + q.Encode()
	}
	if start > 0 {
		prev = link(max(0, min(start, total)-pageSize))
	}
	if start+pageSize < total {
		next = link(start + pageSize)
	}
	return
}

// notFound turns a domain "not found" into this page's 404 message (a
// catalogue key).
func notFound(err error, key string) error {
	if errors.Is(err, model.ErrNotFound) {
		return pageError(http.StatusNotFound, key)
	}
	return err
}

// maxStart bounds a page's offset: start+pageSize must not overflow into
// a negative "older" link (a hostile ?start=9223372036854775800 did).
const maxStart = 1 << 30

func pageStart(c echo.Context) int {
	start, _ := strconv.Atoi(c.QueryParam("start"))
	return min(max(0, start), maxStart)
}

// videoPage lists the page of q that ?start= asks for, with its links.
func (s *Server) videoPage(c echo.Context, q videos.ListQuery) (listData, int, error) {
	q.Start, q.Count = pageStart(c), pageSize
	vs, total, err := s.Videos.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return listData{}, 0, err
	}
	d := listData{Videos: vs}
	d.Prev, d.Next = pageLinks(c, q.Start, total)
	return d, total, nil
}

type channelData struct {
	listData
	DisplayName, Handle, Description, Owner string
	Total                                   int
	Channels                                []model.Channel
	Card                                    feeds.Card       // link preview tags
	Subscribe                               *mySubscribeView // nil: anonymous, or an account
	// --- public pages (pages2, #9 points 7, 8): public_pages.go ---
	Head      profileHead
	Support   *supportView // nil: no support text nor link (support_pages.go)
	Playlists []model.Playlist
	Report    *reportView // nil: one's own, or no reports service
	// --- end public pages ---
	Mute *muteView // mypages2 (my_muted.go); nil: anonymous, one's own
	// Followers are the remote followers (inbox, #10); 0 is not shown.
	Followers int
	// Recommended is what the channel recommends (#11); nil: nothing.
	Recommended *recommendedView
}

func (s *Server) channelPage(c echo.Context) error {
	ctx := c.Request().Context()
	ch, err := s.Accounts.Channel(ctx, viewer(c), c.Param("name"))
	if err != nil {
		return notFound(err, "errors.no_channel")
	}
	if to, ok := s.movedPage(c, keys.Actor{Kind: keys.Channel, ID: ch.ID}, ch.Remote()); ok { // move (#11)
		return c.Redirect(http.StatusFound, to)
	}
	list, total, err := s.videoPage(c, videos.ListQuery{ChannelID: ch.ID, OwnerAccountID: ch.AccountID})
	if err != nil {
		return err
	}
	d := channelData{listData: list, DisplayName: ch.DisplayName, Handle: "@" + s.urls(c).Handle(ch.Name),
		Description: ch.Description, Owner: ch.Account.Name, Total: total, Card: feeds.ChannelCard(s.urls(c), s.instanceName(), ch)}
	if d.Subscribe, err = s.mySubscribeButton(c, ch); err != nil {
		return err
	}
	if err := s.channelExtras(c, &d, ch); err != nil {
		return err
	}
	d.Followers = s.followersCount(ctx, keys.Actor{Kind: keys.Channel, ID: ch.ID}) // inbox (#10)
	if d.Mute, err = s.muteButton(c, ch.AccountID, ch.Account.Name); err != nil {
		return err
	}
	if d.Recommended, err = s.recommended(c, ch); err != nil { // recommend (#11)
		return err
	}
	return s.renderPublic(c, "channel", ch.DisplayName, d)
}

func (s *Server) accountPage(c echo.Context) error {
	ctx := c.Request().Context()
	a, err := s.Accounts.Account(ctx, c.Param("name"))
	if err != nil {
		return notFound(err, "errors.no_account")
	}
	if to, ok := s.movedPage(c, keys.Actor{Kind: keys.Account, ID: a.ID}, a.Remote()); ok { // move (#11)
		return c.Redirect(http.StatusFound, to)
	}
	list, total, err := s.videoPage(c, videos.ListQuery{OwnerAccountID: a.ID, AccountOnly: true})
	if err != nil {
		return err
	}
	chs, err := s.Accounts.ChannelsOf(ctx, a.ID)
	if err != nil {
		return err
	}
	d := channelData{listData: list, DisplayName: a.DisplayName, Handle: "@" + s.urls(c).Handle(a.Name),
		Description: a.Description, Total: total, Channels: chs, Card: feeds.AccountCard(s.urls(c), s.instanceName(), a)}
	if d.Head, err = s.profileHead(c, a.ID, a.DisplayName); err != nil {
		return err
	}
	d.Report = s.accountReport(c, a.ID, a.Name)
	if d.Support, err = s.supportOf(ctx, "", model.AccountFunding(a.ID)); err != nil { // support (#11)
		return err
	}
	d.Followers = s.followersCount(ctx, keys.Actor{Kind: keys.Account, ID: a.ID}) // inbox (#10)
	if d.Mute, err = s.muteButton(c, a.ID, a.Name); err != nil {
		return err
	}
	return s.renderPublic(c, "channel", a.DisplayName, d)
}

type watchData struct {
	Video       model.Video
	Base        string
	PlaylistURL string
	Playable    bool
	Failed      bool
	Progress    float64
	Views       int64
	Date        time.Time
	Card        feeds.Card     // link preview tags (feeds.VideoCard)
	Community   *communityView // comments and ratings (nil: not wired)
	Tracks      *tracksView    // captions and chapters (nil: not wired)
	My          *myWatchView   // subscribe, add to playlist (nil: anonymous)
	// --- public pages (pages2, #9 points 7, 8): public_pages.go ---
	Share   shareView
	Support *supportView // nil: no support text nor link (support_pages.go)
	Next    []model.Video
	Report  *reportView // nil: no reports service
	// --- end public pages ---
	// Origin is where a remote video lives (nil for a local one): the
	// page links there, and shares the origin's URLs, not ours.
	Origin *originView
	// Recommended is what the video's channel recommends (#11), beside
	// the next videos; nil: nothing.
	Recommended *recommendedView
	// Mirrors is the JSON array of the base URLs of the servers that
	// mirror this video's HLS files (#12, redundancy), for the player's
	// data-mirrors: the same file names under each base.
	Mirrors string
	// StartCap is the bitrate the player may start at, for the box's
	// upload (bandwidth.go); nil: none.
	StartCap *startCap
	// P2P: the player shares segments with other viewers (p2p.go); nil: off.
	P2P *p2pView
}

// originView is a remote video's page on its origin and that server's
// host, for "View on <host>".
type originView struct{ URL, Host, Embed string }

// originOf is where remote video rv is watched and embedded on its
// origin. PeerTube's watch URL (/videos/watch/<uuid>) has its embed
// beside it (/videos/embed/<uuid>); for another origin the embed stays
// ours, which plays from the origin's files.
func originOf(rv model.RemoteVideo) *originView {
	o := &originView{URL: rv.WatchURL}
	if pu, err := url.Parse(rv.WatchURL); err == nil {
		o.Host = pu.Host
		if rest, ok := strings.CutPrefix(pu.Path, "/videos/watch/"); ok && rest != "" && !strings.Contains(rest, "/") {
			pu.Path, pu.RawQuery, pu.Fragment = "/videos/embed/"+rest, "", ""
			o.Embed = pu.String()
		}
	}
	return o
}

func (s *Server) watchData(c echo.Context) (watchData, error) {
	v, err := s.Videos.Get(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return watchData{}, notFound(passwordGate(err), "errors.no_video")
	}
	u := s.urls(c)
	d := watchData{Video: v, Base: u.Base(), PlaylistURL: u.Abs(uris.Master(v.UUID)),
		Playable: s.Videos.Playable(v), Failed: v.State == model.StateTranscodingFailed,
		Progress: s.Videos.Progress(v), Views: s.Videos.Views(v), Date: v.CreatedAt,
		Card: feeds.VideoCard(u, s.instanceName(), v)}
	if !v.PublishedAt.IsZero() {
		d.Date = v.PublishedAt
	}
	if rv, ok := s.remoteOf(c.Request().Context(), v); ok { // following (#10): plays from its origin
		d.PlaylistURL, d.Playable = rv.HLSURL, rv.HLSURL != ""
		d.Origin = originOf(rv)
		// This box's copy first, then third servers' mirrors (redundancy, #12).
		bases, err := s.Mirrors.RemoteBases(c.Request().Context(), v)
		if err != nil {
			return d, fmt.Errorf("mirrors of remote video %s: %w", v.UUID, err)
		}
		if len(bases) > 0 {
			b, _ := json.Marshal(bases)
			d.Mirrors = string(b)
		}
		if d.Playable { // in the origin's swarm (#12)
			if d.P2P, err = s.remoteP2PFor(c, v, rv); err != nil {
				return d, err
			}
		}
	} else {
		if d.Mirrors, err = s.mirrorsAttr(c.Request().Context(), v); err != nil {
			return d, err
		}
		if d.Playable {
			if d.P2P, err = s.p2pFor(c, v, d.PlaylistURL); err != nil {
				return d, err
			}
		}
	}
	if d.Tracks, err = s.tracks(c, v); err != nil { // captions and chapters (creator_pages.go)
		return d, err
	}
	if d.Origin == nil { // a remote video's bytes are its origin's
		if d.StartCap, err = s.startCapOf(c); err != nil {
			return d, err
		}
	}
	return d, nil
}

// mirrorsAttr is the data-mirrors of a local video's player: a JSON
// array of its mirrors' base URLs ("[]" when none).
func (s *Server) mirrorsAttr(ctx context.Context, v model.Video) (string, error) {
	bases, err := s.Mirrors.Bases(ctx, v)
	if err != nil {
		return "", err
	}
	if bases == nil {
		bases = []string{}
	}
	b, err := json.Marshal(bases)
	return string(b), err
}

func (s *Server) watch(c echo.Context) error {
	d, err := s.watchData(c)
	if err != nil {
		return s.watchPasswordGate(c, err)
	}
	// Views are counted by the player's reports (POST /api/v1/videos/{id}/views,
	// app/views), not by page loads.
	if d.Community, err = s.community(c, d.Video); err != nil {
		return err
	}
	if d.My, err = s.myWatch(c, d.Video); err != nil {
		return err
	}
	if err := s.watchExtras(c, &d); err != nil {
		return err
	}
	if d.Recommended, err = s.recommended(c, d.Video.Channel); err != nil { // recommend (#11)
		return err
	}
	return s.renderPublic(c, "watch", d.Video.Name, d)
}

type setupData struct {
	Username, Email, Channel, ChannelDisplayName string
	NeedCode                                     bool           // from the box itself: the setup code is asked
	Box                                          *boxView       // the LAN address (nil: mDNS off)
	FirstBoot                                    *firstBootView // what became of cabane.txt (nil: none given)
}

func (s *Server) setupPage(c echo.Context) error {
	if s.setupDone(c.Request().Context()) {
		return c.Redirect(http.StatusSeeOther, "/")
	}
	needCode, err := s.setupAccess(c)
	if err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "setup", s.pageWords(c).T("setup.page_title"), setupData{NeedCode: needCode, Box: s.boxAddress(), FirstBoot: s.firstBoot(visitorLang(c))})
}

func (s *Server) setupSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	if s.setupDone(ctx) {
		return pageError(http.StatusForbidden, "setup.already_done")
	}
	needCode, err := s.setupAccess(c)
	if err != nil {
		return err
	}
	d := setupData{Username: strings.TrimSpace(c.FormValue("username")), Email: strings.TrimSpace(c.FormValue("email")),
		Channel: strings.TrimSpace(c.FormValue("channel")), ChannelDisplayName: strings.TrimSpace(c.FormValue("channelDisplayName")),
		NeedCode: needCode, Box: s.boxAddress(), FirstBoot: s.firstBoot(visitorLang(c))}
	w := s.pageWords(c)
	if needCode && !s.checkSetupCode(ctx, c.FormValue("setupCode")) {
		v := s.view(c, w.T("setup.page_title"), d)
		v.Error = w.T("setup.bad_code", filepath.Base(s.layout.SetupCode()))
		return s.renderView(c, http.StatusForbidden, "setup", v)
	}
	req := auth.NewUserRequest{Username: d.Username, Email: d.Email, Password: c.FormValue("password"),
		Admin: true, ChannelName: d.Channel, ChannelDisplayName: d.ChannelDisplayName}
	u, _, err := s.Auth.CreateUser(ctx, req)
	if err != nil {
		msg, ok := newUserError(w, req, err)
		if !ok {
			return err
		}
		v := s.view(c, w.T("setup.page_title"), d)
		v.Error = msg
		return s.renderView(c, http.StatusUnprocessableEntity, "setup", v)
	}
	s.hasAdmin.Store(true)
	s.setupFinished()
	tok, err := s.Auth.StartSession(ctx, u.ID)
	if err != nil {
		return err
	}
	s.setSession(c, tok)
	s.Log.Info("first run: admin created", "user", u.Username)
	return c.Redirect(http.StatusSeeOther, "/")
}

// newUserError says in w's language what is wrong with a new user's form,
// from the same checks CreateUser makes; ok is false when the form was
// fine and the failure is the server's.
func newUserError(w words, r auth.NewUserRequest, err error) (msg string, ok bool) {
	if errors.Is(err, auth.ErrTaken) {
		return w.T("setup.taken"), true
	}
	channel := r.ChannelName
	if channel == "" {
		channel = r.Username + "_channel"
	}
	var msgs []string
	for _, c := range []struct {
		bad bool
		key string
	}{{auth.ValidName("user", r.Username) != nil, "setup.bad_username"}, {auth.ValidEmail(r.Email) != nil, "setup.bad_email"},
		{auth.ValidPassword(r.Password) != nil, "setup.bad_password"}, {auth.ValidName("channel", channel) != nil, "setup.bad_channel"}} {
		if c.bad {
			msgs = append(msgs, w.T(c.key))
		}
	}
	return strings.Join(msgs, " "), len(msgs) > 0
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
	return s.render(c, http.StatusOK, "login", s.pageWords(c).T("login.title"), loginData{Next: safeNext(c.QueryParam("next"))})
}

func (s *Server) loginSubmit(c echo.Context) error {
	ctx := c.Request().Context()
	d := loginData{Username: strings.TrimSpace(c.FormValue("username")), Next: safeNext(c.FormValue("next"))}
	u, err := s.Auth.Login(ctx, d.Username, c.FormValue("password"))
	if errors.Is(err, auth.ErrBadPassword) {
		w := s.pageWords(c)
		v := s.view(c, w.T("login.title"), d)
		v.Error = w.T("login.wrong")
		if errors.Is(err, auth.ErrBlocked) {
			// Said only to whoever gave the right password.
			v.Error = w.T("login.banned")
		}
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
	Channels []model.Channel
	MaxSize  string
	Privacy  int // the user's default (my settings); 0: public
}

func (s *Server) uploadPage(c echo.Context) error {
	chs, err := s.Accounts.ChannelsOf(c.Request().Context(), currentUser(c).AccountID)
	if err != nil {
		return err
	}
	w := s.pageWords(c)
	d := uploadData{Channels: chs, MaxSize: w.Bytes(s.Config.MaxUploadBytes)}
	if s.Profile != nil { // my pages: the privacy the user's uploads start from
		if d.Privacy, err = s.Profile.DefaultPrivacy(c.Request().Context(), viewer(c)); err != nil {
			return err
		}
	}
	return s.render(c, http.StatusOK, "upload", w.T("upload.title"), d)
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
