package videos

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/hardware"
)

// FileMetadata is ffprobe's description of one of the video's files
// (PeerTube's GET /videos/{id}/metadata/{videoFileId}), for whoever may
// see the video. ErrNotFound when the video has no such file.
func (s *Service) FileMetadata(ctx context.Context, viewer visibility.Viewer, ref string, fileID int64) (json.RawMessage, error) {
	v, err := s.Get(ctx, viewer, ref)
	if err != nil {
		return nil, err
	}
	rs, err := s.Store.Videos.Renditions(ctx, v.ID)
	if err != nil {
		return nil, fmt.Errorf("renditions of %s: %w", v.UUID, err)
	}
	for _, r := range rs {
		if r.ID == fileID {
			return s.Media.Metadata(ctx, filepath.Join(s.Layout.HLS(v.UUID), hardware.FragmentedName(v.UUID, r.Name)))
		}
	}
	return nil, model.ErrNotFound
}
