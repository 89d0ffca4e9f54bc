package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/hardware"
)

type idLabel struct {
	ID    *int   `json:"id"`
	Label string `json:"label"`
}

func il(id int, label string) idLabel { return idLabel{ID: &id, Label: label} }

type apiActor struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	DisplayName string    `json:"displayName"`
	URL         string    `json:"url"`
	Host        string    `json:"host"`
	Avatars     []any     `json:"avatars"`
	Description string    `json:"description,omitempty"`
	CreatedAt   time.Time `json:"createdAt"`
}

type apiPlaylist struct {
	ID          int64     `json:"id"`
	Type        int       `json:"type"` // 1 = HLS
	PlaylistURL string    `json:"playlistUrl"`
	Files       []apiFile `json:"files"`
}

type apiFile struct {
	Resolution  idLabel `json:"resolution"`
	Size        int64   `json:"size"`
	FPS         float64 `json:"fps"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	PlaylistURL string  `json:"playlistUrl"`
}

type apiVideo struct {
	ID                   int64   `json:"id"`
	UUID                 string  `json:"uuid"`
	ShortUUID            string  `json:"shortUUID"`
	Name                 string  `json:"name"`
	Description          string  `json:"description"`
	TruncatedDescription string  `json:"truncatedDescription"`
	Duration             int     `json:"duration"`
	Views                int64   `json:"views"`
	Likes                int     `json:"likes"`
	Dislikes             int     `json:"dislikes"`
	NSFW                 bool    `json:"nsfw"`
	IsLocal              bool    `json:"isLocal"`
	IsLive               bool    `json:"isLive"`
	Privacy              idLabel `json:"privacy"`
	State                idLabel `json:"state"`
	Category             idLabel `json:"category"`
	Licence              idLabel `json:"licence"`
	Language             struct {
		ID    *string `json:"id"`
		Label string  `json:"label"`
	} `json:"language"`
	ProcessingProgress    float64       `json:"processingProgress"`
	ThumbnailPath         string        `json:"thumbnailPath"`
	PreviewPath           string        `json:"previewPath"`
	EmbedPath             string        `json:"embedPath"`
	URL                   string        `json:"url"`
	AspectRatio           *float64      `json:"aspectRatio"`
	CreatedAt             time.Time     `json:"createdAt"`
	UpdatedAt             time.Time     `json:"updatedAt"`
	PublishedAt           *time.Time    `json:"publishedAt"`
	OriginallyPublishedAt *time.Time    `json:"originallyPublishedAt"`
	Account               apiActor      `json:"account"`
	Channel               apiActor      `json:"channel"`
	StreamingPlaylists    []apiPlaylist `json:"streamingPlaylists,omitempty"`
	Files                 []apiFile     `json:"files,omitempty"`
	Error                 string        `json:"error,omitempty"`
}

func (s *Server) videoJSON(c echo.Context, v model.Video, full bool) (apiVideo, error) {
	u := s.urls(c)
	out := apiVideo{
		ID: v.ID, UUID: v.UUID, ShortUUID: v.ShortUUID, Name: v.Name, Description: v.Description,
		TruncatedDescription: truncate(v.Description, 250),
		Duration:             int(v.Duration.Round(time.Second).Seconds()), Views: s.Videos.Views(v), IsLocal: true,
		Likes: int(v.Likes), Dislikes: int(v.Dislikes),
		Privacy: il(v.Privacy, privacyLabel(v.Privacy)), State: il(v.State, stateLabel(v.State)),
		Category: idLabel{Label: "Unknown"}, Licence: idLabel{Label: "Unknown"},
		EmbedPath: uris.Embed(v.UUID), URL: u.Abs(uris.Watch(v.UUID)),
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		Account: s.accountJSON(u, v.Channel.Account),
		Channel: s.channelJSON(u, v.Channel),
	}
	out.Language.Label = "Unknown"
	if v.HasThumbnail {
		out.ThumbnailPath = uris.Thumbnail(v.UUID)
		out.PreviewPath = uris.Preview(v.UUID)
	}
	if v.Width > 0 && v.Height > 0 {
		r := float64(v.Width) / float64(v.Height)
		out.AspectRatio = &r
	}
	if !v.PublishedAt.IsZero() {
		p := v.PublishedAt
		out.PublishedAt = &p
	}
	switch v.State {
	case model.StatePublished:
		out.ProcessingProgress = 100
	case model.StateTranscodingFailed:
		out.Error = v.Error
	default:
		out.ProcessingProgress = s.Videos.Progress(v)
	}
	if full {
		rs, err := s.Videos.Renditions(c.Request().Context(), v)
		if err != nil {
			return out, err
		}
		out.Files = []apiFile{}
		if len(rs) > 0 {
			pl := apiPlaylist{ID: v.ID, Type: 1, PlaylistURL: u.Abs(uris.Master(v.UUID)), Files: []apiFile{}}
			for _, r := range rs {
				label := strconv.Itoa(r.Height) + "p"
				if r.Height == 0 {
					label = "Audio"
				}
				pl.Files = append(pl.Files, apiFile{Resolution: il(r.Height, label), Size: r.Size, FPS: r.FPS, Width: r.Width, Height: r.Height,
					PlaylistURL: u.Abs(uris.Rendition(v.UUID, r.Name, hardware.PlaylistName))})
			}
			out.StreamingPlaylists = []apiPlaylist{pl}
		}
	}
	return out, nil
}

func (s *Server) accountJSON(u uris.Builder, a model.Account) apiActor {
	return apiActor{ID: a.ID, Name: a.Name, DisplayName: a.DisplayName, URL: u.Abs(uris.Account(a.Name)), Host: u.Host(),
		Avatars: []any{}, CreatedAt: a.CreatedAt}
}

func (s *Server) channelJSON(u uris.Builder, ch model.Channel) apiActor {
	return apiActor{ID: ch.ID, Name: ch.Name, DisplayName: ch.DisplayName, URL: u.Abs(uris.Channel(ch.Name)), Host: u.Host(),
		Avatars: []any{}, CreatedAt: ch.CreatedAt}
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// videoPage is PeerTube's paged list.
type videoPage struct {
	Total int        `json:"total"`
	Data  []apiVideo `json:"data"`
}

func (s *Server) apiVideos(c echo.Context) error {
	q := videos.ListQuery{Sort: c.QueryParam("sort"), Count: 15}
	var err error
	if v := c.QueryParam("start"); v != "" {
		if q.Start, err = strconv.Atoi(v); err != nil || q.Start < 0 {
			return fieldError("start", "start must be a non-negative integer")
		}
	}
	if v := c.QueryParam("count"); v != "" {
		if q.Count, err = strconv.Atoi(v); err != nil || q.Count < 0 || q.Count > 100 {
			return fieldError("count", "count must be an integer from 0 to 100")
		}
	}
	if !videos.ValidSort(q.Sort) {
		return fieldError("sort", "unknown sort %q", q.Sort)
	}
	vs, total, err := s.Videos.List(c.Request().Context(), viewer(c), q)
	if err != nil {
		return err
	}
	page := videoPage{Total: total, Data: make([]apiVideo, 0, len(vs))}
	for _, v := range vs {
		j, err := s.videoJSON(c, v, false)
		if err != nil {
			return err
		}
		page.Data = append(page.Data, j)
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) apiVideo(c echo.Context) error {
	id := c.Param("id")
	if !plausibleVideoRef(id) {
		return apiError(http.StatusNotFound, "no such API endpoint")
	}
	v, err := s.Videos.Get(c.Request().Context(), viewer(c), id)
	if errors.Is(err, model.ErrNotFound) {
		return apiError(http.StatusNotFound, "video not found")
	}
	if err != nil {
		return err
	}
	j, err := s.videoJSON(c, v, true)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, j)
}

// plausibleVideoRef tells a video id (number, UUID, short UUID) from a
// word: /api/v1/videos/categories is an endpoint Cabane lacks, not a video.
func plausibleVideoRef(id string) bool {
	if id == "" || len(id) > 36 {
		return false
	}
	for _, r := range id {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-') {
			return false
		}
	}
	digits := strings.Trim(id, "0123456789") == ""
	return digits || len(id) == 36 || len(id) >= 20 && !strings.Contains(id, "-")
}

// uploaded is PeerTube's answer to an upload.
type uploaded struct {
	Video uploadedVideo `json:"video"`
}

type uploadedVideo struct {
	ID        int64  `json:"id"`
	UUID      string `json:"uuid"`
	ShortUUID string `json:"shortUUID"`
}

func (s *Server) apiUpload(c echo.Context) error {
	v, err := s.receiveUpload(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, uploaded{Video: uploadedVideo{ID: v.ID, UUID: v.UUID, ShortUUID: v.ShortUUID}})
}

func (s *Server) apiOAuthClient(c echo.Context) error {
	cl, err := s.Auth.LocalClient(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"client_id": cl.ID, "client_secret": cl.Secret})
}

// tokenRequest is OAuth's token request, as a form (what PeerTube's apps
// send) or as JSON (which PeerTube's body parser also takes).
type tokenRequest struct {
	ClientID     string `json:"client_id" form:"client_id"`
	ClientSecret string `json:"client_secret" form:"client_secret"`
	GrantType    string `json:"grant_type" form:"grant_type"`
	Username     string `json:"username" form:"username"`
	Password     string `json:"password" form:"password"`
	RefreshToken string `json:"refresh_token" form:"refresh_token"`
}

// tokenResponse is OAuth's (and PeerTube's) answer.
type tokenResponse struct {
	TokenType             string `json:"token_type"`
	AccessToken           string `json:"access_token"`
	RefreshToken          string `json:"refresh_token"`
	ExpiresIn             int    `json:"expires_in"`
	RefreshTokenExpiresIn int    `json:"refresh_token_expires_in"`
}

func readTokenRequest(c echo.Context) (tokenRequest, error) {
	var q tokenRequest
	r := c.Request()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.NewDecoder(r.Body).Decode(&q); err != nil {
			return q, fieldError("body", "the JSON body could not be read: %v", err)
		}
	case "application/x-www-form-urlencoded", "multipart/form-data":
		q = tokenRequest{ClientID: c.FormValue("client_id"), ClientSecret: c.FormValue("client_secret"), GrantType: c.FormValue("grant_type"),
			Username: c.FormValue("username"), Password: c.FormValue("password"), RefreshToken: c.FormValue("refresh_token")}
	default:
		return q, apiError(http.StatusUnsupportedMediaType, "send the token request as application/x-www-form-urlencoded or JSON")
	}
	return q, nil
}

// apiToken is PeerTube's OAuth 2 password and refresh_token grants.
func (s *Server) apiToken(c echo.Context) error {
	ctx := c.Request().Context()
	q, err := readTokenRequest(c)
	if err != nil {
		return err
	}
	var pair auth.TokenPair
	switch q.GrantType {
	case "password":
		pair, err = s.Auth.PasswordGrant(ctx, q.ClientID, q.ClientSecret, strings.TrimSpace(q.Username), q.Password)
	case "refresh_token":
		pair, err = s.Auth.Refresh(ctx, q.ClientID, q.ClientSecret, q.RefreshToken)
	case "":
		return oauthError(c, http.StatusBadRequest, "invalid_request", "grant_type is missing: send password or refresh_token")
	default:
		return oauthError(c, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be password or refresh_token")
	}
	switch {
	case errors.Is(err, auth.ErrBadClient):
		return oauthError(c, http.StatusBadRequest, "invalid_client", "Invalid client: client is invalid")
	case errors.Is(err, auth.ErrBadPassword):
		return oauthError(c, http.StatusBadRequest, "invalid_grant", "Invalid credentials: wrong user name or password")
	case errors.Is(err, auth.ErrBadGrant):
		return oauthError(c, http.StatusBadRequest, "invalid_grant", "Invalid grant: refresh token is invalid")
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, tokenResponse{TokenType: "Bearer", AccessToken: pair.AccessToken, RefreshToken: pair.RefreshToken,
		ExpiresIn: int(pair.ExpiresIn.Seconds()), RefreshTokenExpiresIn: int(pair.RefreshIn.Seconds())})
}

func oauthError(c echo.Context, status int, code, msg string) error {
	return c.JSON(status, problem{Status: status, Code: code, Error: msg, Detail: msg, Title: http.StatusText(status)})
}

func (s *Server) apiRevokeToken(c echo.Context) error {
	h := c.Request().Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return apiError(http.StatusUnauthorized, "send the token to revoke as a Bearer token")
	}
	if err := s.Auth.RevokeToken(c.Request().Context(), strings.TrimSpace(tok)); err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}

// apiUser is PeerTube's /users/me.
type apiUser struct {
	ID              int64      `json:"id"`
	Username        string     `json:"username"`
	Email           string     `json:"email"`
	Role            idLabel    `json:"role"`
	Account         apiActor   `json:"account"`
	VideoChannels   []apiActor `json:"videoChannels"`
	VideoQuota      int        `json:"videoQuota"`
	VideoQuotaDaily int        `json:"videoQuotaDaily"`
	CreatedAt       time.Time  `json:"createdAt"`
}

func (s *Server) apiMe(c echo.Context) error {
	usr := currentUser(c)
	chs, err := s.Accounts.ChannelsOf(c.Request().Context(), usr.AccountID)
	if err != nil {
		return err
	}
	u := s.urls(c)
	list := make([]apiActor, 0, len(chs))
	for _, ch := range chs {
		list = append(list, s.channelJSON(u, ch))
	}
	acct := model.Account{ID: usr.AccountID, Name: usr.Username, DisplayName: usr.Username, CreatedAt: usr.CreatedAt}
	if len(chs) > 0 {
		acct = chs[0].Account
	}
	return c.JSON(http.StatusOK, apiUser{ID: usr.ID, Username: usr.Username, Email: usr.Email, Role: il(usr.Role, roleLabel(usr.Role)),
		Account: s.accountJSON(u, acct), VideoChannels: list, VideoQuota: -1, VideoQuotaDaily: -1, CreatedAt: usr.CreatedAt})
}

func roleLabel(r int) string {
	switch r {
	case model.RoleAdmin:
		return "Administrator"
	case model.RoleModerator:
		return "Moderator"
	}
	return "User"
}

func (s *Server) apiConfig(c echo.Context) error {
	exts := []string{".mp4", ".webm", ".ogv", ".mkv", ".mov", ".m4v", ".avi", ".flv", ".mpeg", ".mpg", ".ts", ".3gp", ".wmv"}
	audio := []string{".mp3", ".ogg", ".opus", ".m4a", ".flac", ".wav", ".aac", ".weba"}
	return c.JSON(http.StatusOK, map[string]any{
		"serverVersion": s.Version,
		"instance":      map[string]any{"name": s.instanceName(), "shortDescription": "A video channel on a box at home", "isNSFW": false, "defaultNSFWPolicy": "do_not_list"},
		"signup":        map[string]any{"allowed": false, "allowedForCurrentIP": false, "requiresEmailVerification": false},
		"transcoding": map[string]any{
			"hls":                map[string]any{"enabled": true},
			"webVideos":          map[string]any{"enabled": false},
			"enabledResolutions": []int{360, 480, 720, 1080},
			"profile":            "default",
			"availableProfiles":  []string{"default"},
		},
		"video": map[string]any{
			"image": map[string]any{"extensions": []string{".jpg", ".jpeg", ".png"}, "size": map[string]any{"max": 4 << 20}},
			"file":  map[string]any{"extensions": append(exts, audio...), "size": map[string]any{"max": s.Config.MaxUploadBytes}},
		},
		"user":   map[string]any{"videoQuota": -1, "videoQuotaDaily": -1},
		"import": map[string]any{"videos": map[string]any{"http": map[string]any{"enabled": false}, "torrent": map[string]any{"enabled": false}}},
		"live":   map[string]any{"enabled": false},
		"search": map[string]any{"remoteUri": map[string]any{"users": false, "anonymous": false}},
	})
}
