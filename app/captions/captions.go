// Package captions keeps videos' subtitles: WebVTT files (SubRip converted
// on upload, as PeerTube does), one per language, checked and rewritten
// before anything is stored, kept in the video's folder and served with the
// video's visibility.
package captions

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// Videos is what captions need of the videos service: a video as a viewer
// may see it, and a video's files.
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
	GetFile(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
	ByID(ctx context.Context, id int64) (model.Video, error)
}

// Service adds, lists and removes captions.
type Service struct {
	Store  repo.Captions
	Videos Videos
	Layout config.Layout
	Log    *slog.Logger
	Now    func() time.Time // default time.Now
}

// ErrForbidden refuses a change by someone who sees the video but does not
// manage it.
var ErrForbidden = errors.New("you cannot manage the captions of this video")

// ErrUnknownLanguage refuses a caption in a language PeerTube does not
// list.
var ErrUnknownLanguage = errors.New("unknown caption language")

// List is the video's captions, for whoever may see the video.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, []model.Caption, error) {
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return v, nil, err
	}
	cs, err := s.Store.Captions(ctx, v.ID)
	return v, cs, err
}

func (s *Service) manageable(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	v, err := s.Videos.Get(ctx, viewer, ref)
	if err != nil {
		return v, err
	}
	if !visibility.Edit(viewer, v) {
		return v, ErrForbidden
	}
	return v, nil
}

// Dir is the folder of a video's captions.
func (s *Service) Dir(uuid string) string { return s.Layout.Captions(uuid) }

// Put adds or replaces the caption of a language from a WebVTT or SubRip
// file (at most MaxBytes are read). The file is checked and rewritten
// whole before anything is written; the new file is durable before the
// row names it, and the old one goes after.
func (s *Service) Put(ctx context.Context, viewer visibility.Viewer, ref, language string, file io.Reader) error {
	v, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	if !videos.KnownLanguage(language) {
		return fmt.Errorf("%w %q: see /api/v1/videos/languages", ErrUnknownLanguage, language)
	}
	raw, err := io.ReadAll(io.LimitReader(file, MaxBytes+1))
	if err != nil {
		return fmt.Errorf("read caption: %w", err)
	}
	vtt, err := Normalize(raw)
	if err != nil {
		return err
	}
	var rnd [16]byte
	rand.Read(rnd[:])
	name := hex.EncodeToString(rnd[:]) + "-" + language + ".vtt"
	dir := s.Dir(v.UUID)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("caption folder of video %s: %w", v.UUID, err)
	}
	if err := durable.WriteFile(filepath.Join(dir, name), vtt, 0o640); err != nil {
		return fmt.Errorf("write caption of video %s: %w", v.UUID, err)
	}
	old, err := s.Store.PutCaption(ctx, model.Caption{VideoID: v.ID, Language: language, Filename: name, UpdatedAt: s.now()})
	if err != nil {
		os.Remove(filepath.Join(dir, name))
		return err
	}
	s.remove(v.UUID, old)
	s.Log.Info("caption stored", "video", v.UUID, "language", language, "bytes", len(vtt))
	return nil
}

// Delete removes the caption of a language.
func (s *Service) Delete(ctx context.Context, viewer visibility.Viewer, ref, language string) error {
	v, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	file, err := s.Store.DeleteCaption(ctx, v.ID, language)
	if err != nil {
		return err
	}
	s.remove(v.UUID, file)
	return nil
}

// File is the path of a caption file, for a viewer who may fetch the
// video's files.
func (s *Service) File(ctx context.Context, viewer visibility.Viewer, filename string) (model.Video, string, error) {
	if strings.ContainsAny(filename, "/\\") || !strings.HasSuffix(filename, ".vtt") || len(filename) > 100 {
		return model.Video{}, "", model.ErrNotFound
	}
	c, err := s.Store.CaptionByFile(ctx, filename)
	if err != nil {
		return model.Video{}, "", err
	}
	v, err := s.Videos.ByID(ctx, c.VideoID)
	if err != nil {
		return v, "", err
	}
	if v, err = s.Videos.GetFile(ctx, viewer, v.UUID); err != nil {
		return v, "", err
	}
	return v, filepath.Join(s.Dir(v.UUID), filename), nil
}

func (s *Service) remove(uuid, file string) {
	if file == "" {
		return
	}
	if err := os.Remove(filepath.Join(s.Dir(uuid), file)); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.Log.Warn("remove old caption", "video", uuid, "file", file, "err", err)
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}
