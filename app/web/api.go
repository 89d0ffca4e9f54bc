package web

import (
	"encoding/json"
	"errors"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
)

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
	case errors.Is(err, auth.ErrBlocked): // adminpages: a banned user, as PeerTube words it
		return oauthError(c, http.StatusBadRequest, "invalid_grant", "User blocked.")
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
	ID              int64        `json:"id"`
	Username        string       `json:"username"`
	Email           string       `json:"email"`
	Role            idLabel      `json:"role"`
	Account         apiAccount   `json:"account"`
	VideoChannels   []apiChannel `json:"videoChannels"`
	VideoQuota      int64        `json:"videoQuota"`
	VideoQuotaDaily int64        `json:"videoQuotaDaily"`
	// videoQuotaUsed*: helper G (quotas)
	VideoQuotaUsed      int64     `json:"videoQuotaUsed"`
	VideoQuotaUsedDaily int64     `json:"videoQuotaUsedDaily"`
	CreatedAt           time.Time `json:"createdAt"`
}

func (s *Server) apiMe(c echo.Context) error {
	usr := currentUser(c)
	chs, err := s.Accounts.ChannelsOf(c.Request().Context(), usr.AccountID)
	if err != nil {
		return err
	}
	u := s.urls(c)
	list := make([]apiChannel, 0, len(chs))
	for _, ch := range chs {
		list = append(list, s.fullChannelJSON(u, ch))
	}
	q, err := s.Videos.QuotaOf(c.Request().Context(), usr.ID)
	if err != nil {
		return err
	}
	acct := model.Account{ID: usr.AccountID, Name: usr.Username, DisplayName: usr.Username, CreatedAt: usr.CreatedAt}
	if len(chs) > 0 {
		acct = chs[0].Account
	}
	account := s.fullAccountJSON(u, acct)
	account.Avatars, account.Avatar = s.accountAvatars(c.Request().Context(), acct.ID)
	return c.JSON(http.StatusOK, apiUser{ID: usr.ID, Username: usr.Username, Email: usr.Email, Role: il(usr.Role, roleLabel(usr.Role)),
		Account: account, VideoChannels: list, VideoQuota: q.VideoQuota, VideoQuotaDaily: q.VideoQuotaDaily,
		VideoQuotaUsed: q.VideoQuotaUsed, VideoQuotaUsedDaily: q.VideoQuotaUsedDaily, CreatedAt: usr.CreatedAt})
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
	// apigaps: the instance's texts and default quotas are the admin's
	// (app/instance, read from memory at each request: nothing to
	// invalidate when /config/custom or the admin page changes them).
	about := s.about(c.Request().Context())
	short := about.ShortDescription
	if short == "" {
		short = "A video channel on a box at home"
	}
	return c.JSON(http.StatusOK, map[string]any{
		"serverVersion": s.Version,
		"instance":      map[string]any{"name": s.instanceName(), "shortDescription": short, "isNSFW": false, "defaultNSFWPolicy": "do_not_list"},
		"signup":        map[string]any{"allowed": false, "allowedForCurrentIP": false, "requiresEmailVerification": false},
		"transcoding": map[string]any{
			"hls":                map[string]any{"enabled": true},
			"webVideos":          map[string]any{"enabled": false},
			"enabledResolutions": enabledResolutions(),
			"profile":            "default",
			"availableProfiles":  []string{"default"},
		},
		"video": map[string]any{
			"image": map[string]any{"extensions": []string{".jpg", ".jpeg", ".png"}, "size": map[string]any{"max": 4 << 20}},
			"file":  map[string]any{"extensions": append(exts, audio...), "size": map[string]any{"max": s.Config.MaxUploadBytes}},
		},
		"user":   map[string]any{"videoQuota": about.VideoQuota, "videoQuotaDaily": about.VideoQuotaDaily},
		"import": map[string]any{"videos": map[string]any{"http": map[string]any{"enabled": false}, "torrent": map[string]any{"enabled": false}}},
		"live":   map[string]any{"enabled": false},
		"search": map[string]any{"remoteUri": map[string]any{"users": false, "anonymous": false}},
	})
}
