package repo

import (
	"context"
	"time"
)

// Quotas stores users' video quotas (bytes, -1 unlimited; nil follows
// the instance default) and sums what they use.
type Quotas interface {
	UserQuota(ctx context.Context, userID int64) (quota, daily *int64, err error)
	// SetUserQuota changes the fields that are not nil.
	SetUserQuota(ctx context.Context, userID int64, quota, daily *int64) error
	// Used is the bytes of the user's videos, all and those created since.
	Used(ctx context.Context, userID int64, since time.Time) (total, recent int64, err error)
}
