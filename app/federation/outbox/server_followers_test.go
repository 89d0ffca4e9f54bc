package outbox_test

import (
	"slices"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/model"
)

// An instance that follows this one (its server actor follows the server
// actor) hears of every public video, as PeerTube's followers of a server
// do; a follower of both the server and the account is sent each activity
// once; an unlisted video does not reach the instance's followers.
func TestPublicVideoReachesServerFollowers(t *testing.T) {
	eve := federation.Recipient{Actor: "https://cabane.example/accounts/peertube", Inbox: "https://cabane.example/accounts/peertube/inbox",
		SharedInbox: "https://cabane.example/inbox"}
	for _, tc := range []struct {
		privacy int
		want    []federation.Recipient
	}{
		{model.PrivacyPublic, append(slices.Clone(followersOfBoth), eve)},
		{model.PrivacyUnlisted, followersOfBoth},
	} {
		r := newRig(t)
		r.ob.Audience.(*audience).by[keys.ServerActor] = []federation.Recipient{eve, bob}
		v := video(tc.privacy)
		r.dom.set(v)
		r.change(unpublished(tc.privacy), v)
		got := r.run(2)
		if len(got) != 2 {
			t.Fatalf("privacy %d: %d activities sent, want Create and Announce", tc.privacy, len(got))
		}
		for _, s := range got {
			if !slices.Equal(s.To, tc.want) {
				t.Errorf("privacy %d: %v delivered to %v, want %v", tc.privacy, s.Activity["type"], s.To, tc.want)
			}
		}
		r.close()
	}
}
