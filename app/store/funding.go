package store

import (
	"context"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Funding stores the ways to support an account or a channel (#11) and a
// channel's support text.
type Funding struct{ base }

// Funding returns the funding aggregate on the pool.
func (s *Store) Funding() *Funding {
	return &Funding{base{q: s.stmts, db: s.db, counts: s.counts}}
}

var _ repo.Funding = (*Funding)(nil)

// ownerColumn is the column that names o: fixed strings, never input.
func ownerColumn(o model.FundingOwner) string {
	if o.Channel {
		return "channel_id"
	}
	return "account_id"
}

func ownerName(o model.FundingOwner) string {
	if o.Channel {
		return fmt.Sprintf("channel %d", o.ID)
	}
	return fmt.Sprintf("account %d", o.ID)
}

// Links are o's links, in their order; none is an empty list.
func (s *Funding) Links(ctx context.Context, o model.FundingOwner) ([]model.FundingLink, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT kind, label, url, note FROM funding_links WHERE `+ownerColumn(o)+` = ? ORDER BY position`, o.ID)
	if err != nil {
		return nil, fmt.Errorf("funding links of %s: %w", ownerName(o), classify(err))
	}
	defer rows.Close()
	out := []model.FundingLink{}
	for rows.Next() {
		var l model.FundingLink
		if err := rows.Scan(&l.Kind, &l.Label, &l.URL, &l.Note); err != nil {
			return nil, fmt.Errorf("funding links of %s: %w", ownerName(o), classify(err))
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("funding links of %s: %w", ownerName(o), classify(err))
	}
	return out, nil
}

// SetLinks replaces o's links with links, in one transaction. The
// caller has validated them (app/funding).
func (s *Funding) SetLinks(ctx context.Context, o model.FundingOwner, links []model.FundingLink) error {
	col := ownerColumn(o)
	err := s.atomic(ctx, func(q dbtx) error {
		if _, err := q.ExecContext(ctx, `DELETE FROM funding_links WHERE `+col+` = ?`, o.ID); err != nil {
			return classify(err)
		}
		for i, l := range links {
			if _, err := q.ExecContext(ctx, `INSERT INTO funding_links (`+col+`, position, kind, label, url, note) VALUES (?, ?, ?, ?, ?, ?)`,
				o.ID, i, l.Kind, l.Label, l.URL, l.Note); err != nil {
				return classify(err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set funding links of %s: %w", ownerName(o), err)
	}
	return nil
}

// SetChannelSupport replaces a channel's support text (PeerTube's
// support field, Markdown).
func (s *Funding) SetChannelSupport(ctx context.Context, channelID int64, text string) error {
	res, err := s.q.ExecContext(ctx, `UPDATE channels SET support = ? WHERE id = ?`, text, channelID)
	if err != nil {
		return fmt.Errorf("support text of channel %d: %w", channelID, classify(err))
	}
	return oneRow(res)
}
