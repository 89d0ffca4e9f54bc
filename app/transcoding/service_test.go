package transcoding_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"cabane.dev/cabane/app/transcoding"
	"cabane.dev/cabane/hardware"
)

// memSettings is a Settings in memory.
type memSettings struct {
	mu sync.Mutex
	m  map[string]string
}

func (s *memSettings) Get(_ context.Context, key string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[key], nil
}

func (s *memSettings) Set(_ context.Context, key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

func TestServiceProbeChoiceAndFailures(t *testing.T) {
	ctx := context.Background()
	settings := &memSettings{m: map[string]string{transcoding.SettingEncoder: "libx264"}}
	nas := hardware.Board{Kind: hardware.KindIntel, Cores: 4, MemTotal: 8 << 30}
	s := transcoding.New(transcoding.Options{Board: nas, Settings: settings, Workers: 2})

	// Before the probe: libx264 with the board's policy, whatever was chosen.
	if p := s.Profile(); p.Backend().Name() != "libx264" || p.Workers != 2 || p.Threads != 4 || s.Status().Probed {
		t.Fatalf("before the probe: %s", p)
	}
	probe := hardware.ProbeResult{Working: []string{"h264_vaapi"}, DevicePaths: map[string]string{"h264_vaapi": "/dev/dri/renderD129"}}
	if err := s.UseProbe(ctx, probe); err != nil {
		t.Fatal(err)
	}
	// The saved choice (libx264) wins over the working VA-API encoder.
	if st := s.Status(); st.Encoder != "libx264" || st.Choice != "libx264" || !st.Probed || st.Hardware {
		t.Fatalf("status after probe with libx264 chosen: %+v", st)
	}
	// Automatic: the working hardware encoder, its device, a software fallback.
	if err := s.SetChoice(ctx, ""); err != nil {
		t.Fatal(err)
	}
	p := s.Profile()
	if p.Backend().Name() != "h264_vaapi" || p.Device != "/dev/dri/renderD129" || p.Fallback == nil || p.Fallback.Backend().Name() != "libx264" || p.Fallback.Device != "" {
		t.Fatalf("automatic profile: %s (fallback %v)", p, p.Fallback)
	}
	if settings.m[transcoding.SettingEncoder] != "" {
		t.Errorf("choice not saved: %q", settings.m[transcoding.SettingEncoder])
	}
	if err := s.SetChoice(ctx, "h264_nonsense"); err == nil {
		t.Error("an unknown encoder was accepted")
	}
	for i := range 25 {
		s.EncoderFailed("h264_vaapi", errors.New("boom "+string(rune('a'+i))))
	}
	if f := s.Status().Failures; len(f) != 20 || f[19].Error != "boom y" || f[0].Error != "boom f" {
		t.Errorf("failures kept: %d, last %+v", len(f), f[len(f)-1])
	}
}
