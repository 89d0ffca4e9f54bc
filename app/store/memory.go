package store

import (
	"context"
	"fmt"
)

// ReleaseMemory empties the page caches of the pool's idle connections.
// Each connection keeps up to cache_size of pages (2 MiB by default), and
// the SQLite allocator (modernc's, in 64 KiB pages with power-of-two
// slots) rounds each 4 KiB page up to 8 KiB: after a burst of listings
// and searches the pool held about twice what it was told to, for as long
// as the process lived. Called when the server goes quiet (the web
// server's idle trim); the pages come back from the OS's file cache on the
// next query, a few microseconds each.
//
// Connections in use are left alone; the idle ones are taken all at once,
// so each is a different connection, then given back.
func (s *Store) ReleaseMemory(ctx context.Context) error {
	n := s.db.Stats().Idle
	for range n {
		c, err := s.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("release memory: %w", err)
		}
		defer c.Close()
		if _, err := c.ExecContext(ctx, "PRAGMA shrink_memory"); err != nil {
			return fmt.Errorf("release memory: %w", classify(err))
		}
	}
	return nil
}
