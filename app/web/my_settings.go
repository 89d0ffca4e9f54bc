package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/profile"
	"cabane.dev/cabane/app/repo"
)

type mySettingsData struct {
	DisplayName string
	AvatarURL   string
	Privacies   []option
	Languages   []langLink
	MaxAvatar   string
	// Exports are the user's archives (user_exports.go); nil: not offered.
	Exports    []myExport
	ExportsOn  bool
	CanRequest bool // no export pending, processing or ready
	// Import is the latest import (user_imports.go); ImportsOn: offered.
	Import    *myImport
	ImportsOn bool
}

// avatarURL is where an avatar is served (PeerTube's path); "" for none.
func avatarURL(a repo.Avatar) string {
	if a.File == "" {
		return ""
	}
	return "/lazy-static/avatars/" + a.File
}

func (s *Server) mySettings(c echo.Context) error {
	return s.renderSettings(c, http.StatusOK, "")
}

// renderSettings shows the settings page, with a refusal's sentence when
// a form was refused.
func (s *Server) renderSettings(c echo.Context, code int, problem string) error {
	ctx, who := c.Request().Context(), viewer(c)
	st, err := s.Profile.Get(ctx, who)
	if err != nil {
		return err
	}
	a, err := s.Accounts.AccountByID(ctx, who.AccountID)
	if err != nil {
		return err
	}
	v := s.view(c, "", nil)
	d := mySettingsData{DisplayName: a.DisplayName, AvatarURL: avatarURL(st.Avatar), Languages: v.Languages(),
		MaxAvatar: humanBytes(profile.MaxAvatarBytes), ExportsOn: s.Exports != nil}
	d.Exports, d.CanRequest = s.myExports(c)
	d.Import, d.ImportsOn = s.myLatestImport(c), s.Imports != nil
	for _, p := range []int{model.PrivacyPublic, model.PrivacyUnlisted, model.PrivacyPrivate, model.PrivacyInternal, model.PrivacyLocal} {
		d.Privacies = append(d.Privacies, option{Value: strconv.Itoa(p), Label: v.T("my.privacy." + strconv.Itoa(p)), Selected: p == st.DefaultPrivacy})
	}
	v.Data, v.Title, v.Notice, v.Error = d, v.T("my.settings.title"), noticeOf(v, c), problem
	return s.renderView(c, code, "my_settings", v)
}

// settingsRefused shows the page again with why, or hands err on.
func (s *Server) settingsRefused(c echo.Context, err error) error {
	v := s.view(c, "", nil)
	var fe *profile.FieldError
	switch {
	case errors.As(err, &fe):
		return s.renderSettings(c, http.StatusBadRequest, v.T("my.error.field", v.T("my.field."+fe.Field), fe.Msg))
	case errors.Is(err, auth.ErrBadPassword):
		return s.renderSettings(c, http.StatusForbidden, v.T("my.settings.wrong_password"))
	case errors.Is(err, profile.ErrAvatarTooLarge):
		return s.renderSettings(c, http.StatusRequestEntityTooLarge, v.T("my.settings.avatar_too_large", humanBytes(profile.MaxAvatarBytes)))
	case errors.Is(err, profile.ErrNotImage):
		return s.renderSettings(c, http.StatusBadRequest, v.T("my.settings.avatar_not_image"))
	}
	return err
}

// mySettingsProfile stores the display name, the uploads' default privacy
// and the interface language (the switcher's cookie).
func (s *Server) mySettingsProfile(c echo.Context) error {
	var u profile.Update
	if _, ok := c.Request().PostForm["displayName"]; ok {
		name := c.FormValue("displayName")
		u.DisplayName = &name
	}
	if l := c.FormValue("language"); l != "" && s.msgs.Has(l) {
		u.Language = &l // the supporter Notes speak it (#11)
	}
	if p, err := strconv.Atoi(c.FormValue("defaultPrivacy")); err == nil {
		u.DefaultPrivacy = &p
	} else if c.FormValue("defaultPrivacy") != "" {
		u.DefaultPrivacy = &p // 0: refused by the service, named
	}
	if err := s.Profile.Apply(c.Request().Context(), viewer(c), u); err != nil {
		return s.settingsRefused(c, err)
	}
	if l := c.FormValue("language"); l != "" && s.msgs.Has(l) {
		setLanguageCookie(c, l)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings?done=saved")
}

func (s *Server) mySettingsPassword(c echo.Context) error {
	session := ""
	if ck, err := c.Cookie(sessionCookie); err == nil {
		session = ck.Value
	}
	err := s.Profile.ChangePassword(c.Request().Context(), viewer(c), c.FormValue("current"), c.FormValue("password"), session)
	if err != nil {
		return s.settingsRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings?done=password")
}

// mySettingsAvatar takes the avatar form's file (multipart, read by the
// CSRF check within the body limit).
func (s *Server) mySettingsAvatar(c echo.Context) error {
	fh, err := c.FormFile("avatarfile")
	if err != nil {
		return s.settingsRefused(c, profile.ErrNotImage)
	}
	if fh.Size > profile.MaxAvatarBytes {
		return s.settingsRefused(c, profile.ErrAvatarTooLarge)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := s.Profile.SetAvatar(c.Request().Context(), viewer(c), f); err != nil {
		return s.settingsRefused(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings?done=avatar")
}

func (s *Server) mySettingsAvatarDelete(c echo.Context) error {
	if err := s.Profile.DeleteAvatar(c.Request().Context(), viewer(c)); err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/my/settings?done=avatar")
}

// serveAvatar serves a stored avatar: public (an account's picture, like
// PeerTube's), and its name changes with each new picture, so it may be
// cached for long.
func (s *Server) serveAvatar(c echo.Context) error {
	p := s.Profile.AvatarPath(c.Param("file"))
	if p == "" {
		return echo.NewHTTPError(http.StatusNotFound)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.File(p)
}

// apiAvatar is the answer of POST /api/v1/users/me/avatar/pick.
type apiAvatar struct {
	Avatars []apiImage `json:"avatars"`
}

// accountAvatars are an account's avatars as PeerTube lists them (one size
// here), empty without one, and the first of them for PeerTube's
// deprecated "avatar" (nil, left out, without one): GET /accounts/{name},
// /users/me, /users, and the account and channel of every video in a
// listing. They come from the profile service's cache of every avatar
// (one query at most, none most of the time), never a query per video.
func (s *Server) accountAvatars(ctx context.Context, accountID int64) ([]apiImage, *apiImage) {
	if s.Profile == nil {
		return []apiImage{}, nil
	}
	a, err := s.Profile.AvatarOf(ctx, accountID)
	if err != nil || a.File == "" {
		return []apiImage{}, nil // an avatar is decoration: its absence is no error
	}
	img := avatarImage(a)
	return []apiImage{img}, &img
}

func avatarImage(a repo.Avatar) apiImage {
	return apiImage{Path: avatarURL(a), Width: profile.AvatarSide, CreatedAt: a.UpdatedAt.UTC(), UpdatedAt: a.UpdatedAt.UTC()}
}

// apiPickAvatar is PeerTube's POST /api/v1/users/me/avatar/pick
// (multipart, field "avatarfile").
func (s *Server) apiPickAvatar(c echo.Context) error {
	fh, err := c.FormFile("avatarfile")
	if err != nil {
		return fieldError("avatarfile", "This file is not supported or too large. Please, make sure it is of the following type: .png, .jpeg, .jpg, .gif")
	}
	if fh.Size > profile.MaxAvatarBytes {
		c.Response().Header().Set("X-File-Maximum-Size", "4M")
		return apiError(http.StatusRequestEntityTooLarge, "The image is larger than 4 MB.")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	a, err := s.Profile.SetAvatar(c.Request().Context(), viewer(c), f)
	switch {
	case errors.Is(err, profile.ErrAvatarTooLarge):
		c.Response().Header().Set("X-File-Maximum-Size", "4M")
		return apiError(http.StatusRequestEntityTooLarge, "The image is larger than 4 MB.")
	case errors.Is(err, profile.ErrNotImage):
		return fieldError("avatarfile", "This file is not a PNG, JPEG or GIF image.")
	case err != nil:
		return err
	}
	return c.JSON(http.StatusOK, apiAvatar{Avatars: []apiImage{avatarImage(a)}})
}

// apiDeleteAvatar is PeerTube's DELETE /api/v1/users/me/avatar.
func (s *Server) apiDeleteAvatar(c echo.Context) error {
	if err := s.Profile.DeleteAvatar(c.Request().Context(), viewer(c)); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// myAPIRoutes are the API's side of the settings page.
func (s *Server) myAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser, func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if s.Profile == nil {
				return apiError(http.StatusNotFound, "no such API endpoint")
			}
			return next(c)
		}
	})
	g.POST("/users/me/avatar/pick", s.apiPickAvatar, user...)
	g.DELETE("/users/me/avatar", s.apiDeleteAvatar, user...)
}

// maxImageBody bounds the body of an avatar upload: the image's 4 MB
// and the form around it.
const maxImageBody = profile.MaxAvatarBytes + 64<<10

// isImageUpload reports the routes that take an image in a small,
// buffered body (bodylimit.go).
func isImageUpload(r *http.Request) bool {
	return r.Method == http.MethodPost && (r.URL.Path == "/my/settings/avatar" || strings.TrimSuffix(r.URL.Path, "/") == "/api/v1/users/me/avatar/pick")
}
