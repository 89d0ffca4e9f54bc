package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Playlists is the playlists aggregate (playlists and their elements). Like
// Comments, it sits beside Aggregates: its multi-statement writes open
// their own transaction.
type Playlists struct{ base }

// Playlists returns the playlists aggregate on the pool.
func (s *Store) Playlists() *Playlists {
	return &Playlists{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// playlistCols reads a playlist, its length, the first element's video
// when anyone may see it (its thumbnail is the playlist's), its account
// and its channel (zeros when none).
const playlistCols = `p.id, p.uuid, p.short_uuid, p.account_id, COALESCE(p.channel_id, 0), p.display_name, p.description,
	p.privacy, p.type, p.created_at, p.updated_at,
	(SELECT COUNT(*) FROM playlist_elements e WHERE e.playlist_id = p.id),
	COALESCE((SELECT v.uuid FROM playlist_elements e JOIN videos v ON v.id = e.video_id
		WHERE e.playlist_id = p.id AND e.position = 1 AND v.state = 1 AND v.privacy IN (1, 2) AND v.has_thumbnail = 1), ''),
	a.id, COALESCE(a.user_id, 0), a.name, a.display_name, a.description, a.created_at,
	COALESCE(c.id, 0), COALESCE(c.account_id, 0), COALESCE(c.name, ''), COALESCE(c.display_name, ''), COALESCE(c.description, ''),
	COALESCE(c.support, ''), COALESCE(c.created_at, 0)`

const playlistFrom = ` FROM playlists p JOIN accounts a ON a.id = p.account_id LEFT JOIN channels c ON c.id = p.channel_id `

func scanPlaylist(row interface{ Scan(...any) error }) (model.Playlist, error) {
	var p model.Playlist
	var created, updated, aCreated, cCreated int64
	a, c := &p.Account, &p.Channel
	err := row.Scan(&p.ID, &p.UUID, &p.ShortUUID, &p.AccountID, &p.ChannelID, &p.DisplayName, &p.Description,
		&p.Privacy, &p.Type, &created, &updated, &p.Length, &p.ThumbnailVideo,
		&a.ID, &a.UserID, &a.Name, &a.DisplayName, &a.Description, &aCreated,
		&c.ID, &c.AccountID, &c.Name, &c.DisplayName, &c.Description, &c.Support, &cCreated)
	if errors.Is(err, sql.ErrNoRows) {
		return p, ErrNotFound
	}
	p.CreatedAt, p.UpdatedAt, a.CreatedAt = time.UnixMilli(created), time.UnixMilli(updated), time.UnixMilli(aCreated)
	if c.ID != 0 {
		c.CreatedAt, c.Account = time.UnixMilli(cCreated), *a
	}
	return p, classify(err)
}

// Create inserts a playlist.
func (s *Playlists) Create(ctx context.Context, p *model.Playlist) error {
	t := now()
	res, err := s.q.ExecContext(ctx, `INSERT INTO playlists(uuid, short_uuid, account_id, channel_id, display_name, description, privacy, type, created_at, updated_at)
		VALUES (?, ?, ?, NULLIF(?, 0), ?, ?, ?, ?, ?, ?)`,
		p.UUID, p.ShortUUID, p.AccountID, p.ChannelID, p.DisplayName, p.Description, p.Privacy, max(p.Type, model.PlaylistRegular), t, t)
	if err != nil {
		return fmt.Errorf("insert playlist: %w", conflict(err, "playlist"))
	}
	p.ID, _ = res.LastInsertId()
	p.CreatedAt, p.UpdatedAt = time.UnixMilli(t), time.UnixMilli(t)
	return nil
}

// WatchLater returns the account's watch-later playlist, creating it if
// needed; the partial unique index keeps it one per account even when two
// requests create it at once.
func (s *Playlists) WatchLater(ctx context.Context, accountID int64, mk func() model.Playlist) (model.Playlist, error) {
	find := func() (model.Playlist, error) {
		return scanPlaylist(s.q.QueryRowContext(ctx, `SELECT `+playlistCols+playlistFrom+`WHERE p.account_id = ? AND p.type = 2`, accountID))
	}
	p, err := find()
	if !errors.Is(err, ErrNotFound) {
		return p, err
	}
	n := mk()
	n.AccountID, n.Type = accountID, model.PlaylistWatchLater
	if err := s.Create(ctx, &n); err != nil && !errors.Is(err, ErrConflict) {
		return p, err
	}
	return find()
}

// ByID finds a playlist.
func (s *Playlists) ByID(ctx context.Context, id int64) (model.Playlist, error) {
	return scanPlaylist(s.q.QueryRowContext(ctx, `SELECT `+playlistCols+playlistFrom+`WHERE p.id = ?`, id))
}

// ByUUID finds a playlist by its UUID.
func (s *Playlists) ByUUID(ctx context.Context, uuid string) (model.Playlist, error) {
	return scanPlaylist(s.q.QueryRowContext(ctx, `SELECT `+playlistCols+playlistFrom+`WHERE p.uuid = ?`, uuid))
}

// ByShortUUID finds a playlist by its short UUID.
func (s *Playlists) ByShortUUID(ctx context.Context, short string) (model.Playlist, error) {
	return scanPlaylist(s.q.QueryRowContext(ctx, `SELECT `+playlistCols+playlistFrom+`WHERE p.short_uuid = ?`, short))
}

var playlistSorts = map[string]string{
	"id": "p.id ASC", "-id": "p.id DESC",
	"displayName": "p.display_name COLLATE NOCASE ASC, p.id ASC", "-displayName": "p.display_name COLLATE NOCASE DESC, p.id DESC",
	"createdAt": "p.created_at ASC, p.id ASC", "-createdAt": "p.created_at DESC, p.id DESC",
	"updatedAt": "p.updated_at ASC, p.id ASC", "-updatedAt": "p.updated_at DESC, p.id DESC",
}

// List returns a page of playlists and how many match.
func (s *Playlists) List(ctx context.Context, q repo.PlaylistQuery) ([]model.Playlist, int, error) {
	var where []string
	var args []any
	if q.AccountID != 0 {
		where, args = append(where, "p.account_id = ?"), append(args, q.AccountID)
	}
	if q.ChannelID != 0 {
		where, args = append(where, "p.channel_id = ?"), append(args, q.ChannelID)
	}
	if q.Type != 0 {
		where, args = append(where, "p.type = ?"), append(args, q.Type)
	}
	if q.Search != "" {
		esc := strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(q.Search)
		where, args = append(where, `p.display_name LIKE ? ESCAPE '\'`), append(args, "%"+esc+"%")
	}
	if len(q.Privacies) > 0 {
		where = append(where, "p.privacy IN ("+strings.TrimSuffix(strings.Repeat("?,", len(q.Privacies)), ",")+")")
		for _, p := range q.Privacies {
			args = append(args, p)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM playlists p"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count playlists: %w", classify(err))
	}
	order, ok := playlistSorts[q.Sort]
	if !ok {
		order = playlistSorts["-createdAt"]
	}
	if q.Count <= 0 || q.Start >= total {
		return []model.Playlist{}, total, nil
	}
	rows, err := s.q.QueryContext(ctx, "SELECT "+playlistCols+playlistFrom+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(slices.Clip(args), q.Count, q.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list playlists: %w", classify(err))
	}
	defer rows.Close()
	out := []model.Playlist{}
	for rows.Next() {
		p, err := scanPlaylist(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, classify(rows.Err())
}

// Update writes a playlist's editable fields.
func (s *Playlists) Update(ctx context.Context, p model.Playlist) error {
	res, err := s.q.ExecContext(ctx, `UPDATE playlists SET display_name = ?, description = ?, privacy = ?, channel_id = NULLIF(?, 0), updated_at = ? WHERE id = ?`,
		p.DisplayName, p.Description, p.Privacy, p.ChannelID, now(), p.ID)
	return affected(res, err, "update playlist")
}

// Delete deletes a playlist and its elements.
func (s *Playlists) Delete(ctx context.Context, id int64) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM playlists WHERE id = ?`, id)
	return affected(res, err, "delete playlist")
}

// affected turns "no row changed" into ErrNotFound.
func affected(res sql.Result, err error, what string) error {
	if err != nil {
		return fmt.Errorf("%s: %w", what, classify(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// elementCols reads an element and its video (NULLs once deleted: the
// video columns are read by a second query, see Elements).
const elementCols = `e.id, e.playlist_id, COALESCE(e.video_id, 0), e.position, e.start_timestamp, e.stop_timestamp, e.created_at, e.updated_at`

func scanElement(row interface{ Scan(...any) error }) (model.PlaylistElement, error) {
	var e model.PlaylistElement
	var start, stop sql.NullInt64
	var created, updated int64
	err := row.Scan(&e.ID, &e.PlaylistID, &e.VideoID, &e.Position, &start, &stop, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return e, ErrNotFound
	}
	if start.Valid {
		n := int(start.Int64)
		e.Start = &n
	}
	if stop.Valid {
		n := int(stop.Int64)
		e.Stop = &n
	}
	e.CreatedAt, e.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	return e, classify(err)
}

// Elements returns a page of a playlist's elements with their videos.
func (s *Playlists) Elements(ctx context.Context, playlistID int64, start, count int) ([]model.PlaylistElement, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM playlist_elements WHERE playlist_id = ?`, playlistID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count elements of playlist %d: %w", playlistID, classify(err))
	}
	out := []model.PlaylistElement{}
	if count <= 0 || start >= total {
		return out, total, nil
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+elementCols+` FROM playlist_elements e WHERE e.playlist_id = ? ORDER BY e.position, e.id LIMIT ? OFFSET ?`,
		playlistID, count, start)
	if err != nil {
		return nil, 0, fmt.Errorf("elements of playlist %d: %w", playlistID, classify(err))
	}
	var ids []int64
	for rows.Next() {
		e, err := scanElement(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, e)
		if e.VideoID != 0 {
			ids = append(ids, e.VideoID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, classify(err)
	}
	if err := s.withVideos(ctx, out, ids); err != nil {
		return nil, 0, err
	}
	return out, total, nil
}

// withVideos fills each element's video.
func (s *Playlists) withVideos(ctx context.Context, es []model.PlaylistElement, ids []int64) error {
	vs, err := (&Videos{s.base}).byIDs(ctx, ids)
	if err != nil {
		return err
	}
	byID := make(map[int64]model.Video, len(vs))
	for _, v := range vs {
		byID[v.ID] = v
	}
	for i := range es {
		es[i].Video = byID[es[i].VideoID]
	}
	return nil
}

// Element finds one element of a playlist, with its video.
func (s *Playlists) Element(ctx context.Context, playlistID, elementID int64) (model.PlaylistElement, error) {
	e, err := scanElement(s.q.QueryRowContext(ctx, `SELECT `+elementCols+` FROM playlist_elements e WHERE e.id = ? AND e.playlist_id = ?`, elementID, playlistID))
	if err != nil {
		return e, err
	}
	es := []model.PlaylistElement{e}
	if e.VideoID != 0 {
		if err := s.withVideos(ctx, es, []int64{e.VideoID}); err != nil {
			return e, err
		}
	}
	return es[0], nil
}

// touch marks a playlist changed (PeerTube's updatedAt moves with its
// elements, and "-updatedAt" lists the recently changed first).
func touch(ctx context.Context, q dbtx, playlistID int64, t int64) error {
	res, err := q.ExecContext(ctx, `UPDATE playlists SET updated_at = ? WHERE id = ?`, t, playlistID)
	return affected(res, err, "touch playlist")
}

// AddElement appends an element in one transaction (its position is the
// count so far plus one).
func (s *Playlists) AddElement(ctx context.Context, e *model.PlaylistElement) error {
	t := now()
	return s.atomic(ctx, func(q dbtx) error {
		if err := touch(ctx, q, e.PlaylistID, t); err != nil {
			return err
		}
		if err := q.QueryRowContext(ctx, `SELECT COUNT(*) + 1 FROM playlist_elements WHERE playlist_id = ?`, e.PlaylistID).Scan(&e.Position); err != nil {
			return fmt.Errorf("next position: %w", classify(err))
		}
		res, err := q.ExecContext(ctx, `INSERT INTO playlist_elements(playlist_id, video_id, position, start_timestamp, stop_timestamp, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, e.PlaylistID, e.VideoID, e.Position, e.Start, e.Stop, t, t)
		if err != nil {
			return fmt.Errorf("insert playlist element: %w", classify(err))
		}
		e.ID, _ = res.LastInsertId()
		e.CreatedAt, e.UpdatedAt = time.UnixMilli(t), time.UnixMilli(t)
		return nil
	})
}

// SetTimestamps changes where an element starts and stops.
func (s *Playlists) SetTimestamps(ctx context.Context, playlistID, elementID int64, start, stop *int) error {
	t := now()
	return s.atomic(ctx, func(q dbtx) error {
		res, err := q.ExecContext(ctx, `UPDATE playlist_elements SET start_timestamp = ?, stop_timestamp = ?, updated_at = ? WHERE id = ? AND playlist_id = ?`,
			start, stop, t, elementID, playlistID)
		if err := affected(res, err, "update playlist element"); err != nil {
			return err
		}
		return touch(ctx, q, playlistID, t)
	})
}

// RemoveElement deletes an element and moves the ones after it up.
func (s *Playlists) RemoveElement(ctx context.Context, playlistID, elementID int64) error {
	t := now()
	return s.atomic(ctx, func(q dbtx) error {
		var pos int
		err := q.QueryRowContext(ctx, `DELETE FROM playlist_elements WHERE id = ? AND playlist_id = ? RETURNING position`, elementID, playlistID).Scan(&pos)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return fmt.Errorf("delete playlist element: %w", classify(err))
		}
		if _, err := q.ExecContext(ctx, `UPDATE playlist_elements SET position = position - 1 WHERE playlist_id = ? AND position > ?`, playlistID, pos); err != nil {
			return fmt.Errorf("close the gap: %w", classify(err))
		}
		return touch(ctx, q, playlistID, t)
	})
}

// Reorder moves the elements at positions start..start+length-1 to just
// after the element at position after, as PeerTube's reorder does; the
// playlist's positions are rewritten in one transaction.
func (s *Playlists) Reorder(ctx context.Context, playlistID int64, start, after, length int) error {
	t := now()
	return s.atomic(ctx, func(q dbtx) error {
		rows, err := q.QueryContext(ctx, `SELECT id, position FROM playlist_elements WHERE playlist_id = ? ORDER BY position, id`, playlistID)
		if err != nil {
			return fmt.Errorf("read positions: %w", classify(err))
		}
		type place struct {
			id  int64
			pos int
		}
		var all []place
		for rows.Next() {
			var p place
			if err := rows.Scan(&p.id, &p.pos); err != nil {
				rows.Close()
				return classify(err)
			}
			all = append(all, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return classify(err)
		}
		n := len(all)
		if start < 1 || start > n || after < 0 || after > n || length < 1 {
			return fmt.Errorf("reorder %d..%d after %d of %d: %w", start, start+length-1, after, n, ErrConflict)
		}
		end := min(n, start+length-1)
		moved := slices.Clone(all[start-1 : end])
		var rest []place
		at := 0 // where the moved ones go in rest: after the kept ones placed at or before "after"
		for _, p := range all {
			if p.pos >= start && p.pos <= end {
				continue
			}
			rest = append(rest, p)
			if p.pos <= after {
				at = len(rest)
			}
		}
		order := slices.Concat(rest[:at], moved, rest[at:])
		for i, p := range order {
			if p.pos == i+1 {
				continue
			}
			if _, err := q.ExecContext(ctx, `UPDATE playlist_elements SET position = ?, updated_at = ? WHERE id = ?`, i+1, t, p.id); err != nil {
				return fmt.Errorf("move element %d: %w", p.id, classify(err))
			}
		}
		return touch(ctx, q, playlistID, t)
	})
}

// Containing lists the account's elements holding any of videoIDs.
func (s *Playlists) Containing(ctx context.Context, accountID int64, videoIDs []int64) ([]model.PlaylistElement, error) {
	if len(videoIDs) == 0 {
		return nil, nil
	}
	args := []any{accountID}
	for _, id := range videoIDs {
		args = append(args, id)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT `+elementCols+` FROM playlist_elements e JOIN playlists p ON p.id = e.playlist_id
		WHERE p.account_id = ? AND e.video_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(videoIDs)), ",")+`) ORDER BY e.playlist_id, e.position`, args...)
	if err != nil {
		return nil, fmt.Errorf("playlists containing videos: %w", classify(err))
	}
	return collect(rows, scanElement)
}
