package vocab

// RecommendationCollection is a channel's recommendations as Cabane
// publishes them at the IRI its Group's "recommendations" names: an
// OrderedCollection, all items inline (a list is short, at most a
// hundred), each a reference to the recommended Video or Group with its
// name, its page and the creator's note as summary.
type RecommendationCollection struct {
	Context      Context             `json:"@context,omitempty"`
	Type         string              `json:"type"` // "OrderedCollection"
	ID           string              `json:"id"`
	AttributedTo string              `json:"attributedTo"` // the recommending Group
	TotalItems   int                 `json:"totalItems"`
	OrderedItems []RecommendedObject `json:"orderedItems"`
}

// RecommendedObject is one recommendation: the target's id and type
// ("Video" or "Group"), name and page, and the note.
type RecommendedObject struct {
	Type    string  `json:"type"`
	ID      string  `json:"id"`
	Name    string  `json:"name,omitempty"`
	URL     string  `json:"url,omitempty"`
	Summary *string `json:"summary"`
}
