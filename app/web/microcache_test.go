package web

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
)

func csrfCookieOf(res *http.Response) string {
	for _, c := range res.Cookies() {
		if c.Name == csrfCookie {
			return c.Value
		}
	}
	return ""
}

// Anonymous listings come from the cache until a video is published, and
// never carry one visitor's cookie to another; logged-in viewers bypass it.
func TestMicrocache(t *testing.T) {
	r := newRig(t)
	first := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	res1, body1 := r.send(t, http.MethodGet, "/", nil, nil, "", false)
	hits := r.server.cache.hitCount()
	res2, body2 := r.send(t, http.MethodGet, "/", nil, nil, "", false)
	if r.server.cache.hitCount() != hits+1 || body1 != body2 || !strings.Contains(body2, first.Name) {
		t.Fatalf("second anonymous GET /: hits %d→%d, same body %v", hits, r.server.cache.hitCount(), body1 == body2)
	}
	if a, b := csrfCookieOf(res1), csrfCookieOf(res2); a == "" || b == "" || a == b {
		t.Errorf("CSRF cookies %q and %q: each visitor must get their own", a, b)
	}
	if res2.Header.Get("X-Frame-Options") != "DENY" || res2.Header.Get("Content-Type") != res1.Header.Get("Content-Type") {
		t.Errorf("cached answer lost its headers: %v", res2.Header)
	}
	// A publication shows at once, TTL or not.
	second := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	if _, body := r.send(t, http.MethodGet, "/api/v1/videos", nil, nil, "", false); !strings.Contains(body, second.UUID) {
		t.Error("the API list missed a new video")
	}
	if _, body := r.send(t, http.MethodGet, "/", nil, nil, "", false); !strings.Contains(body, second.Name) {
		t.Error("the home page missed a new video")
	}
	// Logged in: never from the cache (the owner sees their private video).
	private := r.publishedVideo(t, r.adminChannel, model.PrivacyPrivate)
	r.send(t, http.MethodGet, "/c/"+r.channelName(t), nil, nil, "", false)
	hits = r.server.cache.hitCount()
	if _, body := r.send(t, http.MethodGet, "/c/"+r.channelName(t), nil, nil, "admin", false); !strings.Contains(body, private.Name) {
		t.Error("the owner does not see their private video on their channel")
	}
	if r.server.cache.hitCount() != hits {
		t.Error("a logged-in request was answered from the cache")
	}
	// After the TTL, the page is made again.
	time.Sleep(1100 * time.Millisecond)
	hits = r.server.cache.hitCount()
	r.send(t, http.MethodGet, "/", nil, nil, "", false)
	if r.server.cache.hitCount() != hits {
		t.Error("an expired entry was served")
	}
}

func (r *rig) channelName(t *testing.T) string {
	chs, err := r.server.Accounts.ChannelsOf(t.Context(), r.userAccount(t, "admin"))
	if err != nil || len(chs) == 0 {
		t.Fatal(err)
	}
	return chs[0].Name
}
