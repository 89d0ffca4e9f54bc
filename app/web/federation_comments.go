package web

import (
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/uris"
)

// commentRoutes are a comment's IRI (a Note for servers; for browsers, the
// watch page at that comment) and a federated video's collections, at
// PeerTube's URLs.
func (s *Server) commentRoutes(e *echo.Echo, page, fed []echo.MiddlewareFunc) {
	e.GET("/videos/watch/:id/comments/:commentId", s.negotiated(s.commentPage, s.apComment), page...)
	for _, which := range []federation.VideoWhich{federation.VideoLikes, federation.VideoDislikes, federation.VideoShares, federation.VideoComments} {
		e.GET("/videos/watch/:id/"+string(which), s.apVideoCollection(which), fed...)
	}
}

// commentID is the :commentId of the path (400 when it is not an id).
func commentID(c echo.Context) (int64, error) {
	id, err := strconv.ParseInt(c.Param("commentId"), 10, 64)
	if err != nil || id <= 0 {
		return 0, echo.NewHTTPError(http.StatusBadRequest, "the comment id must be a positive integer")
	}
	return id, nil
}

// commentPage sends a browser to the comment on its watch page, which
// decides what the visitor may see.
func (s *Server) commentPage(c echo.Context) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusFound, uris.Watch(c.Param("id"))+"#c-"+strconv.FormatInt(id, 10))
}

// apComment is a comment's Note, or the Tombstone of a deleted one.
func (s *Server) apComment(c echo.Context) error {
	id, err := commentID(c)
	if err != nil {
		return err
	}
	doc, err := s.Federation.Comment(c.Request().Context(), c.Param("id"), id)
	if err != nil {
		return fedError(err)
	}
	if doc.Tombstone != nil {
		return sendJSON(c, vocab.ContentType, doc.Tombstone)
	}
	return sendJSON(c, vocab.ContentType, doc.Note)
}

// apVideoCollection is a video's likes, dislikes, shares or comments, or
// with ?page=N one page of the shares or comments.
func (s *Server) apVideoCollection(which federation.VideoWhich) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx := c.Request().Context()
		if p := c.QueryParam("page"); p != "" && (which == federation.VideoShares || which == federation.VideoComments) {
			n, err := strconv.Atoi(p)
			if err != nil || n < 1 || n > maxStart {
				return echo.NewHTTPError(http.StatusBadRequest, "page must be a positive integer")
			}
			page, err := s.Federation.VideoCollectionPage(ctx, c.Param("id"), which, n)
			if err != nil {
				return fedError(err)
			}
			return sendJSON(c, vocab.ContentType, page)
		}
		all, err := s.Federation.VideoCollection(ctx, c.Param("id"), which)
		if err != nil {
			return fedError(err)
		}
		return sendJSON(c, vocab.ContentType, all)
	}
}
