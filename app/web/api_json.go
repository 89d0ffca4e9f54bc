package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/feeds"
	"cabane.dev/cabane/app/markup"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
	"cabane.dev/cabane/hardware"
)

// The API's JSON shapes, PeerTube's (server/core/models/video/formatter/
// video-api-format.ts and the actor models): every field PeerTube sends,
// null where it sends null, so that its apps find what they read.

type idLabel struct {
	ID    *int   `json:"id"`
	Label string `json:"label"`
}

func il(id int, label string) idLabel { return idLabel{ID: &id, Label: label} }

// optIL is an {id, label} whose id is null when unset (0).
func optIL(id int, label string) idLabel {
	if id == 0 {
		return idLabel{Label: label}
	}
	return il(id, label)
}

type stringIDLabel struct {
	ID    *string `json:"id"`
	Label string  `json:"label"`
}

// apiImage is an avatar or banner (PeerTube's ActorImage).
type apiImage struct {
	Path      string    `json:"path"`
	Width     int       `json:"width"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// apiActor is PeerTube's AccountSummary and VideoChannelSummary.
type apiActor struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	DisplayName string     `json:"displayName"`
	URL         string     `json:"url"`
	Host        string     `json:"host"`
	Avatars     []apiImage `json:"avatars"`
	Avatar      *apiImage  `json:"avatar,omitempty"` // PeerTube's deprecated first avatar, absent without one
}

// apiAccount is PeerTube's Account (an Actor with its user).
type apiAccount struct {
	ID                    int64      `json:"id"`
	URL                   string     `json:"url"`
	Name                  string     `json:"name"`
	Host                  string     `json:"host"`
	Avatars               []apiImage `json:"avatars"`
	Avatar                *apiImage  `json:"avatar,omitempty"` // deprecated, as apiActor's
	HostRedundancyAllowed bool       `json:"hostRedundancyAllowed"`
	FollowingCount        int        `json:"followingCount"`
	FollowersCount        int        `json:"followersCount"`
	CreatedAt             time.Time  `json:"createdAt"`
	UpdatedAt             time.Time  `json:"updatedAt"`
	UserID                *int64     `json:"userId"`
	DisplayName           string     `json:"displayName"`
	Description           *string    `json:"description"`
}

// apiChannel is PeerTube's VideoChannel.
type apiChannel struct {
	ID                    int64      `json:"id"`
	URL                   string     `json:"url"`
	Name                  string     `json:"name"`
	Host                  string     `json:"host"`
	Avatars               []apiImage `json:"avatars"`
	Avatar                *apiImage  `json:"avatar,omitempty"` // deprecated, as apiActor's
	Banners               []apiImage `json:"banners"`
	HostRedundancyAllowed bool       `json:"hostRedundancyAllowed"`
	FollowingCount        int        `json:"followingCount"`
	FollowersCount        int        `json:"followersCount"`
	CreatedAt             time.Time  `json:"createdAt"`
	UpdatedAt             time.Time  `json:"updatedAt"`
	DisplayName           string     `json:"displayName"`
	Description           *string    `json:"description"`
	Support               *string    `json:"support"`
	IsLocal               bool       `json:"isLocal"`
	OwnerAccount          apiAccount `json:"ownerAccount"`
}

type apiPlaylist struct {
	ID                int64  `json:"id"`
	Type              int    `json:"type"` // 1 = HLS
	PlaylistURL       string `json:"playlistUrl"`
	SegmentsSha256URL string `json:"segmentsSha256Url"`
	Redundancies      []struct {
		BaseURL string `json:"baseUrl"`
	} `json:"redundancies"`
	Files []apiFile `json:"files"`
	// P2PMediaLoaderInfohashes: the info hashes of the playlist's streams'
	// swarms, in hex, as PeerTube lists them; empty when the video is not
	// played peer to peer (p2p.go).
	P2PMediaLoaderInfohashes []string `json:"p2pMediaLoaderInfohashes"`
}

// listJSON is PeerTube's paged list: the total and one page of items.
type listJSON[T any] struct {
	Total int `json:"total"`
	Data  []T `json:"data"`
}

// apiFile is PeerTube's VideoFile, for one HLS rendition.
type apiFile struct {
	ID                 int64   `json:"id"`
	Resolution         idLabel `json:"resolution"`
	Size               int64   `json:"size"`
	FPS                float64 `json:"fps"`
	Width              int     `json:"width"`
	Height             int     `json:"height"`
	MagnetURI          string  `json:"magnetUri"`
	TorrentURL         *string `json:"torrentUrl"`         // null: no torrent yet (an input file)
	TorrentDownloadURL *string `json:"torrentDownloadUrl"` // idem
	HasAudio           bool    `json:"hasAudio"`
	HasVideo           bool    `json:"hasVideo"`
	Storage            int     `json:"storage"`               // 0: the file system
	PlaylistURL        string  `json:"playlistUrl,omitempty"` // HLS files only
	FileURL            string  `json:"fileUrl"`
	FileDownloadURL    string  `json:"fileDownloadUrl"`
	MetadataURL        string  `json:"metadataUrl,omitempty"` // renditions only (an input file has no ID)
}

// apiVideo is PeerTube's Video, as listings send it.
type apiVideo struct {
	ID                    int64         `json:"id"`
	UUID                  string        `json:"uuid"`
	ShortUUID             string        `json:"shortUUID"`
	URL                   string        `json:"url"`
	Name                  string        `json:"name"`
	Category              idLabel       `json:"category"`
	Licence               idLabel       `json:"licence"`
	Language              stringIDLabel `json:"language"`
	Privacy               idLabel       `json:"privacy"`
	NSFW                  bool          `json:"nsfw"`
	TruncatedDescription  *string       `json:"truncatedDescription"`
	Description           *string       `json:"description"`
	IsLocal               bool          `json:"isLocal"`
	Duration              int           `json:"duration"`
	AspectRatio           *float64      `json:"aspectRatio"`
	Views                 int64         `json:"views"`
	Viewers               int           `json:"viewers"`
	Likes                 int           `json:"likes"`
	Dislikes              int           `json:"dislikes"`
	ThumbnailPath         *string       `json:"thumbnailPath"`
	PreviewPath           *string       `json:"previewPath"`
	EmbedPath             string        `json:"embedPath"`
	CreatedAt             time.Time     `json:"createdAt"`
	UpdatedAt             time.Time     `json:"updatedAt"`
	PublishedAt           *time.Time    `json:"publishedAt"`
	OriginallyPublishedAt *time.Time    `json:"originallyPublishedAt"`
	IsLive                bool          `json:"isLive"`
	Account               apiActor      `json:"account"`
	Channel               apiActor      `json:"channel"`
	// State and waitTranscoding: PeerTube sends them in listings that
	// include unpublished videos; Cabane always does, so an owner's
	// list shows what is still processing.
	State              idLabel `json:"state"`
	WaitTranscoding    bool    `json:"waitTranscoding"`
	Blacklisted        bool    `json:"blacklisted"`
	BlacklistedReason  *string `json:"blacklistedReason"`
	ProcessingProgress float64 `json:"processingProgress"`
	Error              string  `json:"error,omitempty"`
}

// apiVideoDetails is PeerTube's VideoDetails (GET /videos/{id}).
type apiVideoDetails struct {
	apiVideo
	Account            apiAccount    `json:"account"`
	Channel            apiChannel    `json:"channel"`
	Support            *string       `json:"support"`
	Tags               []string      `json:"tags"`
	CommentsEnabled    bool          `json:"commentsEnabled"` // PeerTube < 6.2 apps read it
	CommentsPolicy     idLabel       `json:"commentsPolicy"`
	DownloadEnabled    bool          `json:"downloadEnabled"`
	InputFileUpdatedAt *time.Time    `json:"inputFileUpdatedAt"`
	TrackerURLs        []string      `json:"trackerUrls"`
	Files              []apiFile     `json:"files"`
	StreamingPlaylists []apiPlaylist `json:"streamingPlaylists"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (s *Server) videoJSON(c echo.Context, v model.Video) apiVideo {
	return s.videoSummaryJSON(c.Request().Context(), s.urls(c), v)
}

// videoSummaryJSON is videoJSON with the request's URL builder, made once
// for a list.
func (s *Server) videoSummaryJSON(ctx context.Context, u uris.Builder, v model.Video) apiVideo {
	desc := nullable(truncate(v.Description, 250))
	out := apiVideo{
		ID: v.ID, UUID: v.UUID, ShortUUID: v.ShortUUID, URL: u.Abs(uris.Watch(v.UUID)), Name: v.Name,
		Category: optIL(v.Category, videos.CategoryLabel(v.Category)),
		Licence:  optIL(v.Licence, videos.LicenceLabel(v.Licence)),
		Language: stringIDLabel{ID: nullable(v.Language), Label: videos.LanguageLabel(v.Language)},
		Privacy:  il(v.Privacy, videos.PrivacyLabel(v.Privacy)),
		NSFW:     v.NSFW, TruncatedDescription: desc, Description: desc, IsLocal: true,
		Duration: int(v.Duration.Round(time.Second).Seconds()), Views: s.Videos.Views(v),
		Likes: int(v.Likes), Dislikes: int(v.Dislikes),
		EmbedPath: uris.Embed(v.UUID), CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		Account: s.accountJSON(u, v.Channel.Account), Channel: s.channelJSON(u, v.Channel),
		State: il(v.State, videos.StateLabel(v.State)), WaitTranscoding: true,
	}
	// apigaps: avatars from the profile service's cache (no query per
	// video). A channel has no picture of its own in Cabane: it shows its
	// account's, as the channel page does.
	out.Account.Avatars, out.Account.Avatar = s.accountAvatars(ctx, v.Channel.AccountID)
	out.Channel.Avatars, out.Channel.Avatar = out.Account.Avatars, out.Account.Avatar
	// Always set, as PeerTube's schema has them: until the video has its
	// own, the path answers with a placeholder (serveImage).
	out.ThumbnailPath, out.PreviewPath = nullable(uris.Thumbnail(v.UUID)), nullable(uris.Preview(v.UUID))
	if v.Width > 0 && v.Height > 0 {
		r := float64(v.Width) / float64(v.Height)
		out.AspectRatio = &r
	}
	if !v.PublishedAt.IsZero() {
		p := v.PublishedAt
		out.PublishedAt = &p
	}
	if !v.OriginallyPublishedAt.IsZero() {
		p := v.OriginallyPublishedAt
		out.OriginallyPublishedAt = &p
	}
	switch v.State {
	case model.StatePublished:
		out.ProcessingProgress = 100
	case model.StateTranscodingFailed:
		out.Error = v.Error
	default:
		out.ProcessingProgress = s.Videos.Progress(v)
	}
	return out
}

func (s *Server) videoDetailsJSON(c echo.Context, v model.Video) (apiVideoDetails, error) {
	u := s.urls(c)
	out := apiVideoDetails{apiVideo: s.videoJSON(c, v),
		Account: s.fullAccountJSON(u, v.Channel.Account), Channel: s.fullChannelJSON(u, v.Channel),
		Support: nullable(v.Support), Tags: v.Tags,
		CommentsEnabled: v.CommentsPolicy != model.CommentsDisabled,
		CommentsPolicy:  il(v.CommentsPolicy, videos.CommentsPolicyLabel(v.CommentsPolicy)),
		DownloadEnabled: v.DownloadEnabled, TrackerURLs: []string{},
		Files: []apiFile{}, StreamingPlaylists: []apiPlaylist{},
	}
	out.Account.Avatars, out.Account.Avatar = out.apiVideo.Account.Avatars, out.apiVideo.Account.Avatar
	out.Channel.Avatars, out.Channel.Avatar = out.Account.Avatars, out.Account.Avatar
	out.Channel.OwnerAccount.Avatars, out.Channel.OwnerAccount.Avatar = out.Account.Avatars, out.Account.Avatar
	out.Description = nullable(v.Description)
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if rv, ok := s.remoteOf(c.Request().Context(), v); ok { // following (#10)
		remoteDetails(&out, rv)
		// Redundancy (#12): this box's own copy, then third servers'.
		bases, err := s.Mirrors.RemoteBases(c.Request().Context(), v)
		if err != nil {
			return out, err
		}
		for _, b := range bases {
			if len(out.StreamingPlaylists) == 1 {
				out.StreamingPlaylists[0].Redundancies = append(out.StreamingPlaylists[0].Redundancies, struct {
					BaseURL string `json:"baseUrl"`
				}{b})
			}
		}
		return out, nil
	}
	rs, err := s.Videos.Renditions(c.Request().Context(), v)
	if err != nil {
		return out, err
	}
	if len(rs) > 0 {
		pl := apiPlaylist{ID: v.ID, Type: 1, PlaylistURL: u.Abs(uris.Master(v.UUID)), SegmentsSha256URL: u.Abs(uris.SegmentsSha256(v.UUID)), Files: []apiFile{}}
		pl.Redundancies = []struct {
			BaseURL string `json:"baseUrl"`
		}{}
		bases, err := s.Mirrors.Bases(c.Request().Context(), v) // redundancy (#12)
		if err != nil {
			return out, err
		}
		for _, b := range bases {
			pl.Redundancies = append(pl.Redundancies, struct {
				BaseURL string `json:"baseUrl"`
			}{b})
		}
		for _, r := range rs {
			f, err := s.fileJSON(c, u, v, r)
			if err != nil {
				return out, err
			}
			pl.Files = append(pl.Files, f)
			web, ok, err := s.webFileJSON(c, u, v, rs, r, f)
			if err != nil {
				return out, err
			}
			if ok {
				out.Files = append(out.Files, web)
			}
		}
		if pl.P2PMediaLoaderInfohashes, err = s.p2pInfoHashes(c.Request().Context(), v, pl.PlaylistURL); err != nil {
			return out, err
		}
		if len(pl.P2PMediaLoaderInfohashes) > 0 {
			out.TrackerURLs = []string{s.trackerURL(c)}
		}
		out.StreamingPlaylists = []apiPlaylist{pl}
	} else if v.OriginalFile != "" && visibility.Edit(viewer(c), v) {
		// Nothing published yet: the input file, as PeerTube lists it
		// until transcoded, without a torrent until then (videos.InputFile).
		name := videos.InputFileName(v)
		res := min(v.Width, v.Height)
		out.Files = []apiFile{{Resolution: il(res, strconv.Itoa(res)+"p"), Size: v.Size, Width: v.Width, Height: v.Height,
			HasVideo: !v.IsAudio, HasAudio: true, FileURL: u.Abs(uris.PrivateWebVideo(name)), FileDownloadURL: u.Abs(uris.PrivateWebVideo(name))}}
	}
	return out, nil
}

// webFileJSON is rendition r of v as one of PeerTube's web videos
// (files[], one MP4 per resolution with picture and sound); hls is r's
// HLS file (fileJSON). ok is false for the shared audio rendition of a
// video that has pictures: PeerTube keeps the sound inside each web video.
//
// Why files[] is not the HLS files again: since audio is packaged once
// (PeerTube 6.3's split audio), a video rendition's HLS file has no sound.
// PeerTube 7 lists its HLS files the same way, with the audio labelled
// "Audio only", and yt-dlp (Debian's 2023.03.04 and today's, whose
// PeerTube extractor treats only a "0p" label as audio) then takes the
// best-looking file, silent, as it does for PeerTube 7 itself. So files[]
// holds, as a PeerTube with web videos does, a whole MP4 per resolution:
// the rendition's HLS file when it has its own sound (older videos, an
// audio-only video), else the rendition and the audio muxed (streams
// copied) into media/<uuid>/downloads/, the file fileDownloadUrl already
// serves. It is made when the video is published (torrents.Published)
// or, for older videos, in the background after the first request here
// (which lists the HLS file meanwhile), and kept until the
// rendition changes; it is larger than the silent HLS file, which is what
// makes yt-dlp's default choice (format sort: resolution, fps, then
// size) the file with sound. Its own torrent describes it.
func (s *Server) webFileJSON(c echo.Context, u uris.Builder, v model.Video, rs []model.Rendition, r model.Rendition, hls apiFile) (apiFile, bool, error) {
	f := hls
	f.PlaylistURL = ""
	if !feeds.SharedAudio(rs, r) {
		if r.Height == 0 && slices.ContainsFunc(rs, func(o model.Rendition) bool { return feeds.SharedAudio(rs, o) }) {
			return f, false, nil
		}
		return f, true, nil // the HLS file is whole: listed in both places
	}
	t, _, made, err := s.Torrents.DescribeWebIfMade(c.Request().Context(), u, v, rs, r)
	if err != nil {
		// The video is whole without it: its HLS files play and download.
		s.Log.Warn("web video file", "video", v.UUID, "rendition", r.Name, "err", err)
	}
	if err != nil || !made {
		// Until it is made (in the background; see DescribeWebIfMade), the
		// rendition's HLS file stands in, as PeerTube lists it: peertube-cli
		// reads files[0] right after an upload.
		return f, true, nil
	}
	res, _ := strconv.Atoi(hardware.Resolution(r.Name))
	// metadataUrl stays the rendition's (its HLS file's ffprobe): the
	// same picture; the files share the rendition's ID.
	f.Size, f.HasAudio = t.Length, true
	f.FileURL = u.Abs(uris.WebVideo(uris.WebVideoName(v.UUID, res)))
	name := uris.WebTorrentName(v.UUID, res)
	f.TorrentURL, f.TorrentDownloadURL = nullable(u.Abs(uris.Torrent(name))), nullable(u.Abs(uris.TorrentDownload(name)))
	f.MagnetURI = t.Magnet(v.Name, *f.TorrentURL)
	return f, true, nil
}

// fileJSON is rendition r of v as PeerTube's VideoFile, with its torrent.
func (s *Server) fileJSON(c echo.Context, u uris.Builder, v model.Video, r model.Rendition) (apiFile, error) {
	// PeerTube's resolution is the short side ("720p" for a portrait
	// 720x1280 too), 0 for the audio, labelled as PeerTube 7's
	// getResolutionLabel does.
	res, _ := strconv.Atoi(hardware.Resolution(r.Name))
	label := strconv.Itoa(res) + "p"
	if res == 0 {
		label = "Audio only"
	}
	f := apiFile{ID: r.ID, Resolution: il(res, label), Size: r.Size, FPS: r.FPS, Width: r.Width, Height: r.Height,
		HasVideo: r.Height > 0, HasAudio: strings.Contains(r.Codecs, "mp4a"),
		PlaylistURL:     u.Abs(uris.HLSFile(v.UUID, hardware.MediaPlaylistName(r.Name))),
		FileURL:         u.Abs(uris.HLSFile(v.UUID, hardware.FragmentedName(v.UUID, r.Name))),
		FileDownloadURL: u.Abs(uris.Download(v.UUID, res)), MetadataURL: u.Abs(uris.FileMetadata(v.UUID, r.ID))}
	name := uris.TorrentName(v.UUID, res)
	f.TorrentURL, f.TorrentDownloadURL = nullable(u.Abs(uris.Torrent(name))), nullable(u.Abs(uris.TorrentDownload(name)))
	// The pieces are usually hashed since publication; if not yet (the
	// first second after it), this request waits for them.
	t, err := s.Torrents.Describe(c.Request().Context(), u, v, r)
	if err != nil {
		return f, fmt.Errorf("torrent of %s: %w", f.FileURL, err)
	}
	f.MagnetURI = t.Magnet(v.Name, *f.TorrentURL)
	return f, nil
}

// accountJSON is PeerTube's AccountSummary. A remote account's is
// PeerTube's too: its name without the host, its server's host, its URL
// there, and its display name as plain text (a remote server's, which
// may carry markup). Its avatar is not fetched: none is listed, and
// clients show their placeholder.
func (s *Server) accountJSON(u uris.Builder, a model.Account) apiActor {
	if a.Remote() {
		name, host := a.Handle()
		url := a.RemoteURL
		if url == "" {
			url = u.Abs(uris.Account(a.Name))
		}
		return apiActor{ID: a.ID, Name: name, DisplayName: markup.PlainText(a.DisplayName), URL: url, Host: host, Avatars: []apiImage{}}
	}
	return apiActor{ID: a.ID, Name: a.Name, DisplayName: a.DisplayName, URL: u.Abs(uris.Account(a.Name)), Host: u.Host(), Avatars: []apiImage{}}
}

func (s *Server) channelJSON(u uris.Builder, ch model.Channel) apiActor {
	if ch.Remote() {
		name, host := ch.Handle()
		return apiActor{ID: ch.ID, Name: name, DisplayName: markup.PlainText(ch.DisplayName), URL: u.Abs(uris.Channel(ch.Name)), Host: host, Avatars: []apiImage{}}
	}
	return apiActor{ID: ch.ID, Name: ch.Name, DisplayName: ch.DisplayName, URL: u.Abs(uris.Channel(ch.Name)), Host: u.Host(), Avatars: []apiImage{}}
}

// hostOr is an actor's host as PeerTube's API gives it: a remote one's
// (model's Handle), or this server's for a local one ("").
func hostOr(u uris.Builder, host string) string {
	if host == "" {
		return u.Host()
	}
	return host
}

func (s *Server) fullAccountJSON(u uris.Builder, a model.Account) apiAccount {
	name, host := a.Handle()
	host = hostOr(u, host)
	out := apiAccount{ID: a.ID, URL: u.Abs(uris.Account(a.Name)), Name: name, Host: host, Avatars: []apiImage{},
		CreatedAt: a.CreatedAt, UpdatedAt: a.CreatedAt, DisplayName: a.DisplayName, Description: nullable(a.Description)}
	if a.UserID != 0 {
		id := a.UserID
		out.UserID = &id
	}
	return out
}

func (s *Server) fullChannelJSON(u uris.Builder, ch model.Channel) apiChannel {
	name, host := ch.Handle()
	host = hostOr(u, host)
	return apiChannel{ID: ch.ID, URL: u.Abs(uris.Channel(ch.Name)), Name: name, Host: host, Avatars: []apiImage{}, Banners: []apiImage{},
		CreatedAt: ch.CreatedAt, UpdatedAt: ch.CreatedAt, DisplayName: ch.DisplayName, Description: nullable(ch.Description),
		Support: nullable(ch.Support), IsLocal: !ch.Remote(), OwnerAccount: s.fullAccountJSON(u, ch.Account)}
}

func truncate(s string, n int) string {
	// No rune slice for what is short enough (a list truncates each
	// video's description).
	if len(s) <= n || utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-3]) + "..."
}
