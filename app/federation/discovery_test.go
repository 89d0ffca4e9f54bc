package federation_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
	"testing"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
)

func TestWebfinger(t *testing.T) {
	s, _ := service(t)
	ctx := context.Background()
	const base = "https://videos.example.org"
	for _, c := range []struct{ resource, subject, self, page string }{
		{"acct:alice@videos.example.org", "acct:alice@videos.example.org", "/accounts/alice", "/a/alice"},
		{"acct:@Alice@Videos.Example.org", "acct:alice@videos.example.org", "/accounts/alice", "/a/alice"},
		{"acct:alice_channel@videos.example.org", "acct:alice_channel@videos.example.org", "/video-channels/alice_channel", "/c/alice_channel"},
		{"acct:peertube@videos.example.org", "acct:peertube@videos.example.org", "/accounts/peertube", "/accounts/peertube"},
		{base + "/accounts/alice", "acct:alice@videos.example.org", "/accounts/alice", "/a/alice"},
		{base + "/c/alice_channel", "acct:alice_channel@videos.example.org", "/video-channels/alice_channel", "/c/alice_channel"},
		{base + "/accounts/peertube", "acct:peertube@videos.example.org", "/accounts/peertube", "/accounts/peertube"},
	} {
		j, err := s.Webfinger(ctx, c.resource)
		if err != nil {
			t.Errorf("%s: %v", c.resource, err)
			continue
		}
		want := vocab.JRD{Subject: c.subject, Aliases: []string{base + c.self}, Links: []vocab.JRDLink{
			{Rel: "self", Type: "application/activity+json", Href: base + c.self},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: base + c.page}}}
		if fmt.Sprint(j) != fmt.Sprint(want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.resource, j, want)
		}
	}
	for _, bad := range []string{"", "alice@videos.example.org", "acct:alice@cabane.local", "acct:alice", "acct:alice@videos.example.org@x",
		"https://cabane.local/accounts/alice", base + "/videos/watch/x", "http://videos.example.org/accounts/alice"} {
		if _, err := s.Webfinger(ctx, bad); !errors.Is(err, federation.ErrBadResource) {
			t.Errorf("%q: %v, want a bad resource", bad, err)
		}
	}
	for _, missing := range []string{"acct:bob@videos.example.org", base + "/video-channels/alice", base + "/accounts/alice_channel"} {
		if _, err := s.Webfinger(ctx, missing); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%q: %v, want not found", missing, err)
		}
	}
}

func TestDiscoveryDocuments(t *testing.T) {
	s, _ := service(t)
	ctx := context.Background()
	hm, err := s.HostMeta()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := xml.Marshal(hm)
	if string(b) != `<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0"><Link rel="lrdd" type="application/xrd+xml" template="https://videos.example.org/.well-known/webfinger?resource={uri}"></Link></XRD>` {
		t.Errorf("host-meta: %s", b)
	}
	links, err := s.NodeInfoLinks()
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "nodeinfo-links.json", links)
	s.Stats = stats{}
	for _, v := range []string{"2.0", "2.1"} {
		n, err := s.NodeInfo(ctx, v)
		if err != nil {
			t.Fatal(err)
		}
		golden(t, "nodeinfo-"+v+".json", n)
	}
	if _, err := s.NodeInfo(ctx, "1.0"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("nodeinfo 1.0: %v", err)
	}
}

type stats struct{}

func (stats) Usage(context.Context) (vocab.NodeInfoUsage, error) {
	return vocab.NodeInfoUsage{Users: vocab.NodeInfoUsers{Total: 2, ActiveMonth: 1, ActiveHalfyear: 2}, LocalPosts: 12, LocalComments: 30}, nil
}

// followers lists n fake followers of everyone.
type followers struct{ n int }

func (f followers) Collection(_ context.Context, c federation.CollectionRef, offset, limit int) ([]string, int, error) {
	var items []string
	for i := offset; i < f.n && i < offset+limit; i++ {
		items = append(items, fmt.Sprintf("https://peer.example/accounts/f%d", i))
	}
	return items, f.n, nil
}

func TestCollections(t *testing.T) {
	s, _ := service(t)
	ctx := context.Background()
	c, err := s.CollectionOf(ctx, federation.KindAccount, "alice", federation.Followers)
	if err != nil {
		t.Fatal(err)
	}
	// Nothing yet: a total of 0 and no first page, as PeerTube.
	empty, err := s.Collection(ctx, c)
	if err != nil || empty.TotalItems != 0 || empty.First != "" || empty.ID != "https://videos.example.org/accounts/alice/followers" {
		t.Errorf("empty: %+v %v", empty, err)
	}
	s.Collections = followers{n: 25}
	full, _ := s.Collection(ctx, c)
	if full.TotalItems != 25 || full.First != full.ID+"?page=1" || full.Type != "OrderedCollection" {
		t.Errorf("collection: %+v", full)
	}
	p1, _ := s.CollectionPage(ctx, c, 1)
	p3, _ := s.CollectionPage(ctx, c, 3)
	if len(p1.OrderedItems) != 10 || p1.Next != full.ID+"?page=2" || p1.Prev != "" || p1.PartOf != full.ID || p1.Type != "OrderedCollectionPage" {
		t.Errorf("page 1: %+v", p1)
	}
	if len(p3.OrderedItems) != 5 || p3.Next != "" || p3.Prev != full.ID+"?page=2" || p3.OrderedItems[0] != "https://peer.example/accounts/f20" {
		t.Errorf("page 3: %+v", p3)
	}
	for _, x := range []struct {
		kind, name string
		which      federation.Which
		path       string
	}{
		{federation.KindChannel, "alice_channel", federation.Outbox, "/video-channels/alice_channel"},
		{federation.KindAccount, "peertube", federation.Following, "/accounts/peertube"},
	} {
		c, err := s.CollectionOf(ctx, x.kind, x.name, x.which)
		if err != nil || c.Path != x.path || c.Which != x.which {
			t.Errorf("%s %s: %+v %v", x.kind, x.name, c, err)
		}
	}
	for _, bad := range [][2]string{{federation.KindAccount, "nobody"}, {federation.KindChannel, "alice"}} {
		if _, err := s.CollectionOf(ctx, bad[0], bad[1], federation.Followers); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("%v: %v", bad, err)
		}
	}
	if _, err := s.CollectionOf(ctx, federation.KindAccount, "alice", "likes"); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown collection: %v", err)
	}
	if !strings.HasSuffix(p1.ID, "?page=1") {
		t.Errorf("page id %s", p1.ID)
	}
}
