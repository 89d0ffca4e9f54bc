package outbox_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/outbox"
	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
)

const (
	public           = "https://www.w3.org/ns/activitystreams#Public"
	videoIRI         = base + "/videos/watch/" + uuid1
	accountIRI       = base + "/accounts/alice"
	channelIRI       = base + "/video-channels/alice_channel"
	accountFollowers = accountIRI + "/followers"
	channelFollowers = channelIRI + "/followers"
)

// strs reads a JSON array of strings.
func strs(x any) []string {
	var out []string
	xs, _ := x.([]any)
	for _, x := range xs {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func same(got []string, want ...string) bool { return slices.Equal(got, want) }

// followersOfBoth: the account's and the channel's followers, carol once.
var followersOfBoth = []federation.Recipient{bob, carol, dan}

func unpublished(privacy int) model.Video {
	v := video(privacy)
	v.State, v.PublishedAt = model.StateToTranscode, time.Time{}
	return v
}

// A public video that gets published: a Create from the account, whose
// Video passes PeerTube's rules, and an Announce from the channel, both
// to Public, copied to the account's and the channel's followers, and
// delivered once to each follower of either.
func TestPublishPublicSendsCreateAndAnnounce(t *testing.T) {
	r := newRig(t)
	r.dom.set(video(model.PrivacyPublic))
	r.change(unpublished(model.PrivacyPublic), video(model.PrivacyPublic))
	got := r.run(2)
	if len(got) != 2 {
		t.Fatalf("%d activities sent, want Create and Announce", len(got))
	}
	create, announce := got[0], got[1]
	if create.Activity["type"] != "Create" || announce.Activity["type"] != "Announce" {
		t.Fatalf("sent %v then %v, want Create then Announce", create.Activity["type"], announce.Activity["type"])
	}
	if create.From != (federation.LocalActor{Key: keys.Actor{Kind: keys.Account, ID: alice.ID}, IRI: accountIRI}) ||
		create.Activity["actor"] != accountIRI || create.Activity["id"] != videoIRI+"/activity" {
		t.Errorf("Create from %+v actor %v id %v", create.From, create.Activity["actor"], create.Activity["id"])
	}
	if announce.From != (federation.LocalActor{Key: keys.Actor{Kind: keys.Channel, ID: channel.ID}, IRI: channelIRI}) ||
		announce.Activity["actor"] != channelIRI || announce.Activity["object"] != videoIRI ||
		announce.Activity["id"] != videoIRI+"/announces/9" {
		t.Errorf("Announce from %+v: %v", announce.From, announce.Activity)
	}
	for _, s := range got {
		if !same(strs(s.Activity["to"]), public) || !same(strs(s.Activity["cc"]), accountFollowers, channelFollowers) {
			t.Errorf("%v: to %v cc %v, want to Public cc both followers", s.Activity["type"], s.Activity["to"], s.Activity["cc"])
		}
		if !slices.Equal(s.To, followersOfBoth) {
			t.Errorf("%v delivered to %v, want %v", s.Activity["type"], s.To, followersOfBoth)
		}
		if _, ok := s.Activity["@context"]; !ok {
			t.Errorf("%v has no @context", s.Activity["type"])
		}
	}
	obj, _ := create.Activity["object"].(map[string]any)
	doc, _ := json.Marshal(obj)
	if err := ptcheck.Video(doc); err != nil {
		t.Errorf("the Video in the Create breaks PeerTube's rules: %v", err)
	}
	if obj["id"] != videoIRI || obj["name"] != "Blue tit at the feeder" || !same(strs(obj["to"]), public) ||
		!same(strs(obj["cc"]), accountFollowers, channelFollowers) {
		t.Errorf("Create's object: id %v name %v to %v cc %v", obj["id"], obj["name"], obj["to"], obj["cc"])
	}
	if _, ok := obj["@context"]; ok {
		t.Error("the object repeats the activity's @context")
	}
}

// An unlisted video is addressed the other way round: to the followers,
// copied to Public (reachable, never in a public timeline).
func TestUnlistedAddressing(t *testing.T) {
	r := newRig(t)
	v := video(model.PrivacyUnlisted)
	r.dom.set(v)
	r.change(unpublished(model.PrivacyUnlisted), v)
	got := r.run(2)
	for _, s := range got {
		if !same(strs(s.Activity["to"]), accountFollowers, channelFollowers) || !same(strs(s.Activity["cc"]), public) {
			t.Errorf("unlisted %v: to %v cc %v", s.Activity["type"], s.Activity["to"], s.Activity["cc"])
		}
	}
	obj, _ := got[0].Activity["object"].(map[string]any)
	if !same(strs(obj["to"]), accountFollowers, channelFollowers) || !same(strs(obj["cc"]), public) {
		t.Errorf("unlisted object: to %v cc %v", obj["to"], obj["cc"])
	}
}

// Private, internal, password-protected, local-network-only and
// unfinished videos queue nothing, whatever they change to among
// themselves, and nothing reaches the Sender.
func TestNonFederatingVideosAreNeverSent(t *testing.T) {
	r := newRig(t)
	hidden := []model.Video{video(model.PrivacyPrivate), video(model.PrivacyInternal), video(model.PrivacyPassword),
		video(model.PrivacyLocal), unpublished(model.PrivacyPublic)}
	for _, before := range hidden {
		for _, after := range hidden {
			r.dom.set(after)
			r.change(before, after)
		}
		r.change(before, model.Video{}) // deleted
		r.change(model.Video{}, before) // new
	}
	if js := r.jobsOf(outbox.JobVideo); len(js) != 0 {
		t.Fatalf("%d jobs queued for videos that never federate", len(js))
	}
	// Even a job queued while the video federated sends nothing once it
	// no longer does.
	r.change(unpublished(model.PrivacyPublic), video(model.PrivacyPublic))
	r.dom.set(video(model.PrivacyPassword))
	r.run(0)
	if got := r.rec.all(); len(got) != 0 {
		t.Fatalf("sent %d activities for a password-protected video", len(got))
	}
}

// An edit of a federated video is an Update from the account, with the
// video as it is now and an id made from the change's time.
func TestEditSendsUpdate(t *testing.T) {
	r := newRig(t)
	before := video(model.PrivacyPublic)
	after := before
	after.Name, after.Meta.Tags = "Great tit at the feeder", []string{"birds", "winter"}
	r.dom.set(after)
	r.change(before, after)
	got := r.run(1)
	if len(got) != 1 || got[0].Activity["type"] != "Update" {
		t.Fatalf("sent %d activities (%v), want one Update", len(got), got)
	}
	u := got[0]
	if u.Activity["actor"] != accountIRI || u.From.Key != (keys.Actor{Kind: keys.Account, ID: alice.ID}) ||
		u.Activity["id"] != videoIRI+"/updates/2026-03-02T10:00:00.000Z" {
		t.Errorf("Update actor %v from %+v id %v", u.Activity["actor"], u.From, u.Activity["id"])
	}
	obj, _ := u.Activity["object"].(map[string]any)
	doc, _ := json.Marshal(obj)
	if err := ptcheck.Video(doc); err != nil {
		t.Errorf("the updated Video breaks PeerTube's rules: %v", err)
	}
	if obj["name"] != "Great tit at the feeder" || !strings.Contains(string(doc), `"winter"`) {
		t.Errorf("Update carries name %v, tags %v", obj["name"], obj["tag"])
	}
	if !slices.Equal(u.To, followersOfBoth) {
		t.Errorf("Update delivered to %v", u.To)
	}
}

// A deleted video is a Delete of a Tombstone from the account, addressed
// as the video was, sent though the row is gone.
func TestDeleteSendsDelete(t *testing.T) {
	r := newRig(t)
	r.change(video(model.PrivacyUnlisted), model.Video{})
	got := r.run(1)
	if len(got) != 1 {
		t.Fatalf("sent %d activities, want one Delete", len(got))
	}
	d := got[0]
	obj, _ := d.Activity["object"].(map[string]any)
	if d.Activity["type"] != "Delete" || d.Activity["id"] != videoIRI+"/delete" || d.Activity["actor"] != accountIRI ||
		obj["type"] != "Tombstone" || obj["id"] != videoIRI {
		t.Errorf("Delete: %v", d.Activity)
	}
	if !same(strs(d.Activity["to"]), accountFollowers, channelFollowers) || !same(strs(d.Activity["cc"]), public) {
		t.Errorf("Delete of an unlisted video: to %v cc %v", d.Activity["to"], d.Activity["cc"])
	}
	if !slices.Equal(d.To, followersOfBoth) || d.From.Key != (keys.Actor{Kind: keys.Account, ID: alice.ID}) {
		t.Errorf("Delete from %+v to %v", d.From, d.To)
	}
}

// A privacy change that takes a video out of federation is a Delete; one
// that brings it back, a Create again.
func TestPrivacyChangesDeleteAndCreate(t *testing.T) {
	for _, p := range []int{model.PrivacyPrivate, model.PrivacyPassword, model.PrivacyLocal, model.PrivacyInternal} {
		r := newRig(t)
		r.dom.set(video(p))
		r.change(video(model.PrivacyPublic), video(p))
		got := r.run(1)
		if len(got) != 1 || got[0].Activity["type"] != "Delete" {
			t.Fatalf("public → privacy %d sent %v, want one Delete", p, got)
		}
		if !same(strs(got[0].Activity["to"]), public) {
			t.Errorf("Delete addressed to %v, want Public (the video was public)", got[0].Activity["to"])
		}
		r.dom.set(video(model.PrivacyPublic))
		r.change(video(p), video(model.PrivacyPublic))
		got = r.run(3)
		if got[1].Activity["type"] != "Create" || got[2].Activity["type"] != "Announce" {
			t.Errorf("back to public: sent %v then %v", got[1].Activity["type"], got[2].Activity["type"])
		}
		r.close()
	}
}

// A Delete whose video came back in federation before it ran sends
// nothing: the Create queued behind it speaks last.
func TestStaleDeleteIsDropped(t *testing.T) {
	r := newRig(t)
	r.change(video(model.PrivacyPublic), video(model.PrivacyPrivate))
	r.dom.set(video(model.PrivacyPublic))
	r.change(video(model.PrivacyPrivate), video(model.PrivacyPublic))
	got := r.run(2)
	var types []string
	for _, s := range got {
		types = append(types, s.Activity["type"].(string))
	}
	if !slices.Equal(types, []string{"Create", "Announce"}) {
		t.Errorf("sent %v, want the Create and Announce only", types)
	}
}

// The job is committed with the write: one queued before a crash (the
// process stops before any worker ran) is sent after the restart; a write
// that rolls back queues nothing.
func TestQueuedChangeSurvivesRestart(t *testing.T) {
	r := newRig(t)
	r.dom.set(video(model.PrivacyPublic))
	r.change(unpublished(model.PrivacyPublic), video(model.PrivacyPublic))
	// A write that fails after the hook: its job goes with it.
	err := r.st.WithTx(context.Background(), func(tx *store.Tx) error {
		if err := r.ob.VideoChanged(context.Background(), tx.SQL(), video(model.PrivacyPublic), model.Video{}); err != nil {
			return err
		}
		return context.Canceled
	})
	if err == nil {
		t.Fatal("the failing write committed")
	}
	r.close() // the crash: nothing ran
	if len(r.rec.all()) != 0 {
		t.Fatal("sent before the restart")
	}
	r.open()
	defer r.close()
	got := r.run(2)
	var types []string
	for _, s := range got {
		types = append(types, s.Activity["type"].(string))
	}
	if !slices.Equal(types, []string{"Create", "Announce"}) {
		t.Errorf("after the restart sent %v, want Create and Announce (and no Delete from the rolled-back write)", types)
	}
}

// A job run twice (a crash after the send, a retry) sends the same
// activity, same id, byte for byte: receivers drop the repeat.
func TestActivityIDsAreStable(t *testing.T) {
	r := newRig(t)
	before := video(model.PrivacyPublic)
	after := before
	after.Name = "Renamed bird"
	r.dom.set(after)
	r.change(before, after)
	r.change(video(model.PrivacyPublic), model.Video{})
	js := r.jobsOf(outbox.JobVideo)
	if len(js) != 2 {
		t.Fatalf("%d jobs, want an update and a delete", len(js))
	}
	ctx := context.Background()
	slices.Reverse(js) // oldest first: the update, then the delete
	for i, j := range js {
		if i == 1 {
			r.dom.remove(after.ID)
		}
		for range 2 {
			r.now = r.now.Add(time.Hour) // later runs, same payload
			if err := r.ob.HandleVideo(ctx, &j); err != nil {
				t.Fatal(err)
			}
		}
	}
	got := r.rec.all()
	if len(got) != 4 {
		t.Fatalf("%d sends, want 4", len(got))
	}
	for i := 0; i < 4; i += 2 {
		if string(got[i].Raw) != string(got[i+1].Raw) {
			t.Errorf("the same job sent two different activities:\n%s\n%s", got[i].Raw, got[i+1].Raw)
		}
	}
	if got[0].Activity["id"] == got[2].Activity["id"] {
		t.Error("two changes share an activity id")
	}
}

// An account's new name or avatar is an Update of its Person, which
// passes PeerTube's actor rules, to the followers of the account and of
// its channels.
func TestAccountChangeSendsUpdatePerson(t *testing.T) {
	r := newRig(t)
	r.ob.AccountChanged(context.Background(), alice.ID)
	got := r.run(1)
	if len(got) != 1 {
		t.Fatalf("sent %d activities, want one Update", len(got))
	}
	u := got[0]
	obj, _ := u.Activity["object"].(map[string]any)
	if u.Activity["type"] != "Update" || u.Activity["actor"] != accountIRI || obj["type"] != "Person" || obj["id"] != accountIRI ||
		u.Activity["id"] != accountIRI+"/updates/2026-03-02T10:00:00.000Z" {
		t.Errorf("actor update: %v", u.Activity)
	}
	if !same(strs(u.Activity["to"]), public) || !same(strs(u.Activity["cc"]), accountFollowers) {
		t.Errorf("actor update: to %v cc %v", u.Activity["to"], u.Activity["cc"])
	}
	doc, _ := json.Marshal(obj)
	if err := ptcheck.Actor(doc); err != nil {
		t.Errorf("the Person breaks PeerTube's rules: %v", err)
	}
	if !slices.Equal(u.To, followersOfBoth) || u.From.Key != (keys.Actor{Kind: keys.Account, ID: alice.ID}) {
		t.Errorf("Update from %+v to %v", u.From, u.To)
	}
	r.ob.ChannelChanged(context.Background(), channel.ID)
	got = r.run(2)
	g := got[1]
	obj, _ = g.Activity["object"].(map[string]any)
	if g.Activity["actor"] != channelIRI || obj["type"] != "Group" || g.From.Key != (keys.Actor{Kind: keys.Channel, ID: channel.ID}) ||
		!slices.Equal(g.To, []federation.Recipient{carol, dan}) {
		t.Errorf("channel update: %v from %+v to %v", g.Activity, g.From, g.To)
	}
}

// View counts: an Update at once, then at most one per CountsEvery while
// views keep coming; a video that does not federate gets none.
func TestViewCountsAreDebounced(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := video(model.PrivacyPublic)
	r.dom.set(v)
	hidden := video(model.PrivacyPrivate)
	hidden.ID, hidden.UUID = 6, "6d161a1a-ec38-43d2-b03a-984b05fb8f7a"
	r.dom.set(hidden)
	r.ob.ViewsCounted(ctx, []int64{v.ID, hidden.ID})
	r.ob.ViewsCounted(ctx, []int64{v.ID}) // pending already
	js := r.jobsOf(outbox.JobVideo)
	if len(js) != 1 {
		t.Fatalf("%d jobs queued, want one for the public video", len(js))
	}
	v.Views = 99
	r.dom.set(v)
	got := r.run(1)
	obj, _ := got[0].Activity["object"].(map[string]any)
	if got[0].Activity["type"] != "Update" || obj["views"] != float64(99) {
		t.Fatalf("sent %v with views %v, want an Update with 99", got[0].Activity["type"], obj["views"])
	}
	// More views two minutes later: one Update, due ten minutes after
	// the last one.
	r.now = r.now.Add(2 * time.Minute)
	start := time.Now()
	r.ob.ViewsCounted(ctx, []int64{v.ID})
	r.ob.ViewsCounted(ctx, []int64{v.ID})
	js = r.jobsOf(outbox.JobVideo)
	if len(js) != 2 || js[0].State != jobs.StateQueued {
		t.Fatalf("%d jobs, newest %s; want a second one queued", len(js), js[0].State)
	}
	if wait := js[0].RunAfter.Sub(start); wait < 7*time.Minute || wait > 9*time.Minute {
		t.Errorf("the next counts Update waits %v, want about 8 minutes", wait)
	}
	// Nobody following: no job at all.
	r.ob.Audience = &audience{}
	r.now = r.now.Add(time.Hour)
	other := video(model.PrivacyPublic)
	other.ID, other.UUID = 8, "8d161a1a-ec38-43d2-b03a-984b05fb8f7a"
	r.dom.set(other)
	r.ob.ViewsCounted(ctx, []int64{other.ID})
	if js := r.jobsOf(outbox.JobVideo); len(js) != 2 {
		t.Errorf("%d jobs, want none more for a video nobody follows", len(js))
	}
}

// Without a public URL, or before delivery is wired, nothing is queued.
func TestOffQueuesNothing(t *testing.T) {
	r := newRig(t)
	r.ob.Identity = federation.NewIdentity("http://cabane.local", nil)
	r.change(unpublished(model.PrivacyPublic), video(model.PrivacyPublic))
	r.ob.AccountChanged(context.Background(), alice.ID)
	r.ob.ViewsCounted(context.Background(), []int64{5})
	r.ob.Identity = federation.NewIdentity(base, nil)
	r.ob.Sender = nil
	r.change(unpublished(model.PrivacyPublic), video(model.PrivacyPublic))
	if js, _ := r.q.List(context.Background(), jobs.ListFilter{}); len(js) != 0 {
		t.Fatalf("%d jobs queued with federation off", len(js))
	}
}

// A remote video, or a remote account or channel, is its origin's to
// federate: its arrival, refresh, local removal and view counts queue
// nothing here, and an actor job for a remote actor (a stray one) sends
// no Update in its name.
func TestRemoteRowsAreNeverSent(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	v := remote()
	r.dom.set(v)
	edited := v
	edited.Name = "Renamed by its origin"
	r.change(model.Video{}, v)      // stored from the origin
	r.change(v, edited)             // refreshed
	r.change(edited, model.Video{}) // removed here by an admin
	r.dom.set(v)
	r.ob.ViewsCounted(ctx, []int64{v.ID})
	if js := r.jobsOf(outbox.JobVideo); len(js) != 0 {
		t.Fatalf("%d video jobs queued for a remote video", len(js))
	}
	r.ob.AccountChanged(ctx, remoteAccount.ID)
	r.ob.ChannelChanged(ctx, remoteChannel.ID)
	if got := r.run(0); len(got) != 0 {
		t.Fatalf("sent %d activities for remote actors: %v", len(got), got[0].Activity)
	}
	if js := r.jobsOf(outbox.JobActor); len(js) != 2 || js[0].State != jobs.StateDone || js[1].State != jobs.StateDone {
		t.Fatalf("actor jobs = %+v, want two done", js)
	}
}
