package web

import (
	"net/http"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
)

// A video's description is Markdown on its watch page, and whatever HTML
// it carries is removed, never run.
func TestWatchPageRendersDescriptionSafely(t *testing.T) {
	r := newRig(t)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	desc := "Filmed at **Lac d'Annecy**.\n\nMore: https://example.org/making-of\n\n<script>alert(1)</script><img src=x onerror=alert(2)>"
	if _, err := r.store.DB().Exec(`UPDATE videos SET description = ? WHERE id = ?`, desc, v.ID); err != nil {
		t.Fatal(err)
	}
	res, body := r.send(t, http.MethodGet, "/w/"+v.ShortUUID, nil, nil, "", false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("watch: %d", res.StatusCode)
	}
	for _, want := range []string{"<strong>Lac d&#39;Annecy</strong>", `<a href="https://example.org/making-of" rel="nofollow noreferrer noopener" target="_blank">`} {
		if !strings.Contains(body, want) {
			t.Errorf("watch page lacks %q", want)
		}
	}
	// (The meta description tags carry the text escaped, which is safe.)
	for _, bad := range []string{"<script>alert(1)", "<img src=x onerror"} {
		if strings.Contains(body, bad) {
			t.Errorf("watch page carries %q from the description", bad)
		}
	}
}
