package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/following"
	"cabane.dev/cabane/app/federation/inbox"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/move"
	"cabane.dev/cabane/app/model"
)

// The move page (#11 point 4): for the user's account and each of its
// channels, the aliases it lists (alsoKnownAs) and the form that moves it
// to another server. Plain POSTs with the page's CSRF field, then back to
// the page (303) with what was done.

// moveRoutes adds /my/settings/move and its forms.
func (s *Server) moveRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	user := append(page[:len(page):len(page)], s.requireLogin)
	mv := whenReady(user, func() bool { return s.Moves != nil })
	e.GET("/my/settings/move", s.myMove, mv...)
	e.POST("/my/settings/move/alias", s.myMoveAlias, mv...)
	e.POST("/my/settings/move/alias/delete", s.myMoveAliasDelete, mv...)
	e.POST("/my/settings/move/to", s.myMoveTo, mv...)
}

// moveActorView is one of the user's actors on the move page.
type moveActorView struct {
	Kind        string // "account" or "channel": the forms' field
	ID          int64
	Name        string // display name
	Handle      string
	IRI         string
	AlsoKnownAs []string
	MovedTo     string
	MovedURL    string
}

type myMoveData struct{ Actors []moveActorView }

func (s *Server) myMove(c echo.Context) error {
	ctx, who := c.Request().Context(), viewer(c)
	a, err := s.Accounts.AccountByID(ctx, who.AccountID)
	if err != nil {
		return err
	}
	chs, err := s.Accounts.ChannelsOf(ctx, a.ID)
	if err != nil {
		return err
	}
	u := s.urls(c)
	var d myMoveData
	add := func(k keys.Actor, display, name string) error {
		st, err := s.Moves.State(ctx, who, k)
		if err != nil {
			return err
		}
		d.Actors = append(d.Actors, moveActorView{Kind: string(k.Kind), ID: k.ID, Name: display, Handle: "@" + u.Handle(name),
			IRI: st.IRI, AlsoKnownAs: st.AlsoKnownAs, MovedTo: st.MovedTo, MovedURL: st.MovedURL})
		return nil
	}
	if err := add(keys.Actor{Kind: keys.Account, ID: a.ID}, displayOr(a.DisplayName, a.Name), a.Name); err != nil {
		return s.moveRefused(c, err)
	}
	for _, ch := range chs {
		if err := add(keys.Actor{Kind: keys.Channel, ID: ch.ID}, displayOr(ch.DisplayName, ch.Name), ch.Name); err != nil {
			return s.moveRefused(c, err)
		}
	}
	v := s.view(c, "", d)
	v.Title = v.T("move.title")
	switch done := c.QueryParam("done"); done {
	case "alias_added", "alias_removed", "moved":
		v.Notice = v.T("move.done." + done)
	}
	return s.renderView(c, http.StatusOK, "my_move", v)
}

// moveActor is the actor a form names (kind and id); the service checks
// that it is the user's.
func moveActor(c echo.Context) (keys.Actor, error) {
	id, err := strconv.ParseInt(c.FormValue("id"), 10, 64)
	if err != nil {
		return keys.Actor{}, move.ErrForbidden
	}
	switch k := keys.Kind(c.FormValue("kind")); k {
	case keys.Account, keys.Channel:
		return keys.Actor{Kind: k, ID: id}, nil
	}
	return keys.Actor{}, move.ErrForbidden
}

func (s *Server) myMoveAlias(c echo.Context) error {
	a, err := moveActor(c)
	if err == nil {
		_, err = s.Moves.AddAlias(c.Request().Context(), viewer(c), a, c.FormValue("uri"))
	}
	if err != nil {
		return s.moveRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings/move?done=alias_added")
}

func (s *Server) myMoveAliasDelete(c echo.Context) error {
	a, err := moveActor(c)
	if err == nil {
		err = s.Moves.RemoveAlias(c.Request().Context(), viewer(c), a, c.FormValue("iri"))
	}
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return s.moveRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings/move?done=alias_removed")
}

func (s *Server) myMoveTo(c echo.Context) error {
	a, err := moveActor(c)
	if err == nil {
		_, err = s.Moves.MoveTo(c.Request().Context(), viewer(c), a, c.FormValue("uri"))
	}
	if err != nil {
		return s.moveRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings/move?done=moved")
}

// moveRefused answers a refused form with the sentence that says why.
func (s *Server) moveRefused(c echo.Context, err error) error {
	switch {
	case errors.Is(err, move.ErrForbidden):
		return pageError(http.StatusForbidden, "move.error.forbidden")
	case errors.Is(err, move.ErrNotAlias):
		return pageError(http.StatusBadRequest, "move.error.not_alias")
	case errors.Is(err, move.ErrSelf):
		return pageError(http.StatusBadRequest, "move.error.self")
	case errors.Is(err, move.ErrLocal):
		return pageError(http.StatusBadRequest, "move.error.local")
	case errors.Is(err, move.ErrTooMany):
		return pageError(http.StatusBadRequest, "move.error.too_many", move.MaxAliases)
	case errors.Is(err, move.ErrOff):
		return pageError(http.StatusBadRequest, "move.error.off")
	case errors.Is(err, following.ErrBadURI), errors.Is(err, inbox.ErrBadActor):
		return pageError(http.StatusBadRequest, "move.error.bad_uri")
	case errors.Is(err, model.ErrNotFound):
		return pageError(http.StatusNotFound, "move.error.not_found")
	}
	return err
}

func displayOr(display, name string) string {
	if display == "" {
		return name
	}
	return display
}
