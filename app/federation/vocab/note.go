package vocab

// Note is a comment as PeerTube sends it (its VideoCommentObject): a reply
// to a video (a thread) or to another comment, attributed to its author's
// Person. Content is the comment rendered to HTML, which Mastodon and
// GoToSocial show as is and PeerTube renders with its HTML-aware
// markdown: one body every peer reads.
type Note struct {
	Context      Context   `json:"@context,omitempty"`
	To           []string  `json:"to"`
	Cc           []string  `json:"cc"`
	Type         string    `json:"type"` // "Note"
	ID           string    `json:"id"`
	Content      string    `json:"content"`
	MediaType    string    `json:"mediaType"` // text/html
	InReplyTo    string    `json:"inReplyTo"`
	Updated      string    `json:"updated"`
	Published    string    `json:"published"`
	URL          string    `json:"url"`
	AttributedTo string    `json:"attributedTo"`
	Tag          []Mention `json:"tag"`
	// ReplyApproval is PeerTube 6.2's proof that a reply was approved
	// (an IRI serving an ApproveReply). Left out until Cabane serves
	// those: PeerTube's schema makes it optional.
	ReplyApproval string `json:"replyApproval,omitempty"`
}

// TypeNote is a Note's type.
const TypeNote = "Note"

// Mention names an actor a Note addresses (PeerTube: the authors of the
// comments it answers), so that their servers notify them.
type Mention struct {
	Type string `json:"type"` // "Mention"
	Href string `json:"href"`
	Name string `json:"name"` // @user@host
}

// Tombstone is what a deleted comment's IRI answers, as PeerTube's: what
// it was, what it answered, and when it was written and deleted.
type Tombstone struct {
	Context    Context `json:"@context,omitempty"`
	Type       string  `json:"type"` // "Tombstone"
	ID         string  `json:"id"`
	FormerType string  `json:"formerType"`
	InReplyTo  string  `json:"inReplyTo,omitempty"`
	URL        string  `json:"url,omitempty"`
	Published  string  `json:"published,omitempty"`
	Updated    string  `json:"updated,omitempty"`
	Deleted    string  `json:"deleted,omitempty"`
}

// NoteContext is the @context of Notes and comment activities: PeerTube's
// for comments, trimmed to the terms a Note uses.
var NoteContext = Context(`["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",` +
	`{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017"},` +
	`{"pt":"https://joinpeertube.org/ns#","replyApproval":"pt:replyApproval"}]`)
