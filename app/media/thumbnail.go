package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"cabane.dev/cabane/app/durable"
)

// Thumbnail writes a JPEG of exactly width×height to out: the frame at `at`
// scaled to cover the size and centre-cropped (no black bars), or, for an
// audio file, its waveform. out appears complete or not at all. info is
// in's probe when the caller has it (a processing job probed the upload
// already); nil probes in.
func (r *Runner) Thumbnail(ctx context.Context, in string, info *Info, at time.Duration, width, height int, out string) error {
	if width <= 0 || height <= 0 {
		return fmt.Errorf("thumbnail %s: bad size %dx%d", in, width, height)
	}
	if info == nil {
		probed, err := r.Probe(ctx, in)
		if err != nil {
			return fmt.Errorf("thumbnail: %w", err)
		}
		info = probed
	}
	f, err := os.CreateTemp(filepath.Dir(out), ".thumb-*.jpg")
	if err != nil {
		return fmt.Errorf("thumbnail %s: %w", in, blameDisk(filepath.Dir(out), err))
	}
	tmp := f.Name()
	f.Close()
	defer os.Remove(tmp) // no-op after the rename

	size := strconv.Itoa(width) + "x" + strconv.Itoa(height)
	var args func(at time.Duration) []string
	if info.Video == nil {
		args = func(time.Duration) []string {
			return []string{"-i", in, "-filter_complex",
				"[0:a:0]showwavespic=s=" + size + ":colors=0x6ca0dc,format=yuvj420p[v]", "-map", "[v]"}
		}
	} else {
		if info.Duration > 0 && at >= info.Duration {
			at = info.Duration / 2
		}
		args = func(at time.Duration) []string {
			return []string{"-ss", seconds(at), "-i", in, "-map", "0:v:0", "-vf",
				fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1", width, height, width, height)}
		}
	}
	run := func(at time.Duration) error {
		a := append(args(at), "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", tmp)
		if err := r.runFFmpeg(ctx, a, 0, nil); err != nil {
			return err
		}
		if st, err := os.Stat(tmp); err != nil || st.Size() == 0 {
			return errNoFrame
		}
		return nil
	}
	err = run(at)
	if errors.Is(err, errNoFrame) && at > 0 {
		// A duration that lies (a live recording, a broken index): the
		// first frame is better than no thumbnail.
		err = run(0)
	}
	if err != nil {
		// An empty picture is what a full disk leaves.
		return fmt.Errorf("thumbnail %s: %w", in, blameDisk(filepath.Dir(out), err))
	}
	if err := durable.SyncFile(tmp); err != nil {
		return fmt.Errorf("thumbnail %s: sync: %w", in, blameDisk(filepath.Dir(out), err))
	}
	if err := durable.Rename(tmp, out); err != nil {
		return fmt.Errorf("thumbnail %s: %w", in, blameDisk(filepath.Dir(out), err))
	}
	return nil
}

var errNoFrame = errors.New("ffmpeg produced no frame")

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}
