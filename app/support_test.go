package app

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"

	"cabane.dev/cabane/app/config"
	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/funding"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// A change of a channel's funding links, as the App wires it, sends an
// Update of its Group that carries them (and still passes PeerTube's
// rules); an account's links send an Update of its Person.
func TestFundingChangeUpdatesActors(t *testing.T) {
	ctx := context.Background()
	cfg := config.Default()
	cfg.DataDir, cfg.PublicURL, cfg.MDNS = t.TempDir(), "https://videos.example.org", false
	a, err := Open(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rec := &sends{}
	a.Outbox.Sender, a.Outbox.Audience = rec, oneFollower{}
	u, ch, err := a.Store.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "a@example.org", PasswordHash: "x", ChannelName: "alice_channel"})
	if err != nil {
		t.Fatal(err)
	}
	alice := visibility.Viewer{UserID: u.ID, AccountID: u.AccountID}
	links := []model.FundingLink{{Kind: "liberapay", URL: "https://liberapay.com/alice"}}
	support := "Thank you!"
	if err := a.Funding.UpdateChannel(ctx, alice, ch.ID, funding.ChannelUpdate{Support: &support, Links: &links}); err != nil {
		t.Fatal(err)
	}
	if err := a.Funding.UpdateChannel(ctx, alice, ch.ID, funding.ChannelUpdate{Support: &support, Links: &links}); err != nil {
		t.Fatal(err)
	}
	if err := a.Funding.SetAccountLinks(ctx, alice, links); err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { a.Jobs.Run(runCtx, 1); close(done) }()
	defer func() { cancel(); <-done }()
	got := rec.wait(t, 2)
	types := map[string]int{}
	for _, act := range got {
		obj, _ := act["object"].(map[string]any)
		if act["type"] != "Update" || obj == nil {
			t.Fatalf("sent %v, want Updates of actors", act["type"])
		}
		typ, _ := obj["type"].(string)
		types[typ]++
		doc, _ := json.Marshal(obj)
		if err := ptcheck.Actor(doc); err != nil {
			t.Errorf("the updated %s breaks PeerTube's rules: %v", typ, err)
		}
		var a struct {
			Support    string
			Attachment []struct{ Type, Name, Href, Rel string }
		}
		if err := json.Unmarshal(doc, &a); err != nil {
			t.Fatal(err)
		}
		last := a.Attachment[len(a.Attachment)-1]
		if len(a.Attachment) != 2 || last.Type != "Link" || last.Rel != "payment" || last.Href != links[0].URL || last.Name != "Liberapay" {
			t.Errorf("%s attachment %+v, want the field and the payment link", typ, a.Attachment)
		}
		if typ == "Group" && a.Support != support {
			t.Errorf("Group support %q", a.Support)
		}
	}
	if types["Group"] != 1 || types["Person"] != 1 {
		t.Errorf("sent Updates of %v, want one Group and one Person", types)
	}
}
