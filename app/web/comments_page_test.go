package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"cabane.dev/cabane/app/comments"
	"cabane.dev/cabane/app/model"
)

func TestCommentHTMLEscapesAndLinks(t *testing.T) {
	cases := map[string]string{
		`<script>alert(1)</script>`:        `&lt;script&gt;alert(1)&lt;/script&gt;`,
		"see https://example.org/a?b=1&c.": `see <a href="https://example.org/a?b=1&amp;c" rel="nofollow ugc noopener" target="_blank">https://example.org/a?b=1&amp;c</a>.`,
		`javascript:alert(1) http://`:      `javascript:alert(1) http://`,
		`x https://e.org/"onmouseover=y`:   `x <a href="https://e.org/" rel="nofollow ugc noopener" target="_blank">https://e.org/</a>&#34;onmouseover=y`,
		"two\nlines":                       `two<br>lines`,
	}
	for in, want := range cases {
		if got := string(commentHTML(in)); got != want {
			t.Errorf("%q:\n got %s\nwant %s", in, got, want)
		}
	}
}

// The watch page reads without JavaScript, and its forms post, reply,
// delete and rate without it (with the page's CSRF field).
func TestWatchPageCommentsAndRatingsWithoutJS(t *testing.T) {
	cr := newCommunityRig(t)
	v := cr.video(t, model.PrivacyPublic, comments.PolicyEnabled)
	form := func(who, path string, fields url.Values) *http.Response {
		t.Helper()
		res := cr.do(t.Context(), request{method: http.MethodPost, path: path, who: who, form: fields, withCSRF: true})
		res.Body.Close()
		return res
	}
	watch := "/videos/watch/" + v.UUID
	res := form("author", watch+"/comments", url.Values{"text": {"<b>bold</b> https://example.org/x"}})
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), watch+"#c-") {
		t.Fatalf("post form: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	id := strings.TrimPrefix(res.Header.Get("Location"), watch+"#c-")
	if res := form("other", watch+"/comments", url.Values{"text": {"a reply"}, "inReplyTo": {id}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("reply form: %d", res.StatusCode)
	}
	if res := form("other", watch+"/rate", url.Values{"rating": {"like"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("rate form: %d", res.StatusCode)
	}
	// Without the CSRF field the forms are refused.
	bad := cr.do(t.Context(), request{method: http.MethodPost, path: watch + "/comments", who: "other", form: url.Values{"text": {"forged"}}})
	bad.Body.Close()
	if bad.StatusCode != http.StatusForbidden {
		t.Errorf("form without CSRF: %d", bad.StatusCode)
	}

	code, page := cr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID})
	if code != 200 {
		t.Fatalf("watch page %d", code)
	}
	for _, want := range []string{
		`&lt;b&gt;bold&lt;/b&gt;`, `<a href="https://example.org/x" rel="nofollow ugc noopener"`, "a reply",
		`id="c-` + id + `"`, `<span class="count likes">1</span>`, "2 comments", `data-views="/api/v1/videos/` + v.UUID + `/views"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("watch page lacks %s", want)
		}
	}
	if strings.Contains(page, "<b>bold</b>") || strings.Contains(page, `action="`+watch+`/comments"`) {
		t.Error("anonymous page has raw HTML or a comment form")
	}
	// The author sees their delete button, not another user's; the owner sees both.
	_, mine := cr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID, who: "author"})
	_, owner := cr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID, who: "user"})
	if n := strings.Count(mine, "/delete\""); n != 1 {
		t.Errorf("author sees %d delete buttons, want 1", n)
	}
	if n := strings.Count(owner, "/delete\""); n != 2 {
		t.Errorf("owner sees %d delete buttons, want 2", n)
	}
	_, liked := cr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID, who: "other"})
	if !strings.Contains(liked, `value="none" class="rate like" aria-pressed="true"`) {
		t.Error("the liker's page does not show the like as pressed (and undoable)")
	}
	if res := form("other", fmt.Sprintf("%s/comments/%s/delete", watch, id), nil); res.StatusCode != http.StatusForbidden {
		t.Errorf("another user's delete form: %d", res.StatusCode)
	}
	if res := form("author", fmt.Sprintf("%s/comments/%s/delete", watch, id), nil); res.StatusCode != http.StatusSeeOther {
		t.Errorf("author's delete form: %d", res.StatusCode)
	}
	_, page = cr.page(request{method: http.MethodGet, path: "/w/" + v.ShortUUID})
	if strings.Contains(page, "bold") || !strings.Contains(page, "This comment has been deleted.") || !strings.Contains(page, "a reply") {
		t.Error("deleted thread with a reply: no placeholder, or the text is still shown")
	}

	// In French.
	res2, fr := cr.send(t, http.MethodGet, "/w/"+v.ShortUUID, nil, map[string]string{"Accept-Language": "fr-FR,fr;q=0.9"}, "", false)
	if res2.StatusCode != 200 || !strings.Contains(fr, "Commentaires") || !strings.Contains(fr, "Ce commentaire a été supprimé.") {
		t.Error("the French page is not in French")
	}
	// Comments off: said so, no form.
	off := cr.video(t, model.PrivacyPublic, comments.PolicyDisabled)
	_, page = cr.page(request{method: http.MethodGet, path: "/w/" + off.ShortUUID, who: "other"})
	if !strings.Contains(page, "Comments are turned off") || strings.Contains(page, `name="text"`) {
		t.Error("comments-off page")
	}
}
