package app

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/userimport"
	"cabane.dev/cabane/internal/testrig"
)

// zipEntry is one file of a test archive; raw entries carry their own
// (possibly lying) header.
type zipEntry struct {
	name string
	data []byte
	mode os.FileMode // 0: a plain file
	raw  *zip.FileHeader
}

func writeZip(t *testing.T, path string, entries []zipEntry) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, e := range entries {
		if e.raw != nil {
			w, err := zw.CreateRaw(e.raw)
			if err != nil {
				t.Fatal(err)
			}
			w.Write(e.data)
			continue
		}
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.mode != 0 {
			h.SetMode(e.mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(e.data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

func mustJSON(v any) []byte {
	b, _ := json.MarshalIndent(v, "", "  ")
	return b
}

func strp(s string) *string { return &s }

func jpegBytes(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 320, 180))
	for x := 0; x < 320; x++ {
		for y := 0; y < 180; y++ {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// ptVideo is one video of a PeerTube-shaped archive.
type ptVideo struct {
	uuid, name, channel string
	file                []byte // nil: exported without its file
	caption             bool
}

// peertubeArchive is an archive shaped as PeerTube 6.1+'s exporter writes
// it, built from its model types (app/userexport's copies of them):
// peertube/*.json, activity-pub/*.json, files/…
func peertubeArchive(t *testing.T, host string, channels []string, vids []ptVideo, following []string) []zipEntry {
	t.Helper()
	base := "https://" + host
	var es []zipEntry
	add := func(name string, v any) { es = append(es, zipEntry{name: name, data: mustJSON(v)}) }
	acc := userexport.AccountJSON{URL: base + "/accounts/creator", Name: "creator", DisplayName: "Creator of forest sounds",
		CreatedAt: "2024-02-09T10:12:11.682Z", UpdatedAt: "2024-02-09T10:12:11.682Z", Avatars: []userexport.ActorImage{}, Banners: []userexport.ActorImage{}}
	acc.ArchiveFiles.Avatar = strp("../files/account/avatars/creator.jpg")
	add("peertube/account.json", acc)
	es = append(es, zipEntry{name: "files/account/avatars/creator.jpg", data: jpegBytes(t)})
	chs := userexport.ChannelsJSON{Channels: []userexport.ChannelJSON{}}
	for _, c := range channels {
		chs.Channels = append(chs.Channels, userexport.ChannelJSON{URL: base + "/video-channels/" + c, Name: c, DisplayName: strings.ToUpper(c[:1]) + c[1:],
			Description: "Sounds of the forest", Support: "Thanks!", CreatedAt: "2024-02-09T10:12:11.682Z", UpdatedAt: "2024-02-09T10:12:11.682Z",
			Avatars: []userexport.ActorImage{}, Banners: []userexport.ActorImage{}})
	}
	add("peertube/channels.json", chs)
	vj := struct {
		Videos []userexport.VideoJSON `json:"videos"`
	}{Videos: []userexport.VideoJSON{}}
	var likes []userexport.RateJSON
	var elements []userexport.PlaylistElementJSON
	for _, v := range vids {
		j := userexport.VideoJSON{UUID: v.uuid, Name: v.name, URL: base + "/videos/watch/" + v.uuid, Privacy: 1, Duration: 1,
			Description: "Recorded at dawn", Tags: []string{"birds", "dawn"}, Language: strp("en"), CommentsEnabled: true, CommentsPolicy: 1,
			DownloadEnabled: true, WaitTranscoding: true, State: 1, Channel: userexport.NameJSON{Name: v.channel},
			CreatedAt: "2024-02-09T10:12:11.682Z", UpdatedAt: "2024-02-09T10:12:11.682Z", PublishedAt: "2024-02-09T10:12:11.682Z",
			Passwords: []string{}, Captions: []userexport.CaptionJSON{}, Chapters: []userexport.ChapterJSON{}, Files: []userexport.FileJSON{},
			StreamingPlaylists: []userexport.StreamingJSON{}, ArchiveFiles: userexport.VideoFilesJSON{Captions: map[string]string{}}}
		if v.file != nil {
			j.ArchiveFiles.VideoFile = strp("../files/videos/video-files/" + v.uuid + ".mp4")
			j.Source = &userexport.SourceJSON{InputFilename: v.name + ".mp4", Size: int64(len(v.file))}
			es = append(es, zipEntry{name: "files/videos/video-files/" + v.uuid + ".mp4", data: v.file})
			j.ArchiveFiles.Thumbnail = strp("../files/videos/thumbnails/" + v.uuid + ".jpg")
			es = append(es, zipEntry{name: "files/videos/thumbnails/" + v.uuid + ".jpg", data: jpegBytes(t)})
		}
		if v.caption {
			j.Chapters = []userexport.ChapterJSON{{Timecode: 0, Title: "First song"}}
			j.Captions = append(j.Captions, userexport.CaptionJSON{Language: "en", Filename: v.uuid + "-en.vtt", FileURL: base + "/lazy-static/video-captions/x.vtt"})
			j.ArchiveFiles.Captions["en"] = "../files/videos/captions/" + v.uuid + "-en.vtt"
			es = append(es, zipEntry{name: "files/videos/captions/" + v.uuid + "-en.vtt", data: []byte("WEBVTT\n\n00:00.000 --> 00:00.900\nA blackbird sings\n")})
		}
		vj.Videos = append(vj.Videos, j)
		likes = append(likes, userexport.RateJSON{VideoURL: j.URL, CreatedAt: "2024-02-09T10:12:11.682Z"})
		elements = append(elements, userexport.PlaylistElementJSON{VideoURL: j.URL})
	}
	add("peertube/videos.json", vj)
	elements = append(elements, userexport.PlaylistElementJSON{VideoURL: base + "/videos/watch/00000000-0000-4000-8000-000000000000"})
	pl := userexport.PlaylistJSON{DisplayName: "Dawn chorus", Privacy: 2, URL: base + "/video-playlists/p1", UUID: "3c0f6a3e-5b1a-4e5e-9f4e-0a1b2c3d4e5f",
		Type: 1, CreatedAt: "2024-02-09T10:12:11.682Z", UpdatedAt: "2024-02-09T10:12:11.682Z", Elements: elements}
	if len(channels) > 0 {
		pl.Channel.Name = strp(channels[0])
	}
	add("peertube/video-playlists.json", userexport.PlaylistsJSON{VideoPlaylists: []userexport.PlaylistJSON{pl}})
	add("peertube/likes.json", userexport.LikesJSON{Likes: likes})
	add("peertube/dislikes.json", userexport.DislikesJSON{Dislikes: []userexport.RateJSON{}})
	fj := userexport.FollowingJSON{Following: []userexport.FollowJSON{}}
	for _, h := range following {
		fj.Following = append(fj.Following, userexport.FollowJSON{Handle: "creator@" + host, TargetHandle: h, CreatedAt: "2024-02-09T10:12:11.682Z"})
	}
	add("peertube/following.json", fj)
	add("peertube/user-settings.json", userexport.UserSettingsJSON{Email: "creator@example.org", NSFWPolicy: "blur", Theme: "instance-default"})
	add("activity-pub/actor.json", map[string]any{"type": "Person", "id": base + "/accounts/creator"})
	add("activity-pub/outbox.json", map[string]any{"type": "OrderedCollection", "orderedItems": []any{}})
	return es
}

// An archive shaped as PeerTube's exporter writes it (from its model
// types, with a real H.264 clip, a thumbnail and a caption) is imported:
// the channel is created, the video published from its copied stream
// with its thumbnail, caption, tags and language, the playlist gets the
// element that exists here, the like is kept; the video exported without
// its file, and the follow of a server that cannot be reached, are
// counted as left out without failing the rest.
func TestUserImportFromPeerTube(t *testing.T) {
	ctx := context.Background()
	a, base := fedApp(t)
	dave, _, _ := fedUser(t, a, base, "dave")
	clip := testrig.MakeClip(t, filepath.Join(t.TempDir(), "clip.mp4"), testrig.Clip{Seconds: 1, Size: "160x120", FPS: 10, Args: []string{"-f", "mp4"}})
	mp4, _ := os.ReadFile(clip)
	es := peertubeArchive(t, "peertube.example", []string{"nature_sounds"}, []ptVideo{
		{uuid: "9c9de5e8-0a1e-4e4a-a1d4-4b1c2f3e4d5a", name: "Blackbird at dawn", channel: "nature_sounds", file: mp4, caption: true},
		{uuid: "1a2b3c4d-0a1e-4e4a-a1d4-4b1c2f3e4d5a", name: "Without its file", channel: "nature_sounds"},
	}, []string{"someone@peertube.invalid"})
	im := waitImport(t, a, startImport(t, a, dave, writeZip(t, filepath.Join(t.TempDir(), "pt.zip"), es)))
	if im.State != userimport.StateCompleted {
		t.Fatalf("import: %d %s", im.State, im.Error)
	}
	sum := summaryOf(t, im)
	for kind, want := range map[string]userimport.Count{"channels": {Success: 1}, "videos": {Success: 1, Errors: 1}, "videoPlaylists": {Success: 1},
		"likes": {Success: 1, Errors: 1}, "following": {Errors: 1}, "account": {Success: 1}} {
		if got := sum.Stats[kind]; got == nil || *got != want {
			t.Errorf("summary of %s: %+v, want %+v", kind, got, want)
		}
	}
	// The account took the archive's display name and avatar.
	if acc, err := a.Accounts.AccountByID(ctx, dave.AccountID); err != nil || acc.DisplayName != "Creator of forest sounds" {
		t.Errorf("display name after the import: %q %v", acc.DisplayName, err)
	}
	avatar, err := a.Store.Profiles().Avatar(ctx, dave.AccountID)
	if err != nil || avatar.File == "" {
		t.Fatalf("avatar after the import: %+v %v", avatar, err)
	}
	if _, err := os.Stat(filepath.Join(a.Layout.Avatars(), avatar.File)); err != nil {
		t.Errorf("avatar file: %v", err)
	}
	vs := waitPublished(t, a, dave.AccountID, 1)
	v, ok := vs["Blackbird at dawn"]
	if !ok {
		t.Fatalf("videos %v", vs)
	}
	playable(t, a, v)
	ch, err := a.Store.Accounts.ChannelByID(ctx, v.ChannelID)
	if err != nil || ch.Name != "nature_sounds" || ch.AccountID != dave.AccountID {
		t.Errorf("the video's channel: %+v %v", ch, err)
	}
	if v.Meta.Language != "en" || v.Description != "Recorded at dawn" || !v.HasThumbnail {
		t.Errorf("imported video: language %q description %q thumbnail %v", v.Meta.Language, v.Description, v.HasThumbnail)
	}
	if tags, _ := a.Store.Videos.Tags(ctx, v.ID); strings.Join(tags, ",") != "birds,dawn" {
		t.Errorf("tags %v", tags)
	}
	if caps, err := a.Store.Creator().Captions(ctx, v.ID); err != nil || len(caps) != 1 || caps[0].Language != "en" {
		t.Errorf("captions %v %v", caps, err)
	}
	if chs, err := a.Store.Creator().Chapters(ctx, v.ID); err != nil || len(chs) != 1 || chs[0].Title != "First song" {
		t.Errorf("chapters %v %v", chs, err)
	}
	var n int
	a.Store.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM playlist_elements e JOIN playlists p ON p.id = e.playlist_id
		WHERE p.account_id = ? AND p.display_name = 'Dawn chorus'`, dave.AccountID).Scan(&n)
	if n != 1 {
		t.Errorf("the playlist has %d elements, want the imported video alone", n)
	}
	if r, _ := a.Store.Ratings().RatingOf(ctx, dave.AccountID, v.ID); r != model.RatingLike {
		t.Errorf("rating %q", r)
	}
	// The same archive again: everything is there already, nothing is
	// made twice.
	im = waitImport(t, a, startImport(t, a, dave, writeZip(t, filepath.Join(t.TempDir(), "again.zip"), es)))
	if im.State != userimport.StateCompleted {
		t.Fatalf("second import: %d %s", im.State, im.Error)
	}
	sum = summaryOf(t, im)
	for kind, want := range map[string]userimport.Count{"channels": {Duplicates: 1}, "videos": {Duplicates: 1, Errors: 1},
		"videoPlaylists": {Duplicates: 1}, "likes": {Duplicates: 1, Errors: 1}} {
		if got := sum.Stats[kind]; got == nil || *got != want {
			t.Errorf("second import's summary of %s: %+v, want %+v", kind, got, want)
		}
	}
	waitPublished(t, a, dave.AccountID, 1)
	// The name and picture are set again, as PeerTube's import does.
	if got := sum.Stats["account"]; got == nil || *got != (userimport.Count{Success: 1}) {
		t.Errorf("second import's summary of account: %+v", got)
	}
	avatar, _ = a.Store.Profiles().Avatar(ctx, dave.AccountID)

	// A picture that is no image, and a name too long: both counted as
	// left out; the import completes, and the account keeps what it had.
	for i, e := range es {
		switch e.name {
		case "files/account/avatars/creator.jpg":
			es[i].data = []byte("GIF89a, or so it says")
		case "peertube/account.json":
			var acc userexport.AccountJSON
			if err := json.Unmarshal(e.data, &acc); err != nil {
				t.Fatal(err)
			}
			acc.DisplayName = strings.Repeat("n", 200)
			es[i].data = mustJSON(acc)
		}
	}
	im = waitImport(t, a, startImport(t, a, dave, writeZip(t, filepath.Join(t.TempDir(), "broken-avatar.zip"), es)))
	if im.State != userimport.StateCompleted {
		t.Fatalf("import with a broken avatar: %d %s", im.State, im.Error)
	}
	if got := summaryOf(t, im).Stats["account"]; got == nil || *got != (userimport.Count{Errors: 1}) {
		t.Errorf("broken avatar and name: account %+v, want 1 left out", got)
	}
	if acc, _ := a.Accounts.AccountByID(ctx, dave.AccountID); acc.DisplayName != "Creator of forest sounds" {
		t.Errorf("display name after a refused one: %q", acc.DisplayName)
	}
	if kept, _ := a.Store.Profiles().Avatar(ctx, dave.AccountID); kept.File != avatar.File {
		t.Errorf("avatar after a refused one: %+v, want %+v", kept, avatar)
	}
}

// counts are the rows and media folders an import may touch.
func importCounts(t *testing.T, a *App) string {
	t.Helper()
	var out []string
	for _, table := range []string{"videos", "channels", "playlists", "playlist_elements", "video_rates", "subscriptions", "following",
		"video_captions", "video_tags", "renditions", "user_import_objects"} {
		var n int
		if err := a.Store.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprintf("%s=%d", table, n))
	}
	media, _ := os.ReadDir(a.Layout.Media())
	var names []string
	for _, m := range media {
		names = append(names, m.Name())
	}
	sort.Strings(names)
	ups, _ := os.ReadDir(a.Layout.Uploads())
	return strings.Join(out, " ") + fmt.Sprintf(" media=%v uploads=%d", names, len(ups))
}

// deflated is data compressed as a ZIP entry holds it.
func deflated(data []byte) []byte {
	var b bytes.Buffer
	w, _ := flate.NewWriter(&b, flate.BestCompression)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// Each kind of hostile or broken archive is refused with its own message,
// and leaves the database's rows and the media folder as they were, even
// when the refusal comes half-way (a damaged second video, an entry that
// expands beyond its declared size: the first video, its channel and its
// files are removed again).
func TestUserImportRefusesHostileArchives(t *testing.T) {
	ctx := context.Background()
	a, base := fedApp(t)
	erin, ech, _ := fedUser(t, a, base, "erin")
	// erin has a video of her own already: it must survive every refusal.
	publish(t, a, ech, "Erin's own video")
	clip := testrig.MakeClip(t, filepath.Join(t.TempDir(), "clip.mp4"), testrig.Clip{Seconds: 1, Size: "160x120", FPS: 10, Args: []string{"-f", "mp4"}})
	mp4, _ := os.ReadFile(clip)
	const u1, u2 = "9c9de5e8-0a1e-4e4a-a1d4-4b1c2f3e4d5a", "2b2b3c4d-0a1e-4e4a-a1d4-4b1c2f3e4d5a"
	valid := func() []zipEntry {
		return peertubeArchive(t, "peertube.example", []string{"nature_sounds"},
			[]ptVideo{{uuid: u1, name: "Blackbird at dawn", channel: "nature_sounds", file: mp4, caption: true}}, nil)
	}
	replace := func(es []zipEntry, name string, data []byte) []zipEntry {
		for i := range es {
			if es[i].name == name {
				es[i].data = data
			}
		}
		return es
	}
	without := func(es []zipEntry, name string) []zipEntry {
		var out []zipEntry
		for _, e := range es {
			if e.name != name {
				out = append(out, e)
			}
		}
		return out
	}
	zeros := make([]byte, 4<<20)
	lying := deflated(zeros[:1<<20])
	cases := []struct {
		name    string
		entries func() []zipEntry
		setup   func() (undo func())
		want    string
	}{
		{"not an account archive", func() []zipEntry { return []zipEntry{{name: "holiday.jpg", data: jpegBytes(t)}} }, nil, "no peertube/ folder"},
		{"missing JSON", func() []zipEntry { return without(valid(), "peertube/channels.json") }, nil, "has no peertube/channels.json"},
		{"malformed JSON", func() []zipEntry { return replace(valid(), "peertube/videos.json", []byte(`{"videos": [{"name": `)) }, nil, "peertube/videos.json is not valid JSON"},
		{"wrong JSON types", func() []zipEntry { return replace(valid(), "peertube/channels.json", []byte(`{"channels": "nature"}`)) }, nil, "peertube/channels.json is not valid JSON"},
		{"video in an unknown channel", func() []zipEntry {
			return peertubeArchive(t, "peertube.example", []string{"nature_sounds"}, []ptVideo{{uuid: u1, name: "Blackbird", channel: "elsewhere", file: mp4}}, nil)
		}, nil, "the channel \"elsewhere\", which the archive does not describe"},
		{"a damaged second video", func() []zipEntry {
			return peertubeArchive(t, "peertube.example", []string{"nature_sounds"}, []ptVideo{
				{uuid: u1, name: "Blackbird at dawn", channel: "nature_sounds", file: mp4, caption: true},
				{uuid: u2, name: "Damaged recording", channel: "nature_sounds", file: []byte("this is not a video at all, only text")}}, nil)
		}, nil, "is not a video or audio file that ffmpeg can read"},
		{"declared expansion beyond the limit", func() []zipEntry { return append(valid(), zipEntry{name: "files/zeros.bin", data: zeros}) },
			func() func() {
				a.Imports.Limits = userimport.Limits{MinExpanded: 2 << 20}
				return func() { a.Imports.Limits = userimport.Limits{} }
			}, "it expands to 4.0 MiB"},
		{"actual expansion beyond the declared size", func() []zipEntry {
			es := peertubeArchive(t, "peertube.example", []string{"nature_sounds"}, []ptVideo{
				{uuid: u1, name: "Blackbird at dawn", channel: "nature_sounds", file: mp4},
				{uuid: u2, name: "A bomb", channel: "nature_sounds", file: []byte("x")}}, nil)
			for i := range es {
				if es[i].name == "files/videos/video-files/"+u2+".mp4" {
					es[i] = zipEntry{raw: &zip.FileHeader{Name: es[i].name, Method: zip.Deflate, CRC32: 1, CompressedSize64: uint64(len(lying)),
						UncompressedSize64: 1}, data: lying}
				}
			}
			return es
		}, nil, "expands beyond the size its archive declares"},
		{"too many entries", func() []zipEntry {
			es := valid()
			for i := 0; i < 10001; i++ {
				es = append(es, zipEntry{name: fmt.Sprintf("files/many/%05d", i)})
			}
			return es
		}, nil, "more than the 10000 an archive may"},
		{"a name with ..", func() []zipEntry { return append(valid(), zipEntry{name: "../../evil.sh", data: []byte("rm -rf /")}) }, nil, "tries to leave the archive"},
		{"an absolute name", func() []zipEntry { return append(valid(), zipEntry{name: "/etc/cron.d/evil", data: []byte("x")}) }, nil, "tries to leave the archive"},
		{"a path in the JSON that escapes", func() []zipEntry {
			es := valid()
			var vj struct {
				Videos []userexport.VideoJSON `json:"videos"`
			}
			for _, e := range es {
				if e.name == "peertube/videos.json" {
					json.Unmarshal(e.data, &vj)
				}
			}
			vj.Videos[0].ArchiveFiles.VideoFile = strp("../../../../etc/passwd")
			return replace(es, "peertube/videos.json", mustJSON(vj))
		}, nil, "the file path \"../../../../etc/passwd\" tries to leave the archive"},
		{"a symbolic link", func() []zipEntry {
			return append(valid(), zipEntry{name: "files/videos/link", data: []byte("/etc/passwd"), mode: os.ModeSymlink | 0o777})
		}, nil, "is a symbolic link"},
		{"a name twice", func() []zipEntry {
			return append(valid(), zipEntry{name: "peertube/channels.json", data: mustJSON(userexport.ChannelsJSON{})})
		}, nil, "the name \"peertube/channels.json\" is in it twice"},
		{"beyond the quota", valid, func() func() {
			q := int64(1000)
			if err := a.Videos.SetQuota(ctx, erin.ID, &q, nil); err != nil {
				t.Fatal(err)
			}
			return func() {
				q := int64(-1)
				a.Videos.SetQuota(ctx, erin.ID, &q, nil)
			}
		}, "more than the 0 bytes your video quota leaves"},
		{"beyond the free disk", valid, func() func() {
			a.Imports.FreeSpace = func(string) (int64, error) { return 100 << 20, nil }
			return func() { a.Imports.FreeSpace = nil }
		}, "of disk once imported, and this box has 100.0 MiB free"},
	}
	before := importCounts(t, a)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.setup != nil {
				defer c.setup()()
			}
			im := waitImport(t, a, startImport(t, a, erin, writeZip(t, filepath.Join(t.TempDir(), "a.zip"), c.entries())))
			if im.State != userimport.StateErrored {
				t.Fatalf("state %d, want errored; summary %s", im.State, im.Summary)
			}
			if !strings.Contains(im.Error, c.want) || !strings.HasPrefix(im.Error, userimport.ErrBadArchive.Error()) {
				t.Errorf("error %q, want one that says %q", im.Error, c.want)
			}
			if after := importCounts(t, a); after != before {
				t.Errorf("the refusal left changes:\nbefore %s\nafter  %s", before, after)
			}
			if left, _ := os.ReadDir(filepath.Join(a.Layout.Root, "imports")); len(left) != 0 {
				t.Errorf("the imports folder keeps %d files", len(left))
			}
		})
	}
}
