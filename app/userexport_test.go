package app

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/internal/testrig"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// peertubeFields are the fields of each peertube/*.json file's entries as
// PeerTube's model types declare them (Chocobozzz/PeerTube,
// packages/models/src/users/user-export-import/*.ts), with their JSON
// kind: "string", "number", "boolean", "array", "object", "string|null"
// (a field PeerTube sets to null when it has no value), "?" (may be
// absent). The test was written from those types, not from Cabane's Go
// types: a renamed or missing field fails it.
var peertubeFields = map[string]map[string]string{
	// account-export.model.ts (AccountExportJSON, with actor-exporter.ts's banners)
	"account": {"url": "string", "name": "string", "displayName": "string", "description": "string", "updatedAt": "string",
		"createdAt": "string", "avatars": "array", "banners": "array", "archiveFiles": "object"},
	// channel-export.model.ts (ChannelExportJSON.channels[])
	"channel": {"url": "string", "name": "string", "displayName": "string", "description": "string", "support": "string",
		"updatedAt": "string", "createdAt": "string", "avatars": "array", "banners": "array", "playerSettings": "?",
		"archiveFiles": "object"},
	// video-export.model.ts (VideoExportJSON.videos[])
	"video": {"uuid": "string", "createdAt": "string", "updatedAt": "string", "publishedAt": "string",
		"originallyPublishedAt": "string|null", "name": "string", "category": "number|null", "licence": "number|null",
		"language": "string|null", "tags": "array", "privacy": "number", "passwords": "array", "duration": "number",
		"description": "string", "support": "string", "isLive": "boolean", "live": "?", "url": "string",
		"thumbnailUrl": "string|null", "previewUrl": "string|null", "views": "number", "likes": "number", "dislikes": "number",
		"nsfw": "boolean", "commentsEnabled": "boolean", "commentsPolicy": "number", "downloadEnabled": "boolean",
		"channel": "object", "waitTranscoding": "boolean", "state": "number", "captions": "array", "chapters": "array",
		"files": "array", "streamingPlaylists": "array", "source": "object|null", "archiveFiles": "object"},
	"video.archiveFiles": {"videoFile": "string|null", "thumbnail": "string|null", "captions": "object"},
	"video.captions[]":   {"createdAt": "string", "updatedAt": "string", "language": "string", "filename": "string", "fileUrl": "string", "automaticallyGenerated": "?"},
	// VideoFileExportJSON
	"file":                       {"resolution": "number", "size": "number", "fps": "number", "torrentUrl": "string", "fileUrl": "string"},
	"video.streamingPlaylists[]": {"type": "number", "playlistUrl": "string", "segmentsSha256Url": "string", "files": "array"},
	// comments-export.model.ts
	"comment": {"url": "string", "text": "string", "createdAt": "string", "videoUrl": "string", "inReplyToCommentUrl": "?"},
	// likes-export.model.ts, dislikes-export.model.ts
	"rate": {"videoUrl": "string", "createdAt": "string"},
	// following-export.model.ts, followers-export.model.ts
	"follow": {"handle": "string", "targetHandle": "string", "createdAt": "string"},
	// video-playlists-export.model.ts
	"playlist": {"displayName": "string", "description": "string", "privacy": "number", "url": "string", "uuid": "string",
		"type": "number", "channel": "object", "createdAt": "string", "updatedAt": "string", "thumbnailUrl": "string|null",
		"elements": "array", "archiveFiles": "object"},
	"playlist.elements[]": {"videoUrl": "string", "startTimestamp": "number|null", "stopTimestamp": "number|null"},
	// user-settings-export.model.ts
	"settings": {"email": "string", "nsfwPolicy": "string", "autoPlayVideo": "boolean", "autoPlayNextVideo": "boolean",
		"autoPlayNextVideoPlaylist": "boolean", "p2pEnabled": "boolean", "videosHistoryEnabled": "boolean",
		"videoLanguages": "array|null", "language": "string", "theme": "string", "createdAt": "string", "notificationSettings": "object"},
	// blocklist-export.model.ts
	"blocklist": {"instances": "array", "actors": "array"},
}

// kind names a JSON value's type as peertubeFields does.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return "?"
}

// matches checks obj field by field against the type named want: every
// field the type declares is there with its kind, and nothing else is.
func matches(t *testing.T, where string, obj any, want string) {
	t.Helper()
	m, ok := obj.(map[string]any)
	if !ok {
		t.Errorf("%s: %T, want an object", where, obj)
		return
	}
	fields := peertubeFields[want]
	for name, k := range fields {
		v, present := m[name]
		switch {
		case k == "?":
		case !present:
			t.Errorf("%s: no %q (PeerTube's %s has it)", where, name, want)
		case !strings.Contains("|"+k+"|", "|"+kind(v)+"|"):
			t.Errorf("%s.%s is %s %v, want %s", where, name, kind(v), v, k)
		}
	}
	for name := range m {
		if _, ok := fields[name]; !ok {
			t.Errorf("%s: %q is not a field of PeerTube's %s", where, name, want)
		}
	}
}

type zipped map[string][]byte

func unzip(t *testing.T, b []byte) zipped {
	t.Helper()
	zr, err := zip.NewReader(strings.NewReader(string(b)), int64(len(b)))
	if err != nil {
		t.Fatalf("the archive is no ZIP: %v", err)
	}
	out := zipped{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], _ = io.ReadAll(rc)
		rc.Close()
		if strings.HasPrefix(f.Name, "files/") && f.Method != zip.Store {
			t.Errorf("%s is compressed again (method %d): media go in stored", f.Name, f.Method)
		}
	}
	return out
}

func (z zipped) json(t *testing.T, name string) map[string]any {
	t.Helper()
	b, ok := z[name]
	if !ok {
		t.Fatalf("the archive has no %s; it has %v", name, z.names())
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v\n%s", name, err, b)
	}
	return m
}

func (z zipped) names() []string {
	var n []string
	for k := range z {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

func list(m map[string]any, key string) []any { l, _ := m[key].([]any); return l }

// A creator's export, end to end on a running Cabane: alice has a channel,
// two videos (real encoded clips, one with a caption), a comment, a like,
// a playlist, a subscription to bob's channel and a remote-less follower
// list; she asks through PeerTube's API, the job builds the archive, the
// list says it is ready, and its privateDownloadUrl downloads it without
// a session. Each peertube/*.json matches PeerTube's model types field by
// field; files/ holds the thumbnails, the caption and, asked for, the
// video files; bob may neither list, request, delete nor download it.
func TestUserExport(t *testing.T) {
	ctx := context.Background()
	a, base := fedApp(t)
	alice, ach, aliceTok := fedUser(t, a, base, "alice")
	bob, bch, bobTok := fedUser(t, a, base, "bob")
	contract := openapi.Load(t)

	v1 := publish(t, a, ach, "Blue tit at dawn")
	v2 := publish(t, a, ach, "Robin at dusk")
	// A caption on v1.
	capDir := a.Layout.Captions(v1.UUID)
	os.MkdirAll(capDir, 0o755)
	os.WriteFile(filepath.Join(capDir, v1.UUID+"-fr.vtt"), []byte("WEBVTT\n\n00:00.000 --> 00:01.000\nBonjour\n"), 0o644)
	if _, err := a.Store.DB().ExecContext(ctx, `INSERT INTO video_captions(video_id, language, filename, updated_at) VALUES (?, 'fr', ?, ?)`,
		v1.ID, v1.UUID+"-fr.vtt", time.Now().UnixMilli()); err != nil {
		t.Fatal(err)
	}
	c := model.Comment{VideoID: v2.ID, AccountID: alice.AccountID, Text: "What a voice!"}
	if err := a.Store.Comments().Create(ctx, &c); err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Store.Ratings().Rate(ctx, alice.AccountID, v1.ID, "like"); err != nil {
		t.Fatal(err)
	}
	pl := model.Playlist{UUID: "0b3c3f3e-7a4b-4c1d-9e2f-1a2b3c4d5e6f", ShortUUID: "pl1", AccountID: alice.AccountID, ChannelID: ach.ID,
		DisplayName: "Birds", Privacy: model.PrivacyPublic}
	if err := a.Store.Playlists().Create(ctx, &pl); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Playlists().AddElement(ctx, &model.PlaylistElement{PlaylistID: pl.ID, VideoID: v2.ID}); err != nil {
		t.Fatal(err)
	}
	if err := a.Store.Subscriptions().Subscribe(ctx, alice.AccountID, bch.ID); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(a.Layout.Avatars(), 0o755)
	os.WriteFile(filepath.Join(a.Layout.Avatars(), "alice-1.jpg"), []byte("\xff\xd8\xff\xe0 a jpeg"), 0o644)
	if _, err := a.Store.Profiles().SetAvatar(ctx, alice.AccountID, repo.Avatar{File: "alice-1.jpg", UpdatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	exports := fmt.Sprintf("%s/api/v1/users/%d/exports", base, alice.ID)
	// Bob may not touch alice's exports.
	if r := apiDo(t, contract, http.MethodPost, exports+"/request", bobTok, map[string]any{"withVideoFiles": true}); r.Status != http.StatusForbidden {
		t.Fatalf("bob requests alice's export: %d, want 403", r.Status)
	}
	if r := apiDo(t, contract, http.MethodGet, exports, bobTok, nil); r.Status != http.StatusForbidden {
		t.Fatalf("bob lists alice's exports: %d, want 403", r.Status)
	}
	r := apiDo(t, contract, http.MethodPost, exports+"/request", aliceTok, map[string]any{"withVideoFiles": true})
	var req struct {
		Export struct{ ID int64 } `json:"export"`
	}
	if r.Status != http.StatusOK || json.Unmarshal(r.Body, &req) != nil || req.Export.ID == 0 {
		t.Fatalf("request: %d %s", r.Status, r.Body)
	}
	// One at a time, as PeerTube: a second request while the first exists
	// (pending, processing or ready) is refused.
	if r := apiDo(t, contract, http.MethodPost, exports+"/request", aliceTok, map[string]any{}); r.Status != http.StatusBadRequest {
		t.Errorf("second request while one exists: %d, want 400", r.Status)
	}
	type exportJSON struct {
		ID    int64
		State struct {
			ID    int
			Label string
		}
		Size               int64
		FileURL            string `json:"fileUrl"`
		PrivateDownloadURL string `json:"privateDownloadUrl"`
	}
	var done exportJSON
	testrig.WaitFor(t, 120*time.Second, func() bool {
		r := apiDo(t, contract, http.MethodGet, exports, aliceTok, nil)
		var l struct {
			Total int
			Data  []exportJSON
		}
		json.Unmarshal(r.Body, &l)
		for _, e := range l.Data {
			if e.ID == req.Export.ID {
				if e.State.ID == userexport.StateErrored {
					row, _ := a.Store.UserExports().Get(ctx, e.ID)
					t.Fatalf("export failed: %s", row.Error)
				}
				done = e
				return e.State.ID == userexport.StateCompleted
			}
		}
		return false
	})
	if done.Size <= 0 || !strings.Contains(done.PrivateDownloadURL, "jwt=") {
		t.Fatalf("completed export: %+v", done)
	}

	get := func(u, token string) (int, []byte) {
		req, _ := http.NewRequest(http.MethodGet, u, nil)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	// Without the token, and as bob, the archive is refused; a wrong
	// token too.
	if st, _ := get(done.FileURL, ""); st != http.StatusForbidden {
		t.Errorf("download without token: %d, want 403", st)
	}
	if st, _ := get(done.FileURL+"?jwt=0123", bobTok); st != http.StatusForbidden {
		t.Errorf("download with a wrong token: %d, want 403", st)
	}
	st, body := get(done.PrivateDownloadURL, "")
	if st != http.StatusOK || int64(len(body)) != done.Size {
		t.Fatalf("download: %d, %d bytes, want 200 and %d", st, len(body), done.Size)
	}
	z := unzip(t, body)
	// A big archive resumes: ranges are served.
	rr, _ := http.NewRequest(http.MethodGet, done.PrivateDownloadURL, nil)
	rr.Header.Set("Range", "bytes=0-3")
	if resp, err := http.DefaultClient.Do(rr); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || string(b) != string(body[:4]) {
			t.Errorf("range: %d %q", resp.StatusCode, b)
		}
	}

	acc := z.json(t, "peertube/account.json")
	matches(t, "account.json", acc, "account")
	if acc["name"] != "alice" || acc["url"] != base+"/accounts/alice" {
		t.Errorf("account.json: %v", acc)
	}
	if av := list(acc, "avatars"); len(av) != 1 || av[0].(map[string]any)["width"] != 600.0 ||
		acc["archiveFiles"].(map[string]any)["avatar"] != "../files/account/avatars/alice.jpg" || len(z["files/account/avatars/alice.jpg"]) == 0 {
		t.Errorf("avatar: %v, %v; files %v", acc["avatars"], acc["archiveFiles"], z.names())
	}
	chs := list(z.json(t, "peertube/channels.json"), "channels")
	if len(chs) != 1 {
		t.Fatalf("channels.json: %v", chs)
	}
	matches(t, "channels[0]", chs[0], "channel")
	if chs[0].(map[string]any)["name"] != ach.Name {
		t.Errorf("channel name %v, want %s", chs[0].(map[string]any)["name"], ach.Name)
	}

	vs := list(z.json(t, "peertube/videos.json"), "videos")
	if len(vs) != 2 {
		t.Fatalf("videos.json has %d videos, want 2", len(vs))
	}
	byUUID := map[string]map[string]any{}
	for i, x := range vs {
		v := x.(map[string]any)
		matches(t, fmt.Sprintf("videos[%d]", i), v, "video")
		matches(t, fmt.Sprintf("videos[%d].archiveFiles", i), v["archiveFiles"], "video.archiveFiles")
		for j, c := range list(v, "captions") {
			matches(t, fmt.Sprintf("videos[%d].captions[%d]", i, j), c, "video.captions[]")
		}
		for j, p := range list(v, "streamingPlaylists") {
			matches(t, fmt.Sprintf("videos[%d].streamingPlaylists[%d]", i, j), p, "video.streamingPlaylists[]")
			for k, f := range list(p.(map[string]any), "files") {
				matches(t, fmt.Sprintf("videos[%d].streamingPlaylists[%d].files[%d]", i, j, k), f, "file")
			}
		}
		byUUID[v["uuid"].(string)] = v
	}
	one := byUUID[v1.UUID]
	if one == nil || byUUID[v2.UUID] == nil {
		t.Fatalf("videos.json lacks %s or %s", v1.UUID, v2.UUID)
	}
	if one["name"] != "Blue tit at dawn" || one["url"] != base+"/videos/watch/"+v1.UUID || one["channel"].(map[string]any)["name"] != ach.Name ||
		one["likes"] != 1.0 || len(list(one, "streamingPlaylists")) != 1 {
		t.Errorf("videos.json's %s: %v", v1.UUID, one)
	}
	// The archive's relative paths name files that are in it.
	af := one["archiveFiles"].(map[string]any)
	for _, p := range []any{af["videoFile"], af["thumbnail"], af["captions"].(map[string]any)["fr"]} {
		rel, _ := p.(string)
		name := strings.TrimPrefix(rel, "../")
		if rel == "" || len(z[name]) == 0 {
			t.Errorf("archiveFiles names %q, which the archive lacks (it has %v)", rel, z.names())
		}
	}
	if vf := z[strings.TrimPrefix(af["videoFile"].(string), "../")]; len(vf) < 8 || string(vf[4:8]) != "ftyp" {
		t.Errorf("the video file is not the MP4 uploaded")
	}

	cs := list(z.json(t, "peertube/comments.json"), "comments")
	if len(cs) != 1 {
		t.Fatalf("comments.json: %v", cs)
	}
	matches(t, "comments[0]", cs[0], "comment")
	if cm := cs[0].(map[string]any); cm["text"] != "What a voice!" || cm["videoUrl"] != base+"/videos/watch/"+v2.UUID {
		t.Errorf("comment: %v", cm)
	}
	likes := list(z.json(t, "peertube/likes.json"), "likes")
	if len(likes) != 1 || likes[0].(map[string]any)["videoUrl"] != base+"/videos/watch/"+v1.UUID {
		t.Errorf("likes.json: %v", likes)
	}
	for _, l := range likes {
		matches(t, "likes[]", l, "rate")
	}
	if d := list(z.json(t, "peertube/dislikes.json"), "dislikes"); d == nil || len(d) != 0 {
		t.Errorf("dislikes.json: %v, want an empty array", d)
	}
	fol := list(z.json(t, "peertube/following.json"), "following")
	host := strings.TrimPrefix(base, "http://")
	if len(fol) != 1 || fol[0].(map[string]any)["targetHandle"] != bch.Name+"@"+host || fol[0].(map[string]any)["handle"] != "alice@"+host {
		t.Errorf("following.json: %v", fol)
	}
	for _, f := range fol {
		matches(t, "following[]", f, "follow")
	}
	if f := list(z.json(t, "peertube/follower.json"), "followers"); f == nil {
		t.Errorf("follower.json has no followers array")
	}
	pls := list(z.json(t, "peertube/video-playlists.json"), "videoPlaylists")
	if len(pls) != 1 {
		t.Fatalf("video-playlists.json: %v", pls)
	}
	matches(t, "videoPlaylists[0]", pls[0], "playlist")
	els := list(pls[0].(map[string]any), "elements")
	if len(els) != 1 || els[0].(map[string]any)["videoUrl"] != base+"/videos/watch/"+v2.UUID {
		t.Errorf("playlist elements: %v", els)
	}
	for _, e := range els {
		matches(t, "elements[]", e, "playlist.elements[]")
	}
	set := z.json(t, "peertube/user-settings.json")
	matches(t, "user-settings.json", set, "settings")
	if set["email"] != "alice@example.org" {
		t.Errorf("user-settings email %v", set["email"])
	}
	// Every one of PeerTube's notification settings, a number each
	// (user-settings-importer.ts writes all eighteen).
	ns := set["notificationSettings"].(map[string]any)
	for _, k := range []string{"newVideoFromSubscription", "newCommentOnMyVideo", "myVideoImportFinished", "myVideoPublished",
		"abuseAsModerator", "videoAutoBlacklistAsModerator", "blacklistOnMyVideo", "newUserRegistration", "commentMention", "newFollow",
		"newInstanceFollower", "abuseNewMessage", "abuseStateChange", "autoInstanceFollowing", "newPeerTubeVersion", "newPluginVersion",
		"myVideoStudioEditionFinished", "myVideoTranscriptionGenerated"} {
		if kind(ns[k]) != "number" {
			t.Errorf("notificationSettings.%s is %v", k, ns[k])
		}
	}
	matches(t, "blocklist.json", z.json(t, "peertube/blocklist.json"), "blocklist")
	for _, name := range []string{"video-history.json", "watched-words-lists.json", "automatic-tag-policies.json"} {
		z.json(t, "peertube/"+name)
	}

	// activity-pub/: the actor as served, and the collections.
	actor := z.json(t, "activity-pub/actor.json")
	if actor["type"] != "Person" || actor["id"] != base+"/accounts/alice" || actor["outbox"] != "outbox.json" || actor["likes"] != "likes.json" {
		t.Errorf("actor.json: %v", actor)
	}
	outbox := z.json(t, "activity-pub/outbox.json")
	items := list(outbox, "orderedItems")
	if outbox["totalItems"] != 3.0 || len(items) != 3 {
		t.Fatalf("outbox.json: %d items, totalItems %v, want the 2 videos and the comment", len(items), outbox["totalItems"])
	}
	objects := map[string]int{}
	for _, it := range items {
		act := it.(map[string]any)
		obj := act["object"].(map[string]any)
		objects[obj["type"].(string)]++
		if act["type"] != "Create" || obj["type"] == "Video" && len(list(obj, "attachment")) != 1 ||
			obj["type"] == "Note" && obj["attributedTo"] != base+"/accounts/alice" {
			t.Errorf("outbox item: %v", act)
		}
	}
	if objects["Video"] != 2 || objects["Note"] != 1 {
		t.Errorf("outbox objects: %v", objects)
	}
	if l := z.json(t, "activity-pub/likes.json"); l["totalItems"] != 1.0 {
		t.Errorf("activity-pub/likes.json: %v", l)
	}
	z.json(t, "activity-pub/dislikes.json")
	if f := z.json(t, "activity-pub/following.json"); f["totalItems"] != 1.0 {
		t.Errorf("activity-pub/following.json: %v", f)
	}

	// Bob may not delete it; alice may, and then it is gone.
	del := fmt.Sprintf("%s/%d", exports, req.Export.ID)
	if r := apiDo(t, contract, http.MethodDelete, del, bobTok, nil); r.Status != http.StatusForbidden {
		t.Errorf("bob deletes alice's export: %d, want 403", r.Status)
	}
	if r := apiDo(t, contract, http.MethodDelete, del, aliceTok, nil); r.Status != http.StatusNoContent {
		t.Errorf("delete: %d %s", r.Status, r.Body)
	}
	if st, _ := get(done.PrivateDownloadURL, ""); st != http.StatusForbidden {
		t.Errorf("download after delete: %d, want 403", st)
	}
	_ = bob
}

// The settings page offers the export with the files' choice, shows its
// state until it is ready, then a link that downloads it in the session;
// in French too. The form needs its CSRF field, and bob's session cannot
// download alice's archive.
func TestUserExportPage(t *testing.T) {
	a, base := fedApp(t)
	fedUser(t, a, base, "alice")
	fedUser(t, a, base, "bob")
	br := login(t, base, "alice", "correct horse alice")
	body, _, csrf := br.Get(base + "/my/settings")
	if !strings.Contains(body, `action="/my/settings/export"`) || !strings.Contains(body, `name="withVideoFiles" value="1"`) ||
		!strings.Contains(body, "Export my data") {
		t.Fatalf("the settings page offers no export:\n%s", body)
	}
	if code, _, _ := br.PostForm(base+"/my/settings/export", url.Values{"withVideoFiles": {"1"}}); code != http.StatusForbidden {
		t.Errorf("export form without CSRF: %d, want 403", code)
	}
	code, final, _ := br.PostForm(base+"/my/settings/export", url.Values{"_csrf": {csrf}, "withVideoFiles": {"1"}})
	if code != http.StatusOK || !strings.Contains(final, "done=export_requested") {
		t.Fatalf("export form: %d %s", code, final)
	}
	link := regexp.MustCompile(`href="(/download/user-exports/[^"]+)"`)
	var href string
	testrig.WaitFor(t, 60*time.Second, func() bool {
		body, _, _ := br.Get(base + "/my/settings")
		if m := link.FindStringSubmatch(body); m != nil && strings.Contains(body, `data-state="completed"`) {
			href = m[1]
			return true
		}
		return false
	})
	resp, err := br.C.Get(base + href)
	if err != nil {
		t.Fatal(err)
	}
	zipBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !bytes.HasPrefix(zipBody, []byte("PK")) || resp.Header.Get("Content-Type") != "application/zip" {
		t.Errorf("download from the page: %d %s, %d bytes", resp.StatusCode, resp.Header.Get("Content-Type"), len(zipBody))
	}
	other := login(t, base, "bob", "correct horse bob")
	resp, err = other.C.Get(base + href)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("bob downloads alice's archive: %d, want 403", resp.StatusCode)
	}
	br.Get(base + "/lang/fr")
	if body, _, _ := br.Get(base + "/my/settings"); !strings.Contains(body, "Exporter mes données") || !strings.Contains(body, "Télécharger") {
		t.Errorf("the export section is not in French")
	}
	// One at a time: while it is there, no new one is offered; deleted,
	// it is gone and the form is back.
	body, _, csrf = br.Get(base + "/my/settings")
	del := regexp.MustCompile(`action="(/my/settings/export/\d+/delete)"`).FindStringSubmatch(body)
	if strings.Contains(body, `action="/my/settings/export"`) || del == nil {
		t.Fatalf("with a ready archive, the page offers a new one or no deletion")
	}
	if code, final, _ := br.PostForm(base+del[1], url.Values{"_csrf": {csrf}}); code != http.StatusOK || !strings.Contains(final, "done=export_deleted") {
		t.Errorf("delete form: %d %s", code, final)
	}
	if body, _, _ := br.Get(base + "/my/settings"); !strings.Contains(body, `action="/my/settings/export"`) || strings.Contains(body, href) {
		t.Errorf("after deletion the archive is still listed or no new one is offered")
	}
	if resp, err := br.C.Get(base + href); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("download after deletion: %d, want 403", resp.StatusCode)
		}
	}
}
