package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/store"
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

func (s *Server) videoJSON(c echo.Context, v store.Video, full bool) (apiVideo, error) {
	base := s.baseURL(c)
	host := s.host(c)
	out := apiVideo{
		ID: v.ID, UUID: v.UUID, ShortUUID: v.ShortUUID, Name: v.Name, Description: v.Description,
		TruncatedDescription: truncate(v.Description, 250),
		Duration:             int(v.Duration.Round(time.Second).Seconds()), Views: v.Views + s.Videos.PendingViews(v.ID), IsLocal: true,
		Privacy: il(v.Privacy, privacyLabel(v.Privacy)), State: il(v.State, stateLabel(v.State)),
		Category: idLabel{Label: "Unknown"}, Licence: idLabel{Label: "Unknown"},
		EmbedPath: "/videos/embed/" + v.UUID, URL: base + "/videos/watch/" + v.UUID,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt,
		Account: apiActor{ID: v.Channel.Account.ID, Name: v.Channel.Account.Name, DisplayName: v.Channel.Account.DisplayName,
			URL: base + "/accounts/" + v.Channel.Account.Name, Host: host, Avatars: []any{}, CreatedAt: v.Channel.Account.CreatedAt},
		Channel: apiActor{ID: v.Channel.ID, Name: v.Channel.Name, DisplayName: v.Channel.DisplayName,
			URL: base + "/video-channels/" + v.Channel.Name, Host: host, Avatars: []any{}, CreatedAt: v.Channel.CreatedAt},
	}
	out.Language.Label = "Unknown"
	if v.HasThumbnail {
		out.ThumbnailPath = "/lazy-static/thumbnails/" + v.UUID + ".jpg"
		out.PreviewPath = "/lazy-static/previews/" + v.UUID + ".jpg"
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
	case store.StatePublished:
		out.ProcessingProgress = 100
	case store.StateTranscodingFailed:
		out.Error = v.Error
	default:
		out.ProcessingProgress = s.Videos.Progress(v)
	}
	if full {
		rs, err := s.Store.Renditions(c.Request().Context(), v.ID)
		if err != nil {
			return out, err
		}
		out.Files = []apiFile{}
		if len(rs) > 0 {
			pl := apiPlaylist{ID: v.ID, Type: 1, PlaylistURL: s.playlistURL(c, v), Files: []apiFile{}}
			for _, r := range rs {
				label := strconv.Itoa(r.Height) + "p"
				if r.Height == 0 {
					label = "Audio"
				}
				pl.Files = append(pl.Files, apiFile{Resolution: il(r.Height, label), Size: r.Size, FPS: r.FPS, Width: r.Width, Height: r.Height,
					PlaylistURL: base + "/static/streaming-playlists/hls/" + v.UUID + "/" + r.Name + "/index.m3u8"})
			}
			out.StreamingPlaylists = []apiPlaylist{pl}
		}
	}
	return out, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func (s *Server) apiVideos(c echo.Context) error {
	q := store.VideoQuery{PublicOnly: true, HomeViewer: atHome(c), Sort: c.QueryParam("sort"), Count: 15}
	var err error
	if v := c.QueryParam("start"); v != "" {
		if q.Start, err = strconv.Atoi(v); err != nil || q.Start < 0 {
			return apiError(http.StatusBadRequest, "start must be a non-negative integer")
		}
	}
	if v := c.QueryParam("count"); v != "" {
		if q.Count, err = strconv.Atoi(v); err != nil || q.Count < 0 || q.Count > 100 {
			return apiError(http.StatusBadRequest, "count must be an integer from 0 to 100")
		}
	}
	if !store.ValidSort(q.Sort) {
		return apiError(http.StatusBadRequest, "unknown sort %q", q.Sort)
	}
	vs, total, err := s.Store.ListVideos(c.Request().Context(), q)
	if err != nil {
		return err
	}
	data := make([]apiVideo, 0, len(vs))
	for _, v := range vs {
		j, err := s.videoJSON(c, v, false)
		if err != nil {
			return err
		}
		data = append(data, j)
	}
	return c.JSON(http.StatusOK, map[string]any{"total": total, "data": data})
}

func (s *Server) apiVideo(c echo.Context) error {
	v, err := s.videoFor(c, c.Param("id"))
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return apiError(he.Code, "video not found")
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

func (s *Server) apiUpload(c echo.Context) error {
	v, err := s.receiveUpload(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"video": map[string]any{"id": v.ID, "uuid": v.UUID, "shortUUID": v.ShortUUID}})
}

func (s *Server) apiOAuthClient(c echo.Context) error {
	cl, err := s.Auth.LocalClient(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"client_id": cl.ID, "client_secret": cl.Secret})
}

// apiToken is PeerTube's OAuth 2 password and refresh_token grants.
func (s *Server) apiToken(c echo.Context) error {
	ctx := c.Request().Context()
	id, secret := c.FormValue("client_id"), c.FormValue("client_secret")
	var pair auth.TokenPair
	var err error
	switch c.FormValue("grant_type") {
	case "password":
		u, lerr := s.Auth.Login(ctx, strings.TrimSpace(c.FormValue("username")), c.FormValue("password"))
		if errors.Is(lerr, auth.ErrBadPassword) {
			return oauthError(c, http.StatusBadRequest, "invalid_grant", "Invalid credentials: wrong user name or password")
		}
		if lerr != nil {
			return lerr
		}
		pair, err = s.Auth.IssueToken(ctx, id, secret, u.ID)
	case "refresh_token":
		pair, err = s.Auth.Refresh(ctx, id, secret, c.FormValue("refresh_token"))
	default:
		return oauthError(c, http.StatusBadRequest, "unsupported_grant_type", "grant_type must be password or refresh_token")
	}
	switch {
	case errors.Is(err, auth.ErrBadClient):
		return oauthError(c, http.StatusBadRequest, "invalid_client", "Invalid client: client is invalid")
	case errors.Is(err, auth.ErrBadGrant):
		return oauthError(c, http.StatusBadRequest, "invalid_grant", "Invalid grant: refresh token is invalid")
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{
		"token_type": "Bearer", "access_token": pair.AccessToken, "refresh_token": pair.RefreshToken,
		"expires_in": int(pair.ExpiresIn.Seconds()), "refresh_token_expires_in": int(pair.RefreshIn.Seconds()),
	})
}

func oauthError(c echo.Context, status int, code, msg string) error {
	return c.JSON(status, map[string]any{"status": status, "code": code, "error": msg, "detail": msg, "title": http.StatusText(status)})
}

func (s *Server) apiRevokeToken(c echo.Context) error {
	h := c.Request().Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok {
		return apiError(http.StatusUnauthorized, "send the token to revoke as a Bearer token")
	}
	if err := s.Store.RevokeAccessToken(c.Request().Context(), auth.HashToken(strings.TrimSpace(tok))); err != nil {
		return err
	}
	return c.NoContent(http.StatusOK)
}

func (s *Server) apiMe(c echo.Context) error {
	u := currentUser(c)
	chs, err := s.Store.ChannelsOfAccount(c.Request().Context(), u.AccountID)
	if err != nil {
		return err
	}
	base, host := s.baseURL(c), s.host(c)
	list := make([]apiActor, 0, len(chs))
	for _, ch := range chs {
		list = append(list, apiActor{ID: ch.ID, Name: ch.Name, DisplayName: ch.DisplayName, URL: base + "/video-channels/" + ch.Name, Host: host, Avatars: []any{}, CreatedAt: ch.CreatedAt})
	}
	return c.JSON(http.StatusOK, map[string]any{
		"id": u.ID, "username": u.Username, "email": u.Email, "role": il(u.Role, roleLabel(u.Role)),
		"account":       apiActor{ID: u.AccountID, Name: u.Username, DisplayName: u.Username, URL: base + "/accounts/" + u.Username, Host: host, Avatars: []any{}, CreatedAt: u.CreatedAt},
		"videoChannels": list, "videoQuota": -1, "videoQuotaDaily": -1, "createdAt": u.CreatedAt,
	})
}

func roleLabel(r int) string {
	switch r {
	case store.RoleAdmin:
		return "Administrator"
	case store.RoleModerator:
		return "Moderator"
	}
	return "User"
}

func (s *Server) apiConfig(c echo.Context) error {
	exts := []string{".mp4", ".webm", ".ogv", ".mkv", ".mov", ".m4v", ".avi", ".flv", ".mpeg", ".mpg", ".ts", ".3gp", ".wmv"}
	audio := []string{".mp3", ".ogg", ".opus", ".m4a", ".flac", ".wav", ".aac", ".weba"}
	return c.JSON(http.StatusOK, map[string]any{
		"serverVersion": s.Version,
		"instance":      map[string]any{"name": "Cabane", "shortDescription": "A video channel on a box at home", "isNSFW": false, "defaultNSFWPolicy": "do_not_list"},
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
