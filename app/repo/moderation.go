package repo

import (
	"context"

	"cabane.dev/cabane/app/model"
)

// Abuses stores abuse reports and their messages.
type Abuses interface {
	Create(ctx context.Context, a *model.Abuse) error
	ByID(ctx context.Context, id int64) (model.Abuse, error)
	List(ctx context.Context, q AbuseQuery) ([]model.Abuse, int, error)
	SetState(ctx context.Context, id int64, state *int, moderationComment *string) error
	Delete(ctx context.Context, id int64) error
	AddMessage(ctx context.Context, m *model.AbuseMessage) error
	Messages(ctx context.Context, abuseID int64) ([]model.AbuseMessage, error)
	DeleteMessage(ctx context.Context, abuseID, messageID int64) (model.AbuseMessage, error)
	ModeratorUserIDs(ctx context.Context) ([]int64, error)
}

// AbuseQuery selects a page of reports.
type AbuseQuery struct {
	ID                int64  // 0: any
	ReporterAccountID int64  // 0: any reporter
	State             int    // 0: any
	PredefinedReason  string // "": any
	Filter            string // "video", "comment", "account" or "": any
	Search            string // in the reason, the subject's name, the reporter's and the flagged account's names
	Start, Count      int
	Sort              string // one of AbuseSorts; "" is -createdAt
}

// AbuseSorts are PeerTube's SORTABLE_COLUMNS.ABUSES, each way.
var AbuseSorts = []string{"id", "-id", "createdAt", "-createdAt", "state", "-state"}

// Blocklist stores account and server blocks. Owner 0 is the server.
type Blocklist interface {
	BlockAccount(ctx context.Context, owner, blocked int64) error
	UnblockAccount(ctx context.Context, owner, blocked int64) error
	Accounts(ctx context.Context, owner int64, start, count int, sort string) ([]model.AccountBlock, int, error)
	BlockServer(ctx context.Context, owner int64, host string) error
	UnblockServer(ctx context.Context, owner int64, host string) error
	Servers(ctx context.Context, owner int64, start, count int, sort string) ([]model.ServerBlock, int, error)
	// Hidden says whether account is blocked by the server or muted by
	// viewerAccount (0: nobody).
	Hidden(ctx context.Context, account, viewerAccount int64) (server, muted bool, err error)
}

// BlocklistSorts are PeerTube's SORTABLE_COLUMNS for blocklists.
var BlocklistSorts = []string{"createdAt", "-createdAt"}
