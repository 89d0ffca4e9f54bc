// Package repo is the storage contract that the domain services depend on:
// one interface per aggregate, and the query and row types they exchange.
// app/store implements it on SQLite; app wires the two together. Services
// and everything above them (web, later federation) never import the store,
// which `go list -deps ./app/web/...` checks.
package repo

import (
	"context"
	"database/sql"
	"time"

	"cabane.dev/cabane/app/model"
)

// Videos stores videos and their renditions.
type Videos interface {
	Create(ctx context.Context, v *model.Video) error
	ByID(ctx context.Context, id int64) (model.Video, error)
	ByUUID(ctx context.Context, uuid string) (model.Video, error)
	ByShortUUID(ctx context.Context, short string) (model.Video, error)
	ExistsUUID(ctx context.Context, uuid string) (bool, error)
	List(ctx context.Context, q VideoQuery) ([]model.Video, int, error)
	SetProgress(ctx context.Context, id int64, pct float64) error
	SetFailed(ctx context.Context, id int64, reason string) error
	SetState(ctx context.Context, id int64, state int) error
	SetDuration(ctx context.Context, id int64, d time.Duration) error
	FailAbandoned(ctx context.Context, kind string) (int64, error)
	SetThumbnail(ctx context.Context, id int64) error
	AddRenditions(ctx context.Context, videoID int64, rs ...model.Rendition) error
	Renditions(ctx context.Context, videoID int64) ([]model.Rendition, error)
	Tags(ctx context.Context, videoID int64) ([]string, error)
	Update(ctx context.Context, id int64, u VideoUpdate) error
	Delete(ctx context.Context, id int64) error
	ActiveJobs(ctx context.Context, videoID int64) ([]int64, error)
	PruneDailyViews(ctx context.Context, keep time.Duration) error
	AddViews(ctx context.Context, counts map[int64]int64) error
	Count(ctx context.Context) (int, error)
	// Generation changes with every write that can change a listing.
	Generation() uint64
}

// Accounts stores users, accounts and channels.
type Accounts interface {
	CreateUser(ctx context.Context, nu NewUser) (model.User, model.Channel, error)
	HasAdmin(ctx context.Context) (bool, error)
	UserByLogin(ctx context.Context, login string) (model.User, error)
	UserByID(ctx context.Context, id int64) (model.User, error)
	SetPassword(ctx context.Context, userID int64, hash string, keepSession []byte) error
	AccountByName(ctx context.Context, name string) (model.Account, error)
	AccountByID(ctx context.Context, id int64) (model.Account, error)
	ChannelByName(ctx context.Context, name string) (model.Channel, error)
	ChannelByID(ctx context.Context, id int64) (model.Channel, error)
	ChannelsOfAccount(ctx context.Context, accountID int64) ([]model.Channel, error)
	// RemoteActorOf is the remote actor an account ("account") or a
	// channel ("channel") of another server stands for; ErrNotFound for
	// a local one.
	RemoteActorOf(ctx context.Context, kind string, id int64) (model.RemoteActor, error)
	// RemoteURLs are the pages on their origin (actor url, else IRI) of
	// the remote ones among accounts or channels ids, by id.
	RemoteURLs(ctx context.Context, kind string, ids []int64) (map[int64]string, error)
}

// Sessions stores browser sessions and OAuth clients and tokens.
type Sessions interface {
	CreateSession(ctx context.Context, tokenHash []byte, userID int64, expires time.Time) error
	SessionUser(ctx context.Context, tokenHash []byte) (model.User, error)
	DeleteSession(ctx context.Context, tokenHash []byte) error
	PruneExpired(ctx context.Context) error
	LocalOAuthClient(ctx context.Context, mk func() OAuthClient) (OAuthClient, error)
	OAuthClientValid(ctx context.Context, id, secret string) (bool, error)
	CreateOAuthToken(ctx context.Context, t OAuthToken) error
	AccessTokenUser(ctx context.Context, accessHash []byte) (model.User, error)
	TakeRefreshToken(ctx context.Context, refreshHash []byte, clientID string) (int64, error)
	RevokeAccessToken(ctx context.Context, accessHash []byte) error
}

// Settings stores the admin's settings.
type Settings interface {
	Get(ctx context.Context, key string) (string, error)
	Set(ctx context.Context, key, value string) error
}

// Aggregates are the four query sets, on the pool or inside one transaction.
type Aggregates struct {
	Videos   Videos
	Accounts Accounts
	Sessions Sessions
	Settings Settings
}

// Tx is one write transaction: the aggregates bound to it, and the raw
// transaction for packages with tables of their own (the job queue).
type Tx struct {
	Aggregates
	SQL *sql.Tx
}

// Store is the storage the services use.
type Store struct {
	Aggregates
	// WithTx runs fn in one transaction, committing when it returns nil.
	WithTx func(ctx context.Context, fn func(tx Tx) error) error
}

// NewUser is what Accounts.CreateUser needs.
type NewUser struct {
	Username, Email, PasswordHash string
	Role                          int
	ChannelName, ChannelDisplay   string
}

// OAuthClient is PeerTube's local client pair.
type OAuthClient struct{ ID, Secret string }

// OAuthToken is a stored bearer token pair (hashes, never the tokens).
type OAuthToken struct {
	AccessHash, RefreshHash       []byte
	UserID                        int64
	ClientID                      string
	AccessExpires, RefreshExpires time.Time
}

// VideoQuery selects a page of videos. The visibility package decides the
// filter; the store only applies it.
type VideoQuery struct {
	ChannelID int64
	AccountID int64
	Start     int
	Count     int
	Sort      string // one of VideoSorts; "" is -publishedAt
	// TrendingDays is how many days of views "trending" counts (today
	// included).
	TrendingDays int
	// Privacies, when not empty, keeps published videos of these privacies
	// only. Empty: every video of the scope, whatever its state (an owner's
	// own channel).
	Privacies []int
	// SupportersOf adds, to Privacies, the published supporter-only
	// videos of these accounts (visibility.Listing.SupportersOf).
	SupportersOf []int64
	// SubscriberAccountID keeps the videos of the channels this account
	// subscribes to (its subscriptions feed); 0: no such filter.
	SubscriberAccountID int64
	// HideServerBlocked hides the videos of accounts the server blocks;
	// MutedByAccountID those of the accounts this account mutes (0: none).
	// visibility.List decides both.
	HideServerBlocked bool
	MutedByAccountID  int64
	// Summary reads only what a listing's JSON shows (PeerTube's Video, not
	// VideoDetails): the description cut to SummaryDescriptionRunes, no
	// support texts, original file, channel or account descriptions. Each
	// column read costs the same in SQLite, so a listing reads a third less.
	Summary bool
}

// SummaryDescriptionRunes is how much of a description a Summary listing
// reads: one character more than the 250 a listing shows, so a longer one
// is still seen to be longer.
const SummaryDescriptionRunes = 251

// VideoSorts are the sort keys listings accept: PeerTube's
// SORTABLE_COLUMNS.VIDEOS, each ascending or, with "-", descending (as
// PeerTube's checkSort accepts them).
var VideoSorts = []string{
	"name", "-name", "duration", "-duration", "createdAt", "-createdAt", "publishedAt", "-publishedAt",
	"originallyPublishedAt", "-originallyPublishedAt", "views", "-views", "likes", "-likes",
	"comments", "-comments", "trending", "-trending", "hot", "-hot", "best", "-best",
	"localVideoFilesSize", "-localVideoFilesSize", "match", "-match",
}

// VideoUpdate is what an edit of a video writes.
type VideoUpdate struct {
	ChannelID         int64
	Name, Description string
	Privacy           int
	Meta              model.Meta
}
