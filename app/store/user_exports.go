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

// UserExports is the user exports aggregate: the archive requests and the
// read queries that fill an archive (app/userexport).
type UserExports struct{ base }

// UserExports returns the user exports aggregate on the pool.
func (s *Store) UserExports() *UserExports {
	return &UserExports{base{q: s.stmts, db: s.db, counts: s.counts}}
}

var _ repo.UserExports = (*UserExports)(nil)

func msTime(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v)
}

func nullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return msTime(v.Int64)
}

const userExportCols = `id, user_id, state, with_video_files, filename, token, size, progress, error, created_at, expires_at`

func scanUserExport(sc interface{ Scan(...any) error }) (repo.UserExport, error) {
	var e repo.UserExport
	var created, expires int64
	err := sc.Scan(&e.ID, &e.UserID, &e.State, &e.WithVideoFiles, &e.Filename, &e.Token, &e.Size, &e.Progress, &e.Error, &created, &expires)
	e.CreatedAt, e.ExpiresAt = msTime(created), msTime(expires)
	return e, err
}

// Create records a pending export, refusing a second one while another
// is pending, processing or ready, as PeerTube does (in one statement, so
// two requests at once cannot both pass).
func (s *UserExports) Create(ctx context.Context, e *repo.UserExport) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = time.Now()
	}
	res, err := s.q.ExecContext(ctx, `INSERT INTO user_exports(user_id, state, with_video_files, filename, token, created_at)
		SELECT ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM user_exports WHERE user_id = ? AND state IN (1, 2, 3))`,
		e.UserID, e.State, e.WithVideoFiles, e.Filename, e.Token, e.CreatedAt.UnixMilli(), e.UserID)
	if err != nil {
		return fmt.Errorf("create export of user %d: %w", e.UserID, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("export of user %d: %w", e.UserID, model.ErrConflict)
	}
	e.ID, _ = res.LastInsertId()
	return nil
}

func (s *UserExports) one(ctx context.Context, where string, arg any) (repo.UserExport, error) {
	e, err := scanUserExport(s.q.QueryRowContext(ctx, `SELECT `+userExportCols+` FROM user_exports WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return e, model.ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("user export: %w", classify(err))
	}
	return e, nil
}

func (s *UserExports) Get(ctx context.Context, id int64) (repo.UserExport, error) {
	return s.one(ctx, "id = ?", id)
}

func (s *UserExports) ByToken(ctx context.Context, token string) (repo.UserExport, error) {
	if token == "" {
		return repo.UserExport{}, model.ErrNotFound
	}
	return s.one(ctx, "token = ?", token)
}

func (s *UserExports) ByFilename(ctx context.Context, filename string) (repo.UserExport, error) {
	return s.one(ctx, "filename = ?", filename)
}

func (s *UserExports) list(ctx context.Context, where string, arg any) ([]repo.UserExport, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+userExportCols+` FROM user_exports WHERE `+where+` ORDER BY created_at DESC, id DESC`, arg)
	if err != nil {
		return nil, fmt.Errorf("user exports: %w", classify(err))
	}
	defer rows.Close()
	var out []repo.UserExport
	for rows.Next() {
		e, err := scanUserExport(rows)
		if err != nil {
			return nil, fmt.Errorf("user exports: %w", err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *UserExports) ListOf(ctx context.Context, userID int64) ([]repo.UserExport, error) {
	return s.list(ctx, "user_id = ?", userID)
}

func (s *UserExports) Expired(ctx context.Context, now time.Time) ([]repo.UserExport, error) {
	return s.list(ctx, "expires_at > 0 AND expires_at <= ?", now.UnixMilli())
}

func (s *UserExports) SetState(ctx context.Context, id int64, state int, size int64, errText string, expires time.Time) error {
	var exp int64
	if !expires.IsZero() {
		exp = expires.UnixMilli()
	}
	res, err := s.q.ExecContext(ctx, `UPDATE user_exports SET state = ?, size = ?, error = ?, expires_at = ?,
		progress = CASE WHEN ? = 3 THEN 100 ELSE progress END WHERE id = ?`, state, size, errText, exp, state, id)
	return affected(res, err, "set user export state")
}

func (s *UserExports) SetProgress(ctx context.Context, id int64, pct float64) error {
	res, err := s.q.ExecContext(ctx, `UPDATE user_exports SET progress = ? WHERE id = ?`, pct, id)
	return affected(res, err, "set user export progress")
}

func (s *UserExports) Delete(ctx context.Context, id int64) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM user_exports WHERE id = ?`, id)
	return affected(res, err, "delete user export")
}

// ExportUser is the user and their (local) account.
func (s *UserExports) ExportUser(ctx context.Context, userID int64) (repo.ExportUser, error) {
	var u repo.ExportUser
	var uc, ac, av int64
	err := s.q.QueryRowContext(ctx, `SELECT u.id, u.username, u.email, u.created_at, a.id, a.name, a.display_name, a.description,
		a.created_at, a.avatar, a.avatar_updated_at FROM users u JOIN accounts a ON a.user_id = u.id WHERE u.id = ?`, userID).
		Scan(&u.UserID, &u.Username, &u.Email, &uc, &u.AccountID, &u.AccountName, &u.DisplayName, &u.Description, &ac, &u.Avatar, &av)
	if errors.Is(err, sql.ErrNoRows) {
		return u, model.ErrNotFound
	}
	if err != nil {
		return u, fmt.Errorf("export user %d: %w", userID, classify(err))
	}
	u.CreatedAt, u.AccountAt, u.AvatarUpdated = msTime(uc), msTime(ac), msTime(av)
	return u, nil
}

func (s *UserExports) ExportChannels(ctx context.Context, accountID int64) ([]repo.ExportChannel, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, name, display_name, description, support, created_at FROM channels
		WHERE account_id = ? AND remote_actor_id IS NULL ORDER BY id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export channels: %w", classify(err))
	}
	defer rows.Close()
	var out []repo.ExportChannel
	for rows.Next() {
		var c repo.ExportChannel
		var at int64
		if err := rows.Scan(&c.ID, &c.Name, &c.DisplayName, &c.Description, &c.Support, &at); err != nil {
			return nil, fmt.Errorf("export channels: %w", err)
		}
		c.CreatedAt = msTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *UserExports) CountVideos(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM videos v JOIN channels c ON c.id = v.channel_id
		WHERE c.account_id = ? AND c.remote_actor_id IS NULL`, accountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count export videos: %w", classify(err))
	}
	return n, nil
}

// ExportVideos reads the videos a page of ids at a time and each one's
// details as it goes, so memory stays flat however many there are.
func (s *UserExports) ExportVideos(ctx context.Context, accountID int64, fn func(repo.ExportVideo) error) error {
	var after int64
	for {
		ids, err := s.videoIDs(ctx, accountID, after)
		if err != nil {
			return err
		}
		if len(ids) == 0 {
			return nil
		}
		for _, id := range ids {
			v, err := s.exportVideo(ctx, id)
			if errors.Is(err, model.ErrNotFound) {
				continue // deleted meanwhile
			}
			if err != nil {
				return err
			}
			if err := fn(v); err != nil {
				return err
			}
		}
		after = ids[len(ids)-1]
	}
}

func (s *UserExports) videoIDs(ctx context.Context, accountID, after int64) ([]int64, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT v.id FROM videos v JOIN channels c ON c.id = v.channel_id
		WHERE c.account_id = ? AND c.remote_actor_id IS NULL AND v.id > ? ORDER BY v.id LIMIT 100`, accountID, after)
	if err != nil {
		return nil, fmt.Errorf("export video ids: %w", classify(err))
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func (s *UserExports) exportVideo(ctx context.Context, id int64) (repo.ExportVideo, error) {
	var v repo.ExportVideo
	var cat, lic sql.NullInt64
	var lang sql.NullString
	var created, updated int64
	var published, orig sql.NullInt64
	err := s.q.QueryRowContext(ctx, `SELECT v.id, v.channel_id, v.uuid, c.name, v.name, v.description, v.support, v.language,
		v.category, v.licence, v.privacy, v.state, v.comments_policy, v.nsfw, v.download_enabled, v.duration_ms, v.width, v.height,
		v.original_name, v.original_file, v.size, v.views, v.likes, v.dislikes, v.has_thumbnail, v.created_at, v.updated_at,
		v.published_at, v.originally_published_at
		FROM videos v JOIN channels c ON c.id = v.channel_id WHERE v.id = ?`, id).Scan(
		&v.ID, &v.ChannelID, &v.UUID, &v.ChannelName, &v.Name, &v.Description, &v.Support, &lang, &cat, &lic, &v.Privacy, &v.State,
		&v.CommentsPolicy, &v.NSFW, &v.DownloadEnabled, &v.DurationMS, &v.Width, &v.Height, &v.OriginalName, &v.OriginalFile,
		&v.Size, &v.Views, &v.Likes, &v.Dislikes, &v.HasThumbnail, &created, &updated, &published, &orig)
	if errors.Is(err, sql.ErrNoRows) {
		return v, model.ErrNotFound
	}
	if err != nil {
		return v, fmt.Errorf("export video %d: %w", id, classify(err))
	}
	v.Language = lang.String
	if cat.Valid {
		n := int(cat.Int64)
		v.Category = &n
	}
	if lic.Valid {
		n := int(lic.Int64)
		v.Licence = &n
	}
	v.CreatedAt, v.UpdatedAt, v.PublishedAt, v.OriginallyPubAt = msTime(created), msTime(updated), nullMS(published), nullMS(orig)
	if v.Tags, err = s.strings(ctx, `SELECT name FROM video_tags WHERE video_id = ? ORDER BY position`, id); err != nil {
		return v, err
	}
	if v.Passwords, err = s.strings(ctx, `SELECT password FROM video_passwords WHERE video_id = ? ORDER BY created_at`, id); err != nil {
		return v, err
	}
	rows, err := s.q.QueryContext(ctx, `SELECT language, filename, updated_at FROM video_captions WHERE video_id = ? ORDER BY language`, id)
	if err != nil {
		return v, fmt.Errorf("export captions: %w", classify(err))
	}
	for rows.Next() {
		var c repo.ExportCaption
		var at int64
		if err := rows.Scan(&c.Language, &c.Filename, &at); err != nil {
			rows.Close()
			return v, err
		}
		c.UpdatedAt = msTime(at)
		v.Captions = append(v.Captions, c)
	}
	rows.Close()
	rows, err = s.q.QueryContext(ctx, `SELECT timecode, title FROM video_chapters WHERE video_id = ? ORDER BY timecode`, id)
	if err != nil {
		return v, fmt.Errorf("export chapters: %w", classify(err))
	}
	for rows.Next() {
		var c repo.ExportChapter
		if err := rows.Scan(&c.Timecode, &c.Title); err != nil {
			rows.Close()
			return v, err
		}
		v.Chapters = append(v.Chapters, c)
	}
	rows.Close()
	rows, err = s.q.QueryContext(ctx, `SELECT name, width, height, fps, size FROM renditions WHERE video_id = ? ORDER BY height DESC`, id)
	if err != nil {
		return v, fmt.Errorf("export renditions: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var r repo.ExportRendition
		if err := rows.Scan(&r.Name, &r.Width, &r.Height, &r.FPS, &r.Size); err != nil {
			return v, err
		}
		v.Renditions = append(v.Renditions, r)
	}
	return v, rows.Err()
}

func (s *UserExports) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("export: %w", classify(err))
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

func (s *UserExports) ExportComments(ctx context.Context, accountID int64) ([]repo.ExportComment, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT c.id, c.video_id, COALESCE(c.iri, ''), v.uuid, COALESCE(rv.iri, ''), c.text, c.created_at,
		COALESCE(c.in_reply_to, 0), COALESCE(p.iri, ''), COALESCE(pv.uuid, '')
		FROM comments c JOIN videos v ON v.id = c.video_id LEFT JOIN remote_videos rv ON rv.video_id = v.id
		LEFT JOIN comments p ON p.id = c.in_reply_to LEFT JOIN videos pv ON pv.id = p.video_id
		WHERE c.account_id = ? AND c.deleted_at IS NULL ORDER BY c.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export comments: %w", classify(err))
	}
	defer rows.Close()
	var out []repo.ExportComment
	for rows.Next() {
		var c repo.ExportComment
		var at int64
		if err := rows.Scan(&c.ID, &c.VideoID, &c.IRI, &c.VideoUUID, &c.VideoIRI, &c.Text, &at, &c.InReplyToID, &c.InReplyToIRI, &c.InReplyToVideoUUID); err != nil {
			return nil, err
		}
		c.CreatedAt = msTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

func (s *UserExports) ExportRates(ctx context.Context, accountID int64) ([]repo.ExportRate, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT v.uuid, COALESCE(rv.iri, ''), r.type, r.created_at FROM video_rates r
		JOIN videos v ON v.id = r.video_id LEFT JOIN remote_videos rv ON rv.video_id = v.id
		WHERE r.account_id = ? ORDER BY r.created_at`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export rates: %w", classify(err))
	}
	defer rows.Close()
	var out []repo.ExportRate
	for rows.Next() {
		var r repo.ExportRate
		var at int64
		if err := rows.Scan(&r.VideoUUID, &r.VideoIRI, &r.Type, &at); err != nil {
			return nil, err
		}
		r.CreatedAt = msTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

func scanFollows(rows *sql.Rows, err error) ([]repo.ExportFollow, error) {
	if err != nil {
		return nil, fmt.Errorf("export follows: %w", classify(err))
	}
	defer rows.Close()
	var out []repo.ExportFollow
	for rows.Next() {
		var f repo.ExportFollow
		var at int64
		if err := rows.Scan(&f.Name, &f.Host, &f.IRI, &f.Kind, &f.Target, &at); err != nil {
			return nil, err
		}
		f.CreatedAt = msTime(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// ExportFollowing is who the account follows: its subscriptions to
// channels (local or remote) and its accepted follows of remote actors
// not already among them.
func (s *UserExports) ExportFollowing(ctx context.Context, accountID int64) ([]repo.ExportFollow, error) {
	return scanFollows(s.q.QueryContext(ctx, `
		SELECT COALESCE(r.preferred_username, c.name), COALESCE(r.host, ''), COALESCE(r.iri, ''), 'channel', '', s.created_at
		FROM subscriptions s JOIN channels c ON c.id = s.channel_id LEFT JOIN remote_actors r ON r.id = c.remote_actor_id
		WHERE s.account_id = ?
		UNION ALL
		SELECT r.preferred_username, r.host, r.iri, lower(r.type), '', f.created_at FROM following f JOIN remote_actors r ON r.id = f.remote_actor_id
		WHERE f.follower_kind = 'account' AND f.follower_id = ? AND f.state = 'accepted'
		  AND NOT EXISTS (SELECT 1 FROM subscriptions s2 JOIN channels c2 ON c2.id = s2.channel_id
		                  WHERE s2.account_id = ? AND c2.remote_actor_id = r.id)
		ORDER BY 6`, accountID, accountID, accountID))
}

// ExportFollowers are the accepted remote followers of the account and of
// its channels.
func (s *UserExports) ExportFollowers(ctx context.Context, accountID int64) ([]repo.ExportFollow, error) {
	return scanFollows(s.q.QueryContext(ctx, `
		SELECT r.preferred_username, r.host, r.iri, f.target_kind, COALESCE(a.name, c.name, ''), f.created_at
		FROM follows f JOIN remote_actors r ON r.id = f.remote_actor_id
		LEFT JOIN accounts a ON f.target_kind = 'account' AND a.id = f.target_id
		LEFT JOIN channels c ON f.target_kind = 'channel' AND c.id = f.target_id
		WHERE f.state = 'accepted' AND ((f.target_kind = 'account' AND f.target_id = ?)
		   OR (f.target_kind = 'channel' AND f.target_id IN (SELECT id FROM channels WHERE account_id = ?)))
		ORDER BY f.created_at`, accountID, accountID))
}

func (s *UserExports) ExportPlaylists(ctx context.Context, accountID int64) ([]repo.ExportPlaylist, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT p.id, p.uuid, p.display_name, p.description, COALESCE(c.name, ''), p.privacy, p.type,
		p.created_at, p.updated_at FROM playlists p LEFT JOIN channels c ON c.id = p.channel_id WHERE p.account_id = ? ORDER BY p.id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("export playlists: %w", classify(err))
	}
	var out []repo.ExportPlaylist
	for rows.Next() {
		var p repo.ExportPlaylist
		var c, u int64
		if err := rows.Scan(&p.ID, &p.UUID, &p.DisplayName, &p.Description, &p.ChannelName, &p.Privacy, &p.Type, &c, &u); err != nil {
			rows.Close()
			return nil, err
		}
		p.CreatedAt, p.UpdatedAt = msTime(c), msTime(u)
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		er, err := s.q.QueryContext(ctx, `SELECT v.uuid, COALESCE(rv.iri, ''), e.start_timestamp, e.stop_timestamp FROM playlist_elements e
			JOIN videos v ON v.id = e.video_id LEFT JOIN remote_videos rv ON rv.video_id = v.id
			WHERE e.playlist_id = ? ORDER BY e.position`, out[i].ID)
		if err != nil {
			return nil, fmt.Errorf("export playlist elements: %w", classify(err))
		}
		for er.Next() {
			var e repo.ExportPlaylistElement
			var start, stop sql.NullInt64
			if err := er.Scan(&e.VideoUUID, &e.VideoIRI, &start, &stop); err != nil {
				er.Close()
				return nil, err
			}
			if start.Valid {
				n := int(start.Int64)
				e.Start = &n
			}
			if stop.Valid {
				n := int(stop.Int64)
				e.Stop = &n
			}
			out[i].Elements = append(out[i].Elements, e)
		}
		er.Close()
	}
	return out, nil
}

func (s *UserExports) ExportBlocklist(ctx context.Context, accountID int64) ([]repo.ExportHandle, []string, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT COALESCE(r.preferred_username, a.name), COALESCE(r.host, '') FROM account_blocks b
		JOIN accounts a ON a.id = b.blocked_account_id LEFT JOIN remote_actors r ON r.id = a.remote_actor_id
		WHERE b.owner_account_id = ? ORDER BY b.created_at`, accountID)
	if err != nil {
		return nil, nil, fmt.Errorf("export blocklist: %w", classify(err))
	}
	var accounts []repo.ExportHandle
	for rows.Next() {
		var h repo.ExportHandle
		if err := rows.Scan(&h.Name, &h.Host); err != nil {
			rows.Close()
			return nil, nil, err
		}
		accounts = append(accounts, h)
	}
	rows.Close()
	hosts, err := s.strings(ctx, `SELECT host FROM server_blocks WHERE owner_account_id = ? ORDER BY created_at`, accountID)
	return accounts, hosts, err
}
