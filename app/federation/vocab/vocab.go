// Package vocab holds the named Go types of the ActivityStreams JSON that
// Cabane sends: actors (Person, Group, Application), PeerTube's Video,
// collections, and the discovery documents (WebFinger's JRD, host-meta's
// XRD, NodeInfo). Every document that leaves the box is one of these, so
// its shape is fixed by the compiler and pinned by golden tests; the
// converters in app/federation fill them from the domain.
package vocab

import (
	"encoding/json"
	"time"
)

// ContentType is the media type of every ActivityPub answer.
const ContentType = "application/activity+json; charset=utf-8"

// Public is ActivityStreams' public collection.
const Public = "https://www.w3.org/ns/activitystreams#Public"

// Context is a JSON-LD @context, sent verbatim: the terms PeerTube's own
// documents define, so that a JSON-LD processor (and PeerTube's linked-data
// signatures) reads Cabane's documents as it reads PeerTube's.
type Context = json.RawMessage

// ActorContext is the @context PeerTube sends with actors.
var ActorContext = Context(`["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",` +
	`{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"},` +
	`{"pt":"https://joinpeertube.org/ns#","sc":"http://schema.org/","playlists":{"@id":"pt:playlists","@type":"@id"},` +
	`"support":{"@type":"sc:Text","@id":"pt:support"},"lemmy":"https://join-lemmy.org/ns#",` +
	`"postingRestrictedToMods":"lemmy:postingRestrictedToMods","icons":"as:icon",` +
	`"alsoKnownAs":{"@id":"as:alsoKnownAs","@type":"@id"},"movedTo":{"@id":"as:movedTo","@type":"@id"}}]`)

// VideoContext is the @context PeerTube sends with videos (6.3's).
var VideoContext = Context(`["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",` +
	`{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"},` +
	`{"pt":"https://joinpeertube.org/ns#","sc":"http://schema.org/","Hashtag":"as:Hashtag","category":"sc:category",` +
	`"licence":"sc:license","subtitleLanguage":"sc:subtitleLanguage","automaticallyGenerated":"pt:automaticallyGenerated",` +
	`"sensitive":"as:sensitive","language":"sc:inLanguage","identifier":"sc:identifier","isLiveBroadcast":"sc:isLiveBroadcast",` +
	`"liveSaveReplay":{"@type":"sc:Boolean","@id":"pt:liveSaveReplay"},"permanentLive":{"@type":"sc:Boolean","@id":"pt:permanentLive"},` +
	`"latencyMode":{"@type":"sc:Number","@id":"pt:latencyMode"},"Infohash":"pt:Infohash",` +
	`"tileWidth":{"@type":"sc:Number","@id":"pt:tileWidth"},"tileHeight":{"@type":"sc:Number","@id":"pt:tileHeight"},` +
	`"tileDuration":{"@type":"sc:Number","@id":"pt:tileDuration"},"aspectRatio":{"@type":"sc:Float","@id":"pt:aspectRatio"},` +
	`"uuid":{"@type":"sc:identifier","@id":"pt:uuid"},"originallyPublishedAt":"sc:datePublished","uploadDate":"sc:uploadDate",` +
	`"hasParts":"sc:hasParts","views":{"@type":"sc:Number","@id":"pt:views"},"state":{"@type":"sc:Number","@id":"pt:state"},` +
	`"size":{"@type":"sc:Number","@id":"pt:size"},"fps":{"@type":"sc:Number","@id":"pt:fps"},` +
	`"commentsEnabled":{"@type":"sc:Boolean","@id":"pt:commentsEnabled"},"canReply":"pt:canReply",` +
	`"commentsPolicy":{"@type":"sc:Number","@id":"pt:commentsPolicy"},"downloadEnabled":{"@type":"sc:Boolean","@id":"pt:downloadEnabled"},` +
	`"waitTranscoding":{"@type":"sc:Boolean","@id":"pt:waitTranscoding"},"support":{"@type":"sc:Text","@id":"pt:support"},` +
	`"likes":{"@id":"as:likes","@type":"@id"},"dislikes":{"@id":"as:dislikes","@type":"@id"},"shares":{"@id":"as:shares","@type":"@id"},` +
	`"comments":{"@id":"as:comments","@type":"@id"},"PropertyValue":"sc:PropertyValue","value":"sc:value"}]`)

// CollectionContext is the @context of collections and their pages.
var CollectionContext = Context(`["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",` +
	`{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"}]`)

// Time is a date as PeerTube writes them: UTC, milliseconds, "Z".
func Time(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// Image is an icon, a banner or a video thumbnail.
type Image struct {
	Type      string `json:"type"` // "Image"
	URL       string `json:"url"`
	MediaType string `json:"mediaType"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
}

// Ref names an actor by type and IRI (a Video's or Group's attributedTo).
type Ref struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// PublicKey is an actor's HTTP-signature key: SPKI PEM at <actor>#main-key.
type PublicKey struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

// Endpoints are an actor's shared endpoints.
type Endpoints struct {
	SharedInbox string `json:"sharedInbox"`
}

// Actor is a Person (an account) or an Application (the server actor),
// in PeerTube's shape.
type Actor struct {
	Context           Context   `json:"@context,omitempty"`
	Type              string    `json:"type"`
	ID                string    `json:"id"`
	Following         string    `json:"following"`
	Followers         string    `json:"followers"`
	Inbox             string    `json:"inbox"`
	Outbox            string    `json:"outbox"`
	PreferredUsername string    `json:"preferredUsername"`
	URL               string    `json:"url"`
	Name              string    `json:"name"`
	Endpoints         Endpoints `json:"endpoints"`
	PublicKey         PublicKey `json:"publicKey"`
	Published         string    `json:"published,omitempty"`
	Icon              []Image   `json:"icon,omitempty"`
	Image             []Image   `json:"image,omitempty"`
	Summary           *string   `json:"summary"`
	// AlsoKnownAs and MovedTo are Mastodon's terms for moves (#11): the
	// actors this one is also (the old ones, listed by the new one before
	// a Move), and the one it moved to.
	AlsoKnownAs []string `json:"alsoKnownAs,omitempty"`
	MovedTo     string   `json:"movedTo,omitempty"`
}

// Group is a channel: an Actor attributed to its account, with the text
// that asks for support and Lemmy's flag that only the owner posts.
type Group struct {
	Actor
	Support                 *string `json:"support"`
	PostingRestrictedToMods bool    `json:"postingRestrictedToMods"`
	AttributedTo            []Ref   `json:"attributedTo"`
}

// Actor types.
const (
	TypePerson      = "Person"
	TypeGroup       = "Group"
	TypeApplication = "Application"
)
