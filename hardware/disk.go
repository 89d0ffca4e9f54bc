package hardware

import (
	"fmt"
	"syscall"
)

// diskSpace returns the bytes available to an unprivileged writer (what
// Cabane can still fill, minus root's reserve) and the file system's size.
func diskSpace(dir string) (free, total uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, 0, fmt.Errorf("statfs %s: %w", dir, err)
	}
	// Field widths differ between architectures (int32 on armv7).
	bsize := uint64(st.Bsize)
	return uint64(st.Bavail) * bsize, uint64(st.Blocks) * bsize, nil
}
