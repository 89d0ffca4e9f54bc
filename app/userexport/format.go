package userexport

// The JSON files of the archive's peertube/ folder, one type each, field
// for field PeerTube's model types (packages/models/src/users/
// user-export-import/*.ts in Chocobozzz/PeerTube, as its exporters in
// server/core/lib/user-import-export/exporters/ fill them). Dates are ISO
// strings; a field PeerTube may leave undefined is omitempty, one it sets
// to null is a pointer. Cabane has no data for some files (watched words,
// automatic tags, history): they are written with empty arrays, so that
// PeerTube's importer finds every file it looks for.

// ActorImage is UserActorImageJSON (actor-export.model.ts).
type ActorImage struct {
	Width     int    `json:"width"`
	URL       string `json:"url"`
	CreatedAt string `json:"createdAt"`
	UpdatedAt string `json:"updatedAt"`
}

// AccountJSON is AccountExportJSON (account-export.model.ts).
type AccountJSON struct {
	URL          string       `json:"url"`
	Name         string       `json:"name"`
	DisplayName  string       `json:"displayName"`
	Description  string       `json:"description"`
	UpdatedAt    string       `json:"updatedAt"`
	CreatedAt    string       `json:"createdAt"`
	Avatars      []ActorImage `json:"avatars"`
	Banners      []ActorImage `json:"banners"` // exportActorJSON sets it for accounts too
	ArchiveFiles struct {
		Avatar *string `json:"avatar"`
	} `json:"archiveFiles"`
}

// ChannelsJSON is ChannelExportJSON (channel-export.model.ts).
type ChannelsJSON struct {
	Channels []ChannelJSON `json:"channels"`
}

type ChannelJSON struct {
	URL            string       `json:"url"`
	Name           string       `json:"name"`
	DisplayName    string       `json:"displayName"`
	Description    string       `json:"description"`
	Support        string       `json:"support"`
	UpdatedAt      string       `json:"updatedAt"`
	CreatedAt      string       `json:"createdAt"`
	Avatars        []ActorImage `json:"avatars"`
	Banners        []ActorImage `json:"banners"`
	PlayerSettings *struct {
		Theme string `json:"theme"`
	} `json:"playerSettings"`
	ArchiveFiles struct {
		Avatar *string `json:"avatar"`
		Banner *string `json:"banner"`
	} `json:"archiveFiles"`
}

// VideoJSON is one of VideoExportJSON's videos (video-export.model.ts);
// videos.json is {"videos": [VideoJSON...]}, written one at a time.
type VideoJSON struct {
	UUID                  string          `json:"uuid"`
	CreatedAt             string          `json:"createdAt"`
	UpdatedAt             string          `json:"updatedAt"`
	PublishedAt           string          `json:"publishedAt"`
	OriginallyPublishedAt *string         `json:"originallyPublishedAt"`
	Name                  string          `json:"name"`
	Category              *int            `json:"category"`
	Licence               *int            `json:"licence"`
	Language              *string         `json:"language"`
	Tags                  []string        `json:"tags"`
	Privacy               int             `json:"privacy"`
	Passwords             []string        `json:"passwords"`
	Duration              int             `json:"duration"`
	Description           string          `json:"description"`
	Support               string          `json:"support"`
	IsLive                bool            `json:"isLive"`
	URL                   string          `json:"url"`
	ThumbnailURL          *string         `json:"thumbnailUrl"`
	PreviewURL            *string         `json:"previewUrl"`
	Views                 int64           `json:"views"`
	Likes                 int64           `json:"likes"`
	Dislikes              int64           `json:"dislikes"`
	NSFW                  bool            `json:"nsfw"`
	CommentsEnabled       bool            `json:"commentsEnabled"`
	CommentsPolicy        int             `json:"commentsPolicy"`
	DownloadEnabled       bool            `json:"downloadEnabled"`
	Channel               NameJSON        `json:"channel"`
	WaitTranscoding       bool            `json:"waitTranscoding"`
	State                 int             `json:"state"`
	Captions              []CaptionJSON   `json:"captions"`
	Chapters              []ChapterJSON   `json:"chapters"`
	Files                 []FileJSON      `json:"files"`
	StreamingPlaylists    []StreamingJSON `json:"streamingPlaylists"`
	Source                *SourceJSON     `json:"source"`
	ArchiveFiles          VideoFilesJSON  `json:"archiveFiles"`
}

type NameJSON struct {
	Name string `json:"name"`
}

type CaptionJSON struct {
	CreatedAt              string `json:"createdAt"`
	UpdatedAt              string `json:"updatedAt"`
	Language               string `json:"language"`
	Filename               string `json:"filename"`
	AutomaticallyGenerated bool   `json:"automaticallyGenerated"`
	FileURL                string `json:"fileUrl"`
}

type ChapterJSON struct {
	Timecode int    `json:"timecode"`
	Title    string `json:"title"`
}

// FileJSON is VideoFileExportJSON.
type FileJSON struct {
	Resolution int     `json:"resolution"`
	Size       int64   `json:"size"`
	FPS        float64 `json:"fps"`
	TorrentURL string  `json:"torrentUrl"`
	FileURL    string  `json:"fileUrl"`
}

type StreamingJSON struct {
	Type              int        `json:"type"` // 1: HLS
	PlaylistURL       string     `json:"playlistUrl"`
	SegmentsSha256URL string     `json:"segmentsSha256Url"`
	Files             []FileJSON `json:"files"`
}

type SourceJSON struct {
	InputFilename string  `json:"inputFilename"`
	Resolution    int     `json:"resolution"`
	Size          int64   `json:"size"`
	Width         int     `json:"width"`
	Height        int     `json:"height"`
	FPS           float64 `json:"fps"`
	Metadata      any     `json:"metadata"`
}

type VideoFilesJSON struct {
	VideoFile *string           `json:"videoFile"`
	Thumbnail *string           `json:"thumbnail"`
	Captions  map[string]string `json:"captions"`
}

// CommentsJSON is CommentsExportJSON (comments-export.model.ts).
type CommentsJSON struct {
	Comments []CommentJSON `json:"comments"`
}

type CommentJSON struct {
	URL                 string `json:"url"`
	Text                string `json:"text"`
	CreatedAt           string `json:"createdAt"`
	VideoURL            string `json:"videoUrl"`
	InReplyToCommentURL string `json:"inReplyToCommentUrl,omitempty"`
}

// LikesJSON is LikesExportJSON; DislikesJSON DislikesExportJSON.
type LikesJSON struct {
	Likes []RateJSON `json:"likes"`
}

type DislikesJSON struct {
	Dislikes []RateJSON `json:"dislikes"`
}

type RateJSON struct {
	VideoURL  string `json:"videoUrl"`
	CreatedAt string `json:"createdAt"`
}

// FollowingJSON is FollowingExportJSON; FollowersJSON FollowersExportJSON
// (PeerTube names its file follower.json).
type FollowingJSON struct {
	Following []FollowJSON `json:"following"`
}

type FollowersJSON struct {
	Followers []FollowJSON `json:"followers"`
}

type FollowJSON struct {
	Handle       string `json:"handle"`
	TargetHandle string `json:"targetHandle"`
	CreatedAt    string `json:"createdAt"`
}

// BlocklistJSON is BlocklistExportJSON.
type BlocklistJSON struct {
	Instances []BlockedHost  `json:"instances"`
	Actors    []BlockedActor `json:"actors"`
}

type BlockedHost struct {
	Host string `json:"host"`
}

type BlockedActor struct {
	Handle string `json:"handle"`
}

// PlaylistsJSON is VideoPlaylistsExportJSON.
type PlaylistsJSON struct {
	VideoPlaylists []PlaylistJSON `json:"videoPlaylists"`
}

type PlaylistJSON struct {
	DisplayName string `json:"displayName"`
	Description string `json:"description"`
	Privacy     int    `json:"privacy"`
	URL         string `json:"url"`
	UUID        string `json:"uuid"`
	Type        int    `json:"type"`
	Channel     struct {
		Name *string `json:"name"`
	} `json:"channel"`
	CreatedAt    string                `json:"createdAt"`
	UpdatedAt    string                `json:"updatedAt"`
	ThumbnailURL *string               `json:"thumbnailUrl"`
	Elements     []PlaylistElementJSON `json:"elements"`
	ArchiveFiles struct {
		Thumbnail *string `json:"thumbnail"`
	} `json:"archiveFiles"`
}

type PlaylistElementJSON struct {
	VideoURL       string `json:"videoUrl"`
	StartTimestamp *int   `json:"startTimestamp"`
	StopTimestamp  *int   `json:"stopTimestamp"`
}

// UserSettingsJSON is UserSettingsExportJSON.
type UserSettingsJSON struct {
	Email                     string         `json:"email"`
	NSFWPolicy                string         `json:"nsfwPolicy"`
	AutoPlayVideo             bool           `json:"autoPlayVideo"`
	AutoPlayNextVideo         bool           `json:"autoPlayNextVideo"`
	AutoPlayNextVideoPlaylist bool           `json:"autoPlayNextVideoPlaylist"`
	P2PEnabled                bool           `json:"p2pEnabled"`
	VideosHistoryEnabled      bool           `json:"videosHistoryEnabled"`
	VideoLanguages            []string       `json:"videoLanguages"`
	Language                  string         `json:"language"`
	Theme                     string         `json:"theme"`
	CreatedAt                 string         `json:"createdAt"`
	NotificationSettings      map[string]int `json:"notificationSettings"`
}

// HistoryJSON is UserVideoHistoryExportJSON: Cabane keeps no history.
type HistoryJSON struct {
	WatchedVideos []WatchedVideo `json:"watchedVideos"`
}

type WatchedVideo struct {
	VideoURL     string `json:"videoUrl"`
	LastTimecode int    `json:"lastTimecode"`
	CreatedAt    string `json:"createdAt"`
	UpdatedAt    string `json:"updatedAt"`
}

// WatchedWordsJSON is WatchedWordsListsJSON: Cabane has none.
type WatchedWordsJSON struct {
	WatchedWordLists []WatchedWordList `json:"watchedWordLists"`
}

type WatchedWordList struct {
	ListName  string   `json:"listName"`
	Words     []string `json:"words"`
	CreatedAt string   `json:"createdAt"`
	UpdatedAt string   `json:"updatedAt"`
}

// AutoTagPoliciesJSON is AutoTagPoliciesJSON: Cabane has none.
type AutoTagPoliciesJSON struct {
	ReviewComments []NameJSON `json:"reviewComments"`
}

// Collection is the activity-pub/ folder's collections (likes.json,
// dislikes.json, following.json, outbox.json): PeerTube's
// activityPubCollection with the file name as id.
type Collection[T any] struct {
	Context      any    `json:"@context"`
	ID           string `json:"id"`
	Type         string `json:"type"`
	TotalItems   int    `json:"totalItems"`
	OrderedItems []T    `json:"orderedItems"`
}
