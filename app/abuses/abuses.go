// Package abuses is the domain service for abuse reports, as PeerTube has
// them: anyone logged in reports a video (maybe a span of it), a comment or
// an account; the moderators (admins, in Cabane) list, accept, reject and
// delete reports; the reporter and the moderators talk through the report's
// messages, which nobody else reads.
package abuses

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Errors, each answered as PeerTube answers it.
var (
	ErrLoginRequired = errors.New("authentication required")                 // 401
	ErrForbidden     = errors.New("only moderators may do this")             // 403
	ErrNoSubject     = errors.New("report a video, a comment or an account") // 400
)

// FieldError is a request field PeerTube refuses (400 naming it).
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// Videos finds a video the reporter may see.
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
	// ByID reads a video by number without deciding anything: the caller
	// then asks Get with its UUID.
	ByID(ctx context.Context, id int64) (model.Video, error)
}

// Comments reads a reported comment.
type Comments interface {
	ByID(ctx context.Context, id int64) (model.Comment, error)
}

// Accounts reads a reported account.
type Accounts interface {
	AccountByID(ctx context.Context, id int64) (model.Account, error)
}

// Notifier tells users of a new report (app/notifications' store).
type Notifier interface {
	Add(ctx context.Context, userIDs []int64, n model.Notification) (int, error)
}

// Service files and handles reports.
type Service struct {
	Store    repo.Abuses
	Videos   Videos
	Comments Comments
	Accounts Accounts
	Notify   Notifier // nil: nobody is told
	Log      *slog.Logger
}

// Moderates reports whether viewer handles reports: the admins and the
// moderators, as in PeerTube.
func Moderates(viewer visibility.Viewer) bool { return viewer.Moderates() }

// Report is what a reporter sends.
type Report struct {
	Reason            string
	PredefinedReasons []string
	VideoRef          string // id, UUID or short UUID; "" when not a video
	StartAt, EndAt    *int
	CommentID         int64
	AccountID         int64
}

func checkText(field, s string) error {
	if n := utf8.RuneCountInString(s); n < 2 || n > 3000 {
		return &FieldError{field, "must be 2 to 3000 characters long"}
	}
	return nil
}

// File stores a report and tells the moderators.
func (s *Service) File(ctx context.Context, viewer visibility.Viewer, r Report) (model.Abuse, error) {
	if !viewer.LoggedIn() {
		return model.Abuse{}, ErrLoginRequired
	}
	if err := checkText("reason", r.Reason); err != nil {
		return model.Abuse{}, err
	}
	for _, p := range r.PredefinedReasons {
		if !slices.Contains(model.AbuseReasons, p) {
			return model.Abuse{}, &FieldError{"predefinedReasons", fmt.Sprintf("unknown reason %q", p)}
		}
	}
	a := model.Abuse{ReporterAccountID: viewer.AccountID, Reason: r.Reason, PredefinedReasons: r.PredefinedReasons}
	switch {
	case r.CommentID != 0:
		c, err := s.Comments.ByID(ctx, r.CommentID)
		if err != nil || c.IsDeleted() {
			return model.Abuse{}, model.ErrNotFound
		}
		// The comment's video must be one the reporter may see, asked by
		// UUID: by number an unlisted video is hidden from all but its
		// owner, and its comments could not be reported.
		cv, err := s.Videos.ByID(ctx, c.VideoID)
		if err != nil {
			return model.Abuse{}, err
		}
		if _, err := s.Videos.Get(ctx, viewer, cv.UUID); err != nil {
			return model.Abuse{}, err
		}
		a.CommentID, a.VideoID, a.FlaggedAccountID, a.SubjectName = c.ID, c.VideoID, c.AccountID, c.Text
	case r.VideoRef != "":
		v, err := s.Videos.Get(ctx, viewer, r.VideoRef)
		if err != nil {
			return model.Abuse{}, err
		}
		if r.StartAt != nil && r.EndAt != nil && *r.EndAt < *r.StartAt ||
			r.StartAt != nil && *r.StartAt < 0 || r.EndAt != nil && *r.EndAt < 0 {
			return model.Abuse{}, &FieldError{"video.endAt", "endAt must not come before startAt"}
		}
		a.VideoID, a.FlaggedAccountID, a.SubjectName, a.StartAt, a.EndAt = v.ID, v.Channel.AccountID, v.Name, r.StartAt, r.EndAt
	case r.AccountID != 0:
		acc, err := s.Accounts.AccountByID(ctx, r.AccountID)
		if err != nil {
			return model.Abuse{}, err
		}
		a.FlaggedAccountID, a.SubjectName = acc.ID, acc.Name
	default:
		return model.Abuse{}, ErrNoSubject
	}
	if err := s.Store.Create(ctx, &a); err != nil {
		return model.Abuse{}, fmt.Errorf("store report: %w", err)
	}
	s.notify(ctx, viewer, a)
	return a, nil
}

// Reported tells the moderators of a report another server sent (the
// federation inbox's Flag), as of a local one.
func (s *Service) Reported(ctx context.Context, a model.Abuse) { s.notify(ctx, visibility.Remote(), a) }

// notify tells the moderators (PeerTube's NEW_ABUSE_FOR_MODERATORS); a
// failure is logged, never a reason to lose the report.
func (s *Service) notify(ctx context.Context, viewer visibility.Viewer, a model.Abuse) {
	if s.Notify == nil {
		return
	}
	mods, err := s.Store.ModeratorUserIDs(ctx)
	if err == nil {
		mods = slices.DeleteFunc(mods, func(id int64) bool { return id == viewer.UserID })
		_, err = s.Notify.Add(ctx, mods, model.Notification{Type: model.NotifyNewAbuseForModerators, VideoID: a.VideoID, CommentID: a.CommentID})
	}
	if err != nil {
		log := s.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("notify moderators of a report", "abuse", a.ID, "err", err)
	}
}

// List is the moderators' queue.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, q repo.AbuseQuery) ([]model.Abuse, int, error) {
	if !viewer.LoggedIn() {
		return nil, 0, ErrLoginRequired
	}
	if !Moderates(viewer) {
		return nil, 0, ErrForbidden
	}
	return s.list(ctx, q)
}

// Mine lists the viewer's own reports.
func (s *Service) Mine(ctx context.Context, viewer visibility.Viewer, q repo.AbuseQuery) ([]model.Abuse, int, error) {
	if !viewer.LoggedIn() {
		return nil, 0, ErrLoginRequired
	}
	q.ReporterAccountID = viewer.AccountID
	return s.list(ctx, q)
}

func (s *Service) list(ctx context.Context, q repo.AbuseQuery) ([]model.Abuse, int, error) {
	if q.Sort != "" && !slices.Contains(repo.AbuseSorts, q.Sort) {
		return nil, 0, &FieldError{"sort", fmt.Sprintf("unknown sort %q", q.Sort)}
	}
	if q.State != 0 && (q.State < model.AbusePending || q.State > model.AbuseAccepted) {
		return nil, 0, &FieldError{"state", "state must be 1, 2 or 3"}
	}
	if q.PredefinedReason != "" && !slices.Contains(model.AbuseReasons, q.PredefinedReason) {
		return nil, 0, &FieldError{"predefinedReason", "unknown reason"}
	}
	out, total, err := s.Store.List(ctx, q)
	if err != nil {
		return nil, 0, fmt.Errorf("list reports: %w", err)
	}
	return out, total, nil
}

// Update sets a report's state and/or moderation comment.
func (s *Service) Update(ctx context.Context, viewer visibility.Viewer, id int64, state *int, comment *string) error {
	if err := s.moderator(viewer); err != nil {
		return err
	}
	if state != nil && (*state < model.AbusePending || *state > model.AbuseAccepted) {
		return &FieldError{"state", "state must be 1, 2 or 3"}
	}
	if comment != nil {
		if err := checkText("moderationComment", *comment); err != nil {
			return err
		}
	}
	return s.Store.SetState(ctx, id, state, comment)
}

// Delete deletes a report.
func (s *Service) Delete(ctx context.Context, viewer visibility.Viewer, id int64) error {
	if err := s.moderator(viewer); err != nil {
		return err
	}
	return s.Store.Delete(ctx, id)
}

func (s *Service) moderator(viewer visibility.Viewer) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	if !Moderates(viewer) {
		return ErrForbidden
	}
	return nil
}

// conversation finds a report whose messages viewer may read: its
// reporter's and the moderators'. Anyone else gets "not found".
func (s *Service) conversation(ctx context.Context, viewer visibility.Viewer, id int64) (model.Abuse, error) {
	if !viewer.LoggedIn() {
		return model.Abuse{}, ErrLoginRequired
	}
	a, err := s.Store.ByID(ctx, id)
	if err != nil {
		return model.Abuse{}, err
	}
	if !Moderates(viewer) && (a.ReporterAccountID == 0 || a.ReporterAccountID != viewer.AccountID) {
		return model.Abuse{}, model.ErrNotFound
	}
	return a, nil
}

// Messages lists a report's messages.
func (s *Service) Messages(ctx context.Context, viewer visibility.Viewer, id int64) ([]model.AbuseMessage, error) {
	if _, err := s.conversation(ctx, viewer, id); err != nil {
		return nil, err
	}
	return s.Store.Messages(ctx, id)
}

// AddMessage adds a message to a report's conversation.
func (s *Service) AddMessage(ctx context.Context, viewer visibility.Viewer, id int64, text string) (model.AbuseMessage, error) {
	if _, err := s.conversation(ctx, viewer, id); err != nil {
		return model.AbuseMessage{}, err
	}
	if err := checkText("message", text); err != nil {
		return model.AbuseMessage{}, err
	}
	m := model.AbuseMessage{AbuseID: id, Account: model.Account{ID: viewer.AccountID}, Message: text, ByModerator: Moderates(viewer)}
	if err := s.Store.AddMessage(ctx, &m); err != nil {
		return model.AbuseMessage{}, fmt.Errorf("store message of report %d: %w", id, err)
	}
	return m, nil
}

// DeleteMessage deletes a message: its author's or a moderator's right.
func (s *Service) DeleteMessage(ctx context.Context, viewer visibility.Viewer, id, messageID int64) error {
	if _, err := s.conversation(ctx, viewer, id); err != nil {
		return err
	}
	msgs, err := s.Store.Messages(ctx, id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(msgs, func(m model.AbuseMessage) bool { return m.ID == messageID })
	if i < 0 {
		return model.ErrNotFound
	}
	if !Moderates(viewer) && msgs[i].Account.ID != viewer.AccountID {
		return ErrForbidden
	}
	_, err = s.Store.DeleteMessage(ctx, id, messageID)
	return err
}
