package web

import "github.com/labstack/echo/v4"

// communityAPIRoutes are PeerTube's comment, rating and view endpoints.
// Reading is open to whoever may see the video; writing needs a user
// (bearer token, or the session with its CSRF header); views are
// anonymous.
func (s *Server) communityAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/videos/:id/comment-threads", s.apiCommentThreads, api...)
	g.POST("/videos/:id/comment-threads", s.apiPostComment, user...)
	g.GET("/videos/:id/comment-threads/:threadId", s.apiCommentThread, api...)
	g.POST("/videos/:id/comments/:commentId", s.apiPostComment, user...)
	g.DELETE("/videos/:id/comments/:commentId", s.apiDeleteComment, user...)
	g.POST("/videos/:id/comments/:commentId/approve", s.apiApproveComment, user...)
	g.PUT("/videos/:id/rate", s.apiRate, user...)
	g.GET("/users/me/videos/:videoId/rating", s.apiMyRating, user...)
	g.POST("/videos/:id/views", s.apiView, api...)
}
