package web

import "github.com/labstack/echo/v4"

// eventRoutes registers the server-sent event streams (placeholder).
func (s *Server) eventRoutes(e *echo.Echo) {}
