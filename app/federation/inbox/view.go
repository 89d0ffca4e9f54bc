package inbox

import (
	"context"
	"fmt"
)

// view handles View of a local video, PeerTube's way of telling the
// video's server that one of its viewers watched enough to count: the
// views service counts it, as PeerTube does each one, once per activity
// id (its own bounded memory; no transaction, views are written in
// batches). A View with an expiry is a live viewer count, which Cabane
// does not keep: dropped.
func (s *Service) view(ctx context.Context, a *activity) (Outcome, error) {
	if s.Views == nil || a.Expires != "" {
		return Dropped, fmt.Errorf("%w: View (live viewers, or no counter)", errUnsupported)
	}
	v, err := s.localVideo(ctx, idOf(a.Object))
	if err != nil {
		return 0, err
	}
	s.Views.Remote(v, a.ID)
	return Processed, nil
}
