package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/captions"
	"cabane.dev/cabane/app/chapters"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// The edit page's other forms (#9 point 4): the thumbnail, captions,
// chapters, and a password-protected video's passwords. Each is a plain
// POST with the CSRF field (multipart where a file goes), handled by the
// same service as the API's route, then a redirect back to the edit page;
// a refusal shows the edit page again with what was wrong.

// Strings live in assets/locales/<lang>/mycreator.json ("mycreator.*").

// myVideoExtras is what the edit page shows beside the metadata; Ready is
// false when the captions and chapters services are not wired.
type myVideoExtras struct {
	Ready        bool
	HasThumbnail bool
	Captions     []myCaptionRow
	CaptionLangs []option
	Chapters     []myChapterRow
	// Passwords: one per line, for the main form's textarea.
	Passwords string
	MaxImage  string
	MaxVTT    string
}

type myCaptionRow struct {
	Lang, Label, URL string
}

type myChapterRow struct {
	N           int // the row's number, for its labels' ids
	Time, Title string
}

// blankChapterRows: how many empty rows the editor offers after the
// chapters, and how many more each "more rows" press adds.
const blankChapterRows = 3

// fillExtras reads the captions, chapters and passwords of d.Video for the
// page; chapterRows, when not nil, are what the visitor typed (a refusal,
// or "more rows").
func (s *Server) fillExtras(c echo.Context, d *myVideoEditData, chapterRows []myChapterRow) error {
	x := &d.Extras
	d.PublicOn = s.earlyAccessValue(c.Request().Context(), d.Video) // supporters.go
	x.HasThumbnail = d.Video.HasThumbnail
	x.MaxImage, x.MaxVTT = humanBytes(videos.MaxImageBytes), humanBytes(captions.MaxBytes)
	if d.Video.Privacy == model.PrivacyPassword && s.Videos.Passwords != nil {
		// Not protected yet: the form shows what was typed for privacy 5.
		_, ps, _, err := s.Videos.ListPasswords(c.Request().Context(), viewer(c), d.Video.UUID, 0, 100)
		if err != nil && !errors.Is(err, videos.ErrNotPasswordProtected) {
			return err
		}
		lines := make([]string, 0, len(ps))
		for _, p := range ps {
			lines = append(lines, p.Password)
		}
		x.Passwords = strings.Join(lines, "\n")
	}
	if s.Captions == nil || s.Chapters == nil {
		return nil
	}
	x.Ready = true
	ctx, vw := c.Request().Context(), viewer(c)
	_, cs, err := s.Captions.List(ctx, vw, d.Video.UUID)
	if err != nil {
		return err
	}
	for _, cp := range cs {
		x.Captions = append(x.Captions, myCaptionRow{Lang: cp.Language, Label: videos.LanguageLabel(cp.Language), URL: uris.Caption(cp.Filename)})
	}
	langs := videos.Languages()
	codes := make([]string, 0, len(langs))
	for k := range langs {
		codes = append(codes, k)
	}
	sort.Slice(codes, func(i, j int) bool { return langs[codes[i]] < langs[codes[j]] })
	for _, k := range codes {
		x.CaptionLangs = append(x.CaptionLangs, option{Value: k, Label: langs[k], Selected: k == d.Video.Language})
	}
	if chapterRows == nil {
		_, chs, err := s.Chapters.List(ctx, vw, d.Video.UUID)
		if err != nil {
			return err
		}
		for _, ch := range chs {
			chapterRows = append(chapterRows, myChapterRow{Time: clock(ch.Timecode), Title: ch.Title})
		}
		chapterRows = append(chapterRows, make([]myChapterRow, blankChapterRows)...)
	}
	for i := range chapterRows {
		chapterRows[i].N = i + 1
	}
	x.Chapters = chapterRows
	return nil
}

// manageableVideo is the video of the route, for whoever may edit it
// (visibility.Edit: its owner or an admin, never for a remote video);
// otherwise the refusal the page shows.
func (s *Server) manageableVideo(c echo.Context) (model.Video, error) {
	vid, err := s.Videos.Details(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return vid, notFound(err, "errors.no_video")
	}
	if !visibility.Edit(viewer(c), vid) {
		return vid, echo.NewHTTPError(http.StatusForbidden, s.pageWords(c).T("my.error.forbidden"))
	}
	return vid, nil
}

// editRefused shows the edit page again with msg, what was typed in the
// chapters editor kept.
func (s *Server) editRefused(c echo.Context, code int, msg string, chapterRows []myChapterRow) error {
	vid, err := s.manageableVideo(c)
	if err != nil {
		return err
	}
	v := s.view(c, "", nil)
	d := s.editData(v, vid)
	if err := s.fillExtras(c, &d, chapterRows); err != nil {
		return err
	}
	v.Data, v.Title, v.Error = d, v.T("my.edit.title", vid.Name), msg
	return s.renderView(c, code, "my_video_edit", v)
}

func editDone(c echo.Context, done, anchor string) error {
	return c.Redirect(http.StatusSeeOther, "/my/videos/"+url.PathEscape(c.Param("id"))+"?done="+done+"#"+anchor)
}

// myVideoThumbnail replaces the thumbnail (and the preview made from it)
// with the uploaded JPEG or PNG, through the same service call as the
// API's multipart PUT /videos/{id}.
func (s *Server) myVideoThumbnail(c echo.Context) error {
	w := s.pageWords(c)
	fh, err := c.FormFile("thumbnailfile")
	if err != nil {
		return s.editRefused(c, http.StatusBadRequest, w.T("mycreator.thumbnail.missing"), nil)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	im, err := videos.ReadImage("thumbnailfile", f)
	if err == nil {
		err = s.Videos.SetImages(c.Request().Context(), viewer(c), c.Param("id"), im)
	}
	if err != nil {
		return s.extraRefused(c, err, "mycreator.thumbnail.refused", nil)
	}
	return editDone(c, "thumbnail", "thumbnail")
}

// extraRefused answers a refused form: the edit page with the service's
// reason under the page's sentence (key), or the error page.
func (s *Server) extraRefused(c echo.Context, err error, key string, rows []myChapterRow) error {
	w := s.pageWords(c)
	var vf *videos.FieldError
	var cf *chapters.FieldError
	switch {
	case errors.As(err, &vf):
		return s.editRefused(c, http.StatusBadRequest, w.T(key, vf.Msg), rows)
	case errors.As(err, &cf):
		return s.editRefused(c, http.StatusBadRequest, w.T(key, cf.Msg), rows)
	case errors.Is(err, videos.ErrBadImage), errors.Is(err, captions.ErrBadCaption):
		return s.editRefused(c, http.StatusBadRequest, w.T(key, err.Error()), rows)
	case errors.Is(err, captions.ErrUnknownLanguage):
		return s.editRefused(c, http.StatusBadRequest, w.T("mycreator.captions.unknown_language"), rows)
	case errors.Is(err, captions.ErrForbidden), errors.Is(err, chapters.ErrForbidden):
		return echo.NewHTTPError(http.StatusForbidden, w.T("my.error.forbidden"))
	}
	return s.refuse(c, err)
}

// myCaptionAdd adds (or replaces) the caption of a language from a .vtt
// or .srt file, checked whole by app/captions before anything is stored.
func (s *Server) myCaptionAdd(c echo.Context) error {
	w := s.pageWords(c)
	lang := c.FormValue("language")
	fh, err := c.FormFile("captionfile")
	if err != nil {
		return s.editRefused(c, http.StatusBadRequest, w.T("mycreator.captions.missing"), nil)
	}
	if fh.Size > captions.MaxBytes {
		return s.editRefused(c, http.StatusRequestEntityTooLarge, w.T("mycreator.captions.too_large", humanBytes(captions.MaxBytes)), nil)
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	if err := s.Captions.Put(c.Request().Context(), viewer(c), c.Param("id"), lang, f); err != nil {
		return s.extraRefused(c, err, "mycreator.captions.refused", nil)
	}
	return editDone(c, "caption_added", "captions")
}

func (s *Server) myCaptionDelete(c echo.Context) error {
	if err := s.Captions.Delete(c.Request().Context(), viewer(c), c.Param("id"), c.Param("lang")); err != nil {
		return s.extraRefused(c, err, "mycreator.captions.refused", nil)
	}
	return editDone(c, "caption_deleted", "captions")
}

// myChapters saves the chapters editor's rows (time[] and title[]; a row
// with neither is skipped), or, for the "more rows" button, shows the
// editor again with blank rows added and nothing saved.
func (s *Server) myChapters(c echo.Context) error {
	w := s.pageWords(c)
	f, err := c.FormParams()
	if err != nil {
		return echo.NewHTTPError(http.StatusBadRequest, err.Error())
	}
	times, titles := f["time"], f["title"]
	if len(times) != len(titles) || len(times) > 1000 {
		return echo.NewHTTPError(http.StatusBadRequest, w.T("my.error.invalid"))
	}
	rows := make([]myChapterRow, 0, len(times)+blankChapterRows)
	var cs []model.Chapter
	var bad string
	for i := range times {
		t, title := strings.TrimSpace(times[i]), strings.TrimSpace(titles[i])
		if t == "" && title == "" {
			continue
		}
		rows = append(rows, myChapterRow{Time: t, Title: title})
		sec, ok := parseClock(t)
		if !ok && bad == "" {
			bad = t
		}
		cs = append(cs, model.Chapter{Timecode: sec, Title: title})
	}
	withBlanks := append(rows, make([]myChapterRow, blankChapterRows)...)
	if f.Get("more") != "" {
		// Nothing saved: the editor again, longer.
		return s.editRefused(c, http.StatusOK, "", withBlanks)
	}
	if bad != "" {
		return s.editRefused(c, http.StatusBadRequest, w.T("mycreator.chapters.bad_time", bad), withBlanks)
	}
	if err := s.Chapters.Replace(c.Request().Context(), viewer(c), c.Param("id"), cs); err != nil {
		return s.extraRefused(c, err, "mycreator.chapters.refused", withBlanks)
	}
	return editDone(c, "chapters", "chapters")
}

// parseClock reads 65, 1:05 or 1:01:05 as seconds.
func parseClock(s string) (int, bool) {
	parts := strings.Split(s, ":")
	if len(parts) > 3 || s == "" {
		return 0, false
	}
	total := 0
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || i > 0 && (n > 59 || len(p) != 2) || n > 1_000_000 {
			return 0, false
		}
		total = total*60 + n
	}
	return total, true
}

// passwordLines reads the textarea's passwords, one per line, blank lines
// skipped.
func passwordLines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// maxMyVideoFileBody bounds the edit page's file forms (they are read in
// memory by limitBodies, like the avatar): 0 for any other request.
func maxMyVideoFileBody(r *http.Request) int64 {
	if r.Method != http.MethodPost || !strings.HasPrefix(r.URL.Path, "/my/videos/") {
		return 0
	}
	switch {
	case strings.HasSuffix(r.URL.Path, "/thumbnail"):
		return videos.MaxImageBytes + 64<<10
	case strings.HasSuffix(r.URL.Path, "/captions"):
		return captions.MaxBytes + 64<<10
	}
	return 0
}
