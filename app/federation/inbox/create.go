package inbox

import (
	"context"
	"fmt"
)

// create handles Create: of a Note (a comment, note.go) or of a followed
// channel's Video (video.go), of a CacheFile (cachefile.go); other objects are dropped.
func (s *Service) create(ctx context.Context, a *activity) (Outcome, error) {
	switch typ := typeOf(a.Object); typ {
	case "Note":
		return s.createNote(ctx, a)
	case "Video":
		return s.createVideo(ctx, a)
	case "CacheFile": // redundancy (#12)
		return s.createCacheFile(ctx, a)
	default:
		return Dropped, fmt.Errorf("%w: Create of %q", errUnsupported, typ)
	}
}
