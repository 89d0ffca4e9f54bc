package uris

import "testing"

func TestPathsFollowPeerTube(t *testing.T) {
	b := New("https://videos.example.org/")
	u := "0b6e1c5e-9d0a-4b8f-8f5e-2a1f3c4d5e6f"
	for got, want := range map[string]string{
		b.Abs(Watch(u)):                  "https://videos.example.org/videos/watch/" + u,
		b.Abs(Embed(u)):                  "https://videos.example.org/videos/embed/" + u,
		b.Abs(Master(u)):                 "https://videos.example.org/static/streaming-playlists/hls/" + u + "/master.m3u8",
		HLSFile(u, "720.m3u8"):           "/static/streaming-playlists/hls/" + u + "/720.m3u8",
		SegmentsSha256(u):                "/static/streaming-playlists/hls/" + u + "/segments-sha256.json",
		Thumbnail(u):                     "/lazy-static/thumbnails/" + u + ".jpg",
		b.Abs(Account("alice")):          "https://videos.example.org/accounts/alice",
		b.Abs(Inbox(Channel("films"))):   "https://videos.example.org/video-channels/films/inbox",
		MainKey(b.Abs(Account("alice"))): "https://videos.example.org/accounts/alice#main-key",
		ChannelPage("a b/c"):             "/c/a%20b%2Fc",
		b.Handle("films"):                "films@videos.example.org",
	} {
		if got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
