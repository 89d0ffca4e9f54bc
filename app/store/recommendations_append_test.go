package store

import (
	"context"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Append (a followed channel's Announce of a video) adds at the end of a
// list, linked to the video's row when it is one of this server's, and
// never replaces an entry read from the channel's collection, nor goes
// past the list's bound.
func TestRecommendationsAppend(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	_, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "ann", Email: "a@example.org", PasswordHash: "x", ChannelName: "ann_channel"})
	if err != nil {
		t.Fatal(err)
	}
	v := model.Video{UUID: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d", ShortUUID: "s1", ChannelID: ch.ID, Name: "Here", Privacy: model.PrivacyPublic}
	if err := st.Videos.Create(ctx, &v); err != nil {
		t.Fatal(err)
	}
	const base = "https://box.example"
	recs := st.Recommendations()
	read := model.Recommendation{Kind: model.RecommendVideo, IRI: "https://far.example/videos/watch/1", URL: "https://far.example/w/1", Name: "Far", Note: "from the collection"}
	if err := recs.Replace(ctx, ch.ID, []model.Recommendation{read}, base); err != nil {
		t.Fatal(err)
	}
	// The same target announced: the collection's entry (and note) stays.
	if ok, err := recs.Append(ctx, ch.ID, model.Recommendation{Kind: model.RecommendVideo, IRI: read.IRI, URL: read.URL, Name: "Far"}, base, 10); err != nil || ok {
		t.Fatalf("append of a listed target: %v %v", ok, err)
	}
	local := model.Recommendation{Kind: model.RecommendVideo, IRI: base + "/videos/watch/" + v.UUID, URL: base + "/w/s1", Name: "Here"}
	if ok, err := recs.Append(ctx, ch.ID, local, base, 10); err != nil || !ok {
		t.Fatalf("append: %v %v", ok, err)
	}
	list, err := recs.List(ctx, ch.ID, 10)
	if err != nil || len(list) != 2 {
		t.Fatalf("list: %+v %v", list, err)
	}
	if list[0].Note != "from the collection" || list[1].IRI != local.IRI || list[1].VideoID != v.ID || list[1].Position <= list[0].Position {
		t.Errorf("list after append: %+v", list)
	}
	if ok, _ := recs.Append(ctx, ch.ID, model.Recommendation{Kind: model.RecommendVideo, IRI: "https://far.example/videos/watch/2", Name: "Two"}, base, 2); ok {
		t.Error("appended past the bound")
	}
	if err := recs.RemoveIRI(ctx, ch.ID, local.IRI); err != nil {
		t.Fatal(err)
	}
	if err := recs.RemoveIRI(ctx, ch.ID, local.IRI); err == nil {
		t.Error("removing what is not listed: no error")
	}
	if list, _ := recs.List(ctx, ch.ID, 10); len(list) != 1 {
		t.Errorf("after removal: %+v", list)
	}
}
