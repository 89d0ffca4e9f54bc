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

// Creator holds what a creator adds to a video: captions, chapters and
// passwords (migration 0010).
type Creator struct{ base }

// Creator is the creator aggregate on the pool.
func (s *Store) Creator() *Creator { return &Creator{base{q: s.stmts, db: s.db, counts: s.counts}} }

var (
	_ repo.Captions       = (*Creator)(nil)
	_ repo.Chapters       = (*Creator)(nil)
	_ repo.VideoPasswords = (*Creator)(nil)
)

// Captions are the video's captions, by language.
func (s *Creator) Captions(ctx context.Context, videoID int64) ([]model.Caption, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT language, filename, updated_at FROM video_captions
		WHERE video_id = ? ORDER BY language`, videoID)
	if err != nil {
		return nil, fmt.Errorf("captions of video %d: %w", videoID, err)
	}
	defer rows.Close()
	out := []model.Caption{}
	for rows.Next() {
		c := model.Caption{VideoID: videoID}
		var t int64
		if err := rows.Scan(&c.Language, &c.Filename, &t); err != nil {
			return nil, fmt.Errorf("captions of video %d: %w", videoID, err)
		}
		c.UpdatedAt = time.UnixMilli(t)
		out = append(out, c)
	}
	return out, rows.Err()
}

// PutCaption adds or replaces a language's caption, returning the file it
// replaced.
func (s *Creator) PutCaption(ctx context.Context, c model.Caption) (string, error) {
	var old string
	err := s.atomic(ctx, func(q dbtx) error {
		err := q.QueryRowContext(ctx, `SELECT filename FROM video_captions WHERE video_id = ? AND language = ?`,
			c.VideoID, c.Language).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = q.ExecContext(ctx, `INSERT INTO video_captions (video_id, language, filename, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (video_id, language) DO UPDATE SET filename = excluded.filename, updated_at = excluded.updated_at`,
			c.VideoID, c.Language, c.Filename, c.UpdatedAt.UnixMilli())
		return err
	})
	if err != nil {
		return "", fmt.Errorf("put caption %s of video %d: %w", c.Language, c.VideoID, classify(err))
	}
	return old, nil
}

// DeleteCaption removes a language's caption and returns its file.
func (s *Creator) DeleteCaption(ctx context.Context, videoID int64, language string) (string, error) {
	var file string
	err := s.q.QueryRowContext(ctx, `DELETE FROM video_captions WHERE video_id = ? AND language = ? RETURNING filename`,
		videoID, language).Scan(&file)
	if errors.Is(err, sql.ErrNoRows) {
		return "", model.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("delete caption %s of video %d: %w", language, videoID, classify(err))
	}
	return file, nil
}

// CaptionByFile finds the caption a file name belongs to.
func (s *Creator) CaptionByFile(ctx context.Context, filename string) (model.Caption, error) {
	c := model.Caption{Filename: filename}
	var t int64
	err := s.q.QueryRowContext(ctx, `SELECT video_id, language, updated_at FROM video_captions WHERE filename = ?`,
		filename).Scan(&c.VideoID, &c.Language, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return c, model.ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("caption %s: %w", filename, err)
	}
	c.UpdatedAt = time.UnixMilli(t)
	return c, nil
}

// Chapters are the video's chapters in time order.
func (s *Creator) Chapters(ctx context.Context, videoID int64) ([]model.Chapter, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT timecode, title FROM video_chapters WHERE video_id = ? ORDER BY timecode`, videoID)
	if err != nil {
		return nil, fmt.Errorf("chapters of video %d: %w", videoID, err)
	}
	defer rows.Close()
	out := []model.Chapter{}
	for rows.Next() {
		var c model.Chapter
		if err := rows.Scan(&c.Timecode, &c.Title); err != nil {
			return nil, fmt.Errorf("chapters of video %d: %w", videoID, err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ReplaceChapters sets the video's chapters, all at once.
func (s *Creator) ReplaceChapters(ctx context.Context, videoID int64, cs []model.Chapter) error {
	err := s.atomic(ctx, func(q dbtx) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM video_chapters WHERE video_id = ?`, videoID); err != nil {
			return err
		}
		for _, c := range cs {
			if _, err := q.ExecContext(ctx, `INSERT INTO video_chapters (video_id, timecode, title) VALUES (?, ?, ?)`,
				videoID, c.Timecode, c.Title); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replace chapters of video %d: %w", videoID, classify(err))
	}
	return nil
}

// Passwords are a page of the video's passwords, oldest first, and their
// number.
func (s *Creator) Passwords(ctx context.Context, videoID int64, start, count int) ([]model.VideoPassword, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM video_passwords WHERE video_id = ?`, videoID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("passwords of video %d: %w", videoID, err)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT id, password, created_at, updated_at FROM video_passwords
		WHERE video_id = ? ORDER BY id LIMIT ? OFFSET ?`, videoID, count, start)
	if err != nil {
		return nil, 0, fmt.Errorf("passwords of video %d: %w", videoID, err)
	}
	defer rows.Close()
	out := []model.VideoPassword{}
	for rows.Next() {
		p := model.VideoPassword{VideoID: videoID}
		var c, u int64
		if err := rows.Scan(&p.ID, &p.Password, &c, &u); err != nil {
			return nil, 0, fmt.Errorf("passwords of video %d: %w", videoID, err)
		}
		p.CreatedAt, p.UpdatedAt = time.UnixMilli(c), time.UnixMilli(u)
		out = append(out, p)
	}
	return out, total, rows.Err()
}

// ReplacePasswords sets the video's passwords, all at once.
func (s *Creator) ReplacePasswords(ctx context.Context, videoID int64, passwords []string) error {
	now := time.Now().UnixMilli()
	err := s.atomic(ctx, func(q dbtx) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM video_passwords WHERE video_id = ?`, videoID); err != nil {
			return err
		}
		for _, p := range passwords {
			if _, err := q.ExecContext(ctx, `INSERT INTO video_passwords (video_id, password, created_at, updated_at)
				VALUES (?, ?, ?, ?)`, videoID, p, now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("replace passwords of video %d: %w", videoID, classify(err))
	}
	return nil
}

// DeletePassword removes one password unless it is the video's last.
func (s *Creator) DeletePassword(ctx context.Context, videoID, id int64) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM video_passwords WHERE id = ?1 AND video_id = ?2
		AND (SELECT count(*) FROM video_passwords WHERE video_id = ?2) > 1`, id, videoID)
	if err != nil {
		return fmt.Errorf("delete password %d of video %d: %w", id, videoID, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var exists bool
	if err := s.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM video_passwords WHERE id = ? AND video_id = ?)`,
		id, videoID).Scan(&exists); err != nil {
		return fmt.Errorf("delete password %d of video %d: %w", id, videoID, err)
	}
	if exists {
		return model.ErrConflict
	}
	return model.ErrNotFound
}

// PasswordMatches reports whether password is one of the video's. The
// comparison is SQLite's, on an indexed column: its timing says nothing
// useful of a password that the rate limit lets few guesses at.
func (s *Creator) PasswordMatches(ctx context.Context, videoID int64, password string) (bool, error) {
	var ok bool
	err := s.q.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM video_passwords WHERE video_id = ? AND password = ?)`,
		videoID, password).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("check password of video %d: %w", videoID, err)
	}
	return ok, nil
}
