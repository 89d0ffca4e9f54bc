package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

// tracksView is what the player gets of a video's captions and chapters:
// <track> elements (subtitles, one per language; chapters) and the list
// of chapters that seeks.
type tracksView struct {
	Captions    []trackView
	ChaptersURL string // "" when the video has no chapters
	Chapters    []chapterView
}

type trackView struct {
	Lang, Label, URL string
}

type chapterView struct {
	Seconds     int
	Time, Title string
	Label       string // "Go to 1:05", for screen readers
	// Left is where its marker sits on the timeline, in percent (CSS
	// text: a number, never anything a title could inject).
	Left string
}

// tracks reads a video's captions and chapters for its page; nil when the
// services are not wired.
func (s *Server) tracks(c echo.Context, v model.Video) (*tracksView, error) {
	if s.Captions == nil || s.Chapters == nil {
		return nil, nil
	}
	ctx := c.Request().Context()
	vw := viewer(c)
	t := &tracksView{}
	w := s.pageWords(c)
	_, cs, err := s.Captions.List(ctx, vw, v.UUID)
	if err != nil {
		return nil, err
	}
	for _, cp := range cs {
		t.Captions = append(t.Captions, trackView{Lang: cp.Language, Label: videos.LanguageLabel(cp.Language), URL: uris.Caption(cp.Filename)})
	}
	_, chs, err := s.Chapters.List(ctx, vw, v.UUID)
	if err != nil {
		return nil, err
	}
	if len(chs) > 0 {
		t.ChaptersURL = uris.ChaptersTrack(v.UUID)
	}
	for _, ch := range chs {
		at := clock(ch.Timecode)
		left := 0.0
		if v.Duration > 0 {
			left = min(100, float64(ch.Timecode)*100/v.Duration.Seconds())
		}
		t.Chapters = append(t.Chapters, chapterView{Seconds: ch.Timecode, Time: at, Title: ch.Title,
			Label: w.T("creator.chapter_at", at), Left: strconv.FormatFloat(left, 'f', 2, 64)})
	}
	return t, nil
}

// clock writes seconds as 1:05 or 1:02:05.
func clock(s int) string {
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

type passwordData struct {
	Action string
	Error  string
}

// passwordPage asks for a password-protected video's password.
func (s *Server) passwordPage(c echo.Context, ref string, code int, problem string) error {
	w := s.pageWords(c)
	d := passwordData{Action: uris.UnlockVideo(ref)}
	if problem != "" {
		d.Error = w.T("creator." + problem)
	}
	return s.render(c, code, "video_password", w.T("creator.protected"), d)
}

// errPasswordGate is watchData's answer for a password-protected video
// the visitor has not unlocked: the watch page shows the password form
// instead (watchPasswordGate); other pages (the embed) a 403.
var errPasswordGate = &echo.HTTPError{Code: http.StatusForbidden, Message: "This video is protected by a password: open it on its page to give it."}

// passwordGate turns the videos service's "password required" into
// errPasswordGate.
func passwordGate(err error) error {
	if errors.Is(err, videos.ErrPasswordRequired) || errors.Is(err, videos.ErrWrongPassword) {
		return errPasswordGate
	}
	return err
}

// watchPasswordGate answers the watch page of a password-protected video
// that the visitor has not unlocked: the password form (403, as the API).
func (s *Server) watchPasswordGate(c echo.Context, err error) error {
	if err == errPasswordGate {
		return s.passwordPage(c, c.Param("id"), http.StatusForbidden, "")
	}
	return err
}
