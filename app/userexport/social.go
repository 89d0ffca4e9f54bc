package userexport

import (
	"context"
	"encoding/json"
	"fmt"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// NotificationKeys are PeerTube's notification settings
// (UserNotificationSetting, packages/models/src/users/
// user-notification-setting.model.ts), as its importer reads them.
var NotificationKeys = []string{"newVideoFromSubscription", "newCommentOnMyVideo", "myVideoImportFinished", "myVideoPublished",
	"abuseAsModerator", "videoAutoBlacklistAsModerator", "blacklistOnMyVideo", "newUserRegistration", "commentMention", "newFollow",
	"newInstanceFollower", "abuseNewMessage", "abuseStateChange", "autoInstanceFollowing", "newPeerTubeVersion", "newPluginVersion",
	"myVideoStudioEditionFinished", "myVideoTranscriptionGenerated"}

// videoURL is a video's IRI: its origin's for a remote one.
func (s *Service) videoURL(uuid, iri string) string {
	if iri != "" {
		return iri
	}
	return s.URIs.Abs(uris.Watch(uuid))
}

// handle is name@host, this server's host for a local one.
func (s *Service) handle(name, host string) string {
	if host == "" {
		return s.URIs.Handle(name)
	}
	return name + "@" + host
}

func collection[T any](id string, items []T) Collection[T] {
	if items == nil {
		items = []T{}
	}
	return Collection[T]{Context: json.RawMessage(vocab.CollectionContext), ID: id, Type: "OrderedCollection",
		TotalItems: len(items), OrderedItems: items}
}

// social writes the small files: comments, rates, follows, playlists,
// blocklist, settings, and the ones Cabane has no data for.
func (s *Service) social(ctx context.Context, a *archive, u repo.ExportUser, viewer visibility.Viewer, ob *outboxWriter) error {
	comments, err := s.Store.ExportComments(ctx, u.AccountID)
	if err != nil {
		return err
	}
	cj := CommentsJSON{Comments: []CommentJSON{}}
	for _, c := range comments {
		url := c.IRI
		if url == "" {
			url = s.URIs.Abs(uris.Comment(c.VideoUUID, c.ID))
		}
		j := CommentJSON{URL: url, Text: c.Text, CreatedAt: iso(c.CreatedAt), VideoURL: s.videoURL(c.VideoUUID, c.VideoIRI)}
		if c.InReplyToID != 0 {
			j.InReplyToCommentURL = c.InReplyToIRI
			if j.InReplyToCommentURL == "" {
				j.InReplyToCommentURL = s.URIs.Abs(uris.Comment(c.InReplyToVideoUUID, c.InReplyToID))
			}
		}
		cj.Comments = append(cj.Comments, j)
		// The outbox has each comment's Create of its Note, as served
		// (PeerTube's CommentsExporter); one that does not federate (a
		// private video's, held for review) is in comments.json alone.
		if s.AP != nil {
			if doc, err := s.AP.Comment(ctx, c.VideoUUID, c.ID); err == nil && doc.Note != nil {
				note := *doc.Note
				note.Context = nil
				if err := ob.add(createActivity{Type: "Create", ID: note.ID + "/activity", Actor: note.AttributedTo,
					To: note.To, Cc: note.Cc, Object: note}); err != nil {
					return err
				}
			}
		}
	}
	if err := a.json("peertube/comments.json", cj); err != nil {
		return err
	}

	rates, err := s.Store.ExportRates(ctx, u.AccountID)
	if err != nil {
		return err
	}
	likes, dislikes := LikesJSON{Likes: []RateJSON{}}, DislikesJSON{Dislikes: []RateJSON{}}
	var likeURLs, dislikeURLs []string
	for _, r := range rates {
		j := RateJSON{VideoURL: s.videoURL(r.VideoUUID, r.VideoIRI), CreatedAt: iso(r.CreatedAt)}
		if r.Type == "like" {
			likes.Likes = append(likes.Likes, j)
			likeURLs = append(likeURLs, j.VideoURL)
		} else {
			dislikes.Dislikes = append(dislikes.Dislikes, j)
			dislikeURLs = append(dislikeURLs, j.VideoURL)
		}
	}
	for _, f := range []struct {
		name string
		v    any
	}{
		{"peertube/likes.json", likes}, {"activity-pub/likes.json", collection("likes.json", likeURLs)},
		{"peertube/dislikes.json", dislikes}, {"activity-pub/dislikes.json", collection("dislikes.json", dislikeURLs)},
	} {
		if err := a.json(f.name, f.v); err != nil {
			return err
		}
	}

	me := s.URIs.Handle(u.AccountName)
	following, err := s.Store.ExportFollowing(ctx, u.AccountID)
	if err != nil {
		return err
	}
	fj := FollowingJSON{Following: []FollowJSON{}}
	var followingURLs []string
	for _, f := range following {
		fj.Following = append(fj.Following, FollowJSON{Handle: me, TargetHandle: s.handle(f.Name, f.Host), CreatedAt: iso(f.CreatedAt)})
		iri := f.IRI
		if iri == "" {
			iri = s.URIs.Abs(uris.Channel(f.Name))
		}
		followingURLs = append(followingURLs, iri)
	}
	if err := a.json("peertube/following.json", fj); err != nil {
		return err
	}
	if err := a.json("activity-pub/following.json", collection("following.json", followingURLs)); err != nil {
		return err
	}
	followers, err := s.Store.ExportFollowers(ctx, u.AccountID)
	if err != nil {
		return err
	}
	frj := FollowersJSON{Followers: []FollowJSON{}}
	for _, f := range followers {
		frj.Followers = append(frj.Followers, FollowJSON{Handle: s.handle(f.Name, f.Host), TargetHandle: s.URIs.Handle(f.Target), CreatedAt: iso(f.CreatedAt)})
	}
	// PeerTube's exporter names this one follower.json.
	if err := a.json("peertube/follower.json", frj); err != nil {
		return err
	}

	pls, err := s.Store.ExportPlaylists(ctx, u.AccountID)
	if err != nil {
		return err
	}
	pj := PlaylistsJSON{VideoPlaylists: []PlaylistJSON{}}
	for _, p := range pls {
		j := PlaylistJSON{DisplayName: p.DisplayName, Description: p.Description, Privacy: p.Privacy, URL: s.URIs.Abs(uris.Playlist(p.UUID)),
			UUID: p.UUID, Type: p.Type, CreatedAt: iso(p.CreatedAt), UpdatedAt: iso(p.UpdatedAt), Elements: []PlaylistElementJSON{}}
		if p.ChannelName != "" {
			j.Channel.Name = strp(p.ChannelName)
		}
		for _, e := range p.Elements {
			j.Elements = append(j.Elements, PlaylistElementJSON{VideoURL: s.videoURL(e.VideoUUID, e.VideoIRI), StartTimestamp: e.Start, StopTimestamp: e.Stop})
		}
		pj.VideoPlaylists = append(pj.VideoPlaylists, j)
	}
	if err := a.json("peertube/video-playlists.json", pj); err != nil {
		return err
	}

	blocked, hosts, err := s.Store.ExportBlocklist(ctx, u.AccountID)
	if err != nil {
		return err
	}
	bj := BlocklistJSON{Instances: []BlockedHost{}, Actors: []BlockedActor{}}
	for _, h := range hosts {
		bj.Instances = append(bj.Instances, BlockedHost{Host: h})
	}
	for _, b := range blocked {
		bj.Actors = append(bj.Actors, BlockedActor{Handle: s.handle(b.Name, b.Host)})
	}
	if err := a.json("peertube/blocklist.json", bj); err != nil {
		return err
	}

	settings := UserSettingsJSON{Email: u.Email, NSFWPolicy: "blur", AutoPlayVideo: true, AutoPlayNextVideo: false,
		AutoPlayNextVideoPlaylist: true, P2PEnabled: false, VideosHistoryEnabled: false, VideoLanguages: nil, Language: "",
		Theme: "instance-default", CreatedAt: iso(u.CreatedAt), NotificationSettings: map[string]int{}}
	if s.Notifications != nil {
		ns, err := s.Notifications(ctx, viewer)
		if err != nil {
			return fmt.Errorf("notification settings: %w", err)
		}
		settings.NotificationSettings = ns
	}
	// PeerTube's importer writes every one of its settings
	// (user-settings-importer.ts): one Cabane does not keep goes as the
	// web notification PeerTube gives a new user.
	for _, k := range NotificationKeys {
		if _, ok := settings.NotificationSettings[k]; !ok {
			settings.NotificationSettings[k] = 1
		}
	}
	if err := a.json("peertube/user-settings.json", settings); err != nil {
		return err
	}
	h := HistoryJSON{WatchedVideos: []WatchedVideo{}}
	ww := WatchedWordsJSON{WatchedWordLists: []WatchedWordList{}}
	at := AutoTagPoliciesJSON{ReviewComments: []NameJSON{}}
	for _, f := range []struct {
		name string
		v    any
	}{{"peertube/video-history.json", h}, {"peertube/watched-words-lists.json", ww}, {"peertube/automatic-tag-policies.json", at}} {
		if err := a.json(f.name, f.v); err != nil {
			return err
		}
	}
	return nil
}
