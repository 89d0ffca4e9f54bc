package videos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"cabane.dev/cabane/app/media"
)

// MigrateLayout moves every video still in the old HLS layout (a folder of
// segments per rendition) to PeerTube's (one fragmented MP4 per
// rendition), without re-encoding; see media.MigrateLegacy for why a video
// stays playable throughout and a crash only delays it. It runs beside the
// server at start, one video at a time, and is a no-op once done.
func (s *Service) MigrateLayout(ctx context.Context) error {
	entries, err := os.ReadDir(s.Layout.Media())
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("migrate layout: %w", err)
	}
	n := 0
	for _, e := range entries {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !e.IsDir() || !localName(e.Name()) {
			continue
		}
		did, err := media.MigrateLegacy(s.Layout.HLS(e.Name()), e.Name(), nil)
		if err != nil {
			// One video's trouble (a missing segment) must not stop the
			// others: it keeps playing from its old files.
			s.Log.Warn("migrate a video to PeerTube's layout", "video", e.Name(), "err", err)
			continue
		}
		if did {
			n++
		}
	}
	if n > 0 {
		s.Log.Info("videos migrated to PeerTube's file layout", "videos", n)
	}
	return nil
}

func localName(n string) bool { return n == filepath.Base(n) && n != "" && n[0] != '.' }
