package supporters

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

type fakeResolver struct{}

func (fakeResolver) ResolveActor(_ context.Context, uri string) (string, error) {
	return "https://masto.example/users/" + uri[:3], nil
}

func (fakeResolver) Actor(_ context.Context, iri string) (model.RemoteActor, error) {
	return model.RemoteActor{IRI: iri, Inbox: iri + "/inbox", PreferredUsername: iri[len(iri)-3:], Host: "masto.example"}, nil
}

// Links survive a restart (the key is stored), answer while active, stop
// at revocation; local supporters are found by account; the direct Note's
// list holds active remote supporters not yet sent one.
func TestSupportersLinksAndRevocation(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cabane.db")
	st := openStore(t, path)
	u, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "creator", Email: "c@example.org", PasswordHash: "h", ChannelName: "creator_ch"})
	if err != nil {
		t.Fatal(err)
	}
	fan, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "fan", Email: "f@example.org", PasswordHash: "h", ChannelName: "fan_ch"})
	if err != nil {
		t.Fatal(err)
	}
	owner := visibility.Of(&u, false)
	svc := &Service{Store: st, Resolver: fakeResolver{}}
	named, err := svc.Add(ctx, owner, AddRequest{Kind: model.SupporterNamed, Who: "Grandma"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Add(ctx, owner, AddRequest{Kind: model.SupporterLocal, Who: "fan"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Add(ctx, owner, AddRequest{Kind: model.SupporterLocal, Who: "fan"}); !errors.Is(err, ErrDuplicate) {
		t.Errorf("the same local supporter twice: %v", err)
	}
	if _, err := svc.Add(ctx, owner, AddRequest{Kind: model.SupporterLocal, Who: "nobody"}); !errors.Is(err, ErrNoAccount) {
		t.Errorf("an unknown account: %v", err)
	}
	sam, err := svc.Add(ctx, owner, AddRequest{Kind: model.SupporterRemote, Who: "sam@masto.example"})
	if err != nil || sam.Inbox != "https://masto.example/users/sam/inbox" || sam.Name != "sam@masto.example" {
		t.Fatalf("remote supporter: %+v %v", sam, err)
	}
	rita, err := svc.Add(ctx, owner, AddRequest{Kind: model.SupporterRemote, Who: "rit@masto.example"})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.SupportedBy(ctx, fan.AccountID); len(got) != 1 || got[0] != u.AccountID {
		t.Errorf("the fan supports %v", got)
	}
	// A restart: a new service on the reopened store.
	st.Close()
	st = openStore(t, path)
	defer st.Close()
	svc = &Service{Store: st}
	if got, err := svc.ByToken(ctx, named.Token); err != nil || got != u.AccountID {
		t.Fatalf("the link after a restart: %d %v", got, err)
	}
	list, err := svc.List(ctx, owner)
	if err != nil || len(list) != 4 || list[3].Token != named.Token {
		t.Fatalf("the list shows the links again: %d entries %v", len(list), err)
	}
	if err := svc.Revoke(ctx, owner, named.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := svc.ByToken(ctx, named.Token); got != 0 {
		t.Error("a revoked link still answers")
	}
	other := visibility.Of(&fan, false)
	if err := svc.Revoke(ctx, other, sam.ID); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("someone else revoking a supporter: %v", err)
	}
	if err := svc.Revoke(ctx, owner, rita.ID); err != nil {
		t.Fatal(err)
	}
	un, err := svc.Unnoted(ctx, u.AccountID, 99)
	if err != nil || len(un) != 1 || un[0].ID != sam.ID {
		t.Fatalf("awaiting the Note: %+v %v", un, err)
	}
}
