package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
)

// Subscriptions is the subscriptions aggregate: which channels accounts
// follow.
type Subscriptions struct{ base }

// Subscriptions returns the subscriptions aggregate on the pool.
func (s *Store) Subscriptions() *Subscriptions {
	return &Subscriptions{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// Subscribe records that the account follows the channel; again is a no-op.
func (s *Subscriptions) Subscribe(ctx context.Context, accountID, channelID int64) error {
	// The subscription videos' listing counts are remembered per query:
	// who follows what changes their result without any video changing.
	defer s.counts.invalidate()
	_, err := s.q.ExecContext(ctx, `INSERT INTO subscriptions(account_id, channel_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT (account_id, channel_id) DO NOTHING`, accountID, channelID, now())
	if err != nil {
		return fmt.Errorf("subscribe account %d to channel %d: %w", accountID, channelID, classify(err))
	}
	return nil
}

// Unsubscribe forgets a subscription.
func (s *Subscriptions) Unsubscribe(ctx context.Context, accountID, channelID int64) error {
	defer s.counts.invalidate()
	res, err := s.q.ExecContext(ctx, `DELETE FROM subscriptions WHERE account_id = ? AND channel_id = ?`, accountID, channelID)
	return affected(res, err, "unsubscribe")
}

// Subscribed says which of channelIDs the account follows.
func (s *Subscriptions) Subscribed(ctx context.Context, accountID int64, channelIDs []int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(channelIDs) == 0 {
		return out, nil
	}
	args := []any{accountID}
	for _, id := range channelIDs {
		args = append(args, id)
	}
	rows, err := s.q.QueryContext(ctx, `SELECT channel_id FROM subscriptions WHERE account_id = ? AND channel_id IN (`+
		strings.TrimSuffix(strings.Repeat("?,", len(channelIDs)), ",")+`)`, args...)
	if err != nil {
		return nil, fmt.Errorf("subscriptions of account %d: %w", accountID, classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, classify(err)
		}
		out[id] = true
	}
	return out, classify(rows.Err())
}

var subscriptionSorts = map[string]string{
	"id": "s.id ASC", "-id": "s.id DESC", "createdAt": "s.created_at ASC, s.id ASC", "-createdAt": "s.created_at DESC, s.id DESC",
}

// List returns a page of the account's subscriptions with their channels.
func (s *Subscriptions) List(ctx context.Context, accountID int64, start, count int, sort string) ([]model.Subscription, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM subscriptions WHERE account_id = ?`, accountID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count subscriptions: %w", classify(err))
	}
	out := []model.Subscription{}
	if count <= 0 || start >= total {
		return out, total, nil
	}
	order, ok := subscriptionSorts[sort]
	if !ok {
		order = subscriptionSorts["-createdAt"]
	}
	rows, err := s.q.QueryContext(ctx, `SELECT s.id, s.account_id, s.channel_id, s.created_at, `+channelCols+
		` FROM subscriptions s JOIN channels c ON c.id = s.channel_id JOIN accounts a ON a.id = c.account_id
		WHERE s.account_id = ? ORDER BY `+order+` LIMIT ? OFFSET ?`, accountID, count, start)
	if err != nil {
		return nil, 0, fmt.Errorf("list subscriptions: %w", classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var sub model.Subscription
		var created, cCreated, aCreated int64
		c := &sub.Channel
		a := &c.Account
		if err := rows.Scan(append([]any{&sub.ID, &sub.AccountID, &sub.ChannelID, &created}, channelDest(c, &cCreated, &aCreated)...)...); err != nil {
			return nil, 0, classify(err)
		}
		sub.CreatedAt, c.CreatedAt, a.CreatedAt = time.UnixMilli(created), time.UnixMilli(cCreated), time.UnixMilli(aCreated)
		out = append(out, sub)
	}
	return out, total, classify(rows.Err())
}

// Subscribers are the ids of the users whose accounts follow the channel.
func (s *Subscriptions) Subscribers(ctx context.Context, channelID int64) ([]int64, error) {
	out, err := column[int64](ctx, s.q, `SELECT a.user_id FROM subscriptions s JOIN accounts a ON a.id = s.account_id
		WHERE s.channel_id = ? AND a.user_id IS NOT NULL ORDER BY a.user_id`, []any{channelID})
	if err != nil {
		return nil, fmt.Errorf("subscribers of channel %d: %w", channelID, err)
	}
	return out, nil
}

// FeedToken is the token of the account's user's subscriptions feed, made
// on first demand. Two first demands at once agree: only an empty token
// is replaced, and what is stored is read back.
func (s *Subscriptions) FeedToken(ctx context.Context, accountID int64) (string, error) {
	var tok string
	err := s.q.QueryRowContext(ctx, `SELECT u.feed_token FROM users u JOIN accounts a ON a.user_id = u.id WHERE a.id = ?`, accountID).Scan(&tok)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("feed token of account %d: %w", accountID, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("feed token of account %d: %w", accountID, classify(err))
	}
	if tok != "" {
		return tok, nil
	}
	if _, err := s.q.ExecContext(ctx, `UPDATE users SET feed_token = ? WHERE feed_token = '' AND id = (SELECT user_id FROM accounts WHERE id = ?)`,
		newFeedToken(), accountID); err != nil {
		return "", fmt.Errorf("feed token of account %d: %w", accountID, classify(err))
	}
	return s.FeedToken(ctx, accountID)
}

// RenewFeedToken gives the account's user a new feed token.
func (s *Subscriptions) RenewFeedToken(ctx context.Context, accountID int64) (string, error) {
	tok := newFeedToken()
	res, err := s.q.ExecContext(ctx, `UPDATE users SET feed_token = ? WHERE id = (SELECT user_id FROM accounts WHERE id = ?)`, tok, accountID)
	if err := affected(res, err, "renew feed token"); err != nil {
		return "", err
	}
	return tok, nil
}

// newFeedToken is a random UUID, PeerTube's feedToken.
func newFeedToken() string { return uuid.NewString() }
