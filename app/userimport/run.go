package userimport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/playlists"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/subscriptions"
	"cabane.dev/cabane/app/userexport"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// channelName is PeerTube's actor name rule (isVideoChannelUsernameValid).
var channelName = regexp.MustCompile(`^[a-zA-Z0-9\-_.:]{1,50}$`)

// plan is what the check read of the archive: everything but the videos,
// which are streamed again when imported.
type plan struct {
	account    userexport.AccountJSON
	channels   []userexport.ChannelJSON
	playlists  []userexport.PlaylistJSON
	likes      []userexport.RateJSON
	dislikes   []userexport.RateJSON
	following  []userexport.FollowJSON
	videos     int
	videoBytes int64
}

// check reads and checks the whole archive before anything is created:
// its structure, every JSON file, every file its JSON names, and that
// its videos fit in the user's quota and on the disk.
// done are the objects a stopped run of the import made already: their
// files count neither against the quota nor the disk (they are in both).
func (s *Service) check(ctx context.Context, a *archive, im repo.UserImport, own map[string]model.Channel, done map[string]int64) (*plan, error) {
	hasPeerTube := false
	for name := range a.files {
		if strings.HasPrefix(name, "peertube/") {
			hasPeerTube = true
			break
		}
	}
	if !hasPeerTube {
		return nil, bad("it has no peertube/ folder: it is not an account archive of PeerTube (6.1 or later) or Cabane")
	}
	p := &plan{}
	var chs userexport.ChannelsJSON
	if _, err := a.readJSON("peertube/channels.json", &chs, false); err != nil {
		return nil, err
	}
	names := map[string]bool{}
	for _, c := range chs.Channels {
		if !channelName.MatchString(c.Name) {
			return nil, bad("peertube/channels.json names a channel %q, which is not a valid channel name", c.Name)
		}
		if names[strings.ToLower(c.Name)] {
			return nil, bad("peertube/channels.json has the channel %q twice", c.Name)
		}
		names[strings.ToLower(c.Name)] = true
		for _, f := range []*string{c.ArchiveFiles.Avatar, c.ArchiveFiles.Banner} {
			if f != nil {
				if _, err := a.resolve(*f); err != nil {
					return nil, err
				}
			}
		}
	}
	p.channels = chs.Channels
	var acc userexport.AccountJSON
	if _, err := a.readJSON("peertube/account.json", &acc, true); err != nil {
		return nil, err
	}
	if acc.ArchiveFiles.Avatar != nil {
		if _, err := a.resolve(*acc.ArchiveFiles.Avatar); err != nil {
			return nil, err
		}
	}
	p.account = acc
	seen := map[string]bool{}
	err := a.eachVideo(ctx, func(i int, v userexport.VideoJSON) error {
		p.videos++
		where := fmt.Sprintf("video %d (%q) of peertube/videos.json", i+1, v.Name)
		if !names[strings.ToLower(v.Channel.Name)] && own[strings.ToLower(v.Channel.Name)].ID == 0 {
			return bad("%s is in the channel %q, which the archive does not describe", where, v.Channel.Name)
		}
		if k := videoKey(v); k != "" {
			if seen[k] {
				return bad("%s is in it twice", where)
			}
			seen[k] = true
		}
		if v.ArchiveFiles.VideoFile != nil {
			name, err := a.resolve(*v.ArchiveFiles.VideoFile)
			if err != nil {
				return badAt(where, err)
			}
			if _, made := done["video\x00"+videoKey(v)]; !made {
				f, _ := a.file(name)
				p.videoBytes += int64(f.UncompressedSize64)
			}
		}
		if v.ArchiveFiles.Thumbnail != nil {
			if _, err := a.resolve(*v.ArchiveFiles.Thumbnail); err != nil {
				return badAt(where, err)
			}
		}
		for _, c := range v.ArchiveFiles.Captions {
			if _, err := a.resolve(c); err != nil {
				return badAt(where, err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	var pls userexport.PlaylistsJSON
	if _, err := a.readJSON("peertube/video-playlists.json", &pls, true); err != nil {
		return nil, err
	}
	p.playlists = pls.VideoPlaylists
	var likes userexport.LikesJSON
	if _, err := a.readJSON("peertube/likes.json", &likes, true); err != nil {
		return nil, err
	}
	p.likes = likes.Likes
	var dislikes userexport.DislikesJSON
	if _, err := a.readJSON("peertube/dislikes.json", &dislikes, true); err != nil {
		return nil, err
	}
	p.dislikes = dislikes.Dislikes
	var following userexport.FollowingJSON
	if _, err := a.readJSON("peertube/following.json", &following, true); err != nil {
		return nil, err
	}
	p.following = following.Following

	// Room: the quota counts the video files; the disk must hold each
	// original and its HLS copy (about as big: it is re-packaged), and
	// keep a reserve.
	left, err := s.Videos.QuotaLeft(ctx, im.UserID)
	if err != nil {
		return nil, err
	}
	if left >= 0 && p.videoBytes > left {
		return nil, bad("its videos take %s, more than the %s your video quota leaves", bytes(p.videoBytes), bytes(left))
	}
	free, err := s.freeSpace()
	if err != nil {
		return nil, err
	}
	if need := 2*p.videoBytes + a.limits.Reserve; need > free {
		return nil, bad("its videos need %s of disk once imported, and this box has %s free", bytes(need), bytes(free))
	}
	return p, nil
}

// videoKey names a video of the archive across runs: its URL, else its
// UUID.
func videoKey(v userexport.VideoJSON) string {
	if v.URL != "" {
		return v.URL
	}
	return v.UUID
}

// run is one import's state while it runs.
type run struct {
	s      *Service
	im     repo.UserImport
	a      *archive
	viewer visibility.Viewer
	sum    *Summary
	done   map[string]int64         // kind "\x00" source → target: what this import made before
	chans  map[string]model.Channel // the archive's channel name (lower case) → the channel here
	urls   map[string]string        // the archive's video URLs → the imported videos' UUIDs
	own    map[string]model.Channel // the account's channels, by lower-case name
	step   func(float64)
}

func (r *run) made(kind, source string) (int64, bool) {
	id, ok := r.done[kind+"\x00"+source]
	return id, ok
}

func (r *run) tag(ctx context.Context, kind, source string, target int64) error {
	if err := r.s.Store.Tag(ctx, r.im.ID, kind, source, target); err != nil {
		return err
	}
	r.done[kind+"\x00"+source] = target
	return nil
}

func (s *Service) importArchive(ctx context.Context, im repo.UserImport, step func(float64)) (*Summary, error) {
	viewer, err := s.viewerOf(ctx, im.UserID)
	if err != nil {
		return nil, err
	}
	a, err := openArchive(s.path(im), s.Limits)
	if err != nil {
		return nil, err
	}
	defer a.Close()
	r := &run{s: s, im: im, a: a, viewer: viewer, sum: newSummary(), done: map[string]int64{}, chans: map[string]model.Channel{},
		urls: map[string]string{}, own: map[string]model.Channel{}, step: step}
	chs, err := s.Accounts.ChannelsOfAccount(ctx, viewer.AccountID)
	if err != nil {
		return nil, fmt.Errorf("channels of account %d: %w", viewer.AccountID, err)
	}
	for _, c := range chs {
		r.own[strings.ToLower(c.Name)] = c
	}
	tagged, err := s.Store.Tagged(ctx, im.ID)
	if err != nil {
		return nil, err
	}
	for _, o := range tagged {
		r.done[o.Kind+"\x00"+o.Source] = o.Target
	}
	p, err := s.check(ctx, a, im, r.own, r.done)
	if err != nil {
		return nil, err
	}
	step(1)
	if err := r.channels(ctx, p); err != nil {
		return nil, err
	}
	step(3)
	if err := r.videos(ctx, p); err != nil {
		return nil, err
	}
	step(90)
	r.playlists(ctx, p)
	step(93)
	r.rates(ctx, "like", p.likes, r.sum.Stats["likes"])
	r.rates(ctx, "dislike", p.dislikes, r.sum.Stats["dislikes"])
	step(96)
	r.follows(ctx, p)
	r.account(ctx, p)
	step(99)
	return r.sum, nil
}

// account gives the account the archive's display name and avatar, as
// PeerTube's import does (its followers hear of it, as of any change).
// It comes last: an import that fails removes what it made and must not
// have changed the account itself. A name or picture refused here (too
// long, not an image) is counted as an error and the import goes on.
func (r *run) account(ctx context.Context, p *plan) {
	c := r.sum.Stats["account"]
	if r.s.Profile == nil {
		return
	}
	failed := false
	if name := strings.TrimSpace(p.account.DisplayName); name != "" {
		if err := r.s.Profile.Apply(ctx, r.viewer, profile.Update{DisplayName: &name}); err != nil {
			r.s.log().Info("import: display name left out", "import", r.im.ID, "err", err)
			failed = true
		}
	}
	if rel := p.account.ArchiveFiles.Avatar; rel != nil {
		if err := r.avatar(ctx, *rel); err != nil {
			r.s.log().Info("import: avatar left out", "import", r.im.ID, "err", err)
			failed = true
		}
	}
	if failed {
		c.Errors++
	} else {
		c.Success++
	}
}

func (r *run) avatar(ctx context.Context, rel string) error {
	rc, err := r.a.openRel(rel)
	if err != nil {
		return err
	}
	defer rc.Close()
	_, err = r.s.Profile.SetAvatar(ctx, r.viewer, rc)
	return err
}

// channels creates the archive's channels, or reuses the account's own of
// the same name; a name another account holds gets a suffix.
func (r *run) channels(ctx context.Context, p *plan) error {
	c := r.sum.Stats["channels"]
	for _, ch := range p.channels {
		key := strings.ToLower(ch.Name)
		if id, ok := r.made("channel", key); ok {
			got, err := r.s.Accounts.ChannelByID(ctx, id)
			if err != nil {
				return fmt.Errorf("channel %q: %w", ch.Name, err)
			}
			r.chans[key] = got
			c.Success++
			continue
		}
		if own, ok := r.own[key]; ok {
			r.chans[key] = own
			c.Duplicates++
			continue
		}
		display := strings.TrimSpace(ch.DisplayName)
		if display == "" || utf8.RuneCountInString(display) > 120 {
			display = ch.Name
		}
		var made model.Channel
		var err error
		for n := 1; n <= 20; n++ {
			name := ch.Name
			if n > 1 {
				name = fmt.Sprintf("%s_%d", ch.Name, n)
			}
			made, err = r.s.Store.CreateChannel(ctx, r.im.ID, r.viewer.AccountID, key, name, display, limitText(ch.Description, 1000), limitText(ch.Support, 1000))
			if !errors.Is(err, model.ErrConflict) {
				break
			}
		}
		if err != nil {
			return err
		}
		r.done["channel\x00"+key] = made.ID
		r.chans[key] = made
		c.Success++
	}
	return nil
}

func limitText(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

func (r *run) channelFor(name string) model.Channel {
	key := strings.ToLower(name)
	if ch, ok := r.chans[key]; ok {
		return ch
	}
	return r.own[key]
}

// videos imports each video: its file through the videos service's
// ingest (probe, then copy or encode into HLS), its thumbnail, its
// captions. A video file ffmpeg cannot read fails the import: the archive
// is damaged, and what it made so far is removed.
func (r *run) videos(ctx context.Context, p *plan) error {
	c := r.sum.Stats["videos"]
	return r.a.eachVideo(ctx, func(i int, v userexport.VideoJSON) error {
		defer func() {
			if p.videos > 0 {
				r.step(3 + 87*float64(i+1)/float64(p.videos))
			}
		}()
		key := videoKey(v)
		if id, ok := r.made("video", key); ok {
			got, err := r.s.Videos.Get(ctx, r.viewer, strconv.FormatInt(id, 10))
			if err != nil {
				return fmt.Errorf("video %q imported before: %w", v.Name, err)
			}
			r.urls[key] = got.UUID
			if _, ok := r.made("video-done", key); !ok {
				r.extras(ctx, v, got)
				if err := r.tag(ctx, "video-done", key, id); err != nil {
					return err
				}
			}
			c.Success++
			return nil
		}
		meta, ok := r.videoMeta(v)
		if !ok {
			c.Errors++ // PeerTube's importer skips what its sanitize refuses
			return nil
		}
		// Already there (an archive imported twice): PeerTube's rule, the
		// same name in the channel and the same duration within a second.
		if id, err := r.s.Store.SameVideo(ctx, meta.ChannelID, meta.Name, int64(v.Duration)*1000); err != nil {
			return err
		} else if id != 0 {
			if got, err := r.s.Videos.Get(ctx, r.viewer, strconv.FormatInt(id, 10)); err == nil {
				r.urls[key] = got.UUID
			}
			c.Duplicates++
			return nil
		}
		got, err := r.ingest(ctx, v, meta)
		if err != nil {
			return err
		}
		r.urls[key] = got.UUID
		r.extras(ctx, v, got)
		if err := r.tag(ctx, "video-done", key, got.ID); err != nil {
			return err
		}
		c.Success++
		return nil
	})
}

// videoMeta is the upload a video of the archive stands for; false when
// PeerTube's importer would skip it (no file, no valid name).
func (r *run) videoMeta(v userexport.VideoJSON) (videos.UploadMeta, bool) {
	name := strings.TrimSpace(v.Name)
	if n := utf8.RuneCountInString(name); n < 3 || n > 120 || v.ArchiveFiles.VideoFile == nil || v.IsLive {
		return videos.UploadMeta{}, false
	}
	ch := r.channelFor(v.Channel.Name)
	privacy := v.Privacy
	if !model.ValidPrivacy(privacy) || privacy == model.PrivacyPassword && len(v.Passwords) == 0 {
		privacy = model.PrivacyPrivate
	}
	meta := model.DefaultMeta()
	if v.Category != nil {
		if _, ok := videos.Categories()[*v.Category]; ok {
			meta.Category = *v.Category
		}
	}
	if v.Licence != nil {
		if _, ok := videos.Licences()[*v.Licence]; ok {
			meta.Licence = *v.Licence
		}
	}
	if v.Language != nil && videos.KnownLanguage(*v.Language) {
		meta.Language = *v.Language
	}
	meta.Support = limitText(v.Support, 1000)
	meta.NSFW = v.NSFW
	switch {
	case v.CommentsPolicy >= model.CommentsEnabled && v.CommentsPolicy <= model.CommentsRequiresApproval:
		meta.CommentsPolicy = v.CommentsPolicy
	case !v.CommentsEnabled:
		meta.CommentsPolicy = model.CommentsDisabled
	}
	meta.DownloadEnabled = v.DownloadEnabled
	if v.OriginallyPublishedAt != nil {
		if t, err := time.Parse(time.RFC3339, *v.OriginallyPublishedAt); err == nil {
			meta.OriginallyPublishedAt = t
		}
	}
	for _, t := range v.Tags {
		if n := utf8.RuneCountInString(strings.TrimSpace(t)); n >= 2 && n <= 30 && len(meta.Tags) < 5 {
			meta.Tags = append(meta.Tags, strings.TrimSpace(t))
		}
	}
	original := ""
	if v.Source != nil {
		original = filepath.Base(v.Source.InputFilename)
	}
	if original == "" || original == "." || original == "/" {
		original = path.Base(*v.ArchiveFiles.VideoFile)
	}
	return videos.UploadMeta{UploaderAccountID: r.viewer.AccountID, ChannelID: ch.ID, Name: name,
		Description: limitText(v.Description, 10000), Privacy: privacy, OriginalName: original, Meta: meta, Passwords: v.Passwords}, true
}

// ingest copies the video's file out of the archive (streamed, bounded
// by its declared size) into the uploads folder and hands it to the
// videos service, whose transaction tags it with the import.
func (r *run) ingest(ctx context.Context, v userexport.VideoJSON, meta videos.UploadMeta) (model.Video, error) {
	name, err := r.a.resolve(*v.ArchiveFiles.VideoFile)
	if err != nil {
		return model.Video{}, err
	}
	f, _ := r.a.file(name)
	if err := r.s.Videos.CheckQuota(ctx, r.im.UserID, int64(f.UncompressedSize64)); err != nil {
		return model.Video{}, bad("video %q does not fit in your quota (%v)", v.Name, err)
	}
	if err := os.MkdirAll(r.s.Layout.Uploads(), 0o750); err != nil {
		return model.Video{}, fmt.Errorf("uploads folder: %w", err)
	}
	tmp := filepath.Join(r.s.Layout.Uploads(), fmt.Sprintf("import-%d-%s%s", r.im.ID, randomHex(6), path.Ext(name)))
	if err := r.extract(ctx, name, tmp); err != nil {
		os.Remove(tmp)
		return model.Video{}, err
	}
	key := videoKey(v)
	meta.Created = func(ctx context.Context, tx repo.Tx, made model.Video) error {
		return r.s.Store.TagTx(ctx, tx.SQL, r.im.ID, "video", key, made.ID)
	}
	got, err := r.s.Videos.Ingest(ctx, tmp, meta) // moves tmp away, or removes it
	if errors.Is(err, videos.ErrBadUpload) {
		return got, bad("video %q: %s", v.Name, strings.TrimPrefix(err.Error(), videos.ErrBadUpload.Error()+": "))
	}
	if err != nil {
		return got, fmt.Errorf("video %q: %w", v.Name, err)
	}
	r.done["video\x00"+key] = got.ID
	return got, nil
}

func (r *run) extract(ctx context.Context, name, dst string) error {
	rc, err := r.a.open(name)
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return fmt.Errorf("extract %s: %w", name, err)
	}
	// A fixed buffer: a 20 GB file costs 256 KiB here.
	_, err = io.CopyBuffer(out, ctxReader{ctx, rc}, make([]byte, 256<<10))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		if errors.Is(err, ErrBadArchive) || ctx.Err() != nil {
			return err
		}
		return fmt.Errorf("extract %s: %w", name, err)
	}
	return nil
}

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

// extras are a video's thumbnail, chapters and captions: a bad one is counted and
// left out, as PeerTube's importer leaves it out; the video stays.
func (r *run) extras(ctx context.Context, v userexport.VideoJSON, got model.Video) {
	c := r.sum.Stats["videos"]
	if v.ArchiveFiles.Thumbnail != nil {
		if err := r.thumbnail(ctx, *v.ArchiveFiles.Thumbnail, got); err != nil {
			r.s.log().Warn("import: thumbnail left out", "import", r.im.ID, "video", got.UUID, "err", err)
			c.Errors++
		}
	}
	if len(v.Chapters) > 0 && r.s.Chapters != nil {
		cs := make([]model.Chapter, 0, len(v.Chapters))
		for _, ch := range v.Chapters {
			cs = append(cs, model.Chapter{Timecode: ch.Timecode, Title: ch.Title})
		}
		if err := r.s.Chapters.Replace(ctx, r.viewer, got.UUID, cs); err != nil {
			r.s.log().Warn("import: chapters left out", "import", r.im.ID, "video", got.UUID, "err", err)
			c.Errors++
		}
	}
	for lang, rel := range v.ArchiveFiles.Captions {
		if err := r.caption(ctx, lang, rel, got); err != nil {
			r.s.log().Warn("import: caption left out", "import", r.im.ID, "video", got.UUID, "language", lang, "err", err)
			c.Errors++
		}
	}
}

func (r *run) thumbnail(ctx context.Context, rel string, v model.Video) error {
	rc, err := r.a.openRel(rel)
	if err != nil {
		return err
	}
	defer rc.Close()
	img, err := videos.ReadImage("thumbnailfile", rc)
	if err != nil {
		return err
	}
	return r.s.Videos.SetImages(ctx, r.viewer, v.UUID, img)
}

func (r *run) caption(ctx context.Context, lang, rel string, v model.Video) error {
	rc, err := r.a.openRel(rel)
	if err != nil {
		return err
	}
	defer rc.Close()
	return r.s.Captions.Put(ctx, r.viewer, v.UUID, lang, rc)
}

// videoRef is the video a URL of the archive names here: one it
// imported, one of this server, or a remote one stored through
// federation; "" when none.
func (r *run) videoRef(ctx context.Context, u string) string {
	if uuid, ok := r.urls[u]; ok {
		return uuid
	}
	pu, err := url.Parse(u)
	if err != nil || pu.Host == "" {
		return ""
	}
	if strings.EqualFold(pu.Host, r.s.Here) {
		parts := strings.Split(strings.Trim(pu.Path, "/"), "/")
		return parts[len(parts)-1]
	}
	if r.s.RemoteVideo == nil {
		return ""
	}
	id, err := r.s.RemoteVideo(ctx, u)
	if err != nil {
		r.s.log().Info("import: remote video not reachable", "import", r.im.ID, "url", u, "err", err)
		return ""
	}
	return strconv.FormatInt(id, 10)
}

// playlists creates the archive's playlists with the elements that exist
// here once the videos are imported. A playlist that cannot be made is
// counted, not fatal.
func (r *run) playlists(ctx context.Context, p *plan) {
	c := r.sum.Stats["videoPlaylists"]
	for _, pl := range p.playlists {
		if pl.Type == model.PlaylistWatchLater {
			continue // the account has its own
		}
		key := pl.UUID
		if key == "" {
			key = pl.URL
		}
		if _, ok := r.made("playlist", key); ok {
			c.Success++
			continue
		}
		display := strings.TrimSpace(pl.DisplayName)
		if id, err := r.s.Store.SamePlaylist(ctx, r.viewer.AccountID, display); err == nil && id != 0 {
			c.Duplicates++ // PeerTube's rule: a playlist of the same name is the same
			continue
		}
		desc := limitText(pl.Description, 1000)
		privacy := pl.Privacy
		if privacy < model.PlaylistPublic || privacy > model.PlaylistPrivate {
			privacy = model.PlaylistPrivate
		}
		in := playlists.Input{DisplayName: &display, Description: &desc, Privacy: &privacy}
		if pl.Channel.Name != nil {
			if ch := r.channelFor(*pl.Channel.Name); ch.ID != 0 {
				in.ChannelID = &ch.ID
			}
		}
		if in.ChannelID == nil && privacy == model.PlaylistPublic {
			// PeerTube's rule: a public playlist is a channel's.
			private := model.PlaylistUnlisted
			in.Privacy = &private
		}
		made, err := r.s.Playlists.Create(ctx, r.viewer, in)
		if err != nil {
			r.s.log().Warn("import: playlist left out", "import", r.im.ID, "playlist", pl.DisplayName, "err", err)
			c.Errors++
			continue
		}
		if err := r.tag(ctx, "playlist", key, made.ID); err != nil {
			c.Errors++
			continue
		}
		for _, e := range pl.Elements {
			ref := r.videoRef(ctx, e.VideoURL)
			if ref == "" {
				continue
			}
			if _, _, err := r.s.Playlists.AddVideo(ctx, r.viewer, made.UUID, ref, playlists.Times{Start: e.StartTimestamp, Stop: e.StopTimestamp}); err != nil {
				r.s.log().Info("import: playlist element left out", "import", r.im.ID, "video", e.VideoURL, "err", err)
			}
		}
		c.Success++
	}
}

// rates likes (or dislikes) the videos the archive names that exist
// here; a video rated already is a duplicate.
func (r *run) rates(ctx context.Context, kind string, list []userexport.RateJSON, c *Count) {
	for _, l := range list {
		if _, ok := r.made(kind, l.VideoURL); ok {
			c.Success++
			continue
		}
		ref := r.videoRef(ctx, l.VideoURL)
		if ref == "" {
			c.Errors++
			continue
		}
		id, mine, err := r.s.Ratings.Mine(ctx, r.viewer, ref)
		if err != nil {
			c.Errors++
			continue
		}
		if mine != model.RatingNone && mine != "" {
			c.Duplicates++
			continue
		}
		// Tagged first: a crash between the two leaves a tag whose
		// rollback (rating none) is harmless.
		if err := r.tag(ctx, kind, l.VideoURL, id); err != nil {
			c.Errors++
			continue
		}
		if _, err := r.s.Ratings.Rate(ctx, r.viewer, ref, kind); err != nil {
			r.s.log().Info("import: rating left out", "import", r.im.ID, "video", l.VideoURL, "err", err)
			r.s.Store.Untag(ctx, r.im.ID, kind, l.VideoURL)
			c.Errors++
			continue
		}
		c.Success++
	}
}

// follows follows again the channels the creator followed, here or on
// their servers.
func (r *run) follows(ctx context.Context, p *plan) {
	c := r.sum.Stats["following"]
	for _, f := range p.following {
		h := strings.TrimPrefix(strings.TrimSpace(f.TargetHandle), "@")
		if h == "" {
			c.Errors++
			continue
		}
		if _, ok := r.made("follow", h); ok {
			c.Success++
			continue
		}
		if _, err := r.s.Subscriptions.Mine(ctx, r.viewer, h, r.s.Here); err == nil {
			c.Duplicates++
			continue
		}
		if err := r.tag(ctx, "follow", h, 0); err != nil {
			c.Errors++
			continue
		}
		ch, err := r.s.Subscriptions.Subscribe(ctx, r.viewer, h, r.s.Here)
		if err != nil {
			r.s.log().Info("import: follow left out", "import", r.im.ID, "handle", h, "err", err)
			r.s.Store.Untag(ctx, r.im.ID, "follow", h)
			c.Errors++
			continue
		}
		r.tag(ctx, "follow", h, ch.ID)
		c.Success++
	}
}

// rollback removes what import im created, newest first; what is already
// gone is no error. The account's own data was never touched: only
// tagged objects go.
func (s *Service) rollback(ctx context.Context, im repo.UserImport) error {
	viewer, err := s.viewerOf(ctx, im.UserID)
	if err != nil {
		return err
	}
	objs, err := s.Store.Tagged(ctx, im.ID)
	if err != nil {
		return err
	}
	var errs []error
	for _, o := range objs {
		var err error
		switch o.Kind {
		case "video":
			err = s.Videos.Delete(ctx, viewer, strconv.FormatInt(o.Target, 10))
		case "channel":
			err = s.Store.DeleteChannel(ctx, o.Target)
		case "playlist":
			err = s.Playlists.Delete(ctx, viewer, strconv.FormatInt(o.Target, 10))
		case "like", "dislike":
			_, err = s.Ratings.Rate(ctx, viewer, strconv.FormatInt(o.Target, 10), model.RatingNone)
		case "follow":
			err = s.Subscriptions.Unsubscribe(ctx, viewer, o.Source, s.Here)
		}
		if err != nil && !errors.Is(err, model.ErrNotFound) && !errors.Is(err, subscriptions.ErrNotSubscribed) {
			errs = append(errs, fmt.Errorf("remove %s %q: %w", o.Kind, o.Source, err))
			continue
		}
		s.Store.Untag(ctx, im.ID, o.Kind, o.Source)
	}
	return errors.Join(errs...)
}
