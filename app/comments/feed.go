package comments

import (
	"context"
	"fmt"

	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// FeedScope is whose videos' comments a comments feed lists: one video's
// (by its id), a channel's, an account's, or the instance's (all zero).
type FeedScope struct {
	VideoID, ChannelID, AccountID int64
}

// Feed is the latest count comments of scope that viewer may read, newest
// first: the videos a listing shows viewer (visibility.List), comments
// neither held nor deleted, none of accounts the server blocks.
func (s *Service) Feed(ctx context.Context, viewer visibility.Viewer, scope FeedScope, count int) ([]repo.FeedComment, error) {
	l := visibility.List(viewer, 0)
	cs, err := s.Store.Feed(ctx, repo.FeedCommentQuery{VideoID: scope.VideoID, ChannelID: scope.ChannelID, AccountID: scope.AccountID,
		Privacies: l.Privacies, HideServerBlocked: l.HideServerBlocked, Count: count})
	if err != nil {
		return nil, fmt.Errorf("comments feed: %w", err)
	}
	return cs, nil
}
