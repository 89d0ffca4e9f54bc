package config

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Limits bound what one upload may ask of the box. Uploads beyond them are
// refused at ingest, before any encoding, with a message naming the limit.
// Zero means no limit.
//
// The defaults are sized for a Raspberry Pi (1–8 GB, four slow cores):
//   - 4 hours: a recorded talk or event fits; each rendition of a 4 h video
//     is 3,600 four-second segments, and a software encode on a Pi 5 takes
//     about as long as the video lasts. A ten-hour file (9,000 segments,
//     the only worker held for hours) is refused.
//   - 4096×4096 pixels: 4K UHD and DCI, landscape or portrait, fit; one such
//     frame is 24 MiB in yuv420p, so decoding and scaling stay within a
//     small board's memory, where a 16000×16000 frame (366 MiB) needed
//     872 MB of ffmpeg memory.
//   - 240 frames/s: phones' slow-motion captures fit; renditions never go
//     above 60 fps anyway, so a higher rate only costs decoding time.
//   - 10 jobs queued or running per account: a creator can send a batch of
//     episodes, and the originals waiting on disk stay bounded. The queue
//     is fair between accounts whatever this is (see jobs.Options.FairWindow).
type Limits struct {
	MaxDuration      time.Duration
	MaxVideoWidth    int
	MaxVideoHeight   int
	MaxFPS           float64
	MaxQueuedPerUser int
	// FFmpegMemory caps each ffmpeg's address space (RLIMIT_AS), in bytes:
	// 0 sizes it from the box's memory (media.AutoMemoryLimit), -1 sets no
	// cap. A transcode that would exceed it fails with a clear error
	// instead of pushing the box into the OOM killer.
	FFmpegMemory int64
	// VideoQuota and VideoQuotaDaily are each user's default quotas in
	// bytes, all videos and those of the last 24 hours (PeerTube's
	// user.video_quota and video_quota_daily); the admin overrides them per
	// user. 0 or -1: unlimited.
	VideoQuota, VideoQuotaDaily int64
}

// DefaultLimits are the limits with nothing set.
func DefaultLimits() Limits {
	return Limits{
		MaxDuration:      4 * time.Hour,
		MaxVideoWidth:    4096,
		MaxVideoHeight:   4096,
		MaxFPS:           240,
		MaxQueuedPerUser: 10,
	}
}

// limitFlags registers the limits on fs, the environment overriding the
// defaults and flags the environment. Bad environment values are returned.
func (l *Limits) flags(fs *flag.FlagSet, getenv func(string) string) error {
	var errs []error
	fromEnv := func(name string, set func(string) error) {
		if v := getenv(name); v != "" {
			if err := set(v); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
	setDuration := func(s string) error {
		d, err := time.ParseDuration(s)
		if err != nil {
			return fmt.Errorf("bad duration %q (e.g. 4h, 90m, 0 for none)", s)
		}
		l.MaxDuration = d
		return nil
	}
	intSetter := func(dst *int) func(string) error {
		return func(s string) error {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil {
				return fmt.Errorf("bad number %q", s)
			}
			*dst = n
			return nil
		}
	}
	setFPS := func(s string) error {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return fmt.Errorf("bad frame rate %q", s)
		}
		l.MaxFPS = f
		return nil
	}
	setMemory := func(s string) error {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "auto", "":
			l.FFmpegMemory = 0
			return nil
		case "off", "none":
			l.FFmpegMemory = -1
			return nil
		}
		n, err := ParseSize(s)
		if err != nil {
			return err
		}
		if n == 0 {
			return errors.New("0 bytes: use auto or off")
		}
		l.FFmpegMemory = n
		return nil
	}
	fromEnv("CABANE_MAX_DURATION", setDuration)
	fromEnv("CABANE_MAX_VIDEO_WIDTH", intSetter(&l.MaxVideoWidth))
	fromEnv("CABANE_MAX_VIDEO_HEIGHT", intSetter(&l.MaxVideoHeight))
	fromEnv("CABANE_MAX_FPS", setFPS)
	fromEnv("CABANE_MAX_QUEUED_PER_USER", intSetter(&l.MaxQueuedPerUser))
	fromEnv("CABANE_FFMPEG_MEMORY", setMemory)
	quota := func(dst *int64) func(string) error {
		return func(s string) error {
			if t := strings.TrimSpace(s); t == "-1" || strings.EqualFold(t, "unlimited") {
				*dst = -1
				return nil
			}
			n, err := ParseSize(s)
			*dst = n
			return err
		}
	}
	fromEnv("CABANE_VIDEO_QUOTA", quota(&l.VideoQuota))
	fromEnv("CABANE_VIDEO_QUOTA_DAILY", quota(&l.VideoQuotaDaily))
	fs.Func("video-quota", "each user's default video quota, e.g. 50G; -1: unlimited (env CABANE_VIDEO_QUOTA)", quota(&l.VideoQuota))
	fs.Func("video-quota-daily", "each user's default upload quota per 24 hours, e.g. 5G; -1: unlimited (env CABANE_VIDEO_QUOTA_DAILY)", quota(&l.VideoQuotaDaily))
	fs.Func("max-duration", "longest accepted video, e.g. 4h; 0: no limit (env CABANE_MAX_DURATION; default 4h)", setDuration)
	fs.Func("max-video-width", "widest accepted picture in pixels; 0: no limit (env CABANE_MAX_VIDEO_WIDTH; default 4096)", intSetter(&l.MaxVideoWidth))
	fs.Func("max-video-height", "tallest accepted picture in pixels; 0: no limit (env CABANE_MAX_VIDEO_HEIGHT; default 4096)", intSetter(&l.MaxVideoHeight))
	fs.Func("max-fps", "highest accepted frame rate; 0: no limit (env CABANE_MAX_FPS; default 240)", setFPS)
	fs.Func("max-queued-per-user", "videos one account may have waiting for processing; 0: no limit (env CABANE_MAX_QUEUED_PER_USER; default 10)",
		intSetter(&l.MaxQueuedPerUser))
	fs.Func("ffmpeg-memory", "memory cap of each ffmpeg, e.g. 1500M; auto: sized from the box's memory; off: none (env CABANE_FFMPEG_MEMORY)", setMemory)
	return errors.Join(errs...)
}

func (l Limits) validate() error {
	switch {
	case l.MaxDuration < 0:
		return errors.New("max duration must not be negative")
	case l.MaxVideoWidth < 0 || l.MaxVideoHeight < 0:
		return errors.New("max video width and height must not be negative")
	case l.MaxFPS < 0:
		return errors.New("max frame rate must not be negative")
	case l.MaxQueuedPerUser < 0:
		return errors.New("max queued per user must not be negative")
	case l.FFmpegMemory < -1:
		return errors.New("ffmpeg memory must be a size, auto or off")
	}
	return nil
}
