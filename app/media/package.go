package media

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// AudioRenditionName is the rendition AudioOnlyHLS writes, and the audio
// shared by a ladder's renditions.
const AudioRenditionName = hardware.AudioName

// CopyHLS publishes plan.Copy: the source's video stream copied, not
// re-encoded, into hlsDir as one fragmented MP4 named after prefix, and,
// when plan.Audio, the audio rendition beside it: copied when
// plan.CopyAudio, else encoded to AAC, once. Segments start at the
// source's own keyframes, so they may be longer than the target duration.
func (r *Runner) CopyHLS(ctx context.Context, in string, info *Info, plan Plan, hlsDir, prefix string, fn func(Progress)) error {
	if plan.Copy == nil {
		return errors.New("copy hls: the plan has no copy rendition")
	}
	names := []string{plan.Copy.Name}
	if plan.Audio && info != nil && info.Audio != nil {
		names = append(names, AudioRenditionName)
	}
	err := r.runStaged(ctx, hlsDir, prefix, names, durationOf(info), fn, nil, func(outDir string) []string {
		return CopyArgs(in, info, plan, outDir, prefix)
	})
	if err != nil {
		return fmt.Errorf("copy %s to hls: %w", in, err)
	}
	return nil
}

// CopyArgs is the ffmpeg argument list that publishes plan.Copy, and the
// audio when plan.Audio, into outDir; plan.Copy must be set.
func CopyArgs(in string, info *Info, plan Plan, outDir, prefix string) []string {
	rend := *plan.Copy
	l := hardware.Ladder{OutputDir: outDir, Prefix: prefix, SegmentSeconds: hardware.DefaultSegmentSeconds}
	args := []string{"-i", in, "-map", "0:v:0", "-c:v", "copy"}
	args = append(args, hardware.HLSOutputArgs(l, rend)...)
	if plan.Audio && info != nil && info.Audio != nil {
		args = append(args, "-map", "0:a:0")
		if plan.CopyAudio {
			args = append(args, "-c:a", "copy")
		} else {
			args = append(args, hardware.AACArgs(plan.AudioBitrate)...)
		}
		args = append(args, hardware.HLSOutputArgs(l, hardware.Rendition{Name: AudioRenditionName})...)
	}
	return args
}

// EncodeLadder runs enc's command line for l in one ffmpeg process and
// publishes every rendition (and the audio when l.HasAudio) into hlsDir.
// l.OutputDir is replaced by the staging directory. total is the input's
// duration (0: unknown).
func (r *Runner) EncodeLadder(ctx context.Context, enc hardware.Encoder, l hardware.Ladder, total time.Duration, hlsDir string, fn func(Progress)) error {
	return r.EncodeLadderLive(ctx, enc, l, total, hlsDir, fn, nil)
}

// EncodeLadderLive is EncodeLadder that also publishes the renditions as
// they grow (see Live); live nil publishes them at the end only.
func (r *Runner) EncodeLadderLive(ctx context.Context, enc hardware.Encoder, l hardware.Ladder, total time.Duration, hlsDir string, fn func(Progress), live *Live) error {
	if len(l.Renditions) == 0 {
		return errors.New("encode ladder: no renditions")
	}
	names := LadderNames(l)
	l.Live = live != nil
	err := r.runStaged(ctx, hlsDir, l.Prefix, names, total, fn, live, func(outDir string) []string {
		l.OutputDir = outDir
		return enc.Args(l)
	})
	if err != nil {
		return fmt.Errorf("encode %s with %s: %w", l.Input, enc.Name(), err)
	}
	return nil
}

// Still-picture video for audio-only uploads: few frames (cheap to encode
// for an hour-long podcast) but a real video track, because several players
// (Safari, some TVs) refuse an audio-only HLS stream or show nothing.
const (
	audioStillFPS    = 2
	audioStillWidth  = 1280
	audioStillHeight = 720
)

// LadderNames are the renditions one run of l publishes.
func LadderNames(l hardware.Ladder) []string {
	names := make([]string, 0, len(l.Renditions)+1)
	for _, rend := range l.Renditions {
		names = append(names, rend.Name)
	}
	if l.HasAudio {
		names = append(names, AudioRenditionName)
	}
	return names
}

// AudioOnlyHLS publishes an audio upload as the audio rendition in hlsDir:
// still (a JPEG or PNG; "" for a black picture) as a low-frame-rate H.264
// track, plus AAC, in one file (players refuse audio-only HLS, see above).
func (r *Runner) AudioOnlyHLS(ctx context.Context, in, still string, info *Info, hlsDir, prefix string, fn func(Progress)) error {
	if info == nil || info.Audio == nil {
		return fmt.Errorf("audio hls %s: no audio stream", in)
	}
	rend := hardware.Rendition{Name: AudioRenditionName, FPS: audioStillFPS, AudioBitrate: audioBitrateFor(transcoding.Profile{}, info.Audio)}
	fps := strconv.Itoa(audioStillFPS)
	err := r.runStaged(ctx, hlsDir, prefix, []string{rend.Name}, durationOf(info), fn, nil, func(outDir string) []string {
		// The picture must end with the sound. -shortest alone is not
		// enough: at 2 fps x264's lookahead holds seconds of frames, which
		// the muxer still writes after the audio ends. So the picture input
		// is cut to the audio's duration, and -shortest covers an unknown one.
		var limit []string
		if info.Duration > 0 {
			limit = []string{"-t", seconds(info.Duration)}
		}
		var args []string
		if still != "" {
			args = append(append([]string{"-loop", "1", "-framerate", fps}, limit...), "-i", still)
		} else {
			args = append(append([]string{"-f", "lavfi"}, limit...), "-i", fmt.Sprintf("color=c=black:s=%dx%d:r=%s", audioStillWidth, audioStillHeight, fps))
		}
		args = append(args, "-i", in,
			"-filter_complex", fmt.Sprintf("[0:v:0]scale=%d:%d:force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1,format=yuv420p[v]", audioStillWidth, audioStillHeight),
			"-map", "[v]", "-map", "1:a:0",
			"-c:v", "libx264", "-preset", "veryfast", "-tune", "stillimage", "-profile:v", "high", "-pix_fmt", "yuv420p",
			"-r", fps, "-g", strconv.Itoa(audioStillFPS*hardware.KeyframeSeconds), "-sc_threshold", "0",
		)
		if canCopyAudio(info.Audio) {
			args = append(args, "-c:a", "copy")
		} else {
			args = append(args, hardware.AACArgs(rend.AudioBitrate)...)
		}
		args = append(args, "-shortest")
		l := hardware.Ladder{OutputDir: outDir, Prefix: prefix, SegmentSeconds: hardware.DefaultSegmentSeconds}
		return append(args, hardware.HLSOutputArgs(l, rend)...)
	})
	if err != nil {
		return fmt.Errorf("audio %s to hls: %w", in, err)
	}
	return nil
}

// runStaged runs one ffmpeg whose outputs go to a staging directory inside
// hlsDir, then publishes the named renditions. On any failure, or a cancel,
// the staging directory is removed and nothing reaches its final path.
func (r *Runner) runStaged(ctx context.Context, hlsDir, prefix string, names []string, total time.Duration, fn func(Progress), live *Live, build func(outDir string) []string) (err error) {
	if prefix == "" || prefix != filepath.Base(prefix) || strings.HasPrefix(prefix, ".") {
		return fmt.Errorf("bad file prefix %q", prefix)
	}
	for _, n := range names {
		if n == "" || n != filepath.Base(n) || strings.HasPrefix(n, ".") {
			return fmt.Errorf("bad rendition name %q", n)
		}
	}
	st, err := newStaging(hlsDir)
	if err != nil {
		return blameDisk(hlsDir, err)
	}
	defer func() {
		if cerr := st.cleanup(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	args := build(st.dir)
	stopLive := func() {}
	if live != nil {
		lctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			newLiveRun(live, hlsDir, st.dir, prefix, names).follow(lctx)
		}()
		// Stopped before anything else touches hlsDir: a late EVENT
		// playlist must never land on the final VOD one.
		stopLive = func() { cancel(); <-done }
	}
	ferr := r.runFFmpeg(ctx, args, total, fn)
	stopLive()
	if ferr != nil {
		if ctx.Err() != nil {
			return ferr
		}
		return blameDisk(st.dir, ferr)
	}
	if live != nil {
		if err := finishLive(st.dir, names); err != nil {
			return err
		}
	}
	// ffmpeg can exit 0 having written nothing (a full disk): nothing
	// empty or partial ever reaches its final path.
	for _, n := range names {
		if _, err := checkRendition(st.dir, n); err != nil {
			return blameDisk(st.dir, fmt.Errorf("ffmpeg wrote no playable %w", err))
		}
	}
	return blameDisk(hlsDir, st.publish(prefix, names...))
}

func durationOf(info *Info) time.Duration {
	if info == nil {
		return 0
	}
	return info.Duration
}

// MuxDownload writes to dst one ordinary MP4 of a video rendition's file
// and the shared audio's, both streams copied (no re-encode): a podcast
// app or a download wants the picture and the sound in one file, as
// PeerTube 6.3 muxes them for its downloads since it splits audio.
func (r *Runner) MuxDownload(ctx context.Context, video, audio, dst string) error {
	args := []string{"-i", video, "-i", audio, "-map", "0:v:0", "-map", "1:a:0", "-c", "copy",
		"-map_metadata", "-1", "-movflags", "+faststart", "-f", "mp4", dst}
	if err := r.runFFmpeg(ctx, args, 0, nil); err != nil {
		return blameDisk(filepath.Dir(dst), fmt.Errorf("mux %s and %s: %w", filepath.Base(video), filepath.Base(audio), err))
	}
	return nil
}
