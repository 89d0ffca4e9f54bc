package vocab

import "encoding/xml"

// JRD is a WebFinger answer (RFC 7033).
type JRD struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases"`
	Links   []JRDLink `json:"links"`
}

// JRDLink is one of a JRD's links.
type JRDLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// WebFinger link relations.
const (
	RelSelf        = "self"
	RelProfilePage = "http://webfinger.net/rel/profile-page"
	JRDContentType = "application/jrd+json; charset=utf-8"
)

// XRD is host-meta's document: where WebFinger answers.
type XRD struct {
	XMLName xml.Name  `xml:"http://docs.oasis-open.org/ns/xri/xrd-1.0 XRD"`
	Links   []XRDLink `xml:"Link"`
}

// XRDLink is one of an XRD's links.
type XRDLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Template string `xml:"template,attr"`
}

// NodeInfoLinks is /.well-known/nodeinfo: where each schema's document is.
type NodeInfoLinks struct {
	Links []NodeInfoLink `json:"links"`
}

// NodeInfoLink is one of NodeInfoLinks' links.
type NodeInfoLink struct {
	Rel  string `json:"rel"`
	Href string `json:"href"`
}

// NodeInfo schema relations, and the server actor's (as PeerTube lists it).
const (
	RelNodeInfo20   = "http://nodeinfo.diaspora.software/ns/schema/2.0"
	RelNodeInfo21   = "http://nodeinfo.diaspora.software/ns/schema/2.1"
	RelApplication  = "https://www.w3.org/ns/activitystreams#Application"
	NodeInfoProfile = `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/%s#"`
)

// NodeInfo is a NodeInfo 2.0 or 2.1 document, in PeerTube's shape.
type NodeInfo struct {
	Version           string           `json:"version"`
	Software          NodeInfoSoftware `json:"software"`
	Protocols         []string         `json:"protocols"`
	Services          NodeInfoServices `json:"services"`
	OpenRegistrations bool             `json:"openRegistrations"`
	Usage             NodeInfoUsage    `json:"usage"`
	Metadata          NodeInfoMetadata `json:"metadata"`
}

// NodeInfoSoftware names the software; repository and homepage are 2.1's.
type NodeInfoSoftware struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Repository string `json:"repository,omitempty"`
	Homepage   string `json:"homepage,omitempty"`
}

// NodeInfoServices are the third-party services the server talks to.
type NodeInfoServices struct {
	Inbound  []string `json:"inbound"`
	Outbound []string `json:"outbound"`
}

// NodeInfoUsage counts users, videos (posts) and comments.
type NodeInfoUsage struct {
	Users         NodeInfoUsers `json:"users"`
	LocalPosts    int           `json:"localPosts"`
	LocalComments int           `json:"localComments"`
}

// NodeInfoUsers counts users.
type NodeInfoUsers struct {
	Total          int `json:"total"`
	ActiveMonth    int `json:"activeMonth"`
	ActiveHalfyear int `json:"activeHalfyear"`
}

// NodeInfoMetadata is PeerTube's free-form part: what the instance calls
// itself and its posts.
type NodeInfoMetadata struct {
	Taxonomy        NodeInfoTaxonomy `json:"taxonomy"`
	NodeName        string           `json:"nodeName"`
	NodeDescription string           `json:"nodeDescription"`
}

// NodeInfoTaxonomy names the posts.
type NodeInfoTaxonomy struct {
	PostsName string `json:"postsName"`
}
