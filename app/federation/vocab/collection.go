package vocab

// OrderedCollection is an actor's followers, following or outbox as its
// IRI answers without a page: the total, and the first page when there
// are items (PeerTube's activityPubCollectionPagination).
type OrderedCollection struct {
	Context    Context `json:"@context,omitempty"`
	ID         string  `json:"id"`
	Type       string  `json:"type"` // "OrderedCollection"
	TotalItems int     `json:"totalItems"`
	First      string  `json:"first,omitempty"`
}

// OrderedCollectionPage is one page of a collection (?page=N, from 1).
// Items are IRIs: followers and following are actors; the outbox's
// activities are named by IRI too, which every peer dereferences.
type OrderedCollectionPage struct {
	Context      Context  `json:"@context,omitempty"`
	ID           string   `json:"id"`
	Type         string   `json:"type"` // "OrderedCollectionPage"
	Prev         string   `json:"prev,omitempty"`
	Next         string   `json:"next,omitempty"`
	PartOf       string   `json:"partOf"`
	OrderedItems []string `json:"orderedItems"`
	TotalItems   int      `json:"totalItems"`
}
