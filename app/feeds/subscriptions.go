package feeds

import (
	"context"

	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

// SubscriptionFeed builds a user's subscriptions feed (PeerTube's
// /feeds/subscriptions.*): the latest public videos of the channels
// r.AccountID follows, here and on other servers, under the account's
// name. The caller has checked the feed token: this feed names whom the
// user follows, which is theirs to share.
func (s *Service) SubscriptionFeed(ctx context.Context, r Request) (Feed, error) {
	if !videos.ValidSort(r.Sort) {
		return Feed{}, ErrBadSort
	}
	account := r.AccountID
	r.ChannelID, r.ChannelName, r.AccountName = 0, "", ""
	f, _, err := s.scope(ctx, r)
	if err != nil {
		return Feed{}, err
	}
	f.RSS = r.URLs.Abs(uris.SubscriptionFeed("xml", r.Query))
	f.Atom = r.URLs.Abs(uris.SubscriptionFeed("atom", r.Query))
	f.JSON = r.URLs.Abs(uris.SubscriptionFeed("json", r.Query))
	q := videos.ListQuery{SubscriberAccountID: account, Sort: r.Sort, Count: MaxItems}
	if err := s.fill(ctx, r.URLs, &f, q, bestFirst); err != nil {
		return Feed{}, err
	}
	return f, nil
}
