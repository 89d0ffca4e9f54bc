package web

import (
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/ratings"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// communityPageRoutes are the watch page's forms: they work without
// JavaScript (a POST with the page's CSRF field, then back to the page).
func (s *Server) communityPageRoutes(e *echo.Echo, page []echo.MiddlewareFunc) {
	user := append(page[:len(page):len(page)], s.requireLogin)
	e.POST("/videos/watch/:id/comments", s.pagePostComment, user...)
	e.POST("/videos/watch/:id/comments/:commentId/delete", s.pageDeleteComment, user...)
	e.POST("/videos/watch/:id/comments/:commentId/approve", s.pageApproveComment, user...)
	e.POST("/videos/watch/:id/rate", s.pageRate, user...)
}

// pageThreads is how many threads the watch page shows.
const pageThreads = 20

// communityView is the watch page's comments and ratings blocks.
type communityView struct {
	words
	CSRF     string
	LoggedIn bool
	Action   string // the video's watch URL, under which the forms post
	Likes    int64
	Dislikes int64
	MyRating string
	Disabled bool
	Approval bool
	Total    int // comments not deleted
	Threads  []commentNode
	More     bool
	ViewsURL string
}

// commentNode is one comment on the page and its replies.
type commentNode struct {
	ID         int64
	Author     string
	AuthorURL  string
	Handle     string // a remote author's name@host ("" for a local one)
	HTML       template.HTML
	Date       time.Time
	Deleted    bool
	Held       bool
	CanDelete  bool
	CanApprove bool
	Children   []commentNode
	// V is the block the comment is shown in: its strings, CSRF token and
	// form addresses, for the recursive template.
	V *communityView
}

// community builds the blocks for video v as the visitor sees them.
func (s *Server) community(c echo.Context, v model.Video) (*communityView, error) {
	if s.Comments == nil || s.Ratings == nil {
		return nil, nil
	}
	ctx, who := c.Request().Context(), viewer(c)
	tok, _ := c.Get(ctxCSRF).(string)
	cv := &communityView{words: s.pageWords(c), CSRF: tok, LoggedIn: who.LoggedIn(),
		Action: uris.Watch(v.UUID), Likes: v.Likes, Dislikes: v.Dislikes, MyRating: model.RatingNone,
		ViewsURL: uris.APIVideoViews(v.UUID)}
	if who.LoggedIn() {
		_, r, err := s.Ratings.Mine(ctx, who, v.UUID)
		if err != nil {
			return nil, err
		}
		cv.MyRating = r
	}
	switch s.Comments.PolicyOf(v) {
	case comments.PolicyDisabled:
		cv.Disabled = true
		return cv, nil
	case comments.PolicyRequiresApproval:
		cv.Approval = true
	}
	p, err := s.Comments.Threads(ctx, who, v.UUID, comments.ThreadQuery{Count: pageThreads})
	if err != nil {
		return nil, err
	}
	cv.Total, cv.More = p.NotDeleted, p.Total > len(p.Threads)
	for _, th := range p.Threads {
		tree := comments.Tree{Comment: th}
		if th.TotalReplies > 0 || th.IsDeleted() {
			if _, tree, err = s.Comments.Thread(ctx, who, v.UUID, th.ID); errors.Is(err, model.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, err
			}
		}
		if n, ok := s.commentNode(cv, who, v, tree); ok {
			cv.Threads = append(cv.Threads, n)
		}
	}
	return cv, nil
}

// commentNode renders a tree; a deleted comment with nothing under it is
// not shown (PeerTube's client hides it too).
func (s *Server) commentNode(cv *communityView, who visibility.Viewer, v model.Video, t comments.Tree) (commentNode, bool) {
	cm := t.Comment
	n := commentNode{V: cv, ID: cm.ID, Date: cm.CreatedAt, Deleted: cm.IsDeleted(), Held: cm.HeldForReview,
		CanDelete: comments.MayDelete(who, v, cm), CanApprove: cm.HeldForReview && !cm.IsDeleted() && comments.Moderates(who, v)}
	if !n.Deleted {
		n.Author, n.AuthorURL, n.HTML = cm.Account.DisplayName, uris.AccountPage(cm.Account.Name), commentHTML(cm.Text)
		if cm.Account.Remote() {
			// A remote author links to its profile on its server; its
			// display name is that server's, as plain text.
			n.Author, n.Handle = markup.PlainText(cm.Account.DisplayName), cm.Account.Name
			if cm.Account.RemoteURL != "" {
				n.AuthorURL = cm.Account.RemoteURL
			}
		}
	}
	for _, k := range t.Children {
		if kn, ok := s.commentNode(cv, who, v, k); ok {
			n.Children = append(n.Children, kn)
		}
	}
	return n, !n.Deleted || len(n.Children) > 0
}

// backToComments sends the browser back to the watch page, at anchor.
func backToComments(c echo.Context, anchor string) error {
	return c.Redirect(http.StatusSeeOther, uris.Watch(c.Param("id"))+"#"+anchor)
}

// pageCommunityError is communityError for pages: the same statuses, with
// a sentence in the visitor's language.
func pageCommunityError(err error) error {
	var te *comments.TextError
	switch {
	case errors.As(err, &te):
		return pageError(http.StatusBadRequest, "comments.text_invalid")
	case errors.Is(err, comments.ErrDisabled):
		return pageError(http.StatusConflict, "comments.disabled")
	case errors.Is(err, comments.ErrAlreadyDeleted):
		return pageError(http.StatusConflict, "comments.already_deleted")
	case errors.Is(err, comments.ErrNotHeld):
		return pageError(http.StatusBadRequest, "comments.not_held")
	case errors.Is(err, comments.ErrForbidden):
		return pageError(http.StatusForbidden, "comments.not_allowed")
	case errors.Is(err, ratings.ErrBadRating):
		return pageError(http.StatusBadRequest, "comments.bad_rating")
	}
	return err // not found and the rest: the error page
}

func formID(c echo.Context, name string) (int64, bool) {
	n, err := strconv.ParseInt(c.FormValue(name), 10, 64)
	return n, err == nil && n > 0
}

func (s *Server) pagePostComment(c echo.Context) error {
	ctx, who, ref, text := c.Request().Context(), viewer(c), c.Param("id"), c.FormValue("text")
	var cm model.Comment
	var err error
	if parent, ok := formID(c, "inReplyTo"); ok {
		_, cm, err = s.Comments.Reply(ctx, who, ref, parent, text)
	} else {
		_, cm, err = s.Comments.Post(ctx, who, ref, text)
	}
	if err != nil {
		return pageCommunityError(err)
	}
	return backToComments(c, "c-"+strconv.FormatInt(cm.ID, 10))
}

func (s *Server) pageCommentAction(c echo.Context, act func(ctx context.Context, who visibility.Viewer, ref string, id int64) error) error {
	id, err := strconv.ParseInt(c.Param("commentId"), 10, 64)
	if err != nil || id <= 0 {
		return model.ErrNotFound
	}
	if err := act(c.Request().Context(), viewer(c), c.Param("id"), id); err != nil {
		return pageCommunityError(err)
	}
	return backToComments(c, "c-"+c.Param("commentId"))
}

func (s *Server) pageDeleteComment(c echo.Context) error {
	return s.pageCommentAction(c, s.Comments.Delete)
}

func (s *Server) pageApproveComment(c echo.Context) error {
	return s.pageCommentAction(c, s.Comments.Approve)
}

func (s *Server) pageRate(c echo.Context) error {
	if _, err := s.Ratings.Rate(c.Request().Context(), viewer(c), c.Param("id"), c.FormValue("rating")); err != nil {
		return pageCommunityError(err)
	}
	return backToComments(c, "rating")
}
