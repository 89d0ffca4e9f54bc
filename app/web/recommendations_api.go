package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/recommendations"
	"cabane.dev/cabane/app/uris"
)

// Cabane's own recommendations endpoints (not in PeerTube's document, so
// their shapes are Cabane's): a channel's list, readable by anyone (the
// Nearby page of other boxes reads it), managed by its owner.
func (s *Server) recommendationsAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/recommendations", s.apiRecentRecommendations, api...)
	g.GET("/video-channels/:handle/recommendations", s.apiRecommendations, api...)
	g.POST("/video-channels/:handle/recommendations", s.apiRecommend, user...)
	g.DELETE("/video-channels/:handle/recommendations/:id", s.apiUnrecommend, user...)
}

// recommendationsFed serves a local channel's recommendations collection
// (the IRI its Group's "recommendations" names).
func (s *Server) recommendationsFed(e *echo.Echo, fed []echo.MiddlewareFunc) {
	e.GET("/video-channels/:name/recommendations", func(c echo.Context) error {
		coll, err := s.Federation.RecommendationsOf(c.Request().Context(), c.Param("name"))
		if err != nil {
			return fedError(err)
		}
		return sendJSON(c, vocab.ContentType, coll)
	}, fed...)
}

// apiRecommendationList is GET's answer.
type apiRecommendationList struct {
	Total int                 `json:"total"`
	Data  []apiRecommendation `json:"data"`
}

// apiRecommendation is one recommendation: its target's kind, name, IRI,
// origin page and host, and, when it is here, the page that shows it here
// (a remote video plays from its origin there).
type apiRecommendation struct {
	ID        int64     `json:"id"`
	Kind      string    `json:"kind"` // "video" or "channel"
	Name      string    `json:"name"`
	IRI       string    `json:"iri"`
	URL       string    `json:"url"`
	Host      string    `json:"host"`
	Note      string    `json:"note"`
	Position  int       `json:"position"`
	LocalURL  string    `json:"localUrl,omitempty"`
	Thumbnail string    `json:"thumbnailUrl,omitempty"`
	CreatedAt time.Time `json:"createdAt"`
}

func recommendationJSON(u uris.Builder, sh recommendations.Shown) apiRecommendation {
	r := apiRecommendation{ID: sh.ID, Kind: sh.Kind, Name: sh.Name, IRI: sh.IRI, URL: sh.URL, Host: sh.Host(), Note: sh.Note,
		Position: sh.Position, CreatedAt: sh.CreatedAt}
	if sh.Video != nil {
		r.LocalURL = u.Abs(uris.ShortWatch(sh.Video.ShortUUID))
	}
	if sh.Channel != nil {
		r.LocalURL = u.Abs(uris.ChannelPage(sh.Channel.Name))
	}
	return r
}

func (s *Server) apiRecommendations(c echo.Context) error {
	if s.Recommendations == nil {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	ch, err := s.channelByHandle(c)
	if err != nil {
		return err
	}
	shown, err := s.Recommendations.Show(c.Request().Context(), viewer(c), ch.ID)
	if err != nil {
		return err
	}
	u := s.urls(c)
	out := apiRecommendationList{Total: len(shown), Data: make([]apiRecommendation, 0, len(shown))}
	for _, sh := range shown {
		out.Data = append(out.Data, recommendationJSON(u, sh))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiRecommend(c echo.Context) error {
	if s.Recommendations == nil {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	ch, err := s.channelByHandle(c)
	if err != nil {
		return err
	}
	var in struct {
		Target string `json:"target"`
		Note   string `json:"note"`
	}
	if err := c.Bind(&in); err != nil {
		return apiError(http.StatusBadRequest, "invalid body")
	}
	r, err := s.Recommendations.Add(c.Request().Context(), viewer(c), ch, in.Target, in.Note)
	if err != nil {
		return recommendationsError(err)
	}
	return c.JSON(http.StatusOK, recommendationJSON(s.urls(c), recommendations.Shown{Recommendation: r}))
}

func (s *Server) apiUnrecommend(c echo.Context) error {
	if s.Recommendations == nil {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	ch, err := s.channelByHandle(c)
	if err != nil {
		return err
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return apiError(http.StatusNotFound, "Recommendation not found")
	}
	if err := s.Recommendations.Remove(c.Request().Context(), viewer(c), ch, id); err != nil {
		return recommendationsError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func recommendationsError(err error) error {
	switch {
	case errors.Is(err, recommendations.ErrForbidden):
		return apiError(http.StatusForbidden, "only the channel's owner may manage its recommendations")
	case errors.Is(err, recommendations.ErrInvalid):
		return apiError(http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Recommendation not found")
	}
	return err
}

// apiRecentRecommendations is this server's latest recommendations,
// what the Nearby page of the other boxes on the LAN shows (?count,
// default and at most recommendations.Max).
func (s *Server) apiRecentRecommendations(c echo.Context) error {
	if s.Recommendations == nil {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	count := recommendations.Max
	if v := c.QueryParam("count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return apiError(http.StatusBadRequest, "count must be a positive integer")
		}
		count = n
	}
	out, err := s.Recommendations.Recent(c.Request().Context(), count, s.urls(c).Host())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, out)
}
