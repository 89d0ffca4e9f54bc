package funding_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"cabane.dev/cabane/app/accounts"
	"cabane.dev/cabane/app/funding"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

func TestValidate(t *testing.T) {
	ok, err := funding.Validate([]model.FundingLink{
		{Kind: "liberapay", URL: " https://liberapay.com/alice "},
		{}, // a form's spare row
		{Kind: "bank", Label: "Virement", Note: "IBAN FR76 3000\r\nAlice"},
		{Kind: "url", Label: "My shop", URL: "http://shop.example/a?b=c"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []model.FundingLink{
		{Kind: "liberapay", Label: "Liberapay", URL: "https://liberapay.com/alice"},
		{Kind: "bank", Label: "Virement", Note: "IBAN FR76 3000\nAlice"},
		{Kind: "url", Label: "My shop", URL: "http://shop.example/a?b=c"},
	}
	if !slices.Equal(ok, want) {
		t.Errorf("cleaned %#v, want %#v", ok, want)
	}
	many := make([]model.FundingLink, funding.MaxLinks+1)
	for i := range many {
		many[i] = model.FundingLink{Kind: "kofi", URL: "https://ko-fi.com/a"}
	}
	for _, c := range []struct {
		name  string
		links []model.FundingLink
		field string
		index int
	}{
		{"javascript URL", []model.FundingLink{{Kind: "url", Label: "x", URL: "javascript:alert(1)"}}, "url", 0},
		{"data URL", []model.FundingLink{{Kind: "paypal", URL: "data:text/html,hi"}}, "url", 0},
		{"no host", []model.FundingLink{{Kind: "paypal", URL: "https:///path"}}, "url", 0},
		{"credentials", []model.FundingLink{{Kind: "patreon", URL: "https://u:p@patreon.com/a"}}, "url", 0},
		{"relative", []model.FundingLink{{Kind: "kofi", URL: "/a"}}, "url", 0},
		{"space", []model.FundingLink{{Kind: "kofi", URL: "https://ko-fi.com/a b"}}, "url", 0},
		{"too long", []model.FundingLink{{Kind: "kofi", URL: "https://ko-fi.com/" + strings.Repeat("a", funding.MaxURLBytes)}}, "url", 0},
		{"unknown kind", []model.FundingLink{{Kind: "kofi", URL: "https://ko-fi.com/a"}, {Kind: "bitcoin", Label: "b", URL: "https://b.example"}}, "kind", 1},
		{"url without label", []model.FundingLink{{Kind: "url", URL: "https://a.example"}}, "label", 0},
		{"label too long", []model.FundingLink{{Kind: "url", Label: strings.Repeat("é", funding.MaxLabelRunes+1), URL: "https://a.example"}}, "label", 0},
		{"label on two lines", []model.FundingLink{{Kind: "url", Label: "a\nb", URL: "https://a.example"}}, "label", 0},
		{"bank without note", []model.FundingLink{{Kind: "bank", Label: "Bank"}}, "note", 0},
		{"bank with URL", []model.FundingLink{{Kind: "bank", Label: "Bank", URL: "https://bank.example", Note: "IBAN"}}, "url", 0},
		{"note on a link", []model.FundingLink{{Kind: "kofi", URL: "https://ko-fi.com/a", Note: "n"}}, "note", 0},
		{"too many", many, "count", 0},
	} {
		_, err := funding.Validate(c.links)
		var fe *funding.FieldError
		if !errors.As(err, &fe) || fe.Field != c.field || fe.Index != c.index {
			t.Errorf("%s: %v, want a %s error at %d", c.name, err, c.field, c.index)
		}
	}
	if _, err := funding.CheckSupport("ab"); err == nil {
		t.Error("a 2-character support text passed (PeerTube wants 3 to 1000)")
	}
	if s, err := funding.CheckSupport("  "); err != nil || s != "" {
		t.Errorf("an empty support text clears it: %q %v", s, err)
	}
}

func TestServiceStoresAndReportsChanges(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "cabane.db"), store.Options{BackupDir: filepath.Join(dir, "b")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, ch, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "alice", Email: "a@example.org", PasswordHash: "h", ChannelName: "alice_ch"})
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := st.Accounts.CreateUser(ctx, repo.NewUser{Username: "bob", Email: "b@example.org", PasswordHash: "h", ChannelName: "bob_ch"})
	if err != nil {
		t.Fatal(err)
	}
	var accountsTold, channelsTold []int64
	s := &funding.Service{Store: st.Funding(), Channels: &accounts.Service{Store: st.Repo()},
		AccountChanged: func(_ context.Context, id int64) { accountsTold = append(accountsTold, id) },
		ChannelChanged: func(_ context.Context, id int64) { channelsTold = append(channelsTold, id) }}
	alice := visibility.Viewer{UserID: u.ID, AccountID: u.AccountID}
	bob := visibility.Viewer{UserID: other.ID, AccountID: other.AccountID}

	links := []model.FundingLink{{Kind: "liberapay", URL: "https://liberapay.com/alice"}, {Kind: "bank", Label: "Bank", Note: "IBAN"}}
	support := "Support me on **Liberapay**"
	if err := s.UpdateChannel(ctx, alice, ch.ID, funding.ChannelUpdate{Support: &support, Links: &links}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Links(ctx, model.ChannelFunding(ch.ID))
	if err != nil || len(got) != 2 || got[0].Label != "Liberapay" || got[1].Note != "IBAN" {
		t.Fatalf("stored %#v %v", got, err)
	}
	if c, _ := st.Accounts.ChannelByID(ctx, ch.ID); c.Support != support {
		t.Errorf("support %q", c.Support)
	}
	// The same again changes nothing: no Update goes out.
	if err := s.UpdateChannel(ctx, alice, ch.ID, funding.ChannelUpdate{Support: &support, Links: &links}); err != nil {
		t.Fatal(err)
	}
	// Someone else's channel, and a refused link, change nothing.
	empty := []model.FundingLink{}
	if err := s.UpdateChannel(ctx, bob, ch.ID, funding.ChannelUpdate{Links: &empty}); !errors.Is(err, funding.ErrForbidden) {
		t.Errorf("bob edited alice's channel: %v", err)
	}
	bad := []model.FundingLink{{Kind: "url", Label: "x", URL: "javascript:alert(1)"}}
	if err := s.UpdateChannel(ctx, alice, ch.ID, funding.ChannelUpdate{Support: new(string), Links: &bad}); err == nil {
		t.Error("a javascript: link was stored")
	}
	if c, _ := st.Accounts.ChannelByID(ctx, ch.ID); c.Support != support {
		t.Errorf("a refused update cleared the support text: %q", c.Support)
	}
	if err := s.UpdateChannel(ctx, visibility.Viewer{}, ch.ID, funding.ChannelUpdate{Links: &empty}); !errors.Is(err, funding.ErrLoginRequired) {
		t.Errorf("anonymous: %v", err)
	}
	if err := s.SetAccountLinks(ctx, alice, links[:1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Links(ctx, model.AccountFunding(u.AccountID)); len(got) != 1 {
		t.Errorf("account links %#v", got)
	}
	if !slices.Equal(channelsTold, []int64{ch.ID}) || !slices.Equal(accountsTold, []int64{u.AccountID}) {
		t.Errorf("told channels %v accounts %v, want one change each", channelsTold, accountsTold)
	}
}
