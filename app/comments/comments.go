// Package comments is the domain service for comments on videos, as
// PeerTube has them: threads and replies, deletion by the author, the
// video's owner or an admin (a placeholder stays, as in PeerTube), and the
// video's comments policy (enabled, disabled, or held for the owner's
// approval, PeerTube 6.2's). Who may read a video's comments is who may see
// the video: it asks app/visibility through the videos service.
package comments

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Comment policies, numbered as PeerTube's VideoCommentPolicy.
const (
	PolicyEnabled          = 1
	PolicyDisabled         = 2
	PolicyRequiresApproval = 3
)

// Text limits, PeerTube's CONSTRAINTS_FIELDS.VIDEO_COMMENTS.TEXT (counted
// in characters, as validator.js's isLength counts them).
const (
	MinText = 1
	MaxText = 10000
)

// Errors, each answered as PeerTube answers it.
var (
	// ErrDisabled: the video's comments are off (PeerTube: 409).
	ErrDisabled = errors.New("Video comments are disabled for this video.")
	// ErrForbidden: the viewer may not do this to this comment (403).
	ErrForbidden = errors.New("Cannot remove video comment of another user")
	// ErrAlreadyDeleted: the comment is only a placeholder (409).
	ErrAlreadyDeleted = errors.New("This comment is already deleted")
	// ErrNotHeld: approving a comment that is not held for review (400).
	ErrNotHeld = errors.New("This comment is not held for review")
	// ErrLoginRequired: writing needs a local user (401).
	ErrLoginRequired = errors.New("authentication required")
)

// TextError is a comment text PeerTube would refuse (400 naming "text").
type TextError struct{ Msg string }

func (e *TextError) Error() string { return e.Msg }

// SortError is a sort PeerTube does not accept for threads (400, "sort").
type SortError struct{ Sort string }

func (e *SortError) Error() string { return fmt.Sprintf("unknown sort %q", e.Sort) }

// Videos is what the service needs of the videos service: the video a
// reference names, if the viewer may see it (model.ErrNotFound otherwise).
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
}

// Service reads and writes comments.
type Service struct {
	Store  repo.Comments
	Videos Videos
	// Policy is a video's comments policy (PolicyEnabled...). Nil: every
	// video's comments are enabled.
	// TODO(lead): wire to the video's CommentsPolicy once the video
	// metadata (migration 0004) is merged.
	Policy func(model.Video) int
	// Notify hears of each comment anyone may now read or the owner must
	// approve (app/notifications); nil: nobody is told.
	Notify Notifier
	// Blocked says whether the server blocks an account (app/blocklist);
	// nil: nobody is blocked.
	Blocked func(ctx context.Context, accountID int64) (bool, error)
	// Federate hears of each write, inside its transaction
	// (app/federation/outbox); nil: nothing leaves the box.
	Federate Federator
}

// Federator hears of the comment writes other servers must learn of.
type Federator interface {
	// CommentChanged is told, inside the write's transaction (tx), of a
	// comment on video v as the write found it (zero: new) and left it,
	// so that the comment and the news of it are committed together; an
	// error fails the write.
	CommentChanged(ctx context.Context, tx *sql.Tx, v model.Video, before, after model.Comment) error
}

// federate is the write's companion that tells s.Federate; after is read
// when the write's statements have run (a new comment's id is known then).
func (s *Service) federate(v model.Video, before model.Comment, after func() model.Comment) []repo.InTx {
	if s.Federate == nil {
		return nil
	}
	return []repo.InTx{func(ctx context.Context, tx *sql.Tx) error {
		return s.Federate.CommentChanged(ctx, tx, v, before, after())
	}}
}

// Notifier is told of a comment once it is stored.
type Notifier interface {
	CommentPosted(ctx context.Context, v model.Video, c model.Comment)
}

func (s *Service) policy(v model.Video) int {
	if s.Policy == nil {
		return PolicyEnabled
	}
	switch p := s.Policy(v); p {
	case PolicyDisabled, PolicyRequiresApproval:
		return p
	}
	return PolicyEnabled
}

// PolicyOf is the comments policy of a video, for pages.
func (s *Service) PolicyOf(v model.Video) int { return s.policy(v) }

// Moderates reports whether viewer manages video's comments: its owner and
// the admins (PeerTube's MANAGE_ANY_VIDEO_COMMENT and SEE_ALL_COMMENTS).
func Moderates(viewer visibility.Viewer, video model.Video) bool {
	return viewer.Owns(video) || viewer.Moderates()
}

// MayDelete reports whether viewer may delete c on video: its author, the
// video's owner, an admin.
func MayDelete(viewer visibility.Viewer, video model.Video, c model.Comment) bool {
	if !viewer.LoggedIn() || c.IsDeleted() {
		return false
	}
	return (c.AccountID != 0 && c.AccountID == viewer.AccountID) || Moderates(viewer, video)
}

func (s *Service) query(viewer visibility.Viewer, v model.Video) repo.CommentQuery {
	scope := visibility.List(viewer, 0)
	return repo.CommentQuery{VideoID: v.ID, VideoOwnerAccountID: v.Channel.AccountID,
		SeeHeld: Moderates(viewer, v), ViewerAccountID: viewer.AccountID,
		HideServerBlocked: scope.HideServerBlocked, MutedByAccountID: scope.MutedBy}
}

// Page is one page of a video's threads, with PeerTube's totals: threads
// (deleted ones included) and comments not deleted.
type Page struct {
	Video      model.Video
	Total      int
	NotDeleted int
	Threads    []model.Comment
}

// ThreadQuery pages a video's threads.
type ThreadQuery struct {
	Start, Count int
	Sort         string // repo.CommentSorts; "" is -createdAt
}

// Threads lists a page of the threads of the video ref names. A video with
// comments disabled answers an empty list, as PeerTube.
func (s *Service) Threads(ctx context.Context, viewer visibility.Viewer, ref string, q ThreadQuery) (Page, error) {
	if q.Sort != "" && !slices.Contains(repo.CommentSorts, q.Sort) {
		return Page{}, &SortError{Sort: q.Sort}
	}
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return Page{}, err
	}
	p := Page{Video: v, Threads: []model.Comment{}}
	if s.policy(v) == PolicyDisabled {
		return p, nil
	}
	rq := s.query(viewer, v)
	rq.Start, rq.Count, rq.Sort = max(0, q.Start), q.Count, q.Sort
	p.Threads, p.Total, p.NotDeleted, err = s.Store.Threads(ctx, rq)
	if err != nil {
		return Page{}, fmt.Errorf("threads of video %d: %w", v.ID, err)
	}
	return p, nil
}

// Tree is a comment and its replies, each a Tree, oldest first
// (PeerTube's VideoCommentThreadTree).
type Tree struct {
	Comment  model.Comment
	Children []Tree
}

// Thread is the tree of one thread of the video ref names.
// model.ErrNotFound: no such thread the viewer may read, or comments off.
func (s *Service) Thread(ctx context.Context, viewer visibility.Viewer, ref string, threadID int64) (model.Video, Tree, error) {
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return v, Tree{}, err
	}
	if s.policy(v) == PolicyDisabled {
		return v, Tree{}, model.ErrNotFound
	}
	all, err := s.Store.Thread(ctx, s.query(viewer, v), threadID)
	if err != nil {
		return v, Tree{}, fmt.Errorf("thread %d: %w", threadID, err)
	}
	if len(all) == 0 || all[0].ID != threadID || all[0].ThreadID != 0 {
		return v, Tree{}, model.ErrNotFound
	}
	return v, buildTree(all), nil
}

// buildTree nests a thread's comments (its first comment first, the rest
// oldest first) under the comments they answer. A reply whose parent the
// viewer may not read (held for review) is left out with its replies.
func buildTree(all []model.Comment) Tree {
	children := map[int64][]model.Comment{}
	for _, c := range all[1:] {
		children[c.InReplyTo] = append(children[c.InReplyTo], c)
	}
	var grow func(c model.Comment) Tree
	grow = func(c model.Comment) Tree {
		t := Tree{Comment: c, Children: []Tree{}}
		for _, k := range children[c.ID] {
			t.Children = append(t.Children, grow(k))
		}
		return t
	}
	return grow(all[0])
}

// CheckText validates a comment's text as PeerTube does (1 to 10,000
// characters); text of blanks only is refused too, as there is nothing
// to read.
func CheckText(text string) error {
	n := utf8.RuneCountInString(text)
	switch {
	case strings.TrimSpace(text) == "":
		return &TextError{Msg: "Should have a valid comment text"}
	case n < MinText || n > MaxText:
		return &TextError{Msg: fmt.Sprintf("Should have a valid comment text (%d to %d characters)", MinText, MaxText)}
	case !utf8.ValidString(text):
		return &TextError{Msg: "Should have a valid comment text (UTF-8)"}
	}
	return nil
}

// Post starts a thread on the video ref names.
func (s *Service) Post(ctx context.Context, viewer visibility.Viewer, ref, text string) (model.Video, model.Comment, error) {
	return s.write(ctx, viewer, ref, 0, text)
}

// Reply answers comment parentID on the video ref names.
func (s *Service) Reply(ctx context.Context, viewer visibility.Viewer, ref string, parentID int64, text string) (model.Video, model.Comment, error) {
	if parentID <= 0 {
		return model.Video{}, model.Comment{}, model.ErrNotFound
	}
	return s.write(ctx, viewer, ref, parentID, text)
}

func (s *Service) write(ctx context.Context, viewer visibility.Viewer, ref string, parentID int64, text string) (model.Video, model.Comment, error) {
	if !viewer.LoggedIn() {
		return model.Video{}, model.Comment{}, ErrLoginRequired
	}
	if s.Blocked != nil {
		// An account the server blocks may not comment (PeerTube refuses
		// it too); its earlier comments are hidden by the listings.
		blocked, err := s.Blocked(ctx, viewer.AccountID)
		if err != nil {
			return model.Video{}, model.Comment{}, fmt.Errorf("blocks of account %d: %w", viewer.AccountID, err)
		}
		if blocked {
			return model.Video{}, model.Comment{}, ErrForbidden
		}
	}
	if err := CheckText(text); err != nil {
		return model.Video{}, model.Comment{}, err
	}
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return model.Video{}, model.Comment{}, err
	}
	policy := s.policy(v)
	if policy == PolicyDisabled {
		return model.Video{}, model.Comment{}, ErrDisabled
	}
	c := model.Comment{VideoID: v.ID, AccountID: viewer.AccountID, Text: text,
		// The owner and the admins are never held for their own review.
		// A remote video's owner reviews on its own server, whose inbox
		// holds the comment under its policy: held here, it would wait
		// for an approval that nobody here can give, and never leave.
		HeldForReview: policy == PolicyRequiresApproval && !Moderates(viewer, v) && !v.Channel.Remote()}
	if parentID != 0 {
		parent, err := s.visibleComment(ctx, viewer, v, parentID)
		if err != nil {
			return model.Video{}, model.Comment{}, err
		}
		c.ThreadID, c.InReplyTo = parent.Thread(), parent.ID
	}
	if err := s.Store.Create(ctx, &c, s.federate(v, model.Comment{}, func() model.Comment { return c })...); err != nil {
		return model.Video{}, model.Comment{}, fmt.Errorf("store comment on video %d: %w", v.ID, err)
	}
	// Read it back with its author, as the API shows it.
	out, err := s.Store.ByID(ctx, c.ID)
	if err != nil {
		return model.Video{}, model.Comment{}, fmt.Errorf("read comment %d: %w", c.ID, err)
	}
	if s.Notify != nil {
		s.Notify.CommentPosted(ctx, v, out)
	}
	return v, out, nil
}

// visibleComment is comment id of video v if the viewer may read it.
func (s *Service) visibleComment(ctx context.Context, viewer visibility.Viewer, v model.Video, id int64) (model.Comment, error) {
	c, err := s.Store.ByID(ctx, id)
	if err != nil {
		return c, err
	}
	if c.VideoID != v.ID || (c.HeldForReview && !Moderates(viewer, v) && c.AccountID != viewer.AccountID) {
		return model.Comment{}, model.ErrNotFound
	}
	return c, nil
}

// actOn finds the comment a logged-in viewer acts on, on a video they may
// see (Delete and Approve).
func (s *Service) actOn(ctx context.Context, viewer visibility.Viewer, ref string, id int64) (model.Video, model.Comment, error) {
	if !viewer.LoggedIn() {
		return model.Video{}, model.Comment{}, ErrLoginRequired
	}
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return v, model.Comment{}, err
	}
	c, err := s.visibleComment(ctx, viewer, v, id)
	return v, c, err
}

// Delete leaves a placeholder of a comment: its author, the video's owner
// and the admins may.
func (s *Service) Delete(ctx context.Context, viewer visibility.Viewer, ref string, id int64) error {
	v, c, err := s.actOn(ctx, viewer, ref, id)
	if err != nil {
		return err
	}
	if c.IsDeleted() {
		return ErrAlreadyDeleted
	}
	if !MayDelete(viewer, v, c) {
		return ErrForbidden
	}
	gone := func() model.Comment {
		d := c
		d.AccountID, d.Account, d.Text, d.DeletedAt = 0, model.Account{}, "", time.Now()
		return d
	}
	if err := s.Store.MarkDeleted(ctx, id, s.federate(v, c, gone)...); errors.Is(err, model.ErrConflict) {
		return ErrAlreadyDeleted // deleted by someone else meanwhile
	} else if err != nil {
		return fmt.Errorf("delete comment %d: %w", id, err)
	}
	return nil
}

// Approve publishes a comment held for review: the video's owner and the
// admins may.
func (s *Service) Approve(ctx context.Context, viewer visibility.Viewer, ref string, id int64) error {
	v, c, err := s.actOn(ctx, viewer, ref, id)
	if err != nil {
		return err
	}
	switch {
	case c.IsDeleted():
		return ErrAlreadyDeleted
	case !c.HeldForReview:
		return ErrNotHeld
	case !Moderates(viewer, v):
		return ErrForbidden
	}
	approved := func() model.Comment {
		a := c
		a.HeldForReview = false
		return a
	}
	if err := s.Store.Approve(ctx, id, s.federate(v, c, approved)...); errors.Is(err, model.ErrConflict) {
		return ErrNotHeld
	} else if err != nil {
		return fmt.Errorf("approve comment %d: %w", id, err)
	}
	if s.Notify != nil {
		// Now readable: a reply tells the author answered (the owner
		// was told when it was held, and is not told twice).
		c.HeldForReview = false
		s.Notify.CommentPosted(ctx, v, c)
	}
	return nil
}
