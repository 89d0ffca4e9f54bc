package repo

import (
	"context"
	"errors"

	"cabane.dev/cabane/app/model"
)

// ErrLastAdmin refuses a change that would leave the instance without an
// administrator who can log in: demoting, banning or deleting the last one.
var ErrLastAdmin = errors.New("the last administrator cannot be demoted, banned or deleted")

// Users is the administrators' view of the users: list, roles, bans,
// deletion. Each write that could remove an administrator checks, in the
// same transaction, that another active one remains (ErrLastAdmin).
type Users interface {
	List(ctx context.Context, q UserQuery) ([]UserRow, int, error)
	// Get is one user with their account; model.ErrNotFound when none.
	Get(ctx context.Context, userID int64) (UserRow, error)
	SetRole(ctx context.Context, userID int64, role int) error
	// SetBlocked bans (ending the user's sessions and tokens) or unbans.
	SetBlocked(ctx context.Context, userID int64, blocked bool, reason string) error
	// VideoUUIDs are the user's videos, so their files can go first.
	VideoUUIDs(ctx context.Context, userID int64) ([]string, error)
	Delete(ctx context.Context, userID int64) error
}

// UserQuery selects a page of users, newest first unless Sort says.
type UserQuery struct {
	Search       string // a part of the user name or e-mail address; "": all
	Start, Count int
	// Sort is one of UserSorts ("": "-id", newest first).
	Sort string
	// Blocked keeps only the banned (true) or the others (false); nil: all.
	Blocked *bool
}

// UserSorts are the orders a user list takes: PeerTube's sortable
// columns, "-" for descending.
var UserSorts = []string{"id", "-id", "username", "-username", "createdAt", "-createdAt"}

// UserRow is a user with their account and their own quotas (nil: the
// instance default).
type UserRow struct {
	model.User
	Account                     model.Account
	VideoQuota, VideoQuotaDaily *int64
}
