package ptcheck

import (
	"os"
	"path/filepath"
	"testing"
)

// PeerTube's ingest rules, as this package rewrites them, read any JSON
// a remote server could send (a Video, a Group, a Person) through type
// assertions on decoded maps: they answer with errors, never a panic,
// whatever its shape. (The decoder of remote Videos has its own fuzzer,
// app/federation/remotevideo's FuzzRead.)
func FuzzDocuments(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seeds in testdata: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"type":"Video","url":[{"tag":[{}]},7,null],"icon":{},"attributedTo":[1,"x",{"type":"Group"}]}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		_ = Video(doc)
		_ = Actor(doc)
	})
}
