package vocab

import "encoding/json"

// OrderedCollection is an actor's followers, following or outbox as its
// IRI answers without a page: the total, and the first page when there
// are items (PeerTube's activityPubCollectionPagination).
type OrderedCollection struct {
	Context    Context `json:"@context,omitempty"`
	ID         string  `json:"id"`
	Type       string  `json:"type"` // "OrderedCollection"
	TotalItems int     `json:"totalItems"`
	First      string  `json:"first,omitempty"`
	Last       string  `json:"last,omitempty"`
}

// OrderedCollectionPage is one page of a collection (?page=N, from 1).
// Items are IRIs: followers and following are actors.
type OrderedCollectionPage = Page[string]

// ActivityPage is one page of an outbox: the activities themselves, as
// PeerTube serves them (a Create with its Video, an Announce naming one),
// so that a server that reads it need not fetch each.
type ActivityPage = Page[json.RawMessage]

// Page is one page of a collection of T.
type Page[T any] struct {
	Context      Context `json:"@context,omitempty"`
	ID           string  `json:"id"`
	Type         string  `json:"type"` // "OrderedCollectionPage"
	Prev         string  `json:"prev,omitempty"`
	Next         string  `json:"next,omitempty"`
	PartOf       string  `json:"partOf"`
	OrderedItems []T     `json:"orderedItems"`
	TotalItems   int     `json:"totalItems"`
}
