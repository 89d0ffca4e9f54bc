package web

import (
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

// The embed page (PeerTube's /videos/embed/<uuid or shortUUID>): the player
// alone, for other sites' iframes. It sends the poster and nothing of the
// video until the viewer presses play (player.js's data-start="click"):
// a blog showing the player must not cost the box a stream per visitor.
// No view is counted on load for the same reason. Who may see it is the
// watch page's rule (visibility through Videos.Get).

type embedData struct {
	watchData
	WatchURL string
	// Unlock is the password form of a password-protected video the
	// visitor has not unlocked (nil otherwise).
	Unlock *embedUnlock
}

// embedUnlock is the embed's password form. With its script (embed.js)
// it unlocks as PeerTube's embed does: the password goes in the
// x-peertube-video-password header to POST /api/v1/videos/{id}/token, and
// the player sends the file token with every playlist and segment
// (player.js), so no cookie is needed: a cross-site frame gets none of
// Cabane's (SameSite=Lax). Without the script it posts to the watch
// page's unlock route, which sets the signed cookie: that works where the
// embed is first-party (opened directly, or framed by a page of the same
// site).
type embedUnlock struct {
	Action, Error string
	Video         string // the id the embed's URL names
}

func (s *Server) embed(c echo.Context) error {
	d, err := s.watchData(c)
	if err == errPasswordGate {
		return s.embedLocked(c)
	}
	if err != nil {
		return err
	}
	if o := d.Origin; o != nil && o.Embed != "" {
		// A remote video's embed is its origin's (PeerTube's embedUrl),
		// with the player's options kept.
		to := o.Embed
		if q := c.Request().URL.RawQuery; q != "" {
			to += "?" + q
		}
		return c.Redirect(http.StatusFound, to)
	}
	// The end screen's Support link (support, #11).
	if d.Support, err = s.supportOf(c.Request().Context(), supportText(d.Video), model.ChannelFunding(d.Video.ChannelID)); err != nil {
		return err
	}
	return s.render(c, http.StatusOK, "embed", d.Video.Name, embedData{watchData: d,
		WatchURL: s.urls(c).Abs(uris.ShortWatch(d.Video.ShortUUID))})
}

// embedHeaders: any site may frame the embed page, and only it (every
// other page refuses framing in pageHeaders).
func embedHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		h := c.Response().Header()
		h.Set("Content-Security-Policy", "frame-ancestors *")
		h.Del("X-Frame-Options")
		return next(c)
	}
}

// embedLocked answers the embed of a password-protected video with a small
// password form (403, as the watch page and the API answer).
func (s *Server) embedLocked(c echo.Context) error {
	s.csrfCookie(c) // the embed route has no CSRF middleware: the form needs its token
	w := s.pageWords(c)
	u := &embedUnlock{Action: uris.UnlockVideo(c.Param("id")), Video: c.Param("id")}
	switch p := c.QueryParam("unlock"); p {
	case "wrong", "too_many": // fixed keys: a link cannot make the page say anything
		u.Error = w.T("creator." + p)
	}
	return s.render(c, http.StatusForbidden, "embed", w.T("creator.protected"),
		embedData{Unlock: u, WatchURL: s.urls(c).Abs(uris.ShortWatch(c.Param("id")))})
}

// embedUnlocked answers the embed's unlock form: back to the embed, with
// the cookie when the password opened the video, else with why not.
func (s *Server) embedUnlocked(c echo.Context, v model.Video, err error) error {
	back := uris.Embed(c.Param("id"))
	switch {
	case errors.Is(err, videos.ErrWrongPassword), errors.Is(err, videos.ErrPasswordRequired):
		return c.Redirect(http.StatusSeeOther, back+"?unlock=wrong")
	case errors.Is(err, videos.ErrTooManyGuesses):
		return c.Redirect(http.StatusSeeOther, back+"?unlock=too_many")
	case err != nil:
		return notFound(err, "errors.no_video")
	}
	c.SetCookie(s.unlock.cookie(v.UUID, time.Now(), s.secure(c)))
	return c.Redirect(http.StatusSeeOther, uris.Embed(v.UUID))
}
