package transcoding_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cabane.dev/cabane/app/media"
	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

var update = flag.Bool("update", false, "rewrite testdata/*.args")

// board reads one of hardware's procfs fixtures and sets its memory, so
// the same machine can be tried with the sizes it is sold in.
func board(t *testing.T, fixture string, memMiB uint64) hardware.Board {
	t.Helper()
	b, err := hardware.DetectBoard(os.DirFS(filepath.Join("..", "..", "hardware", "testdata", "boards", fixture)))
	if err != nil {
		t.Fatalf("board %s: %v", fixture, err)
	}
	b.MemTotal, b.MemAvail = memMiB<<20, memMiB<<20*3/4
	return b
}

// want is what one board must make of one source.
type want struct {
	rungs     string // "copy 1080p | 720p 360p": the copy, then encoded rungs
	runs      []int  // renditions per ffmpeg process
	encoder   string // -c:v of every encoded rendition
	threads   int    // -threads before -i and, for libx264, per rendition
	preset    string // libx264's -preset, "" for hardware
	lookahead int    // -rc-lookahead per rendition, 0 for none
	device    string // the hardware device argument, "" for none
	maxHeight int    // no encoded rung above it
}

// A board fixture goes through the profile, the plan and the runs to the
// exact ffmpeg arguments (golden files), and each knob is checked on those
// arguments directly so that a careless -update cannot bless a lost one.
func TestBoardProfilesReachFFmpeg(t *testing.T) {
	v4l2 := hardware.ProbeResult{Listed: []string{"h264_v4l2m2m"}, Working: []string{"h264_v4l2m2m"}, DevicePaths: map[string]string{"h264_v4l2m2m": "/dev/video11"}}
	vaapi := hardware.ProbeResult{Listed: []string{"h264_vaapi", "h264_qsv"}, Working: []string{"h264_vaapi"},
		Failures: map[string]string{"h264_qsv": "trial failed"}, DevicePaths: map[string]string{"h264_vaapi": "/dev/dri/renderD128"}}
	none := hardware.ProbeResult{}
	tests := []struct {
		name      string
		board     hardware.Board
		probe     hardware.ProbeResult
		h264, vp9 want
	}{
		{
			name: "pi4-4gb-v4l2m2m", board: board(t, "pi4", 3792), probe: v4l2,
			// The hardware block encodes the whole ladder, to its 1080p cap,
			// in one process; the phone's 16 Mb/s is over the copy budget.
			h264: want{rungs: "1080p 720p 480p 360p", runs: []int{4}, encoder: "h264_v4l2m2m", threads: 4, maxHeight: 1080},
			vp9:  want{rungs: "1080p 720p 480p 360p", runs: []int{4}, encoder: "h264_v4l2m2m", threads: 4, maxHeight: 1080},
		},
		{
			name: "pi5-4gb-software", board: board(t, "pi5", 4049), probe: none,
			// Never 1080p from the encoder: the H.264 source is copied, the
			// VP9 one tops out at 720p.
			h264: want{rungs: "copy 1080p | 720p 360p", runs: []int{2}, encoder: "libx264", threads: 4, preset: "veryfast", maxHeight: 720},
			vp9:  want{rungs: "720p 360p", runs: []int{2}, encoder: "libx264", threads: 4, preset: "veryfast", maxHeight: 720},
		},
		{
			name: "pi5-1gb-software", board: board(t, "pi5", 1010), probe: none,
			// One rendition per process, 2 threads, rc-lookahead 10.
			h264: want{rungs: "copy 1080p | 720p 360p", runs: []int{1, 1}, encoder: "libx264", threads: 2, preset: "veryfast", lookahead: 10, maxHeight: 720},
			vp9:  want{rungs: "720p 360p", runs: []int{1, 1}, encoder: "libx264", threads: 2, preset: "veryfast", lookahead: 10, maxHeight: 720},
		},
		{
			name: "intel-nas-8gb-vaapi", board: board(t, "n100", 8<<10), probe: vaapi,
			h264: want{rungs: "1080p 720p 480p 360p", runs: []int{4}, encoder: "h264_vaapi", threads: 4, device: "vaapi=va:/dev/dri/renderD128", maxHeight: 1080},
			vp9:  want{rungs: "1080p 720p 480p 360p", runs: []int{4}, encoder: "h264_vaapi", threads: 4, device: "vaapi=va:/dev/dri/renderD128", maxHeight: 1080},
		},
		{
			name: "vm-2core-4gb-software", board: board(t, "x86vm", 4<<10), probe: none,
			h264: want{rungs: "copy 1080p | 720p 480p 360p", runs: []int{3}, encoder: "libx264", threads: 2, preset: "veryfast", maxHeight: 720},
			vp9:  want{rungs: "720p 480p 360p", runs: []int{3}, encoder: "libx264", threads: 2, preset: "veryfast", maxHeight: 720},
		},
	}
	for _, tt := range tests {
		prof := transcoding.Build(tt.board, tt.probe, true, "", 1)
		for _, src := range []struct {
			codec string
			want  want
		}{{"h264", tt.h264}, {"vp9", tt.vp9}} {
			t.Run(tt.name+"/"+src.codec, func(t *testing.T) {
				info := media.Sample1080p(src.codec)
				plan := media.PlanFor(info, prof)
				runs := media.Runs(prof, "/data/media/v/original", info, plan.Encode)
				checkKnobs(t, plan, runs, src.want)
				checkGolden(t, tt.name+"-"+src.codec+".args", golden(prof, info, plan, runs))
			})
		}
	}
}

func checkKnobs(t *testing.T, plan media.Plan, runs []media.Run, w want) {
	t.Helper()
	if got := rungs(plan); got != w.rungs {
		t.Errorf("rungs %q, want %q", got, w.rungs)
	}
	var sizes []int
	for _, r := range runs {
		sizes = append(sizes, len(r.Ladder.Renditions))
	}
	if !slices.Equal(sizes, w.runs) {
		t.Errorf("renditions per ffmpeg process %v, want %v", sizes, w.runs)
	}
	for i, run := range runs {
		args := run.Args()
		n := len(run.Ladder.Renditions)
		input := slices.Index(args, "-i")
		if c := pairs(args, "-c:v", w.encoder); c != n {
			t.Errorf("run %d: -c:v %s %d times, want %d", i, w.encoder, c, n)
		}
		// Threads cap the decoder (before -i) on every backend, and each
		// libx264 encoder after it.
		if c := pairs(args[:input], "-threads", strconv.Itoa(w.threads)); c != 1 {
			t.Errorf("run %d: decoder not capped at %d threads: %v", i, w.threads, args[:input])
		}
		encThreads := 0
		if w.preset != "" {
			encThreads = n
		}
		if c := pairs(args[input:], "-threads", strconv.Itoa(w.threads)); c != encThreads || strings.Count(strings.Join(args, " "), "-threads") != 1+encThreads {
			t.Errorf("run %d: -threads %d after -i %d times, want %d", i, w.threads, c, encThreads)
		}
		if c := pairs(args, "-preset", w.preset); w.preset != "" && c != n || w.preset == "" && slices.Contains(args, "-preset") {
			t.Errorf("run %d: -preset %q %d times, want one per rendition (none on hardware)", i, w.preset, c)
		}
		if c := pairs(args, "-rc-lookahead", strconv.Itoa(w.lookahead)); w.lookahead > 0 && c != n || w.lookahead == 0 && slices.Contains(args, "-rc-lookahead") {
			t.Errorf("run %d: -rc-lookahead %d %d times, want one per rendition (none unless bounded)", i, w.lookahead, c)
		}
		if w.device != "" && !slices.Contains(args, w.device) {
			t.Errorf("run %d: device %q not passed: %v", i, w.device, args)
		}
		for _, r := range run.Ladder.Renditions {
			if min(r.Width, r.Height) > w.maxHeight {
				t.Errorf("run %d encodes %s, above the board's %dp", i, r.Name, w.maxHeight)
			}
		}
	}
}

// pairs counts flag followed by value in args.
func pairs(args []string, flag, value string) int {
	n := 0
	for i := 0; i+1 < len(args); i++ {
		if args[i] == flag && args[i+1] == value {
			n++
		}
	}
	return n
}

func rungs(p media.Plan) string {
	var enc []string
	for _, r := range p.Encode {
		enc = append(enc, r.Name)
	}
	s := strings.Join(enc, " ")
	if p.Copy != nil {
		s = "copy " + p.Copy.Name + " | " + s
	}
	return s
}

// golden is the profile, the plan and every ffmpeg command line, one
// argument per line.
func golden(prof transcoding.Profile, info *media.Info, plan media.Plan, runs []media.Run) []string {
	out := []string{"# profile: " + prof.String(), fmt.Sprintf("# source: %s %dx%d, %d b/s", info.Video.Codec, info.Video.Width, info.Video.Height, info.Video.BitRate),
		"# rungs: " + rungs(plan)}
	if plan.Copy != nil {
		out = append(out, "# copy "+plan.Copy.Name)
		out = append(out, media.CommandLine(media.CopyArgs("/data/media/v/original", info, plan, "/data/media/v/hls/.partial", "v"))...)
	}
	for i, run := range runs {
		run.Ladder.OutputDir, run.Ladder.Prefix = "/data/media/v/hls/.partial", "v"
		run.Ladder.HasAudio = run.Ladder.HasAudio && plan.Copy == nil
		out = append(out, fmt.Sprintf("# ffmpeg run %d", i+1))
		out = append(out, media.CommandLine(run.Args())...)
	}
	return out
}

func checkGolden(t *testing.T, name string, lines []string) {
	t.Helper()
	got := strings.Join(lines, "\n") + "\n"
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden (go test ./app/transcoding -update creates it): %v", err)
	}
	if got != string(want) {
		t.Errorf("%s changed (go test ./app/transcoding -update if intended)\n--- got\n%s--- want\n%s", name, got, want)
	}
}

// The most constrained profile's arguments (decoder threads before -i,
// rc-lookahead, one rendition per process) are accepted by the real ffmpeg
// and produce the rungs the plan named.
func TestPi5OneGigabyteProfileEncodes(t *testing.T) {
	if testing.Short() {
		t.Skip("encodes with ffmpeg")
	}
	ctx := context.Background()
	dir := t.TempDir()
	clip := filepath.Join(dir, "in.mkv")
	// MPEG-4 Part 2 is never copied, so every rung goes through libx264.
	if out, err := exec.CommandContext(ctx, "ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30:duration=1",
		"-c:v", "mpeg4", "-q:v", "5", clip).CombinedOutput(); err != nil {
		t.Fatalf("make clip: %v\n%s", err, out)
	}
	r := &media.Runner{}
	info, err := r.Probe(ctx, clip)
	if err != nil {
		t.Fatal(err)
	}
	prof := transcoding.Build(board(t, "pi5", 1010), hardware.ProbeResult{}, true, "", 1)
	plan := media.PlanFor(info, prof)
	runs := media.Runs(prof, clip, info, plan.Encode)
	if rungs(plan) != "720p 360p" || len(runs) != 2 {
		t.Fatalf("plan %q in %d runs, want 720p and 360p in two", rungs(plan), len(runs))
	}
	hls := filepath.Join(dir, "hls")
	for _, run := range runs {
		run.Ladder.Prefix = "v"
		if !slices.Contains(run.Args(), "-rc-lookahead") {
			t.Fatalf("run without -rc-lookahead: %v", run.Args())
		}
		if err := r.EncodeLadder(ctx, run.Encoder, run.Ladder, info.Duration, hls, nil); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"720p", "360p"} {
		v, err := r.Describe(ctx, hls, name)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if want := map[string]int{"720p": 720, "360p": 360}[name]; v.Height != want {
			t.Errorf("%s is %dx%d", name, v.Width, v.Height)
		}
	}
}
