package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/internal/testrig/openapi"
)

// sortRig stores five published public videos whose every sortable value
// differs, and returns their names by id.
func sortRig(t *testing.T) *rig {
	r := newRig(t)
	ctx := context.Background()
	db := r.store.DB()
	type row struct {
		name     string
		dur      time.Duration
		views    int64
		recent   int64 // views in the last days (trending)
		old      int64 // views a month ago (not trending)
		original string
		size     int64
		likes    int64
		comments int64
	}
	rows := []row{
		{"Banana", 3 * time.Minute, 50, 1, 40, "2001-01-01", 300, 2, 9},
		{"apple", 1 * time.Minute, 10, 7, 0, "", 100, 9, 1},
		{"Cherry", 5 * time.Minute, 30, 3, 0, "1999-01-01", 500, 5, 0},
		{"date", 2 * time.Minute, 0, 0, 0, "", 200, 0, 4},
		{"Elder", 4 * time.Minute, 20, 5, 10, "2010-01-01", 400, 7, 6},
	}
	base := time.Now().Add(-time.Hour)
	for i, x := range rows {
		id := uuid.New()
		v := model.Video{UUID: id.String(), ShortUUID: videos.ShortUUID(id), ChannelID: r.adminChannel, Name: x.name,
			Privacy: model.PrivacyPublic, Duration: x.dur, Size: x.size}
		if x.original != "" {
			v.OriginallyPublishedAt, _ = time.Parse("2006-01-02", x.original)
		}
		if err := r.store.Videos.Create(ctx, &v); err != nil {
			t.Fatal(err)
		}
		if err := r.store.Videos.AddRenditions(ctx, v.ID, model.Rendition{Name: "360p", Width: 640, Height: 360, Bandwidth: 1, Codecs: "avc1"}); err != nil {
			t.Fatal(err)
		}
		// Creation and publication in the order of rows, a minute apart.
		at := base.Add(time.Duration(i) * time.Minute).UnixMilli()
		if _, err := db.ExecContext(ctx, "UPDATE videos SET created_at = ?, published_at = ?, views = ?, likes = ?, comments = ? WHERE id = ?", at, at, x.views, x.likes, x.comments, v.ID); err != nil {
			t.Fatal(err)
		}
		for _, d := range []struct {
			ago   time.Duration
			views int64
		}{{24 * time.Hour, x.recent}, {30 * 24 * time.Hour, x.old}} {
			day := time.Now().Add(-d.ago).UTC().Truncate(24 * time.Hour).UnixMilli()
			if d.views > 0 {
				if _, err := db.ExecContext(ctx, "INSERT INTO video_views_daily(video_id, day, views) VALUES (?, ?, ?)", v.ID, day, d.views); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	return r
}

func listNames(t *testing.T, r *rig, query string) []string {
	t.Helper()
	res, body := r.send(t, http.MethodGet, "/api/v1/videos"+query, nil, nil, "", false)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", query, res.StatusCode, body)
	}
	var page struct {
		Total int
		Data  []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(body), &page); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range page.Data {
		out = append(out, v.Name)
	}
	return out
}

// TestEverySortOrders: each sort PeerTube accepts is accepted, and orders
// the seeded videos as PeerTube would.
func TestEverySortOrders(t *testing.T) {
	r := sortRig(t)
	r.server.cache.ttl = 0
	byDate := []string{"Elder", "date", "Cherry", "apple", "Banana"} // newest first
	byViews := []string{"Banana", "Cherry", "Elder", "apple", "date"}
	byLikes := []string{"apple", "Elder", "Cherry", "Banana", "date"}
	byComments := []string{"Banana", "Elder", "date", "apple", "Cherry"}
	// Trending: the last 7 days' views (apple 7, Elder 5, Cherry 3,
	// Banana 1: its 40 views a month ago do not count), then the
	// unwatched, newest first.
	trending := []string{"apple", "Elder", "Cherry", "Banana", "date"}
	want := map[string][]string{
		"":                       byDate,
		"-publishedAt":           byDate,
		"publishedAt":            rev(byDate),
		"-createdAt":             byDate,
		"createdAt":              rev(byDate),
		"name":                   {"apple", "Banana", "Cherry", "date", "Elder"},
		"-name":                  {"Elder", "date", "Cherry", "Banana", "apple"},
		"-duration":              {"Cherry", "Elder", "Banana", "date", "apple"},
		"duration":               {"apple", "date", "Banana", "Elder", "Cherry"},
		"-views":                 byViews,
		"views":                  rev(byViews),
		"-likes":                 byLikes,
		"likes":                  rev(byLikes),
		"-comments":              byComments,
		"comments":               rev(byComments),
		"-originallyPublishedAt": {"date", "apple", "Elder", "Banana", "Cherry"},
		"originallyPublishedAt":  {"Cherry", "Banana", "Elder", "apple", "date"},
		"-trending":              trending,
		"trending":               {"date", "Banana", "Cherry", "Elder", "apple"},
		"-localVideoFilesSize":   {"Cherry", "Elder", "Banana", "date", "apple"},
		"localVideoFilesSize":    {"apple", "date", "Banana", "Elder", "Cherry"},
		"-match":                 byDate,
		"match":                  byDate,
	}
	for sort, names := range want {
		if got := listNames(t, r, "?sort="+sort); !slices.Equal(got, names) {
			t.Errorf("sort=%s: %v, want %v", sort, got, names)
		}
	}
	// Pages of trending join up across the watched and the unwatched.
	var paged []string
	for start := 0; start < 5; start += 2 {
		paged = append(paged, listNames(t, r, fmt.Sprintf("?sort=-trending&count=2&start=%d", start))...)
	}
	if !slices.Equal(paged, trending) {
		t.Errorf("-trending by pages of 2: %v, want %v", paged, trending)
	}
	// Hot and best: PeerTube's weights (views 16, likes 150, dislikes
	// -150, comments 100) and the publication date, all within the hour
	// here: Banana 2000, Elder 1970, apple 1610, Cherry 1230, date 400.
	byHot := []string{"Banana", "Elder", "apple", "Cherry", "date"}
	for _, sort := range []string{"-hot", "-best"} {
		if got := listNames(t, r, "?sort="+sort); !slices.Equal(got, byHot) {
			t.Errorf("sort=%s: %v, want %v", sort, got, byHot)
		}
	}
	for _, k := range repo.VideoSorts {
		if _, ok := want[k]; !ok && !strings.HasSuffix(k, "hot") && !strings.HasSuffix(k, "best") {
			t.Errorf("sort %s is accepted but not tested", k)
		}
	}
	if res, _ := r.send(t, http.MethodGet, "/api/v1/videos?sort=-dislikes", nil, nil, "", false); res.StatusCode != http.StatusBadRequest {
		t.Errorf("a sort PeerTube refuses: %d", res.StatusCode)
	}
}

func rev(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

// TestTrailingSlashes: PeerTube's router takes a trailing slash on every
// API route; pages keep their exact paths.
func TestTrailingSlashes(t *testing.T) {
	r := sortRig(t)
	for _, path := range []string{"/api/v1/videos/", "/api/v1/config/", "/api/v1/videos/categories/", "/api/v1/oauth-clients/local/"} {
		if res, body := r.send(t, http.MethodGet, path, nil, nil, "", false); res.StatusCode != http.StatusOK || !strings.HasPrefix(body, "{") {
			t.Errorf("GET %s: %d", path, res.StatusCode)
		}
	}
	if got := listNames(t, r, "/?sort=name&count=1"); len(got) != 1 || got[0] != "apple" {
		t.Errorf("videos/ with a query: %v", got)
	}
	if res, _ := r.send(t, http.MethodGet, "/api/v1/users/me/", nil, nil, "", false); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("users/me/ anonymous: %d, want 401 (the route, not a 404)", res.StatusCode)
	}
}

// TestEditAndDeletePermissions: only the owner or an admin edits or
// deletes; another user gets 403, a stranger 401; bad values 400 naming
// the field; a deletion removes the row and the files.
func TestEditAndDeletePermissions(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes a clip")
	}
	r := newRig(t)
	r.runQueue()
	a := newAPIClient(t, r)
	v := r.ingest(clip(t, t.TempDir(), 320, 240, 2, 15), model.PrivacyPublic)
	eventually(t, 60*time.Second, "published", func() bool {
		got, err := r.videos.Get(context.Background(), adminViewer(r), v.UUID)
		return err == nil && got.State == model.StatePublished
	})
	path := "/api/v1/videos/" + v.UUID
	put := func(who, body string) openapi.Response {
		return a.do(http.MethodPut, path, who, strings.NewReader(body), "application/json")
	}
	if res := put("user", `{"name":"Not yours"}`); res.Status != http.StatusForbidden {
		t.Errorf("another user's PUT: %d %s", res.Status, res.Body)
	}
	if res := put("", `{"name":"Not yours"}`); res.Status != http.StatusUnauthorized {
		t.Errorf("anonymous PUT: %d", res.Status)
	}
	for body, field := range map[string]string{
		`{"category":99}`:        "category",
		`{"licence":"x"}`:        "licence",
		`{"language":"xx-nope"}`: "language",
		`{"tags":["a"]}`:         "tags",
		`{"tags":["one","two","three","four","five","six"]}`: "tags",
		`{"tags":["` + strings.Repeat("x", 31) + `"]}`:       "tags",
		`{"name":"ab"}`:                         "name",
		`{"support":"ab"}`:                      "support",
		`{"description":"ab"}`:                  "description",
		`{"privacy":9}`:                         "privacy",
		`{"commentsPolicy":4}`:                  "commentsPolicy",
		`{"downloadEnabled":"maybe"}`:           "downloadEnabled",
		`{"originallyPublishedAt":"yesterday"}`: "originallyPublishedAt",
	} {
		res := put("admin", body)
		var p problem
		json.Unmarshal(res.Body, &p)
		if res.Status != http.StatusBadRequest || p.InvalidParams[field].Param != field {
			t.Errorf("PUT %s: %d %s, want 400 naming %s", body, res.Status, res.Body, field)
		}
	}
	// The owner (the admin here) edits; a form works as JSON does.
	if res := put("admin", `{"name":"Renamed","category":1,"licence":7,"language":"en","tags":["rain","city"],"support":"Thanks!","nsfw":true,"commentsEnabled":false,"downloadEnabled":false,"originallyPublishedAt":"2020-02-02T00:00:00Z","privacy":2}`); res.Status != http.StatusNoContent {
		t.Fatalf("owner's PUT: %d %s", res.Status, res.Body)
	}
	got, err := r.videos.Details(context.Background(), adminViewer(r), v.UUID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "Renamed" || got.Category != 1 || got.Licence != 7 || got.Language != "en" || strings.Join(got.Tags, ",") != "rain,city" ||
		got.Support != "Thanks!" || !got.NSFW || got.CommentsPolicy != model.CommentsDisabled || got.DownloadEnabled ||
		got.OriginallyPublishedAt.Year() != 2020 || got.Privacy != model.PrivacyUnlisted {
		t.Errorf("after PUT: %+v", got)
	}
	// Fields left out stay; null clears.
	if res := put("admin", `{"category":null,"tags":[]}`); res.Status != http.StatusNoContent {
		t.Fatalf("clearing PUT: %d %s", res.Status, res.Body)
	}
	got, _ = r.videos.Details(context.Background(), adminViewer(r), v.UUID)
	if got.Category != 0 || len(got.Tags) != 0 || got.Licence != 7 || got.Name != "Renamed" {
		t.Errorf("after clearing: category %d tags %v licence %d name %q", got.Category, got.Tags, got.Licence, got.Name)
	}

	if res := a.do(http.MethodDelete, path, "user", nil, ""); res.Status != http.StatusForbidden {
		t.Errorf("another user's DELETE: %d", res.Status)
	}
	if res := a.do(http.MethodDelete, path, "admin", nil, ""); res.Status != http.StatusNoContent {
		t.Fatalf("owner's DELETE: %d %s", res.Status, res.Body)
	}
	if _, err := os.Stat(r.layout.Video(v.UUID)); !os.IsNotExist(err) {
		t.Errorf("the video's files remain: %v", err)
	}
	if res := a.do(http.MethodGet, path, "admin", nil, ""); res.Status != http.StatusNotFound {
		t.Errorf("GET after DELETE: %d", res.Status)
	}
	if res := a.do(http.MethodDelete, path, "admin", nil, ""); res.Status != http.StatusNotFound {
		t.Errorf("DELETE twice: %d", res.Status)
	}
}
