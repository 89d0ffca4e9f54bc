package store

import (
	"context"
	"fmt"
	"time"

	"cabane.dev/cabane/app/model"
)

// Blocklist is the account and server blocks aggregate: owner 0 is the
// server (the admin's blocks), any other owner a user's account (mutes).
type Blocklist struct{ base }

// Blocklist returns the blocklist aggregate on the pool.
func (s *Store) Blocklist() *Blocklist {
	return &Blocklist{base{q: s.stmts, db: s.db, counts: s.counts}}
}

// BlockAccount blocks (or mutes) an account; again is a no-op.
func (s *Blocklist) BlockAccount(ctx context.Context, owner, blocked int64) error {
	// Listings' remembered totals depend on who is blocked.
	defer s.counts.invalidate()
	_, err := s.q.ExecContext(ctx, `INSERT INTO account_blocks(owner_account_id, blocked_account_id, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, owner, blocked, now())
	if err != nil {
		return fmt.Errorf("block account %d for %d: %w", blocked, owner, classify(err))
	}
	return nil
}

// UnblockAccount forgets a block; ErrNotFound when there was none.
func (s *Blocklist) UnblockAccount(ctx context.Context, owner, blocked int64) error {
	defer s.counts.invalidate()
	res, err := s.q.ExecContext(ctx, `DELETE FROM account_blocks WHERE owner_account_id = ? AND blocked_account_id = ?`, owner, blocked)
	return affected(res, err, "unblock account")
}

// Accounts lists an owner's account blocks.
func (s *Blocklist) Accounts(ctx context.Context, owner int64, start, count int, sort string) ([]model.AccountBlock, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM account_blocks WHERE owner_account_id = ?`, owner).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count account blocks: %w", classify(err))
	}
	dir := "DESC"
	if sort == "createdAt" {
		dir = "ASC"
	}
	rows, err := s.q.QueryContext(ctx, `SELECT b.created_at, `+accountCols+` FROM account_blocks b JOIN accounts a ON a.id = b.blocked_account_id
		WHERE b.owner_account_id = ? ORDER BY b.created_at `+dir+`, a.id `+dir+` LIMIT ? OFFSET ?`, owner, count, start)
	if err != nil {
		return nil, 0, fmt.Errorf("list account blocks: %w", classify(err))
	}
	defer rows.Close()
	out := []model.AccountBlock{}
	for rows.Next() {
		var created int64
		var a model.Account
		var aCreated int64
		if err := rows.Scan(append([]any{&created}, accountDest(&a, &aCreated)...)...); err != nil {
			return nil, 0, classify(err)
		}
		a.CreatedAt = time.UnixMilli(aCreated)
		out = append(out, model.AccountBlock{OwnerAccountID: owner, Blocked: a, CreatedAt: time.UnixMilli(created)})
	}
	return out, total, classify(rows.Err())
}

// BlockServer blocks (or mutes) a host; again is a no-op.
func (s *Blocklist) BlockServer(ctx context.Context, owner int64, host string) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO server_blocks(owner_account_id, host, created_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, owner, host, now())
	if err != nil {
		return fmt.Errorf("block server %s for %d: %w", host, owner, classify(err))
	}
	return nil
}

// UnblockServer forgets a server block; ErrNotFound when there was none.
func (s *Blocklist) UnblockServer(ctx context.Context, owner int64, host string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM server_blocks WHERE owner_account_id = ? AND host = ?`, owner, host)
	return affected(res, err, "unblock server")
}

// Servers lists an owner's server blocks.
func (s *Blocklist) Servers(ctx context.Context, owner int64, start, count int, sort string) ([]model.ServerBlock, int, error) {
	var total int
	if err := s.q.QueryRowContext(ctx, `SELECT COUNT(*) FROM server_blocks WHERE owner_account_id = ?`, owner).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("count server blocks: %w", classify(err))
	}
	dir := "DESC"
	if sort == "createdAt" {
		dir = "ASC"
	}
	rows, err := s.q.QueryContext(ctx, `SELECT host, created_at FROM server_blocks WHERE owner_account_id = ?
		ORDER BY created_at `+dir+`, host `+dir+` LIMIT ? OFFSET ?`, owner, count, start)
	if err != nil {
		return nil, 0, fmt.Errorf("list server blocks: %w", classify(err))
	}
	defer rows.Close()
	out := []model.ServerBlock{}
	for rows.Next() {
		b := model.ServerBlock{OwnerAccountID: owner}
		var created int64
		if err := rows.Scan(&b.Host, &created); err != nil {
			return nil, 0, classify(err)
		}
		b.CreatedAt = time.UnixMilli(created)
		out = append(out, b)
	}
	return out, total, classify(rows.Err())
}

// Hidden says whether account is blocked by the server, or muted by
// viewerAccount.
func (s *Blocklist) Hidden(ctx context.Context, account, viewerAccount int64) (server, muted bool, err error) {
	rows, err := s.q.QueryContext(ctx, `SELECT owner_account_id FROM account_blocks WHERE blocked_account_id = ? AND owner_account_id IN (0, ?)`,
		account, viewerAccount)
	if err != nil {
		return false, false, fmt.Errorf("blocks of account %d: %w", account, classify(err))
	}
	defer rows.Close()
	for rows.Next() {
		var owner int64
		if err := rows.Scan(&owner); err != nil {
			return false, false, classify(err)
		}
		if owner == 0 {
			server = true
		} else {
			muted = true
		}
	}
	return server, muted, classify(rows.Err())
}

// blockedChannels is the listing condition that hides the videos of
// blocked accounts (by their channels: the list of blocked channels is
// small, where a per-video lookup of the account is not): the server's
// blocks when server is set, and the mutes of mutedBy (0: none). It returns
// "" when nothing is hidden.
func blockedChannels(column string, server bool, mutedBy int64) (string, []any) {
	owners, args := "", []any(nil)
	switch {
	case server && mutedBy != 0:
		owners, args = "IN (0, ?)", []any{mutedBy}
	case server:
		owners = "= 0"
	case mutedBy != 0:
		owners, args = "= ?", []any{mutedBy}
	default:
		return "", nil
	}
	return column + " NOT IN (SELECT ch.id FROM account_blocks b JOIN channels ch ON ch.account_id = b.blocked_account_id" +
		" WHERE b.owner_account_id " + owners + ")", args
}

// blockedAccounts is blockedChannels for a column of account ids.
func blockedAccounts(column string, server bool, mutedBy int64) (string, []any) {
	switch {
	case server && mutedBy != 0:
		return column + " NOT IN (SELECT blocked_account_id FROM account_blocks WHERE owner_account_id IN (0, ?))", []any{mutedBy}
	case server:
		return column + " NOT IN (SELECT blocked_account_id FROM account_blocks WHERE owner_account_id = 0)", nil
	case mutedBy != 0:
		return column + " NOT IN (SELECT blocked_account_id FROM account_blocks WHERE owner_account_id = ?)", []any{mutedBy}
	}
	return "", nil
}
