package videos

import (
	"context"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// PeerShared is a page of the published videos whose segments may pass
// between viewers' browsers (visibility.PeerShare: this box's public and
// unlisted ones), newest first, read as a listing reads them (Summary).
// more is false on the last page. The tracker relearns their swarms from
// them after a restart (app/web p2p.go).
func (s *Service) PeerShared(ctx context.Context, start, count int) (vs []model.Video, more bool, err error) {
	all, _, err := s.Store.Videos.List(ctx, repo.VideoQuery{Privacies: []int{model.PrivacyPublic, model.PrivacyUnlisted},
		Start: max(0, start), Count: count, Summary: true, TrendingDays: TrendingDays})
	if err != nil {
		return nil, false, fmt.Errorf("videos shared peer to peer: %w", err)
	}
	for _, v := range all {
		if visibility.PeerShare(v) {
			vs = append(vs, v)
		}
	}
	return vs, len(all) == count, nil
}
