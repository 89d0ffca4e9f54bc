package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"cabane.dev/cabane/app/model"
)

// What remote people do to local videos (likes, comments, reports),
// written inside the inbox's transaction (Follows.Apply) with the remote
// account they are made by, through the same statements as local acts:
// the counters, the API and the pages see them alike.

// RateVideo sets a (remote) account's rating of a video, replacing the one
// it had, from the Like or Dislike activityID, which an Undo may name.
func (t *FollowsTx) RateVideo(ctx context.Context, accountID, videoID int64, rating, activityID string) error {
	_, _, err := rate(ctx, t.q, accountID, videoID, rating, activityID)
	return err
}

// remoteRaterCond picks the rating rows of the remote actor (IRI)'s
// account.
const remoteRaterCond = `account_id = (SELECT a.id FROM accounts a JOIN remote_actors r ON r.id = a.remote_actor_id WHERE r.iri = ?)`

// UnrateByActivity removes the rating that the Like or Dislike activityID
// of the remote actor (IRI) made; ErrNotFound when none of its ratings
// came from it (undone already, or replaced by a later one).
func (t *FollowsTx) UnrateByActivity(ctx context.Context, actorIRI, activityID string) error {
	var accountID, videoID int64
	err := t.q.QueryRowContext(ctx, `SELECT account_id, video_id FROM video_rates WHERE activity_id = ? AND `+remoteRaterCond,
		activityID, actorIRI).Scan(&accountID, &videoID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("rating of activity %s: %w", activityID, classify(err))
	}
	_, _, err = rate(ctx, t.q, accountID, videoID, model.RatingNone, "")
	return err
}

// Unrate removes the remote actor (IRI)'s rating of a video when it is of
// kind rating (the Undo of a Like leaves a later Dislike); ErrNotFound
// when it is not.
func (t *FollowsTx) Unrate(ctx context.Context, actorIRI string, videoID int64, rating string) error {
	var accountID int64
	err := t.q.QueryRowContext(ctx, `SELECT account_id FROM video_rates WHERE video_id = ? AND type = ? AND `+remoteRaterCond,
		videoID, rating, actorIRI).Scan(&accountID)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("rating of video %d: %w", videoID, classify(err))
	}
	_, _, err = rate(ctx, t.q, accountID, videoID, model.RatingNone, "")
	return err
}

// CommentRef finds a comment by its IRI (a remote one's Note id) for the
// inbox, before its transaction: the comment's id and its video's UUID.
func (f *Follows) CommentRef(ctx context.Context, iri string) (commentID int64, videoUUID string, err error) {
	err = f.q.QueryRowContext(ctx, `SELECT c.id, v.uuid FROM comments c JOIN videos v ON v.id = c.video_id WHERE c.iri = ?`, iri).
		Scan(&commentID, &videoUUID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", ErrNotFound
	}
	if err != nil {
		return 0, "", fmt.Errorf("comment %s: %w", iri, classify(err))
	}
	return commentID, videoUUID, nil
}

// Comment finds a comment by id, with its author.
func (t *FollowsTx) Comment(ctx context.Context, id int64) (model.Comment, error) {
	return scanComment(t.q.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.id = ?`, id), false)
}

// CommentByIRI finds a remote comment by the id of its Note.
func (t *FollowsTx) CommentByIRI(ctx context.Context, iri string) (model.Comment, error) {
	return scanComment(t.q.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.iri = ?`, iri), false)
}

// PutRemoteComment stores a comment made by a Note (its id, iri) and
// counts it on its video unless held for review. ErrConflict: that Note
// is stored already.
func (t *FollowsTx) PutRemoteComment(ctx context.Context, c *model.Comment, iri string) error {
	if iri == "" {
		return errors.New("remote comment without its Note's id")
	}
	return insertComment(ctx, t.q, c, iri)
}

// EditComment replaces a comment's text (its author's Update).
// ErrNotFound: no such comment, or only its placeholder is left.
func (t *FollowsTx) EditComment(ctx context.Context, id int64, text string) error {
	res, err := t.q.ExecContext(ctx, `UPDATE comments SET text = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL`, text, now(), id)
	return affected(res, err, "edit comment")
}

// DeleteComment leaves a comment's placeholder, as Comments.MarkDeleted.
func (t *FollowsTx) DeleteComment(ctx context.Context, id int64) error {
	return markDeleted(ctx, t.q, id)
}

// Blocked says whether what accountID (of host) does to the videos of
// ownerAccountID is refused: the server or that owner blocks the account
// or its host.
func (t *FollowsTx) Blocked(ctx context.Context, accountID int64, host string, ownerAccountID int64) (bool, error) {
	var blocked bool
	err := t.q.QueryRowContext(ctx, `SELECT
		EXISTS(SELECT 1 FROM account_blocks WHERE blocked_account_id = ? AND owner_account_id IN (0, ?))
		OR EXISTS(SELECT 1 FROM server_blocks WHERE host = ? AND owner_account_id IN (0, ?))`,
		accountID, ownerAccountID, strings.ToLower(host), ownerAccountID).Scan(&blocked)
	if err != nil {
		return false, fmt.Errorf("blocks of account %d: %w", accountID, classify(err))
	}
	return blocked, nil
}

// PutAbuse stores a report (a remote Flag).
func (t *FollowsTx) PutAbuse(ctx context.Context, a *model.Abuse) error {
	return insertAbuse(ctx, t.q, a)
}

// RemoteAccountOf is Follows.RemoteAccountOf inside the transaction.
func (t *FollowsTx) RemoteAccountOf(ctx context.Context, iri string) (model.Account, error) {
	return scanAccount(t.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts a
		JOIN remote_actors r ON r.id = a.remote_actor_id WHERE r.iri = ?`, iri))
}

// ForgetActivity of a remote actor (IRI) about to be forgotten: its
// ratings are taken off the videos' counters and its comments left as
// placeholders, as for a local account's deletion, before the cascade of
// its account's deletion would drop the ratings without counting them.
func (t *FollowsTx) ForgetActivity(ctx context.Context, iri string) error {
	rows, err := t.q.QueryContext(ctx, `SELECT account_id, video_id FROM video_rates WHERE `+remoteRaterCond, iri)
	if err != nil {
		return fmt.Errorf("ratings of %s: %w", iri, classify(err))
	}
	var rates [][2]int64
	for rows.Next() {
		var r [2]int64
		if err := rows.Scan(&r[0], &r[1]); err != nil {
			rows.Close()
			return classify(err)
		}
		rates = append(rates, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	for _, r := range rates {
		if _, _, err := rate(ctx, t.q, r[0], r[1], model.RatingNone, ""); err != nil {
			return err
		}
	}
	rows, err = t.q.QueryContext(ctx, `SELECT id FROM comments WHERE deleted_at IS NULL AND `+remoteRaterCond, iri)
	if err != nil {
		return fmt.Errorf("comments of %s: %w", iri, classify(err))
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return classify(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return classify(err)
	}
	for _, id := range ids {
		if err := markDeleted(ctx, t.q, id); err != nil {
			return err
		}
	}
	return nil
}
