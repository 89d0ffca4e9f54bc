package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// rename gives a rig video a name of its own (the rig names them by
// privacy).
func (sr *socialRig) rename(t *testing.T, v *model.Video, name string) {
	t.Helper()
	if _, err := sr.store.DB().Exec(`UPDATE videos SET name = ? WHERE id = ?`, name, v.ID); err != nil {
		t.Fatal(err)
	}
	v.Name = name
}

// The comments feed lists the latest comments anyone may read, newest
// first, as "<video> - <author>": never those of a private video, held for
// review or deleted; scoped by video, channel or account as PeerTube's.
func TestCommentsFeed(t *testing.T) {
	sr := newSocialRig(t)
	sr.server.Feeds.Comments = sr.server.Comments
	pub := sr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	sr.rename(t, &pub, "Blue tit")
	priv := sr.video(t, model.PrivacyPrivate, comments.PolicyEnabled)
	held := sr.video(t, model.PrivacyPublic, comments.PolicyRequiresApproval)
	sr.rename(t, &held, "Great tit")

	first := sr.postComment(t, "author", pub.UUID, 0, "First words, see https://example.org/x")
	sr.postComment(t, "other", pub.UUID, first, "Second words")
	sr.postComment(t, "user", priv.UUID, 0, "secret words")
	sr.postComment(t, "author", held.UUID, 0, "waiting words")
	gone := sr.postComment(t, "author", pub.UUID, 0, "gone words")
	if code, out := sr.api(t, "DELETE", fmt.Sprintf("/api/v1/videos/%s/comments/%d", pub.UUID, gone), "author", nil); code != http.StatusNoContent {
		t.Fatalf("delete comment: %d %v", code, out)
	}

	items := func(path string) []string {
		t.Helper()
		res, body := sr.send(t, http.MethodGet, path, nil, nil, "", false)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		feed := parseFeed(t, body)
		var out []string
		for _, it := range feed.Items {
			out = append(out, it.Title+": "+strings.TrimSpace(it.Content))
		}
		return out
	}
	want := []string{"Blue tit - other: Second words",
		`Blue tit - author: First words, see <a href="https://example.org/x" rel="nofollow ugc noopener" target="_blank">https://example.org/x</a>`}
	for _, path := range []string{"/feeds/video-comments.xml", "/feeds/video-comments.atom", "/feeds/video-comments.xml?videoId=" + pub.UUID,
		"/feeds/video-comments.xml?videoId=" + pub.ShortUUID, fmt.Sprintf("/feeds/video-comments.xml?videoChannelId=%d", sr.channel)} {
		got := items(path)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", path, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	if got := items("/feeds/video-comments.xml?accountName=author"); len(got) != 0 {
		t.Errorf("comments on the author's videos (none): %v", got)
	}
	for _, path := range []string{"/feeds/video-comments.xml?videoId=" + priv.UUID, "/feeds/video-comments.xml?videoId=nope"} {
		if res, body := sr.send(t, http.MethodGet, path, nil, nil, "", false); res.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d %s, want 404", path, res.StatusCode, body)
		}
	}
	// JSON Feed: the item links to the comment's page.
	res, body := sr.send(t, http.MethodGet, "/feeds/video-comments.json?videoId="+pub.UUID, nil, nil, "", false)
	var jf struct {
		FeedURL string `json:"feed_url"`
		Items   []struct {
			URL     string
			Authors []struct{ Name string }
		}
	}
	if err := json.Unmarshal([]byte(body), &jf); err != nil || res.StatusCode != http.StatusOK {
		t.Fatalf("JSON feed: %d %v %s", res.StatusCode, err, body)
	}
	if len(jf.Items) != 2 || !strings.HasSuffix(jf.Items[1].URL, fmt.Sprintf("/videos/watch/%s/comments/%d", pub.UUID, first)) ||
		len(jf.Items[1].Authors) != 1 || !strings.Contains(jf.FeedURL, "/feeds/video-comments.json?videoId=") {
		t.Errorf("JSON feed = %+v", jf)
	}
}

// The subscriptions feed opens to the holder of the user's feed token
// (PeerTube's scoped-tokens): the public videos of the channels the user
// follows; a renewed token voids the old one.
func TestSubscriptionsFeedToken(t *testing.T) {
	sr := newSocialRig(t)
	ctx := context.Background()
	pub := sr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	sr.rename(t, &pub, "Blue tit")
	sr.video(t, model.PrivacyPrivate, comments.PolicyEnabled)
	ch, err := sr.server.Accounts.ChannelByID(ctx, visibility.Anonymous(false), sr.channel)
	if err != nil {
		t.Fatal(err)
	}
	sr.decode(t, "POST", "/api/v1/users/me/subscriptions", "author", map[string]any{"uri": ch.Name}, http.StatusNoContent, nil)

	token := func(method string) string {
		t.Helper()
		code, body := sr.callChecked(t, method, "/api/v1/users/scoped-tokens", "author", nil, false)
		var out struct{ FeedToken string }
		if err := json.Unmarshal(body, &out); err != nil || code != http.StatusOK || len(out.FeedToken) < 32 {
			t.Fatalf("%s scoped-tokens: %d %s", method, code, body)
		}
		return out.FeedToken
	}
	t1 := token("GET")
	if again := token("GET"); again != t1 {
		t.Errorf("the token changed on reading: %q then %q", t1, again)
	}
	if code, _ := sr.callChecked(t, "GET", "/api/v1/users/scoped-tokens", "", nil, false); code != http.StatusUnauthorized {
		t.Errorf("anonymous scoped-tokens: %d", code)
	}
	author := sr.userAccount(t, "author")
	feed := func(account int64, tok string) (*http.Response, string) {
		return sr.send(t, http.MethodGet, fmt.Sprintf("/feeds/subscriptions.xml?accountId=%d&token=%s", account, url.QueryEscape(tok)), nil, nil, "", false)
	}
	res, body := feed(author, t1)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Cache-Control"), "private") {
		t.Fatalf("feed: %d %q %s", res.StatusCode, res.Header.Get("Cache-Control"), body)
	}
	if got := titles(parseFeed(t, body)); len(got) != 1 || got[0] != "Blue tit" {
		t.Errorf("subscriptions feed = %v, want the public video only", got)
	}
	for _, c := range []struct {
		account int64
		tok     string
		want    int
	}{{author, "wrong", http.StatusForbidden}, {author, "", http.StatusBadRequest}, {sr.userAccount(t, "other"), t1, http.StatusForbidden}, {999999, t1, http.StatusNotFound}} {
		if res, _ := feed(c.account, c.tok); res.StatusCode != c.want {
			t.Errorf("account %d token %q: %d, want %d", c.account, c.tok, res.StatusCode, c.want)
		}
	}
	// The subscriptions page gives the address, with the token.
	_, page := sr.send(t, http.MethodGet, "/my/subscriptions", nil, nil, "author", false)
	if !strings.Contains(html.UnescapeString(page), fmt.Sprintf("/feeds/subscriptions.xml?accountId=%d&token=%s", author, t1)) {
		t.Errorf("the subscriptions page lacks the feed's address")
	}
	t2 := token("POST")
	if t2 == t1 {
		t.Fatal("renewing kept the token")
	}
	if res, _ := feed(author, t1); res.StatusCode != http.StatusForbidden {
		t.Errorf("old token after renewal: %d", res.StatusCode)
	}
	if res, _ := feed(author, t2); res.StatusCode != http.StatusOK {
		t.Errorf("new token: %d", res.StatusCode)
	}
}
