package media

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"cabane.dev/cabane/app/durable"
)

// Thumbnail writes a JPEG of exactly width×height to out: the frame at `at`
// scaled to cover the size and centre-cropped (no black bars), or, for an
// audio file, its waveform. out appears complete or not at all. info is
// in's probe when the caller has it (a processing job probed the upload
// already); nil probes in.
func (r *Runner) Thumbnail(ctx context.Context, in string, info *Info, at time.Duration, width, height int, out string) error {
	return r.Thumbnails(ctx, in, info, at, Picture{Width: width, Height: height, Path: out})
}

// Picture is one image Thumbnails writes: its exact size, and where.
type Picture struct {
	Width, Height int
	Path          string
}

// Thumbnails is Thumbnail for several sizes of one picture (a video's card
// thumbnail and its preview) from one ffmpeg run, which seeks and decodes
// once: on a Pi each run is a tenth of a second of a core taken from the
// first viewers of a video just published. Each picture appears complete
// or not at all.
func (r *Runner) Thumbnails(ctx context.Context, in string, info *Info, at time.Duration, pics ...Picture) error {
	if len(pics) == 0 {
		return fmt.Errorf("thumbnail %s: no picture asked for", in)
	}
	for _, p := range pics {
		if p.Width <= 0 || p.Height <= 0 {
			return fmt.Errorf("thumbnail %s: bad size %dx%d", in, p.Width, p.Height)
		}
	}
	if info == nil {
		probed, err := r.Probe(ctx, in)
		if err != nil {
			return fmt.Errorf("thumbnail: %w", err)
		}
		info = probed
	}
	tmps := make([]string, len(pics))
	defer func() {
		for _, tmp := range tmps {
			if tmp != "" {
				os.Remove(tmp) // no-op after the rename
			}
		}
	}()
	for i, p := range pics {
		f, err := os.CreateTemp(filepath.Dir(p.Path), ".thumb-*.jpg")
		if err != nil {
			return fmt.Errorf("thumbnail %s: %w", in, blameDisk(filepath.Dir(p.Path), err))
		}
		tmps[i] = f.Name()
		f.Close()
	}

	// One input picture, split into one scaled chain per output.
	src, split, chain := "[0:v:0]", "split", func(p Picture) string {
		return fmt.Sprintf("scale=%d:%d:force_original_aspect_ratio=increase,crop=%d:%d,setsar=1", p.Width, p.Height, p.Width, p.Height)
	}
	if info.Video == nil {
		src, split, chain = "[0:a:0]", "asplit", func(p Picture) string {
			return fmt.Sprintf("showwavespic=s=%dx%d:colors=0x6ca0dc,format=yuvj420p", p.Width, p.Height)
		}
	} else if info.Duration > 0 && at >= info.Duration {
		at = info.Duration / 2
	}
	var graph strings.Builder
	if len(pics) == 1 {
		fmt.Fprintf(&graph, "%s%s[o0]", src, chain(pics[0]))
	} else {
		fmt.Fprintf(&graph, "%s%s=%d", src, split, len(pics))
		for i := range pics {
			fmt.Fprintf(&graph, "[s%d]", i)
		}
		for i, p := range pics {
			fmt.Fprintf(&graph, ";[s%d]%s[o%d]", i, chain(p), i)
		}
	}
	run := func(at time.Duration) error {
		var a []string
		if info.Video != nil {
			a = append(a, "-ss", seconds(at))
		}
		a = append(a, "-i", in, "-filter_complex", graph.String())
		for i, tmp := range tmps {
			a = append(a, "-map", fmt.Sprintf("[o%d]", i), "-frames:v", "1", "-q:v", "3", "-f", "image2", "-update", "1", tmp)
		}
		if err := r.runFFmpeg(ctx, a, 0, nil); err != nil {
			return err
		}
		for _, tmp := range tmps {
			if st, err := os.Stat(tmp); err != nil || st.Size() == 0 {
				return errNoFrame
			}
		}
		return nil
	}
	err := run(at)
	if errors.Is(err, errNoFrame) && at > 0 && info.Video != nil {
		// A duration that lies (a live recording, a broken index): the
		// first frame is better than no thumbnail.
		err = run(0)
	}
	dir := filepath.Dir(pics[0].Path)
	if err != nil {
		// An empty picture is what a full disk leaves.
		return fmt.Errorf("thumbnail %s: %w", in, blameDisk(dir, err))
	}
	for i, p := range pics {
		if err := durable.SyncFile(tmps[i]); err != nil {
			return fmt.Errorf("thumbnail %s: sync: %w", in, blameDisk(dir, err))
		}
		if err := durable.Rename(tmps[i], p.Path); err != nil {
			return fmt.Errorf("thumbnail %s: %w", in, blameDisk(dir, err))
		}
		tmps[i] = ""
	}
	return nil
}

var errNoFrame = errors.New("ffmpeg produced no frame")

func seconds(d time.Duration) string {
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}
