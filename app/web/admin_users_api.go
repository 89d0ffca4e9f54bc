package web

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

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
		return apiError(http.StatusForbidden, "User does not have right to manage users.")
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
