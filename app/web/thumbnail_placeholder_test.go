package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
)

// A video published before its thumbnails exist (the copy path) still has
// PeerTube's thumbnailPath and previewPath, and they answer with an image.
func TestThumbnailPathsBeforeThumbnails(t *testing.T) {
	r := newRig(t)
	id := uuid.New()
	v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: r.adminChannel,
		Name: "No thumbnail yet", Privacy: model.PrivacyPublic, OriginalFile: "original.mp4"}
	if err := r.store.Videos.Create(context.Background(), &v); err != nil {
		t.Fatal(err)
	}
	res, body := r.send(t, http.MethodGet, "/api/v1/videos/"+v.UUID, nil, nil, "admin", false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("get video: %d %s", res.StatusCode, body)
	}
	var got struct{ ThumbnailPath, PreviewPath *string }
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	if got.ThumbnailPath == nil || got.PreviewPath == nil {
		t.Fatalf("thumbnailPath %v, previewPath %v: want both set", got.ThumbnailPath, got.PreviewPath)
	}
	for _, p := range []string{*got.ThumbnailPath, *got.PreviewPath} {
		res, _ := r.send(t, http.MethodGet, p, nil, nil, "admin", false)
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, "/static-assets/img/no-thumbnail") ||
			res.Header.Get("Cache-Control") != "no-cache" {
			t.Fatalf("%s: %d to %q (%q), want a fresh redirect to the placeholder", p, res.StatusCode, loc, res.Header.Get("Cache-Control"))
		}
		img, data := r.send(t, http.MethodGet, loc, nil, nil, "", false)
		if img.StatusCode != http.StatusOK || img.Header.Get("Content-Type") != "image/jpeg" || !strings.HasPrefix(data, "\xff\xd8") {
			t.Fatalf("placeholder: %d %s", img.StatusCode, img.Header.Get("Content-Type"))
		}
	}
}
