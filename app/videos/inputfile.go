package videos

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// The input file: while a video has no rendition yet, PeerTube lists the
// uploaded file as its web video (files[0]), and its apps read it then:
// peertube-cli's upload polls files[0].torrentUrl right after the upload
// answers, and crashes on an empty list. Cabane shows it, as PeerTube
// does, only to who may see the unpublished video (its owner, the
// admins), and drops it once a rendition is published.

// InputFileName is the uploaded file's public name, PeerTube's
// "<uuid>-<resolution><ext>" (the short side of the picture; 0 for sound).
func InputFileName(v model.Video) string {
	return v.UUID + "-" + strconv.Itoa(min(v.Width, v.Height)) + strings.ToLower(filepath.Ext(v.OriginalFile))
}

// InputFile is the path of the video's uploaded file named name
// (InputFileName), for a viewer who manages it, while it is unpublished.
func (s *Service) InputFile(ctx context.Context, viewer visibility.Viewer, name string) (model.Video, string, error) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return model.Video{}, "", model.ErrNotFound
	}
	v, err := s.GetFile(ctx, viewer, name[:i])
	if err != nil {
		return v, "", err
	}
	if v.Published() || v.OriginalFile == "" || !visibility.Edit(viewer, v) || InputFileName(v) != name {
		return v, "", model.ErrNotFound
	}
	return v, s.Layout.Original(v.UUID, v.OriginalFile), nil
}
