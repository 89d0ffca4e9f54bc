package feeds

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/hardware"
)

// A video rendition packaged since audio is shared has no sound of its
// own: its enclosure or download is the rendition and the audio muxed
// into one MP4 (streams copied), made on first demand and kept in the
// video's downloads/ folder until the rendition changes.

// sharedAudio finds the rendition a video rendition takes its sound from,
// if it has none of its own.
func sharedAudio(rs []model.Rendition, r model.Rendition) (model.Rendition, bool) {
	if r.Height == 0 || strings.Contains(r.Codecs, "mp4a") {
		return model.Rendition{}, false
	}
	for _, a := range rs {
		if a.Name == hardware.AudioName && a.Height == 0 {
			return a, true
		}
	}
	return model.Rendition{}, false
}

// Muxed is rendition r's picture and the shared audio in one MP4 (path
// and size), made now if it is not yet; ok is false when r needs none (it
// has its own sound, or is the audio): its HLS file is already whole.
// PeerTube lists such files as its web videos (files[]), where apps that
// cannot join two streams find a file with both.
func (s *Service) Muxed(ctx context.Context, uuid string, rs []model.Rendition, r model.Rendition) (path string, size int64, ok bool, err error) {
	if _, split := sharedAudio(rs, r); !split {
		return "", 0, false, nil
	}
	f, err := s.fileOf(ctx, uuid, rs, r)
	if err != nil {
		return "", 0, true, err
	}
	return f.Parts[0].Path, f.Size, true, nil
}

// MuxedIfMade is Muxed without making anything: made is false while the
// file is not there yet (a request never waits for ffmpeg on its behalf).
func (s *Service) MuxedIfMade(uuid string, rs []model.Rendition, r model.Rendition) (path string, size int64, split, made bool) {
	a, split := sharedAudio(rs, r)
	if !split {
		return "", 0, false, false
	}
	hls := s.Layout.HLS(uuid)
	f, ok := fresh(filepath.Join(s.Layout.Downloads(uuid), hardware.FragmentedName(uuid, r.Name)),
		filepath.Join(hls, hardware.FragmentedName(uuid, r.Name)), filepath.Join(hls, hardware.FragmentedName(uuid, a.Name)))
	if !ok {
		return "", 0, true, false
	}
	return f.Parts[0].Path, f.Size, true, true
}

// SharedAudio says whether rendition r of rs takes its sound from the
// shared audio rendition (and so has a muxed web video, Muxed).
func SharedAudio(rs []model.Rendition, r model.Rendition) bool {
	_, split := sharedAudio(rs, r)
	return split
}

// fileOf is what an enclosure or a download of rendition r serves.
func (s *Service) fileOf(ctx context.Context, uuid string, rs []model.Rendition, r model.Rendition) (Fragmented, error) {
	hls := s.Layout.HLS(uuid)
	a, split := sharedAudio(rs, r)
	if !split {
		return OpenFragmented(hls, uuid, r.Name)
	}
	video := filepath.Join(hls, hardware.FragmentedName(uuid, r.Name))
	audio := filepath.Join(hls, hardware.FragmentedName(uuid, a.Name))
	dst := filepath.Join(s.Layout.Downloads(uuid), hardware.FragmentedName(uuid, r.Name))
	if f, ok := fresh(dst, video, audio); ok {
		return f, nil
	}
	// One mux at a time: a feed may name many renditions. A request that
	// goes away stops waiting.
	unlock, err := s.lockMux(ctx)
	if err != nil {
		return Fragmented{}, err
	}
	defer unlock()
	if f, ok := fresh(dst, video, audio); ok {
		return f, nil // made while this one waited
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o750); err != nil {
		return Fragmented{}, fmt.Errorf("downloads folder: %w", err)
	}
	tmp := filepath.Join(filepath.Dir(dst), ".tmp-"+filepath.Base(dst))
	defer os.Remove(tmp)
	if err := s.Videos.Media.MuxDownload(ctx, video, audio, tmp); err != nil {
		return Fragmented{}, err
	}
	if err := durable.SyncFile(tmp); err != nil {
		return Fragmented{}, err
	}
	if err := durable.Rename(tmp, dst); err != nil {
		return Fragmented{}, err
	}
	f, ok := fresh(dst, video, audio)
	if !ok {
		return Fragmented{}, fmt.Errorf("muxed %s: %w", dst, os.ErrNotExist)
	}
	return f, nil
}

// fresh: dst exists and is newer than both its sources.
func fresh(dst string, srcs ...string) (Fragmented, bool) {
	st, err := os.Stat(dst)
	if err != nil {
		return Fragmented{}, false
	}
	for _, p := range srcs {
		ss, err := os.Stat(p)
		if err != nil || ss.ModTime().After(st.ModTime()) {
			return Fragmented{}, false
		}
	}
	return Fragmented{Parts: []Part{{Path: dst, Size: st.Size()}}, Size: st.Size(), ModTime: st.ModTime()}, true
}

// lockMux takes the one mux slot, or gives up when ctx ends.
func (s *Service) lockMux(ctx context.Context) (unlock func(), err error) {
	s.muxOnce.Do(func() { s.muxSlot = make(chan struct{}, 1) })
	select {
	case s.muxSlot <- struct{}{}:
		return func() { <-s.muxSlot }, nil
	case <-ctx.Done():
		return nil, fmt.Errorf("wait to mux: %w", context.Cause(ctx))
	}
}
