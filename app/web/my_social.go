package web

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// myListMax bounds the lists these pages show in one go (playlists,
// elements, subscriptions): a family's, not an archive's.
const myListMax = 100

type myPlaylistsData struct {
	Playlists []model.Playlist
	Channels  []model.Channel
	Privacies []option
}

func (s *Server) playlistPrivacies(v view, selected int) []option {
	out := []option{}
	for _, p := range []int{model.PlaylistPrivate, model.PlaylistUnlisted, model.PlaylistPublic} {
		out = append(out, option{Value: strconv.Itoa(p), Label: v.T("my.privacy." + strconv.Itoa(p)), Selected: p == selected})
	}
	return out
}

// myPlaylists lists the user's playlists ("watch later" first, as it is
// made on the first visit) with the form that creates one.
func (s *Server) myPlaylists(c echo.Context) error {
	ctx, who, u := c.Request().Context(), viewer(c), currentUser(c)
	_, ps, _, err := s.Playlists.OfAccount(ctx, who, u.Username, playlists.Query{Count: myListMax})
	if err != nil {
		return err
	}
	chs, err := s.Accounts.ChannelsOf(ctx, u.AccountID)
	if err != nil {
		return err
	}
	v := s.view(c, "", nil)
	v.Data = myPlaylistsData{Playlists: ps, Channels: chs, Privacies: s.playlistPrivacies(v, model.PlaylistPrivate)}
	v.Title, v.Notice = v.T("my.playlists.title"), noticeOf(v, c)
	return s.renderView(c, http.StatusOK, "my_playlists", v)
}

// playlistInput reads the create and edit forms. A public playlist must
// sit in a channel (PeerTube's rule): without a choice, the first one.
func (s *Server) playlistInput(c echo.Context) (playlists.Input, error) {
	name, desc := c.FormValue("displayName"), c.FormValue("description")
	in := playlists.Input{DisplayName: &name, Description: &desc}
	if p, err := strconv.Atoi(c.FormValue("privacy")); err == nil {
		in.Privacy = &p
	}
	if _, ok := c.Request().PostForm["channelId"]; ok {
		id, _ := strconv.ParseInt(c.FormValue("channelId"), 10, 64)
		if id == 0 && in.Privacy != nil && *in.Privacy == model.PlaylistPublic {
			chs, err := s.Accounts.ChannelsOf(c.Request().Context(), currentUser(c).AccountID)
			if err != nil {
				return in, err
			}
			if len(chs) > 0 {
				id = chs[0].ID
			}
		}
		in.ChannelID = &id
	}
	return in, nil
}

func (s *Server) myPlaylistCreate(c echo.Context) error {
	in, err := s.playlistInput(c)
	if err != nil {
		return err
	}
	p, err := s.Playlists.Create(c.Request().Context(), viewer(c), in)
	if err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/playlists/"+p.ShortUUID+"?done=created")
}

type myPlaylistData struct {
	Playlist   model.Playlist
	Elements   []playlists.Element
	Channels   []model.Channel
	Privacies  []option
	WatchLater bool
}

// myPlaylist shows one of the user's playlists: its videos in order, to
// reorder or remove, and its edit form.
func (s *Server) myPlaylist(c echo.Context) error {
	ctx, who := c.Request().Context(), viewer(c)
	p, es, _, err := s.Playlists.Elements(ctx, who, c.Param("id"), 0, myListMax)
	if err != nil {
		return s.refuse(c, err)
	}
	if !visibility.ManagePlaylist(who, p) {
		return s.refuse(c, playlists.ErrForbidden)
	}
	chs, err := s.Accounts.ChannelsOf(ctx, p.AccountID)
	if err != nil {
		return err
	}
	v := s.view(c, "", nil)
	v.Data = myPlaylistData{Playlist: p, Elements: es, Channels: chs, Privacies: s.playlistPrivacies(v, p.Privacy),
		WatchLater: p.Type == model.PlaylistWatchLater}
	v.Title, v.Notice = p.DisplayName, noticeOf(v, c)
	if p.Type == model.PlaylistWatchLater {
		v.Title = v.T("my.playlists.watch_later")
	}
	return s.renderView(c, http.StatusOK, "my_playlist", v)
}

func (s *Server) myPlaylistUpdate(c echo.Context) error {
	in, err := s.playlistInput(c)
	if err != nil {
		return err
	}
	if err := s.Playlists.Update(c.Request().Context(), viewer(c), c.Param("id"), in); err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/playlists/"+url.PathEscape(c.Param("id"))+"?done=saved")
}

func (s *Server) myPlaylistDelete(c echo.Context) error {
	if err := s.Playlists.Delete(c.Request().Context(), viewer(c), c.Param("id")); err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/playlists?done=deleted")
}

func (s *Server) myPlaylistRemove(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("elementId"), 10, 64)
	if err != nil {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err := s.Playlists.Remove(c.Request().Context(), viewer(c), c.Param("id"), id); err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/playlists/"+url.PathEscape(c.Param("id"))+"?done=removed")
}

// myPlaylistMove moves an element one place up or down: the buttons say
// where it is ("position") and which way ("dir").
func (s *Server) myPlaylistMove(c echo.Context) error {
	pos, err := strconv.Atoi(c.FormValue("position"))
	if err != nil || pos < 1 {
		return echo.NewHTTPError(http.StatusBadRequest, s.view(c, "", nil).T("my.error.invalid"))
	}
	m := playlists.Move{Start: pos, Length: 1}
	switch c.FormValue("dir") {
	case "up":
		if pos == 1 {
			return c.Redirect(http.StatusSeeOther, "/my/playlists/"+url.PathEscape(c.Param("id")))
		}
		m.After = pos - 2
	case "down":
		m.After = pos + 1
	default:
		return echo.NewHTTPError(http.StatusBadRequest, s.view(c, "", nil).T("my.error.invalid"))
	}
	if err := s.Playlists.Reorder(c.Request().Context(), viewer(c), c.Param("id"), m); err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/playlists/"+url.PathEscape(c.Param("id"))+"#e-"+c.Param("elementId"))
}

// myPlaylistAdd is the watch page's "add to playlist": playlist is a
// playlist's id, or "watch-later".
func (s *Server) myPlaylistAdd(c echo.Context) error {
	ctx, who, video := c.Request().Context(), viewer(c), c.FormValue("video")
	var err error
	if ref := c.FormValue("playlist"); ref == "watch-later" {
		_, _, err = s.Playlists.AddToWatchLater(ctx, who, video)
	} else {
		_, _, err = s.Playlists.AddVideo(ctx, who, ref, video, playlists.Times{})
	}
	if err != nil {
		return s.refuse(c, err)
	}
	return back(c, "/my/playlists?done=added")
}

type mySubscriptionsData struct {
	Subscriptions []model.Subscription
	Videos        []model.Video
	Prev, Next    string
	// FeedURL is the user's subscriptions feed, with their token: for a
	// feed reader, and theirs alone.
	FeedURL string
}

// mySubscriptions is the channels the user follows and their latest
// videos (the service behind users/me/subscriptions/videos).
func (s *Server) mySubscriptions(c echo.Context) error {
	ctx, who := c.Request().Context(), viewer(c)
	subs, _, err := s.Subscriptions.List(ctx, who, subscriptions.Query{Count: myListMax})
	if err != nil {
		return err
	}
	start := pageStart(c)
	vs, total, err := s.Subscriptions.Feed(ctx, who, subscriptions.Query{Start: start, Count: pageSize})
	if err != nil {
		return err
	}
	tok, err := s.Subscriptions.FeedToken(ctx, who)
	if err != nil {
		return err
	}
	d := mySubscriptionsData{Subscriptions: subs, Videos: vs,
		FeedURL: s.urls(c).Abs(uris.SubscriptionFeed("xml", "?accountId="+strconv.FormatInt(who.AccountID, 10)+"&token="+url.QueryEscape(tok)))}
	d.Prev, d.Next = pageLinks(c, start, total)
	return s.renderMine(c, "my_subscriptions", "my.subscriptions.title", d)
}

// here is this instance's host, for the handles the subscription forms
// send (a channel's name alone is local too).
func (s *Server) here(c echo.Context) string {
	u, err := url.Parse(s.baseURL(c))
	if err != nil {
		return ""
	}
	return u.Host
}

func (s *Server) mySubscribe(c echo.Context) error {
	if _, err := s.Subscriptions.Subscribe(c.Request().Context(), viewer(c), c.FormValue("handle"), s.here(c)); err != nil {
		return s.refuse(c, err)
	}
	return back(c, "/my/subscriptions?done=subscribed")
}

func (s *Server) myUnsubscribe(c echo.Context) error {
	err := s.Subscriptions.Unsubscribe(c.Request().Context(), viewer(c), c.FormValue("handle"), s.here(c))
	if err != nil && err != subscriptions.ErrNotSubscribed {
		return s.refuse(c, err)
	}
	return back(c, "/my/subscriptions?done=unsubscribed")
}

// myRenewFeedToken gives the user a new feed token: readers given the old
// feed address stop getting it.
func (s *Server) myRenewFeedToken(c echo.Context) error {
	if _, err := s.Subscriptions.RenewFeedToken(c.Request().Context(), viewer(c)); err != nil {
		return s.refuse(c, err)
	}
	return back(c, "/my/subscriptions?done=renewed")
}

type myNotificationsData struct {
	Notifications []model.Notification
	Unread        int
	Prev, Next    string
}

// myNotifications lists the user's notifications, newest first.
func (s *Server) myNotifications(c echo.Context) error {
	ctx, who := c.Request().Context(), viewer(c)
	start := pageStart(c)
	ns, total, err := s.Notifications.List(ctx, who, notifications.Query{Start: start, Count: pageSize})
	if err != nil {
		return err
	}
	unread, err := s.Notifications.Unread(ctx, who)
	if err != nil {
		return err
	}
	d := myNotificationsData{Notifications: ns, Unread: unread}
	d.Prev, d.Next = pageLinks(c, start, total)
	return s.renderMine(c, "my_notifications", "my.notifications.title", d)
}

func (s *Server) myNotificationsRead(c echo.Context) error {
	id, err := strconv.ParseInt(c.FormValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, s.view(c, "", nil).T("my.error.invalid"))
	}
	if err := s.Notifications.MarkRead(c.Request().Context(), viewer(c), []int64{id}); err != nil {
		return s.refuse(c, err)
	}
	return back(c, "/my/notifications?done=read")
}

func (s *Server) myNotificationsReadAll(c echo.Context) error {
	if err := s.Notifications.MarkAllRead(c.Request().Context(), viewer(c)); err != nil {
		return s.refuse(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/notifications?done=read")
}

// mySubscribeView is the subscribe button of a channel, on the channel
// and watch pages (nil for the anonymous: they see a login link instead).
type mySubscribeView struct {
	Handle     string // the channel's name, the form's handle
	Subscribed bool
	Next       string // the page to come back to
}

// myWatchView is the watch page's "add to playlist" menu and the
// channel line's subscribe button.
type myWatchView struct {
	Video     string // the video's short UUID
	Playlists []model.Playlist
	Subscribe *mySubscribeView
}

// mySubscribe is the subscribe button for ch as the visitor sees it;
// nil when nobody is signed in or subscriptions are not wired.
func (s *Server) mySubscribeButton(c echo.Context, ch model.Channel) (*mySubscribeView, error) {
	who := viewer(c)
	if s.Subscriptions == nil || !who.LoggedIn() || ch.ID == 0 {
		return nil, nil
	}
	on, err := s.Subscriptions.IsSubscribed(c.Request().Context(), who, ch)
	if err != nil {
		return nil, err
	}
	return &mySubscribeView{Handle: ch.Name, Subscribed: on, Next: c.Request().URL.RequestURI()}, nil
}

// myWatch is the watch page's part of the user's pages; nil for the
// anonymous.
func (s *Server) myWatch(c echo.Context, v model.Video) (*myWatchView, error) {
	who := viewer(c)
	if !who.LoggedIn() {
		return nil, nil
	}
	mw := &myWatchView{Video: v.ShortUUID}
	var err error
	if mw.Subscribe, err = s.mySubscribeButton(c, v.Channel); err != nil {
		return nil, err
	}
	if s.Playlists != nil {
		_, ps, _, err := s.Playlists.OfAccount(c.Request().Context(), who, currentUser(c).Username,
			playlists.Query{Count: myListMax, Type: model.PlaylistRegular})
		if err != nil {
			return nil, err
		}
		mw.Playlists = ps
	}
	return mw, nil
}

// myPair hands a shared block the page's view and one value:
// {{template "my-subscribe" (myPair $ "S" .Subscribe)}}.
func myPair(v any, key string, x any) map[string]any { return map[string]any{"V": v, key: x} }

// myUnread is the header's unread count: 0 for the anonymous, and 0 when
// it cannot be read (a badge is not worth failing a page for).
func (s *Server) myUnread(c echo.Context) int {
	if s.Notifications == nil || currentUser(c) == nil {
		return 0
	}
	n, err := s.Notifications.Unread(c.Request().Context(), viewer(c))
	if err != nil {
		s.Log.Warn("unread notifications", "err", err)
		return 0
	}
	return n
}
