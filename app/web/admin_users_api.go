package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/instance"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/users"
)

// adminPagesAPIRoutes are PeerTube's routes for what the admin pages do:
// the instance's about, and banning and deleting users (PUT /users/{id},
// roles and quotas, is quota_api.go's route, answered by apiUpdateUser).
func (s *Server) adminPagesAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/config/about", s.apiConfigAbout, api...)
	g.GET("/config/custom", s.apiGetCustomConfig, user...)
	g.PUT("/config/custom", s.apiPutCustomConfig, user...)
	g.DELETE("/config/custom", s.apiDeleteCustomConfig, user...)
	g.GET("/users", s.apiListUsers, user...)
	g.GET("/users/:id", s.apiGetUser, user...)
	g.POST("/users/:id/block", s.apiBlockUser, user...)
	g.POST("/users/:id/unblock", s.apiUnblockUser, user...)
	g.DELETE("/users/:id", s.apiDeleteUser, user...)
}

// usersError answers a users-service error as PeerTube would.
func usersError(err error) error {
	var fe *users.FieldError
	switch {
	case err == nil:
		return nil
	case errors.Is(err, users.ErrForbidden):
		return apiError(http.StatusForbidden, "Users can only be managed by moderators or admins.")
	case errors.Is(err, repo.ErrLastAdmin):
		return apiError(http.StatusBadRequest, "%s", err.Error())
	case errors.As(err, &fe):
		return fieldError(fe.Field, "%s", fe.Msg)
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "User not found.")
	}
	return err
}

func (s *Server) apiUserID(c echo.Context) (int64, error) {
	if s.Users == nil {
		return 0, apiError(http.StatusNotFound, "no such API endpoint")
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, apiError(http.StatusBadRequest, "The user id must be a number.")
	}
	return id, nil
}

func (s *Server) apiUpdateUser(c echo.Context, id int64, ch users.Change) error {
	if err := usersError(s.Users.Update(c.Request().Context(), viewer(c), id, ch)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// blockRequest is PeerTube's body of POST /users/{id}/block.
type blockRequest struct {
	Reason string `json:"reason"`
}

func (s *Server) apiBlockUser(c echo.Context) error {
	id, err := s.apiUserID(c)
	if err != nil {
		return err
	}
	var in blockRequest
	if c.Request().ContentLength != 0 {
		if err := c.Bind(&in); err != nil {
			return apiError(http.StatusBadRequest, "The body must be JSON with an optional reason.")
		}
	}
	if err := usersError(s.Users.Ban(c.Request().Context(), viewer(c), id, in.Reason)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiUnblockUser(c echo.Context) error {
	id, err := s.apiUserID(c)
	if err != nil {
		return err
	}
	if err := usersError(s.Users.Unban(c.Request().Context(), viewer(c), id)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiDeleteUser(c echo.Context) error {
	id, err := s.apiUserID(c)
	if err != nil {
		return err
	}
	if err := usersError(s.Users.Delete(c.Request().Context(), viewer(c), id)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// apiAdminUser is PeerTube's User, as GET /users and /users/{id} send it
// to the staff. The preferences Cabane does not have are PeerTube's
// defaults for a new user; e-mail is never verified (Cabane sends none).
// PeerTube sends blockedReason null when there is none; the document says
// a string, which is what Cabane sends ("").
type apiAdminUser struct {
	ID                           int64        `json:"id"`
	Username                     string       `json:"username"`
	Email                        string       `json:"email"`
	EmailVerified                bool         `json:"emailVerified"`
	EmailPublic                  bool         `json:"emailPublic"`
	NSFWPolicy                   string       `json:"nsfwPolicy"`
	AdminFlags                   int          `json:"adminFlags"`
	AutoPlayVideo                bool         `json:"autoPlayVideo"`
	AutoPlayNextVideo            bool         `json:"autoPlayNextVideo"`
	AutoPlayNextVideoPlaylist    bool         `json:"autoPlayNextVideoPlaylist"`
	P2PEnabled                   bool         `json:"p2pEnabled"`
	VideosHistoryEnabled         bool         `json:"videosHistoryEnabled"`
	Theme                        string       `json:"theme"`
	Role                         idLabel      `json:"role"`
	VideoQuota                   int64        `json:"videoQuota"`
	VideoQuotaDaily              int64        `json:"videoQuotaDaily"`
	NoInstanceConfigWarningModal bool         `json:"noInstanceConfigWarningModal"`
	NoAccountSetupWarningModal   bool         `json:"noAccountSetupWarningModal"`
	NoWelcomeModal               bool         `json:"noWelcomeModal"`
	Blocked                      bool         `json:"blocked"`
	BlockedReason                string       `json:"blockedReason"`
	TwoFactorEnabled             bool         `json:"twoFactorEnabled"`
	Account                      apiAccount   `json:"account"`
	VideoChannels                []apiChannel `json:"videoChannels,omitempty"` // GET /users/{id} only, as PeerTube
	CreatedAt                    time.Time    `json:"createdAt"`
}

// adminUserJSON is row as PeerTube's User, its quotas the instance's
// defaults where the user has none of their own.
func (s *Server) adminUserJSON(c echo.Context, row repo.UserRow, def instance.About) apiAdminUser {
	out := apiAdminUser{ID: row.ID, Username: row.Username, Email: row.Email, NSFWPolicy: "do_not_list",
		AutoPlayVideo: true, AutoPlayNextVideoPlaylist: true, P2PEnabled: true, VideosHistoryEnabled: true,
		Theme: "instance-default", Role: il(row.Role, roleLabel(row.Role)), VideoQuota: def.VideoQuota, VideoQuotaDaily: def.VideoQuotaDaily,
		Blocked: row.Blocked, BlockedReason: row.BlockedReason, CreatedAt: row.CreatedAt}
	if row.VideoQuota != nil {
		out.VideoQuota = *row.VideoQuota
	}
	if row.VideoQuotaDaily != nil {
		out.VideoQuotaDaily = *row.VideoQuotaDaily
	}
	out.Account = s.fullAccountJSON(s.urls(c), row.Account)
	out.Account.Avatars, out.Account.Avatar = s.accountAvatars(c.Request().Context(), row.Account.ID)
	return out
}

// apiListUsers is PeerTube's GET /users: {total, data} (the document says
// an array; PeerTube's controller sends the page object, as every list).
func (s *Server) apiListUsers(c echo.Context) error {
	if s.Users == nil {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	q := repo.UserQuery{Search: c.QueryParam("search"), Start: start, Count: count, Sort: c.QueryParam("sort")}
	if b := c.QueryParam("blocked"); b != "" {
		v, err := strconv.ParseBool(b)
		if err != nil {
			return fieldError("blocked", "Should be a valid blocked boolean")
		}
		q.Blocked = &v
	}
	rows, total, err := s.Users.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return usersError(err)
	}
	def := s.about(c.Request().Context())
	out := listJSON[apiAdminUser]{Total: total, Data: make([]apiAdminUser, 0, len(rows))}
	for _, r := range rows {
		out.Data = append(out.Data, s.adminUserJSON(c, r, def))
	}
	return c.JSON(http.StatusOK, out)
}

// apiGetUser is PeerTube's GET /users/{id}, with the user's channels.
func (s *Server) apiGetUser(c echo.Context) error {
	id, err := s.apiUserID(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	row, err := s.Users.Get(ctx, viewer(c), id)
	if err != nil {
		return usersError(err)
	}
	chs, err := s.Accounts.ChannelsOf(ctx, row.AccountID)
	if err != nil {
		return err
	}
	out := s.adminUserJSON(c, row, s.about(ctx))
	u := s.urls(c)
	out.VideoChannels = make([]apiChannel, 0, len(chs))
	for _, ch := range chs {
		out.VideoChannels = append(out.VideoChannels, s.fullChannelJSON(u, ch))
	}
	return c.JSON(http.StatusOK, out)
}
