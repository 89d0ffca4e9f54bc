package main

import (
	"os"
	"path/filepath"
	"testing"
)

// Root starts a release only from a file no other user could have written.
func TestRootOwned(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the file away")
	}
	p := filepath.Join(t.TempDir(), "cabane")
	if err := os.WriteFile(p, []byte("bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if !rootOwned(p) {
		t.Error("a root-owned 0755 file is refused")
	}
	os.Chmod(p, 0o775)
	if rootOwned(p) {
		t.Error("a group-writable file is accepted")
	}
	os.Chmod(p, 0o755)
	if err := os.Chown(p, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if rootOwned(p) {
		t.Error("a file owned by another user is accepted")
	}
	if rootOwned(filepath.Join(t.TempDir(), "missing")) {
		t.Error("a missing file is accepted")
	}
}
