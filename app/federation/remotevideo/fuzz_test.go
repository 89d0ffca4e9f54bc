package remotevideo

import (
	"errors"
	"os"
	"strings"
	"testing"
	"unicode/utf8"
)

// Read takes a Video from any server: whatever the document, it answers
// without a panic, every refusal is ErrInvalid, and what it accepts is
// bounded (name, description, support, tags, renditions) and names http(s)
// URLs only, its channel on the Video's own server.
func FuzzRead(f *testing.F) {
	seed, err := os.ReadFile("testdata/captured-pt-video-ap.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"type":"Video","id":"https://a.example/v/1","uuid":"9c9de5e8-0a1b-4d8b-9d8b-0a1b4d8b9d8b","name":"abc","duration":"PT1S",` +
		`"published":"2024-01-01T00:00:00Z","updated":"2024-01-01T00:00:00Z","url":[{"mediaType":"application/x-mpegURL","href":"https://a.example/m.m3u8",` +
		`"tag":[{"mediaType":"video/mp4","href":"https://a.example/1.mp4","height":-1}]}],"attributedTo":[{"type":"Group","id":"https://a.example/c"}]}`))
	f.Add([]byte(`{"type":"Video","url":[{"tag":[{}]},7,null],"icon":{},"attributedTo":[1,"x",{"type":"Group"}]}`))
	f.Add([]byte(`[]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := Read(body)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("refusal is not ErrInvalid: %v", err)
			}
			return
		}
		v := d.Video
		switch {
		case utf8.RuneCountInString(v.Name) < 3 || utf8.RuneCountInString(v.Name) > 120:
			t.Fatalf("name of %d runes", utf8.RuneCountInString(v.Name))
		case len(v.Description) > 10000, len(v.Meta.Support) > 1000, len(v.Meta.Language) > 16:
			t.Fatalf("unbounded text: %d %d %d", len(v.Description), len(v.Meta.Support), len(v.Meta.Language))
		case len(v.Meta.Tags) > 5, len(d.Remote.Renditions) > MaxRenditions:
			t.Fatalf("%d tags, %d renditions", len(v.Meta.Tags), len(d.Remote.Renditions))
		case v.Views < 0 || v.Duration < 0:
			t.Fatalf("views %d duration %v", v.Views, v.Duration)
		case !httpURL(d.IRI) || !httpURL(d.Channel) || !strings.EqualFold(hostOf(d.Channel), d.Host()):
			t.Fatalf("id %q channel %q", d.IRI, d.Channel)
		}
		for _, u := range []string{d.Remote.WatchURL, d.Remote.HLSURL, d.Remote.ThumbnailURL} {
			if u != "" && !httpURL(u) {
				t.Fatalf("not an http(s) URL: %q", u)
			}
		}
		for _, tag := range v.Meta.Tags {
			if len(tag) > 30 {
				t.Fatalf("tag of %d bytes", len(tag))
			}
		}
		if !utf8.ValidString(v.Description) || !utf8.ValidString(v.Meta.Support) {
			t.Fatal("invalid UTF-8 kept")
		}
	})
}
