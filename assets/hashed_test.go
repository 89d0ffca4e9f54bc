package assets

import (
	"io"
	"io/fs"
	"strings"
	"testing"
)

// TestCatalogReadsTheEmbeddedBytes: every asset opens to the very bytes
// embedded, its size and hash agree with them, and its type comes from
// Cabane's table.
func TestCatalogReadsTheEmbeddedBytes(t *testing.T) {
	c, err := NewCatalog(Static())
	if err != nil {
		t.Fatal(err)
	}
	if len(c.byName) < 5 {
		t.Fatalf("%d assets", len(c.byName))
	}
	for name, a := range c.byName {
		want, err := fs.ReadFile(Static(), name)
		if err != nil {
			t.Fatal(err)
		}
		r, err := a.Open()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := r.Seek(3, io.SeekStart); err != nil {
			t.Fatalf("%s: seek: %v", name, err)
		}
		got, err := io.ReadAll(r)
		r.Close()
		if err != nil || len(want) < 3 || string(got) != string(want[3:]) || a.Size != int64(len(want)) {
			t.Errorf("%s: read %d bytes from 3 (err %v), size %d, want %d", name, len(got), err, a.Size, len(want))
		}
		if !strings.Contains(a.Hashed, a.Hash) {
			t.Errorf("%s: hashed name %s lacks %s", name, a.Hashed, a.Hash)
		}
	}
	for ext, want := range map[string]string{".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8", ".JPG": "image/jpeg", ".bin": "application/octet-stream"} {
		if got := contentType(ext); got != want {
			t.Errorf("contentType(%s) = %q, want %q", ext, got, want)
		}
	}
}
