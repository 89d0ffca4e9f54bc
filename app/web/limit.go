package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/ratelimit"
)

// Password checks are the expensive requests (argon2id: tens of
// milliseconds of CPU and 19 MiB each). A person who mistypes gets five
// tries at once and one more every 12 seconds; a script gets 429.
const (
	passwordEvery = 12 * time.Second
	passwordBurst = 5
)

// limitPasswordChecks returns the middleware for the routes that check a
// password (login, setup, the OAuth token endpoint). They share one table so
// that alternating between them earns nothing. The client is the address
// lan.Policy resolves, so a trusted reverse proxy's visitors are told apart.
func (s *Server) limitPasswordChecks() echo.MiddlewareFunc {
	lim := ratelimit.New(ratelimit.Config{Every: passwordEvery, Burst: passwordBurst})
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			ok, after := lim.Allow(ratelimit.ClientKey(s.LAN.Client(c.Request())))
			if ok {
				return next(c)
			}
			secs := int((after + time.Second - 1) / time.Second)
			c.Response().Header().Set("Retry-After", strconv.Itoa(secs))
			msg := fmt.Sprintf("Too many attempts from your address. Try again in %d seconds.", secs)
			if strings.HasPrefix(c.Request().URL.Path, "/api/") {
				return apiError(http.StatusTooManyRequests, "%s", msg)
			}
			return echo.NewHTTPError(http.StatusTooManyRequests, msg)
		}
	}
}
