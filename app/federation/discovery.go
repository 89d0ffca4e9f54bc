package federation

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// ErrBadResource: a WebFinger resource that is neither acct:name@<this
// host> nor one of this host's actor URLs (400, as PeerTube).
var ErrBadResource = errors.New("should have a valid webfinger resource")

// Webfinger answers a WebFinger query for one of this instance's actors:
// resource is acct:name@host or the actor's URL (Mastodon asks both ways).
// Accounts and channels share one namespace of names (the store refuses
// a name that is taken by either, as PeerTube does), so a name finds at
// most one of them; "peertube" is the server actor, whatever else.
func (s *Service) Webfinger(ctx context.Context, resource string) (vocab.JRD, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.JRD{}, err
	}
	name, kind, err := parseResource(u, resource)
	if err != nil {
		return vocab.JRD{}, err
	}
	var self, page string
	switch {
	case name == ServerName && kind != KindChannel:
		name, self, page = ServerName, uris.ServerActor, uris.ServerActor
	default:
		self, page, name, err = s.findActor(ctx, name, kind)
		if err != nil {
			return vocab.JRD{}, err
		}
	}
	return vocab.JRD{Subject: "acct:" + u.Handle(name), Aliases: []string{u.Abs(self)},
		Links: []vocab.JRDLink{
			{Rel: vocab.RelSelf, Type: "application/activity+json", Href: u.Abs(self)},
			{Rel: vocab.RelProfilePage, Type: "text/html", Href: u.Abs(page)},
		}}, nil
}

// findActor finds name as an account, else as a channel (or only as kind
// when the resource was an actor URL): its IRI path, its page's path and
// its canonical name.
func (s *Service) findActor(ctx context.Context, name, kind string) (self, page, canonical string, err error) {
	if kind != KindChannel {
		a, err := s.Accounts.LocalAccount(ctx, name)
		if err == nil {
			return uris.Account(a.Name), uris.AccountPage(a.Name), a.Name, nil
		}
		if !errors.Is(err, model.ErrNotFound) || kind == KindAccount {
			return "", "", "", err
		}
	}
	ch, err := s.Accounts.LocalChannel(ctx, visibility.Remote(), name)
	if err != nil {
		return "", "", "", err
	}
	return uris.Channel(ch.Name), uris.ChannelPage(ch.Name), ch.Name, nil
}

// parseResource reads acct:name@host (a leading @ allowed, as PeerTube
// and Mastodon send it) or https://host/accounts/name,
// /video-channels/name, /a/name, /c/name. kind is "" for acct:.
func parseResource(u uris.Builder, resource string) (name, kind string, err error) {
	if rest, ok := strings.CutPrefix(resource, "acct:"); ok {
		rest = strings.TrimPrefix(rest, "@")
		name, host, ok := strings.Cut(rest, "@")
		if !ok || name == "" || strings.Contains(host, "@") || !strings.EqualFold(host, u.Host()) {
			return "", "", ErrBadResource
		}
		return name, "", nil
	}
	r, err := url.Parse(resource)
	if err != nil || !strings.EqualFold(r.Scheme+"://"+r.Host, u.Base()) {
		return "", "", ErrBadResource
	}
	for prefix, k := range map[string]string{"/accounts/": KindAccount, "/a/": KindAccount, "/video-channels/": KindChannel, "/c/": KindChannel} {
		if n, ok := strings.CutPrefix(r.Path, prefix); ok && n != "" && !strings.Contains(n, "/") {
			return n, k, nil
		}
	}
	return "", "", ErrBadResource
}

// HostMeta is /.well-known/host-meta: where WebFinger answers.
func (s *Service) HostMeta() (vocab.XRD, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.XRD{}, err
	}
	return vocab.XRD{Links: []vocab.XRDLink{{Rel: "lrdd", Type: "application/xrd+xml",
		Template: u.Abs(uris.Webfinger) + "?resource={uri}"}}}, nil
}

// NodeInfoLinks is /.well-known/nodeinfo: both schemas, and the server
// actor as PeerTube lists it.
func (s *Service) NodeInfoLinks() (vocab.NodeInfoLinks, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.NodeInfoLinks{}, err
	}
	return vocab.NodeInfoLinks{Links: []vocab.NodeInfoLink{
		{Rel: vocab.RelNodeInfo20, Href: u.Abs(uris.NodeInfo("2.0"))},
		{Rel: vocab.RelNodeInfo21, Href: u.Abs(uris.NodeInfo("2.1"))},
		{Rel: vocab.RelApplication, Href: u.Abs(uris.ServerActor)},
	}}, nil
}

// Software is NodeInfo's software name.
const Software = "cabane"

// NodeInfo is the NodeInfo document of version "2.0" or "2.1"
// (ErrNotFound for others), in PeerTube's shape with Cabane's name.
func (s *Service) NodeInfo(ctx context.Context, version string) (vocab.NodeInfo, error) {
	if _, err := s.uris(); err != nil {
		return vocab.NodeInfo{}, err
	}
	if version != "2.0" && version != "2.1" {
		return vocab.NodeInfo{}, ErrNotFound
	}
	var usage vocab.NodeInfoUsage
	if s.Stats != nil {
		var err error
		if usage, err = s.Stats.Usage(ctx); err != nil {
			return vocab.NodeInfo{}, fmt.Errorf("nodeinfo usage: %w", err)
		}
	}
	name, desc := "Cabane", ""
	if s.Node != nil {
		name, desc = s.Node(ctx)
	}
	// 2.1's repository and homepage are optional: Cabane has no public
	// address to give yet.
	sw := vocab.NodeInfoSoftware{Name: Software, Version: s.Version}
	return vocab.NodeInfo{Version: version, Software: sw, Protocols: []string{"activitypub"},
		// Cabane publishes RSS and Atom feeds, as PeerTube.
		Services:          vocab.NodeInfoServices{Inbound: []string{}, Outbound: []string{"atom1.0", "rss2.0"}},
		OpenRegistrations: false, // accounts are made by the admin
		Usage:             usage,
		Metadata:          vocab.NodeInfoMetadata{Taxonomy: vocab.NodeInfoTaxonomy{PostsName: "Videos"}, NodeName: name, NodeDescription: desc},
	}, nil
}

// UsageFunc adapts the store's counts to NodeInfo's usage: local rows
// only (PeerTube's localPosts are its local videos).
type UsageFunc func(ctx context.Context) (model.Usage, error)

// Usage implements Stats.
func (f UsageFunc) Usage(ctx context.Context) (vocab.NodeInfoUsage, error) {
	u, err := f(ctx)
	if err != nil {
		return vocab.NodeInfoUsage{}, err
	}
	// Cabane keeps no activity dates: the active counts stay at zero
	// rather than guessed.
	return vocab.NodeInfoUsage{Users: vocab.NodeInfoUsers{Total: u.LocalUsers}, LocalPosts: u.LocalVideos,
		LocalComments: u.LocalComments}, nil
}
