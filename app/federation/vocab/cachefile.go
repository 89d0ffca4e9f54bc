package vocab

// CacheFileContext is the @context PeerTube sends with a CacheFile: the
// ActivityStreams and security terms, and PeerTube's CacheFile and
// expires.
var CacheFileContext = Context(`["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",` +
	`{"RsaSignature2017":"https://w3id.org/security#RsaSignature2017","pt":"https://joinpeertube.org/ns#",` +
	`"sc":"http://schema.org/","CacheFile":"pt:CacheFile","expires":"sc:expires"}]`)

// CacheFile is PeerTube's CacheFile: a server's copy of a video's HLS
// files (redundancy). Object is the Video's IRI; URL.Href the folder of
// the copy, where the origin's file names are found.
type CacheFile struct {
	Context Context       `json:"@context,omitempty"` // when served alone
	ID      string        `json:"id"`
	Type    string        `json:"type"` // "CacheFile"
	Object  string        `json:"object"`
	Expires *string       `json:"expires"`
	URL     CacheFileLink `json:"url"`
}

// CacheFileLink is a CacheFile's url: a Link of application/x-mpegURL.
type CacheFileLink struct {
	Type      string `json:"type"` // "Link"
	MediaType string `json:"mediaType"`
	Href      string `json:"href"`
}

// CacheFileActivity is a Create, Update or Undo about a CacheFile, as
// PeerTube sends them: Create and Update carry the CacheFile, Undo the
// Create it takes back.
type CacheFileActivity struct {
	Context Context  `json:"@context,omitempty"`
	Type    string   `json:"type"`
	ID      string   `json:"id"`
	Actor   string   `json:"actor"`
	Object  any      `json:"object"` // CacheFile, or *CacheFileActivity for Undo
	To      []string `json:"to"`
	Cc      []string `json:"cc"`
}
