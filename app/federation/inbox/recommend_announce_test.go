package inbox

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"cabane.dev/cabane/app/model"
)

// fakeRecommender keeps what followed channels recommend, as
// following.Service does, for the channels in followed.
type fakeRecommender struct {
	mu       sync.Mutex
	followed map[string]bool
	lists    map[string][]string // channel IRI → video IRIs
	names    map[string]string   // video IRI → name
}

func (f *fakeRecommender) Announced(_ context.Context, ch string, v model.Video, rv model.RemoteVideo) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.followed[ch] {
		return false, nil
	}
	f.lists[ch] = append(f.lists[ch], rv.IRI)
	f.names[rv.IRI] = v.Name
	return true, nil
}

func (f *fakeRecommender) Unannounced(_ context.Context, ch, video string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, iri := range f.lists[ch] {
		if iri == video {
			f.lists[ch] = append(f.lists[ch][:i], f.lists[ch][i+1:]...)
			return true, nil
		}
	}
	return false, nil
}

// A followed channel's Announce of another channel's video (how Cabane's
// channels federate what they recommend) is kept as its recommendation,
// the video read from its origin and not stored as a video of any
// followed channel; its Undo takes it off. From a channel nobody here
// follows it is dropped.
func TestFollowedChannelRecommendsByAnnounce(t *testing.T) {
	r := newRig(t)
	o := newPTOrigin(t)
	ctx := context.Background()
	rec := &fakeRecommender{followed: map[string]bool{o.iri(ptChannel): true}, lists: map[string][]string{}, names: map[string]string{}}
	r.svc.Recommender = rec
	// Another channel's video on the same PeerTube.
	const otherUUID = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a"
	doc := strings.ReplaceAll(string(o.docs["/videos/watch/"+ptVideoUUID]), ptVideoUUID, otherUUID)
	o.docs["/videos/watch/"+otherUUID] = []byte(strings.ReplaceAll(doc, ptChannel, "/video-channels/other_channel"))
	video := o.iri("/videos/watch/" + otherUUID)
	public := []string{"https://www.w3.org/ns/activitystreams#Public"}
	announce := activityJSON(t, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Announce",
		"id": o.iri(ptChannel) + "/announces/7", "actor": o.iri(ptChannel), "object": video, "to": public})
	keyID := o.iri(ptChannel) + "#main-key"

	if st := r.postAs(announce, keyID, remoteKey(0)); st != http.StatusNoContent {
		t.Fatalf("a followed channel's recommendation: %d, want 204", st)
	}
	if got := rec.lists[o.iri(ptChannel)]; len(got) != 1 || got[0] != video || rec.names[video] == "" {
		t.Fatalf("recommendations: %v (%v)", got, rec.names)
	}
	if _, err := r.st.Follows().RemoteVideoByIRI(ctx, video); err == nil {
		t.Error("the recommended video was stored as a followed channel's")
	}
	undo := activityJSON(t, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Undo",
		"id": o.iri(ptChannel) + "/announces/7/undo", "actor": o.iri(ptChannel), "to": public,
		"object": map[string]any{"type": "Announce", "id": o.iri(ptChannel) + "/announces/7", "actor": o.iri(ptChannel), "object": video}})
	if st := r.postAs(undo, keyID, remoteKey(0)); st != http.StatusNoContent {
		t.Fatalf("Undo of the recommendation: %d, want 204", st)
	}
	if got := rec.lists[o.iri(ptChannel)]; len(got) != 0 {
		t.Fatalf("after the Undo: %v", got)
	}

	// Nobody follows it: dropped, nothing kept.
	delete(rec.followed, o.iri(ptChannel))
	again := activityJSON(t, map[string]any{"@context": "https://www.w3.org/ns/activitystreams", "type": "Announce",
		"id": o.iri(ptChannel) + "/announces/8", "actor": o.iri(ptChannel), "object": video, "to": public})
	if st := r.postAs(again, keyID, remoteKey(0)); st != http.StatusAccepted {
		t.Fatalf("an unfollowed channel's recommendation: %d, want 202", st)
	}
	if got := rec.lists[o.iri(ptChannel)]; len(got) != 0 {
		t.Fatalf("kept from an unfollowed channel: %v", got)
	}
}
