// Package moderation is the moderators' queue: the open abuse reports with
// what they are about, and the actions taken from it — accept or reject a
// report with a note, delete the reported video or comment, block the
// reported account server-wide — each through the service that owns the
// subject (abuses, videos, comments, blocklist), so their rules hold here
// too. Admins and moderators may act, as in PeerTube.
package moderation

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"cabane.dev/cabane/app/abuses"
	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// ErrForbidden refuses anyone but an admin or a moderator.
var ErrForbidden = abuses.ErrForbidden

// ErrNothingToDelete: the report's subject is an account, or already gone.
var ErrNothingToDelete = errors.New("the reported video or comment no longer exists")

// Reports is app/abuses.
type Reports interface {
	List(ctx context.Context, viewer visibility.Viewer, q repo.AbuseQuery) ([]model.Abuse, int, error)
	Update(ctx context.Context, viewer visibility.Viewer, id int64, state *int, comment *string) error
}

// Videos deletes a reported video (app/videos).
type Videos interface {
	Delete(ctx context.Context, viewer visibility.Viewer, ref string) error
}

// Comments deletes a reported comment (app/comments).
type Comments interface {
	Delete(ctx context.Context, viewer visibility.Viewer, ref string, id int64) error
}

// Blocks is the server's account blocklist (app/blocklist).
type Blocks interface {
	BlockAccount(ctx context.Context, viewer visibility.Viewer, scope blocklist.Scope, handle string) error
	UnblockAccount(ctx context.Context, viewer visibility.Viewer, scope blocklist.Scope, handle string) error
	Accounts(ctx context.Context, viewer visibility.Viewer, scope blocklist.Scope, start, count int, sort string) ([]model.AccountBlock, int, error)
}

// Service is the queue and its actions.
type Service struct {
	Reports  Reports
	Videos   Videos
	Comments Comments
	Blocks   Blocks
}

// Queue is a page of reports in a state (model.AbusePending for the open
// queue; 0 for all), oldest first so the longest-waiting come first.
func (s *Service) Queue(ctx context.Context, viewer visibility.Viewer, state, start, count int) ([]model.Abuse, int, error) {
	if !viewer.Moderates() {
		return nil, 0, ErrForbidden
	}
	return s.Reports.List(ctx, viewer, repo.AbuseQuery{State: state, Start: max(start, 0), Count: min(max(count, 1), 100), Sort: "createdAt"})
}

func (s *Service) report(ctx context.Context, viewer visibility.Viewer, id int64) (model.Abuse, error) {
	if !viewer.Moderates() {
		return model.Abuse{}, ErrForbidden
	}
	list, _, err := s.Reports.List(ctx, viewer, repo.AbuseQuery{ID: id, Count: 1})
	if err != nil {
		return model.Abuse{}, fmt.Errorf("report %d: %w", id, err)
	}
	if len(list) == 0 {
		return model.Abuse{}, model.ErrNotFound
	}
	return list[0], nil
}

// Resolve accepts or rejects report id (PeerTube's AbuseState 3 or 2)
// with the moderator's note ("" keeps the note it has).
func (s *Service) Resolve(ctx context.Context, viewer visibility.Viewer, id int64, accepted bool, note string) error {
	if !viewer.Moderates() {
		return ErrForbidden
	}
	state := model.AbuseRejected
	if accepted {
		state = model.AbuseAccepted
	}
	var comment *string
	if note != "" {
		comment = &note
	}
	return s.Reports.Update(ctx, viewer, id, &state, comment)
}

// DeleteContent deletes what report id is about: its comment, else its
// video. The report stays, with its copy of the subject's name.
func (s *Service) DeleteContent(ctx context.Context, viewer visibility.Viewer, id int64) error {
	a, err := s.report(ctx, viewer, id)
	if err != nil {
		return err
	}
	switch {
	case a.CommentID != 0 && a.VideoID != 0:
		return s.Comments.Delete(ctx, viewer, strconv.FormatInt(a.VideoID, 10), a.CommentID)
	case a.VideoID != 0:
		return s.Videos.Delete(ctx, viewer, strconv.FormatInt(a.VideoID, 10))
	}
	return ErrNothingToDelete
}

// BlockAccount blocks, server-wide, the account report id is about (the
// reported account, or the author of the reported video or comment).
func (s *Service) BlockAccount(ctx context.Context, viewer visibility.Viewer, id int64) error {
	a, err := s.report(ctx, viewer, id)
	if err != nil {
		return err
	}
	if a.Flagged.Name == "" {
		return model.ErrNotFound
	}
	return s.Blocks.BlockAccount(ctx, viewer, blocklist.Server, a.Flagged.Name)
}

// Blocked is a page of the accounts the server blocks, newest first.
func (s *Service) Blocked(ctx context.Context, viewer visibility.Viewer, start, count int) ([]model.AccountBlock, int, error) {
	return s.Blocks.Accounts(ctx, viewer, blocklist.Server, max(start, 0), min(max(count, 1), 100), "-createdAt")
}

// Unblock lifts the server's block of the account named handle.
func (s *Service) Unblock(ctx context.Context, viewer visibility.Viewer, handle string) error {
	return s.Blocks.UnblockAccount(ctx, viewer, blocklist.Server, handle)
}
