package federation_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"cabane.dev/cabane/app/federation/ptcheck"
	"cabane.dev/cabane/app/model"
)

// fundingByOwner answers as funding.Service does, and can fail.
type fundingByOwner struct {
	links map[model.FundingOwner][]model.FundingLink
	fail  error
}

func (f fundingByOwner) Links(_ context.Context, o model.FundingOwner) ([]model.FundingLink, error) {
	return f.links[o], f.fail
}

// attachment is an actor's attachment as a peer reads it: plain JSON.
type attachment struct {
	Type, Name, Value, Href, Rel string
}

func attachmentsOf(t *testing.T, doc any) ([]attachment, []byte) {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var a struct{ Attachment []attachment }
	if err := json.Unmarshal(b, &a); err != nil {
		t.Fatal(err)
	}
	return a.Attachment, b
}

// Funding links go out as Mastodon's profile fields (PropertyValue, an
// HTML link as value) and as FEP-0ea0 payment Links; a bank note is a
// field only (no URL to pay at); PeerTube still ingests the actors.
func TestActorsCarryFundingLinks(t *testing.T) {
	s, _ := service(t)
	ctx := context.Background()
	f := fundingByOwner{links: map[model.FundingOwner][]model.FundingLink{
		model.AccountFunding(alice.ID): {{Kind: "liberapay", Label: "Liberapay", URL: "https://liberapay.com/alice"}},
		model.ChannelFunding(channel.ID): {
			{Kind: "kofi", Label: "Ko-fi <3", URL: "https://ko-fi.com/birds?a=1&b=2"},
			{Kind: "bank", Label: "Virement", Note: "IBAN FR76 <3000>\nAlice"},
		},
	}}
	s.Funding = f
	p, err := s.Person(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	got, doc := attachmentsOf(t, p)
	want := []attachment{
		{Type: "PropertyValue", Name: "Liberapay", Value: `<a href="https://liberapay.com/alice" target="_blank" rel="me nofollow noopener noreferrer" translate="no">liberapay.com/alice</a>`},
		{Type: "Link", Name: "Liberapay", Href: "https://liberapay.com/alice", Rel: "payment"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("Person attachment %+v, want %+v", got, want)
	}
	if err := ptcheck.Actor(doc); err != nil {
		t.Errorf("Person with links breaks PeerTube's rules: %v", err)
	}
	g, err := s.Group(ctx, channel.Name)
	if err != nil {
		t.Fatal(err)
	}
	got, doc = attachmentsOf(t, g)
	want = []attachment{
		{Type: "PropertyValue", Name: "Ko-fi <3", Value: `<a href="https://ko-fi.com/birds?a=1&amp;b=2" target="_blank" rel="me nofollow noopener noreferrer" translate="no">ko-fi.com/birds?a=1&amp;b=2</a>`},
		{Type: "PropertyValue", Name: "Virement", Value: "IBAN FR76 &lt;3000&gt;<br>Alice"},
		{Type: "Link", Name: "Ko-fi <3", Href: "https://ko-fi.com/birds?a=1&b=2", Rel: "payment"},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("Group attachment %+v, want %+v", got, want)
	}
	if err := ptcheck.Actor(doc); err != nil {
		t.Errorf("Group with links breaks PeerTube's rules: %v", err)
	}
	var support struct{ Support string }
	if err := json.Unmarshal(doc, &support); err != nil || support.Support != channel.Support {
		t.Errorf("Group support %q, want PeerTube's field %q", support.Support, channel.Support)
	}
	// Without links the property is left out; a failed read fails the
	// document (an Update without them would erase them at the peers).
	s.Funding = fundingByOwner{}
	if got, _ := attachmentsOf(t, must(s.Person(ctx, "alice"))); got != nil {
		t.Errorf("no links, attachment %+v", got)
	}
	s.Funding = fundingByOwner{fail: errors.New("disk I/O error")}
	if _, err := s.Group(ctx, channel.Name); err == nil {
		t.Error("a Group was made without its links")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
