package uris

import "net/url"

// Avatar is an account's picture, where PeerTube serves avatars.
func Avatar(file string) string { return "/lazy-static/avatars/" + url.PathEscape(file) }

// Discovery documents, at PeerTube's paths.
const (
	Webfinger     = "/.well-known/webfinger"
	HostMeta      = "/.well-known/host-meta"
	NodeInfoLinks = "/.well-known/nodeinfo"
)

// NodeInfo is the NodeInfo document of a schema version ("2.0", "2.1").
func NodeInfo(version string) string { return "/nodeinfo/" + url.PathEscape(version) + ".json" }

// ActivityStreams' public collection, the audience of a public object.
const Public = "https://www.w3.org/ns/activitystreams#Public"
