package web

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation/following"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/uris"
)

// The server's own follows, PeerTube's /api/v1/server/following: the admin
// makes the server actor follow whole instances (by host) or actors (by
// handle), lists them and unfollows. Following and unfollowing are the
// admins' (checked by the service); the list is anyone's, as PeerTube's
// (which instances a server follows is what other servers and apps read).

func (s *Server) serverFollowingAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/server/following", s.apiServerFollowing, api...)
	g.POST("/server/following", s.apiServerFollow, user...)
	g.DELETE("/server/following/:hostOrHandle", s.apiServerUnfollow, user...)
}

// followingActorTypes are the actorType filter's values (PeerTube's).
var followingActorTypes = map[string]bool{"Person": true, "Application": true, "Group": true, "Service": true, "Organization": true}

func (s *Server) apiServerFollowing(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	q := following.Query{Start: start, Count: count, Search: c.QueryParam("search"), State: c.QueryParam("state"),
		ActorType: c.QueryParam("actorType")}
	if q.State != "" && q.State != model.FollowPending && q.State != model.FollowAccepted {
		return fieldError("state", "state must be pending or accepted")
	}
	if q.ActorType != "" && !followingActorTypes[q.ActorType] {
		return fieldError("actorType", "Should have a valid actor type")
	}
	switch c.QueryParam("sort") {
	case "", "-createdAt":
	case "createdAt":
		q.Ascending = true
	default:
		return fieldError("sort", "Should have a sort value in createdAt, -createdAt")
	}
	if len(q.Search) > 255 {
		return fieldError("search", "search is too long")
	}
	if s.Following == nil {
		return c.JSON(http.StatusOK, listJSON[apiFollow]{Data: []apiFollow{}})
	}
	fs, total, err := s.Following.ServerFollowingQuery(c.Request().Context(), viewer(c), q)
	if err != nil {
		return serverFollowingError(err)
	}
	_, me, _ := s.serverActorOf(c)
	me.Host, me.URL = s.urls(c).Host(), s.urls(c).Abs(uris.ServerActor)
	out := listJSON[apiFollow]{Total: total, Data: make([]apiFollow, 0, len(fs))}
	for _, f := range fs {
		target := followerJSON(f.Target)
		// Whether this box copies that instance's videos (redundancy, #12).
		target.HostRedundancyAllowed = s.Mirrors.CopiesAllowed(c.Request().Context(), target.Host)
		out.Data = append(out.Data, apiFollow{ID: f.ID, Follower: me, Following: target, Score: followScore,
			State: f.State, CreatedAt: f.CreatedAt, UpdatedAt: f.CreatedAt})
	}
	return c.JSON(http.StatusOK, out)
}

// serverFollowBody is PeerTube's ServerFollowCreate.
type serverFollowBody struct {
	Hosts   []string `json:"hosts"`
	Handles []string `json:"handles"`
}

func (s *Server) apiServerFollow(c echo.Context) error {
	var b serverFollowBody
	if err := c.Bind(&b); err != nil {
		return apiError(http.StatusBadRequest, "body must be {hosts: [...], handles: [...]}")
	}
	if s.Following == nil {
		if !viewer(c).Admin() {
			return apiError(http.StatusForbidden, "%s", following.ErrForbidden.Error())
		}
		return apiError(http.StatusBadRequest, "federation is off (no public URL)")
	}
	if err := s.Following.FollowServers(c.Request().Context(), viewer(c), b.Hosts, b.Handles); err != nil {
		return serverFollowingError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiServerUnfollow(c echo.Context) error {
	if s.Following == nil {
		if !viewer(c).Admin() {
			return apiError(http.StatusForbidden, "%s", following.ErrForbidden.Error())
		}
		return apiError(http.StatusNotFound, "Follow %s not found.", c.Param("hostOrHandle"))
	}
	if err := s.Following.UnfollowServer(c.Request().Context(), viewer(c), c.Param("hostOrHandle")); err != nil {
		if errors.Is(err, following.ErrNotFollowing) {
			return apiError(http.StatusNotFound, "Follow %s not found.", c.Param("hostOrHandle"))
		}
		return serverFollowingError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func serverFollowingError(err error) error {
	switch {
	case errors.Is(err, following.ErrForbidden):
		return apiError(http.StatusForbidden, "%s", err.Error())
	case errors.Is(err, subscriptions.ErrBadHandle), errors.Is(err, subscriptions.ErrRemote):
		return apiError(http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "%s", err.Error())
	}
	return err
}
