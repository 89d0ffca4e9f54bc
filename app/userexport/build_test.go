package userexport

import (
	"testing"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/uris"
)

// What PeerTube's importer (videos-importer.ts) needs of a video entry:
// a privacy among its five (a home-network-only video goes as private),
// a whole duration in seconds, the channel's name, and archive paths
// relative to peertube/ that name the files the archive holds; the video
// file only when asked for.
func TestVideoJSONForPeerTubesImporter(t *testing.T) {
	s := &Service{URIs: uris.New("https://videos.example.org")}
	v := repo.ExportVideo{UUID: "8c6f3b1e-0b8e-4b8e-9a4f-2f7f3c2d1e0a", ChannelName: "birds", Name: "Wren", Privacy: model.PrivacyLocal,
		DurationMS: 61_600, CommentsPolicy: 2, OriginalFile: "original.mov", OriginalName: "wren.mov", HasThumbnail: true,
		CreatedAt: time.Unix(1700000000, 0), UpdatedAt: time.Unix(1700000000, 0),
		Captions: []repo.ExportCaption{{Language: "fr", Filename: "x-fr.vtt"}}}
	j := s.videoJSON(v, true)
	if j.Privacy != model.PrivacyPrivate || j.Duration != 62 || j.Channel.Name != "birds" || j.CommentsEnabled ||
		j.URL != "https://videos.example.org/videos/watch/"+v.UUID || j.PublishedAt != "2023-11-14T22:13:20.000Z" {
		t.Errorf("entry: %+v", j)
	}
	if j.ArchiveFiles.VideoFile == nil || *j.ArchiveFiles.VideoFile != "../files/videos/video-files/"+v.UUID+".mov" ||
		*j.ArchiveFiles.Thumbnail != "../files/videos/thumbnails/"+v.UUID+".jpg" ||
		j.ArchiveFiles.Captions["fr"] != "../files/videos/captions/"+v.UUID+"-fr.vtt" {
		t.Errorf("archive files: %+v", j.ArchiveFiles)
	}
	if j := s.videoJSON(v, false); j.ArchiveFiles.VideoFile != nil {
		t.Errorf("without files, videoFile is %q", *j.ArchiveFiles.VideoFile)
	}
	v.Privacy = model.PrivacyUnlisted
	if j := s.videoJSON(v, false); j.Privacy != model.PrivacyUnlisted {
		t.Errorf("unlisted became %d", j.Privacy)
	}
}
