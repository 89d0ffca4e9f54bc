package web

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/ratings"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/views"
)

// PeerTube's comment shapes: VideoComment, the thread list with its two
// totals, the thread tree and the answer to a post. The tests check every
// answer against PeerTube's OpenAPI document (comments_test.go).
type apiComment struct {
	ID                          int64      `json:"id"`
	URL                         string     `json:"url"`
	Text                        string     `json:"text"`
	ThreadID                    int64      `json:"threadId"`
	InReplyToCommentID          *int64     `json:"inReplyToCommentId"`
	VideoID                     int64      `json:"videoId"`
	CreatedAt                   time.Time  `json:"createdAt"`
	UpdatedAt                   time.Time  `json:"updatedAt"`
	DeletedAt                   *time.Time `json:"deletedAt"`
	HeldForReview               bool       `json:"heldForReview"`
	IsDeleted                   bool       `json:"isDeleted"`
	TotalRepliesFromVideoAuthor int        `json:"totalRepliesFromVideoAuthor"`
	TotalReplies                int        `json:"totalReplies"`
	Account                     *apiActor  `json:"account"`
}

type apiCommentThreads struct {
	Total                   int          `json:"total"`
	TotalNotDeletedComments int          `json:"totalNotDeletedComments"`
	Data                    []apiComment `json:"data"`
}

type apiCommentTree struct {
	Comment  apiComment       `json:"comment"`
	Children []apiCommentTree `json:"children"`
}

type apiCommentPosted struct {
	Comment apiComment `json:"comment"`
}

// apiRating is GetMeVideoRating. PeerTube sends videoId; PeerTube 7.0's
// OpenAPI document names it id: both are sent.
type apiRating struct {
	ID      int64  `json:"id"`
	VideoID int64  `json:"videoId"`
	Rating  string `json:"rating"`
}

func (s *Server) commentJSON(c echo.Context, v model.Video, cm model.Comment) apiComment {
	u := s.urls(c)
	out := apiComment{ID: cm.ID, URL: u.Abs(uris.Comment(v.UUID, cm.ID)), Text: cm.Text, ThreadID: cm.Thread(),
		VideoID: cm.VideoID, CreatedAt: cm.CreatedAt, UpdatedAt: cm.UpdatedAt, HeldForReview: cm.HeldForReview,
		IsDeleted: cm.IsDeleted(), TotalReplies: cm.TotalReplies, TotalRepliesFromVideoAuthor: cm.TotalRepliesFromVideoAuthor}
	if cm.InReplyTo != 0 {
		r := cm.InReplyTo
		out.InReplyToCommentID = &r
	}
	if cm.IsDeleted() {
		d := cm.DeletedAt
		out.DeletedAt = &d
	}
	if cm.Account.ID != 0 {
		a := s.accountJSON(u, cm.Account)
		out.Account = &a
	}
	return out
}

func (s *Server) treeJSON(c echo.Context, v model.Video, t comments.Tree) apiCommentTree {
	out := apiCommentTree{Comment: s.commentJSON(c, v, t.Comment), Children: make([]apiCommentTree, 0, len(t.Children))}
	for _, k := range t.Children {
		out.Children = append(out.Children, s.treeJSON(c, v, k))
	}
	return out
}

// communityError answers a domain error as PeerTube does.
func communityError(err error) error {
	var te *comments.TextError
	var se *comments.SortError
	switch {
	case errors.As(err, &te):
		return fieldError("text", "%s", te.Msg)
	case errors.As(err, &se):
		return fieldError("sort", "%s", se.Error())
	case errors.Is(err, ratings.ErrBadRating):
		return fieldError("rating", "%s", err.Error())
	case errors.Is(err, views.ErrBadTime):
		return fieldError("currentTime", "%s", err.Error())
	case errors.Is(err, comments.ErrDisabled), errors.Is(err, comments.ErrAlreadyDeleted):
		return apiError(http.StatusConflict, "%s", err.Error())
	case errors.Is(err, comments.ErrForbidden):
		return apiError(http.StatusForbidden, "%s", err.Error())
	case errors.Is(err, comments.ErrNotHeld):
		return apiError(http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, comments.ErrLoginRequired), errors.Is(err, ratings.ErrLoginRequired):
		return apiError(http.StatusUnauthorized, "authentication required: log in or send a Bearer token")
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "Video or comment not found")
	}
	return err
}

// pathID reads a numeric path parameter; anything else names nothing.
func pathID(c echo.Context, name string) (int64, error) {
	n, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, apiError(http.StatusNotFound, "Video or comment not found")
	}
	return n, nil
}

// pagination reads start and count as PeerTube bounds them (count 0 to
// 100, 15 by default).
func pagination(c echo.Context) (start, count int, err error) {
	return pageBounds(c.QueryParams())
}

func (s *Server) apiCommentThreads(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	p, err := s.Comments.Threads(c.Request().Context(), viewer(c), c.Param("id"),
		comments.ThreadQuery{Start: start, Count: count, Sort: c.QueryParam("sort")})
	if err != nil {
		return communityError(err)
	}
	out := apiCommentThreads{Total: p.Total, TotalNotDeletedComments: p.NotDeleted, Data: make([]apiComment, 0, len(p.Threads))}
	for _, t := range p.Threads {
		out.Data = append(out.Data, s.commentJSON(c, p.Video, t))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiCommentThread(c echo.Context) error {
	id, err := pathID(c, "threadId")
	if err != nil {
		return err
	}
	v, tree, err := s.Comments.Thread(c.Request().Context(), viewer(c), c.Param("id"), id)
	if err != nil {
		return communityError(err)
	}
	return c.JSON(http.StatusOK, s.treeJSON(c, v, tree))
}

// commentBody is PeerTube's VideoCommentCreate, as JSON or a form.
type commentBody struct {
	Text string `json:"text" form:"text"`
}

func (s *Server) apiPostComment(c echo.Context) error {
	var b commentBody
	if err := c.Bind(&b); err != nil {
		return fieldError("text", "the body could not be read")
	}
	ctx, who, ref := c.Request().Context(), viewer(c), c.Param("id")
	var v model.Video
	var cm model.Comment
	var err error
	if c.Param("commentId") == "" {
		v, cm, err = s.Comments.Post(ctx, who, ref, b.Text)
	} else {
		parent, perr := pathID(c, "commentId")
		if perr != nil {
			return perr
		}
		v, cm, err = s.Comments.Reply(ctx, who, ref, parent, b.Text)
	}
	if err != nil {
		return communityError(err)
	}
	return c.JSON(http.StatusOK, apiCommentPosted{Comment: s.commentJSON(c, v, cm)})
}

func (s *Server) apiDeleteComment(c echo.Context) error {
	id, err := pathID(c, "commentId")
	if err != nil {
		return err
	}
	if err := s.Comments.Delete(c.Request().Context(), viewer(c), c.Param("id"), id); err != nil {
		return communityError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiApproveComment(c echo.Context) error {
	id, err := pathID(c, "commentId")
	if err != nil {
		return err
	}
	if err := s.Comments.Approve(c.Request().Context(), viewer(c), c.Param("id"), id); err != nil {
		return communityError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

type rateBody struct {
	Rating string `json:"rating" form:"rating"`
}

func (s *Server) apiRate(c echo.Context) error {
	var b rateBody
	if err := c.Bind(&b); err != nil {
		return fieldError("rating", "the body could not be read")
	}
	if _, err := s.Ratings.Rate(c.Request().Context(), viewer(c), c.Param("id"), b.Rating); err != nil {
		return communityError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiMyRating(c echo.Context) error {
	id, r, err := s.Ratings.Mine(c.Request().Context(), viewer(c), c.Param("videoId"))
	if err != nil {
		return communityError(err)
	}
	return c.JSON(http.StatusOK, apiRating{ID: id, VideoID: id, Rating: r})
}

// viewBody is PeerTube's UserViewingVideo. sessionId is ignored: a viewer
// is told apart by the keyed hash of the request (app/views), as PeerTube
// does when it does not trust the client's session id (its default).
type viewBody struct {
	CurrentTime *float64 `json:"currentTime" form:"currentTime"`
	ViewEvent   string   `json:"viewEvent" form:"viewEvent"`
}

func (s *Server) apiView(c echo.Context) error {
	var b viewBody
	if err := c.Bind(&b); err != nil || b.CurrentTime == nil {
		return fieldError("currentTime", "Should have correct current time")
	}
	if b.ViewEvent != "" && b.ViewEvent != "seek" {
		return fieldError("viewEvent", "Should have a valid view event")
	}
	r := c.Request()
	client := views.Client{IP: s.LAN.Client(r).String(), UserAgent: r.UserAgent()}
	if _, err := s.Views.Watching(r.Context(), viewer(c), c.Param("id"), client,
		views.Report{CurrentTime: *b.CurrentTime, Seek: b.ViewEvent == "seek"}); err != nil {
		return communityError(err)
	}
	return c.NoContent(http.StatusNoContent)
}
