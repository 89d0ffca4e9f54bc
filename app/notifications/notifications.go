// Package notifications is the domain service for in-app notifications, as
// PeerTube has them: a new video from a subscription, a comment on my
// video, a reply to my comment (PeerTube's "mention": its reply form names
// the author answered), each emitted once per event and never to whoever
// caused it; read and unread, and each user's settings. The videos and
// comments services call it through small hooks (VideoPublished,
// CommentPosted) after their write succeeded: a notification that fails is
// logged, never a reason to fail the upload or the comment.
package notifications

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Errors, each answered as PeerTube answers it.
var (
	// ErrLoginRequired: notifications are a user's (401).
	ErrLoginRequired = errors.New("authentication required")
)

// FieldError is a request field PeerTube would refuse (400 naming it).
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Msg }

// Setting values, PeerTube's UserNotificationSettingValue (bits).
const (
	None  = 0
	Web   = 1
	Email = 2
)

// SettingNames are PeerTube's notification settings, each with its default
// (PeerTube's for a new user). Cabane sends no e-mail: the e-mail bit is
// kept as given, for the apps that show it, and only the web bit matters.
var SettingNames = map[string]int{
	"newVideoFromSubscription":      Web,
	"newCommentOnMyVideo":           Web,
	"commentMention":                Web,
	"abuseAsModerator":              Web | Email,
	"videoAutoBlacklistAsModerator": Web | Email,
	"blacklistOnMyVideo":            Web | Email,
	"myVideoPublished":              Web,
	"myVideoImportFinished":         Web,
	"newFollow":                     Web,
	"newUserRegistration":           Web,
	"newInstanceFollower":           Web,
	"autoInstanceFollowing":         Web,
	"abuseNewMessage":               Web,
	"abuseStateChange":              Web,
	"newPeerTubeVersion":            Web,
	"newPluginVersion":              Web,
	"myVideoStudioEditionFinished":  Web,
}

// The setting each notification type obeys.
var settingOf = map[int]string{
	model.NotifyNewVideoFromSubscription: "newVideoFromSubscription",
	model.NotifyNewCommentOnMyVideo:      "newCommentOnMyVideo",
	model.NotifyCommentMention:           "commentMention",
	// A supporter-only video is a new video of a creator one follows
	// closely: the same setting.
	model.NotifyNewSupporterVideo: "newVideoFromSubscription",
}

// SupporterNotices lists the local supporters of a creator not yet told
// of a video, and records that they were (supporters.Service).
type SupporterNotices interface {
	LocalUnnoted(ctx context.Context, accountID, videoID int64) ([]model.LocalSupporter, error)
	MarkNoted(ctx context.Context, videoID, supporterID int64) error
}

// Videos is what the service reads of videos: the row as it is now (its
// privacy may have changed while it was processed).
type Videos interface {
	ByID(ctx context.Context, id int64) (model.Video, error)
}

// Comments is what the service reads of comments: the one answered.
type Comments interface {
	ByID(ctx context.Context, id int64) (model.Comment, error)
}

// Subscribers lists the users who follow a channel.
type Subscribers interface {
	Subscribers(ctx context.Context, channelID int64) ([]int64, error)
}

// Service emits and reads notifications.
type Service struct {
	Store       repo.Notifications
	Videos      Videos
	Comments    Comments
	Subscribers Subscribers
	Users       Users
	Log         *slog.Logger
	// Blocks says whether an account is blocked for the server or muted by
	// the viewer (blocklist.Service.Blocks): a user is not told of what a
	// muted or blocked account did, as PeerTube. nil: nobody is muted.
	Blocks func(ctx context.Context, viewer visibility.Viewer, accountID int64) (visibility.Blocks, error)
	// Supporters are told of their creators' supporter-only videos (#11);
	// nil: nobody is.
	Supporters SupporterNotices
}

// Users reads users (is the one to notify an admin, who sees everything).
type Users interface {
	UserByID(ctx context.Context, id int64) (model.User, error)
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// emit stores n for each user whose setting allows it and who may see the
// video, except the actor.
func (s *Service) emit(ctx context.Context, users []int64, actorUserID, actorAccountID int64, v model.Video, n model.Notification) (int, error) {
	return s.emitAs(ctx, users, actorUserID, actorAccountID, v, n, nil)
}

// emitAs is emit for users who support the accounts supports (their
// supporter-only videos are theirs to see).
func (s *Service) emitAs(ctx context.Context, users []int64, actorUserID, actorAccountID int64, v model.Video, n model.Notification, supports []int64) (int, error) {
	var to []int64
	for _, u := range users {
		if u == 0 || u == actorUserID || slices.Contains(to, u) {
			continue
		}
		usr, err := s.Users.UserByID(ctx, u)
		if errors.Is(err, model.ErrNotFound) {
			continue
		} else if err != nil {
			return 0, err
		}
		// A notification is read later, anywhere: it is for what the user
		// may see away from home.
		vw := visibility.Of(&usr, false)
		vw.SupporterOf = supports
		if !visibility.Video(vw, v, visibility.ByUUID) {
			continue
		}
		if s.Blocks != nil && actorAccountID != 0 {
			b, err := s.Blocks(ctx, vw, actorAccountID)
			if err != nil {
				return 0, fmt.Errorf("blocks of account %d for user %d: %w", actorAccountID, u, err)
			}
			if visibility.Blocked(vw, b) {
				continue
			}
		}
		to = append(to, u)
	}
	name := settingOf[n.Type]
	to, err := s.Store.UsersWithSetting(ctx, to, name, SettingNames[name])
	if err != nil {
		return 0, err
	}
	return s.Store.Add(ctx, to, n)
}

// VideoPublished notifies the subscribers of the video's channel that it
// is out: once per video, whatever the number of calls (a job resumed
// after a crash calls again), and only for videos they may find in a
// listing (public and internal, as PeerTube).
func (s *Service) VideoPublished(ctx context.Context, videoID int64) {
	if err := s.videoPublished(ctx, videoID); err != nil {
		s.log().Error("notify subscribers of a new video", "video", videoID, "err", err)
	}
}

func (s *Service) videoPublished(ctx context.Context, videoID int64) error {
	v, err := s.Videos.ByID(ctx, videoID)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if v.Published() && v.Privacy == model.PrivacySupporters {
		return s.supporterVideo(ctx, v)
	}
	if !v.Published() || (v.Privacy != model.PrivacyPublic && v.Privacy != model.PrivacyInternal) {
		return nil
	}
	subs, err := s.Subscribers.Subscribers(ctx, v.ChannelID)
	if err != nil {
		return err
	}
	_, err = s.emit(ctx, subs, v.Channel.Account.UserID, v.Channel.AccountID, v, model.Notification{Type: model.NotifyNewVideoFromSubscription, VideoID: v.ID})
	return err
}

// SupporterVideo tells the creator's local supporters that supporter-only
// video v is out (its publication, or a published video made
// supporter-only): once each, whatever the number of calls. Their account
// is their access, so the notification's link is the watch page.
func (s *Service) SupporterVideo(ctx context.Context, v model.Video) {
	if err := s.supporterVideo(ctx, v); err != nil {
		s.log().Error("notify supporters of a new video", "video", v.ID, "err", err)
	}
}

func (s *Service) supporterVideo(ctx context.Context, v model.Video) error {
	if s.Supporters == nil || !v.Published() || v.Privacy != model.PrivacySupporters || v.Channel.Remote() {
		return nil
	}
	sps, err := s.Supporters.LocalUnnoted(ctx, v.Channel.AccountID, v.ID)
	if err != nil {
		return err
	}
	var users []int64
	for _, sp := range sps {
		users = append(users, sp.UserID)
	}
	// Supporters may see it: their viewer is one with access.
	if _, err := s.emitAs(ctx, users, v.Channel.Account.UserID, v.Channel.AccountID, v,
		model.Notification{Type: model.NotifyNewSupporterVideo, VideoID: v.ID}, []int64{v.Channel.AccountID}); err != nil {
		return err
	}
	for _, sp := range sps {
		if err := s.Supporters.MarkNoted(ctx, v.ID, sp.SupporterID); err != nil {
			return err
		}
	}
	return nil
}

// CommentPosted notifies the video's owner of a new comment (held for
// review or not: they are the one to approve it), and the author of the
// comment answered, unless they are the owner (already told) or the one
// who wrote (never notified of their own acts). A reply held for review
// notifies only the owner.
func (s *Service) CommentPosted(ctx context.Context, v model.Video, c model.Comment) {
	if err := s.commentPosted(ctx, v, c); err != nil {
		s.log().Error("notify of a comment", "video", v.ID, "comment", c.ID, "err", err)
	}
}

func (s *Service) commentPosted(ctx context.Context, v model.Video, c model.Comment) error {
	author := c.Account.UserID
	owner := v.Channel.Account.UserID
	if _, err := s.emit(ctx, []int64{owner}, author, c.Account.ID, v,
		model.Notification{Type: model.NotifyNewCommentOnMyVideo, VideoID: v.ID, CommentID: c.ID}); err != nil {
		return err
	}
	if c.InReplyTo == 0 || c.HeldForReview {
		return nil
	}
	parent, err := s.Comments.ByID(ctx, c.InReplyTo)
	if errors.Is(err, model.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	if u := parent.Account.UserID; u != 0 && u != owner && !parent.IsDeleted() {
		_, err = s.emit(ctx, []int64{u}, author, c.Account.ID, v, model.Notification{Type: model.NotifyCommentMention, VideoID: v.ID, CommentID: c.ID})
	}
	return err
}

// Query pages a user's notifications.
type Query struct {
	Unread       bool
	Start, Count int
	Sort         string // repo.NotificationSorts; "" is -createdAt
}

// List is a page of the viewer's notifications and how many match.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, q Query) ([]model.Notification, int, error) {
	if !viewer.LoggedIn() {
		return nil, 0, ErrLoginRequired
	}
	if q.Sort != "" && !slices.Contains(repo.NotificationSorts, q.Sort) {
		return nil, 0, &FieldError{Field: "sort", Msg: fmt.Sprintf("unknown sort %q", q.Sort)}
	}
	ns, total, err := s.Store.List(ctx, viewer.UserID, q.Unread, max(0, q.Start), q.Count, q.Sort)
	if err != nil {
		return nil, 0, fmt.Errorf("notifications of user %d: %w", viewer.UserID, err)
	}
	return ns, total, nil
}

// Unread counts the viewer's unread notifications (0 for the anonymous).
func (s *Service) Unread(ctx context.Context, viewer visibility.Viewer) (int, error) {
	if !viewer.LoggedIn() {
		return 0, nil
	}
	return s.Store.Unread(ctx, viewer.UserID)
}

// MarkRead marks some of the viewer's notifications read.
func (s *Service) MarkRead(ctx context.Context, viewer visibility.Viewer, ids []int64) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	if len(ids) == 0 {
		return &FieldError{Field: "ids", Msg: "Should have a valid array of notification ids"}
	}
	return s.Store.MarkRead(ctx, viewer.UserID, ids)
}

// MarkAllRead marks all the viewer's notifications read.
func (s *Service) MarkAllRead(ctx context.Context, viewer visibility.Viewer) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	return s.Store.MarkAllRead(ctx, viewer.UserID)
}

// Settings are the viewer's settings, every one of SettingNames.
func (s *Service) Settings(ctx context.Context, viewer visibility.Viewer) (map[string]int, error) {
	if !viewer.LoggedIn() {
		return nil, ErrLoginRequired
	}
	stored, err := s.Store.Settings(ctx, viewer.UserID)
	if err != nil {
		return nil, err
	}
	out := make(map[string]int, len(SettingNames))
	for k, def := range SettingNames {
		out[k] = def
		if v, ok := stored[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

// SetSettings changes some of the viewer's settings; each must be one of
// SettingNames with a value from 0 to 3.
func (s *Service) SetSettings(ctx context.Context, viewer visibility.Viewer, values map[string]int) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	names := make([]string, 0, len(values))
	for k := range values {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if _, ok := SettingNames[k]; !ok {
			return &FieldError{Field: k, Msg: fmt.Sprintf("unknown notification setting %q", k)}
		}
		if v := values[k]; v < None || v > Web|Email {
			return &FieldError{Field: k, Msg: "Should have a valid notification setting value (0 to 3)"}
		}
	}
	return s.Store.SetSettings(ctx, viewer.UserID, values)
}
