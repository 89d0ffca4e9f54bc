package web

import (
	"syscall"
)

// lowDiskBytes is when the overview warns: an upload plus its renditions
// is easily a few gigabytes.
const lowDiskBytes = 2 << 30

// diskView is the data directory's file system for the overview.
type diskView struct {
	Path        string
	Free, Total string
	PercentFree int
	Low         bool
	Err         string
}

// diskUsage reads the space left where the data directory lives: what
// Cabane may still fill, not counting root's reserved blocks.
func diskUsage(w words, dir string) diskView {
	d := diskView{Path: dir}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		d.Err = w.T("admin.disk.error", dir, err)
		return d
	}
	// Field types differ between architectures (int32 on armv7).
	bsize := uint64(st.Bsize)
	free, total := uint64(st.Bavail)*bsize, uint64(st.Blocks)*bsize
	d.Free, d.Total = w.Bytes(int64(free)), w.Bytes(int64(total))
	if total > 0 {
		d.PercentFree = int(free * 100 / total)
	}
	d.Low = free < lowDiskBytes || d.PercentFree < 5
	return d
}
