package store

import (
	"context"
	"path/filepath"
	"testing"
)

// TestReleaseMemory: with every connection of the pool opened and idle,
// ReleaseMemory reaches each of them, gives them all back (none leaked,
// none closed) and leaves them answering queries.
func TestReleaseMemory(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Open the whole pool at once: four connections, each with pages read.
	var conns []func()
	for range 4 {
		c, err := st.db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := c.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master").Scan(&n); err != nil || n == 0 {
			t.Fatalf("read the schema: %d %v", n, err)
		}
		conns = append(conns, func() { c.Close() })
	}
	for _, done := range conns {
		done()
	}
	before := st.db.Stats()
	if before.Idle != 4 {
		t.Fatalf("%d idle connections, want 4", before.Idle)
	}
	if err := st.ReleaseMemory(ctx); err != nil {
		t.Fatal(err)
	}
	after := st.db.Stats()
	if after.Idle != before.Idle || after.OpenConnections != before.OpenConnections || after.InUse != 0 {
		t.Errorf("after: %d idle, %d open, %d in use; before: %d idle, %d open", after.Idle, after.OpenConnections, after.InUse, before.Idle, before.OpenConnections)
	}
	var n int
	if err := st.db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master").Scan(&n); err != nil || n == 0 {
		t.Errorf("a query after the release: %d %v", n, err)
	}
}
