// Package federation makes Cabane speak ActivityPub as PeerTube does. This
// part turns the domain into the documents other servers fetch: actors
// (an account is a Person, a channel a Group, the server an Application),
// PeerTube's Video object, collections, WebFinger, host-meta and NodeInfo.
// Every IRI comes from the configured public URL: without one, federation
// is off (see Identity).
package federation

import (
	"net/netip"
	"net/url"
	"strings"

	"cabane.dev/cabane/app/httpclient"
	"cabane.dev/cabane/app/uris"
)

// Why federation is off: catalogue keys the admin page shows (adminpages.json).
const (
	ReasonNone         = ""
	ReasonNoPublicURL  = "adminpages.federation.no_public_url"
	ReasonLANName      = "adminpages.federation.lan_name"
	ReasonPrivateHost  = "adminpages.federation.private_host"
	ReasonBadPublicURL = "adminpages.federation.bad_public_url"
)

// Identity is who this Cabane is to the fediverse: the public URL every
// IRI is built from, never the name a request came by (cabane.local, an
// address on the home network), which other servers could not reach and
// which would leak the home network's shape.
type Identity struct {
	uris   uris.Builder
	on     bool
	reason string
}

// NewIdentity checks publicURL (config's --public-url). allowPrivate are
// the ranges the admin lets federation reach though private
// (--allow-private-fetch, for tests and closed networks): a public URL
// inside them is accepted.
func NewIdentity(publicURL string, allowPrivate []string) Identity {
	if publicURL == "" {
		return Identity{reason: ReasonNoPublicURL}
	}
	u, err := url.Parse(publicURL)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return Identity{reason: ReasonBadPublicURL}
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if host == "localhost" || strings.HasSuffix(host, ".local") || strings.HasSuffix(host, ".localhost") ||
		strings.HasSuffix(host, ".home.arpa") || !strings.Contains(host, ".") && !strings.Contains(host, ":") {
		return Identity{reason: ReasonLANName}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		// The outbound client's own rule: a public URL federation may use
		// is an address it would itself be allowed to reach.
		allow, _ := httpclient.ParseAllowList(allowPrivate) // config validated them
		if httpclient.NewGuard(allow).Check(ip) != nil {
			return Identity{reason: ReasonPrivateHost}
		}
	}
	return Identity{uris: uris.New(u.Scheme + "://" + u.Host), on: true}
}

// On reports whether federation is on.
func (id Identity) On() bool { return id.on }

// Reason is why federation is off (a catalogue key), "" when it is on.
func (id Identity) Reason() string { return id.reason }

// URIs builds IRIs from the public URL; only meaningful when On.
func (id Identity) URIs() uris.Builder { return id.uris }
