package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Search answers searches and filtered listings (repo.Search) from the
// FTS5 tables of migration 0007, which triggers keep in step with every
// write. Like Comments, it sits beside Aggregates: it only reads.
type Search struct{ base }

// Search returns the search queries on the pool.
func (s *Store) Search() *Search { return &Search{base{q: s.stmts, db: s.db, counts: s.counts}} }

// bm25Weights rank a match in the name first, then the tags, the channel,
// and last the description (columns of video_search, in order).
const bm25Weights = "10.0, 2.0, 6.0, 4.0"

// placeholders is "?,?,?" for n values.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

func lowered(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}

// Videos returns a page of the published videos f selects, and how many
// there are (0 with SkipCount).
func (s *Search) Videos(ctx context.Context, f repo.VideoFilter) ([]model.Video, int, error) {
	if len(f.Privacies) == 0 {
		return nil, 0, fmt.Errorf("search videos: no privacy given")
	}
	// A search ranked by relevance joins the match's bm25 scores, match
	// first: CROSS JOIN fixes that order (the other way, SQLite probes the
	// index with "rowid = v.id AND MATCH" for every video, which reruns
	// the whole match each time: minutes with 10,000 videos). Any other
	// order keeps the listings' plan: the video index read in order, each
	// row checked against the match's ids (computed once), stopping at
	// the page's end.
	ranked := f.Match != "" && (f.Sort == "" || f.Sort == "-match" || f.Sort == "match")
	from := " FROM videos v"
	var args []any
	if ranked {
		from = " FROM (SELECT rowid AS id, bm25(video_search, " + bm25Weights + ") AS rank FROM video_search WHERE video_search MATCH ?) m CROSS JOIN videos v ON v.id = m.id"
		args = append(args, f.Match)
	}
	where := []string{"v.state = ?", "v.privacy IN (" + placeholders(len(f.Privacies)) + ")"}
	args = append(args, model.StatePublished)
	for _, p := range f.Privacies {
		args = append(args, p)
	}
	if f.Match != "" && !ranked {
		where = append(where, "+v.id IN (SELECT rowid FROM video_search WHERE video_search MATCH ?)") // "+": not a lookup by id
		args = append(args, f.Match)
	}
	add := func(cond string, a ...any) { where = append(where, cond); args = append(args, a...) }
	if f.ChannelID != 0 {
		add("v.channel_id = ?", f.ChannelID)
	}
	if f.AccountID != 0 {
		add("v.channel_id IN (SELECT id FROM channels WHERE account_id = ?)", f.AccountID)
	}
	if len(f.UUIDs) > 0 {
		a := make([]any, len(f.UUIDs))
		for i, u := range f.UUIDs {
			a[i] = u
		}
		add("v.uuid IN ("+placeholders(len(a))+")", a...)
	}
	if len(f.CategoryOneOf) > 0 {
		add("v.category IN ("+placeholders(len(f.CategoryOneOf))+")", ints(f.CategoryOneOf)...)
	}
	if len(f.LicenceOneOf) > 0 {
		add("v.licence IN ("+placeholders(len(f.LicenceOneOf))+")", ints(f.LicenceOneOf)...)
	}
	if len(f.LanguageOneOf) > 0 {
		var langs []any
		unknown := false
		for _, l := range f.LanguageOneOf {
			if l == "_unknown" {
				unknown = true
				continue
			}
			langs = append(langs, l)
		}
		var or []string
		if len(langs) > 0 {
			or = append(or, "v.language IN ("+placeholders(len(langs))+")")
		}
		if unknown {
			or = append(or, "v.language IS NULL")
		}
		add("("+strings.Join(or, " OR ")+")", langs...)
	}
	// Tags compare without case, as PeerTube (lower(name)); the tag index
	// is on name COLLATE NOCASE.
	if len(f.TagsOneOf) > 0 {
		add("v.id IN (SELECT video_id FROM video_tags WHERE name COLLATE NOCASE IN ("+placeholders(len(f.TagsOneOf))+"))", lowered(f.TagsOneOf)...)
	}
	if len(f.TagsAllOf) > 0 {
		all := slices.Compact(slices.Sorted(slices.Values(func() []string {
			out := make([]string, len(f.TagsAllOf))
			for i, t := range f.TagsAllOf {
				out[i] = strings.ToLower(t)
			}
			return out
		}())))
		a := make([]any, 0, len(all)+1)
		for _, t := range all {
			a = append(a, t)
		}
		a = append(a, len(all))
		add("(SELECT COUNT(DISTINCT lower(name)) FROM video_tags t WHERE t.video_id = v.id AND t.name COLLATE NOCASE IN ("+placeholders(len(all))+")) = ?", a...)
	}
	if c, a := blockedChannels("v.channel_id", f.HideServerBlocked, f.MutedByAccountID); c != "" {
		add(c, a...)
	}
	if f.NSFW != nil {
		add("v.nsfw = ?", *f.NSFW)
	}
	if f.Local != nil && *f.Local {
		add("v.channel_id IN (SELECT id FROM channels WHERE remote_actor_id IS NULL)")
	} else if f.Local != nil {
		add("v.channel_id IN (SELECT id FROM channels WHERE remote_actor_id IS NOT NULL)")
	}
	if f.RemoteHost != "" {
		add("v.channel_id IN (SELECT c.id FROM channels c JOIN remote_actors r ON r.id = c.remote_actor_id WHERE r.host = ? COLLATE NOCASE)",
			f.RemoteHost)
	}
	if f.DurationMin > 0 {
		add("v.duration_ms >= ?", f.DurationMin.Milliseconds())
	}
	if f.DurationMax > 0 {
		add("v.duration_ms <= ?", f.DurationMax.Milliseconds())
	}
	if !f.PublishedAfter.IsZero() {
		add("v.published_at >= ?", f.PublishedAfter.UnixMilli())
	}
	if !f.PublishedBefore.IsZero() {
		add("v.published_at <= ?", f.PublishedBefore.UnixMilli())
	}
	if !f.OriginallyPublishedAfter.IsZero() {
		add("COALESCE(v.originally_published_at, v.published_at) >= ?", f.OriginallyPublishedAfter.UnixMilli())
	}
	if !f.OriginallyPublishedBefore.IsZero() {
		add("COALESCE(v.originally_published_at, v.published_at) <= ?", f.OriginallyPublishedBefore.UnixMilli())
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	if f.Count <= 0 {
		f.Count = 15
	}
	if f.Match != "" {
		return s.rankedPage(ctx, from+cond, args, f)
	}

	total := 0
	if !f.SkipCount {
		if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*)"+from+cond, args...).Scan(&total); err != nil {
			return nil, 0, fmt.Errorf("count search: %w", classify(err))
		}
		if total == 0 || f.Start >= total {
			return nil, total, nil
		}
	}
	order, orderArgs := searchOrder(f)
	rows, err := s.q.QueryContext(ctx, "SELECT v.id"+from+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(append(slices.Clip(args), orderArgs...), f.Count, f.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("search videos: %w", classify(err))
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, classify(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, classify(err)
	}
	vs, err := (&Videos{s.base}).byIDsShaped(ctx, searchShape(f), ids)
	return vs, total, err
}

// rankedPage is a page of a text search. Ranking needs every match's bm25
// score, and any other order the set of matching ids (each costs tens of
// milliseconds when 10,000 videos match a word), so a search's ordered ids
// are remembered until the next write that can change a listing, as
// trending's are: its next pages, the same search by others, and the
// total read them.
func (s *Search) rankedPage(ctx context.Context, fromWhere string, args []any, f repo.VideoFilter) ([]model.Video, int, error) {
	order, orderArgs := searchOrder(f)
	query := "SELECT v.id" + fromWhere + " ORDER BY " + order
	args = append(slices.Clip(args), orderArgs...)
	key := countKey("search "+query, args)
	ids, gen, ok := s.counts.getRanked(key)
	if !ok {
		rows, err := s.q.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, 0, fmt.Errorf("search videos: %w", classify(err))
		}
		ids = []int64{}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, 0, classify(err)
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, classify(err)
		}
		s.counts.putRanked(key, gen, ids)
	}
	total := len(ids)
	if f.Start >= total {
		return nil, total, nil
	}
	vs, err := (&Videos{s.base}).byIDsShaped(ctx, searchShape(f), ids[f.Start:min(total, f.Start+f.Count)])
	return vs, total, err
}

// searchShape is the columns a search reads: a third fewer for the API's
// lists (f.Summary), as the listings read.
func searchShape(f repo.VideoFilter) videoShape {
	if f.Summary {
		return summaryVideo
	}
	return fullVideo
}

// searchOrder is the ORDER BY of f's sort: the listings' (videoSorts),
// bm25 for a search's "-match", and trending as a score of the last days'
// views (a search's page is small enough to score each match).
func searchOrder(f repo.VideoFilter) (string, []any) {
	switch f.Sort {
	case "-match", "match":
		if f.Match == "" {
			break
		}
		if f.Sort == "-match" {
			return "m.rank ASC, v.published_at DESC, v.id DESC", nil // bm25: lower is better
		}
		return "m.rank DESC, v.id ASC", nil
	case "-trending", "trending":
		days := max(1, f.TrendingDays)
		since := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -(days - 1)).UnixMilli()
		score := "(SELECT COALESCE(SUM(d.views), 0) FROM video_views_daily d WHERE d.video_id = v.id AND d.day >= ?)"
		if f.Sort == "-trending" {
			return score + " DESC, v.published_at DESC, v.id DESC", []any{since}
		}
		return score + " ASC, v.published_at DESC, v.id DESC", []any{since}
	}
	if o, ok := videoSorts[f.Sort]; ok {
		return o, nil
	}
	if f.Match != "" && f.Sort == "" {
		return "m.rank ASC, v.published_at DESC, v.id DESC", nil
	}
	return videoSorts["-publishedAt"], nil
}

func ints(ns []int) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = n
	}
	return out
}

var channelSorts = map[string]string{
	"id": "c.id ASC", "-id": "c.id DESC",
	"name": "c.name COLLATE NOCASE ASC, c.id ASC", "-name": "c.name COLLATE NOCASE DESC, c.id DESC",
	"createdAt": "c.created_at ASC, c.id ASC", "-createdAt": "c.created_at DESC, c.id DESC",
	// Channels have no update date of their own yet: their creation's.
	"updatedAt": "c.created_at ASC, c.id ASC", "-updatedAt": "c.created_at DESC, c.id DESC",
	"videosCount": "videos_count ASC, c.id ASC", "-videosCount": "videos_count DESC, c.id DESC",
}

// Channels returns a page of channels with the count of their listed
// videos, and how many channels f selects.
func (s *Search) Channels(ctx context.Context, f repo.ChannelFilter) ([]repo.ChannelStats, int, error) {
	from := channelFrom
	var args []any
	if f.Match != "" {
		// The match first, as for videos (see Videos).
		from = " FROM (SELECT rowid AS id, bm25(channel_search, 4.0, 10.0, 1.0) AS rank FROM channel_search WHERE channel_search MATCH ?) m" +
			" CROSS JOIN channels c ON c.id = m.id JOIN accounts a ON a.id = c.account_id "
		args = append(args, f.Match)
	}
	var where []string
	if f.AccountID != 0 {
		where = append(where, "c.account_id = ?")
		args = append(args, f.AccountID)
	}
	if len(f.Names) > 0 {
		where = append(where, "c.name IN ("+placeholders(len(f.Names))+")")
		for _, n := range f.Names {
			args = append(args, n)
		}
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := s.q.QueryRowContext(ctx, "SELECT COUNT(*)"+from+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count channels: %w", classify(err))
	}
	if total == 0 || f.Start >= total {
		return nil, total, nil
	}
	order, ok := channelSorts[f.Sort]
	switch {
	case f.Match != "" && (f.Sort == "" || f.Sort == "-match"):
		order = "m.rank ASC, c.id ASC"
	case f.Match != "" && f.Sort == "match":
		order = "m.rank DESC, c.id ASC"
	case !ok:
		order = channelSorts["-createdAt"]
	}
	if f.Count <= 0 {
		f.Count = 15
	}
	privs := []any{model.StatePublished}
	for _, p := range f.Privacies {
		privs = append(privs, p)
	}
	count := "0"
	if len(f.Privacies) > 0 {
		count = "(SELECT COUNT(*) FROM videos v WHERE v.channel_id = c.id AND v.state = ? AND v.privacy IN (" + placeholders(len(f.Privacies)) + "))"
	} else {
		privs = nil
	}
	rows, err := s.q.QueryContext(ctx, "SELECT "+channelCols+", "+count+" AS videos_count"+from+cond+" ORDER BY "+order+" LIMIT ? OFFSET ?",
		append(append(privs, args...), f.Count, f.Start)...)
	if err != nil {
		return nil, 0, fmt.Errorf("list channels: %w", classify(err))
	}
	defer rows.Close()
	var out []repo.ChannelStats
	for rows.Next() {
		var cs repo.ChannelStats
		var created, acreated int64
		c, a := &cs.Channel, &cs.Channel.Account
		if err := rows.Scan(append(channelDest(c, &created, &acreated), &cs.VideosCount)...); err != nil {
			return nil, 0, classify(err)
		}
		c.CreatedAt, a.CreatedAt = time.UnixMilli(created), time.UnixMilli(acreated)
		out = append(out, cs)
	}
	return out, total, classify(rows.Err())
}

// Samples are PeerTube's overview samples: the categories, channels and
// tags with at least threshold listed videos, most videos first.
func (s *Search) Samples(ctx context.Context, privacies []int, threshold, count int) ([]int, []int64, []string, error) {
	if len(privacies) == 0 {
		return nil, nil, nil, nil
	}
	vis := "v.state = ? AND v.privacy IN (" + placeholders(len(privacies)) + ")"
	args := []any{model.StatePublished}
	for _, p := range privacies {
		args = append(args, p)
	}
	args = append(args, threshold, count)
	cats, err := column[int](ctx, s.q, "SELECT v.category FROM videos v WHERE "+vis+" AND v.category IS NOT NULL GROUP BY v.category HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, v.category LIMIT ?", args)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sample categories: %w", err)
	}
	chans, err := column[int64](ctx, s.q, "SELECT v.channel_id FROM videos v WHERE "+vis+" GROUP BY v.channel_id HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, v.channel_id LIMIT ?", args)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sample channels: %w", err)
	}
	tags, err := column[string](ctx, s.q, "SELECT lower(t.name) FROM video_tags t JOIN videos v ON v.id = t.video_id WHERE "+vis+" GROUP BY lower(t.name) HAVING COUNT(*) >= ? ORDER BY COUNT(*) DESC, lower(t.name) LIMIT ?", args)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sample tags: %w", err)
	}
	return cats, chans, tags, nil
}

var _ repo.Search = (*Search)(nil)
