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

// Videos is the videos and renditions aggregate.
type Videos struct{ base }

const videoCols = `v.id, v.uuid, v.short_uuid, v.channel_id, v.name, v.description, v.privacy, v.state, v.progress, v.error,
	v.duration_ms, v.width, v.height, v.is_audio, v.original_name, v.original_file, v.size, v.views, v.likes, v.dislikes, v.has_thumbnail,
	v.created_at, COALESCE(v.published_at, 0), v.updated_at,
	COALESCE(v.category, 0), COALESCE(v.licence, 0), COALESCE(v.language, ''), v.support, v.nsfw, v.comments_policy,
	v.download_enabled, COALESCE(v.originally_published_at, 0), ` + channelCols

const videoFrom = ` FROM videos v JOIN channels c ON c.id = v.channel_id JOIN accounts a ON a.id = c.account_id `

func scanVideo(row interface{ Scan(...any) error }) (model.Video, error) {
	var v model.Video
	var dur, created, published, updated, cCreated, aCreated, original int64
	c := &v.Channel
	a := &c.Account
	m := &v.Meta
	dest := []any{&v.ID, &v.UUID, &v.ShortUUID, &v.ChannelID, &v.Name, &v.Description, &v.Privacy, &v.State, &v.Progress, &v.Error,
		&dur, &v.Width, &v.Height, &v.IsAudio, &v.OriginalName, &v.OriginalFile, &v.Size, &v.Views, &v.Likes, &v.Dislikes, &v.HasThumbnail,
		&created, &published, &updated,
		&m.Category, &m.Licence, &m.Language, &m.Support, &m.NSFW, &m.CommentsPolicy, &m.DownloadEnabled, &original}
	err := row.Scan(append(dest, channelDest(c, &cCreated, &aCreated)...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	v.Duration = time.Duration(dur) * time.Millisecond
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	if published > 0 {
		v.PublishedAt = time.UnixMilli(published)
	}
	if original != 0 {
		m.OriginallyPublishedAt = time.UnixMilli(original)
	}
	c.CreatedAt, a.CreatedAt = time.UnixMilli(cCreated), time.UnixMilli(aCreated)
	return v, classify(err)
}

// Create inserts a video row and its tags, waiting for processing. Run it
// inside WithTx with the enqueueing of its processing job. A zero
// CommentsPolicy is PeerTube's default (enabled).
func (s *Videos) Create(ctx context.Context, v *model.Video) error {
	defer s.counts.invalidate()
	t := now()
	m := v.Meta
	if m.CommentsPolicy == 0 {
		m.CommentsPolicy = model.CommentsEnabled
		m.DownloadEnabled = true
	}
	err := s.atomic(ctx, func(q dbtx) error {
		res, err := q.ExecContext(ctx, `INSERT INTO videos(uuid, short_uuid, channel_id, name, description, privacy, state,
		duration_ms, width, height, is_audio, original_name, original_file, size, created_at, updated_at,
		category, licence, language, support, nsfw, comments_policy, download_enabled, originally_published_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			v.UUID, v.ShortUUID, v.ChannelID, v.Name, v.Description, v.Privacy, model.StateToTranscode,
			v.Duration.Milliseconds(), v.Width, v.Height, v.IsAudio, v.OriginalName, v.OriginalFile, v.Size, t, t,
			nullInt(m.Category), nullInt(m.Licence), nullString(m.Language), m.Support, m.NSFW, m.CommentsPolicy, m.DownloadEnabled,
			nullTime(m.OriginallyPublishedAt))
		if err != nil {
			return fmt.Errorf("insert video: %w", conflict(err, "video"))
		}
		v.ID, _ = res.LastInsertId()
		return setTags(ctx, q, v.ID, m.Tags)
	})
	if err != nil {
		return err
	}
	v.Meta = m
	v.State = model.StateToTranscode
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(t), time.UnixMilli(t)
	return nil
}

// Each form of id has its own index: every HLS segment request looks a
// video up, so none of these may scan the table.

// ByID finds a video by its numeric id.
func (s *Videos) ByID(ctx context.Context, id int64) (model.Video, error) {
	return scanVideo(s.q.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE v.id = ?`, id))
}

// ByUUID finds a video by its UUID.
func (s *Videos) ByUUID(ctx context.Context, uuid string) (model.Video, error) {
	return scanVideo(s.q.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE v.uuid = ?`, uuid))
}

// ByShortUUID finds a video by its short UUID.
func (s *Videos) ByShortUUID(ctx context.Context, short string) (model.Video, error) {
	return scanVideo(s.q.QueryRowContext(ctx, `SELECT `+videoCols+videoFrom+`WHERE v.short_uuid = ?`, short))
}

// ExistsUUID reports whether a video row has this UUID (the start-up sweep
// of media folders asks it for each folder).
func (s *Videos) ExistsUUID(ctx context.Context, uuid string) (bool, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT EXISTS(SELECT 1 FROM videos WHERE uuid = ?)`, uuid).Scan(&n)
	return n > 0, classify(err)
}

// videoSorts is how each of repo.VideoSorts orders (trending has its own
// path, listTrending). Listing published videos, published_at is never
// NULL, and the plain columns let an index (migrations 0002, 0004) give the
// order. Ties go to the id in the same direction, which the same index
// gives (PeerTube breaks ties by id ascending whatever the direction; ties
// on millisecond dates are rare).
var videoSorts = map[string]string{
	"-publishedAt": "v.published_at DESC, v.id DESC",
	"publishedAt":  "v.published_at ASC, v.id ASC",
	"-createdAt":   "v.created_at DESC, v.id DESC",
	"createdAt":    "v.created_at ASC, v.id ASC",
	"-views":       "v.views DESC, v.id DESC",
	"views":        "v.views ASC, v.id ASC",
	"name":         "v.name COLLATE NOCASE ASC, v.id ASC",
	"-name":        "v.name COLLATE NOCASE DESC, v.id DESC",
	"-duration":    "v.duration_ms DESC, v.id DESC",
	"duration":     "v.duration_ms ASC, v.id ASC",
	// PeerTube: COALESCE(originallyPublishedAt, publishedAt).
	"-originallyPublishedAt": "COALESCE(v.originally_published_at, v.published_at) DESC, v.id DESC",
	"originallyPublishedAt":  "COALESCE(v.originally_published_at, v.published_at) ASC, v.id ASC",
	// The ratings and comments stores keep these counters on the row.
	"-likes":    "v.likes DESC, v.id DESC",
	"likes":     "v.likes ASC, v.id ASC",
	"-comments": "v.comments DESC, v.id DESC",
	"comments":  "v.comments ASC, v.id ASC",
	// PeerTube's "hot" (Reddit's formula): log10 of likes, dislikes, views
	// and comments with fixed weights, plus the publication date in
	// half-days since 2015-10-29.
	// "best" is hot minus a penalty for what the viewer already watched:
	// without a watch history, it is hot.
	"-hot":  hotScore + " DESC, v.id DESC",
	"hot":   hotScore + " ASC, v.id ASC",
	"-best": hotScore + " DESC, v.id DESC",
	"best":  hotScore + " ASC, v.id ASC",
	// The size of the files the video takes on this box: its original,
	// which dominates (the renditions are smaller or copied from it).
	"-localVideoFilesSize": "v.size DESC, v.id DESC",
	"localVideoFilesSize":  "v.size ASC, v.id ASC",
	// "match" is a search's relevance: outside a search every video
	// matches as much (PeerTube's similarity is 0), so the newest come
	// first.
	"-match": "v.published_at DESC, v.id DESC",
	"match":  "v.published_at DESC, v.id DESC",
}

// hotScore is PeerTube's hot formula on what Cabane stores (see videoSorts).
const hotScore = "(log10(MAX(1, v.views * 16 + v.likes * 150 - v.dislikes * 150 + v.comments * 100)) + ((COALESCE(v.published_at, v.created_at) / 1000.0) - 1446156582) / 47000)"

// List returns one page and the total matching.
func (s *Videos) List(ctx context.Context, q repo.VideoQuery) ([]model.Video, int, error) {
	var where []string
	var args []any
	trending := q.Sort == "-trending" || q.Sort == "trending"
	order, ok := videoSorts[q.Sort]
	if !ok {
		order = videoSorts["-publishedAt"]
	}
	if len(q.Privacies) > 0 {
		privacy := "v.privacy IN (" + strings.TrimSuffix(strings.Repeat("?,", len(q.Privacies)), ",") + ")"
		args = append(args, model.StatePublished)
		for _, p := range q.Privacies {
			args = append(args, p)
		}
		if len(q.SupportersOf) > 0 { // supporters.go
			privacy = "(" + privacy + " OR v.privacy = ? AND v.channel_id IN (SELECT id FROM channels WHERE account_id IN (" +
				strings.TrimSuffix(strings.Repeat("?,", len(q.SupportersOf)), ",") + ")))"
			args = append(args, model.PrivacySupporters)
			for _, a := range q.SupportersOf {
				args = append(args, a)
			}
		}
		where = append(where, "v.state = ?", privacy)
	} else {
		// Unpublished videos have no publication date yet: their upload
		// date stands in.
		order = strings.ReplaceAll(order, "v.published_at", "COALESCE(v.published_at, v.created_at)")
	}
	if q.ChannelID != 0 {
		where = append(where, "v.channel_id = ?")
		args = append(args, q.ChannelID)
	}
	if q.AccountID != 0 {
		where = append(where, "v.channel_id IN (SELECT id FROM channels WHERE account_id = ?)")
		args = append(args, q.AccountID)
	}
	if q.SubscriberAccountID != 0 {
		where = append(where, "v.channel_id IN (SELECT channel_id FROM subscriptions WHERE account_id = ?)")
		args = append(args, q.SubscriberAccountID)
	}
	if c, a := blockedChannels("v.channel_id", q.HideServerBlocked, q.MutedByAccountID); c != "" {
		where = append(where, c)
		args = append(args, a...)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	// The count needs no join: it reads the (state, privacy) index alone,
	// and is remembered until the next write.
	key := countKey(cond, args)
	total, gen, ok := s.counts.get(key)
	if !ok {
		if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM videos v"+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count videos: %w", classify(err))
		}
		s.counts.put(key, gen, total)
	}
	if q.Count <= 0 {
		q.Count = 15
	}
	if total == 0 || q.Start >= total {
		return nil, total, nil
	}
	shape := fullVideo
	if q.Summary {
		shape = summaryVideo
	}
	if trending {
		out, err := s.listTrending(ctx, shape, q, cond, args)
		return out, total, err
	}
	out, err := s.page(ctx, shape, cond, order, args, q.Count, q.Start)
	return out, total, err
}

// page reads one page of ids on the videos table alone, then joins it.
func (s *Videos) page(ctx context.Context, shape videoShape, cond, order string, args []any, count, start int) ([]model.Video, error) {
	rows, err := s.q.QueryContext(ctx, "SELECT "+shape.cols+videoFrom+"WHERE v.id IN (SELECT v.id FROM videos v"+cond+
		" ORDER BY "+order+" LIMIT ? OFFSET ?) ORDER BY "+order, append(slices.Clip(args), count, start)...)
	if err != nil {
		return nil, fmt.Errorf("list videos: %w", classify(err))
	}
	return collect(rows, shape.scan)
}

// listTrending is PeerTube's trending: the views of the last q.TrendingDays
// days, most first (ties: newest first). Only the videos watched in those
// days have a score, and they are few next to the instance's whole
// catalogue; so they are ranked from the daily-views table, and the rest
// (score 0) follow in the publication order an index gives, instead of
// scoring and sorting every video for each page. Ascending (least
// trending first) puts the unwatched first, then the watched, least first.
func (s *Videos) listTrending(ctx context.Context, shape videoShape, q repo.VideoQuery, cond string, args []any) ([]model.Video, error) {
	days := max(1, q.TrendingDays)
	since := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -(days - 1)).UnixMilli()
	desc := q.Sort == "-trending"
	dir := "DESC"
	if !desc {
		dir = "ASC"
	}
	recent := "SELECT video_id FROM video_views_daily WHERE day >= ?"
	and := " WHERE "
	if cond != "" {
		and = cond + " AND "
	}
	// The watched, ranked: from the daily views first (CROSS JOIN keeps
	// SQLite from scanning every visible video to probe them), and
	// remembered until views are written or a listing changes.
	scored := "SELECT v.id FROM (SELECT video_id, SUM(views) AS score FROM video_views_daily WHERE day >= ? GROUP BY video_id) t" +
		" CROSS JOIN videos v ON v.id = t.video_id" + cond + " ORDER BY t.score " + dir + ", v.published_at DESC, v.id DESC"
	key := countKey(scored, append([]any{since}, args...))
	watched, gen, ok := s.counts.getRanked(key)
	if !ok {
		rows, err := s.q.QueryContext(ctx, scored, append([]any{since}, args...)...)
		if err != nil {
			return nil, fmt.Errorf("trending videos: %w", classify(err))
		}
		watched = []int64{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, classify(err)
			}
			watched = append(watched, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, classify(err)
		}
		s.counts.putRanked(key, gen, watched)
	}
	// The unwatched, newest first: the -publishedAt index, skipping the
	// watched.
	order := "v.published_at DESC, v.id DESC"
	if len(q.Privacies) == 0 {
		order = "COALESCE(v.published_at, v.created_at) DESC, v.id DESC"
	}
	restCond := and + "v.id NOT IN (" + recent + ")"
	restArgs := append(slices.Clip(args), since)
	first, second := watched, func(count, start int) ([]model.Video, error) {
		return s.page(ctx, shape, restCond, order, restArgs, count, start)
	}
	var out []model.Video
	if desc {
		if q.Start < len(first) {
			ids := first[q.Start:min(len(first), q.Start+q.Count)]
			vs, err := s.byIDsShaped(ctx, shape, ids)
			if err != nil {
				return nil, err
			}
			out = append(out, vs...)
		}
		if n := q.Count - len(out); n > 0 {
			vs, err := second(n, max(0, q.Start-len(first)))
			if err != nil {
				return nil, err
			}
			out = append(out, vs...)
		}
		return out, nil
	}
	// Ascending: the unwatched first (newest first among equals), then the
	// watched.
	var restTotal int
	if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM videos v"+restCond, restArgs...).Scan(&restTotal); err != nil {
		return nil, classify(err)
	}
	if q.Start < restTotal {
		vs, err := second(q.Count, q.Start)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	if n := q.Count - len(out); n > 0 {
		from := max(0, q.Start-restTotal)
		if from < len(first) {
			vs, err := s.byIDsShaped(ctx, shape, first[from:min(len(first), from+n)])
			if err != nil {
				return nil, err
			}
			out = append(out, vs...)
		}
	}
	return out, nil
}

// byIDs reads videos in the order of ids.
func (s *Videos) byIDs(ctx context.Context, ids []int64) ([]model.Video, error) {
	return s.byIDsShaped(ctx, fullVideo, ids)
}

func (s *Videos) byIDsShaped(ctx context.Context, shape videoShape, ids []int64) ([]model.Video, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	rows, err := s.q.QueryContext(ctx, "SELECT "+shape.cols+videoFrom+"WHERE v.id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(ids)), ",")+")", args...)
	if err != nil {
		return nil, fmt.Errorf("read videos: %w", classify(err))
	}
	defer rows.Close()
	byID := map[int64]model.Video{}
	for rows.Next() {
		v, err := shape.scan(rows)
		if err != nil {
			return nil, err
		}
		byID[v.ID] = v
	}
	if err := rows.Err(); err != nil {
		return nil, classify(err)
	}
	out := make([]model.Video, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out, nil
}

// SetProgress records the processing percentage.
func (s *Videos) SetProgress(ctx context.Context, id int64, pct float64) error {
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET progress = ?, updated_at = ? WHERE id = ?", pct, now(), id)
	return classify(err)
}

// SetFailed marks processing as failed with a reason a person can read.
func (s *Videos) SetFailed(ctx context.Context, id int64, reason string) error {
	defer s.counts.invalidate()
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET state = ?, error = ?, updated_at = ? WHERE id = ?", model.StateTranscodingFailed, reason, now(), id)
	return classify(err)
}

// SetState sets a video's state.
func (s *Videos) SetState(ctx context.Context, id int64, state int) error {
	defer s.counts.invalidate()
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET state = ?, updated_at = ? WHERE id = ?", state, now(), id)
	return classify(err)
}

// SetDuration records the duration of what was packaged (a truncated
// upload can announce more than it holds).
func (s *Videos) SetDuration(ctx context.Context, id int64, d time.Duration) error {
	defer s.counts.invalidate() // listings show it
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET duration_ms = ?, updated_at = ? WHERE id = ?", d.Milliseconds(), now(), id)
	return classify(err)
}

// FailAbandoned marks failed the videos still waiting for processing whose
// processing job has given up (a job interrupted by crashes on its last
// attempt ends failed without its handler running). The job's video is its
// video_id column (indexed), never its payload.
func (s *Videos) FailAbandoned(ctx context.Context, kind string) (int64, error) {
	defer s.counts.invalidate()
	res, err := s.q.ExecContext(ctx, `UPDATE videos SET state = ?, error = 'processing stopped after repeated interruptions', updated_at = ?
		WHERE state = ? AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.video_id = videos.id AND j.kind = ?
			AND j.state IN ('queued', 'running'))
		AND EXISTS (SELECT 1 FROM jobs j WHERE j.video_id = videos.id AND j.kind = ? AND j.state = 'failed')`,
		model.StateTranscodingFailed, now(), model.StateToTranscode, kind, kind)
	if err != nil {
		return 0, classify(err)
	}
	return res.RowsAffected()
}

// SetThumbnail records that thumbnail and preview images exist.
func (s *Videos) SetThumbnail(ctx context.Context, id int64) error {
	defer s.counts.invalidate() // listings show it
	_, err := s.q.ExecContext(ctx, "UPDATE videos SET has_thumbnail = 1, updated_at = ? WHERE id = ?", now(), id)
	return classify(err)
}

// AddRenditions records finished renditions of one video and publishes the
// video if it was not yet: the first playable rendition is the moment of
// publication. The renditions land together.
func (s *Videos) AddRenditions(ctx context.Context, videoID int64, rs ...model.Rendition) error {
	defer s.counts.invalidate()
	return s.atomic(ctx, func(q dbtx) error { return addRenditions(ctx, q, videoID, rs) })
}

func addRenditions(ctx context.Context, q dbtx, videoID int64, rs []model.Rendition) error {
	t := now()
	for _, r := range rs {
		if _, err := q.ExecContext(ctx, `INSERT INTO renditions(video_id, name, width, height, fps, bandwidth, average_bandwidth, codecs, size, copied, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(video_id, name) DO UPDATE SET width=excluded.width, height=excluded.height, fps=excluded.fps,
		bandwidth=excluded.bandwidth, average_bandwidth=excluded.average_bandwidth, codecs=excluded.codecs, size=excluded.size, copied=excluded.copied`,
			videoID, r.Name, r.Width, r.Height, r.FPS, r.Bandwidth, r.AverageBandwidth, r.Codecs, r.Size, r.Copied, t); err != nil {
			return fmt.Errorf("insert rendition %s: %w", r.Name, classify(err))
		}
	}
	_, err := q.ExecContext(ctx, `UPDATE videos SET state = ?, error = '', published_at = COALESCE(published_at, ?), updated_at = ? WHERE id = ?`,
		model.StatePublished, t, t, videoID)
	return classify(err)
}

// Renditions lists a video's renditions, highest bandwidth first.
func (s *Videos) Renditions(ctx context.Context, videoID int64) ([]model.Rendition, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT id, video_id, name, width, height, fps, bandwidth, average_bandwidth, codecs, size, copied
		FROM renditions WHERE video_id = ? ORDER BY bandwidth DESC`, videoID)
	if err != nil {
		return nil, classify(err)
	}
	defer rows.Close()
	var out []model.Rendition
	for rows.Next() {
		var r model.Rendition
		if err := rows.Scan(&r.ID, &r.VideoID, &r.Name, &r.Width, &r.Height, &r.FPS, &r.Bandwidth, &r.AverageBandwidth, &r.Codecs, &r.Size, &r.Copied); err != nil {
			return nil, classify(err)
		}
		out = append(out, r)
	}
	return out, classify(rows.Err())
}

// AddViews adds counted views (views are batched in memory) in one write,
// to each video's total and to today's count (trending).
func (s *Videos) AddViews(ctx context.Context, counts map[int64]int64) error {
	defer s.counts.invalidate() // trending rankings and views-sorted listings
	at := time.Now()
	return s.atomic(ctx, func(q dbtx) error {
		for id, n := range counts {
			res, err := q.ExecContext(ctx, "UPDATE videos SET views = views + ? WHERE id = ?", n, id)
			if err != nil {
				return classify(err)
			}
			if k, _ := res.RowsAffected(); k == 0 {
				continue // deleted since it was watched
			}
			if err := addDailyViews(ctx, q, id, n, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// Generation changes with every write that can change a listing (a video
// created, published, failed): what a cache of listings checks.
func (s *Videos) Generation() uint64 { return s.counts.generation() }

// Count is for the instance's stats.
func (s *Videos) Count(ctx context.Context) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, "SELECT COUNT(*) FROM videos").Scan(&n)
	return n, classify(err)
}

var _ repo.Videos = (*Videos)(nil)
var _ repo.Accounts = (*Accounts)(nil)
var _ repo.Sessions = (*Sessions)(nil)
var _ repo.Settings = (*Settings)(nil)
