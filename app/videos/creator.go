package videos

import (
	"context"

	"cabane.dev/cabane/app/model"
)

// KnownLanguage reports whether code is one of PeerTube's video languages
// (/api/v1/videos/languages), as captions are named by.
func KnownLanguage(code string) bool {
	_, ok := languages[code]
	return ok
}

// ByID is a video by its number, for services that found it through one of
// its parts (a caption file): never shown as is, only to ask GetFile.
func (s *Service) ByID(ctx context.Context, id int64) (model.Video, error) {
	return s.Store.Videos.ByID(ctx, id)
}
