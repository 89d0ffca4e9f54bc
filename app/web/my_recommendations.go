package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/recommendations"
)

// The creator's recommendations (#11): per channel, a form that takes a
// link or a handle and a note, and the list with a remove button each.

func (s *Server) myRecommendationsRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	user := whenReady(append(page[:len(page):len(page)], s.requireLogin), func() bool { return s.Recommendations != nil })
	e.GET("/my/recommendations", s.myRecommendations, user...)
	e.POST("/my/recommendations", s.myRecommend, user...)
	e.POST("/my/recommendations/:id/delete", s.myUnrecommend, user...)
}

// myRecommendedChannel is one of the user's channels and its list.
type myRecommendedChannel struct {
	ID          int64
	DisplayName string
	Items       []recommendations.Shown
}

type myRecommendationsData struct {
	Channels []myRecommendedChannel
	Max      int
}

func (s *Server) myRecommendations(c echo.Context) error {
	ctx := c.Request().Context()
	chs, err := s.Accounts.ChannelsOf(ctx, currentUser(c).AccountID)
	if err != nil {
		return err
	}
	d := myRecommendationsData{Max: model.MaxRecommendationNote}
	for _, ch := range chs {
		items, err := s.Recommendations.Show(ctx, viewer(c), ch.ID)
		if err != nil {
			return err
		}
		d.Channels = append(d.Channels, myRecommendedChannel{ID: ch.ID, DisplayName: ch.DisplayName, Items: items})
	}
	return s.renderMine(c, "my_recommendations", "recommend.manage.title", d)
}

// myChannelOf is the channel a form names, if it is one of the user's
// (the service checks the rule again).
func (s *Server) myChannelOf(c echo.Context) (model.Channel, error) {
	id, err := strconv.ParseInt(c.FormValue("channel"), 10, 64)
	if err == nil && id > 0 {
		ch, err := s.Accounts.ChannelByID(c.Request().Context(), viewer(c), id)
		if err == nil {
			return ch, nil
		}
		if !errors.Is(err, model.ErrNotFound) {
			return ch, err
		}
	}
	return model.Channel{}, echo.NewHTTPError(http.StatusBadRequest, s.pageWords(c).T("recommend.manage.bad_channel"))
}

func (s *Server) myRecommend(c echo.Context) error {
	ch, err := s.myChannelOf(c)
	if err != nil {
		return err
	}
	if _, err := s.Recommendations.Add(c.Request().Context(), viewer(c), ch, c.FormValue("target"), c.FormValue("note")); err != nil {
		return s.recommendRefused(err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/recommendations?done=recommended")
}

func (s *Server) myUnrecommend(c echo.Context) error {
	ch, err := s.myChannelOf(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	if err := s.Recommendations.Remove(c.Request().Context(), viewer(c), ch, id); err != nil {
		return s.recommendRefused(err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/recommendations?done=unrecommended")
}

// recommendRefused answers a refusal with its status; an invalid target
// says why (the service's message names what was wrong).
func (s *Server) recommendRefused(err error) error {
	switch {
	case errors.Is(err, recommendations.ErrForbidden):
		return echo.NewHTTPError(http.StatusForbidden)
	case errors.Is(err, recommendations.ErrInvalid):
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	case errors.Is(err, model.ErrNotFound):
		return echo.NewHTTPError(http.StatusNotFound)
	}
	return err
}
