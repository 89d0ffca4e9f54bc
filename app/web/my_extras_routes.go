package web

import (
	"github.com/labstack/echo/v4"
)

// myExtraPageRoutes are the edit page's thumbnail, captions and chapters
// forms (#9 point 4) and the user's muted accounts (#9 point 8). Plain
// POSTs with the page's CSRF field, then a redirect back.
func (s *Server) myExtraPageRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	user := append(page[:len(page):len(page)], s.requireLogin)
	// Services may be wired after New (the tests' rigs): looked up per
	// request.
	with := func(ready func() bool) []echo.MiddlewareFunc { return whenReady(user, ready) }
	// The thumbnail and caption forms are multipart: limitBodies reads
	// them whole within their bound (maxMyVideoFileBody), and the CSRF
	// middleware finds its field in the parsed form.
	e.POST("/my/videos/:id/thumbnail", s.myVideoThumbnail, user...)
	cr := with(func() bool { return s.Captions != nil && s.Chapters != nil })
	e.POST("/my/videos/:id/captions", s.myCaptionAdd, cr...)
	e.POST("/my/videos/:id/captions/:lang/delete", s.myCaptionDelete, cr...)
	e.POST("/my/videos/:id/chapters", s.myChapters, cr...)

	mu := with(func() bool { return s.Blocklist != nil })
	e.GET("/my/muted", s.myMuted, mu...)
	e.POST("/my/muted", s.myMute, mu...)
	e.POST("/my/muted/delete", s.myUnmute, mu...)
}
