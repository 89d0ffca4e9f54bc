package web

import (
	"errors"
	"math"
	"net/http"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
)

// The video lists' JSON, written field by field: a list is the API's most
// asked answer, and encoding/json's reflection (with a string allocated
// per time and per float) was a quarter of an uncached list's CPU and
// a third of its allocations. The bytes are exactly encoding/json's (HTML
// escaping included): TestVideoJSONAppendMatchesEncoding fills every
// field of apiVideo at random and compares, so a field added to the
// struct and not here fails it.

// errNotJSON: a value encoding/json refuses too (NaN, a year past 9999);
// the caller falls back to it, for its error.
var errNotJSON = errors.New("value not representable in JSON")

// listBuffers keeps the lists' buffers: a page of 25 videos is ~36 KB.
type listBuffers struct{ pool sync.Pool }

func (l *listBuffers) get() *[]byte {
	if bp, ok := l.pool.Get().(*[]byte); ok {
		return bp
	}
	b := make([]byte, 0, 64<<10)
	return &b
}

func (l *listBuffers) put(bp *[]byte) { l.pool.Put(bp) }

// renderVideoList answers PeerTube's {total, data} of videos, as c.JSON
// would.
func (s *Server) renderVideoList(c echo.Context, vs []model.Video, total int) error {
	u := s.urls(c)
	page := make([]apiVideo, len(vs))
	for i, v := range vs {
		page[i] = s.videoSummaryJSON(c.Request().Context(), u, v)
	}
	s.remoteList(c.Request().Context(), vs, page) // not ours: isLocal false, the origin's url
	if _, pretty := c.QueryParams()["pretty"]; pretty {
		return c.JSON(http.StatusOK, videoPage{Total: total, Data: page})
	}
	bp := s.listBufs.get()
	b := append((*bp)[:0], `{"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	b = append(b, `,"data":[`...)
	var err error
	for i := range page {
		if i > 0 {
			b = append(b, ',')
		}
		if b, err = page[i].appendJSON(b); err != nil {
			break
		}
	}
	b = append(b, "]}\n"...) // json.Encoder ends with a newline
	if err == nil {
		err = c.JSONBlob(http.StatusOK, b)
	} else {
		err = c.JSON(http.StatusOK, videoPage{Total: total, Data: page})
	}
	if cap(b) <= 1<<20 { // a rare huge page is not kept
		*bp = b[:0]
		s.listBufs.put(bp)
	}
	return err
}

func (a *apiVideo) appendJSON(b []byte) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, a.ID, 10)
	b = append(b, `,"uuid":`...)
	b = appendJSONString(b, a.UUID)
	b = append(b, `,"shortUUID":`...)
	b = appendJSONString(b, a.ShortUUID)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, a.URL)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, a.Name)
	b = append(b, `,"category":`...)
	b = a.Category.appendJSON(b)
	b = append(b, `,"licence":`...)
	b = a.Licence.appendJSON(b)
	b = append(b, `,"language":{"id":`...)
	b = appendJSONStringPtr(b, a.Language.ID)
	b = append(b, `,"label":`...)
	b = appendJSONString(b, a.Language.Label)
	b = append(b, `},"privacy":`...)
	b = a.Privacy.appendJSON(b)
	b = append(b, `,"nsfw":`...)
	b = strconv.AppendBool(b, a.NSFW)
	b = append(b, `,"truncatedDescription":`...)
	b = appendJSONStringPtr(b, a.TruncatedDescription)
	b = append(b, `,"description":`...)
	b = appendJSONStringPtr(b, a.Description)
	b = append(b, `,"isLocal":`...)
	b = strconv.AppendBool(b, a.IsLocal)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(a.Duration), 10)
	b = append(b, `,"aspectRatio":`...)
	if a.AspectRatio == nil {
		b = append(b, "null"...)
	} else if b, err = appendJSONFloat(b, *a.AspectRatio); err != nil {
		return b, err
	}
	b = append(b, `,"views":`...)
	b = strconv.AppendInt(b, a.Views, 10)
	b = append(b, `,"viewers":`...)
	b = strconv.AppendInt(b, int64(a.Viewers), 10)
	b = append(b, `,"likes":`...)
	b = strconv.AppendInt(b, int64(a.Likes), 10)
	b = append(b, `,"dislikes":`...)
	b = strconv.AppendInt(b, int64(a.Dislikes), 10)
	b = append(b, `,"thumbnailPath":`...)
	b = appendJSONStringPtr(b, a.ThumbnailPath)
	b = append(b, `,"previewPath":`...)
	b = appendJSONStringPtr(b, a.PreviewPath)
	b = append(b, `,"embedPath":`...)
	b = appendJSONString(b, a.EmbedPath)
	b = append(b, `,"createdAt":`...)
	if b, err = appendJSONTime(b, a.CreatedAt); err != nil {
		return b, err
	}
	b = append(b, `,"updatedAt":`...)
	if b, err = appendJSONTime(b, a.UpdatedAt); err != nil {
		return b, err
	}
	b = append(b, `,"publishedAt":`...)
	if b, err = appendJSONTimePtr(b, a.PublishedAt); err != nil {
		return b, err
	}
	b = append(b, `,"originallyPublishedAt":`...)
	if b, err = appendJSONTimePtr(b, a.OriginallyPublishedAt); err != nil {
		return b, err
	}
	b = append(b, `,"isLive":`...)
	b = strconv.AppendBool(b, a.IsLive)
	b = append(b, `,"account":`...)
	if b, err = a.Account.appendJSON(b); err != nil {
		return b, err
	}
	b = append(b, `,"channel":`...)
	if b, err = a.Channel.appendJSON(b); err != nil {
		return b, err
	}
	b = append(b, `,"state":`...)
	b = a.State.appendJSON(b)
	b = append(b, `,"waitTranscoding":`...)
	b = strconv.AppendBool(b, a.WaitTranscoding)
	b = append(b, `,"blacklisted":`...)
	b = strconv.AppendBool(b, a.Blacklisted)
	b = append(b, `,"blacklistedReason":`...)
	b = appendJSONStringPtr(b, a.BlacklistedReason)
	b = append(b, `,"processingProgress":`...)
	if b, err = appendJSONFloat(b, a.ProcessingProgress); err != nil {
		return b, err
	}
	if a.Error != "" {
		b = append(b, `,"error":`...)
		b = appendJSONString(b, a.Error)
	}
	return append(b, '}'), nil
}

func (l idLabel) appendJSON(b []byte) []byte {
	b = append(b, `{"id":`...)
	if l.ID == nil {
		b = append(b, "null"...)
	} else {
		b = strconv.AppendInt(b, int64(*l.ID), 10)
	}
	b = append(b, `,"label":`...)
	b = appendJSONString(b, l.Label)
	return append(b, '}')
}

func (a *apiActor) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, a.ID, 10)
	b = append(b, `,"name":`...)
	b = appendJSONString(b, a.Name)
	b = append(b, `,"displayName":`...)
	b = appendJSONString(b, a.DisplayName)
	b = append(b, `,"url":`...)
	b = appendJSONString(b, a.URL)
	b = append(b, `,"host":`...)
	b = appendJSONString(b, a.Host)
	b = append(b, `,"avatars":`...)
	if a.Avatars == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i := range a.Avatars {
			if i > 0 {
				b = append(b, ',')
			}
			var err error
			if b, err = a.Avatars[i].appendJSON(b); err != nil {
				return b, err
			}
		}
		b = append(b, ']')
	}
	if a.Avatar != nil {
		b = append(b, `,"avatar":`...)
		var err error
		if b, err = a.Avatar.appendJSON(b); err != nil {
			return b, err
		}
	}
	return append(b, '}'), nil
}

func (im *apiImage) appendJSON(b []byte) ([]byte, error) {
	b = append(b, `{"path":`...)
	b = appendJSONString(b, im.Path)
	b = append(b, `,"width":`...)
	b = strconv.AppendInt(b, int64(im.Width), 10)
	b = append(b, `,"createdAt":`...)
	var err error
	if b, err = appendJSONTime(b, im.CreatedAt); err != nil {
		return b, err
	}
	b = append(b, `,"updatedAt":`...)
	if b, err = appendJSONTime(b, im.UpdatedAt); err != nil {
		return b, err
	}
	return append(b, '}'), nil
}

func appendJSONStringPtr(b []byte, s *string) []byte {
	if s == nil {
		return append(b, "null"...)
	}
	return appendJSONString(b, *s)
}

// appendJSONTime is time.Time's MarshalJSON: RFC 3339 with nanoseconds,
// refused (as it does) for a year not of 4 digits or a zone of 24 hours
// or more.
func appendJSONTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	n0 := len(b)
	b = t.AppendFormat(b, time.RFC3339Nano)
	switch {
	case len(b) < n0+5 || b[n0+4] != '-':
		return b, errNotJSON
	case b[len(b)-1] != 'Z':
		h := b[len(b)-5 : len(b)-3]
		if c := b[len(b)-6]; '0' <= c && c <= '9' || 10*(h[0]-'0')+(h[1]-'0') >= 24 {
			return b, errNotJSON
		}
	}
	return append(b, '"'), nil
}

func appendJSONTimePtr(b []byte, t *time.Time) ([]byte, error) {
	if t == nil {
		return append(b, "null"...), nil
	}
	return appendJSONTime(b, *t)
}

// appendJSONFloat is encoding/json's float64: the shortest decimal that
// reads back, exponents only for the very small and the very large.
func appendJSONFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, errNotJSON
	}
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9, as encoding/json writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}

const hexDigits = "0123456789abcdef"

// appendJSONString is encoding/json's string, HTML-escaped as its
// Marshal and Encoder do by default: <, > and & as \u003c..., invalid
// UTF-8 as U+FFFD, U+2028 and U+2029 escaped for JavaScript.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
