package videos

import (
	"context"
	"database/sql"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Federator hears of the writes other servers must learn of
// (app/federation/outbox).
type Federator interface {
	// VideoChanged is told, inside the write's transaction (tx), of a
	// video as the write found it and as it left it (after zero: deleted),
	// so that the change and the news of it are committed together; an
	// error fails the write.
	VideoChanged(ctx context.Context, tx *sql.Tx, before, after model.Video) error
	// ViewsCounted hears of videos whose view counts were just stored.
	ViewsCounted(ctx context.Context, ids []int64)
}

// federate tells s.Federate, inside tx, that a write changed the video
// before was; after is read back in tx (deleted: none).
func (s *Service) federate(ctx context.Context, tx repo.Tx, before model.Video, deleted bool) error {
	if s.Federate == nil {
		return nil
	}
	var after model.Video
	if !deleted {
		var err error
		if after, err = tx.Videos.ByID(ctx, before.ID); err != nil {
			return fmt.Errorf("video %s after the write: %w", before.UUID, err)
		}
	}
	return s.Federate.VideoChanged(ctx, tx.SQL, before, after)
}
