package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/model"
)

// What local people do to remote videos (comments, ratings, views) goes
// to the video's origin: these read where that is.

// RemoteOrigin returns where the remote video videoID lives: its
// remote_videos row and the actors of its channel and of that channel's
// account. ErrNotFound for a local video (or an unknown one).
func (f *Follows) RemoteOrigin(ctx context.Context, videoID int64) (model.RemoteOrigin, error) {
	var o model.RemoteOrigin
	rv, err := scanRemoteVideo(f.q.QueryRowContext(ctx, `SELECT `+remoteVideoCols+` FROM remote_videos WHERE video_id = ?`, videoID))
	if err != nil {
		return o, err
	}
	o.Video = rv
	o.Channel, err = scanRemoteActor(f.q.QueryRowContext(ctx, `SELECT `+remoteActorCols+` FROM remote_actors r
		JOIN channels c ON c.remote_actor_id = r.id JOIN videos v ON v.channel_id = c.id WHERE v.id = ?`, videoID))
	if errors.Is(err, sql.ErrNoRows) {
		return o, ErrNotFound // a remote_videos row of a local channel: nothing to send to
	}
	if err != nil {
		return o, fmt.Errorf("channel of remote video %d: %w", videoID, classify(err))
	}
	o.Account, err = scanRemoteActor(f.q.QueryRowContext(ctx, `SELECT `+remoteActorCols+` FROM remote_actors r
		JOIN accounts a ON a.remote_actor_id = r.id JOIN channels c ON c.account_id = a.id JOIN videos v ON v.channel_id = c.id
		WHERE v.id = ?`, videoID))
	if errors.Is(err, sql.ErrNoRows) {
		// A Group whose Person is not stored: the channel's inbox still
		// reaches the origin.
		return o, nil
	}
	if err != nil {
		return o, fmt.Errorf("account of remote video %d: %w", videoID, classify(err))
	}
	return o, nil
}

// RateRecorded replaces an account's rating of a video as Rate does, and
// lets decide, inside the same transaction, the activity id the new
// rating is kept with: decide is given the rating it replaces (with the
// activity id that one was kept with) and returns the new one's ("" for
// none). Its error rolls the rating back. It returns the new counts.
func (s *Ratings) RateRecorded(ctx context.Context, accountID, videoID int64, rating string,
	decide func(ctx context.Context, tx *sql.Tx, before model.RatingRecord) (string, error)) (likes, dislikes int64, err error) {
	err = s.atomic(ctx, func(q dbtx) error {
		tx, ok := q.(*sql.Tx)
		if !ok {
			return errors.New("rating outside a transaction")
		}
		var before model.RatingRecord
		err := q.QueryRowContext(ctx, `SELECT type, COALESCE(activity_id, '') FROM video_rates WHERE account_id = ? AND video_id = ?`,
			accountID, videoID).Scan(&before.Type, &before.ActivityID)
		if errors.Is(err, sql.ErrNoRows) {
			before = model.RatingRecord{Type: model.RatingNone}
		} else if err != nil {
			return fmt.Errorf("read rating: %w", classify(err))
		}
		activityID := ""
		if decide != nil {
			if activityID, err = decide(ctx, tx, before); err != nil {
				return err
			}
		}
		likes, dislikes, err = rate(ctx, q, accountID, videoID, rating, activityID)
		return err
	})
	return likes, dislikes, err
}

// RemoteVideoUUID finds a stored remote video by its Video object's id,
// for the inbox, before its transaction: a Note answering it is a comment
// on it. ErrNotFound when it is not stored.
func (f *Follows) RemoteVideoUUID(ctx context.Context, iri string) (string, error) {
	var uuid string
	err := f.q.QueryRowContext(ctx, `SELECT v.uuid FROM remote_videos rv JOIN videos v ON v.id = rv.video_id WHERE rv.iri = ?`, iri).Scan(&uuid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("remote video %s: %w", iri, classify(err))
	}
	return uuid, nil
}
