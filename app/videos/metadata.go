package videos

import (
	"cabane.dev/cabane/app/media"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"

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
		if r.ID != fileID {
			continue
		}
		meta, err := s.Media.Metadata(ctx, s.Layout.HLSFile(v.UUID, hardware.FragmentedName(v.UUID, r.Name)))
		if errors.Is(err, fs.ErrNotExist) || errors.Is(err, media.ErrNotMedia) {
			// No file there, or none ffprobe can read: nothing to describe.
			return nil, fmt.Errorf("file %d of %s: %w (%v)", fileID, v.UUID, model.ErrNotFound, err)
		}
		return meta, err
	}
	return nil, model.ErrNotFound
}
