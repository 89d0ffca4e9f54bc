package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
	"cabane.dev/cabane/internal/testrig"
)

const testPrefix = "v"

// probeRendition reads a published rendition back through its byte-range
// playlist, as a player would, after checking its packaging.
func probeRendition(t *testing.T, hlsDir, name string) *Info {
	t.Helper()
	checkSingleFile(t, hlsDir, name)
	info, err := (&Runner{}).Probe(testCtx(t), filepath.Join(hlsDir, hardware.MediaPlaylistName(name)))
	if err != nil {
		t.Fatalf("rendition %s unreadable: %v", name, err)
	}
	return info
}

// checkSingleFile: the rendition is one file, which its playlist's ranges
// (the init section, then every segment) tile exactly, from 0 to its end;
// and the segments' hashes as PeerTube writes them verify.
func checkSingleFile(t *testing.T, hlsDir, name string) {
	t.Helper()
	file := hardware.FragmentedName(testPrefix, name)
	st, err := os.Stat(filepath.Join(hlsDir, file))
	if err != nil {
		t.Fatalf("rendition %s: %v", name, err)
	}
	mp, err := readMediaPlaylist(filepath.Join(hlsDir, hardware.MediaPlaylistName(name)))
	if err != nil {
		t.Fatal(err)
	}
	if mp.initURI != file || mp.initOffset != 0 || mp.initLength <= 0 {
		t.Fatalf("%s: EXT-X-MAP %q %d@%d", name, mp.initURI, mp.initLength, mp.initOffset)
	}
	next := mp.initLength
	for i, sg := range mp.segments {
		if sg.uri != file || sg.offset != next || sg.length <= 0 {
			t.Fatalf("%s: segment %d is %s %d@%d, want %s from %d", name, i, sg.uri, sg.length, sg.offset, file, next)
		}
		next += sg.length
	}
	if next != st.Size() {
		t.Errorf("%s: the ranges end at %d, the file at %d", name, next, st.Size())
	}
	if err := WriteSegmentHashes(hlsDir, nil, name); err != nil {
		t.Fatal(err)
	}
	var hashes SegmentHashes
	b, _ := os.ReadFile(filepath.Join(hlsDir, SegmentsSha256Name))
	if err := json.Unmarshal(b, &hashes); err != nil || len(hashes[file]) != len(mp.segments) {
		t.Fatalf("%s: %v, %d hashes for %d segments", SegmentsSha256Name, err, len(hashes[file]), len(mp.segments))
	}
	data, _ := os.ReadFile(filepath.Join(hlsDir, file))
	for _, sg := range mp.segments {
		key := fmt.Sprintf("%d-%d", sg.offset, sg.offset+sg.length-1)
		if sum := sha256.Sum256(data[sg.offset : sg.offset+sg.length]); hashes[file][key] != hex.EncodeToString(sum[:]) {
			t.Errorf("%s: hash of %s is %q", name, key, hashes[file][key])
		}
	}
}

func TestCopyHLS(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{Nice: 10, IdleIO: true}
	in := clip(t, "h264.mp4")
	info, err := r.Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	plan := PlanFor(info, transcoding.Profile{})
	if plan.Copy == nil || !plan.CopyAudio {
		t.Fatalf("a modest H.264/AAC clip must be copied: %s", summary(plan))
	}
	hlsDir := t.TempDir()
	if err := r.CopyHLS(ctx, in, info, plan, hlsDir, testPrefix, nil); err != nil {
		t.Fatal(err)
	}
	got := probeRendition(t, hlsDir, plan.Copy.Name)
	if got.Video == nil || got.Video.Codec != "h264" || got.Video.Width != 640 || got.Video.Height != 360 {
		t.Errorf("copied video = %+v", got.Video)
	}
	// The audio is its own rendition, shared by every video rendition.
	if got.Audio != nil {
		t.Errorf("the video rendition carries audio: %+v", got.Audio)
	}
	if a := probeRendition(t, hlsDir, AudioRenditionName); a.Audio == nil || a.Audio.Codec != "aac" || a.Video != nil {
		t.Errorf("copied audio = %+v, video %+v", a.Audio, a.Video)
	}
	if d := got.Duration; d < 2800*time.Millisecond || d > 3300*time.Millisecond {
		t.Errorf("duration %v, want ~3s", d)
	}
	// Copying must not have re-encoded: same bitstream profile and level.
	if got.Video.Profile != info.Video.Profile {
		t.Errorf("profile %q, source %q", got.Video.Profile, info.Video.Profile)
	}
	entries, _ := os.ReadDir(hlsDir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if want := "0.m3u8 360.m3u8 segments-sha256.json v-0-fragmented.mp4 v-360-fragmented.mp4"; strings.Join(names, " ") != want {
		t.Errorf("files %q, want %q", names, want)
	}
}

// DescribeCopy takes the copied picture's size and frame rate from the
// plan instead of ffprobe, and the shared audio needs no ffprobe at all:
// both must say what ffprobe of the published file says. The runner that
// describes them has no ffprobe, which proves none ran.
func TestDescribeCopyMatchesFFprobe(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{}
	blind := &Runner{FFprobe: filepath.Join(t.TempDir(), "no-ffprobe")}
	ntsc := testrig.MakeClip(t, filepath.Join(t.TempDir(), "ntsc.mp4"), testrig.Clip{Seconds: 3, Size: "426x240", Args: []string{"-r", "30000/1001"}})
	for in, fps := range map[string]float64{clip(t, "h264.mp4"): 30, ntsc: 29.97} {
		t.Run(filepath.Base(in), func(t *testing.T) {
			info, err := r.Probe(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			plan := PlanFor(info, transcoding.Profile{})
			if plan.Copy == nil || !plan.Audio {
				t.Fatalf("want a copy with audio: %s", summary(plan))
			}
			hlsDir := t.TempDir()
			if err := r.CopyHLS(ctx, in, info, plan, hlsDir, testPrefix, nil); err != nil {
				t.Fatal(err)
			}
			want, err := r.Describe(ctx, hlsDir, plan.Copy.Name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := blind.DescribeCopy(ctx, hlsDir, *plan.Copy)
			if err != nil {
				t.Fatalf("DescribeCopy ran ffprobe, or failed: %v", err)
			}
			if got != want || got.Width == 0 || math.Abs(got.FrameRate-fps) > 0.01 {
				t.Errorf("DescribeCopy %+v, ffprobe says %+v (source %.3f fps)", got, want, fps)
			}
			if _, err := blind.Describe(ctx, hlsDir, plan.Copy.Name); err == nil {
				t.Error("a runner without ffprobe measured a picture: the test proves nothing")
			}
			audio, err := blind.Describe(ctx, hlsDir, AudioRenditionName)
			if err != nil || audio.Codecs != "mp4a.40.2" || audio.Width != 0 || audio.Bandwidth == 0 {
				t.Errorf("audio described %+v, %v; want AAC, no picture, no ffprobe", audio, err)
			}
		})
	}
}

func TestEncodeLadderLibx264(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{}
	in := clip(t, "vp9.webm")
	info, err := r.Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	plan := PlanFor(info, transcoding.Profile{})
	if plan.Copy != nil || len(plan.Encode) != 3 {
		t.Fatalf("VP9 720p must encode 720/480/360: %s", summary(plan))
	}
	hlsDir := t.TempDir()
	var reports []Progress
	run := Runs(transcoding.Profile{}, in, info, plan.Encode)[0]
	run.Ladder.Prefix = testPrefix
	err = r.EncodeLadder(ctx, run.Encoder, run.Ladder, info.Duration, hlsDir, func(p Progress) { reports = append(reports, p) })
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []struct {
		name string
		w, h int
	}{{"720p", 1280, 720}, {"480p", 854, 480}, {"360p", 640, 360}} {
		got := probeRendition(t, hlsDir, want.name)
		if got.Video == nil || got.Video.Codec != "h264" || got.Video.Width != want.w || got.Video.Height != want.h || got.Audio != nil {
			t.Errorf("%s: video = %+v, audio %+v", want.name, got.Video, got.Audio)
		}
	}
	// The audio, encoded once.
	if got := probeRendition(t, hlsDir, AudioRenditionName); got.Audio == nil || got.Audio.Codec != "aac" || got.Audio.Channels != 2 {
		t.Errorf("audio = %+v", got.Audio)
	}
	if len(reports) < 2 {
		t.Fatalf("progress reported %d times", len(reports))
	}
	for i := 1; i < len(reports); i++ {
		if reports[i].Percent < reports[i-1].Percent {
			t.Errorf("percent went backwards: %v then %v", reports[i-1].Percent, reports[i].Percent)
		}
	}
	if last := reports[len(reports)-1]; last.Percent != 100 {
		t.Errorf("final percent %v", last.Percent)
	}
	assertNoStaging(t, hlsDir)

	// The same renditions feed Describe and the master playlist.
	var variants []Variant
	for _, name := range []string{"360p", "720p", "480p"} {
		v, err := r.Describe(ctx, hlsDir, name)
		if err != nil {
			t.Fatal(err)
		}
		variants = append(variants, v)
		checkVariant(t, hlsDir, name, v)
	}
	audio, err := r.Describe(ctx, hlsDir, AudioRenditionName)
	if err != nil || audio.Codecs != "mp4a.40.2" || audio.Height != 0 {
		t.Fatalf("audio variant %+v, %v", audio, err)
	}
	if variants[1].Bandwidth <= variants[0].Bandwidth {
		t.Errorf("720p bandwidth %d not above 360p's %d", variants[1].Bandwidth, variants[0].Bandwidth)
	}
	master := filepath.Join(hlsDir, "master.m3u8")
	if err := WriteMaster(master, variants, &audio); err != nil {
		t.Fatal(err)
	}
	// A player's view: ffprobe opens the master and picks a variant.
	if info, err := r.Probe(ctx, master); err != nil || info.Video == nil || info.Audio == nil {
		t.Errorf("master playlist unreadable: %v %+v", err, info)
	}
	data, _ := os.ReadFile(master)
	if i, j := strings.Index(string(data), "\n720.m3u8"), strings.Index(string(data), "\n360.m3u8"); i < 0 || j < 0 || i > j {
		t.Errorf("master not sorted by bandwidth:\n%s", data)
	}
	if !strings.Contains(string(data), `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="Audio",DEFAULT=YES,AUTOSELECT=YES,URI="0.m3u8"`) ||
		strings.Count(string(data), `AUDIO="audio"`) != 3 {
		t.Errorf("master has no shared audio group:\n%s", data)
	}
}

var avc1Re = regexp.MustCompile(`^avc1\.64([0-9a-f]{2})([0-9a-f]{2})$`)

// checkVariant compares Describe's answer with what ffprobe says.
func checkVariant(t *testing.T, hlsDir, name string, v Variant) {
	t.Helper()
	dir := name
	raw, err := (&Runner{}).ffprobeJSON(testCtx(t), filepath.Join(hlsDir, hardware.MediaPlaylistName(name)))
	if err != nil {
		t.Fatal(err)
	}
	var level, w, h int
	for _, s := range raw.Streams {
		if s.CodecType == "video" {
			level, w, h = s.Level, s.Width, s.Height
		}
	}
	m := avc1Re.FindStringSubmatch(v.Codecs)
	if m == nil {
		t.Fatalf("%s: codecs %q, want avc1.64xxxx (High profile; the audio is apart)", dir, v.Codecs)
	}
	if l, _ := strconv.ParseUint(m[2], 16, 8); int(l) != level {
		t.Errorf("%s: codecs level byte %s, ffprobe says level %d", dir, m[2], level)
	}
	if v.Width != w || v.Height != h || v.FrameRate < 29.9 || v.FrameRate > 30.1 {
		t.Errorf("%s: variant %+v, ffprobe %dx%d", dir, v, w, h)
	}
	if v.URI != hardware.MediaPlaylistName(name) {
		t.Errorf("uri %q", v.URI)
	}
	if v.AverageBandwidth <= 0 || v.Bandwidth < v.AverageBandwidth {
		t.Errorf("%s: bandwidth %d average %d", dir, v.Bandwidth, v.AverageBandwidth)
	}
}

func TestEncodeLadderCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	r := &Runner{}
	in := clip(t, "long.mp4")
	hlsDir := t.TempDir()
	l := hardware.Ladder{Input: in, Prefix: testPrefix, HasAudio: true, Renditions: []hardware.Rendition{
		{Name: "360p", Width: 640, Height: 360, FPS: 30, MaxRate: 1_000_000, BufSize: 2_000_000},
		{Name: "240p", Width: 426, Height: 240, FPS: 30, MaxRate: 500_000, BufSize: 1_000_000},
	}}
	var sawStaging bool
	err := r.EncodeLadder(ctx, hardware.Libx264{Preset: "medium"}, l, 8*time.Second, hlsDir, func(p Progress) {
		left, _ := filepath.Glob(filepath.Join(hlsDir, ".partial-*", "*"))
		sawStaging = sawStaging || len(left) > 0
		if p.OutTime > 0 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if !sawStaging {
		t.Error("ffmpeg was not writing into the staging dir when cancelled")
	}
	entries, _ := os.ReadDir(hlsDir)
	if len(entries) != 0 {
		t.Errorf("left in hlsDir after cancel: %v", entries)
	}
	if pids := processesMentioning(hlsDir); len(pids) > 0 {
		t.Errorf("ffmpeg still running after cancel: pids %v", pids)
	}
}

// processesMentioning lists processes whose command line contains s.
func processesMentioning(s string) []int {
	var pids []int
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err == nil && strings.Contains(string(b), s) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			pids = append(pids, pid)
		}
	}
	return pids
}

func TestEncodeLadderFailureLeavesNothing(t *testing.T) {
	hlsDir := t.TempDir()
	l := hardware.Ladder{Input: clip(t, "text.txt"), Prefix: testPrefix, Renditions: []hardware.Rendition{{Name: "360p", Width: 640, Height: 360, FPS: 30, MaxRate: 1e6, BufSize: 2e6}}}
	err := (&Runner{}).EncodeLadder(testCtx(t), hardware.Libx264{}, l, 0, hlsDir, nil)
	if err == nil || !strings.Contains(err.Error(), "Invalid data") {
		t.Fatalf("err = %v, want ffmpeg's own reason in the error", err)
	}
	if entries, _ := os.ReadDir(hlsDir); len(entries) != 0 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestEncodeLadderReplacesOldRendition(t *testing.T) {
	hlsDir := t.TempDir()
	old := filepath.Join(hlsDir, hardware.FragmentedName(testPrefix, "360p"))
	writeFile(t, old, []byte("old"))
	l := hardware.Ladder{Input: clip(t, "h264.mp4"), Prefix: testPrefix, HasAudio: true, Renditions: []hardware.Rendition{{Name: "360p", Width: 640, Height: 360, FPS: 30, MaxRate: 1e6, BufSize: 2e6}}}
	if err := (&Runner{}).EncodeLadder(testCtx(t), hardware.Libx264{Preset: "ultrafast"}, l, 3*time.Second, hlsDir, nil); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(old); err != nil || string(b) == "old" {
		t.Error("the old rendition's file survived the re-encode")
	}
	probeRendition(t, hlsDir, "360p")
	assertNoStaging(t, hlsDir)
}

func TestAudioOnlyHLS(t *testing.T) {
	ctx := testCtx(t)
	r := &Runner{}
	in := clip(t, "sine.mp3")
	info, err := r.Probe(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	for _, still := range []string{"", clip(t, "still.jpg")} {
		t.Run(fmt.Sprintf("still=%q", filepath.Base(still)), func(t *testing.T) {
			hlsDir := t.TempDir()
			if err := r.AudioOnlyHLS(ctx, in, still, info, hlsDir, testPrefix, nil); err != nil {
				t.Fatal(err)
			}
			got := probeRendition(t, hlsDir, AudioRenditionName)
			if got.Video == nil || got.Video.Codec != "h264" || got.Video.Width%2 != 0 {
				t.Errorf("still video track = %+v", got.Video)
			}
			if got.Audio == nil || got.Audio.Codec != "aac" {
				t.Errorf("audio = %+v", got.Audio)
			}
			// -shortest: the looped picture must stop with the sound.
			if d := got.Duration; d < 2500*time.Millisecond || d > 4500*time.Millisecond {
				t.Errorf("duration %v, want ~3s", d)
			}
			v, err := r.Describe(ctx, hlsDir, AudioRenditionName)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(v.Codecs, "avc1.64") || !strings.HasSuffix(v.Codecs, ",mp4a.40.2") {
				t.Errorf("codecs %q", v.Codecs)
			}
			assertNoStaging(t, hlsDir)
		})
	}
}
