package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Comments is the comments aggregate. It sits beside Aggregates rather than
// in it: no other aggregate's transaction writes comments, and its own
// multi-statement writes (a comment and the video's count) open their own.
type Comments struct{ base }

// Comments returns the comments aggregate on the pool.
func (s *Store) Comments() *Comments { return &Comments{base{q: s.stmts, db: s.db, counts: s.counts}} }

// commentCols reads a comment and its author (NULL once deleted).
const commentCols = `c.id, c.video_id, COALESCE(c.account_id, 0), COALESCE(c.thread_id, 0), COALESCE(c.in_reply_to, 0), c.text,
	c.held_for_review, c.created_at, c.updated_at, COALESCE(c.deleted_at, 0),
	COALESCE(a.id, 0), COALESCE(a.user_id, 0), COALESCE(a.name, ''), COALESCE(a.display_name, ''), COALESCE(a.description, ''), COALESCE(a.created_at, 0), COALESCE(a.remote_actor_id, 0),
	COALESCE(NULLIF(ra.url, ''), ra.iri, ''), COALESCE(c.iri, ''), COALESCE(ra.iri, '')`

// commentFrom joins the author and, for a remote one, its actor (its
// profile's URL).
const commentFrom = ` FROM comments c LEFT JOIN accounts a ON a.id = c.account_id LEFT JOIN remote_actors ra ON ra.id = a.remote_actor_id `

// replyCounters are PeerTube's two counters: a thread's first comment counts
// every reply of its thread, any other comment its direct replies; deleted
// replies are not counted, except among the video owner's (as PeerTube).
// The two partial indexes answer each side of the OR.
const replyCounters = `,
	(SELECT COUNT(*) FROM comments r WHERE (r.in_reply_to = c.id OR r.thread_id = c.id) AND r.deleted_at IS NULL) AS total_replies,
	(SELECT COUNT(*) FROM comments r WHERE (r.in_reply_to = c.id OR r.thread_id = c.id) AND r.account_id = ?)`

// heldFilter keeps what the viewer may read: comments not held for review,
// their own, or everything for the video's owner and admins.
const heldFilter = ` AND (c.held_for_review = 0 OR ? OR c.account_id = ?)`

func scanComment(row interface{ Scan(...any) error }, counters bool) (model.Comment, error) {
	var c model.Comment
	var created, updated, deleted, aCreated int64
	a := &c.Account
	dst := []any{&c.ID, &c.VideoID, &c.AccountID, &c.ThreadID, &c.InReplyTo, &c.Text,
		&c.HeldForReview, &created, &updated, &deleted,
		&a.ID, &a.UserID, &a.Name, &a.DisplayName, &a.Description, &aCreated, &a.RemoteActorID, &a.RemoteURL, &c.IRI, &c.AuthorIRI}
	if counters {
		dst = append(dst, &c.TotalReplies, &c.TotalRepliesFromVideoAuthor)
	}
	err := row.Scan(dst...)
	if errors.Is(err, sql.ErrNoRows) {
		return c, ErrNotFound
	}
	c.CreatedAt, c.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	if deleted > 0 {
		c.DeletedAt = time.UnixMilli(deleted)
	}
	if aCreated > 0 {
		a.CreatedAt = time.UnixMilli(aCreated)
	}
	return c, classify(err)
}

// Create inserts a comment and, when anyone may read it, counts it on its
// video, in one transaction.
func (s *Comments) Create(ctx context.Context, c *model.Comment, also ...repo.InTx) error {
	return s.atomic(ctx, func(q dbtx) error {
		if err := insertComment(ctx, q, c, ""); err != nil {
			return err
		}
		return runAlso(ctx, q, also)
	})
}

// insertComment is Create inside the caller's transaction; iri is the
// remote Note it came from ("" for a local comment).
func insertComment(ctx context.Context, q dbtx, c *model.Comment, iri string) error {
	t := now()
	res, err := q.ExecContext(ctx, `INSERT INTO comments(video_id, account_id, thread_id, in_reply_to, text, held_for_review, created_at, updated_at, iri)
		VALUES (?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?, ?, NULLIF(?, ''))`,
		c.VideoID, c.AccountID, c.ThreadID, c.InReplyTo, c.Text, c.HeldForReview, t, t, iri)
	if err != nil {
		return fmt.Errorf("insert comment: %w", conflict(err, "comment"))
	}
	c.ID, _ = res.LastInsertId()
	c.CreatedAt, c.UpdatedAt = time.UnixMilli(t), time.UnixMilli(t)
	if !c.HeldForReview {
		return countComments(ctx, q, c.VideoID, 1)
	}
	return nil
}

// runAlso runs a write's companions in its transaction.
func runAlso(ctx context.Context, q dbtx, also []repo.InTx) error {
	if len(also) == 0 {
		return nil
	}
	tx, ok := q.(*sql.Tx)
	if !ok {
		return errors.New("comment write outside a transaction")
	}
	for _, fn := range also {
		if err := fn(ctx, tx); err != nil {
			return err
		}
	}
	return nil
}

func countComments(ctx context.Context, q dbtx, videoID int64, delta int) error {
	if _, err := q.ExecContext(ctx, "UPDATE videos SET comments = MAX(0, comments + ?) WHERE id = ?", delta, videoID); err != nil {
		return fmt.Errorf("count comments of video %d: %w", videoID, classify(err))
	}
	return nil
}

// ByID finds a comment (without its reply counters).
func (s *Comments) ByID(ctx context.Context, id int64) (model.Comment, error) {
	return scanComment(s.q.QueryRowContext(ctx, `SELECT `+commentCols+commentFrom+`WHERE c.id = ?`, id), false)
}

var commentSorts = map[string]string{
	"-createdAt": "c.created_at DESC, c.id DESC",
	"createdAt":  "c.created_at ASC, c.id ASC",
	// The total of replies is named by its alias (replyCounters): a
	// position would move with every column added to commentCols.
	"-totalReplies": "total_replies DESC, c.created_at DESC, c.id DESC",
	"totalReplies":  "total_replies ASC, c.created_at ASC, c.id ASC",
}

// Threads returns one page of a video's threads and its totals.
func (s *Comments) Threads(ctx context.Context, q repo.CommentQuery) ([]model.Comment, int, int, error) {
	order, ok := commentSorts[q.Sort]
	if !ok {
		order = commentSorts["-createdAt"]
	}
	held := []any{q.SeeHeld, q.ViewerAccountID}
	// The comments of blocked accounts are left out like held ones.
	blocked, bargs := blockedAccounts("COALESCE(c.account_id, 0)", q.HideServerBlocked, q.MutedByAccountID)
	filter := heldFilter
	if blocked != "" {
		filter += " AND " + blocked
		held = append(held, bargs...)
	}
	var total, notDeleted int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments c WHERE c.video_id = ? AND c.thread_id IS NULL`+filter,
		append([]any{q.VideoID}, held...)...).Scan(&total)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("count threads: %w", classify(err))
	}
	err = s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments c WHERE c.video_id = ? AND c.deleted_at IS NULL`+filter,
		append([]any{q.VideoID}, held...)...).Scan(&notDeleted)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("count comments: %w", classify(err))
	}
	args := append([]any{q.VideoOwnerAccountID, q.VideoID}, held...)
	args = append(args, q.Count, q.Start)
	rows, err := s.q.QueryContext(ctx, `SELECT `+commentCols+replyCounters+commentFrom+
		`WHERE c.video_id = ? AND c.thread_id IS NULL`+filter+` ORDER BY `+order+` LIMIT ? OFFSET ?`, args...)
	if err != nil {
		return nil, 0, 0, fmt.Errorf("list threads: %w", classify(err))
	}
	page, err := scanComments(rows)
	return page, total, notDeleted, err
}

// Thread returns every comment of a thread the viewer may read, oldest
// first.
func (s *Comments) Thread(ctx context.Context, q repo.CommentQuery, threadID int64) ([]model.Comment, error) {
	filter, args := heldFilter, []any{q.VideoOwnerAccountID, q.VideoID, threadID, threadID, q.SeeHeld, q.ViewerAccountID}
	if blocked, bargs := blockedAccounts("COALESCE(c.account_id, 0)", q.HideServerBlocked, q.MutedByAccountID); blocked != "" {
		filter += " AND " + blocked
		args = append(args, bargs...)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+commentCols+replyCounters+commentFrom+
		`WHERE c.video_id = ? AND (c.id = ? OR c.thread_id = ?)`+filter+` ORDER BY c.created_at, c.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("read thread %d: %w", threadID, classify(err))
	}
	return scanComments(rows)
}

func scanComments(rows *sql.Rows) ([]model.Comment, error) {
	defer rows.Close()
	out := []model.Comment{}
	for rows.Next() {
		c, err := scanComment(rows, true)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, classify(rows.Err())
}

// MarkDeleted leaves the comment's placeholder, as PeerTube does: the text
// emptied, the author forgotten, the date of deletion set. A comment that
// was counted on its video is no longer. ErrConflict: already deleted.
func (s *Comments) MarkDeleted(ctx context.Context, id int64, also ...repo.InTx) error {
	return s.atomic(ctx, func(q dbtx) error {
		if err := markDeleted(ctx, q, id); err != nil {
			return err
		}
		return runAlso(ctx, q, also)
	})
}

// markDeleted is MarkDeleted inside the caller's transaction.
func markDeleted(ctx context.Context, q dbtx, id int64) error {
	var videoID int64
	var held bool
	err := q.QueryRowContext(ctx, `UPDATE comments SET text = '', account_id = NULL, deleted_at = ?, updated_at = ?
		WHERE id = ? AND deleted_at IS NULL RETURNING video_id, held_for_review`, now(), now(), id).Scan(&videoID, &held)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("comment %d: %w", id, ErrConflict)
	}
	if err != nil {
		return fmt.Errorf("delete comment %d: %w", id, classify(err))
	}
	if held {
		return nil
	}
	return countComments(ctx, q, videoID, -1)
}

// Approve publishes a comment held for review. ErrConflict: it is not
// held (or is deleted).
func (s *Comments) Approve(ctx context.Context, id int64, also ...repo.InTx) error {
	return s.atomic(ctx, func(q dbtx) error {
		var videoID int64
		err := q.QueryRowContext(ctx, `UPDATE comments SET held_for_review = 0, updated_at = ?
			WHERE id = ? AND held_for_review = 1 AND deleted_at IS NULL RETURNING video_id`, now(), id).Scan(&videoID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("comment %d: %w", id, ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("approve comment %d: %w", id, classify(err))
		}
		if err := countComments(ctx, q, videoID, 1); err != nil {
			return err
		}
		return runAlso(ctx, q, also)
	})
}

// Readable pages the ids of the comments anyone may read on a video (a
// federated video's comments collection).
func (s *Comments) Readable(ctx context.Context, q repo.CommentQuery) ([]int64, int, error) {
	filter, args := "", []any{q.VideoID}
	if blocked, bargs := blockedAccounts("COALESCE(c.account_id, 0)", q.HideServerBlocked, q.MutedByAccountID); blocked != "" {
		filter, args = " AND "+blocked, append(args, bargs...)
	}
	where := ` FROM comments c WHERE c.video_id = ? AND c.held_for_review = 0 AND c.deleted_at IS NULL` + filter
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*)`+where, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count readable comments: %w", classify(err))
	}
	ids := []int64{}
	if q.Count <= 0 {
		return ids, total, nil
	}
	rows, err := s.q.QueryContext(ctx, `SELECT c.id`+where+` ORDER BY c.created_at, c.id LIMIT ? OFFSET ?`, append(args, q.Count, q.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list readable comments: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, 0, classify(err)
		}
		ids = append(ids, id)
	}
	return ids, total, classify(rows.Err())
}

// CommentsOf is a video's comment counter (tests, pages).
func (s *Comments) CommentsOf(ctx context.Context, videoID int64) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, "SELECT comments FROM videos WHERE id = ?", videoID).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	return n, classify(err)
}
