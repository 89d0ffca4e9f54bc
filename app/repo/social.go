package repo

import (
	"context"

	"cabane.dev/cabane/app/model"
)

// Playlists stores playlists and their elements. Every write that changes
// positions runs in one transaction, so positions stay 1..n without gaps.
type Playlists interface {
	Create(ctx context.Context, p *model.Playlist) error
	// WatchLater is the account's "watch later" playlist, created (with
	// mk's fields) when it does not exist yet; concurrent callers get the
	// same one.
	WatchLater(ctx context.Context, accountID int64, mk func() model.Playlist) (model.Playlist, error)
	ByID(ctx context.Context, id int64) (model.Playlist, error)
	ByUUID(ctx context.Context, uuid string) (model.Playlist, error)
	ByShortUUID(ctx context.Context, short string) (model.Playlist, error)
	List(ctx context.Context, q PlaylistQuery) ([]model.Playlist, int, error)
	Update(ctx context.Context, p model.Playlist) error
	Delete(ctx context.Context, id int64) error
	// Elements is a page of a playlist's elements in order, with their
	// videos (zero once deleted), and how many there are.
	Elements(ctx context.Context, playlistID int64, start, count int) ([]model.PlaylistElement, int, error)
	Element(ctx context.Context, playlistID, elementID int64) (model.PlaylistElement, error)
	// AddElement appends e at the end and sets its ID and Position.
	AddElement(ctx context.Context, e *model.PlaylistElement) error
	SetTimestamps(ctx context.Context, playlistID, elementID int64, start, stop *int) error
	// RemoveElement deletes an element and closes the gap it leaves.
	RemoveElement(ctx context.Context, playlistID, elementID int64) error
	// Reorder moves length elements from start to after position after
	// (0: to the top). model.ErrConflict: a position is beyond the end.
	Reorder(ctx context.Context, playlistID int64, start, after, length int) error
	// Containing lists, for each of videoIDs, the elements of the
	// account's playlists that hold it.
	Containing(ctx context.Context, accountID int64, videoIDs []int64) ([]model.PlaylistElement, error)
}

// PlaylistQuery selects a page of playlists.
type PlaylistQuery struct {
	AccountID int64 // 0: every account
	ChannelID int64 // 0: any channel
	Privacies []int // empty: any
	Type      int   // 0: any
	// Search keeps the playlists whose name contains it (any case).
	Search string
	Start  int
	Count  int
	Sort   string // one of PlaylistSorts; "" is -createdAt
}

// PlaylistSorts are PeerTube's SORTABLE_COLUMNS.VIDEO_PLAYLISTS, each
// ascending or descending.
var PlaylistSorts = []string{"id", "-id", "displayName", "-displayName", "createdAt", "-createdAt", "updatedAt", "-updatedAt"}

// Subscriptions stores which channels accounts follow.
type Subscriptions interface {
	// Subscribe is idempotent: subscribing again changes nothing.
	Subscribe(ctx context.Context, accountID, channelID int64) error
	// Unsubscribe: model.ErrNotFound when there was no such subscription.
	Unsubscribe(ctx context.Context, accountID, channelID int64) error
	Subscribed(ctx context.Context, accountID int64, channelIDs []int64) (map[int64]bool, error)
	List(ctx context.Context, accountID int64, start, count int, sort string) ([]model.Subscription, int, error)
	// Subscribers are the users whose accounts follow the channel.
	Subscribers(ctx context.Context, channelID int64) ([]int64, error)
	// FeedToken is the token of the account's user's subscriptions feed,
	// made on first demand; model.ErrNotFound for an account without a
	// user. RenewFeedToken replaces it (the old one stops working).
	FeedToken(ctx context.Context, accountID int64) (string, error)
	RenewFeedToken(ctx context.Context, accountID int64) (string, error)
}

// SubscriptionSorts are PeerTube's SORTABLE_COLUMNS.USER_SUBSCRIPTIONS.
var SubscriptionSorts = []string{"id", "-id", "createdAt", "-createdAt"}

// Notifications stores in-app notifications and their settings.
type Notifications interface {
	// Add stores one notification for each user; one that already has
	// this event (type, video, comment) is skipped. It returns how many
	// were stored.
	Add(ctx context.Context, userIDs []int64, n model.Notification) (int, error)
	List(ctx context.Context, userID int64, unreadOnly bool, start, count int, sort string) ([]model.Notification, int, error)
	Unread(ctx context.Context, userID int64) (int, error)
	MarkRead(ctx context.Context, userID int64, ids []int64) error
	MarkAllRead(ctx context.Context, userID int64) error
	Settings(ctx context.Context, userID int64) (map[string]int, error)
	SetSettings(ctx context.Context, userID int64, values map[string]int) error
	// UsersWithSetting filters userIDs to those whose setting name has the
	// web bit (value&1), counting a missing row as def.
	UsersWithSetting(ctx context.Context, userIDs []int64, name string, def int) ([]int64, error)
}

// NotificationSorts are PeerTube's SORTABLE_COLUMNS.USER_NOTIFICATIONS.
var NotificationSorts = []string{"createdAt", "-createdAt", "read", "-read"}
