package profile

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"cabane.dev/cabane/app/durable"
	"cabane.dev/cabane/app/imaging"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Avatar limits: PeerTube's 4 MB for the file; the picture is decoded
// only when its header says at most maxAvatarSide pixels a side and
// imaging.MaxDecodedBytes once decoded, so a small file cannot ask for
// gigabytes of pixels.
const (
	MaxAvatarBytes = 4 << 20
	maxAvatarSide  = 4096
	// AvatarSide is the stored square's side, PeerTube's largest avatar.
	AvatarSide = 600
)

var (
	// ErrAvatarTooLarge: the file is over MaxAvatarBytes (413).
	ErrAvatarTooLarge = errors.New("the image is larger than 4 MB")
	// ErrNotImage: the file is not a PNG, JPEG or GIF picture, or is too
	// many pixels (400).
	ErrNotImage = errors.New("the file is not a PNG, JPEG or GIF image of at most 4096×4096 pixels (64 MiB decoded)")
)

// avatarName is what the stored files are called: the only names the
// avatar route serves.
var avatarName = regexp.MustCompile(`^[0-9a-f]{32}\.jpg$`)

// AvatarDir is where avatars live in the data directory.
func (s *Service) AvatarDir() string { return s.Layout.Avatars() }

// AvatarPath is the stored file of an avatar name, or "" for a name that
// is not one of ours (never a path outside AvatarDir).
func (s *Service) AvatarPath(name string) string {
	if !avatarName.MatchString(name) {
		return ""
	}
	return filepath.Join(s.AvatarDir(), name)
}

// SetAvatar reads an image (at most MaxAvatarBytes), checks it by decoding
// it, re-encodes it as a square JPEG (nothing of the upload but its pixels
// is kept: no metadata, no script), stores it and forgets the old one.
func (s *Service) SetAvatar(ctx context.Context, viewer visibility.Viewer, r io.Reader) (repo.Avatar, error) {
	if !viewer.LoggedIn() {
		return repo.Avatar{}, ErrLoginRequired
	}
	raw, err := io.ReadAll(io.LimitReader(r, MaxAvatarBytes+1))
	if err != nil {
		return repo.Avatar{}, fmt.Errorf("read avatar: %w", err)
	}
	if len(raw) > MaxAvatarBytes {
		return repo.Avatar{}, ErrAvatarTooLarge
	}
	out, err := s.squareJPEG(ctx, raw)
	if err != nil {
		return repo.Avatar{}, err
	}
	a, err := s.storeAvatar(ctx, s.Store, viewer.AccountID, out)
	if err != nil {
		return a, err
	}
	s.changed(ctx, viewer.AccountID)
	return a, nil
}

// storeAvatar writes a re-encoded picture under a fresh name, makes it the
// account's avatar in st and removes the one it replaces.
func (s *Service) storeAvatar(ctx context.Context, st avatarSetter, accountID int64, out []byte) (repo.Avatar, error) {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return repo.Avatar{}, err
	}
	a := repo.Avatar{File: hex.EncodeToString(id[:]) + ".jpg", UpdatedAt: time.Now()}
	if err := os.MkdirAll(s.AvatarDir(), 0o750); err != nil {
		return repo.Avatar{}, fmt.Errorf("avatar folder: %w", err)
	}
	path := filepath.Join(s.AvatarDir(), a.File)
	if err := durable.WriteFile(path, out, 0o640); err != nil {
		return repo.Avatar{}, fmt.Errorf("store avatar: %w", err)
	}
	old, err := st.SetAvatar(ctx, accountID, a)
	s.avatars.invalidate()
	if err != nil {
		_ = os.Remove(path)
		return repo.Avatar{}, err
	}
	s.removeFile(old.File)
	return a, nil
}

type avatarSetter interface {
	SetAvatar(ctx context.Context, accountID int64, a repo.Avatar) (old repo.Avatar, err error)
}

// DeleteAvatar removes the viewer's avatar, if any.
func (s *Service) DeleteAvatar(ctx context.Context, viewer visibility.Viewer) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	old, err := s.Store.SetAvatar(ctx, viewer.AccountID, repo.Avatar{})
	s.avatars.invalidate()
	if err != nil {
		return err
	}
	s.removeFile(old.File)
	s.changed(ctx, viewer.AccountID)
	return nil
}

// removeFile forgets a replaced avatar's file; one left behind by a
// failure here only costs disk space.
func (s *Service) removeFile(name string) {
	if p := s.AvatarPath(name); p != "" {
		if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log().Warn("remove old avatar", "file", name, "err", err)
		}
	}
}

// squareJPEG decodes raw (through the process-wide image gate, once its
// header shows the pixels fit imaging.MaxDecodedBytes), crops its centre
// square and scales it to at most AvatarSide pixels a side (an area
// average, so downscaling does not alias), as a JPEG.
func (s *Service) squareJPEG(ctx context.Context, raw []byte) ([]byte, error) {
	cfg, err := imaging.ReadConfig(raw)
	if err != nil || cfg.Width > maxAvatarSide || cfg.Height > maxAvatarSide {
		return nil, ErrNotImage
	}
	side := min(cfg.Width, cfg.Height, AvatarSide)
	imgs, err := s.imageGate().Cover(ctx, raw, imaging.Size{W: side, H: side})
	if errors.Is(err, imaging.ErrNotImage) || errors.Is(err, imaging.ErrTooLarge) {
		return nil, ErrNotImage
	}
	if err != nil {
		return nil, fmt.Errorf("avatar: %w", err)
	}
	var out bytes.Buffer
	if err := jpeg.Encode(&out, imgs[0], &jpeg.Options{Quality: 85}); err != nil {
		return nil, fmt.Errorf("encode avatar: %w", err)
	}
	return out.Bytes(), nil
}

// imageGate is the process-wide gate the App gives (Images), or one of
// this service's own when none was given (tests).
func (s *Service) imageGate() *imaging.Gate {
	if s.Images != nil {
		return s.Images
	}
	s.ownGateOnce.Do(func() { s.ownGate = imaging.NewGate(1) })
	return s.ownGate
}

// AvatarOf is an account's picture for its public pages: avatars are
// public, as PeerTube's are, so no viewer is asked. Zero: none.
// It reads the cache of every account's avatar (avatar_cache.go).
func (s *Service) AvatarOf(ctx context.Context, accountID int64) (repo.Avatar, error) {
	all, err := s.Avatars(ctx)
	if err != nil {
		return repo.Avatar{}, fmt.Errorf("avatar of account %d: %w", accountID, err)
	}
	return all[accountID], nil
}
