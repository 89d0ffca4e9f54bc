package testrig

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// built is the binary of this test process: one build, whatever number of
// tests start it. Its directory is left in the system temp dir for the
// process's lifetime (removed by Cleanup in TestMain, or by the OS).
var built struct {
	once sync.Once
	path string
	err  error
}

// Binary builds ./cmd/cabane once per test process (static, no cgo; without -trimpath, so it shares the build cache with the other tests)
// and returns its path.
func Binary(t testing.TB) string {
	t.Helper()
	built.once.Do(func() {
		root, err := ModuleRoot()
		if err != nil {
			built.err = err
			return
		}
		dir, err := os.MkdirTemp("", "cabane-rig-")
		if err != nil {
			built.err = fmt.Errorf("binary dir: %w", err)
			return
		}
		bin := filepath.Join(dir, "cabane")
		cmd := exec.Command("go", "build", "-o", bin, "./cmd/cabane")
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build ./cmd/cabane: %w\n%s", err, out)
			return
		}
		built.path = bin
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.path
}

// RemoveBinary deletes the built binary; TestMain calls it after m.Run.
func RemoveBinary() {
	if built.path != "" {
		os.RemoveAll(filepath.Dir(built.path))
	}
}

// ModuleRoot is the directory of go.mod above the working directory (go
// test runs in the package's directory).
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("getwd: %w", err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", dir)
		}
	}
}
