package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/abuses"
	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// PeerTube's abuse shapes (Abuse, AbuseMessage and their lists).
type apiAbuseVideo struct {
	ID      int64   `json:"id"`
	UUID    string  `json:"uuid"`
	Name    string  `json:"name"`
	State   idLabel `json:"state"`
	StartAt *int    `json:"startAt"`
	EndAt   *int    `json:"endAt"`
	Deleted bool    `json:"deleted"`
}

type apiAbuseComment struct {
	ID       int64  `json:"id"`
	ThreadID int64  `json:"threadId"`
	Text     string `json:"text"`
	Deleted  bool   `json:"deleted"`
}

type apiAbuse struct {
	ID                int64            `json:"id"`
	Reason            string           `json:"reason"`
	PredefinedReasons []string         `json:"predefinedReasons"`
	ReporterAccount   *apiAccount      `json:"reporterAccount"`
	FlaggedAccount    *apiAccount      `json:"flaggedAccount"`
	State             idLabel          `json:"state"`
	ModerationComment *string          `json:"moderationComment,omitempty"`
	Video             *apiAbuseVideo   `json:"video"`
	Comment           *apiAbuseComment `json:"comment"`
	CreatedAt         time.Time        `json:"createdAt"`
	UpdatedAt         time.Time        `json:"updatedAt"`
}

type apiAbuseList = listJSON[apiAbuse]

type apiAbuseMessage struct {
	ID          int64     `json:"id"`
	Message     string    `json:"message"`
	ByModerator bool      `json:"byModerator"`
	CreatedAt   time.Time `json:"createdAt"`
	Account     *apiActor `json:"account"`
}

type apiAbuseMessages = listJSON[apiAbuseMessage]

type apiAbuseCreated struct {
	Abuse struct {
		ID int64 `json:"id"`
	} `json:"abuse"`
}

var abuseStateLabels = map[int]string{model.AbusePending: "Pending", model.AbuseRejected: "Rejected", model.AbuseAccepted: "Accepted"}

// abuseJSON shows a report; the moderation comment is the moderators' only.
func (s *Server) abuseJSON(c echo.Context, a model.Abuse, moderator bool) apiAbuse {
	u := s.urls(c)
	st := a.State
	out := apiAbuse{ID: a.ID, Reason: a.Reason, PredefinedReasons: a.PredefinedReasons, State: idLabel{ID: &st, Label: abuseStateLabels[st]},
		CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
	if out.PredefinedReasons == nil {
		out.PredefinedReasons = []string{}
	}
	if moderator && a.ModerationComment != "" {
		mc := a.ModerationComment
		out.ModerationComment = &mc
	}
	if a.Reporter.ID != 0 {
		r := s.fullAccountJSON(u, a.Reporter)
		out.ReporterAccount = &r
	}
	if a.Flagged.ID != 0 {
		f := s.fullAccountJSON(u, a.Flagged)
		out.FlaggedAccount = &f
	}
	if a.CommentID != 0 {
		out.Comment = &apiAbuseComment{ID: a.CommentID, ThreadID: a.CommentID, Text: a.SubjectName}
	} else if a.VideoID != 0 || a.VideoUUID != "" {
		vs := model.StatePublished
		out.Video = &apiAbuseVideo{ID: a.VideoID, UUID: a.VideoUUID, Name: a.SubjectName,
			State: idLabel{ID: &vs, Label: "Published"}, StartAt: a.StartAt, EndAt: a.EndAt, Deleted: a.VideoUUID == ""}
	}
	return out
}

func (s *Server) abuseListJSON(c echo.Context, as []model.Abuse, total int, moderator bool) apiAbuseList {
	out := apiAbuseList{Total: total, Data: make([]apiAbuse, 0, len(as))}
	for _, a := range as {
		out.Data = append(out.Data, s.abuseJSON(c, a, moderator))
	}
	return out
}

// moderationError answers a domain error as PeerTube does.
func moderationError(err error) error {
	var fe *abuses.FieldError
	switch {
	case errors.As(err, &fe):
		return fieldError(fe.Field, "%s", fe.Msg)
	case errors.Is(err, abuses.ErrNoSubject), errors.Is(err, blocklist.ErrBadHost), errors.Is(err, blocklist.ErrBadSort):
		return apiError(http.StatusBadRequest, "%s", err.Error())
	case errors.Is(err, abuses.ErrLoginRequired), errors.Is(err, blocklist.ErrLoginRequired):
		return apiError(http.StatusUnauthorized, "authentication required: log in or send a Bearer token")
	case errors.Is(err, abuses.ErrForbidden), errors.Is(err, blocklist.ErrForbidden), errors.Is(err, blocklist.ErrAdminTarget):
		return apiError(http.StatusForbidden, "%s", err.Error())
	case errors.Is(err, blocklist.ErrSelf):
		return apiError(http.StatusConflict, "%s", err.Error())
	case errors.Is(err, model.ErrNotFound):
		return apiError(http.StatusNotFound, "not found")
	}
	return err
}

func abuseQuery(c echo.Context) (repo.AbuseQuery, error) {
	start, count, err := pagination(c)
	if err != nil {
		return repo.AbuseQuery{}, err
	}
	q := repo.AbuseQuery{Start: start, Count: count, Sort: c.QueryParam("sort"), PredefinedReason: c.QueryParam("predefinedReason"),
		Search: c.QueryParam("search"), Filter: c.QueryParam("filter")}
	if v := c.QueryParam("state"); v != "" {
		if q.State, err = strconv.Atoi(v); err != nil {
			return q, fieldError("state", "state must be 1, 2 or 3")
		}
	}
	if v := c.QueryParam("id"); v != "" {
		if q.ID, err = strconv.ParseInt(v, 10, 64); err != nil {
			return q, fieldError("id", "id must be an integer")
		}
	}
	return q, nil
}

func (s *Server) apiAbuses(c echo.Context) error {
	q, err := abuseQuery(c)
	if err != nil {
		return err
	}
	as, total, err := s.Abuses.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return moderationError(err)
	}
	return c.JSON(http.StatusOK, s.abuseListJSON(c, as, total, true))
}

func (s *Server) apiMyAbuses(c echo.Context) error {
	q, err := abuseQuery(c)
	if err != nil {
		return err
	}
	as, total, err := s.Abuses.Mine(c.Request().Context(), viewer(c), q)
	if err != nil {
		return moderationError(err)
	}
	return c.JSON(http.StatusOK, s.abuseListJSON(c, as, total, false))
}

type abuseReportBody struct {
	Reason            string   `json:"reason"`
	PredefinedReasons []string `json:"predefinedReasons"`
	Video             *struct {
		ID      json.RawMessage `json:"id"`
		StartAt *int            `json:"startAt"`
		EndAt   *int            `json:"endAt"`
	} `json:"video"`
	Comment *struct {
		ID int64 `json:"id"`
	} `json:"comment"`
	Account *struct {
		ID int64 `json:"id"`
	} `json:"account"`
}

func (s *Server) apiReportAbuse(c echo.Context) error {
	var b abuseReportBody
	if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil {
		return fieldError("reason", "the body must be JSON")
	}
	r := abuses.Report{Reason: b.Reason, PredefinedReasons: b.PredefinedReasons}
	switch {
	case b.Comment != nil:
		r.CommentID = b.Comment.ID
	case b.Video != nil:
		// PeerTube takes the id as a number, a UUID or a short UUID.
		var ref any
		if err := json.Unmarshal(b.Video.ID, &ref); err != nil || ref == nil {
			return fieldError("video.id", "video.id must be an id, a UUID or a short UUID")
		}
		switch v := ref.(type) {
		case float64:
			r.VideoRef = strconv.FormatInt(int64(v), 10)
		case string:
			r.VideoRef = v
		default:
			return fieldError("video.id", "video.id must be an id, a UUID or a short UUID")
		}
		r.StartAt, r.EndAt = b.Video.StartAt, b.Video.EndAt
	case b.Account != nil:
		r.AccountID = b.Account.ID
	}
	a, err := s.Abuses.File(c.Request().Context(), viewer(c), r)
	if err != nil {
		return moderationError(err)
	}
	var out apiAbuseCreated
	out.Abuse.ID = a.ID
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiUpdateAbuse(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var b struct {
		State             *int    `json:"state"`
		ModerationComment *string `json:"moderationComment"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil {
		return fieldError("state", "the body must be JSON")
	}
	if err := s.Abuses.Update(c.Request().Context(), viewer(c), id, b.State, b.ModerationComment); err != nil {
		return moderationError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiDeleteAbuse(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	if err := s.Abuses.Delete(c.Request().Context(), viewer(c), id); err != nil {
		return moderationError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiAbuseMessages(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	ms, err := s.Abuses.Messages(c.Request().Context(), viewer(c), id)
	if err != nil {
		return moderationError(err)
	}
	u := s.urls(c)
	out := apiAbuseMessages{Total: len(ms), Data: make([]apiAbuseMessage, 0, len(ms))}
	for _, m := range ms {
		am := apiAbuseMessage{ID: m.ID, Message: m.Message, ByModerator: m.ByModerator, CreatedAt: m.CreatedAt}
		if m.Account.ID != 0 {
			a := s.accountJSON(u, m.Account)
			am.Account = &a
		}
		out.Data = append(out.Data, am)
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiAddAbuseMessage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	var b struct {
		Message string `json:"message"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&b); err != nil {
		return fieldError("message", "the body must be JSON")
	}
	if _, err := s.Abuses.AddMessage(c.Request().Context(), viewer(c), id, b.Message); err != nil {
		return moderationError(err)
	}
	return c.NoContent(http.StatusOK)
}

func (s *Server) apiDeleteAbuseMessage(c echo.Context) error {
	id, err := pathID(c, "id")
	if err != nil {
		return err
	}
	mid, err := pathID(c, "messageId")
	if err != nil {
		return err
	}
	if err := s.Abuses.DeleteMessage(c.Request().Context(), viewer(c), id, mid); err != nil {
		return moderationError(err)
	}
	return c.NoContent(http.StatusNoContent)
}
