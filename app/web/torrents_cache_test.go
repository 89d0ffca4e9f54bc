package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cabane.dev/cabane/app/model"
)

// TestVideoAnswerReadsPieceRecordsOnce: a video's API answer gives each
// file's magnet link from what the first answer derived: the piece
// records, deleted after it, are neither read nor rebuilt by the next
// answers, which carry the same links. (Measured with strace in the
// storage report: no piece record opened after the first answer.)
func TestVideoAnswerReadsPieceRecordsOnce(t *testing.T) {
	r := newRig(t)
	v := r.publishedVideo(t, r.adminChannel, model.PrivacyPublic)
	for i, name := range []string{"480p", "720p", "1080p"} {
		if err := r.store.Videos.AddRenditions(context.Background(), v.ID, model.Rendition{Name: name, Height: 480 + i, Bandwidth: 1_000_000 * (i + 1)}); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(r.layout.HLS(v.UUID), v.UUID+"-"+strings.TrimSuffix(name, "p")+"-fragmented.mp4")
		if err := os.WriteFile(file, []byte(strings.Repeat(name, 10_000)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	magnets := func() []string {
		var out struct {
			Files []struct {
				MagnetURI string `json:"magnetUri"`
			} `json:"files"`
		}
		if err := json.Unmarshal([]byte(r.body(t, "/api/v1/videos/"+v.UUID, "", false)), &out); err != nil {
			t.Fatal(err)
		}
		var m []string
		for _, f := range out.Files {
			m = append(m, f.MagnetURI)
		}
		return m
	}
	first := magnets()
	if len(first) != 4 || slices.Contains(first, "") {
		t.Fatalf("magnets %v", first)
	}
	records := filepath.Join(r.layout.Video(v.UUID), "torrents")
	if err := os.RemoveAll(records); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		if got := magnets(); !slices.Equal(got, first) {
			t.Fatalf("magnets %v, then %v", first, got)
		}
	}
	if _, err := os.Stat(records); !os.IsNotExist(err) {
		t.Errorf("the piece records were rebuilt: %v", err)
	}
}
