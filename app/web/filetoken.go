package web

import (
	"crypto/hmac"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
)

// Video file tokens (PeerTube 6, POST /api/v1/videos/{id}/token): an app
// that may see a private, internal or password-protected video asks for a
// token and adds ?videoFileToken= to the playlist and file URLs, because
// its player sends no Authorization header. The token names one video,
// expires, and is signed with the run's key (as the unlock cookies), so
// nothing is stored and a restart simply makes apps ask again.

const (
	fileTokenParam = "videoFileToken"
	fileTokenFor   = 2 * time.Hour
	ctxFilesOf     = "filesOf"
)

// fileToken is "<uuid>.<holder>.<until>.<mac>": the holder is the user it
// was given to (0: a visitor who gave the video's password), so that a ban
// ends it.
func (k unlockKeys) fileToken(uuid string, holder int64, until time.Time) string {
	u := until.Unix()
	h := strconv.FormatInt(holder, 10)
	return uuid + "." + h + "." + strconv.FormatInt(u, 10) + "." + k.mac("file|"+uuid+"|"+h, u)
}

// fileTokenVideo is the video a valid, unexpired token is for ("" if none):
// a token issued before the video's access last changed (changedAt) is
// void.
func (k unlockKeys) fileTokenVideo(tok string, now time.Time, changedAt func(uuid string) time.Time) (uuid string, holder int64) {
	parts := strings.Split(tok, ".")
	if len(parts) != 4 || len(parts[0]) > 64 {
		return "", 0
	}
	uuid, h, ts, sig := parts[0], parts[1], parts[2], parts[3]
	holder, herr := strconv.ParseInt(h, 10, 64)
	until, err := strconv.ParseInt(ts, 10, 64)
	if herr != nil || err != nil || until < now.Unix() {
		return "", 0
	}
	if !hmac.Equal([]byte(sig), []byte(k.mac("file|"+uuid+"|"+h, until))) {
		return "", 0
	}
	if time.Unix(until, 0).Add(-fileTokenFor).Before(changedAt(uuid)) {
		return "", 0
	}
	return uuid, holder
}

// fileTokens reads ?videoFileToken= on the file routes, for viewer.
func (s *Server) fileTokens(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		// Most file requests have no query: not parsed for nothing.
		if c.Request().URL.RawQuery == "" {
			return next(c)
		}
		if tok := c.QueryParam(fileTokenParam); tok != "" {
			uuid, holder := s.unlock.fileTokenVideo(tok, time.Now(), s.Videos.AccessChangedAt)
			// A holder since banned or removed holds nothing.
			if uuid != "" && (holder == 0 || s.holderActive(c, holder)) {
				c.Set(ctxFilesOf, []string{uuid})
				c.Set(ctxFileHolder, holder) // supporters.go
			}
		}
		return next(c)
	}
}

type fileTokenJSON struct {
	Files struct {
		Token   string    `json:"token"`
		Expires time.Time `json:"expires"`
	} `json:"files"`
}

// videoFileToken is POST /api/v1/videos/{id}/token: whoever may see the
// video (logged in, or with its password) gets a token for its files.
func (s *Server) videoFileToken(c echo.Context) error {
	v, err := s.Videos.Get(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		// PeerTube's answers: 403 for a missing or wrong password, and
		// 429 once a client has guessed wrong too often (the embed's
		// form says which, embed.js).
		if pe := passwordError(err); pe != nil {
			return pe
		}
		return notFound(err, "errors.no_video")
	}
	var out fileTokenJSON
	out.Files.Expires = time.Now().Add(fileTokenFor).UTC().Truncate(time.Second)
	out.Files.Token = s.unlock.fileToken(v.UUID, viewer(c).UserID, out.Files.Expires)
	return c.JSON(http.StatusOK, out)
}

// apiFileMetadata is GET /api/v1/videos/{id}/metadata/{videoFileId}:
// ffprobe's description of a file, as PeerTube answers it.
func (s *Server) apiFileMetadata(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("fileId"), 10, 64)
	if err != nil {
		return notFound(err, "errors.no_video")
	}
	meta, err := s.Videos.FileMetadata(c.Request().Context(), viewer(c), c.Param("id"), id)
	if err != nil {
		return notFound(passwordGate(err), "errors.no_video")
	}
	return c.JSONBlob(http.StatusOK, meta)
}

func (s *Server) holderActive(c echo.Context, id int64) bool {
	_, err := s.Auth.ActiveUser(c.Request().Context(), id)
	return err == nil
}
