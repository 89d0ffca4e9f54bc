package hardware

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// fakeFFmpeg writes a shell script standing in for ffmpeg: it prints the
// version line from dir/version, lists libx264, h264_nvenc and h264_vaapi,
// fails every trial that mentions one of failing, passes the others, and
// logs each call to dir/calls.
func fakeFFmpeg(t *testing.T, failing ...string) (path, dir string) {
	t.Helper()
	dir = t.TempDir()
	var fail strings.Builder
	for _, f := range failing {
		// The pattern is matched against the whole argument list.
		fail.WriteString("  *'" + f + "'*) echo '[" + f + " @ 0x5555] Cannot load the driver' >&2; exit 187 ;;\n")
	}
	script := `#!/bin/sh
echo "$*" >> '` + dir + `/calls'
case "$*" in
  *-version*) cat '` + dir + `/version'; exit 0 ;;
  *-encoders*) cat <<'EOF'
Encoders:
 V..... = Video
 A..... = Audio
 ------
 V....D libx264              libx264 H.264 / AVC / MPEG-4 AVC / MPEG-4 part 10 (codec h264)
 V....D h264_nvenc           NVIDIA NVENC H.264 encoder (codec h264)
 V....D h264_vaapi           H.264/AVC (VAAPI) (codec h264)
 A....D aac                  AAC (Advanced Audio Coding)
EOF
  exit 0 ;;
` + fail.String() + `  *'-f null -'*) exit 0 ;;
esac
echo "unexpected call: $*" >&2
exit 99
`
	path = filepath.Join(dir, "ffmpeg")
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	setFakeVersion(t, dir, "ffmpeg version 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers")
	return path, dir
}

func setFakeVersion(t *testing.T, dir, line string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, "version"), []byte(line+"\nbuilt with gcc 12 (Debian 12.2.0-14)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// calls counts the fake's invocations, and among them the trial encodes.
func calls(t *testing.T, dir string) (all, trials int) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "calls"))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		all++
		if strings.Contains(line, "-f null -") {
			trials++
		}
	}
	return all, trials
}

// An N100 NAS with an NVIDIA card whose driver is broken.
func nasWithNVIDIA(t *testing.T) Board {
	b := fixtureBoard(t, "n100")
	b.NVIDIA = NVIDIA{Devices: []string{"/dev/nvidia0"}, Driver: "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.183.01"}
	return b
}

func TestListEncoders(t *testing.T) {
	ffmpeg, _ := fakeFFmpeg(t)
	got, err := ListEncoders(context.Background(), ffmpeg)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"libx264", "h264_nvenc", "h264_vaapi", "aac"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("ListEncoders = %v, want %v", got, want)
	}
}

// The real ffmpeg of this machine lists the Debian build's encoders.
func TestListEncodersRealFFmpeg(t *testing.T) {
	got, err := ListEncoders(context.Background(), "ffmpeg")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"libx264", "aac", "h264_vaapi", "h264_v4l2m2m"} {
		found := false
		for _, g := range got {
			found = found || g == want
		}
		if !found {
			t.Errorf("%s missing from %d encoders", want, len(got))
		}
	}
}

func TestProbeTrialsAndCache(t *testing.T) {
	ctx := context.Background()
	ffmpeg, dir := fakeFFmpeg(t, "h264_nvenc")
	cache := filepath.Join(t.TempDir(), "data", "hardware-probe.json")
	opts := ProbeOptions{FFmpeg: ffmpeg, CachePath: cache, Board: nasWithNVIDIA(t)}

	res, err := Probe(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Cached {
		t.Error("first probe claims to come from the cache")
	}
	if want := []string{"libx264", "h264_nvenc", "h264_vaapi"}; !reflect.DeepEqual(res.Listed, want) {
		t.Errorf("Listed = %v, want %v", res.Listed, want)
	}
	if want := []string{"libx264", "h264_vaapi"}; !reflect.DeepEqual(res.Working, want) {
		t.Errorf("Working = %v, want %v", res.Working, want)
	}
	if why := res.Failures["h264_nvenc"]; !strings.Contains(why, "Cannot load the driver") {
		t.Errorf("nvenc failure = %q, want ffmpeg's last words", why)
	}
	if res.DevicePaths["h264_vaapi"] != "/dev/dri/renderD128" || res.DevicePaths["h264_nvenc"] != "/dev/nvidia0" {
		t.Errorf("DevicePaths = %v", res.DevicePaths)
	}
	if e := res.Select(""); e.Name() != "h264_vaapi" || res.Device(e) != "/dev/dri/renderD128" {
		t.Errorf("Select = %s on %q, want h264_vaapi on renderD128", e.Name(), res.Device(e))
	}
	all, trials := calls(t, dir)
	if all != 4 || trials != 2 {
		t.Fatalf("first probe: %d calls, %d trials; want 4 (version, encoders, 2 trials), 2", all, trials)
	}
	var onDisk ProbeResult
	if data, err := os.ReadFile(cache); err != nil || json.Unmarshal(data, &onDisk) != nil || !reflect.DeepEqual(onDisk.Working, res.Working) {
		t.Fatalf("cache file: %v, %+v", err, onDisk)
	}
	if leftovers, _ := filepath.Glob(cache + ".tmp-*"); len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}

	// Same ffmpeg, same devices: one -version call, no trial.
	again, err := Probe(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Cached || !reflect.DeepEqual(again.Working, res.Working) {
		t.Errorf("second probe: cached=%v working=%v", again.Cached, again.Working)
	}
	if all2, trials2 := calls(t, dir); all2 != all+1 || trials2 != trials {
		t.Fatalf("cache hit ran ffmpeg %d times and %d trials; want 1 call, 0 trials", all2-all, trials2-trials)
	}

	// An upgraded ffmpeg re-probes.
	setFakeVersion(t, dir, "ffmpeg version 5.1.10-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers")
	if r, err := Probe(ctx, opts); err != nil || r.Cached {
		t.Fatalf("after upgrade: cached=%v err=%v", r.Cached, err)
	}
	all3, trials3 := calls(t, dir)
	if trials3 != trials+2 {
		t.Fatalf("new version line: %d new trials, want 2", trials3-trials)
	}

	// Removing the NVIDIA card changes the fingerprint: re-probe, and
	// nvenc is not even tried without its device.
	opts.Board.NVIDIA = NVIDIA{}
	r, err := Probe(ctx, opts)
	if err != nil || r.Cached {
		t.Fatalf("after device change: cached=%v err=%v", r.Cached, err)
	}
	if _, trials4 := calls(t, dir); trials4 != trials3+1 {
		t.Fatalf("device change: %d new trials, want 1 (vaapi only)", trials4-trials3)
	}
	if !strings.HasPrefix(r.Failures["h264_nvenc"], "not tried") {
		t.Errorf("nvenc without device: %q", r.Failures["h264_nvenc"])
	}
	_ = all3
}

// An encoder that only has the low-power entrypoint (Alder Lake-N) is
// found by the second trial, and Select turns low power on.
func TestProbeVAAPILowPower(t *testing.T) {
	// The fake fails any h264_vaapi trial that lacks -low_power.
	ffmpeg, dir := fakeFFmpeg(t)
	script, _ := os.ReadFile(ffmpeg)
	patched := strings.Replace(string(script), "  *'-f null -'*)", "  *'-low_power 1'*) exit 0 ;;\n  *h264_vaapi*) echo 'No usable encoding entrypoint found for profile VAProfileH264High' >&2; exit 1 ;;\n  *'-f null -'*)", 1)
	if err := os.WriteFile(ffmpeg, []byte(patched), 0o755); err != nil {
		t.Fatal(err)
	}
	res, err := Probe(context.Background(), ProbeOptions{FFmpeg: ffmpeg, Board: fixtureBoard(t, "n100")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"libx264", "h264_vaapi"}; !reflect.DeepEqual(res.Working, want) || !reflect.DeepEqual(res.LowPower, []string{"h264_vaapi"}) {
		t.Fatalf("Working = %v LowPower = %v", res.Working, res.LowPower)
	}
	if e, ok := res.Select("").(VAAPI); !ok || !e.LowPower {
		t.Fatalf("Select = %#v, want VAAPI{LowPower: true}", res.Select(""))
	}
	if _, trials := calls(t, dir); trials != 2 {
		t.Errorf("%d trials, want 2 (default, then low power)", trials)
	}
}

// On a Pi the render node is the 3D block: no VA-API trial is wasted on it.
func TestProbePi5TriesNothing(t *testing.T) {
	ffmpeg, dir := fakeFFmpeg(t)
	res, err := Probe(context.Background(), ProbeOptions{FFmpeg: ffmpeg, Board: fixtureBoard(t, "pi5")})
	if err != nil {
		t.Fatal(err)
	}
	if _, trials := calls(t, dir); trials != 0 {
		t.Errorf("%d trials on a Pi 5, want 0", trials)
	}
	if !strings.Contains(res.Failures["h264_vaapi"], "renderD128 (v3d)") {
		t.Errorf("vaapi reason = %q", res.Failures["h264_vaapi"])
	}
	if e := res.Select("h264_vaapi"); e.Name() != "libx264" {
		t.Errorf("Select = %s, want libx264", e.Name())
	}
}

func TestSelect(t *testing.T) {
	tests := []struct {
		choice  string
		working []string
		want    string
	}{
		{"", nil, "libx264"},
		{"", []string{"libx264"}, "libx264"},
		{"h264_vaapi", []string{"libx264", "h264_vaapi"}, "h264_vaapi"},
		{"h264_qsv", []string{"libx264", "h264_vaapi"}, "h264_vaapi"},            // choice failed its trial
		{"libx264", []string{"libx264", "h264_nvenc"}, "libx264"},                // admin prefers software
		{"", []string{"h264_v4l2m2m", "h264_vaapi", "h264_nvenc"}, "h264_nvenc"}, // order: nvenc, qsv, vaapi, v4l2m2m
		{"", []string{"h264_v4l2m2m", "h264_qsv", "h264_vaapi"}, "h264_qsv"},
		{"", []string{"h264_v4l2m2m"}, "h264_v4l2m2m"},
		{"h264_omx", []string{"h264_omx"}, "libx264"}, // not a backend Cabane drives
	}
	for _, tt := range tests {
		if got := Select(tt.choice, tt.working).Name(); got != tt.want {
			t.Errorf("Select(%q, %v) = %s, want %s", tt.choice, tt.working, got, tt.want)
		}
	}
}

// The real ffmpeg on a machine without an encoder device: the trial fails
// with ffmpeg's reason, quickly.
func TestTrialEncodeRealFFmpegFails(t *testing.T) {
	err := TrialEncode(context.Background(), "ffmpeg", VAAPI{}, filepath.Join(t.TempDir(), "renderD128"), 0)
	if err == nil {
		t.Fatal("VAAPI trial on a missing render node passed")
	}
	if !strings.Contains(err.Error(), "trial h264_vaapi") {
		t.Errorf("error lacks context: %v", err)
	}
	if _, err := TrialArgs(Libx264{}, ""); err == nil {
		t.Error("TrialArgs accepts a software encoder")
	}
}

// A hung driver must not hang the probe.
func TestTrialEncodeTimeout(t *testing.T) {
	dir := t.TempDir()
	ffmpeg := filepath.Join(dir, "ffmpeg")
	if err := os.WriteFile(ffmpeg, []byte("#!/bin/sh\nexec sleep 30\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	err := TrialEncode(context.Background(), ffmpeg, NVENC{}, "0", 300*time.Millisecond)
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v, want a timeout", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s", d)
	}
}
