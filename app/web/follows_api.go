package web

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// apiFollowActor is PeerTube's Actor as a follow lists it.
type apiFollowActor struct {
	ID                    int64      `json:"id"`
	URL                   string     `json:"url"`
	Name                  string     `json:"name"`
	DisplayName           string     `json:"displayName"`
	Host                  string     `json:"host"`
	HostRedundancyAllowed bool       `json:"hostRedundancyAllowed"`
	FollowingCount        int        `json:"followingCount"`
	FollowersCount        int        `json:"followersCount"`
	Avatars               []apiImage `json:"avatars"`
	CreatedAt             time.Time  `json:"createdAt"`
	UpdatedAt             time.Time  `json:"updatedAt"`
}

// apiFollow is PeerTube's Follow (ActorFollow).
type apiFollow struct {
	ID        int64          `json:"id"`
	Follower  apiFollowActor `json:"follower"`
	Following apiFollowActor `json:"following"`
	Score     float64        `json:"score"`
	State     string         `json:"state"`
	CreatedAt time.Time      `json:"createdAt"`
	UpdatedAt time.Time      `json:"updatedAt"`
}

// followScore is PeerTube's base reachability score
// (ACTOR_FOLLOW_SCORE.BASE); Cabane does not score followers.
const followScore = 1000

// followsAPIRoutes are PeerTube's followers endpoints: the server actor's
// (admins), and an account's or a channel's (their owner, and admins).
func (s *Server) followsAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/server/followers", s.apiFollowers(s.serverActorOf), user...)
	g.POST("/server/followers/:handle/accept", s.apiDecideServerFollower(true), user...)
	g.POST("/server/followers/:handle/reject", s.apiDecideServerFollower(false), user...)
	g.DELETE("/server/followers/:handle", s.apiDecideServerFollower(false), user...)
	g.GET("/accounts/:name/followers", s.apiFollowers(s.accountActorOf), user...)
	g.GET("/video-channels/:handle/followers", s.apiFollowers(s.channelActorOf), user...)
}

// The local actor a followers route is about, and its API shape.
type actorOf func(c echo.Context) (keys.Actor, apiFollowActor, error)

// serverActorOf is the server actor. Its API id is 1 (PeerTube's actor
// ids must be positive; the server actor has no row of its own here).
func (s *Server) serverActorOf(c echo.Context) (keys.Actor, apiFollowActor, error) {
	var since time.Time
	if s.Federation != nil {
		since = s.Federation.Started
	}
	return keys.ServerActor, apiFollowActor{ID: 1, Name: federation.ServerName, DisplayName: federation.ServerName,
		Avatars: []apiImage{}, CreatedAt: since, UpdatedAt: since}, nil
}

func (s *Server) accountActorOf(c echo.Context) (keys.Actor, apiFollowActor, error) {
	a, err := s.accountByHandle(c)
	if err != nil {
		return keys.Actor{}, apiFollowActor{}, err
	}
	return keys.Actor{Kind: keys.Account, ID: a.ID}, apiFollowActor{ID: a.ID, Name: a.Name, DisplayName: a.DisplayName,
		URL: s.urls(c).Abs(uris.Account(a.Name)), Avatars: []apiImage{}, CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt}, nil
}

func (s *Server) channelActorOf(c echo.Context) (keys.Actor, apiFollowActor, error) {
	ch, err := s.channelByHandle(c)
	if err != nil {
		return keys.Actor{}, apiFollowActor{}, err
	}
	return keys.Actor{Kind: keys.Channel, ID: ch.ID}, apiFollowActor{ID: ch.ID, Name: ch.Name, DisplayName: ch.DisplayName,
		URL: s.urls(c).Abs(uris.Channel(ch.Name)), Avatars: []apiImage{}, CreatedAt: ch.CreatedAt, UpdatedAt: ch.CreatedAt}, nil
}

func (s *Server) apiFollowers(of actorOf) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Follows == nil {
			return c.JSON(http.StatusOK, listJSON[apiFollow]{Data: []apiFollow{}})
		}
		start, count, err := pagination(c)
		if err != nil {
			return err
		}
		state := c.QueryParam("state")
		if state != "" && state != model.FollowPending && state != model.FollowAccepted {
			return apiError(http.StatusBadRequest, "state must be pending or accepted")
		}
		a, following, err := of(c)
		if err != nil {
			return err
		}
		fs, total, err := s.Follows.List(c.Request().Context(), viewer(c), a, state, start, count)
		if err != nil {
			return followsError(err)
		}
		u := s.urls(c)
		following.Host = u.Host()
		if a == keys.ServerActor {
			following.URL = u.Abs(uris.ServerActor)
		}
		out := listJSON[apiFollow]{Total: total, Data: make([]apiFollow, 0, len(fs))}
		for _, f := range fs {
			fa := following
			if f.TargetKind != string(a.Kind) || f.TargetID != a.ID {
				// An account's list holds its channels' follows too.
				fa = s.followTargetJSON(c, f)
			}
			out.Data = append(out.Data, apiFollow{ID: f.ID, Follower: followerJSON(f.Follower), Following: fa, Score: followScore,
				State: f.State, CreatedAt: f.CreatedAt, UpdatedAt: f.CreatedAt})
		}
		return c.JSON(http.StatusOK, out)
	}
}

// followTargetJSON is the local channel a follow is of, for an account's
// list.
func (s *Server) followTargetJSON(c echo.Context, f model.Follow) apiFollowActor {
	u := s.urls(c)
	out := apiFollowActor{ID: f.TargetID, Host: u.Host(), Avatars: []apiImage{}}
	if ch, err := s.Accounts.ChannelByID(c.Request().Context(), viewer(c), f.TargetID); err == nil {
		out.Name, out.DisplayName, out.URL = ch.Name, ch.DisplayName, u.Abs(uris.Channel(ch.Name))
		out.CreatedAt, out.UpdatedAt = ch.CreatedAt, ch.CreatedAt
	}
	return out
}

// followerJSON is a remote follower; its display name is the remote
// server's text, tags dropped.
func followerJSON(a model.RemoteActor) apiFollowActor {
	display := markup.PlainText(a.Name)
	if display == "" {
		display = a.PreferredUsername
	}
	return apiFollowActor{ID: a.ID, URL: a.IRI, Name: a.PreferredUsername, DisplayName: display, Host: a.Host,
		Avatars: []apiImage{}, CreatedAt: a.FetchedAt, UpdatedAt: a.FetchedAt}
}

// apiDecideServerFollower accepts or rejects (removes) a follower of the
// server actor, named by handle: admins only.
func (s *Server) apiDecideServerFollower(accept bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.Follows == nil {
			return apiError(http.StatusNotFound, "follower not found")
		}
		ctx, v := c.Request().Context(), viewer(c)
		f, err := s.Follows.ByHandle(ctx, v, keys.ServerActor, c.Param("handle"))
		if err != nil {
			return followsError(err)
		}
		target := keys.ServerActor
		if accept {
			err = s.Follows.Approve(ctx, v, f.ID, &target)
		} else {
			err = s.Follows.Refuse(ctx, v, f.ID, &target)
		}
		if err != nil {
			return followsError(err)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func followsError(err error) error {
	switch {
	case errors.Is(err, follows.ErrForbidden):
		return apiError(http.StatusForbidden, "%s", err.Error())
	case errors.Is(err, follows.ErrNotPending):
		return apiError(http.StatusConflict, "%s", err.Error())
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "follower not found")
	}
	return err
}

// followersCount is a local actor's accepted remote followers, 0 when
// follows are not wired or cannot be counted (a count is decoration).
func (s *Server) followersCount(ctx context.Context, a keys.Actor) int {
	if s.Follows == nil {
		return 0
	}
	n, err := s.Follows.Count(ctx, a)
	if err != nil {
		s.Log.Warn("count followers", "kind", a.Kind, "id", a.ID, "err", err)
		return 0
	}
	return n
}
