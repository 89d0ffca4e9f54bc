// Package videos is the domain service for uploads: it turns a received file
// into a video row and a processing job, and runs that job (probe, copy or
// encode into HLS, thumbnails, publication).
package videos

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/imaging"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/ratelimit"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/resumable"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/app/visibility"
)

// JobKind is the job that processes one upload.
const JobKind = "video.process"

// Service ingests and processes videos.
type Service struct {
	Store  repo.Store
	Jobs   *jobs.Queue
	Media  *media.Runner
	Layout config.Layout
	// Transcoding gives each job the profile this box encodes with (it
	// changes when the hardware probe finishes or the admin decides) and
	// hears of hardware encoders failing on real files.
	Transcoding Profiles
	Log         *slog.Logger
	// Limits bound what one upload may ask of the box; zero fields are no
	// limit (config.DefaultLimits are the sensible ones).
	Limits config.Limits
	// DiskFullRetry is how long a job that found the disk full waits before
	// it tries again (default 1 min).
	DiskFullRetry time.Duration
	// DiskFull is told when a job finds the disk full, before it waits:
	// copies of other servers' videos give their room first (redundancy,
	// #12); nil: nothing is freed.
	DiskFull func(ctx context.Context)
	// Published hears of each video once it is first playable
	// (app/notifications tells the subscribers); nil: nobody is told.
	Published Publisher
	// Recorded hears of the files of renditions just published (names in
	// the video's hls/ folder; app/torrents hashes them); nil: nobody.
	Recorded func(ctx context.Context, uuid string, files []string)
	// Federate hears, inside each write's transaction, of the changes
	// remote servers must learn of (app/federation/outbox); nil: none.
	Federate Federator
	// Blocks says how the blocklists see an account for a viewer
	// (app/blocklist); nil: nobody is blocked.
	Blocks func(ctx context.Context, viewer visibility.Viewer, accountID int64) (visibility.Blocks, error)
	// ServerBlocked says whether the server blocks an account
	// (app/blocklist); nil: nobody is blocked.
	ServerBlocked func(ctx context.Context, accountID int64) (bool, error)
	// Quotas holds users' video quotas; nil: nobody has one.
	Quotas repo.Quotas
	// Passwords holds password-protected videos' passwords; Guesses
	// limits each client's wrong guesses. nil: no video may be
	// password-protected / no limit.
	Passwords repo.VideoPasswords
	Guesses   *ratelimit.Limiter
	// EarlyAccess stores when an uploaded supporter-only video turns
	// public (app/supporters); nil: uploads cannot schedule it.
	EarlyAccess func(ctx context.Context, v model.Video, at time.Time) error
	// Images bounds how many uploaded pictures are decoded at once, for the
	// whole process (shared with profile's avatars); nil: one of its own.
	Images      *imaging.Gate
	ownGate     *imaging.Gate
	ownGateOnce sync.Once
	// DefaultQuotas, when set, are the quotas of users without their own
	// (the admin's instance settings; bytes, -1 unlimited), in place of
	// Limits'.
	DefaultQuotas func(ctx context.Context) (quota, daily int64)

	mu       sync.Mutex
	progress map[int64]media.Progress // videoID → live progress of its job
	views    map[int64]int64          // videoID → views not yet written
	fullWait map[int64]int            // videoID → disk-full waits so far (this run)
	growing  growingSet               // videos playable while they encode (live.go)
	resuming resumable.Locks          // resumable upload ids being written now

	files  fileCache // video rows of recent file requests (filecache.go)
	access accessLog // when grants to each video stopped holding (access.go)

	folders folderLocks // a video's folder: its job's or the live-file sweep's (livefiles.go)
}

// Publisher is told that a video was published; it may be told twice
// (a job resumed after a crash) and must notify once.
type Publisher interface {
	VideoPublished(ctx context.Context, videoID int64)
}

// Profiles is what the videos service needs of transcoding.Service.
type Profiles interface {
	Profile() transcoding.Profile
	EncoderFailed(encoder string, err error)
}

// ErrAccountBlocked refuses an upload from an account the server blocks.
var ErrAccountBlocked = errors.New("this account is blocked on this Cabane")

// notBlocked refuses an uploader the server blocks (app/blocklist): its
// videos would be hidden from everyone but the admins anyway.
func (s *Service) notBlocked(ctx context.Context, uploader int64) error {
	if s.ServerBlocked == nil || uploader == 0 {
		return nil
	}
	blocked, err := s.ServerBlocked(ctx, uploader)
	if err != nil {
		return fmt.Errorf("blocklist of account %d: %w", uploader, err)
	}
	if blocked {
		return ErrAccountBlocked
	}
	return nil
}

// ErrNotYourChannel refuses an upload to a channel the uploader does not own.
var ErrNotYourChannel = errors.New("you cannot upload to this channel")

// ErrNoChannel refuses an upload from an account without a channel.
var ErrNoChannel = errors.New("this account has no channel to upload to")

// uploadChannel is the channel an upload goes to: channelID if the
// uploader owns it, their first channel when channelID is 0.
func (s *Service) uploadChannel(ctx context.Context, uploader, channelID int64) (model.Channel, error) {
	if uploader == 0 {
		return model.Channel{}, ErrNotYourChannel
	}
	if channelID == 0 {
		chs, err := s.Store.Accounts.ChannelsOfAccount(ctx, uploader)
		if err != nil {
			return model.Channel{}, fmt.Errorf("channels of account %d: %w", uploader, err)
		}
		if len(chs) == 0 {
			return model.Channel{}, ErrNoChannel
		}
		return chs[0], nil
	}
	ch, err := s.Store.Accounts.ChannelByID(ctx, channelID)
	switch {
	case errors.Is(err, model.ErrNotFound) || err == nil && ch.AccountID != uploader:
		return model.Channel{}, ErrNotYourChannel
	case err != nil:
		return model.Channel{}, fmt.Errorf("channel %d of the upload: %w", channelID, err)
	}
	return ch, nil
}

// ErrBadUpload wraps every reason an upload is refused; the message is for
// the uploader.
var ErrBadUpload = errors.New("upload refused")

// UploadMeta is what the uploader told us about the file.
type UploadMeta struct {
	// UploaderAccountID is who uploads: the channel must be theirs.
	UploaderAccountID int64
	ChannelID         int64
	Name              string
	Description       string
	Privacy           int
	OriginalName      string
	// Meta is the rest of what PeerTube's upload form says (category,
	// tags, ...); its zero value is model.DefaultMeta's.
	Meta model.Meta
	// Passwords are a password-protected video's (privacy 5).
	Passwords []string
	// Created, when set (an account import, app/userimport), runs inside
	// the new video's transaction, so that the import's record of it
	// commits with it; and the video queues past Limits.MaxQueuedPerUser:
	// an import is one request, bounded by its archive.
	Created func(ctx context.Context, tx repo.Tx, v model.Video) error `json:"-"`
	// PublicOn is when a supporter-only video (privacy 7) turns public
	// (early access); zero: it stays for supporters.
	PublicOn time.Time `json:",omitzero"`
}

// Ingest takes a fully received upload at tmpPath (inside the data
// directory, so a rename moves it), checks that ffmpeg can read it, and
// stores it with its processing job. On any error the file is removed.
func (s *Service) Ingest(ctx context.Context, tmpPath string, meta UploadMeta) (model.Video, error) {
	keep := false
	defer func() {
		if !keep {
			os.Remove(tmpPath)
		}
	}()
	// Authorisation first: nothing is probed for someone who may not
	// upload here.
	if err := s.notBlocked(ctx, meta.UploaderAccountID); err != nil {
		return model.Video{}, err
	}
	ch, err := s.uploadChannel(ctx, meta.UploaderAccountID, meta.ChannelID)
	if err != nil {
		return model.Video{}, err
	}
	info, err := s.Media.Probe(ctx, tmpPath)
	if errors.Is(err, media.ErrNotMedia) {
		return model.Video{}, fmt.Errorf("%w: %s is not a video or audio file that ffmpeg can read", ErrBadUpload, displayName(meta.OriginalName))
	}
	if err != nil {
		return model.Video{}, fmt.Errorf("%w: %s could not be read: %v", ErrBadUpload, displayName(meta.OriginalName), err)
	}
	if err := s.checkLimits(info, displayName(meta.OriginalName)); err != nil {
		return model.Video{}, err
	}
	id := uuid.New()
	v := model.Video{
		UUID: id.String(), ShortUUID: ShortUUID(id), ChannelID: ch.ID,
		Name: meta.Name, Description: meta.Description, Privacy: meta.Privacy, Meta: meta.Meta,
		Duration: info.Duration, IsAudio: info.Video == nil, OriginalName: meta.OriginalName,
		OriginalFile: "original" + safeExt(meta.OriginalName),
	}
	if info.Video != nil {
		v.Width, v.Height = info.Video.Width, info.Video.Height
	}
	if st, err := os.Stat(tmpPath); err == nil {
		v.Size = st.Size()
	}
	dir := s.Layout.Video(v.UUID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return model.Video{}, fmt.Errorf("create %s: %w", dir, err)
	}
	final := filepath.Join(dir, v.OriginalFile)
	if err := os.Rename(tmpPath, final); err != nil {
		os.RemoveAll(dir)
		return model.Video{}, fmt.Errorf("move upload into place: %w", err)
	}
	if err := durable.SyncDir(dir); err != nil {
		os.RemoveAll(dir)
		return model.Video{}, err
	}
	keep = true
	// The row and its job appear together or not at all: a crash between
	// them would leave a video that nothing ever processes.
	err = s.Store.WithTx(ctx, func(tx repo.Tx) error {
		if err := tx.Videos.Create(ctx, &v); err != nil {
			return err
		}
		perOwner := s.Limits.MaxQueuedPerUser
		if meta.Created != nil {
			if err := meta.Created(ctx, tx, v); err != nil {
				return err
			}
			perOwner = 0
		}
		_, err := s.Jobs.EnqueueTx(ctx, tx.SQL, JobKind, processPayload{VideoID: v.ID, Probe: info, ProbedSize: v.Size},
			jobs.WithVideo(v.ID), jobs.WithOwner(ch.AccountID), jobs.WithMaxPerOwner(perOwner))
		return err
	})
	if errors.Is(err, jobs.ErrOwnerQueueFull) {
		os.RemoveAll(dir)
		return model.Video{}, fmt.Errorf("%w: you already have %d videos waiting to be processed, the most this box takes from one account; send %s again once one of them is published",
			ErrBadUpload, s.Limits.MaxQueuedPerUser, displayName(meta.OriginalName))
	}
	if err != nil {
		os.RemoveAll(dir)
		return model.Video{}, fmt.Errorf("store video: %w", err)
	}
	if v.Privacy == model.PrivacyPassword {
		if err := s.setPasswords(ctx, v, &meta.Passwords); err != nil {
			return model.Video{}, fmt.Errorf("store passwords of video %s: %w", v.UUID, err)
		}
	}
	if v.Privacy == model.PrivacySupporters && !meta.PublicOn.IsZero() && s.EarlyAccess != nil {
		if err := s.EarlyAccess(ctx, v, meta.PublicOn); err != nil {
			return model.Video{}, fmt.Errorf("store the public date of video %s: %w", v.UUID, err)
		}
	}
	s.Log.Info("upload stored", "video", v.UUID, "name", v.Name, "size", v.Size, "duration", info.Duration)
	return s.Store.Videos.ByUUID(ctx, v.UUID)
}

func displayName(n string) string {
	if n == "" {
		return "the file"
	}
	return fmt.Sprintf("%q", filepath.Base(n))
}

// safeExt keeps a short alphanumeric extension so ffmpeg's format guess and
// a person browsing the data directory both see what the file was.
func safeExt(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	if len(ext) < 2 || len(ext) > 6 {
		return ""
	}
	for _, r := range ext[1:] {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') {
			return ""
		}
	}
	return ext
}

// ClearPartialUploads removes uploads a crash interrupted. Called at
// start-up, before the server accepts uploads.
func (s *Service) ClearPartialUploads() error {
	if err := os.RemoveAll(s.Layout.Uploads()); err != nil {
		return fmt.Errorf("clear partial uploads: %w", err)
	}
	return os.MkdirAll(s.Layout.Uploads(), 0o750)
}

// SweepOrphans removes media folders whose video row was never committed
// (a crash between moving an upload into place and its transaction). It
// runs while the server already serves: only folders last changed before
// this run started (before) are candidates, so an upload committing right
// now is never taken for an orphan.
func (s *Service) SweepOrphans(ctx context.Context, before time.Time) error {
	entries, err := os.ReadDir(s.Layout.Media())
	if err != nil {
		return fmt.Errorf("read media dir: %w", err)
	}
	for _, e := range entries {
		if _, err := uuid.Parse(e.Name()); err != nil || !e.IsDir() {
			continue // not ours: leave a person's files alone
		}
		if info, err := e.Info(); err != nil || !info.ModTime().Before(before) {
			continue
		}
		found, err := s.Store.Videos.ExistsUUID(ctx, e.Name())
		if err == nil && !found {
			s.Log.Warn("removing media folder with no video (interrupted upload)", "dir", e.Name())
			os.RemoveAll(filepath.Join(s.Layout.Media(), e.Name()))
		} else if err != nil {
			return err
		}
	}
	return nil
}

// Progress is the live processing percentage of a video.
func (s *Service) Progress(v model.Video) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := s.progress[v.ID]; ok {
		return p.Percent
	}
	return v.Progress
}

// LiveProgress is the running job's progress (percent, speed, time left),
// if a job of this process is working on the video now.
func (s *Service) LiveProgress(videoID int64) (media.Progress, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.progress[videoID]
	return p, ok
}

func (s *Service) setProgress(id int64, p media.Progress) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.progress == nil {
		s.progress = map[int64]media.Progress{}
	}
	s.progress[id] = p
}

func (s *Service) clearProgress(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.progress, id)
}

// CountView counts one view; views reach the database in batches so that
// a popular video does not wear the SD card out.
func (s *Service) CountView(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.views == nil {
		s.views = map[int64]int64{}
	}
	s.views[id]++
}

// FlushViews writes the counted views.
func (s *Service) FlushViews(ctx context.Context) error {
	s.mu.Lock()
	batch := s.views
	s.views = nil
	s.mu.Unlock()
	if len(batch) == 0 {
		return nil // no transaction: an idle box writes nothing
	}
	if err := s.Store.Videos.AddViews(ctx, batch); err != nil {
		// Put them back: a failed write loses no views.
		s.mu.Lock()
		for id, n := range batch {
			if s.views == nil {
				s.views = map[int64]int64{}
			}
			s.views[id] += n
		}
		s.mu.Unlock()
		return fmt.Errorf("write views: %w", err)
	}
	if s.Federate != nil {
		ids := make([]int64, 0, len(batch))
		for id := range batch {
			ids = append(ids, id)
		}
		s.Federate.ViewsCounted(ctx, ids)
	}
	return nil
}

// PendingViews is added to the stored count when showing it.
func (s *Service) PendingViews(id int64) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.views[id]
}

// RunHousekeeping writes views and notices abandoned jobs every interval
// until ctx ends, then writes views once more.
func (s *Service) RunHousekeeping(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := s.FlushViews(ctx); err != nil {
				s.Log.Warn("flush views", "err", err)
			}
			// Expired sessions and tokens: a DELETE matching nothing writes nothing.
			if err := s.Store.Sessions.PruneExpired(ctx); err != nil {
				s.Log.Warn("prune expired sessions", "err", err)
			}
			// Trending reads the last days' views: older days go.
			if err := s.Store.Videos.PruneDailyViews(ctx, (TrendingDays+1)*24*time.Hour); err != nil {
				s.Log.Warn("prune daily views", "err", err)
			}
			if n, err := s.ExpireResumable(time.Now().Add(-ResumableExpiry)); err != nil {
				s.Log.Warn("expire resumable uploads", "err", err)
			} else if n > 0 {
				s.Log.Info("expired resumable uploads removed", "count", n)
			}
			if n, err := s.Store.Videos.FailAbandoned(ctx, JobKind); err != nil {
				s.Log.Warn("check abandoned jobs", "err", err)
			} else if n > 0 {
				s.Log.Warn("videos whose processing gave up marked failed", "count", n)
			}
		case <-ctx.Done():
			if err := s.FlushViews(context.WithoutCancel(ctx)); err != nil {
				s.Log.Warn("flush views", "err", err)
			}
			return
		}
	}
}
