package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/users"
	"cabane.dev/cabane/app/videos"
)

// quotaUsed is PeerTube's GET /users/me/video-quota-used.
type quotaUsed struct {
	VideoQuotaUsed      int64 `json:"videoQuotaUsed"`
	VideoQuotaUsedDaily int64 `json:"videoQuotaUsedDaily"`
}

func (s *Server) apiQuotaUsed(c echo.Context) error {
	q, err := s.Videos.QuotaOf(c.Request().Context(), currentUser(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, quotaUsed{VideoQuotaUsed: q.VideoQuotaUsed, VideoQuotaUsedDaily: q.VideoQuotaUsedDaily})
}

// userUpdate is the part of PeerTube's PUT /users/{id} Cabane honours.
type userUpdate struct {
	Role            *int   `json:"role"` // adminpages: through app/users
	VideoQuota      *int64 `json:"videoQuota"`
	VideoQuotaDaily *int64 `json:"videoQuotaDaily"`
	// What PeerTube's route also changes and Cabane does not do here: a
	// request asking for it is refused, not answered 204 with the change
	// silently dropped (an admin resetting a password must know it did
	// not happen).
	Password   *string          `json:"password"`
	Email      *string          `json:"email"`
	AdminFlags *int             `json:"adminFlags"`
	PluginAuth *json.RawMessage `json:"pluginAuth"`
}

// unsupported names the first field of u that asks for a change Cabane
// does not make through this route.
func (u userUpdate) unsupported() string {
	switch {
	case u.Password != nil && *u.Password != "":
		return "password"
	case u.Email != nil && *u.Email != "":
		return "email"
	case u.AdminFlags != nil && *u.AdminFlags != 0:
		return "adminFlags"
	case u.PluginAuth != nil && string(*u.PluginAuth) != "null":
		return "pluginAuth"
	}
	return ""
}

// apiUpdateUserQuota is PeerTube's PUT /users/{id}: roles and quotas
// through app/users (which lets moderators change Users' quotas), or, on a
// server built without it, quotas for administrators.
func (s *Server) apiUpdateUserQuota(c echo.Context) error {
	if s.Users == nil && !currentUser(c).IsAdmin() {
		return apiError(http.StatusForbidden, "User %s does not have right to manage users.", currentUser(c).Username)
	}
	id, err := strconv.ParseInt(c.Param("id"), 10, 64)
	if err != nil || id <= 0 {
		return apiError(http.StatusBadRequest, "The user id must be a number.")
	}
	var in userUpdate
	if err := c.Bind(&in); err != nil {
		return apiError(http.StatusBadRequest, "The body must be JSON with videoQuota and videoQuotaDaily.")
	}
	if f := in.unsupported(); f != "" {
		return fieldError(f, "Cabane does not change a user's %s through this route; nothing was changed.", f)
	}
	if s.Users != nil { // adminpages: roles and quotas, the last admin kept
		return s.apiUpdateUser(c, id, users.Change{Role: in.Role, VideoQuota: in.VideoQuota, VideoQuotaDaily: in.VideoQuotaDaily})
	}
	err = s.Videos.SetQuota(c.Request().Context(), id, in.VideoQuota, in.VideoQuotaDaily)
	switch {
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "User not found.")
	case errors.Is(err, videos.ErrBadUpload):
		return fieldError("videoQuota", "A quota is a number of bytes, or -1 for unlimited.")
	case err != nil:
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// defaultQuota says the config's "0: no limit" as PeerTube's -1.
func defaultQuota(n int64) int64 {
	if n <= 0 {
		return -1
	}
	return n
}
