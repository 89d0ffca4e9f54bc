package config

import (
	"flag"
	"io"
	"testing"
	"time"
)

func parse(t *testing.T, env map[string]string, args ...string) (Config, error) {
	t.Helper()
	c := Default()
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if err := c.Flags(fs, func(k string) string { return env[k] }); err != nil {
		return c, err
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestDefaultsEnvAndFlags(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.DataDir != "./data" || c.Listen != ":8080" || c.TLS != "off" || !c.MDNS {
		t.Fatalf("defaults: %+v %v", c, err)
	}
	c, err = parse(t, map[string]string{"CABANE_DATA": "/srv/c", "CABANE_LISTEN": ":9000", "CABANE_MAX_UPLOAD": "2G", "CABANE_MDNS": "false"})
	if err != nil || c.DataDir != "/srv/c" || c.Listen != ":9000" || c.MaxUploadBytes != 2<<30 || c.MDNS {
		t.Fatalf("env: %+v %v", c, err)
	}
	// Flags win over the environment.
	c, err = parse(t, map[string]string{"CABANE_DATA": "/srv/c"}, "--data", "/tmp/x", "--max-upload", "500M", "--public-url", "https://v.example.org/")
	if err != nil || c.DataDir != "/tmp/x" || c.MaxUploadBytes != 500<<20 || c.PublicURL != "https://v.example.org" {
		t.Fatalf("flags: %+v %v", c, err)
	}
	// STUN: on by default on 3478; off, or elsewhere.
	if c, _ := parse(t, nil); c.STUNAddr != ":3478" {
		t.Errorf("STUN default %q", c.STUNAddr)
	}
	if c, err := parse(t, map[string]string{"CABANE_STUN_ADDR": "off"}); err != nil || c.STUNAddr != "off" {
		t.Errorf("STUN off: %q %v", c.STUNAddr, err)
	}
	if c, err := parse(t, map[string]string{"CABANE_STUN_ADDR": "off"}, "--stun-addr", "192.168.1.2:3479"); err != nil || c.STUNAddr != "192.168.1.2:3479" {
		t.Errorf("STUN flag: %q %v", c.STUNAddr, err)
	}
}

func TestValidateRefusesNonsense(t *testing.T) {
	for name, args := range map[string][]string{
		"upload":     {"--max-upload", "0"},
		"public url": {"--public-url", "ftp://x"},
		"tls mode":   {"--tls", "maybe"},
		"acme host":  {"--tls", "acme"},
		"manual":     {"--tls", "manual"},
		"workers":    {"--workers", "0"},
		"allow cidr": {"--allow-private-fetch", "127.0.0.0/8,localhost"},
		"stun addr":  {"--stun-addr", "3478"},
		"stun port":  {"--stun-addr", ":99999"},
	} {
		if _, err := parse(t, nil, args...); err == nil {
			t.Errorf("%s: %v accepted", name, args)
		}
	}
	c, err := parse(t, nil, "--tls", "acme", "--public-url", "https://videos.example.org")
	if err != nil || len(c.TLSHosts) != 1 || c.TLSHosts[0] != "videos.example.org" {
		t.Errorf("acme host from the public URL: %v %v", c.TLSHosts, err)
	}
	if _, err := parse(t, map[string]string{"CABANE_MAX_UPLOAD": "lots"}); err == nil {
		t.Error("bad CABANE_MAX_UPLOAD accepted")
	}
}

func TestAllowPrivateFetch(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || len(c.AllowPrivateFetch) != 0 {
		t.Fatalf("default: %v %v", c.AllowPrivateFetch, err)
	}
	c, err = parse(t, map[string]string{"CABANE_ALLOW_PRIVATE_FETCH": "127.0.0.0/8, fd00::/8"})
	if err != nil || len(c.AllowPrivateFetch) != 2 || c.AllowPrivateFetch[0] != "127.0.0.0/8" || c.AllowPrivateFetch[1] != "fd00::/8" {
		t.Fatalf("env: %v %v", c.AllowPrivateFetch, err)
	}
	c, err = parse(t, map[string]string{"CABANE_ALLOW_PRIVATE_FETCH": "10.0.0.0/8"}, "--allow-private-fetch", "192.168.1.5")
	if err != nil || len(c.AllowPrivateFetch) != 1 || c.AllowPrivateFetch[0] != "192.168.1.5" {
		t.Fatalf("flag over env: %v %v", c.AllowPrivateFetch, err)
	}
	if _, err := parse(t, map[string]string{"CABANE_ALLOW_PRIVATE_FETCH": "10.0.0.0/33"}); err == nil {
		t.Fatal("bad CIDR in the environment accepted")
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"1024": 1024, "64k": 64 << 10, "500M": 500 << 20, "2G": 2 << 30, "1T": 1 << 40, "3gb": 3 << 30} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("ParseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "-1", "x", "1.5G"} {
		if _, err := ParseSize(in); err == nil {
			t.Errorf("ParseSize(%q) accepted", in)
		}
	}
}

func TestLimitsDefaultsEnvFlags(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.Limits != DefaultLimits() || c.Limits.MaxDuration != 4*time.Hour || c.Limits.MaxVideoWidth != 4096 {
		t.Fatalf("default limits: %+v %v", c.Limits, err)
	}
	c, err = parse(t, map[string]string{"CABANE_MAX_DURATION": "90m", "CABANE_MAX_VIDEO_WIDTH": "1920", "CABANE_MAX_VIDEO_HEIGHT": "1080",
		"CABANE_MAX_FPS": "60", "CABANE_MAX_QUEUED_PER_USER": "3", "CABANE_FFMPEG_MEMORY": "1500M"})
	want := Limits{MaxDuration: 90 * time.Minute, MaxVideoWidth: 1920, MaxVideoHeight: 1080, MaxFPS: 60, MaxQueuedPerUser: 3, FFmpegMemory: 1500 << 20}
	if err != nil || c.Limits != want {
		t.Fatalf("env limits: %+v %v, want %+v", c.Limits, err, want)
	}
	// Flags win over the environment; 0 lifts a limit; off lifts the cap.
	c, err = parse(t, map[string]string{"CABANE_MAX_DURATION": "90m", "CABANE_FFMPEG_MEMORY": "1500M"},
		"--max-duration", "0", "--max-fps", "30", "--ffmpeg-memory", "off", "--max-queued-per-user", "0")
	if err != nil || c.Limits.MaxDuration != 0 || c.Limits.MaxFPS != 30 || c.Limits.FFmpegMemory != -1 || c.Limits.MaxQueuedPerUser != 0 {
		t.Fatalf("flag limits: %+v %v", c.Limits, err)
	}
	for name, env := range map[string]map[string]string{
		"duration": {"CABANE_MAX_DURATION": "long"},
		"width":    {"CABANE_MAX_VIDEO_WIDTH": "wide"},
		"memory":   {"CABANE_FFMPEG_MEMORY": "0"},
	} {
		if _, err := parse(t, env); err == nil {
			t.Errorf("%s: %v accepted", name, env)
		}
	}
	for name, args := range map[string][]string{
		"negative duration": {"--max-duration", "-1h"},
		"negative fps":      {"--max-fps", "-5"},
		"negative queue":    {"--max-queued-per-user", "-1"},
	} {
		if _, err := parse(t, nil, args...); err == nil {
			t.Errorf("%s: %v accepted", name, args)
		}
	}
}

// TestLayoutShape pins the data directory's shape: moving a file breaks
// every existing box's data (and backups), so a change here must be a
// migration, never a side effect.
func TestLayoutShape(t *testing.T) {
	l := Layout{Root: "/data"}
	const u = "0b6e5f3a-9c1d-4c77-8a0e-2f1f3c4d5e6f"
	for _, c := range []struct{ got, want string }{
		{l.DB(), "/data/cabane.db"},
		{l.Lock(), "/data/cabane.lock"},
		{l.SetupCode(), "/data/setup-code"},
		{l.HardwareProbeCache(), "/data/hardware-probe.json"},
		{l.Backups(), "/data/backups"},
		{l.Keys(), "/data/keys"},
		{l.Certs(), "/data/certs"},
		{l.Run(), "/data/run"},
		{l.Releases(), "/data/releases"},
		{l.Avatars(), "/data/avatars"},
		{l.Uploads(), "/data/tmp/uploads"},
		{l.Resumable(), "/data/tmp/resumable"},
		{l.Media(), "/data/media"},
		{l.Video(u), "/data/media/" + u},
		{l.Original(u, "original.mp4"), "/data/media/" + u + "/original.mp4"},
		{l.Thumbnail(u), "/data/media/" + u + "/thumbnail.jpg"},
		{l.Preview(u), "/data/media/" + u + "/preview.jpg"},
		{l.HLS(u), "/data/media/" + u + "/hls"},
		{l.HLSFile(u, "master.m3u8"), "/data/media/" + u + "/hls/master.m3u8"},
		{l.Captions(u), "/data/media/" + u + "/captions"},
		{l.Downloads(u), "/data/media/" + u + "/downloads"},
		{l.Torrents(u), "/data/media/" + u + "/torrents"},
		{l.PieceRecord(u, u+"-720-fragmented.mp4"), "/data/media/" + u + "/torrents/" + u + "-720-fragmented.mp4.pieces"},
	} {
		if c.got != c.want {
			t.Errorf("%s, want %s", c.got, c.want)
		}
	}
}

// The delivery retry knob is off unless a test sets it, and refuses what
// is not a positive duration.
func TestDeliveryFirstRetry(t *testing.T) {
	c, err := parse(t, nil)
	if err != nil || c.DeliveryFirstRetry != 0 {
		t.Fatalf("default: %v %v", c.DeliveryFirstRetry, err)
	}
	c, err = parse(t, map[string]string{"CABANE_DELIVERY_FIRST_RETRY": "500ms"})
	if err != nil || c.DeliveryFirstRetry != 500*time.Millisecond {
		t.Fatalf("500ms: %v %v", c.DeliveryFirstRetry, err)
	}
	for _, bad := range []string{"soon", "-1s", "0s"} {
		if _, err := parse(t, map[string]string{"CABANE_DELIVERY_FIRST_RETRY": bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// The free space under which mirrors of other servers' videos give way:
// unset (the redundancy default), from the environment, from the flag.
func TestMirrorLowDisk(t *testing.T) {
	if c, err := parse(t, nil); err != nil || c.MirrorLowDisk != 0 {
		t.Errorf("default: %d %v", c.MirrorLowDisk, err)
	}
	if c, err := parse(t, map[string]string{"CABANE_MIRROR_LOW_DISK": "5G"}); err != nil || c.MirrorLowDisk != 5<<30 {
		t.Errorf("env: %d %v", c.MirrorLowDisk, err)
	}
	if c, err := parse(t, map[string]string{"CABANE_MIRROR_LOW_DISK": "5G"}, "--mirror-low-disk", "512M"); err != nil || c.MirrorLowDisk != 512<<20 {
		t.Errorf("flag: %d %v", c.MirrorLowDisk, err)
	}
	if _, err := parse(t, nil, "--mirror-low-disk", "-1G"); err == nil {
		t.Error("a negative threshold was taken")
	}
}
