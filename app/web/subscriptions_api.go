package web

import (
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/notifications"
	"cabane.dev/cabane/app/subscriptions"
)

// apiChannelList is PeerTube's VideoChannelList.
type apiChannelList = listJSON[apiChannel]

// apiVideoList is PeerTube's VideoListResponse.
type apiVideoList = listJSON[apiVideo]

// subscriptionError answers a subscriptions or notifications error as
// PeerTube does.
func subscriptionError(err error) error {
	var se *subscriptions.SortError
	var ne *notifications.FieldError
	switch {
	case errors.As(err, &se):
		return fieldError("sort", "%s", se.Error())
	case errors.As(err, &ne):
		return fieldError(ne.Field, "%s", ne.Msg)
	case errors.Is(err, subscriptions.ErrBadHandle), errors.Is(err, subscriptions.ErrRemote):
		return fieldError("uri", "%s", err.Error())
	case errors.Is(err, subscriptions.ErrNotSubscribed):
		return apiError(http.StatusNotFound, "%s", err.Error())
	case errors.Is(err, subscriptions.ErrLoginRequired), errors.Is(err, notifications.ErrLoginRequired):
		return apiError(http.StatusUnauthorized, "authentication required: log in or send a Bearer token")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video channel not found")
	}
	return err
}

func (s *Server) apiSubscriptions(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	subs, total, err := s.Subscriptions.List(c.Request().Context(), viewer(c), subscriptions.Query{Start: start, Count: count, Sort: c.QueryParam("sort")})
	if err != nil {
		return subscriptionError(err)
	}
	u := s.urls(c)
	out := apiChannelList{Total: total, Data: make([]apiChannel, 0, len(subs))}
	for _, sub := range subs {
		out.Data = append(out.Data, s.fullChannelJSON(u, sub.Channel))
	}
	return c.JSON(http.StatusOK, out)
}

type subscribeBody struct {
	URI string `json:"uri" form:"uri"`
}

// apiSubscribe answers 204, as PeerTube does (its document says 200).
func (s *Server) apiSubscribe(c echo.Context) error {
	var b subscribeBody
	if err := c.Bind(&b); err != nil || b.URI == "" {
		return fieldError("uri", "%s", subscriptions.ErrBadHandle.Error())
	}
	if _, err := s.Subscriptions.Subscribe(c.Request().Context(), viewer(c), b.URI, s.urls(c).Host()); err != nil {
		if errors.Is(err, model.ErrNotFound) {
			return fieldError("uri", "Video channel not found")
		}
		return subscriptionError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// handleParam is the path's handle, unescaped ("name%40host").
func handleParam(c echo.Context) string {
	h, err := url.PathUnescape(c.Param("handle"))
	if err != nil {
		return c.Param("handle")
	}
	return h
}

func (s *Server) apiSubscription(c echo.Context) error {
	ch, err := s.Subscriptions.Mine(c.Request().Context(), viewer(c), handleParam(c), s.urls(c).Host())
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusOK, s.fullChannelJSON(s.urls(c), ch))
}

func (s *Server) apiUnsubscribe(c echo.Context) error {
	if err := s.Subscriptions.Unsubscribe(c.Request().Context(), viewer(c), handleParam(c), s.urls(c).Host()); err != nil {
		return subscriptionError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiSubscriptionsExist(c echo.Context) error {
	q := c.QueryParams()
	uris := append(q["uris"], q["uris[]"]...)
	if len(uris) == 0 {
		return fieldError("uris", "Should have a valid array of uris")
	}
	got, err := s.Subscriptions.Exist(c.Request().Context(), viewer(c), uris, s.urls(c).Host())
	if err != nil {
		return subscriptionError(err)
	}
	return c.JSON(http.StatusOK, got)
}

func (s *Server) apiSubscriptionVideos(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	vs, total, err := s.Subscriptions.Feed(c.Request().Context(), viewer(c), subscriptions.Query{Start: start, Count: count, Sort: c.QueryParam("sort")})
	if err != nil {
		return subscriptionError(err)
	}
	out := apiVideoList{Total: total, Data: make([]apiVideo, 0, len(vs))}
	for _, v := range vs {
		out.Data = append(out.Data, s.videoJSON(c, v))
	}
	s.remoteList(c.Request().Context(), vs, out.Data) // following (#10)
	return c.JSON(http.StatusOK, out)
}

// apiFeedToken is PeerTube's /api/v1/users/scoped-tokens: GET reads the
// user's feed token (made on first demand), POST renews it.
func (s *Server) apiFeedToken(renew bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		get := s.Subscriptions.FeedToken
		if renew {
			get = s.Subscriptions.RenewFeedToken
		}
		tok, err := get(c.Request().Context(), viewer(c))
		if err != nil {
			return subscriptionError(err)
		}
		return c.JSON(http.StatusOK, map[string]string{"feedToken": tok})
	}
}
