package store

import (
	"database/sql"
	"errors"
	"strconv"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// videoShape is which columns of a video a query reads, and how to scan
// them: the full row (pages, feeds, a video's details), or the summary a
// listing's JSON needs (repo.VideoQuery.Summary).
type videoShape struct {
	cols string
	scan func(row interface{ Scan(...any) error }) (model.Video, error)
}

var (
	fullVideo    = videoShape{cols: videoCols, scan: scanVideo}
	summaryVideo = videoShape{cols: videoSummaryCols, scan: scanVideoSummary}
)

// videoSummaryCols: SQLite's substr counts characters, as the listing's
// truncation counts runes.
var videoSummaryCols = `v.id, v.uuid, v.short_uuid, v.channel_id, v.name, substr(v.description, 1, ` +
	strconv.Itoa(repo.SummaryDescriptionRunes) + `), v.privacy, v.state, v.progress, v.error,
	v.duration_ms, v.width, v.height, v.views, v.likes, v.dislikes,
	v.created_at, COALESCE(v.published_at, 0), v.updated_at,
	COALESCE(v.category, 0), COALESCE(v.licence, 0), COALESCE(v.language, ''), v.nsfw, COALESCE(v.originally_published_at, 0),
	c.account_id, c.name, c.display_name, a.name, a.display_name, COALESCE(c.remote_actor_id, 0), COALESCE(a.remote_actor_id, 0)`

func scanVideoSummary(row interface{ Scan(...any) error }) (model.Video, error) {
	var v model.Video
	var dur, created, published, updated, original int64
	c := &v.Channel
	a := &c.Account
	m := &v.Meta
	err := row.Scan(&v.ID, &v.UUID, &v.ShortUUID, &v.ChannelID, &v.Name, &v.Description, &v.Privacy, &v.State, &v.Progress, &v.Error,
		&dur, &v.Width, &v.Height, &v.Views, &v.Likes, &v.Dislikes,
		&created, &published, &updated,
		&m.Category, &m.Licence, &m.Language, &m.NSFW, &original,
		&c.AccountID, &c.Name, &c.DisplayName, &a.Name, &a.DisplayName, &c.RemoteActorID, &a.RemoteActorID)
	if errors.Is(err, sql.ErrNoRows) {
		return v, ErrNotFound
	}
	c.ID, a.ID = v.ChannelID, c.AccountID
	v.Duration = time.Duration(dur) * time.Millisecond
	v.CreatedAt, v.UpdatedAt = time.UnixMilli(created), time.UnixMilli(updated)
	if published > 0 {
		v.PublishedAt = time.UnixMilli(published)
	}
	if original != 0 {
		m.OriginallyPublishedAt = time.UnixMilli(original)
	}
	return v, classify(err)
}
