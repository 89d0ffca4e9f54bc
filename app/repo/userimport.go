package repo

import (
	"context"
	"database/sql"
	"time"

	"cabane.dev/cabane/app/model"
)

// UserImports stores the archives users import into their account
// (PeerTube's user imports) and what each import created.
type UserImports interface {
	// Create records a pending import; ErrConflict when the user has one
	// pending or processing (one at a time, as PeerTube).
	Create(ctx context.Context, i *UserImport) error
	Get(ctx context.Context, id int64) (UserImport, error)
	// Latest is the user's newest import; ErrNotFound when none.
	Latest(ctx context.Context, userID int64) (UserImport, error)
	SetState(ctx context.Context, id int64, state int, errText, summary string) error
	SetProgress(ctx context.Context, id int64, pct float64) error

	// Tag records that import id created target for source; TagTx does
	// it inside another write's transaction (the object's own).
	Tag(ctx context.Context, id int64, kind, source string, target int64) error
	TagTx(ctx context.Context, tx *sql.Tx, id int64, kind, source string, target int64) error
	// Tagged is what import id created, newest first (the rollback's order).
	Tagged(ctx context.Context, id int64) ([]ImportObject, error)
	Untag(ctx context.Context, id int64, kind, source string) error
	// CreateChannel creates a channel of the account and tags it with
	// source (the archive's name for it), in one transaction; ErrConflict
	// when the name is an actor's already.
	CreateChannel(ctx context.Context, importID, accountID int64, source, name, display, description, support string) (model.Channel, error)
	// DeleteChannel removes a channel the import created (its videos
	// must be gone first).
	DeleteChannel(ctx context.Context, id int64) error
	// SameVideo is a video of the channel with this name and a duration
	// within a second of durationMS (PeerTube's importer's duplicate
	// rule); 0 when none.
	SameVideo(ctx context.Context, channelID int64, name string, durationMS int64) (int64, error)
	// SamePlaylist is a regular playlist of the account with this name; 0
	// when none.
	SamePlaylist(ctx context.Context, accountID int64, name string) (int64, error)
	// NameTaken says whether an account or channel is called name.
	NameTaken(ctx context.Context, name string) (bool, error)
}

// UserImport is one row of user_imports.
type UserImport struct {
	ID         int64
	UserID     int64
	State      int
	Filename   string
	Size       int64
	Progress   float64
	Error      string
	Summary    string // JSON, PeerTube's resultSummary
	CreatedAt  time.Time
	FinishedAt time.Time
}

// ImportObject is one thing an import created.
type ImportObject struct {
	Kind, Source string
	Target       int64
}
