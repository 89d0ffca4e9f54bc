package web

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/blocklist"
)

// PeerTube's blocklist shapes (AccountBlock, ServerBlock and their lists).
type apiAccountBlock struct {
	ByAccount      *apiActor `json:"byAccount"`
	BlockedAccount apiActor  `json:"blockedAccount"`
	CreatedAt      time.Time `json:"createdAt"`
}

type apiServerBlock struct {
	ByAccount     *apiActor `json:"byAccount"`
	BlockedServer struct {
		Host string `json:"host"`
	} `json:"blockedServer"`
	CreatedAt time.Time `json:"createdAt"`
}

type apiAccountBlocks = listJSON[apiAccountBlock]

type apiServerBlocks = listJSON[apiServerBlock]

// blocklistAPIRoutes are PeerTube's server (admin) and user (mute) lists.
func (s *Server) blocklistAPIRoutes(g *echo.Group, user []echo.MiddlewareFunc) {
	for prefix, scope := range map[string]blocklist.Scope{"/server/blocklist": blocklist.Server, "/users/me/blocklist": blocklist.Mine} {
		g.GET(prefix+"/accounts", s.apiBlockedAccounts(scope), user...)
		g.POST(prefix+"/accounts", s.apiBlockAccount(scope), user...)
		g.DELETE(prefix+"/accounts/:name", s.apiUnblockAccount(scope), user...)
		g.GET(prefix+"/servers", s.apiBlockedServers(scope), user...)
		g.POST(prefix+"/servers", s.apiBlockServer(scope), user...)
		g.DELETE(prefix+"/servers/:host", s.apiUnblockServer(scope), user...)
	}
}

func (s *Server) apiBlockedAccounts(scope blocklist.Scope) echo.HandlerFunc {
	return func(c echo.Context) error {
		start, count, err := pagination(c)
		if err != nil {
			return err
		}
		bs, total, err := s.Blocklist.Accounts(c.Request().Context(), viewer(c), scope, start, count, c.QueryParam("sort"))
		if err != nil {
			return moderationError(err)
		}
		u := s.urls(c)
		out := apiAccountBlocks{Total: total, Data: make([]apiAccountBlock, 0, len(bs))}
		for _, b := range bs {
			out.Data = append(out.Data, apiAccountBlock{BlockedAccount: s.accountJSON(u, b.Blocked), CreatedAt: b.CreatedAt})
		}
		return c.JSON(http.StatusOK, out)
	}
}

func (s *Server) apiBlockAccount(scope blocklist.Scope) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b struct {
			AccountName string `json:"accountName"`
		}
		if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil || b.AccountName == "" {
			return fieldError("accountName", "accountName is required")
		}
		if err := s.Blocklist.BlockAccount(c.Request().Context(), viewer(c), scope, b.AccountName); err != nil {
			return moderationError(err)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func (s *Server) apiUnblockAccount(scope blocklist.Scope) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.Blocklist.UnblockAccount(c.Request().Context(), viewer(c), scope, c.Param("name")); err != nil {
			return moderationError(err)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func (s *Server) apiBlockedServers(scope blocklist.Scope) echo.HandlerFunc {
	return func(c echo.Context) error {
		start, count, err := pagination(c)
		if err != nil {
			return err
		}
		bs, total, err := s.Blocklist.Servers(c.Request().Context(), viewer(c), scope, start, count, c.QueryParam("sort"))
		if err != nil {
			return moderationError(err)
		}
		out := apiServerBlocks{Total: total, Data: make([]apiServerBlock, 0, len(bs))}
		for _, b := range bs {
			sb := apiServerBlock{CreatedAt: b.CreatedAt}
			sb.BlockedServer.Host = b.Host
			out.Data = append(out.Data, sb)
		}
		return c.JSON(http.StatusOK, out)
	}
}

func (s *Server) apiBlockServer(scope blocklist.Scope) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b struct {
			Host string `json:"host"`
		}
		if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil || b.Host == "" {
			return fieldError("host", "host is required")
		}
		if err := s.Blocklist.BlockServer(c.Request().Context(), viewer(c), scope, b.Host); err != nil {
			return moderationError(err)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

func (s *Server) apiUnblockServer(scope blocklist.Scope) echo.HandlerFunc {
	return func(c echo.Context) error {
		if err := s.Blocklist.UnblockServer(c.Request().Context(), viewer(c), scope, c.Param("host")); err != nil {
			return moderationError(err)
		}
		return c.NoContent(http.StatusNoContent)
	}
}

// moderationAPIRoutes are PeerTube's abuse and blocklist endpoints; every
// one needs a user, and the services check who moderates.
func (s *Server) moderationAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.POST("/abuses", s.apiReportAbuse, user...)
	g.GET("/abuses", s.apiAbuses, user...)
	g.PUT("/abuses/:id", s.apiUpdateAbuse, user...)
	g.DELETE("/abuses/:id", s.apiDeleteAbuse, user...)
	g.GET("/abuses/:id/messages", s.apiAbuseMessages, user...)
	g.POST("/abuses/:id/messages", s.apiAddAbuseMessage, user...)
	g.DELETE("/abuses/:id/messages/:messageId", s.apiDeleteAbuseMessage, user...)
	g.GET("/users/me/abuses", s.apiMyAbuses, user...)
	s.blocklistAPIRoutes(g, user)
}
