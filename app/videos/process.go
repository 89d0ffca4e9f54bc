package videos

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

type processPayload struct {
	VideoID int64 `json:"video_id"`
	// Probe is what Ingest's ffprobe said of the original, whose size was
	// ProbedSize: the job starts copying at once instead of probing the
	// same file again (a tenth of a second on a Pi, before the video can
	// be published). Absent from jobs queued before it existed, and
	// ignored if the file's size changed: then the job probes.
	Probe      *media.Info `json:"probe,omitempty"`
	ProbedSize int64       `json:"probed_size,omitempty"`
}

// progressWriteEvery bounds how often progress reaches the database.
const progressWriteEvery = 5 * time.Second

// Handle is the JobKind handler. Each finished rendition is recorded as it
// lands, so a job resumed after a crash redoes only what was unfinished.
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p processPayload
	if err := json.Unmarshal(j.Payload, &p); err != nil {
		return fmt.Errorf("%w: bad payload: %v", jobs.ErrPermanent, err)
	}
	v, err := s.Store.Videos.ByID(ctx, p.VideoID)
	if errors.Is(err, model.ErrNotFound) {
		return nil // deleted while queued: nothing to do
	}
	if err != nil {
		return err
	}
	if v.State == model.StateTranscodingFailed {
		// A retry: show "processing" again while it runs.
		if err := s.Store.Videos.SetState(ctx, v.ID, model.StateToTranscode); err != nil {
			return err
		}
	}
	err = s.processOwning(ctx, j, v, p) // process, with the live-file sweep (livefiles.go)
	if errors.Is(context.Cause(ctx), jobs.ErrCancelled) {
		s.clearProgress(v.ID)
		if ferr := s.Store.Videos.SetFailed(context.WithoutCancel(ctx), v.ID, "processing was cancelled by the administrator"); ferr != nil {
			s.Log.Error("mark video cancelled", "video", v.UUID, "err", ferr)
		}
		return err
	}
	if err == nil || ctx.Err() != nil {
		s.clearProgress(v.ID)
		if err == nil {
			s.diskFullDone(v.ID)
		}
		return err
	}
	if errors.Is(err, media.ErrDiskFull) || errors.Is(err, syscall.ENOSPC) {
		// Not the video's fault: release the job now and try again once
		// the admin has made room, without spending its attempts — for a
		// while. A video that cannot fit even on an emptied disk would
		// otherwise fill it every minute forever: after maxDiskFullWaits
		// its retries count, and it fails in words like any other.
		s.clearProgress(v.ID)
		if !errors.Is(err, media.ErrDiskFull) {
			err = fmt.Errorf("%w: %w", media.ErrDiskFull, err)
		}
		if s.DiskFull != nil {
			s.DiskFull(context.WithoutCancel(ctx))
		}
		if s.diskFullWait(v.ID) <= maxDiskFullWaits {
			return jobs.RetryAfter(err, s.diskFullRetry())
		}
	} else {
		s.diskFullDone(v.ID)
	}
	if errors.Is(err, media.ErrMemoryLimit) && !errors.Is(err, jobs.ErrPermanent) {
		err = fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	if errors.Is(err, jobs.ErrPermanent) || j.Attempts >= j.MaxAttempts {
		s.clearProgress(v.ID)
		if ferr := s.Store.Videos.SetFailed(context.WithoutCancel(ctx), v.ID, err.Error()); ferr != nil {
			s.Log.Error("mark video failed", "video", v.UUID, "err", ferr)
		}
	}
	return err
}

// maxDiskFullWaits bounds the uncounted disk-full retries of one video
// (an hour at the default pace).
const maxDiskFullWaits = 60

// diskFullWait counts one more disk-full wait of a video in this run.
func (s *Service) diskFullWait(id int64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fullWait == nil {
		s.fullWait = map[int64]int{}
	}
	s.fullWait[id]++
	return s.fullWait[id]
}

func (s *Service) diskFullDone(id int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.fullWait, id)
}

func (s *Service) diskFullRetry() time.Duration {
	if s.DiskFullRetry > 0 {
		return s.DiskFullRetry
	}
	return time.Minute
}

func (s *Service) process(ctx context.Context, j *jobs.Job, v model.Video, p processPayload) error {
	in := s.Layout.Original(v.UUID, v.OriginalFile)
	st, err := os.Stat(in)
	if err != nil {
		return fmt.Errorf("%w: original file: %v", jobs.ErrPermanent, err)
	}
	info := p.Probe
	if info == nil || p.ProbedSize != st.Size() {
		if info, err = s.Media.Probe(ctx, in); err != nil {
			return fmt.Errorf("%w: probe: %v", jobs.ErrPermanent, err)
		}
	}
	// A milestone of the time to playable (the bench breaks it down).
	s.Log.Info("probed", "video", v.UUID, "reused", info == p.Probe)
	done, err := s.doneRenditions(ctx, v.ID)
	if err != nil {
		return err
	}
	hlsDir := s.Layout.HLS(v.UUID)
	if err := os.MkdirAll(hlsDir, 0o750); err != nil {
		return fmt.Errorf("create %s: %w", hlsDir, err)
	}
	removeStaging(hlsDir, s.Log)
	// A job resumed from before the layout changed: its finished
	// renditions move first, so the master written next names files that
	// exist (MigrateLayout may be doing the same; both are idempotent).
	if _, err := media.MigrateLegacy(hlsDir, v.UUID, nil); err != nil {
		return fmt.Errorf("migrate finished renditions: %w", err)
	}
	prof := s.Transcoding.Profile()
	plan := media.PlanFor(info, prof)
	progress := s.progressFunc(ctx, j, v.ID)

	switch {
	case plan.AudioOnly:
		if !done[media.AudioRenditionName] {
			still := s.Layout.Preview(v.UUID)
			if err := s.thumbnails(ctx, v, in, info); err != nil {
				return err
			}
			if err := s.Media.AudioOnlyHLS(ctx, in, still, info, hlsDir, v.UUID, progress); err != nil {
				return fmt.Errorf("audio HLS: %w", err)
			}
			if err := s.record(ctx, v, hlsDir, nil, media.AudioRenditionName); err != nil {
				return err
			}
		}
		return nil
	case plan.Copy != nil && !done[plan.Copy.Name]:
		// Publish first, thumbnails after: the copy takes a second and is
		// what makes the video watchable. The audio lands with it, once.
		plan.Audio = plan.Audio && !done[media.AudioRenditionName]
		err := s.Media.CopyHLS(ctx, in, info, plan, hlsDir, v.UUID, progress)
		s.Log.Info("streams copied", "video", v.UUID, "rendition", plan.Copy.Name, "ok", err == nil)
		if errors.Is(err, media.ErrDiskFull) {
			return err // an encode would meet the same full disk
		} else if err != nil {
			s.Log.Warn("copy into HLS failed, encoding instead", "video", v.UUID, "err", err)
			plan.Encode = append([]hardware.Rendition{*plan.Copy}, plan.Encode...)
			plan.Copy = nil
		} else {
			names := []string{plan.Copy.Name}
			if plan.Audio {
				names = append(names, media.AudioRenditionName)
				done[media.AudioRenditionName] = true
			}
			if err := s.record(ctx, v, hlsDir, plan.Copy, names...); err != nil {
				return err
			}
		}
	}
	var todo []hardware.Rendition
	for _, r := range plan.Encode {
		if !done[r.Name] {
			todo = append(todo, r)
		}
	}
	// Nothing recorded yet: the first run's renditions are published while
	// they encode (live.go). Once a rendition is recorded the video is
	// published, and a published master names finished renditions only.
	growing := len(todo) > 0 && len(done) == 0 && !v.Published()
	// A video playable while it encodes gets its thumbnails while ffmpeg
	// starts, not before (measured: 1.2 s of a 9 s wait for a 1080p VP9
	// source on 2 cores); Ready waits for them. Any other, before its
	// encode as always.
	thumbs := s.deferredThumbnails(v, in, info)
	if growing {
		thumbs.start(ctx)
		defer thumbs.wait()
	} else if err := thumbs.make(ctx); err != nil {
		return err
	}
	if len(todo) == 0 {
		return nil
	}
	defer s.growing.set(v.ID, false)
	// Usually one run: one ffmpeg process decodes once for the whole
	// ladder. A board short of memory gets several smaller runs.
	for i, run := range s.runs(prof, in, info, todo, v.UUID, done[media.AudioRenditionName]) {
		var live *media.Live
		if growing && i == 0 {
			live = s.live(v, hlsDir, thumbs)
		}
		// A milestone of the time to playable (the bench breaks it down).
		s.Log.Info("encode started", "video", v.UUID, "renditions", media.LadderNames(run.Ladder), "live", live != nil)
		err := s.encode(ctx, run, info, hlsDir, progress, live)
		// A full disk is no encoder's fault: no software re-encode, no
		// failure recorded against the hardware.
		if enc := run.Encoder; err != nil && enc.Hardware() && ctx.Err() == nil && !errors.Is(err, media.ErrDiskFull) {
			// A trial-proven hardware encoder can still fail on a real file
			// (odd sizes, driver bugs): the creator gets their video anyway,
			// encoded as the board's software profile says.
			s.Log.Warn("hardware encode failed, retrying in software", "video", v.UUID, "encoder", enc.Name(), "err", err)
			s.Transcoding.EncoderFailed(enc.Name(), err)
			sw := transcoding.Profile{}
			if prof.Fallback != nil {
				sw = *prof.Fallback
			}
			err = nil
			// The fallback's first run follows what the failed one listed:
			// it publishes on only if its bytes are the same (Live).
			for _, fb := range s.runs(sw, in, info, run.Ladder.Renditions, v.UUID, !run.Ladder.HasAudio) {
				if err = s.encode(ctx, fb, info, hlsDir, progress, live); err != nil {
					break
				}
				live = nil
			}
		}
		if err != nil {
			return err
		}
		// Made before the first publication, whether or not Ready came.
		if err := thumbs.make(ctx); err != nil {
			return err
		}
		// One ffmpeg run, one publication: its renditions land together.
		if err := s.record(ctx, v, hlsDir, nil, media.LadderNames(run.Ladder)...); err != nil {
			return err
		}
	}
	return nil
}

// runs are the ffmpeg runs that encode rs into files named after prefix;
// the first encodes the audio too unless audioDone.
func (s *Service) runs(p transcoding.Profile, in string, info *media.Info, rs []hardware.Rendition, prefix string, audioDone bool) []media.Run {
	runs := media.Runs(p, in, info, rs)
	for i := range runs {
		runs[i].Ladder.Prefix = prefix
		if audioDone {
			runs[i].Ladder.HasAudio = false
		}
	}
	return runs
}

func (s *Service) encode(ctx context.Context, run media.Run, info *media.Info, hlsDir string, progress func(media.Progress), live *media.Live) error {
	if err := s.Media.EncodeLadderLive(ctx, run.Encoder, run.Ladder, info.Duration, hlsDir, progress, live); err != nil {
		return fmt.Errorf("encode %d renditions with %s: %w", len(run.Ladder.Renditions), run.Encoder.Name(), err)
	}
	return nil
}

func (s *Service) doneRenditions(ctx context.Context, videoID int64) (map[string]bool, error) {
	rs, err := s.Store.Videos.Renditions(ctx, videoID)
	if err != nil {
		return nil, err
	}
	done := map[string]bool{}
	for _, r := range rs {
		done[r.Name] = true
	}
	return done, nil
}

// record describes renditions that are in their final place, stores them
// (which publishes the video) and rewrites the master playlist. copied is
// the plan's copy rendition when names were published by CopyHLS (their
// picture is the source's, known without ffprobe), nil when encoded.
func (s *Service) record(ctx context.Context, v model.Video, hlsDir string, copied *hardware.Rendition, names ...string) error {
	rs := make([]model.Rendition, 0, len(names))
	var packaged time.Duration
	for _, name := range names {
		var vr media.Variant
		var err error
		if copied != nil && name == copied.Name {
			vr, err = s.Media.DescribeCopy(ctx, hlsDir, *copied)
		} else {
			vr, err = s.Media.Describe(ctx, hlsDir, name)
		}
		if err != nil {
			return fmt.Errorf("describe rendition %s: %w", name, err)
		}
		packaged = max(packaged, vr.Duration)
		rs = append(rs, model.Rendition{VideoID: v.ID, Name: name, Width: vr.Width, Height: vr.Height, FPS: vr.FrameRate,
			Bandwidth: vr.Bandwidth, AverageBandwidth: vr.AverageBandwidth, Codecs: vr.Codecs,
			Size: fileSize(filepath.Join(hlsDir, hardware.FragmentedName(v.UUID, name))), Copied: copied != nil})
	}
	// The master playlist comes first: the moment the row says "published",
	// a player must find the playlist. A crash between the two leaves a
	// playlist naming finished renditions, which the resumed job records.
	stored, err := s.Store.Videos.Renditions(ctx, v.ID)
	if err != nil {
		return err
	}
	all := rs
	var keep []string
	for _, r := range stored {
		if !slices.Contains(names, r.Name) {
			all = append(all, r)
			keep = append(keep, hardware.FragmentedName(v.UUID, r.Name))
		}
	}
	// The hashes before the master: a peer that finds a rendition in the
	// master finds its hashes.
	if err := media.WriteSegmentHashes(hlsDir, keep, names...); err != nil {
		return err
	}
	if err := s.writeMaster(v, all); err != nil {
		return err
	}
	// One commit (one fsync of the database's log, which an SD card makes
	// slow) publishes the renditions with the duration they play: a
	// truncated upload's header can announce 10 s for 3 s of media.
	err = s.Store.WithTx(ctx, func(tx repo.Tx) error {
		// As stored, not as this job loaded it: an earlier record of the
		// same run may have published it already.
		before := v
		if s.Federate != nil {
			var err error
			if before, err = tx.Videos.ByID(ctx, v.ID); err != nil {
				return err
			}
		}
		if packaged > 0 && packaged != v.Duration {
			if err := tx.Videos.SetDuration(ctx, v.ID, packaged); err != nil {
				return fmt.Errorf("record duration: %w", err)
			}
		}
		if err := tx.Videos.AddRenditions(ctx, v.ID, rs...); err != nil {
			return err
		}
		// The first rendition publishes the video (a Create), the next
		// ones add files (an Update).
		return s.federate(ctx, tx, before, false)
	})
	if err != nil {
		return fmt.Errorf("record renditions %v: %w", names, err)
	}
	if s.Recorded != nil {
		files := make([]string, len(names))
		for i, name := range names {
			files[i] = hardware.FragmentedName(v.UUID, name)
		}
		s.Recorded(context.WithoutCancel(ctx), v.UUID, files)
	}
	if s.Published != nil && v.PublishedAt.IsZero() {
		s.Published.VideoPublished(ctx, v.ID)
	}
	for _, name := range names {
		s.Log.Info("rendition published", "video", v.UUID, "rendition", name, "copied", copied != nil)
	}
	return nil
}

// writeMaster writes a video's master playlist listing rs; a rendition
// without a picture is the audio every variant shares.
func (s *Service) writeMaster(v model.Video, rs []model.Rendition) error {
	vars := make([]media.Variant, 0, len(rs))
	var audio *media.Variant
	for _, r := range rs {
		vr := media.Variant{URI: hardware.MediaPlaylistName(r.Name), Bandwidth: r.Bandwidth, AverageBandwidth: r.AverageBandwidth,
			Width: r.Width, Height: r.Height, FrameRate: r.FPS, Codecs: r.Codecs}
		if SharedAudio(r) {
			audio = &vr
			continue
		}
		vars = append(vars, vr)
	}
	return media.WriteMaster(s.Layout.HLSFile(v.UUID, MasterName), vars, audio)
}

// SharedAudio tells the audio rendition shared by a video's renditions
// from an audio-only upload's rendition (which has a still picture).
func SharedAudio(r model.Rendition) bool {
	return r.Name == media.AudioRenditionName && r.Height == 0
}

// MasterName is the master playlist's file name inside hls/.
const MasterName = "master.m3u8"

func (s *Service) thumbnails(ctx context.Context, v model.Video, in string, info *media.Info) error {
	if v.HasThumbnail {
		return nil
	}
	at := info.Duration / 3
	// PeerTube's sizes: a 280×157 card thumbnail and an 850×480 preview,
	// from one ffmpeg run.
	if err := s.Media.Thumbnails(ctx, in, info, at,
		media.Picture{Width: previewW, Height: previewH, Path: s.Layout.Preview(v.UUID)},
		media.Picture{Width: thumbW, Height: thumbH, Path: s.Layout.Thumbnail(v.UUID)}); err != nil {
		return fmt.Errorf("thumbnails: %w", err)
	}
	if err := s.Store.Videos.SetThumbnail(ctx, v.ID); err != nil {
		return err
	}
	s.Log.Info("thumbnails made", "video", v.UUID)
	return nil
}

func (s *Service) progressFunc(ctx context.Context, j *jobs.Job, videoID int64) func(media.Progress) {
	// The first write waits too: what is live is in memory (Progress),
	// and a copy, done in a second, would otherwise write its 100 % to
	// the database just before the commit that publishes it.
	last := time.Now()
	return func(p media.Progress) {
		s.setProgress(videoID, p)
		_ = s.Jobs.SetProgress(ctx, j.ID, p.Percent)
		if time.Since(last) >= progressWriteEvery {
			last = time.Now()
			if err := s.Store.Videos.SetProgress(ctx, videoID, p.Percent); err != nil && ctx.Err() == nil {
				s.Log.Warn("save progress", "err", err)
			}
		}
	}
}

func fileSize(p string) int64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return st.Size()
}

// removeStaging deletes what an interrupted run (kill -9, power cut) left in
// its staging folders; only one job works on a video at a time.
func removeStaging(hlsDir string, log *slog.Logger) {
	stale, _ := filepath.Glob(filepath.Join(hlsDir, ".partial*"))
	for _, d := range stale {
		log.Info("removing an interrupted run's files", "dir", d)
		os.RemoveAll(d)
	}
}
