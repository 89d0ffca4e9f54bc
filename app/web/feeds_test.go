package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/mmcdole/gofeed"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// feedRig is a rig with one really encoded public video on the admin's
// channel (its enclosure must play), and on the user's channel two public
// videos, then one of every other privacy (files faked).
type feedRig struct {
	*rig
	real          model.Video
	userChannel   model.Channel
	older, newer  model.Video
	hidden        []model.Video // unlisted, private, internal, local
	userAccountID int64
}

func newFeedRig(t *testing.T) *feedRig {
	t.Helper()
	r := newRig(t)
	ctx := context.Background()
	v := r.ingest(clip(t, t.TempDir(), 640, 360, 4, 25), model.PrivacyPublic)
	r.runQueue()
	eventually(t, 90*time.Second, "the clip is published", func() bool {
		got, err := r.videos.Get(ctx, visibility.FeedReader(), v.UUID)
		return err == nil && got.Published()
	})
	real, err := r.videos.Get(ctx, visibility.FeedReader(), v.UUID)
	if err != nil {
		t.Fatal(err)
	}
	f := &feedRig{rig: r, real: real, userAccountID: r.userAccount(t, "user")}
	chs, err := r.server.Accounts.ChannelsOf(ctx, f.userAccountID)
	if err != nil || len(chs) == 0 {
		t.Fatal("no channel for user", err)
	}
	f.userChannel = chs[0]
	time.Sleep(5 * time.Millisecond) // distinct publication times
	f.older = r.publishedVideo(t, f.userChannel.ID, model.PrivacyPublic)
	time.Sleep(5 * time.Millisecond)
	f.newer = r.publishedVideo(t, f.userChannel.ID, model.PrivacyPublic)
	if f.older.Name == f.newer.Name {
		f.newer.Name += " (newer)"
		if _, err := r.store.DB().Exec(`UPDATE videos SET name = ? WHERE id = ?`, f.newer.Name, f.newer.ID); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []int{model.PrivacyUnlisted, model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyLocal} {
		f.hidden = append(f.hidden, r.publishedVideo(t, f.userChannel.ID, p))
	}
	return f
}

// fetch GETs path with headers, from a viewer at home (who sees family
// videos on pages, never in feeds).
func (f *feedRig) fetch(t *testing.T, path string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	h := viewerFrom(true)
	for k, v := range hdr {
		h[k] = v
	}
	return f.send(t, http.MethodGet, path, nil, h, "", false)
}

func parseFeed(t *testing.T, body string) *gofeed.Feed {
	t.Helper()
	feed, err := gofeed.NewParser().ParseString(body)
	if err != nil {
		t.Fatalf("parse feed: %v\n%s", err, body)
	}
	return feed
}

func titles(feed *gofeed.Feed) []string {
	var out []string
	for _, it := range feed.Items {
		out = append(out, it.Title)
	}
	return out
}

func TestFeedsListOnlyPublicVideosNewestFirst(t *testing.T) {
	f := newFeedRig(t)
	// The instance's feed in each format PeerTube names.
	want := []string{f.newer.Name, f.older.Name, f.real.Name}
	for _, path := range []string{"/feeds/videos.xml", "/feeds/videos.rss", "/feeds/videos.atom", "/feeds/videos.xml?format=atom"} {
		res, body := f.fetch(t, path, nil)
		if res.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d %s", path, res.StatusCode, body)
		}
		feed := parseFeed(t, body)
		wantType := map[string]string{"/feeds/videos.xml": "rss", "/feeds/videos.rss": "rss", "/feeds/videos.atom": "atom", "/feeds/videos.xml?format=atom": "atom"}[path]
		if feed.FeedType != wantType {
			t.Errorf("%s: a %s feed, want %s", path, feed.FeedType, wantType)
		}
		if got := titles(feed); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("%s: items %q, want %q (public only, newest first)", path, got, want)
		}
		if feed.Title != "Cabane" {
			t.Errorf("%s: title %q", path, feed.Title)
		}
	}
	// A channel's and an account's feeds hold their own videos only.
	for _, q := range []string{"?videoChannelId=" + strconv.FormatInt(f.userChannel.ID, 10), "?accountId=" + strconv.FormatInt(f.userAccountID, 10),
		"?videoChannelName=" + f.userChannel.Name, "?accountName=user@" + strings.TrimPrefix(f.http.URL, "http://")} {
		_, body := f.fetch(t, "/feeds/videos.xml"+q, nil)
		feed := parseFeed(t, body)
		if got := titles(feed); strings.Join(got, "|") != f.newer.Name+"|"+f.older.Name {
			t.Errorf("%s: items %q", q, got)
		}
	}
	_, body := f.fetch(t, "/feeds/videos.xml?videoChannelId="+strconv.FormatInt(f.userChannel.ID, 10), nil)
	if feed := parseFeed(t, body); feed.Title != f.userChannel.DisplayName || feed.Link != f.http.URL+"/c/"+f.userChannel.Name {
		t.Errorf("channel feed: title %q link %q", feed.Title, feed.Link)
	}
	// Sorts PeerTube accepts are honoured.
	_, body = f.fetch(t, "/feeds/videos.xml?sort=publishedAt", nil)
	if got := titles(parseFeed(t, body)); len(got) != 3 || got[0] != f.real.Name {
		t.Errorf("sort=publishedAt: %q", got)
	}
}

func TestFeedItemsCarryPlayableEnclosuresAndMediaRSS(t *testing.T) {
	f := newFeedRig(t)
	_, body := f.fetch(t, "/feeds/videos.xml", nil)
	feed := parseFeed(t, body)
	var item *gofeed.Item
	for _, it := range feed.Items {
		if it.Title == f.real.Name {
			item = it
		}
	}
	if item == nil {
		t.Fatal("the encoded video is not in the feed")
	}
	watch := f.http.URL + "/videos/watch/" + f.real.UUID
	if item.Link != watch || item.GUID != watch {
		t.Errorf("link %q guid %q, want %q", item.Link, item.GUID, watch)
	}
	if item.PublishedParsed == nil || item.PublishedParsed.Sub(f.real.PublishedAt).Abs() > time.Second {
		t.Errorf("published %v, want %v", item.PublishedParsed, f.real.PublishedAt)
	}
	media := item.Extensions["media"]
	if th := media["thumbnail"]; len(th) != 2 || th[0].Attrs["url"] != f.http.URL+"/lazy-static/previews/"+f.real.UUID+".jpg" || th[0].Attrs["width"] != "850" {
		t.Errorf("media:thumbnail %+v", th)
	}
	if emb := media["embed"]; len(emb) != 1 || emb[0].Attrs["url"] != f.http.URL+"/videos/embed/"+f.real.UUID {
		t.Errorf("media:embed %+v", emb)
	}
	group := media["group"]
	if len(group) != 1 || len(group[0].Children["content"]) != 1 || group[0].Children["content"][0].Attrs["height"] != "360" {
		t.Fatalf("media:group %+v", group)
	}
	if len(item.Enclosures) != 1 {
		t.Fatalf("enclosures %+v", item.Enclosures)
	}
	enc := item.Enclosures[0]
	if enc.Type != "video/mp4" || enc.URL != group[0].Children["content"][0].Attrs["url"] {
		t.Errorf("enclosure %+v", enc)
	}
	length, _ := strconv.ParseInt(enc.Length, 10, 64)

	// The enclosure is fetchable by anyone, its length is what the feed
	// says, and it is a video that plays from start to end.
	path := strings.TrimPrefix(enc.URL, f.http.URL)
	res, err := http.Get(f.http.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "enclosure.mp4")
	out, _ := os.Create(file)
	n, _ := io.Copy(out, res.Body)
	out.Close()
	res.Body.Close()
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "video/mp4" || n != length || res.ContentLength != length {
		t.Fatalf("GET enclosure: %d %q, %d bytes (Content-Length %d), feed says %d", res.StatusCode, res.Header.Get("Content-Type"), n, res.ContentLength, length)
	}
	probe, err := exec.Command("ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name:format=duration", "-of", "json", file).Output()
	if err != nil {
		t.Fatalf("ffprobe the enclosure: %v", err)
	}
	var info struct {
		Streams []struct{ CodecType, CodecName string } `json:"streams"`
		Format  struct{ Duration string }               `json:"format"`
	}
	json.Unmarshal(probe, &info)
	dur, _ := strconv.ParseFloat(info.Format.Duration, 64)
	if len(info.Streams) != 2 || dur < 3.5 || dur > 4.5 {
		t.Errorf("enclosure: %s", probe)
	}
	if err := exec.Command("ffmpeg", "-v", "error", "-xerror", "-i", file, "-f", "null", "-").Run(); err != nil {
		t.Errorf("the enclosure does not decode: %v", err)
	}
	// Ranges, as podcast apps seek.
	res2, part := f.fetch(t, path, map[string]string{"Range": "bytes=100-199"})
	whole, _ := os.ReadFile(file)
	if res2.StatusCode != http.StatusPartialContent || part != string(whole[100:200]) {
		t.Errorf("range: %d, %d bytes", res2.StatusCode, len(part))
	}
	// A private video's file is nobody else's.
	priv := f.hidden[1]
	if res, _ := f.fetch(t, "/download/streaming-playlists/hls/videos/"+priv.UUID+"-360-fragmented.mp4", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("private video's download: %d", res.StatusCode)
	}
}

func TestFeedFormatsHeadersAndErrors(t *testing.T) {
	f := newFeedRig(t)
	// JSON Feed 1.1, by its spec's fields.
	res, body := f.fetch(t, "/feeds/videos.json", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("json feed: %d %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
	var jf struct {
		Version     string `json:"version"`
		Title       string `json:"title"`
		HomePageURL string `json:"home_page_url"`
		FeedURL     string `json:"feed_url"`
		Items       []struct {
			ID            string `json:"id"`
			URL           string `json:"url"`
			Title         string `json:"title"`
			ContentHTML   string `json:"content_html"`
			ContentText   string `json:"content_text"`
			DatePublished string `json:"date_published"`
			Attachments   []struct {
				URL      string `json:"url"`
				MIMEType string `json:"mime_type"`
				Size     int64  `json:"size_in_bytes"`
			} `json:"attachments"`
		} `json:"items"`
	}
	if err := json.Unmarshal([]byte(body), &jf); err != nil {
		t.Fatal(err)
	}
	if jf.Version != "https://jsonfeed.org/version/1.1" || jf.FeedURL != f.http.URL+"/feeds/videos.json" || jf.HomePageURL != f.http.URL+"/" || len(jf.Items) != 3 {
		t.Fatalf("json feed: %+v", jf)
	}
	for _, it := range jf.Items {
		if _, err := time.Parse(time.RFC3339, it.DatePublished); err != nil || it.ID == "" || it.URL == "" || it.ContentHTML == "" && it.ContentText == "" {
			t.Errorf("json item %+v", it)
		}
	}
	if a := jf.Items[2].Attachments; len(a) != 1 || a[0].MIMEType != "video/mp4" || a[0].Size == 0 {
		t.Errorf("the encoded video's attachments: %+v", a)
	}

	// Content types as PeerTube negotiates them; 406 when none fits.
	for path, want := range map[string]string{"/feeds/videos.rss": "application/rss+xml", "/feeds/videos.atom": "application/atom+xml", "/feeds/videos.xml": "application/xml"} {
		if res, _ := f.fetch(t, path, nil); !strings.HasPrefix(res.Header.Get("Content-Type"), want) {
			t.Errorf("%s: %q, want %s", path, res.Header.Get("Content-Type"), want)
		}
	}
	if res, _ := f.fetch(t, "/feeds/videos.rss", map[string]string{"Accept": "text/xml"}); !strings.HasPrefix(res.Header.Get("Content-Type"), "text/xml") {
		t.Errorf("Accept text/xml: %q", res.Header.Get("Content-Type"))
	}
	if res, _ := f.fetch(t, "/feeds/videos.json", map[string]string{"Accept": "text/html"}); res.StatusCode != http.StatusNotAcceptable {
		t.Errorf("Accept text/html on JSON: %d", res.StatusCode)
	}

	// Caching: a short public cache, and 304 for a reader that has it.
	res, _ = f.fetch(t, "/feeds/videos.xml", nil)
	etag := res.Header.Get("ETag")
	if etag == "" || res.Header.Get("Cache-Control") != "public, max-age=60" || res.Header.Get("Last-Modified") == "" {
		t.Errorf("headers: %v", res.Header)
	}
	if res, body := f.fetch(t, "/feeds/videos.xml", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusNotModified || body != "" {
		t.Errorf("If-None-Match: %d", res.StatusCode)
	}
	if res, _ := f.fetch(t, "/feeds/videos.xml", map[string]string{"If-Modified-Since": res.Header.Get("Last-Modified")}); res.StatusCode != http.StatusNotModified {
		t.Errorf("If-Modified-Since: %d", res.StatusCode)
	}
	if res, _ := f.fetch(t, "/feeds/videos.xml?sort=-views", map[string]string{"If-None-Match": etag}); res.StatusCode != http.StatusOK {
		t.Errorf("another feed with the first's ETag: %d", res.StatusCode)
	}

	// Errors are PeerTube's problem JSON.
	for path, want := range map[string]int{
		"/feeds/videos.html":                                   http.StatusBadRequest,
		"/feeds/videos.xml?format=html":                        http.StatusBadRequest,
		"/feeds/videos.xml?sort=-nonsense":                     http.StatusBadRequest,
		"/feeds/videos.xml?videoChannelId=abc":                 http.StatusBadRequest,
		"/feeds/videos.xml?videoChannelId=999":                 http.StatusNotFound,
		"/feeds/videos.xml?accountId=999":                      http.StatusNotFound,
		"/feeds/videos.xml?accountName=user@elsewhere.example": http.StatusNotFound,
		"/feeds/podcast/videos.xml":                            http.StatusBadRequest,
		"/feeds/podcast/videos.xml?videoChannelId=999":         http.StatusNotFound,
	} {
		res, body := f.fetch(t, path, nil)
		var p problem
		if res.StatusCode != want || json.Unmarshal([]byte(body), &p) != nil || p.Status != want {
			t.Errorf("%s: %d %s, want %d", path, res.StatusCode, body, want)
		}
	}
}

func TestPodcastFeed(t *testing.T) {
	f := newFeedRig(t)
	res, body := f.fetch(t, fmt.Sprintf("/feeds/podcast/videos.xml?videoChannelId=%d", f.rig.adminChannel), nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/rss+xml") {
		t.Fatalf("podcast: %d %q %s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	feed := parseFeed(t, body)
	if feed.ITunesExt == nil || feed.ITunesExt.Explicit != "false" || feed.Language != "en" {
		t.Errorf("itunes channel tags: %+v, language %q", feed.ITunesExt, feed.Language)
	}
	pc := feed.Extensions["podcast"]
	if len(pc["guid"]) != 1 || len(pc["guid"][0].Value) != 36 || len(pc["medium"]) != 1 || pc["medium"][0].Value != "video" {
		t.Errorf("podcast: tags %+v", pc)
	}
	if len(feed.Items) != 1 || feed.Items[0].Title != f.real.Name {
		t.Fatalf("items %q", titles(feed))
	}
	it := feed.Items[0]
	if it.ITunesExt == nil || it.ITunesExt.Duration != "4" {
		t.Errorf("itunes:duration %+v", it.ITunesExt)
	}
	if len(it.Enclosures) != 1 || it.Enclosures[0].Type != "video/mp4" {
		t.Fatalf("enclosure %+v", it.Enclosures)
	}
	alts := it.Extensions["podcast"]["alternateEnclosure"]
	if len(alts) != 2 || alts[0].Children["source"][0].Attrs["uri"] != it.Enclosures[0].URL || alts[1].Attrs["type"] != "application/x-mpegURL" {
		t.Errorf("alternate enclosures %+v", alts)
	}
	res, _ = f.fetch(t, strings.TrimPrefix(it.Enclosures[0].URL, f.http.URL), nil)
	if res.StatusCode != http.StatusOK || strconv.FormatInt(res.ContentLength, 10) != it.Enclosures[0].Length {
		t.Errorf("podcast enclosure: %d, %d bytes, feed says %s", res.StatusCode, res.ContentLength, it.Enclosures[0].Length)
	}
	// The channel's ordinary feed points podcast apps at it.
	_, body = f.fetch(t, fmt.Sprintf("/feeds/videos.xml?videoChannelId=%d", f.rig.adminChannel), nil)
	txt := parseFeed(t, body).Extensions["podcast"]["txt"]
	if len(txt) != 1 || txt[0].Attrs["purpose"] != "p20url" || txt[0].Value != fmt.Sprintf("%s/feeds/podcast/videos.xml?videoChannelId=%d", f.http.URL, f.rig.adminChannel) {
		t.Errorf("podcast:txt %+v", txt)
	}
}
