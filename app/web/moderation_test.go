package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/app/abuses"
	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// checked says whether the contract can check path: PeerTube 7.0's
// document lacks the users/me/blocklist operations, and lists 200 (POST)
// and 201 (DELETE) for the server's blocklist where PeerTube answers 204.
func checked(method, path string) bool {
	return !strings.Contains(path, "/users/me/blocklist") && (method == "GET" || !strings.Contains(path, "/server/blocklist/"))
}

func newModerationRig(t *testing.T) *socialRig {
	t.Helper()
	sr := newSocialRig(t)
	st := sr.store
	blocks := &blocklist.Service{Store: st.Blocklist(), Directory: sr.server.Accounts}
	sr.videos.Blocks = blocks.Blocks
	sr.server.Comments.Blocked = blocks.ServerBlocked
	sr.server.Blocklist = blocks
	sr.server.Search = &search.Service{Store: st.Search(), Lookup: sr.videos, TrendingDays: videos.TrendingDays}
	sr.server.Abuses = &abuses.Service{Store: st.Abuses(), Videos: sr.videos, Comments: st.Comments(), Accounts: sr.server.Accounts,
		Notify: st.Notifications()}
	return sr
}

// TestAbuseReports: permissions, state transitions, messages only between
// the reporter and the moderators, the moderators notified; every answer
// checked against PeerTube's contract.
func TestAbuseReports(t *testing.T) {
	sr := newModerationRig(t)
	v := sr.video(t, model.PrivacyPublic, 1)
	report := map[string]any{"reason": "this is spam", "predefinedReasons": []string{"spamOrMisleading"},
		"video": map[string]any{"id": v.UUID, "startAt": 2, "endAt": 5}}
	if code, _ := mcall(sr, t, "POST", "/api/v1/abuses", "", report); code != http.StatusUnauthorized {
		t.Fatalf("stranger reports: %d", code)
	}
	var created struct{ Abuse struct{ ID int64 } }
	mdecode(sr, t, "POST", "/api/v1/abuses", "other", report, http.StatusOK, &created)
	id := itoa(created.Abuse.ID)
	if code, _ := mcall(sr, t, "POST", "/api/v1/abuses", "other", map[string]any{"reason": "x", "video": map[string]any{"id": v.ID}}); code != http.StatusBadRequest {
		t.Errorf("short reason: %d", code)
	}
	for who, want := range map[string]int{"": 401, "other": 403, "user": 403} {
		if code, _ := mcall(sr, t, "GET", "/api/v1/abuses", who, nil); code != want {
			t.Errorf("GET abuses as %q: %d, want %d", who, code, want)
		}
	}
	var list struct {
		Total int
		Data  []struct {
			ID    int64
			State struct{ ID int }
			Video *struct {
				UUID           string
				StartAt, EndAt int
			}
		}
	}
	mdecode(sr, t, "GET", "/api/v1/abuses?state=1&predefinedReason=spamOrMisleading", "admin", nil, 200, &list)
	if list.Total != 1 || list.Data[0].Video == nil || list.Data[0].Video.UUID != v.UUID || list.Data[0].Video.EndAt != 5 {
		t.Fatalf("queue: %+v", list)
	}
	mdecode(sr, t, "GET", "/api/v1/abuses?predefinedReason=privacy", "admin", nil, 200, &list)
	if list.Total != 0 {
		t.Errorf("privacy filter: %d", list.Total)
	}
	mdecode(sr, t, "GET", "/api/v1/users/me/abuses", "other", nil, 200, &list)
	if list.Total != 1 {
		t.Errorf("reporter's own: %d", list.Total)
	}
	mdecode(sr, t, "GET", "/api/v1/users/me/abuses", "user", nil, 200, &list)
	if list.Total != 0 {
		t.Errorf("someone else's reports listed: %d", list.Total)
	}
	// The admin is told.
	acc, err := sr.server.Accounts.AccountByID(t.Context(), sr.userAccount(t, "admin"))
	if err != nil {
		t.Fatal(err)
	}
	ns, _, err := sr.store.Notifications().List(t.Context(), acc.UserID, false, 0, 10, "")
	if err != nil || len(ns) != 1 || ns[0].Type != model.NotifyNewAbuseForModerators {
		t.Errorf("admin notifications: %+v %v", ns, err)
	}
	// Messages: reporter and admin, nobody else.
	mdecode(sr, t, "POST", "/api/v1/abuses/"+id+"/messages", "other", map[string]any{"message": "more details"}, 200, nil)
	mdecode(sr, t, "POST", "/api/v1/abuses/"+id+"/messages", "admin", map[string]any{"message": "thanks, looking"}, 200, nil)
	if code, _ := mcall(sr, t, "GET", "/api/v1/abuses/"+id+"/messages", "user", nil); code != 404 {
		t.Errorf("a third user reads the messages: %d", code)
	}
	var msgs struct {
		Total int
		Data  []struct {
			ID          int64
			ByModerator bool
		}
	}
	mdecode(sr, t, "GET", "/api/v1/abuses/"+id+"/messages", "other", nil, 200, &msgs)
	if msgs.Total != 2 || msgs.Data[0].ByModerator || !msgs.Data[1].ByModerator {
		t.Fatalf("messages: %+v", msgs)
	}
	if code, _ := mcall(sr, t, "DELETE", "/api/v1/abuses/"+id+"/messages/"+itoa(msgs.Data[1].ID), "other", nil); code != 403 {
		t.Errorf("reporter deletes the moderator's message: %d", code)
	}
	mdecode(sr, t, "DELETE", "/api/v1/abuses/"+id+"/messages/"+itoa(msgs.Data[0].ID), "other", nil, 204, nil)
	// State transitions: admin only.
	if code, _ := mcall(sr, t, "PUT", "/api/v1/abuses/"+id, "other", map[string]any{"state": 3}); code != 403 {
		t.Errorf("reporter accepts: %d", code)
	}
	mdecode(sr, t, "PUT", "/api/v1/abuses/"+id, "admin", map[string]any{"state": 3, "moderationComment": "removed"}, 204, nil)
	mdecode(sr, t, "GET", "/api/v1/abuses?state=3", "admin", nil, 200, &list)
	if list.Total != 1 || list.Data[0].State.ID != 3 {
		t.Errorf("accepted: %+v", list)
	}
	if code, _ := mcall(sr, t, "PUT", "/api/v1/abuses/"+id, "admin", map[string]any{"state": 9}); code != 400 {
		t.Errorf("state 9: %d", code)
	}
	mdecode(sr, t, "DELETE", "/api/v1/abuses/"+id, "admin", nil, 204, nil)
	mdecode(sr, t, "GET", "/api/v1/abuses", "admin", nil, 200, &list)
	if list.Total != 0 {
		t.Errorf("deleted report still listed")
	}
}

// TestBlocksAndMutes: the server's block hides an account's videos and
// comments from all but admins and stops it commenting; a mute hides them
// from the muter only.
func TestBlocksAndMutes(t *testing.T) {
	sr := newModerationRig(t)
	v := sr.video(t, model.PrivacyPublic, 1)
	mdecode(sr, t, "POST", "/api/v1/videos/"+v.UUID+"/comment-threads", "author", map[string]any{"text": "hello there"}, 200, nil)
	count := func(path, who string) int {
		var out struct{ Total int }
		mdecode(sr, t, "GET", path, who, nil, 200, &out)
		return out.Total
	}
	videos, comments := "/api/v1/videos", "/api/v1/videos/"+v.UUID+"/comment-threads"
	// Search hides what listings hide.
	found := "/api/v1/search/videos?search=" + url.QueryEscape(v.Name)
	// Mute: "other" mutes "user" (the videos' owner) and "author".
	mdecode(sr, t, "POST", "/api/v1/users/me/blocklist/accounts", "other", map[string]any{"accountName": "user"}, 204, nil)
	mdecode(sr, t, "POST", "/api/v1/users/me/blocklist/accounts", "other", map[string]any{"accountName": "author"}, 204, nil)
	if n := count(videos, "other"); n != 0 {
		t.Errorf("muter still lists %d videos", n)
	}
	if n := count(comments, "other"); n != 0 {
		t.Errorf("muter still reads %d comments", n)
	}
	if n := count(found, "other"); n != 0 {
		t.Errorf("muter still finds %d videos", n)
	}
	if n := count(found, "author"); n != 1 {
		t.Errorf("a mute hid a search result from another user: %d", n)
	}
	if count(videos, "author") != 1 || count(videos, "") != 1 || count(comments, "") != 1 {
		t.Errorf("a mute hid things from others")
	}
	var mutes struct {
		Total int
		Data  []struct{ BlockedAccount struct{ Name string } }
	}
	mdecode(sr, t, "GET", "/api/v1/users/me/blocklist/accounts?sort=createdAt", "other", nil, 200, &mutes)
	if mutes.Total != 2 {
		t.Errorf("mutes: %+v", mutes)
	}
	mdecode(sr, t, "DELETE", "/api/v1/users/me/blocklist/accounts/user", "other", nil, 204, nil)
	if n := count(videos, "other"); n != 1 {
		t.Errorf("unmuted: %d", n)
	}
	// Server block: admin only.
	if code, _ := mcall(sr, t, "POST", "/api/v1/server/blocklist/accounts", "other", map[string]any{"accountName": "author"}); code != 403 {
		t.Errorf("user blocks for the server: %d", code)
	}
	if code, _ := mcall(sr, t, "GET", "/api/v1/server/blocklist/accounts", "", nil); code != 401 {
		t.Errorf("stranger lists: %d", code)
	}
	if code, _ := mcall(sr, t, "POST", "/api/v1/server/blocklist/accounts", "admin", map[string]any{"accountName": "admin"}); code != 409 {
		t.Errorf("admin blocks self: %d", code)
	}
	if _, err := sr.videos.GetFile(t.Context(), visibility.Anonymous(false), v.UUID); err != nil {
		t.Fatalf("files before the block: %v", err)
	}
	mdecode(sr, t, "POST", "/api/v1/server/blocklist/accounts", "admin", map[string]any{"accountName": "user"}, 204, nil)
	mdecode(sr, t, "POST", "/api/v1/server/blocklist/accounts", "admin", map[string]any{"accountName": "author"}, 204, nil)
	// The blocked account's files go with its pages (playlists, segments).
	if _, err := sr.videos.GetFile(t.Context(), visibility.Anonymous(false), v.UUID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("files of a blocked account's video, anonymous: %v", err)
	}
	if count(videos, "") != 0 || count(videos, "author") != 0 {
		t.Errorf("blocked account's videos still listed")
	}
	if count(videos, "admin") != 1 {
		t.Errorf("admin no longer lists the blocked account's video")
	}
	if count(found, "") != 0 || count(found, "admin") != 1 {
		t.Errorf("search: a blocked account's video is found by others, or not by the admin")
	}
	if code, _ := mcall(sr, t, "GET", "/api/v1/videos/"+v.UUID, "", nil); code != 404 {
		t.Errorf("blocked account's video opens: %d", code)
	}
	if count(comments, "admin") != 1 {
		t.Errorf("admin no longer reads the blocked comment")
	}
	v2 := sr.publishedVideo(t, sr.adminChannel, model.PrivacyPublic)
	if code, _ := mcall(sr, t, "POST", "/api/v1/videos/"+v2.UUID+"/comment-threads", "author", map[string]any{"text": "again"}); code != 403 {
		t.Errorf("blocked account comments: %d", code)
	}
	// Server (host) blocks are stored.
	mdecode(sr, t, "POST", "/api/v1/server/blocklist/servers", "admin", map[string]any{"host": "spam.example"}, 204, nil)
	if code, _ := mcall(sr, t, "POST", "/api/v1/server/blocklist/servers", "admin", map[string]any{"host": "not a host"}); code != 400 {
		t.Errorf("bad host: %d", code)
	}
	if n := count("/api/v1/server/blocklist/servers", "admin"); n != 1 {
		t.Errorf("server blocks: %d", n)
	}
	mdecode(sr, t, "DELETE", "/api/v1/server/blocklist/servers/spam.example", "admin", nil, 204, nil)
	mdecode(sr, t, "DELETE", "/api/v1/server/blocklist/accounts/user", "admin", nil, 204, nil)
	// The user's video is back, beside the admin's v2.
	if n := count(videos, ""); n != 2 {
		t.Errorf("unblocked account's video: a stranger lists %d of 2", n)
	}
}

func mcall(sr *socialRig, t *testing.T, method, path, who string, body any) (int, []byte) {
	t.Helper()
	return sr.callChecked(t, method, path, who, body, checked(method, path))
}

func mdecode(sr *socialRig, t *testing.T, method, path, who string, body any, want int, out any) {
	t.Helper()
	code, text := mcall(sr, t, method, path, who, body)
	if code != want {
		t.Fatalf("%s %s as %q: %d, want %d: %s", method, path, who, code, want, text)
	}
	if out != nil {
		if err := json.Unmarshal(text, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, text)
		}
	}
}

// A comment on an unlisted video can be reported by whoever reads it.
func TestReportCommentOfUnlistedVideo(t *testing.T) {
	sr := newModerationRig(t)
	v := sr.video(t, model.PrivacyUnlisted, 1)
	var comment struct{ Comment struct{ ID int64 } }
	mdecode(sr, t, "POST", "/api/v1/videos/"+v.UUID+"/comment-threads", "author", map[string]any{"text": "hello there"}, 200, &comment)
	var created struct{ Abuse struct{ ID int64 } }
	mdecode(sr, t, "POST", "/api/v1/abuses", "other", map[string]any{"reason": "this is spam",
		"comment": map[string]any{"id": comment.Comment.ID}}, http.StatusOK, &created)
	if created.Abuse.ID == 0 {
		t.Error("no report made")
	}
}
