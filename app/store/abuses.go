package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Abuses is the abuse reports aggregate.
type Abuses struct{ base }

// Abuses returns the abuses aggregate on the pool.
func (s *Store) Abuses() *Abuses { return &Abuses{base{q: s.stmts, db: s.db, counts: s.counts}} }

// abuseCols reads a report, its reporter and the account it is about (the
// flagged account, or the author of the video or comment).
const abuseCols = `ab.id, COALESCE(ab.reporter_account_id, 0), ab.reason, ab.predefined_reasons, ab.state, ab.moderation_comment,
	COALESCE(ab.video_id, 0), ab.start_at, ab.end_at, COALESCE(ab.comment_id, 0), COALESCE(ab.flagged_account_id, 0),
	ab.subject_name, COALESCE(v.uuid, ''), ab.created_at, ab.updated_at,
	COALESCE(r.id, 0), COALESCE(r.user_id, 0), COALESCE(r.name, ''), COALESCE(r.display_name, ''),
	COALESCE(f.id, 0), COALESCE(f.user_id, 0), COALESCE(f.name, ''), COALESCE(f.display_name, '')`

const abuseFrom = ` FROM abuses ab LEFT JOIN accounts r ON r.id = ab.reporter_account_id
	LEFT JOIN accounts f ON f.id = ab.flagged_account_id LEFT JOIN videos v ON v.id = ab.video_id `

func scanAbuse(row interface{ Scan(...any) error }) (model.Abuse, error) {
	var a model.Abuse
	var reasons string
	var start, end sql.NullInt64
	var created, updated int64
	err := row.Scan(&a.ID, &a.ReporterAccountID, &a.Reason, &reasons, &a.State, &a.ModerationComment,
		&a.VideoID, &start, &end, &a.CommentID, &a.FlaggedAccountID, &a.SubjectName, &a.VideoUUID, &created, &updated,
		&a.Reporter.ID, &a.Reporter.UserID, &a.Reporter.Name, &a.Reporter.DisplayName,
		&a.Flagged.ID, &a.Flagged.UserID, &a.Flagged.Name, &a.Flagged.DisplayName)
	if errors.Is(err, sql.ErrNoRows) {
		return a, ErrNotFound
	}
	if reasons != "" {
		a.PredefinedReasons = strings.Split(reasons, ",")
	}
	if start.Valid {
		n := int(start.Int64)
		a.StartAt = &n
	}
	if end.Valid {
		n := int(end.Int64)
		a.EndAt = &n
	}
	a.CreatedAt, a.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return a, classify(err)
}

// Create stores a new report.
func (s *Abuses) Create(ctx context.Context, a *model.Abuse) error { return insertAbuse(ctx, s.q, a) }

// insertAbuse is Create on q (the pool, or the inbox's transaction).
func insertAbuse(ctx context.Context, q dbtx, a *model.Abuse) error {
	t := now()
	var start, end any
	if a.StartAt != nil {
		start = *a.StartAt
	}
	if a.EndAt != nil {
		end = *a.EndAt
	}
	res, err := q.ExecContext(ctx, `INSERT INTO abuses(reporter_account_id, reason, predefined_reasons, state, video_id, start_at, end_at,
		comment_id, flagged_account_id, subject_name, created_at, updated_at)
		VALUES (NULLIF(?, 0), ?, ?, ?, NULLIF(?, 0), ?, ?, NULLIF(?, 0), NULLIF(?, 0), ?, ?, ?)`,
		a.ReporterAccountID, a.Reason, strings.Join(a.PredefinedReasons, ","), model.AbusePending, a.VideoID, start, end,
		a.CommentID, a.FlaggedAccountID, a.SubjectName, t, t)
	if err != nil {
		return fmt.Errorf("insert abuse: %w", classify(err))
	}
	a.ID, _ = res.LastInsertId()
	a.State = model.AbusePending
	a.CreatedAt, a.UpdatedAt = time.UnixMilli(t), time.UnixMilli(t)
	return nil
}

// ByID reads one report.
func (s *Abuses) ByID(ctx context.Context, id int64) (model.Abuse, error) {
	return scanAbuse(s.q.QueryRowContext(ctx, `SELECT `+abuseCols+abuseFrom+`WHERE ab.id = ?`, id))
}

var abuseSorts = map[string]string{
	"id": "ab.id", "-id": "ab.id DESC", "createdAt": "ab.created_at, ab.id", "-createdAt": "ab.created_at DESC, ab.id DESC",
	"state": "ab.state, ab.id", "-state": "ab.state DESC, ab.id DESC",
}

// List returns a page of reports and how many match.
func (s *Abuses) List(ctx context.Context, q repo.AbuseQuery) ([]model.Abuse, int, error) {
	where := []string{"1"}
	var args []any
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if q.ID != 0 {
		add("ab.id = ?", q.ID)
	}
	if q.ReporterAccountID != 0 {
		add("ab.reporter_account_id = ?", q.ReporterAccountID)
	}
	if q.State != 0 {
		add("ab.state = ?", q.State)
	}
	if q.PredefinedReason != "" {
		add("(',' || ab.predefined_reasons || ',') LIKE ?", "%,"+q.PredefinedReason+",%")
	}
	switch q.Filter {
	case "video":
		add("ab.comment_id IS NULL AND ab.video_id IS NOT NULL")
	case "comment":
		add("ab.comment_id IS NOT NULL")
	case "account":
		add("ab.video_id IS NULL AND ab.comment_id IS NULL")
	}
	if q.Search != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q.Search) + "%"
		add(`(ab.reason LIKE ? ESCAPE '\' OR ab.subject_name LIKE ? ESCAPE '\' OR r.name LIKE ? ESCAPE '\' OR f.name LIKE ? ESCAPE '\')`,
			like, like, like, like)
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*)`+abuseFrom+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count abuses: %w", classify(err))
	}
	order, ok := abuseSorts[q.Sort]
	if !ok {
		order = abuseSorts["-createdAt"]
	}
	if q.Count <= 0 {
		q.Count = 15
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+abuseCols+abuseFrom+cond+` ORDER BY `+order+` LIMIT ? OFFSET ?`,
		append(args, q.Count, q.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list abuses: %w", classify(err))
	}
	defer rows.Close()
	out := []model.Abuse{}
	for rows.Next() {
		a, err := scanAbuse(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, a)
	}
	return out, total, classify(rows.Err())
}

// SetState changes a report's state and/or its moderation comment.
func (s *Abuses) SetState(ctx context.Context, id int64, state *int, comment *string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE abuses SET state = COALESCE(?, state), moderation_comment = COALESCE(?, moderation_comment),
		updated_at = ? WHERE id = ?`, state, comment, now(), id)
	return affected(res, err, "update abuse")
}

// Delete deletes a report and its messages.
func (s *Abuses) Delete(ctx context.Context, id int64) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM abuses WHERE id = ?`, id)
	return affected(res, err, "delete abuse")
}

// AddMessage stores a message of a report's conversation.
func (s *Abuses) AddMessage(ctx context.Context, m *model.AbuseMessage) error {
	t := now()
	res, err := s.q.ExecContext(ctx, `INSERT INTO abuse_messages(abuse_id, account_id, message, by_moderator, created_at)
		VALUES (?, ?, ?, ?, ?)`, m.AbuseID, m.Account.ID, m.Message, m.ByModerator, t)
	if err != nil {
		return fmt.Errorf("insert abuse message: %w", classify(err))
	}
	m.ID, _ = res.LastInsertId()
	m.CreatedAt = time.UnixMilli(t)
	return nil
}

const messageCols = `m.id, m.abuse_id, m.message, m.by_moderator, m.created_at,
	COALESCE(a.id, 0), COALESCE(a.user_id, 0), COALESCE(a.name, ''), COALESCE(a.display_name, '')`

func scanMessage(row interface{ Scan(...any) error }) (model.AbuseMessage, error) {
	var m model.AbuseMessage
	var created int64
	err := row.Scan(&m.ID, &m.AbuseID, &m.Message, &m.ByModerator, &created,
		&m.Account.ID, &m.Account.UserID, &m.Account.Name, &m.Account.DisplayName)
	if errors.Is(err, sql.ErrNoRows) {
		return m, ErrNotFound
	}
	m.CreatedAt = time.UnixMilli(created)
	return m, classify(err)
}

// Messages lists a report's messages, oldest first.
func (s *Abuses) Messages(ctx context.Context, abuseID int64) ([]model.AbuseMessage, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+messageCols+` FROM abuse_messages m LEFT JOIN accounts a ON a.id = m.account_id
		WHERE m.abuse_id = ? ORDER BY m.id`, abuseID)
	if err != nil {
		return nil, fmt.Errorf("abuse %d messages: %w", abuseID, classify(err))
	}
	defer rows.Close()
	out := []model.AbuseMessage{}
	for rows.Next() {
		m, err := scanMessage(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, classify(rows.Err())
}

// DeleteMessage deletes one message of a report and returns what it was.
func (s *Abuses) DeleteMessage(ctx context.Context, abuseID, messageID int64) (model.AbuseMessage, error) {
	m, err := scanMessage(s.q.QueryRowContext(ctx, `SELECT `+messageCols+` FROM abuse_messages m LEFT JOIN accounts a ON a.id = m.account_id
		WHERE m.abuse_id = ? AND m.id = ?`, abuseID, messageID))
	if err != nil {
		return m, err
	}
	res, err := s.q.ExecContext(ctx, `DELETE FROM abuse_messages WHERE id = ?`, messageID)
	return m, affected(res, err, "delete abuse message")
}

// ModeratorUserIDs are the users who moderate: PeerTube's admins (role 0)
// and moderators (role 1), told of each new report.
func (s *Abuses) ModeratorUserIDs(ctx context.Context) ([]int64, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id FROM users WHERE role IN (0, 1) ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("moderators: %w", classify(err))
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, classify(err)
		}
		out = append(out, id)
	}
	return out, classify(rows.Err())
}
