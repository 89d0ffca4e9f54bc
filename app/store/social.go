package store

import "cabane.dev/cabane/app/repo"

// The social aggregates keep the storage contract.
var (
	_ repo.Playlists     = (*Playlists)(nil)
	_ repo.Subscriptions = (*Subscriptions)(nil)
	_ repo.Notifications = (*Notifications)(nil)
)
