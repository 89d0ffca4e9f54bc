package repo

import (
	"context"
	"time"

	"cabane.dev/cabane/app/model"
)

// Search finds videos and channels: full-text (FTS5, migration 0007) and by
// PeerTube's filters. The search service builds the match expression and
// the visibility filter; the store applies them.
type Search interface {
	Videos(ctx context.Context, f VideoFilter) ([]model.Video, int, error)
	Channels(ctx context.Context, f ChannelFilter) ([]ChannelStats, int, error)
	// Samples are the categories, channels and tags that at least
	// threshold videos of privacies have (PeerTube's overview samples),
	// most used first.
	Samples(ctx context.Context, privacies []int, threshold, count int) (categories []int, channels []int64, tags []string, err error)
}

// VideoFilter selects published videos. Zero fields filter nothing.
type VideoFilter struct {
	// Match is an FTS5 query on the video_search table ("" matches all).
	Match string
	// Privacies keeps published videos of these privacies (never empty:
	// the search service always says who may see what).
	Privacies []int
	// HideServerBlocked and MutedByAccountID leave out the videos of the
	// accounts the server blocks and of those this account mutes, as
	// listings do (visibility.Listing).
	HideServerBlocked bool
	MutedByAccountID  int64
	ChannelID         int64
	AccountID         int64
	UUIDs             []string

	CategoryOneOf []int
	LicenceOneOf  []int
	// LanguageOneOf: "_unknown" stands for videos without a language, as
	// in PeerTube.
	LanguageOneOf []string
	TagsOneOf     []string // any of them, case-insensitive
	TagsAllOf     []string // all of them, case-insensitive
	// NSFW: nil both, else only NSFW (true) or only not (false).
	NSFW *bool
	// Local: nil both, else only this server's videos (true) or only
	// those of remote channels stored here (false). RemoteHost keeps the
	// videos of channels on that host (PeerTube's host filter; a remote
	// one: this server's own host is Local true).
	Local                     *bool
	RemoteHost                string
	DurationMin, DurationMax  time.Duration // 0: no bound
	PublishedAfter            time.Time
	PublishedBefore           time.Time
	OriginallyPublishedAfter  time.Time
	OriginallyPublishedBefore time.Time

	Start, Count int
	Sort         string // one of VideoSorts; "-match" ranks by bm25 when Match is set
	TrendingDays int
	SkipCount    bool
	// Summary reads only what a listing's JSON shows, as
	// VideoQuery.Summary.
	Summary bool
}

// ChannelFilter selects channels.
type ChannelFilter struct {
	Match     string // FTS5 query on channel_search ("" all)
	AccountID int64
	Names     []string // exact names (handles' local part)
	Start     int
	Count     int
	Sort      string // one of ChannelSorts
	// Privacies counts the videos a channel shows (videosCount).
	Privacies []int
}

// ChannelSorts are PeerTube's SORTABLE_COLUMNS.VIDEO_CHANNELS (and a
// search's relevance).
var ChannelSorts = []string{"id", "-id", "name", "-name", "createdAt", "-createdAt", "updatedAt", "-updatedAt",
	"videosCount", "-videosCount", "match", "-match"}

// ChannelStats is a channel with the count of its videos the viewer may
// see in listings.
type ChannelStats struct {
	model.Channel
	VideosCount int
}
