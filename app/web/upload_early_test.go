package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
)

// postUploadForm sends the upload page's form (no JavaScript) as who.
func (r *rig) postUploadForm(t *testing.T, who, clipPath string, fields map[string]string) (*http.Response, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	w.WriteField(csrfField, testCSRF)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("videofile", "clip.webm")
	b, err := os.ReadFile(clipPath)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(b)
	w.Close()
	return r.send(t, http.MethodPost, "/upload", &buf, map[string]string{"Content-Type": w.FormDataContentType()}, who, true)
}

// The upload page offers supporter-only videos and their public date
// (early access), and an upload with them is stored as such; a date in
// the past is refused before anything is stored.
func TestUploadSupporterOnlyWithEarlyAccess(t *testing.T) {
	r, _ := supporterRig(t)
	r.videos.EarlyAccess = r.server.Supporters.SetEarlyAccess
	for lang, want := range map[string]string{"en": "Supporters only", "fr": "Soutiens uniquement"} {
		code, body := r.page(request{method: http.MethodGet, path: "/upload", who: "user", lang: lang})
		if code != http.StatusOK || !strings.Contains(body, `<option value="7">`+want+`</option>`) ||
			!strings.Contains(body, `type="datetime-local" name="publicOn"`) {
			t.Fatalf("%s upload page: %d, no supporter-only choice or public date", lang, code)
		}
	}
	c := clip(t, t.TempDir(), 160, 120, 1, 10)
	ctx := context.Background()
	before, _ := r.store.Videos.Count(ctx)

	res, body := r.postUploadForm(t, "user", c, map[string]string{"name": "Too late", "privacy": "7", "publicOn": "2001-01-01T10:00"})
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "publicOn") && !strings.Contains(body, "future") {
		t.Fatalf("a past date: %d\n%s", res.StatusCode, body)
	}
	if n, _ := r.store.Videos.Count(ctx); n != before {
		t.Fatalf("a refused upload stored a video: %d -> %d", before, n)
	}

	at := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	res, _ = r.postUploadForm(t, "user", c, map[string]string{"name": "For supporters first", "privacy": "7", "publicOn": at.Format("2006-01-02T15:04")})
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/w/") {
		t.Fatalf("upload: %d to %q", res.StatusCode, loc)
	}
	v, err := r.store.Videos.ByShortUUID(ctx, strings.TrimPrefix(loc, "/w/"))
	if err != nil {
		t.Fatal(err)
	}
	if v.Privacy != model.PrivacySupporters {
		t.Errorf("privacy %d, want supporters only", v.Privacy)
	}
	got, err := r.server.Supporters.EarlyAccess(ctx, v.ID)
	if err != nil || !got.Equal(at) {
		t.Errorf("public on %v (%v), want %v", got, err, at)
	}
	// A public upload ignores the date.
	res, _ = r.postUploadForm(t, "user", c, map[string]string{"name": "Public now", "privacy": "1", "publicOn": at.Format("2006-01-02T15:04")})
	pv, err := r.store.Videos.ByShortUUID(ctx, strings.TrimPrefix(res.Header.Get("Location"), "/w/"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r.server.Supporters.EarlyAccess(ctx, pv.ID); !got.IsZero() || pv.Privacy != model.PrivacyPublic {
		t.Errorf("public upload: privacy %d, date %v", pv.Privacy, got)
	}
}
