package store

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

func TestFundingLinksOrderedPerOwnerAndReplaced(t *testing.T) {
	st, _ := open(t)
	ctx := context.Background()
	u, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "f", Email: "f@example.org", PasswordHash: "h", ChannelName: "f_ch"})
	if err != nil {
		t.Fatal(err)
	}
	f := st.Funding()
	acc, chn := model.AccountFunding(u.AccountID), model.ChannelFunding(ch.ID)
	if got, err := f.Links(ctx, chn); err != nil || len(got) != 0 || got == nil {
		t.Fatalf("no links yet: %#v %v", got, err)
	}
	links := []model.FundingLink{
		{Kind: model.FundingLiberapay, Label: "Liberapay", URL: "https://liberapay.com/f"},
		{Kind: model.FundingBank, Label: "Virement", Note: "IBAN FR76 0000"},
		{Kind: model.FundingURL, Label: "Shop", URL: "https://shop.example/f"},
	}
	if err := f.SetLinks(ctx, chn, links); err != nil {
		t.Fatal(err)
	}
	if err := f.SetLinks(ctx, acc, links[:1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Links(ctx, chn); !reflect.DeepEqual(got, links) {
		t.Errorf("channel links %#v, want %#v", got, links)
	}
	if got, _ := f.Links(ctx, acc); !reflect.DeepEqual(got, links[:1]) {
		t.Errorf("account links %#v, want the first only", got)
	}
	// Replaced, reordered, then emptied; the account's stay.
	next := []model.FundingLink{links[2], links[0]}
	if err := f.SetLinks(ctx, chn, next); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Links(ctx, chn); !reflect.DeepEqual(got, next) {
		t.Errorf("after replace %#v, want %#v", got, next)
	}
	if err := f.SetLinks(ctx, chn, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.Links(ctx, chn); len(got) != 0 {
		t.Errorf("after emptying: %#v", got)
	}
	if got, _ := f.Links(ctx, acc); len(got) != 1 {
		t.Errorf("account's links went with the channel's: %#v", got)
	}
	if err := f.SetChannelSupport(ctx, ch.ID, "Help **me**"); err != nil {
		t.Fatal(err)
	}
	if c, err := st.Accounts.ChannelByID(ctx, ch.ID); err != nil || c.Support != "Help **me**" {
		t.Errorf("support text %q %v", c.Support, err)
	}
	if err := f.SetChannelSupport(ctx, 9999, "x"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown channel: %v", err)
	}
}
