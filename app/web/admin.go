package web

import "github.com/labstack/echo/v4"

// adminRoutes registers the admin pages (placeholder until they land).
func (s *Server) adminRoutes(e *echo.Echo) {}
