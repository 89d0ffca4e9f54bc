package media

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/transcoding"
)

func TestProbeH264AAC(t *testing.T) {
	info, err := (&Runner{}).Probe(testCtx(t), clip(t, "h264.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Video == nil || info.Audio == nil {
		t.Fatalf("want video and audio, got %+v", info)
	}
	v, a := info.Video, info.Audio
	if v.Codec != "h264" || v.Width != 640 || v.Height != 360 || v.PixFmt != "yuv420p" || v.Profile != "High" {
		t.Errorf("video = %+v", v)
	}
	if v.FPS < 29.9 || v.FPS > 30.1 || v.BitRate <= 0 || v.Rotation != 0 {
		t.Errorf("video fps/bitrate/rotation = %v/%v/%v", v.FPS, v.BitRate, v.Rotation)
	}
	if a.Codec != "aac" || a.Profile != "LC" || a.Channels != 2 || a.SampleRate != 44100 || a.BitRate <= 0 {
		t.Errorf("audio = %+v", a)
	}
	if d := info.Duration; d < 2900*time.Millisecond || d > 3200*time.Millisecond {
		t.Errorf("duration = %v, want ~3s", d)
	}
	if !strings.Contains(info.Format, "mp4") || info.Size <= 0 || info.BitRate <= 0 {
		t.Errorf("format/size/bitrate = %q/%d/%d", info.Format, info.Size, info.BitRate)
	}
}

func TestProbeVP9Opus(t *testing.T) {
	info, err := (&Runner{}).Probe(testCtx(t), clip(t, "vp9.webm"))
	if err != nil {
		t.Fatal(err)
	}
	if info.Video == nil || info.Video.Codec != "vp9" || info.Video.Width != 1280 || info.Video.Height != 720 {
		t.Fatalf("video = %+v", info.Video)
	}
	if info.Audio == nil || info.Audio.Codec != "opus" {
		t.Fatalf("audio = %+v", info.Audio)
	}
	// WebM has no per-stream bitrate: it must be derived from the file's.
	if info.Video.BitRate <= 0 || info.Video.BitRate > info.BitRate {
		t.Errorf("video bitrate %d not derived from file bitrate %d", info.Video.BitRate, info.BitRate)
	}
}

func TestProbeAudioOnly(t *testing.T) {
	for _, name := range []string{"sine.mp3", "cover.mp3"} {
		t.Run(name, func(t *testing.T) {
			info, err := (&Runner{}).Probe(testCtx(t), clip(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if info.Video != nil {
				t.Errorf("cover art or nothing taken for a video: %+v", info.Video)
			}
			if info.Audio == nil || info.Audio.Codec != "mp3" {
				t.Errorf("audio = %+v", info.Audio)
			}
			if !PlanFor(info, transcoding.Profile{}).AudioOnly {
				t.Error("plan is not audio-only")
			}
		})
	}
}

func TestProbeRotated(t *testing.T) {
	info, err := (&Runner{}).Probe(testCtx(t), clip(t, "rotated.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	if r := info.Video.Rotation; r != 90 && r != 270 {
		t.Fatalf("rotation = %d, want a quarter turn", r)
	}
	if w, h := info.Video.DisplaySize(); w != 360 || h != 640 {
		t.Errorf("display size = %dx%d, want 360x640", w, h)
	}
}

func TestProbeNotMedia(t *testing.T) {
	for _, name := range []string{"text.txt", "empty.mp4", "truncated.mp4", "still.jpg"} {
		t.Run(name, func(t *testing.T) {
			_, err := (&Runner{}).Probe(testCtx(t), clip(t, name))
			if !errors.Is(err, ErrNotMedia) {
				t.Fatalf("err = %v, want ErrNotMedia", err)
			}
			if !strings.Contains(err.Error(), "not a video or audio file ffmpeg can read") {
				t.Errorf("unclear message: %v", err)
			}
		})
	}
}

func TestProbeErrorsThatAreNotNotMedia(t *testing.T) {
	_, err := (&Runner{}).Probe(testCtx(t), filepath.Join(t.TempDir(), "missing.mp4"))
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, ErrNotMedia) {
		t.Errorf("missing file: err = %v", err)
	}
	_, err = (&Runner{FFprobe: "/nonexistent/ffprobe"}).Probe(testCtx(t), clip(t, "h264.mp4"))
	if err == nil || errors.Is(err, ErrNotMedia) {
		t.Errorf("missing ffprobe: err = %v, want a non-ErrNotMedia error", err)
	}
}

// ffprobe's JSON can claim a zero or negative picture size (a crafted
// header): the probe refuses it as unreadable and names the field.
func TestProbeRefusesNonPositiveSizes(t *testing.T) {
	for _, c := range []struct {
		json, field string
	}{
		{`{"streams":[{"codec_type":"video","codec_name":"h264","width":0,"height":360}],"format":{"format_name":"mov"}}`, "width is 0"},
		{`{"streams":[{"codec_type":"video","codec_name":"h264","width":640,"height":-360}],"format":{"format_name":"mov"}}`, "height is -360"},
		{`{"streams":[{"codec_type":"video","codec_name":"h264","width":-1,"height":0},{"codec_type":"audio","codec_name":"aac"}],"format":{"format_name":"mov"}}`, "width is -1"},
	} {
		var p probeOutput
		if err := json.Unmarshal([]byte(c.json), &p); err != nil {
			t.Fatal(err)
		}
		info, err := p.info()
		if !errors.Is(err, ErrNotMedia) || !strings.Contains(err.Error(), c.field) {
			t.Errorf("%s: info %+v, err %v; want ErrNotMedia naming %q", c.json, info, err, c.field)
		}
	}
	// Cover art of any size is not the video: an MP3 with a 0×0 picture
	// stays an audio file.
	var p probeOutput
	json.Unmarshal([]byte(`{"streams":[{"codec_type":"audio","codec_name":"mp3"},{"codec_type":"video","codec_name":"mjpeg","width":0,"height":0,"disposition":{"attached_pic":1}}],"format":{"format_name":"mp3"}}`), &p)
	if info, err := p.info(); err != nil || info.Video != nil || info.Audio == nil {
		t.Errorf("mp3 with cover art: %+v %v", info, err)
	}
}
