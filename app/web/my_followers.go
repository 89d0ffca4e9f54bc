package web

import (
	"cabane.dev/cabane/app/model"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/markup"
)

// The creator's remote followers (#10): who follows their account and
// channels from other servers, the followers waiting for approval on a
// channel whose creator approves them by hand, and that setting.

// myFollowersRoutes are the page and its forms.
func (s *Server) myFollowersRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	user := whenReady(append(page[:len(page):len(page)], s.requireLogin), func() bool { return s.Follows != nil })
	e.GET("/my/followers", s.myFollowers, user...)
	e.POST("/my/followers/:id/approve", s.myFollowerDecide(true), user...)
	e.POST("/my/followers/:id/reject", s.myFollowerDecide(false), user...)
	e.POST("/my/followers/manual", s.myFollowersManual, user...)
}

// followerView is one remote follower as the page shows it: its name is
// the remote server's text, tags dropped (the template escapes it).
type followerView struct {
	ID      int64
	Name    string
	Handle  string
	URL     string
	Pending bool
}

// followedView is one of the user's actors and its followers.
type followedView struct {
	Kind        keys.Kind
	ID          int64
	DisplayName string
	Manual      bool // channels only
	Followers   []followerView
	Total       int
}

type myFollowersData struct {
	Actors []followedView
}

// myFollowersMax is how many followers each actor's section lists.
const myFollowersMax = 100

func (s *Server) myFollowers(c echo.Context) error {
	ctx, v := c.Request().Context(), viewer(c)
	u := currentUser(c)
	acc, err := s.Accounts.AccountByID(ctx, u.AccountID)
	if err != nil {
		return err
	}
	chs, err := s.Accounts.ChannelsOf(ctx, u.AccountID)
	if err != nil {
		return err
	}
	actors := []followedView{{Kind: keys.Account, ID: acc.ID, DisplayName: acc.DisplayName}}
	for _, ch := range chs {
		manual, err := s.Follows.ManualApproval(ctx, ch.ID)
		if err != nil {
			return err
		}
		actors = append(actors, followedView{Kind: keys.Channel, ID: ch.ID, DisplayName: ch.DisplayName, Manual: manual})
	}
	for i := range actors {
		a := &actors[i]
		// An account's own followers only: its channels have their sections.
		fs, total, err := s.Follows.List(ctx, v, keys.Actor{Kind: a.Kind, ID: a.ID}, "", 0, myFollowersMax)
		if err != nil {
			return s.refuse(c, err)
		}
		for _, f := range fs {
			if f.TargetKind != string(a.Kind) || f.TargetID != a.ID {
				total--
				continue
			}
			a.Followers = append(a.Followers, followerOf(f))
		}
		a.Total = total
	}
	return s.renderMine(c, "my_followers", "follows.title", myFollowersData{Actors: actors})
}

func followerOf(f model.Follow) followerView {
	name := markup.PlainText(f.Follower.Name)
	if name == "" {
		name = f.Follower.PreferredUsername
	}
	link := f.Follower.URL
	if link == "" {
		link = f.Follower.IRI
	}
	return followerView{ID: f.ID, Name: name, Handle: "@" + f.Follower.PreferredUsername + "@" + f.Follower.Host,
		URL: link, Pending: f.State == model.FollowPending}
}

func (s *Server) myFollowerDecide(approve bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := strconv.ParseInt(c.Param("id"), 10, 64)
		if err != nil || id <= 0 {
			return echo.NewHTTPError(http.StatusNotFound)
		}
		ctx, v := c.Request().Context(), viewer(c)
		if approve {
			err = s.Follows.Approve(ctx, v, id, nil)
		} else {
			err = s.Follows.Refuse(ctx, v, id, nil)
		}
		if err != nil {
			return s.followsRefused(c, err)
		}
		done := "follower_approved"
		if !approve {
			done = "follower_rejected"
		}
		return c.Redirect(http.StatusSeeOther, "/my/followers?done="+done)
	}
}

func (s *Server) myFollowersManual(c echo.Context) error {
	id, err := strconv.ParseInt(c.FormValue("channel"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusBadRequest, s.pageWords(c).T("follows.bad_channel"))
	}
	on := c.FormValue("manual") == "on"
	if err := s.Follows.SetManualApproval(c.Request().Context(), viewer(c), id, on); err != nil {
		return s.followsRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/followers?done=follower_policy")
}

func (s *Server) followsRefused(c echo.Context, err error) error {
	w := s.pageWords(c)
	switch {
	case errors.Is(err, follows.ErrForbidden):
		return echo.NewHTTPError(http.StatusForbidden, w.T("follows.forbidden"))
	case errors.Is(err, follows.ErrNotPending):
		return echo.NewHTTPError(http.StatusConflict, w.T("follows.not_pending"))
	case errors.Is(err, follows.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound, w.T("follows.not_found"))
	}
	return s.refuse(c, err)
}
