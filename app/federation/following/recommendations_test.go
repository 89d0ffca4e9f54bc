package following

import (
	"encoding/json"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
)

// What Cabane publishes (federation.RecommendationCollection) is what it
// reads; items of other types or without an http(s) id are left out,
// notes bounded, and a collection of another actor refused.
func TestReadRecommendationCollection(t *testing.T) {
	u := uris.New("https://a.example")
	ch := model.Channel{Name: "alice_channel"}
	coll := federation.RecommendationCollection(u, ch, []model.Recommendation{
		{Kind: model.RecommendVideo, IRI: "https://b.example/videos/watch/x", URL: "https://b.example/w/x", Name: "Wren", Note: "Listen"},
		{Kind: model.RecommendChannel, IRI: "https://b.example/video-channels/bob", Name: "Bob", Note: strings.Repeat("n", 600)},
		{Kind: model.RecommendChannel, IRI: "javascript:alert(1)", Name: "bad"},
	})
	body, err := jsonOf(coll)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := ReadRecommendationCollection(body, "https://a.example/video-channels/alice_channel")
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Kind != model.RecommendVideo || rs[0].IRI != "https://b.example/videos/watch/x" || rs[0].URL != "https://b.example/w/x" ||
		rs[0].Note != "Listen" || rs[1].Kind != model.RecommendChannel || rs[1].URL != rs[1].IRI || len(rs[1].Note) != model.MaxRecommendationNote {
		t.Errorf("read %+v", rs)
	}
	if _, err := ReadRecommendationCollection(body, "https://a.example/video-channels/other"); err == nil {
		t.Error("a collection attributed to another channel was read")
	}
}

func jsonOf(v any) ([]byte, error) { return json.Marshal(v) }
