package media

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A wrapper standing in for ffmpeg records the priority it was given, then
// becomes the real ffmpeg.
func TestNiceAndIdleIO(t *testing.T) {
	dir := t.TempDir()
	wrapper := filepath.Join(dir, "ffmpeg")
	script := `#!/bin/sh
sleep 0.3
awk '{print $19}' /proc/$$/stat > "` + dir + `/nice"
ionice -p $$ > "` + dir + `/ionice"
exec ffmpeg "$@"
`
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	r := &Runner{FFmpeg: wrapper, Nice: 7, IdleIO: true}
	out := filepath.Join(dir, "thumb.jpg")
	if err := r.Thumbnail(testCtx(t), clip(t, "h264.mp4"), nil, time.Second, 64, 36, out); err != nil {
		t.Fatal(err)
	}
	nice, _ := os.ReadFile(filepath.Join(dir, "nice"))
	if strings.TrimSpace(string(nice)) != "7" {
		t.Errorf("child nice = %q, want 7", nice)
	}
	io, _ := os.ReadFile(filepath.Join(dir, "ionice"))
	if !strings.HasPrefix(strings.TrimSpace(string(io)), "idle") {
		t.Errorf("child I/O class = %q, want idle", io)
	}
}
