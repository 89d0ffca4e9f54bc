package userexport

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// iso is PeerTube's date format (Date.toISOString).
func iso(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func strp(s string) *string { return &s }

// archive wraps the ZIP writer: JSON deflated, media stored as is (it is
// compressed already), everything streamed.
type archive struct {
	zw  *zip.Writer
	now time.Time
}

func (a *archive) create(name string, method uint16) (io.Writer, error) {
	w, err := a.zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: a.now})
	if err != nil {
		return nil, fmt.Errorf("archive entry %s: %w", name, err)
	}
	return w, nil
}

func (a *archive) json(name string, v any) error {
	w, err := a.create(name, zip.Deflate)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("archive entry %s: %w", name, err)
	}
	return nil
}

// file copies the file at src into the archive as name; a missing file is
// left out (false), as PeerTube leaves out a file it cannot read.
func (a *archive) file(ctx context.Context, name, src string) (bool, error) {
	f, err := os.Open(src)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("archive %s: %w", name, err)
	}
	defer f.Close()
	w, err := a.create(name, zip.Store)
	if err != nil {
		return false, err
	}
	// io.Copy through a fixed buffer: a 20 GB file costs 32 KB here.
	if _, err := io.Copy(w, ctxReader{ctx, f}); err != nil {
		return false, fmt.Errorf("archive %s: %w", name, err)
	}
	return true, nil
}

// ctxReader stops a long copy when the job is stopped.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// write builds e's archive into a temporary file beside the final one and
// renames it; the archive's size is returned.
func (s *Service) write(ctx context.Context, e repo.UserExport, progress func(float64)) (int64, error) {
	if err := os.MkdirAll(s.Dir(), 0o750); err != nil {
		return 0, fmt.Errorf("exports folder: %w", err)
	}
	final := s.Path(e)
	tmp := final + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return 0, fmt.Errorf("create archive: %w", err)
	}
	defer os.Remove(tmp) // no-op once renamed
	lim, byQuota, _, err := s.limit(ctx, e.UserID)
	if err != nil {
		f.Close()
		return 0, err
	}
	cw := &capWriter{w: f}
	if lim >= 0 {
		cw.err = &TooLargeError{Limit: lim, Quota: byQuota}
	}
	bw := bufio.NewWriterSize(cw, 256<<10)
	a := &archive{zw: zip.NewWriter(bw), now: s.now()}
	err = s.fill(ctx, a, e, progress)
	if err == nil {
		err = a.zw.Close()
	}
	if err == nil {
		err = bw.Flush()
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, err
	}
	st, err := os.Stat(tmp)
	if err != nil {
		return 0, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return 0, fmt.Errorf("publish archive: %w", err)
	}
	return st.Size(), nil
}

func (s *Service) fill(ctx context.Context, a *archive, e repo.UserExport, progress func(float64)) error {
	u, err := s.Store.ExportUser(ctx, e.UserID)
	if err != nil {
		return fmt.Errorf("user %d: %w", e.UserID, err)
	}
	viewer := visibility.Viewer{UserID: u.UserID, AccountID: u.AccountID}
	progress(1)
	// peertube/account.json and files/account/
	acc := AccountJSON{URL: s.URIs.Abs(uris.Account(u.AccountName)), Name: u.AccountName, DisplayName: u.DisplayName,
		Description: u.Description, CreatedAt: iso(u.AccountAt), UpdatedAt: iso(u.AccountAt), Avatars: []ActorImage{}, Banners: []ActorImage{}}
	var avatarRel string
	if u.Avatar != "" {
		acc.Avatars = append(acc.Avatars, ActorImage{Width: profile.AvatarSide, URL: s.URIs.Abs(uris.Avatar(u.Avatar)), CreatedAt: iso(u.AvatarUpdated), UpdatedAt: iso(u.AvatarUpdated)})
		name := path.Join("avatars", u.AccountName+path.Ext(u.Avatar))
		ok, err := a.file(ctx, path.Join("files/account", name), filepath.Join(s.Layout.Avatars(), u.Avatar))
		if err != nil {
			return err
		}
		if ok {
			avatarRel = path.Join("../files/account", name)
			acc.ArchiveFiles.Avatar = strp(avatarRel)
		}
	}
	if err := a.json("peertube/account.json", acc); err != nil {
		return err
	}
	// peertube/channels.json
	chs, err := s.Store.ExportChannels(ctx, u.AccountID)
	if err != nil {
		return err
	}
	cj := ChannelsJSON{Channels: []ChannelJSON{}}
	for _, c := range chs {
		cj.Channels = append(cj.Channels, ChannelJSON{URL: s.URIs.Abs(uris.Channel(c.Name)), Name: c.Name, DisplayName: c.DisplayName,
			Description: c.Description, Support: c.Support, CreatedAt: iso(c.CreatedAt), UpdatedAt: iso(c.CreatedAt),
			Avatars: []ActorImage{}, Banners: []ActorImage{}})
	}
	if err := a.json("peertube/channels.json", cj); err != nil {
		return err
	}
	// peertube/videos.json, streamed, and the outbox's Create activities
	// into a temporary file (a ZIP writes one entry at a time).
	total, err := s.Store.CountVideos(ctx, u.AccountID)
	if err != nil {
		return err
	}
	outbox, err := os.CreateTemp(s.Dir(), "outbox-*.tmp")
	if err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	defer os.Remove(outbox.Name())
	defer outbox.Close()
	ob := &outboxWriter{w: bufio.NewWriter(outbox)}
	w, err := a.create("peertube/videos.json", zip.Deflate)
	if err != nil {
		return err
	}
	io.WriteString(w, "{\n  \"videos\": [")
	n := 0
	err = s.Store.ExportVideos(ctx, u.AccountID, func(v repo.ExportVideo) error {
		b, err := json.MarshalIndent(s.videoJSON(v, e.WithVideoFiles), "    ", "  ")
		if err != nil {
			return err
		}
		if n > 0 {
			io.WriteString(w, ",")
		}
		io.WriteString(w, "\n    ")
		if _, err := w.Write(b); err != nil {
			return err
		}
		n++
		if act, ok := s.videoCreate(ctx, u, v, e.WithVideoFiles); ok {
			return ob.add(act)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("videos: %w", err)
	}
	if _, err := io.WriteString(w, "\n  ]\n}\n"); err != nil {
		return err
	}
	progress(5)
	// files/videos/: thumbnails, captions, video files, a video at a time.
	done := 0
	err = s.Store.ExportVideos(ctx, u.AccountID, func(v repo.ExportVideo) error {
		if _, err := a.file(ctx, "files/videos/"+thumbnailPath(v), s.thumbnailSource(v)); err != nil {
			return err
		}
		for _, c := range v.Captions {
			if _, err := a.file(ctx, "files/videos/"+captionPath(v, c), filepath.Join(s.Layout.Captions(v.UUID), c.Filename)); err != nil {
				return err
			}
		}
		if e.WithVideoFiles && v.OriginalFile != "" {
			if _, err := a.file(ctx, "files/videos/"+videoFilePath(v), s.Layout.Original(v.UUID, v.OriginalFile)); err != nil {
				return err
			}
		}
		done++
		if total > 0 {
			progress(5 + 90*float64(done)/float64(total))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("video files: %w", err)
	}
	// The rest is small: comments, rates, follows, playlists, settings.
	if err := s.social(ctx, a, u, viewer, ob); err != nil {
		return err
	}
	// activity-pub/actor.json and outbox.json
	if s.AP != nil {
		if p, err := s.AP.Person(ctx, u.AccountName); err == nil {
			if err := a.json("activity-pub/actor.json", s.actor(p, avatarRel)); err != nil {
				return err
			}
		} else {
			s.log().Warn("user export: actor left out", "account", u.AccountName, "err", err)
		}
	}
	if err := ob.w.Flush(); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	if _, err := outbox.Seek(0, io.SeekStart); err != nil {
		return err
	}
	w, err = a.create("activity-pub/outbox.json", zip.Deflate)
	if err != nil {
		return err
	}
	head, _ := json.Marshal(map[string]any{"@context": json.RawMessage(vocab.VideoContext), "id": "outbox.json",
		"type": "OrderedCollection", "totalItems": ob.n})
	io.WriteString(w, strings.TrimSuffix(string(head), "}")+`,"orderedItems":[`)
	if _, err := io.Copy(w, outbox); err != nil {
		return fmt.Errorf("outbox: %w", err)
	}
	io.WriteString(w, "]}\n")
	progress(99)
	return nil
}

// outboxWriter keeps the outbox's activities in a temporary file, comma
// separated, until the archive's outbox.json entry is written.
type outboxWriter struct {
	w *bufio.Writer
	n int
}

func (o *outboxWriter) add(v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if o.n > 0 {
		o.w.WriteString(",")
	}
	o.n++
	_, err = o.w.Write(b)
	return err
}

func thumbnailPath(v repo.ExportVideo) string { return "thumbnails/" + v.UUID + ".jpg" }
func captionPath(v repo.ExportVideo, c repo.ExportCaption) string {
	return "captions/" + v.UUID + "-" + c.Language + path.Ext(c.Filename)
}
func videoFilePath(v repo.ExportVideo) string {
	ext := path.Ext(v.OriginalFile)
	if ext == "" {
		ext = ".mp4"
	}
	return "video-files/" + v.UUID + ext
}

// thumbnailSource is PeerTube's choice: the preview, else the miniature.
func (s *Service) thumbnailSource(v repo.ExportVideo) string {
	if _, err := os.Stat(s.Layout.Preview(v.UUID)); err == nil {
		return s.Layout.Preview(v.UUID)
	}
	return s.Layout.Thumbnail(v.UUID)
}

// peertubePrivacy is the privacy PeerTube knows closest to Cabane's: its
// importer drops a video whose privacy is not one of its five, and
// "home network only" (6) has no equivalent there: private is the one
// that shows it to nobody it should not reach.
func peertubePrivacy(p int) int {
	if p == model.PrivacyLocal {
		return model.PrivacyPrivate
	}
	return p
}

func (s *Service) videoJSON(v repo.ExportVideo, withFiles bool) VideoJSON {
	j := VideoJSON{UUID: v.UUID, CreatedAt: iso(v.CreatedAt), UpdatedAt: iso(v.UpdatedAt), PublishedAt: iso(v.CreatedAt),
		Name: v.Name, Category: v.Category, Licence: v.Licence, Tags: v.Tags, Privacy: peertubePrivacy(v.Privacy), Passwords: v.Passwords,
		Duration: int((v.DurationMS + 500) / 1000), Description: v.Description, Support: v.Support,
		URL: s.URIs.Abs(uris.Watch(v.UUID)), Views: v.Views, Likes: v.Likes, Dislikes: v.Dislikes, NSFW: v.NSFW,
		CommentsPolicy: v.CommentsPolicy, CommentsEnabled: v.CommentsPolicy != 2, DownloadEnabled: v.DownloadEnabled,
		Channel: NameJSON{Name: v.ChannelName}, WaitTranscoding: true, State: v.State,
		Captions: []CaptionJSON{}, Chapters: []ChapterJSON{}, Files: []FileJSON{}, StreamingPlaylists: []StreamingJSON{},
		ArchiveFiles: VideoFilesJSON{Captions: map[string]string{}}}
	if !v.PublishedAt.IsZero() {
		j.PublishedAt = iso(v.PublishedAt)
	}
	if !v.OriginallyPubAt.IsZero() {
		j.OriginallyPublishedAt = strp(iso(v.OriginallyPubAt))
	}
	if v.Language != "" {
		j.Language = strp(v.Language)
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Passwords == nil {
		j.Passwords = []string{}
	}
	if v.HasThumbnail {
		j.ThumbnailURL = strp(s.URIs.Abs(uris.Thumbnail(v.UUID)))
		j.PreviewURL = strp(s.URIs.Abs(uris.Preview(v.UUID)))
		j.ArchiveFiles.Thumbnail = strp("../files/videos/" + thumbnailPath(v))
	}
	for _, c := range v.Captions {
		j.Captions = append(j.Captions, CaptionJSON{CreatedAt: iso(c.UpdatedAt), UpdatedAt: iso(c.UpdatedAt), Language: c.Language,
			Filename: c.Filename, FileURL: s.URIs.Abs(uris.Caption(c.Filename))})
		j.ArchiveFiles.Captions[c.Language] = "../files/videos/" + captionPath(v, c)
	}
	for _, c := range v.Chapters {
		j.Chapters = append(j.Chapters, ChapterJSON{Timecode: c.Timecode, Title: c.Title})
	}
	if len(v.Renditions) > 0 {
		hls := StreamingJSON{Type: 1, PlaylistURL: s.URIs.Abs(uris.Master(v.UUID)), SegmentsSha256URL: s.URIs.Abs(uris.SegmentsSha256(v.UUID)), Files: []FileJSON{}}
		for _, r := range v.Renditions {
			hls.Files = append(hls.Files, FileJSON{Resolution: r.Height, Size: r.Size, FPS: r.FPS,
				TorrentURL: s.URIs.Abs(uris.Torrent(v.UUID + "-" + r.Name + ".torrent")),
				FileURL:    s.URIs.Abs(uris.HLSFile(v.UUID, r.Name))})
		}
		j.StreamingPlaylists = append(j.StreamingPlaylists, hls)
	}
	if v.OriginalFile != "" {
		j.Source = &SourceJSON{InputFilename: v.OriginalName, Resolution: v.Height, Size: v.Size, Width: v.Width, Height: v.Height,
			Metadata: map[string]any{}}
		if withFiles {
			j.ArchiveFiles.VideoFile = strp("../files/videos/" + videoFilePath(v))
		}
	}
	return j
}

// createActivity is the outbox's Create of a video, as PeerTube's
// exporter writes it (buildCreateActivity).
type createActivity struct {
	Type   string   `json:"type"`
	ID     string   `json:"id"`
	Actor  string   `json:"actor"`
	To     []string `json:"to"`
	Cc     []string `json:"cc"`
	Object any      `json:"object"`
}

// videoObject is the Video as served, with the archive's own files in
// place of the icon and an attachment for the video file.
type videoObject struct {
	vocab.Video
	Attachment []videoAttachment `json:"attachment,omitempty"`
}

type videoAttachment struct {
	Type      string `json:"type"`
	URL       string `json:"url"`
	MediaType string `json:"mediaType"`
	Height    int    `json:"height"`
	Size      int64  `json:"size"`
}

func (s *Service) videoCreate(ctx context.Context, u repo.ExportUser, v repo.ExportVideo, withFiles bool) (createActivity, bool) {
	if s.AP == nil {
		return createActivity{}, false
	}
	vo, err := s.AP.Video(ctx, v.UUID)
	if err != nil {
		// Only what federates has an object (public and unlisted,
		// published); the rest is in videos.json alone.
		return createActivity{}, false
	}
	vo.Context = nil
	if v.HasThumbnail && len(vo.Icon) > 0 {
		vo.Icon = vo.Icon[:1]
		vo.Icon[0].URL = "../files/videos/" + thumbnailPath(v)
	}
	obj := videoObject{Video: vo}
	if withFiles && v.OriginalFile != "" {
		obj.Attachment = []videoAttachment{{Type: "Video", URL: "../files/videos/" + videoFilePath(v), MediaType: "video/mp4", Height: v.Height, Size: v.Size}}
	}
	return createActivity{Type: "Create", ID: vo.ID + "/activity", Actor: s.URIs.Abs(uris.Account(u.AccountName)),
		To: vo.To, Cc: vo.Cc, Object: obj}, true
}

// actorJSON is the Person with the archive's collections and avatar
// (PeerTube's AccountExporter.exportAccountAP).
type actorJSON struct {
	vocab.Actor
	Likes    string `json:"likes"`
	Dislikes string `json:"dislikes"`
}

func (s *Service) actor(p vocab.Actor, avatarRel string) actorJSON {
	if len(p.Context) == 0 {
		p.Context = vocab.ActorContext
	}
	p.Outbox, p.Following = "outbox.json", "following.json"
	p.Icon = nil
	if avatarRel != "" {
		p.Icon = []vocab.Image{{Type: "Image", URL: avatarRel}}
	}
	return actorJSON{Actor: p, Likes: "likes.json", Dislikes: "dislikes.json"}
}
