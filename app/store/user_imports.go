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

// UserImports is the user imports aggregate: the archives being imported
// and the objects each import created (app/userimport).
type UserImports struct{ base }

// UserImports returns the user imports aggregate on the pool.
func (s *Store) UserImports() *UserImports {
	return &UserImports{base{q: s.stmts, db: s.db, counts: s.counts}}
}

var _ repo.UserImports = (*UserImports)(nil)

const userImportCols = `id, user_id, state, filename, size, progress, error, summary, created_at, finished_at`

func scanUserImport(sc interface{ Scan(...any) error }) (repo.UserImport, error) {
	var i repo.UserImport
	var created, finished int64
	err := sc.Scan(&i.ID, &i.UserID, &i.State, &i.Filename, &i.Size, &i.Progress, &i.Error, &i.Summary, &created, &finished)
	i.CreatedAt, i.FinishedAt = msTime(created), msTime(finished)
	return i, err
}

// Create records a pending import, refusing a second one while another
// is pending or processing (in one statement: two uploads finishing at
// once cannot both pass).
func (s *UserImports) Create(ctx context.Context, i *repo.UserImport) error {
	if i.CreatedAt.IsZero() {
		i.CreatedAt = time.Now()
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO user_imports(user_id, state, filename, size, created_at)
		SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM user_imports WHERE user_id = ? AND state IN (1, 2))`,
		i.UserID, i.State, i.Filename, i.Size, i.CreatedAt.UnixMilli(), i.UserID)
	if err != nil {
		return fmt.Errorf("create import of user %d: %w", i.UserID, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("import of user %d: %w", i.UserID, model.ErrConflict)
	}
	i.ID, _ = res.LastInsertId()
	return nil
}

func (s *UserImports) one(ctx context.Context, where string, args ...any) (repo.UserImport, error) {
	i, err := scanUserImport(s.q.QueryRowContext(ctx, `SELECT `+userImportCols+` FROM user_imports WHERE `+where, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return i, model.ErrNotFound
	}
	if err != nil {
		return i, fmt.Errorf("user import: %w", classify(err))
	}
	return i, nil
}

func (s *UserImports) Get(ctx context.Context, id int64) (repo.UserImport, error) {
	return s.one(ctx, "id = ?", id)
}

func (s *UserImports) Latest(ctx context.Context, userID int64) (repo.UserImport, error) {
	return s.one(ctx, "user_id = ? ORDER BY created_at DESC, id DESC LIMIT 1", userID)
}

func (s *UserImports) SetState(ctx context.Context, id int64, state int, errText, summary string) error {
	var finished int64
	if state == 3 || state == 4 {
		finished = time.Now().UnixMilli()
	}
	res, err := s.q.ExecContext(ctx, `UPDATE user_imports SET state = ?, error = ?, summary = ?, finished_at = ?,
		progress = CASE WHEN ? = 3 THEN 100 ELSE progress END WHERE id = ?`, state, errText, summary, finished, state, id)
	return affected(res, err, "set user import state")
}

func (s *UserImports) SetProgress(ctx context.Context, id int64, pct float64) error {
	res, err := s.q.ExecContext(ctx, `UPDATE user_imports SET progress = ? WHERE id = ?`, pct, id)
	return affected(res, err, "set user import progress")
}

const tagSQL = `INSERT INTO user_import_objects(import_id, kind, source, target_id, seq)
	VALUES (?1, ?2, ?3, ?4, (SELECT COALESCE(MAX(seq), 0) + 1 FROM user_import_objects WHERE import_id = ?1))
	ON CONFLICT (import_id, kind, source) DO UPDATE SET target_id = excluded.target_id`

func (s *UserImports) Tag(ctx context.Context, id int64, kind, source string, target int64) error {
	if _, err := s.q.ExecContext(ctx, tagSQL, id, kind, source, target); err != nil {
		return fmt.Errorf("tag %s %q of import %d: %w", kind, source, id, classify(err))
	}
	return nil
}

func (s *UserImports) TagTx(ctx context.Context, tx *sql.Tx, id int64, kind, source string, target int64) error {
	if _, err := tx.ExecContext(ctx, tagSQL, id, kind, source, target); err != nil {
		return fmt.Errorf("tag %s %q of import %d: %w", kind, source, id, classify(err))
	}
	return nil
}

func (s *UserImports) Tagged(ctx context.Context, id int64) ([]repo.ImportObject, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT kind, source, target_id FROM user_import_objects WHERE import_id = ? ORDER BY seq DESC`, id)
	if err != nil {
		return nil, fmt.Errorf("objects of import %d: %w", id, classify(err))
	}
	defer rows.Close()
	var out []repo.ImportObject
	for rows.Next() {
		var o repo.ImportObject
		if err := rows.Scan(&o.Kind, &o.Source, &o.Target); err != nil {
			return nil, fmt.Errorf("objects of import %d: %w", id, err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

func (s *UserImports) Untag(ctx context.Context, id int64, kind, source string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM user_import_objects WHERE import_id = ? AND kind = ? AND source = ?`, id, kind, source)
	return classify(err)
}

func (s *UserImports) NameTaken(ctx context.Context, name string) (bool, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM accounts WHERE name = ?1 COLLATE NOCASE) +
		(SELECT COUNT(*) FROM channels WHERE name = ?1 COLLATE NOCASE)`, name).Scan(&n)
	return n > 0, classify(err)
}

// CreateChannel creates a local channel as CreateUser does (an id no
// actor key was ever made for) and tags it with the import.
func (s *UserImports) CreateChannel(ctx context.Context, importID, accountID int64, source, name, display, description, support string) (model.Channel, error) {
	var ch model.Channel
	err := s.atomic(ctx, func(q dbtx) error {
		var taken int
		if err := q.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM accounts WHERE name = ?1 COLLATE NOCASE) +
			(SELECT COUNT(*) FROM channels WHERE name = ?1 COLLATE NOCASE)`, name).Scan(&taken); err != nil {
			return classify(err)
		}
		if taken > 0 {
			return fmt.Errorf("channel %q: %w", name, ErrConflict)
		}
		t := now()
		res, err := q.ExecContext(ctx, `INSERT INTO channels(id, account_id, name, display_name, description, support, created_at)
			VALUES (`+unusedActorID("channels", "channel")+`, ?, ?, ?, ?, ?, ?)`, accountID, name, display, description, support, t)
		if err != nil {
			return conflict(err, "channel")
		}
		id, _ := res.LastInsertId()
		if _, err := q.ExecContext(ctx, tagSQL, importID, "channel", source, id); err != nil {
			return classify(err)
		}
		ch = model.Channel{ID: id, AccountID: accountID, Name: name, DisplayName: display, Description: description, CreatedAt: time.UnixMilli(t)}
		return nil
	})
	if err != nil {
		return ch, fmt.Errorf("create channel %q: %w", name, err)
	}
	return ch, nil
}

func (s *UserImports) DeleteChannel(ctx context.Context, id int64) error {
	// A channel someone uploaded to meanwhile is theirs now: it stays.
	_, err := s.q.ExecContext(ctx, `DELETE FROM channels WHERE id = ?1 AND remote_actor_id IS NULL
		AND NOT EXISTS (SELECT 1 FROM videos WHERE channel_id = ?1)`, id)
	if err != nil {
		return fmt.Errorf("delete channel %d: %w", id, classify(err))
	}
	return nil
}

func (s *UserImports) SameVideo(ctx context.Context, channelID int64, name string, durationMS int64) (int64, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `SELECT id FROM videos WHERE channel_id = ? AND name = ? AND ABS(duration_ms - ?) <= 1000
		ORDER BY id LIMIT 1`, channelID, name, durationMS).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("same video in channel %d: %w", channelID, classify(err))
	}
	return id, nil
}

func (s *UserImports) SamePlaylist(ctx context.Context, accountID int64, name string) (int64, error) {
	var id int64
	err := s.q.QueryRowContext(ctx, `SELECT id FROM playlists WHERE account_id = ? AND type = 1 AND display_name = ? ORDER BY id LIMIT 1`,
		accountID, name).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("same playlist of account %d: %w", accountID, classify(err))
	}
	return id, nil
}
