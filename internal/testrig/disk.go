package testrig

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// SmallDisk mounts a tmpfs of size (e.g. "4m") in a temporary folder and
// returns it; the test's cleanup unmounts it. A full disk is then a real
// one: every write path meets ENOSPC as on an SD card. It needs root,
// which make test runs as.
func SmallDisk(t testing.TB, size string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Fatal("this test mounts a tmpfs to fill a real disk: run it as root (make test does)")
	}
	root := filepath.Join(t.TempDir(), "tiny")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mount("tmpfs", root, "tmpfs", 0, "size="+size); err != nil {
		t.Fatalf("mount a %s tmpfs: %v", size, err)
	}
	t.Cleanup(func() { syscall.Unmount(root, syscall.MNT_DETACH) })
	return root
}

// FillDisk writes a file that leaves about leave bytes free on dir's
// filesystem, and returns a function that removes it.
func FillDisk(t testing.TB, dir string, leave int64) (free func()) {
	t.Helper()
	var fs syscall.Statfs_t
	if err := syscall.Statfs(dir, &fs); err != nil {
		t.Fatal(err)
	}
	filler := filepath.Join(dir, "filler")
	if err := os.WriteFile(filler, make([]byte, max(0, int64(fs.Bavail)*fs.Bsize-leave)), 0o600); err != nil {
		t.Fatalf("fill the disk: %v", err)
	}
	return func() { os.Remove(filler) }
}
