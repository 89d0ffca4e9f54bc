package repo

import (
	"context"

	"cabane.dev/cabane/app/model"
)

// Funding stores how people may support a creator (#11): the ordered
// funding links of an account or a channel, and a channel's support text.
type Funding interface {
	Links(ctx context.Context, o model.FundingOwner) ([]model.FundingLink, error)
	// SetLinks replaces o's links, in one transaction.
	SetLinks(ctx context.Context, o model.FundingOwner, links []model.FundingLink) error
	SetChannelSupport(ctx context.Context, channelID int64, text string) error
}
