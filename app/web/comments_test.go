package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/ratings"
	"cabane.dev/cabane/app/views"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// communityRig is the rig with the community services, the users "author"
// and "other" beside "user" (who owns the videos) and "admin", a settable
// comments policy per video and a settable clock for views.
type communityRig struct {
	*rig
	mu       sync.Mutex
	policies map[int64]int
	now      time.Time
	channel  int64
}

func newCommunityRig(t *testing.T) *communityRig {
	t.Helper()
	cr := &communityRig{rig: newRig(t), policies: map[int64]int{}, now: time.Date(2025, 5, 1, 10, 0, 0, 0, time.UTC)}
	r := cr.rig
	r.server.Comments = &comments.Service{Store: r.store.Comments(), Videos: r.videos, Policy: func(v model.Video) int {
		cr.mu.Lock()
		defer cr.mu.Unlock()
		return cr.policies[v.ID]
	}}
	r.server.Ratings = &ratings.Service{Store: r.store.Ratings(), Videos: r.videos}
	r.server.Views = &views.Service{Videos: r.videos, Now: func() time.Time { cr.mu.Lock(); defer cr.mu.Unlock(); return cr.now }}
	ctx := context.Background()
	for _, name := range []string{"author", "other"} {
		u, _, err := r.server.Auth.CreateUser(ctx, auth.NewUserRequest{Username: name, Email: name + "@example.org", Password: "correct horse battery staple"})
		if err != nil {
			t.Fatal(err)
		}
		if r.sessions[name], err = r.server.Auth.StartSession(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	chs, err := r.server.Accounts.ChannelsOf(ctx, r.userAccount(t, "user"))
	if err != nil || len(chs) == 0 {
		t.Fatal("no channel for user", err)
	}
	cr.channel = chs[0].ID
	return cr
}

func (cr *communityRig) video(t *testing.T, privacy, policy int) model.Video {
	t.Helper()
	v := cr.publishedVideo(t, cr.channel, privacy)
	if err := cr.store.Videos.SetState(context.Background(), v.ID, model.StatePublished); err != nil {
		t.Fatal(err)
	}
	cr.mu.Lock()
	cr.policies[v.ID] = policy
	cr.mu.Unlock()
	v.State = model.StatePublished
	return v
}

func (cr *communityRig) advance(d time.Duration) {
	cr.mu.Lock()
	cr.now = cr.now.Add(d)
	cr.mu.Unlock()
}

// api calls the API as who (session and CSRF header, as the site's own
// pages do; "" is anonymous) with a JSON body, and decodes the answer.
func (cr *communityRig) api(t *testing.T, method, path, who string, body any) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	hdr := map[string]string{}
	if body != nil {
		b, _ := json.Marshal(body)
		rd = strings.NewReader(string(b))
		hdr["Content-Type"] = "application/json"
	}
	if who != "" {
		hdr[csrfHeader] = testCSRF
	}
	res, text := cr.send(t, method, path, rd, hdr, who, who != "")
	// Every answer keeps PeerTube's contract (its OpenAPI document).
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, cr.http.URL+path, strings.NewReader(string(raw)))
	if err := openapi.Load(t).Check(req, res.StatusCode, res.Header, []byte(text)); err != nil {
		t.Errorf("%v\nbody: %s", err, text)
	}
	out := map[string]any{}
	if strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal([]byte(text), &out); err != nil {
			t.Fatalf("%s %s: %v in %q", method, path, err, text)
		}
	}
	return res.StatusCode, out
}

// fieldTypes checks that obj has each field with its JSON type:
// "number", "string", "bool", "object", "array", "null", or "a|b".
// The contract itself is checked by api() on every answer; this names
// the fields each test relies on.
func fieldTypes(t *testing.T, what string, obj map[string]any, spec map[string]string) {
	t.Helper()
	for field, want := range spec {
		v, ok := obj[field]
		if !ok {
			t.Errorf("%s: no field %q", what, field)
			continue
		}
		got := "null"
		switch v.(type) {
		case float64:
			got = "number"
		case string:
			got = "string"
		case bool:
			got = "bool"
		case map[string]any:
			got = "object"
		case []any:
			got = "array"
		}
		if !strings.Contains("|"+want+"|", "|"+got+"|") {
			t.Errorf("%s: %s is %s (%v), want %s", what, field, got, v, want)
		}
	}
}

// videoCommentFields are PeerTube's VideoComment.
var videoCommentFields = map[string]string{
	"id": "number", "url": "string", "text": "string", "threadId": "number", "inReplyToCommentId": "number|null",
	"videoId": "number", "createdAt": "string", "updatedAt": "string", "deletedAt": "string|null",
	"isDeleted": "bool", "heldForReview": "bool", "totalRepliesFromVideoAuthor": "number", "totalReplies": "number",
	"account": "object|null",
}

func num(v any) int64 { f, _ := v.(float64); return int64(f) }

func TestCommentThreadsRepliesAndShapes(t *testing.T) {
	cr := newCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	base := "/api/v1/videos/" + v.UUID

	code, posted := cr.api(t, "POST", base+"/comment-threads", "author", map[string]string{"text": "First!"})
	if code != http.StatusOK {
		t.Fatalf("post thread: %d %v", code, posted)
	}
	c1, _ := posted["comment"].(map[string]any)
	fieldTypes(t, "posted comment", c1, videoCommentFields)
	thread := num(c1["id"])
	if c1["threadId"] != c1["id"] || c1["inReplyToCommentId"] != nil || num(c1["videoId"]) != v.ID || c1["text"] != "First!" ||
		c1["url"] != fmt.Sprintf("%s/videos/watch/%s/comments/%d", cr.http.URL, v.UUID, thread) {
		t.Errorf("posted thread %v", c1)
	}
	if acc, _ := c1["account"].(map[string]any); acc["name"] != "author" {
		t.Errorf("author %v", c1["account"])
	}
	// A reply as a form, as some apps send it; then a reply to the reply.
	res, text := cr.send(t, "POST", fmt.Sprintf("%s/comments/%d", base, thread), strings.NewReader(url.Values{"text": {"Thanks"}}.Encode()),
		map[string]string{"Content-Type": "application/x-www-form-urlencoded", csrfHeader: testCSRF}, "user", true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("reply: %d %s", res.StatusCode, text)
	}
	var reply struct {
		Comment struct{ ID, ThreadID, InReplyToCommentID int64 }
	}
	json.Unmarshal([]byte(text), &reply)
	if reply.Comment.ThreadID != thread || reply.Comment.InReplyToCommentID != thread {
		t.Errorf("reply %s", text)
	}
	code, _ = cr.api(t, "POST", fmt.Sprintf("%s/comments/%d", base, reply.Comment.ID), "other", map[string]string{"text": "Agreed"})
	if code != http.StatusOK {
		t.Fatalf("reply to reply: %d", code)
	}
	cr.api(t, "POST", base+"/comment-threads", "other", map[string]string{"text": "Second thread"})

	code, list := cr.api(t, "GET", base+"/comment-threads", "", nil)
	fieldTypes(t, "thread list", list, map[string]string{"total": "number", "totalNotDeletedComments": "number", "data": "array"})
	data, _ := list["data"].([]any)
	if code != 200 || num(list["total"]) != 2 || num(list["totalNotDeletedComments"]) != 4 || len(data) != 2 {
		t.Fatalf("threads: %d %v", code, list)
	}
	newest, _ := data[0].(map[string]any)
	oldest, _ := data[1].(map[string]any)
	fieldTypes(t, "listed thread", oldest, videoCommentFields)
	if newest["text"] != "Second thread" || num(oldest["totalReplies"]) != 2 || num(oldest["totalRepliesFromVideoAuthor"]) != 1 {
		t.Errorf("threads in order -createdAt with counters: %v", data)
	}
	_, sorted := cr.api(t, "GET", base+"/comment-threads?sort=-totalReplies", "", nil)
	if d, _ := sorted["data"].([]any); len(d) != 2 || num(d[0].(map[string]any)["id"]) != thread {
		t.Errorf("-totalReplies: %v", sorted["data"])
	}
	_, paged := cr.api(t, "GET", base+"/comment-threads?start=1&count=1", "", nil)
	if d, _ := paged["data"].([]any); len(d) != 1 || num(d[0].(map[string]any)["id"]) != thread || num(paged["total"]) != 2 {
		t.Errorf("page 2 of 1: %v", paged)
	}
	for _, q := range []string{"?sort=-likes", "?count=101", "?start=-1"} {
		if code, _ := cr.api(t, "GET", base+"/comment-threads"+q, "", nil); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", q, code)
		}
	}

	code, tree := cr.api(t, "GET", fmt.Sprintf("%s/comment-threads/%d", base, thread), "", nil)
	fieldTypes(t, "tree", tree, map[string]string{"comment": "object", "children": "array"})
	kids, _ := tree["children"].([]any)
	if code != 200 || len(kids) != 1 {
		t.Fatalf("tree: %d %v", code, tree)
	}
	k := kids[0].(map[string]any)
	kk, _ := k["children"].([]any)
	if num(k["comment"].(map[string]any)["id"]) != reply.Comment.ID || len(kk) != 1 || kk[0].(map[string]any)["comment"].(map[string]any)["text"] != "Agreed" {
		t.Errorf("nested tree %v", tree)
	}
	if code, _ := cr.api(t, "GET", fmt.Sprintf("%s/comment-threads/%d", base, reply.Comment.ID), "", nil); code != http.StatusNotFound {
		t.Errorf("a reply is no thread: %d", code)
	}
	// Text limits: empty, blanks, over 10,000 characters (multi-byte ones count once).
	for _, bad := range []string{"", "   ", strings.Repeat("é", 10001)} {
		code, body := cr.api(t, "POST", base+"/comment-threads", "author", map[string]string{"text": bad})
		ip, _ := body["invalid-params"].(map[string]any)
		if code != http.StatusBadRequest || ip["text"] == nil {
			t.Errorf("text of %d runes: %d %v", len([]rune(bad)), code, body)
		}
	}
	if code, _ := cr.api(t, "POST", base+"/comment-threads", "author", map[string]string{"text": strings.Repeat("é", 10000)}); code != http.StatusOK {
		t.Errorf("10,000 characters refused: %d", code)
	}
	if code, _ := cr.api(t, "POST", base+"/comment-threads", "", map[string]string{"text": "hi"}); code != http.StatusUnauthorized {
		t.Errorf("anonymous post: %d", code)
	}
}

func TestCommentDeletionPermissions(t *testing.T) {
	cr := newCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	base := "/api/v1/videos/" + v.UUID
	post := func(who, text string, parent int64) int64 {
		t.Helper()
		path := base + "/comment-threads"
		if parent != 0 {
			path = fmt.Sprintf("%s/comments/%d", base, parent)
		}
		code, b := cr.api(t, "POST", path, who, map[string]string{"text": text})
		if code != 200 {
			t.Fatalf("post as %s: %d %v", who, code, b)
		}
		return num(b["comment"].(map[string]any)["id"])
	}
	th := post("author", "thread", 0)
	r1 := post("other", "reply by other", th)
	r2 := post("author", "second reply", th)
	del := func(id int64, who string) int {
		code, _ := cr.api(t, "DELETE", fmt.Sprintf("%s/comments/%d", base, id), who, nil)
		return code
	}
	cases := []struct {
		id   int64
		who  string
		want int
	}{
		{th, "", http.StatusUnauthorized},
		{th, "other", http.StatusForbidden},    // another user
		{r2, "other", http.StatusForbidden},    // another user, on a reply
		{th, "author", http.StatusNoContent},   // the author
		{th, "author", http.StatusConflict},    // already deleted
		{r1, "user", http.StatusNoContent},     // the video's owner
		{r2, "admin", http.StatusNoContent},    // an admin
		{999999, "admin", http.StatusNotFound}, // no such comment
	}
	for _, c := range cases {
		if got := del(c.id, c.who); got != c.want {
			t.Errorf("delete %d as %q: %d, want %d", c.id, c.who, got, c.want)
		}
	}
	// The thread stays as a placeholder: PeerTube's shape of a deleted comment.
	_, tree := cr.api(t, "GET", fmt.Sprintf("%s/comment-threads/%d", base, th), "", nil)
	root, _ := tree["comment"].(map[string]any)
	fieldTypes(t, "deleted comment", root, videoCommentFields)
	if root["isDeleted"] != true || root["text"] != "" || root["account"] != nil || root["deletedAt"] == nil {
		t.Errorf("placeholder %v", root)
	}
	_, list := cr.api(t, "GET", base+"/comment-threads", "", nil)
	if num(list["total"]) != 1 || num(list["totalNotDeletedComments"]) != 0 {
		t.Errorf("after deleting everything: %v", list)
	}
	// A comment of another video is not this video's.
	w := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	other := post("author", "elsewhere", 0)
	_ = w
	if code, _ := cr.api(t, "DELETE", fmt.Sprintf("/api/v1/videos/%s/comments/%d", w.UUID, other), "admin", nil); code != http.StatusNotFound {
		t.Errorf("comment through another video: %d", code)
	}
}

// Whoever may not see a video may neither read nor write its comments, and
// is told "not found", as for the video itself.
func TestCommentsFollowVideoVisibility(t *testing.T) {
	cr := newCommunityRig(t)
	priv := cr.video(t, model.PrivacyPrivate, comments.PolicyEnabled)
	unl := cr.video(t, model.PrivacyUnlisted, comments.PolicyEnabled)
	code, b := cr.api(t, "POST", "/api/v1/videos/"+priv.UUID+"/comment-threads", "user", map[string]string{"text": "note to self"})
	if code != 200 {
		t.Fatalf("owner comments own private video: %d %v", code, b)
	}
	id := num(b["comment"].(map[string]any)["id"])
	for _, who := range []string{"", "other"} {
		for _, rq := range []struct{ method, path string }{
			{"GET", "/api/v1/videos/" + priv.UUID + "/comment-threads"},
			{"GET", fmt.Sprintf("/api/v1/videos/%s/comment-threads/%d", priv.UUID, id)},
			{"POST", "/api/v1/videos/" + priv.UUID + "/comment-threads"},
			{"POST", fmt.Sprintf("/api/v1/videos/%s/comments/%d", priv.UUID, id)},
			{"PUT", "/api/v1/videos/" + priv.UUID + "/rate"},
			{"GET", fmt.Sprintf("/api/v1/videos/%d/comment-threads", unl.ID)}, // unlisted by number
		} {
			want := http.StatusNotFound
			if who == "" && rq.method != "GET" {
				want = http.StatusUnauthorized // writing needs a user first
			}
			code, _ := cr.api(t, rq.method, rq.path, who, map[string]string{"text": "hi", "rating": "like"})
			if code != want {
				t.Errorf("%q %s %s: %d, want %d", who, rq.method, rq.path, code, want)
			}
		}
	}
	if code, _ := cr.api(t, "DELETE", fmt.Sprintf("/api/v1/videos/%s/comments/%d", priv.UUID, id), "other", nil); code != http.StatusNotFound {
		t.Errorf("another user deleting on a private video: %d, want 404", code)
	}
	if code, _ := cr.api(t, "GET", "/api/v1/videos/"+unl.UUID+"/comment-threads", "", nil); code != 200 {
		t.Errorf("unlisted by UUID: %d", code)
	}
	if code, _ := cr.api(t, "GET", "/api/v1/videos/"+priv.UUID+"/comment-threads", "admin", nil); code != 200 {
		t.Errorf("admin on a private video: %d", code)
	}
}

func TestCommentsPolicy(t *testing.T) {
	cr := newCommunityRig(t)
	off := cr.video(t, model.PrivacyPublic, comments.PolicyDisabled)
	code, b := cr.api(t, "POST", "/api/v1/videos/"+off.UUID+"/comment-threads", "other", map[string]string{"text": "hi"})
	if code != http.StatusConflict {
		t.Errorf("post with comments disabled: %d %v", code, b)
	}
	code, list := cr.api(t, "GET", "/api/v1/videos/"+off.UUID+"/comment-threads", "", nil)
	if code != 200 || num(list["total"]) != 0 || num(list["totalNotDeletedComments"]) != 0 {
		t.Errorf("list with comments disabled: %d %v", code, list)
	}

	mod := cr.video(t, model.PrivacyPublic, comments.PolicyRequiresApproval)
	base := "/api/v1/videos/" + mod.UUID
	_, b = cr.api(t, "POST", base+"/comment-threads", "other", map[string]string{"text": "please approve"})
	held := b["comment"].(map[string]any)
	if held["heldForReview"] != true {
		t.Fatalf("comment on a moderated video not held: %v", held)
	}
	_, b = cr.api(t, "POST", base+"/comment-threads", "user", map[string]string{"text": "owner speaks"})
	if b["comment"].(map[string]any)["heldForReview"] != false {
		t.Errorf("the owner's own comment is held")
	}
	heldID := num(held["id"])
	sees := func(who string) int64 {
		_, l := cr.api(t, "GET", base+"/comment-threads", who, nil)
		return num(l["total"])
	}
	if sees("") != 1 || sees("author") != 1 || sees("other") != 2 || sees("user") != 2 || sees("admin") != 2 {
		t.Errorf("held comment seen by: anonymous %d, author %d, its author %d, owner %d, admin %d (want 1 1 2 2 2)",
			sees(""), sees("author"), sees("other"), sees("user"), sees("admin"))
	}
	if code, _ := cr.api(t, "GET", fmt.Sprintf("%s/comment-threads/%d", base, heldID), "author", nil); code != http.StatusNotFound {
		t.Errorf("held thread read by a third user: %d", code)
	}
	if code, _ := cr.api(t, "POST", fmt.Sprintf("%s/comments/%d", base, heldID), "author", map[string]string{"text": "reply"}); code != http.StatusNotFound {
		t.Errorf("reply to a held comment one cannot see: %d", code)
	}
	approve := func(who string) int {
		code, _ := cr.api(t, "POST", fmt.Sprintf("%s/comments/%d/approve", base, heldID), who, nil)
		return code
	}
	if c := approve("other"); c != http.StatusForbidden {
		t.Errorf("its author approves: %d", c)
	}
	if c := approve("user"); c != http.StatusNoContent {
		t.Errorf("the owner approves: %d", c)
	}
	if c := approve("user"); c != http.StatusBadRequest {
		t.Errorf("approved twice: %d", c)
	}
	if sees("") != 2 {
		t.Errorf("approved comment not public")
	}
	if n, _ := cr.store.Comments().CommentsOf(context.Background(), mod.ID); n != 2 {
		t.Errorf("video's comment counter %d, want 2", n)
	}
}

func TestRatingsAPI(t *testing.T) {
	cr := newCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	base := "/api/v1/videos/" + v.UUID
	rate := func(who, r string) int {
		code, _ := cr.api(t, "PUT", base+"/rate", who, map[string]string{"rating": r})
		return code
	}
	counts := func() (int64, int64) {
		_, j := cr.api(t, "GET", base, "", nil)
		return num(j["likes"]), num(j["dislikes"])
	}
	if c := rate("other", "like"); c != http.StatusNoContent {
		t.Fatalf("like: %d", c)
	}
	code, mine := cr.api(t, "GET", fmt.Sprintf("/api/v1/users/me/videos/%d/rating", v.ID), "other", nil)
	fieldTypes(t, "my rating", mine, map[string]string{"id": "number", "videoId": "number", "rating": "string"})
	if code != 200 || mine["rating"] != "like" || num(mine["videoId"]) != v.ID {
		t.Errorf("my rating: %d %v", code, mine)
	}
	if l, d := counts(); l != 1 || d != 0 {
		t.Errorf("after a like: %d/%d", l, d)
	}
	rate("other", "dislike")
	rate("author", "dislike")
	if l, d := counts(); l != 0 || d != 2 {
		t.Errorf("after two dislikes: %d/%d", l, d)
	}
	rate("other", "none")
	if l, d := counts(); l != 0 || d != 1 {
		t.Errorf("after none: %d/%d", l, d)
	}
	_, mine = cr.api(t, "GET", "/api/v1/users/me/videos/"+v.UUID+"/rating", "other", nil)
	if mine["rating"] != "none" {
		t.Errorf("rating after none: %v", mine)
	}
	if c := rate("other", "love"); c != http.StatusBadRequest {
		t.Errorf("bad rating: %d", c)
	}
	if c := rate("", "like"); c != http.StatusUnauthorized {
		t.Errorf("anonymous rating: %d", c)
	}
	// Concurrent likes and dislikes from four users end where their last
	// request leaves each of them.
	var wg sync.WaitGroup
	for _, who := range []string{"user", "admin", "author", "other"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 10 {
				r := []string{"like", "dislike", "none"}[i%3]
				if c := rate(who, r); c != http.StatusNoContent {
					t.Errorf("%s %s: %d", who, r, c)
				}
			}
			rate(who, "like") // ends on a like
		}()
	}
	wg.Wait()
	if l, d := counts(); l != 4 || d != 0 {
		t.Errorf("after concurrent ratings: %d likes, %d dislikes, want 4 and 0", l, d)
	}
}

func TestViewsByPlaybackNotPageLoads(t *testing.T) {
	cr := newCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	views := func() int64 {
		got, err := cr.store.Videos.ByID(context.Background(), v.ID)
		if err != nil {
			t.Fatal(err)
		}
		return cr.videos.Views(got)
	}
	for range 3 {
		cr.get(t, "/w/"+v.ShortUUID, "", false)
	}
	if n := views(); n != 0 {
		t.Errorf("page loads counted %d views", n)
	}
	report := func(at float64) int {
		code, _ := cr.api(t, "POST", "/api/v1/videos/"+v.UUID+"/views", "", map[string]any{"currentTime": at})
		return code
	}
	for i, at := range []float64{0, 5, 10} {
		if i > 0 {
			cr.advance(5 * time.Second)
		}
		if c := report(at); c != http.StatusNoContent {
			t.Fatalf("report %v: %d", at, c)
		}
		if want := int64(map[bool]int{true: 1}[at == 10]); views() != want {
			t.Fatalf("at %v s: %d views, want %d", at, views(), want)
		}
	}
	// The same viewer watching again within the hour: still one view.
	for _, at := range []float64{0, 5, 10, 15} {
		cr.advance(5 * time.Second)
		report(at)
	}
	if n := views(); n != 1 {
		t.Errorf("a second watch within the hour: %d views", n)
	}
	if code, _ := cr.api(t, "POST", "/api/v1/videos/"+v.UUID+"/views", "", map[string]any{}); code != http.StatusBadRequest {
		t.Errorf("no currentTime: %d", code)
	}
	priv := cr.video(t, model.PrivacyPrivate, comments.PolicyEnabled)
	if code, _ := cr.api(t, "POST", "/api/v1/videos/"+priv.UUID+"/views", "", map[string]any{"currentTime": 1}); code != http.StatusNotFound {
		t.Errorf("a private video's views: %d", code)
	}
	// No cookie is set by reporting.
	res, _ := cr.send(t, "POST", "/api/v1/videos/"+v.UUID+"/views", strings.NewReader(`{"currentTime":1}`), map[string]string{"Content-Type": "application/json"}, "", false)
	if len(res.Cookies()) != 0 {
		t.Errorf("views set cookies: %v", res.Cookies())
	}
}
