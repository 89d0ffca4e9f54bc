// Package remotevideo reads PeerTube's Video object from another server
// and keeps it as a video of its remote channel: a row of videos plus
// where it lives (store.RemoteVideo). Nothing is copied: the video plays
// from its origin's HLS and its thumbnail is hot-linked. The inbox (Create,
// Announce, Update, Delete) and the backfill of a newly followed channel
// (app/federation/following) both come through here, so one set of rules
// decides what a remote video may be.
package remotevideo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/videos"
)

var (
	// ErrInvalid: a Video PeerTube itself would refuse, or one that claims
	// a channel on another server than its own.
	ErrInvalid = errors.New("remote video: invalid Video object")
	// ErrNotFollowed: its channel is unknown here, or nobody here follows it
	// (nor its instance): it is not wanted.
	ErrNotFollowed = errors.New("remote video: its channel is not followed here")
)

// MaxRenditions bounds the files kept of a remote video (PeerTube's
// ladder has at most eight resolutions, each with one file).
const MaxRenditions = 16

// MaxInfoHashes and MaxTrackers bound what is kept of a remote video's
// swarm: one info hash per stream (a ladder and its audio), and PeerTube
// lists one WebSocket tracker.
const (
	MaxInfoHashes = 32
	MaxTrackers   = 4
)

// Doc is a remote Video as read.
type Doc struct {
	IRI     string // the Video's id
	Channel string // its Group's IRI
	Account string // its Person's IRI ("" if not named)
	Public  bool   // "to" has Public; anything else is unlisted (PeerTube's rule)
	Video   model.Video
	Remote  model.RemoteVideo
}

// Host is the Video's server.
func (d Doc) Host() string { return hostOf(d.IRI) }

// video is what is read of a Video: vocab.Video's shape, loosely typed where
// servers differ.
type video struct {
	Type                  string            `json:"type"`
	ID                    string            `json:"id"`
	UUID                  string            `json:"uuid"`
	Name                  string            `json:"name"`
	Duration              string            `json:"duration"`
	Views                 int64             `json:"views"`
	Sensitive             bool              `json:"sensitive"`
	CommentsEnabled       *bool             `json:"commentsEnabled"`
	CommentsPolicy        int               `json:"commentsPolicy"`
	DownloadEnabled       bool              `json:"downloadEnabled"`
	Published             string            `json:"published"`
	Updated               string            `json:"updated"`
	OriginallyPublishedAt *string           `json:"originallyPublishedAt"`
	Content               *string           `json:"content"`
	Support               *string           `json:"support"`
	Category              *vocab.Identifier `json:"category"`
	Licence               *vocab.Identifier `json:"licence"`
	Language              *vocab.Identifier `json:"language"`
	Tag                   []vocab.Hashtag   `json:"tag"`
	Icon                  []vocab.Image     `json:"icon"`
	URL                   []vocab.Link      `json:"url"`
	AttributedTo          []vocab.Ref       `json:"attributedTo"`
	To                    []string          `json:"to"`
	AspectRatio           *float64          `json:"aspectRatio"`
}

var durationRE = regexp.MustCompile(`^PT(\d+)S$`)

// Read checks a Video document as PeerTube's ingest does
// (sanitize-and-check-video-torrent-object: an http(s) id, a uuid, a name
// of 3 to 120 characters, a PT…S duration, dates, a url array and a Group
// in attributedTo), plus Cabane's own rule that the Group lives on the
// Video's server.
func Read(body []byte) (Doc, error) {
	var v video
	if err := json.Unmarshal(body, &v); err != nil {
		return Doc{}, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	bad := func(what string, val any) (Doc, error) {
		return Doc{}, fmt.Errorf("%w: %s %v", ErrInvalid, what, val)
	}
	id, err := uuid.Parse(v.UUID)
	n := utf8.RuneCountInString(v.Name)
	dur := durationRE.FindStringSubmatch(v.Duration)
	switch {
	case v.Type != vocab.TypeVideo:
		return bad("type", v.Type)
	case !httpURL(v.ID):
		return bad("id", v.ID)
	case err != nil:
		return bad("uuid", v.UUID)
	case n < 3 || n > 120:
		return bad("name", v.Name)
	case dur == nil:
		return bad("duration", v.Duration)
	case len(v.URL) == 0:
		return bad("url", "empty")
	}
	secs, _ := strconv.Atoi(dur[1])
	published, err1 := time.Parse(time.RFC3339, v.Published)
	updated, err2 := time.Parse(time.RFC3339, v.Updated)
	if err1 != nil || err2 != nil {
		return bad("published/updated", v.Published+" "+v.Updated)
	}
	d := Doc{IRI: v.ID}
	for _, r := range v.AttributedTo {
		switch r.Type {
		case "Group":
			if d.Channel == "" {
				d.Channel = r.ID
			}
		case "Person":
			if d.Account == "" {
				d.Account = r.ID
			}
		}
	}
	if !httpURL(d.Channel) {
		return bad("attributedTo", "has no Group")
	}
	if !strings.EqualFold(hostOf(d.Channel), hostOf(v.ID)) {
		// A server speaks for its own channels only.
		return bad("attributedTo", d.Channel+" is not on the video's server")
	}
	for _, to := range v.To {
		if to == vocab.Public || to == "as:Public" || to == "Public" {
			d.Public = true
		}
	}
	rv := model.RemoteVideo{IRI: v.ID, WatchURL: v.ID, UpdatedAt: updated}
	for _, l := range v.URL {
		switch {
		case l.MediaType == vocab.MediaHTML && httpURL(l.Href) && rv.WatchURL == v.ID:
			rv.WatchURL = l.Href
		case strings.EqualFold(l.MediaType, vocab.MediaHLS) && httpURL(l.Href) && rv.HLSURL == "":
			rv.HLSURL = l.Href
			rv.Renditions = renditions(l.Tag)
			rv.P2P.SegmentsSha256URL, rv.P2P.InfoHashes = swarm(l.Tag)
		case wsTracker(l) && len(rv.P2P.Trackers) < MaxTrackers:
			rv.P2P.Trackers = append(rv.P2P.Trackers, l.Href)
		}
	}
	best := 0
	for _, ic := range v.Icon {
		if httpURL(ic.URL) && (rv.ThumbnailURL == "" || ic.Width > best) {
			rv.ThumbnailURL, best = ic.URL, ic.Width
		}
	}
	mv := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), Name: v.Name, Privacy: model.PrivacyPublic,
		State: model.StatePublished, Duration: time.Duration(secs) * time.Second, Views: max(0, v.Views),
		PublishedAt: published, UpdatedAt: updated}
	if v.Content != nil {
		mv.Description = limit(*v.Content, 10000)
	}
	if !d.Public {
		mv.Privacy = model.PrivacyUnlisted
	}
	m := &mv.Meta
	m.NSFW, m.DownloadEnabled = v.Sensitive, v.DownloadEnabled
	// Without commentsPolicy PeerTube reads comments as disabled; older
	// servers send commentsEnabled alone.
	m.CommentsPolicy = model.CommentsDisabled
	if v.CommentsPolicy > 0 && v.CommentsPolicy <= 3 {
		m.CommentsPolicy = v.CommentsPolicy
	} else if v.CommentsEnabled != nil && *v.CommentsEnabled {
		m.CommentsPolicy = model.CommentsEnabled
	}
	if v.Support != nil {
		m.Support = limit(*v.Support, 1000)
	}
	if v.Category != nil {
		m.Category, _ = strconv.Atoi(v.Category.Identifier)
	}
	if v.Licence != nil {
		m.Licence, _ = strconv.Atoi(v.Licence.Identifier)
	}
	if v.Language != nil && len(v.Language.Identifier) <= 16 {
		m.Language = v.Language.Identifier
	}
	if v.OriginallyPublishedAt != nil {
		m.OriginallyPublishedAt, _ = time.Parse(time.RFC3339, *v.OriginallyPublishedAt)
	}
	for _, t := range v.Tag {
		if t.Type == "Hashtag" && t.Name != "" && len(m.Tags) < 5 {
			m.Tags = append(m.Tags, limit(strings.TrimPrefix(t.Name, "#"), 30))
		}
	}
	for _, r := range rv.Renditions {
		if r.Height > mv.Height {
			mv.Width, mv.Height = r.Width, r.Height
		}
	}
	if mv.Width == 0 && mv.Height > 0 && v.AspectRatio != nil && *v.AspectRatio > 0 {
		mv.Width = int(float64(mv.Height) * *v.AspectRatio)
	}
	d.Video, d.Remote = mv, rv
	return d, nil
}

// renditions are the HLS entry's video files (tag entries of type
// video/mp4).
func renditions(tags []vocab.Link) []model.RemoteRendition {
	out := []model.RemoteRendition{}
	for _, t := range tags {
		if len(out) == MaxRenditions {
			break // a ladder is a handful; more is a hostile document
		}
		if t.MediaType != vocab.MediaMP4 || !httpURL(t.Href) {
			continue
		}
		r := model.RemoteRendition{Href: t.Href}
		if t.Height != nil {
			r.Height = *t.Height
		}
		if t.Width != nil {
			r.Width = *t.Width
		}
		if t.FPS != nil {
			r.FPS = *t.FPS
		}
		if t.Size != nil {
			r.Size = *t.Size
		}
		out = append(out, r)
	}
	return out
}

// swarm is what the HLS entry's tags say of its peer-to-peer swarm
// (PeerTube's getStreamingPlaylistAttributesFromObject): the sha256 link
// (the segments' hashes) and the Infohash tags.
func swarm(tags []vocab.Link) (sha256 string, infoHashes []string) {
	for _, t := range tags {
		switch {
		case t.Type == "Link" && t.Name == "sha256" && t.MediaType == vocab.MediaJSON && httpURL(t.Href) && sha256 == "":
			sha256 = t.Href
		case t.Type == vocab.TypeInfohash && len(infoHashes) < MaxInfoHashes && infoHashRE.MatchString(t.Name):
			infoHashes = append(infoHashes, strings.ToLower(t.Name))
		}
	}
	return sha256, infoHashes
}

var infoHashRE = regexp.MustCompile(`^[0-9a-fA-F]{40}$`)

// wsTracker reports whether a url entry is a WebSocket tracker link
// (PeerTube's isAPVideoTrackerUrlObject, rel "websocket").
func wsTracker(l vocab.Link) bool {
	if !slices.Contains(l.Rel, "tracker") || !slices.Contains(l.Rel, "websocket") || len(l.Href) > 2000 {
		return false
	}
	u, err := url.Parse(l.Href)
	return err == nil && (u.Scheme == "ws" || u.Scheme == "wss") && u.Host != "" && u.User == nil
}

// Tx is what storing needs of the inbox's transaction (store.FollowsTx).
type Tx interface {
	ChannelOfActor(ctx context.Context, iri string) (model.Channel, error)
	Followed(ctx context.Context, actorIRI, host string) (bool, error)
	PutRemoteVideo(ctx context.Context, v model.Video, rv model.RemoteVideo) (int64, error)
	DeleteRemoteVideo(ctx context.Context, iri string, channelID int64) error
}

// Store keeps d as a video of its channel, which must be stored and
// followed (by a user, or its instance by the server actor); a Video no
// longer public is forgotten (only public remote videos are kept).
func Store(ctx context.Context, tx Tx, d Doc) error {
	ch, err := tx.ChannelOfActor(ctx, d.Channel)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: %s", ErrNotFollowed, d.Channel)
	}
	if err != nil {
		return err
	}
	ok, err := tx.Followed(ctx, d.Channel, d.Host())
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotFollowed, d.Channel)
	}
	if !d.Public {
		if err := tx.DeleteRemoteVideo(ctx, d.IRI, ch.ID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	}
	d.Video.ChannelID = ch.ID
	_, err = tx.PutRemoteVideo(ctx, d.Video, d.Remote)
	return err
}

var _ Tx = (*store.FollowsTx)(nil)

func httpURL(s string) bool {
	if len(s) > 2000 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

func hostOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

func limit(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
