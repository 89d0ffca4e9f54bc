package vocab

// Video is PeerTube's Video object, with the fields PeerTube's ingest
// checks and the ones Mastodon and GoToSocial read.
type Video struct {
	Context               Context      `json:"@context,omitempty"`
	To                    []string     `json:"to"`
	Cc                    []string     `json:"cc"`
	Type                  string       `json:"type"` // "Video"
	ID                    string       `json:"id"`
	Name                  string       `json:"name"`
	Duration              string       `json:"duration"` // PT<seconds>S
	UUID                  string       `json:"uuid"`
	Category              *Identifier  `json:"category,omitempty"`
	Licence               *Identifier  `json:"licence,omitempty"`
	Language              *Identifier  `json:"language,omitempty"`
	Views                 int64        `json:"views"`
	Sensitive             bool         `json:"sensitive"`
	WaitTranscoding       bool         `json:"waitTranscoding"`
	State                 int          `json:"state"`
	CommentsEnabled       bool         `json:"commentsEnabled"`
	CanReply              *string      `json:"canReply"` // null, or Public when comments need approval
	CommentsPolicy        int          `json:"commentsPolicy"`
	DownloadEnabled       bool         `json:"downloadEnabled"`
	Published             string       `json:"published"`
	OriginallyPublishedAt *string      `json:"originallyPublishedAt"`
	Updated               string       `json:"updated"`
	Tag                   []Hashtag    `json:"tag"`
	MediaType             string       `json:"mediaType"` // text/markdown
	Content               *string      `json:"content"`
	Support               *string      `json:"support"`
	SubtitleLanguage      []Identifier `json:"subtitleLanguage"`
	Icon                  []Image      `json:"icon"`
	AspectRatio           *float64     `json:"aspectRatio,omitempty"`
	URL                   []Link       `json:"url"`
	AttributedTo          []Ref        `json:"attributedTo"`
	IsLiveBroadcast       bool         `json:"isLiveBroadcast"`
	// The video's collections (PeerTube's names): a PeerTube that
	// receives an Update reads the likes and dislikes from their
	// totalItems, and crawls the shares and comments.
	Likes    string `json:"likes,omitempty"`
	Dislikes string `json:"dislikes,omitempty"`
	Shares   string `json:"shares,omitempty"`
	Comments string `json:"comments,omitempty"`
}

// TypeVideo is a Video's type.
const TypeVideo = "Video"

// TypeInfohash is the type of the HLS entry's tags that name its streams'
// peer-to-peer swarms.
const TypeInfohash = "Infohash"

// Identifier is one of PeerTube's constants (category, licence, language):
// its identifier and its English label.
type Identifier struct {
	Identifier string `json:"identifier"`
	Name       string `json:"name"`
}

// Hashtag is one of a video's tags.
type Hashtag struct {
	Type string `json:"type"` // "Hashtag"
	Name string `json:"name"`
}

// Link is an entry of a Video's url array or of its HLS entry's tag array:
// the watch page, the HLS master playlist (with Tag), the segments' hashes,
// a rendition's file, its ffprobe metadata, its torrent and magnet, the
// tracker; and PeerTube's Infohash tag (TypeInfohash, Name the hex info
// hash of a stream's swarm, no href). The numbers are pointers because 0
// is meaningful (an audio file's height) and absent is not the same as 0
// to PeerTube.
type Link struct {
	Type       string          `json:"type"` // "Link", or TypeInfohash
	Name       string          `json:"name,omitempty"`
	Rel        []string        `json:"rel,omitempty"`
	MediaType  string          `json:"mediaType,omitempty"`
	Href       string          `json:"href,omitempty"` // every Link has one; an Infohash tag none
	Height     *int            `json:"height,omitempty"`
	Width      *int            `json:"width,omitempty"`
	Size       *int64          `json:"size,omitempty"`
	FPS        *int            `json:"fps,omitempty"`
	Attachment []PropertyValue `json:"attachment,omitempty"`
	Tag        []Link          `json:"tag,omitempty"`
}

// PropertyValue describes a file: its streams (ffprobe_codec_type audio,
// video) and its format (peertube_format_flag fragmented).
type PropertyValue struct {
	Type  string `json:"type"` // "PropertyValue"
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Media types of a Video's links.
const (
	MediaHTML     = "text/html"
	MediaHLS      = "application/x-mpegURL"
	MediaJSON     = "application/json"
	MediaMP4      = "video/mp4"
	MediaTorrent  = "application/x-bittorrent"
	MediaMagnet   = "application/x-bittorrent;x-scheme-handler/magnet"
	MediaMarkdown = "text/markdown"
	MediaJPEG     = "image/jpeg"
)
