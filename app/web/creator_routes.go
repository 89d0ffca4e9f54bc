package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/chapters"
	"cabane.dev/cabane/app/ratelimit"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// creatorAPIRoutes are captions, chapters and passwords (#9 point 4).
func (s *Server) creatorAPIRoutes(g *echo.Group, api []echo.MiddlewareFunc) {
	user := append(api[:len(api):len(api)], requireAPIUser)
	g.GET("/videos/:id/captions", s.apiCaptions, api...)
	g.PUT("/videos/:id/captions/:lang", s.apiPutCaption, user...)
	g.DELETE("/videos/:id/captions/:lang", s.apiDeleteCaption, user...)
	g.GET("/videos/:id/chapters", s.apiChapters, api...)
	g.PUT("/videos/:id/chapters", s.apiReplaceChapters, user...)
	g.POST("/videos/:id/token", s.videoFileToken, api...) // filetoken.go
	g.GET("/videos/:id/metadata/:fileId", s.apiFileMetadata, api...)
	g.GET("/videos/:id/passwords", s.apiPasswords, user...)
	g.PUT("/videos/:id/passwords", s.apiReplacePasswords, user...)
	g.DELETE("/videos/:id/passwords/:pid", s.apiDeletePassword, user...)
}

// creatorPageRoutes: caption files, the chapters track, and the watch
// page's password form (rate-limited like every password check, in a
// table of its own: a viewer mistyping a video's password must not lock
// the household out of logging in, nor the reverse).
func (s *Server) creatorPageRoutes(e *echo.Echo, page, files []echo.MiddlewareFunc, limited []echo.MiddlewareFunc) {
	e.GET("/lazy-static/video-captions/:file", s.serveCaption, files...)
	e.GET("/videos/:id/chapters.vtt", s.serveChapters, files...)
	e.POST("/videos/:id/unlock", s.unlockSubmit, limited...)
}

// isCreatorUpload: the requests whose bodies are files a creator sends
// (a caption, a video's images), which the 1 MiB bound of other requests
// would refuse; their handlers bound them.
func isCreatorUpload(r *http.Request) bool {
	if r.Method != http.MethodPut || !strings.HasPrefix(r.URL.Path, "/api/v1/videos/") {
		return false
	}
	parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/v1/videos/"), "/"), "/")
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return ct == "multipart/form-data" && (len(parts) == 1 || len(parts) == 3 && parts[1] == "captions")
}

// maxImagesBody bounds PUT /videos/{id} with its thumbnail and preview.
const maxImagesBody = 2*videos.MaxImageBytes + formOverhead

// formImages reads the thumbnailfile and previewfile of a multipart
// PUT /videos/{id} (readForm parsed the form).
func formImages(c echo.Context) ([]videos.Image, error) {
	r := c.Request()
	if r.MultipartForm == nil {
		return nil, nil
	}
	var imgs []videos.Image
	for _, field := range []string{"thumbnailfile", "previewfile"} {
		fhs := r.MultipartForm.File[field]
		if len(fhs) == 0 {
			continue
		}
		f, err := fhs[0].Open()
		if err != nil {
			return nil, err
		}
		im, err := videos.ReadImage(field, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		imgs = append(imgs, im)
	}
	return imgs, nil
}

func (s *Server) serveCaption(c echo.Context) error {
	v, path, err := s.Captions.File(c.Request().Context(), viewer(c), c.Param("file"))
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	h := c.Response().Header()
	h.Set("Content-Type", "text/vtt; charset=utf-8")
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", fileCache(v.Privacy))
	return serveFile(c, path)
}

func (s *Server) serveChapters(c echo.Context) error {
	v, cs, err := s.Chapters.List(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return notFound(err, "errors.not_found")
	}
	h := c.Response().Header()
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Cache-Control", "private, no-cache") // chapters change in place
	return c.Blob(http.StatusOK, "text/vtt; charset=utf-8", chapters.VTT(cs, v.Duration))
}

func fileCache(privacy int) string {
	if privacy == 1 || privacy == 2 {
		return "public, max-age=3600"
	}
	return "private, max-age=3600"
}

// --- the watch page's password: a signed, short-lived cookie per video ---

const (
	unlockCookiePrefix = "cabane_vp_"
	unlockFor          = 12 * time.Hour
	maxUnlockCookies   = 20
	ctxUnlocked        = "unlocked"
	ctxClientKey       = "clientKey"
)

func newUnlockKeys() unlockKeys {
	k := make([]byte, 32)
	rand.Read(k)
	return unlockKeys{key: k}
}

// unlockKeys sign the cookies that say a visitor gave a video's password:
// one random key per run, so a restart asks again (the cookies are short
// lived anyway) and nothing is stored.
type unlockKeys struct{ key []byte }

func (k unlockKeys) mac(uuid string, until int64) string {
	m := hmac.New(sha256.New, k.key)
	m.Write([]byte(uuid + "|" + strconv.FormatInt(until, 10)))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// cookie is the cookie that unlocks uuid until the given time; secure
// (as the session cookie) when the site is served over HTTPS.
func (k unlockKeys) cookie(uuid string, now time.Time, secure bool) *http.Cookie {
	until := now.Add(unlockFor).Unix()
	return &http.Cookie{Name: unlockCookiePrefix + uuid, Value: strconv.FormatInt(until, 10) + "." + k.mac(uuid, until),
		Path: "/", MaxAge: int(unlockFor.Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: secure}
}

// unlocked are the videos the request's cookies validly unlock.
// A cookie issued before the video's access last changed (a new password,
// another privacy: changedAt) no longer unlocks it.
func (k unlockKeys) unlocked(r *http.Request, now time.Time, changedAt func(uuid string) time.Time) []string {
	var out []string
	for _, ck := range r.Cookies() {
		uuid, ok := strings.CutPrefix(ck.Name, unlockCookiePrefix)
		if !ok || len(out) >= maxUnlockCookies {
			continue
		}
		ts, sig, ok := strings.Cut(ck.Value, ".")
		until, err := strconv.ParseInt(ts, 10, 64)
		if !ok || err != nil || until < now.Unix() {
			continue
		}
		issued := time.Unix(until, 0).Add(-unlockFor)
		if hmac.Equal([]byte(sig), []byte(k.mac(uuid, until))) && !issued.Before(changedAt(uuid)) {
			out = append(out, uuid)
		}
	}
	return out
}

// unlockMiddleware reads the unlock cookies once per request, for viewer.
func (s *Server) unlockMiddleware(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if u := s.unlock.unlocked(c.Request(), time.Now(), s.Videos.AccessChangedAt); len(u) > 0 {
			c.Set(ctxUnlocked, u)
		}
		c.Set(ctxClientKey, ratelimit.ClientKey(s.LAN.Client(c.Request())))
		return next(c)
	}
}

// withPasswords adds to a viewer what the request says of passwords: the
// header PeerTube's apps send, and the watch page's cookies.
func withPasswords(c echo.Context, v *visibility.Viewer) {
	v.Password = c.Request().Header.Get("x-peertube-video-password")
	if v.Password != "" {
		v.Client = clientKey(c)
	}
	v.Unlocked, _ = c.Get(ctxUnlocked).([]string)
	v.FilesOf, _ = c.Get(ctxFilesOf).([]string) // filetoken.go
}

// clientKey is the rate-limit key of the request's client, as the other
// password checks use it (unlockMiddleware resolves it).
func clientKey(c echo.Context) string {
	k, _ := c.Get(ctxClientKey).(string)
	return k
}

func (s *Server) unlockSubmit(c echo.Context) error {
	if err := readSmallForm(c); err != nil {
		return err
	}
	vw := viewer(c)
	vw.Client = clientKey(c)
	v, err := s.Videos.Unlock(c.Request().Context(), vw, c.Param("id"), c.Request().PostForm.Get("password"))
	if c.Request().PostForm.Get("embed") != "" { // the embed's form (embed.go): back to the embed
		return s.embedUnlocked(c, v, err)
	}
	switch {
	case errors.Is(err, videos.ErrWrongPassword), errors.Is(err, videos.ErrPasswordRequired):
		return s.passwordPage(c, c.Param("id"), http.StatusForbidden, "wrong")
	case errors.Is(err, videos.ErrTooManyGuesses):
		return s.passwordPage(c, c.Param("id"), http.StatusTooManyRequests, "too_many")
	case err != nil:
		return notFound(err, "errors.no_video")
	}
	c.SetCookie(s.unlock.cookie(v.UUID, time.Now(), s.secure(c)))
	return c.Redirect(http.StatusSeeOther, uris.ShortWatch(v.ShortUUID))
}
