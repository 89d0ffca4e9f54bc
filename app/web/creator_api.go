package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/captions"
	"cabane.dev/cabane/app/chapters"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/videos"
)

// The API of what a creator adds to a video (#9 point 4): captions,
// chapters, passwords, and the images of PUT /videos/{id}.

type apiLanguage struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// apiCaption is PeerTube 7.0's VideoCaption.
type apiCaption struct {
	Language               apiLanguage `json:"language"`
	CaptionPath            string      `json:"captionPath"`
	FileURL                string      `json:"fileUrl"`
	AutomaticallyGenerated bool        `json:"automaticallyGenerated"`
	UpdatedAt              time.Time   `json:"updatedAt"`
}

type captionPage = listJSON[apiCaption]

type apiChapter struct {
	Timecode int    `json:"timecode"`
	Title    string `json:"title"`
}

type chapterList struct {
	Chapters []apiChapter `json:"chapters"`
}

// apiVideoPassword is PeerTube's VideoPassword.
type apiVideoPassword struct {
	ID        int64     `json:"id"`
	Password  string    `json:"password"`
	VideoID   int64     `json:"videoId"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

type passwordPage = listJSON[apiVideoPassword]

func (s *Server) apiCaptions(c echo.Context) error {
	_, cs, err := s.Captions.List(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return creatorError(err)
	}
	u := s.urls(c)
	page := captionPage{Total: len(cs), Data: make([]apiCaption, 0, len(cs))}
	for _, cp := range cs {
		page.Data = append(page.Data, apiCaption{
			Language:    apiLanguage{ID: cp.Language, Label: videos.LanguageLabel(cp.Language)},
			CaptionPath: uris.Caption(cp.Filename), FileURL: u.Abs(uris.Caption(cp.Filename)),
			UpdatedAt: cp.UpdatedAt.UTC(),
		})
	}
	return c.JSON(http.StatusOK, page)
}

// apiPutCaption is PUT /videos/{id}/captions/{lang}: the file in the
// multipart field "captionfile". The body is bounded before it is read
// (limitBodies), and the file is checked whole before anything is stored.
func (s *Server) apiPutCaption(c echo.Context) error {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, captions.MaxBytes+formOverhead)
	if err := r.ParseMultipartForm(captions.MaxBytes + formOverhead); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apiError(http.StatusRequestEntityTooLarge, "A caption file is at most %d MiB.", captions.MaxBytes>>20)
		}
		return fieldError("captionfile", "send the caption as multipart/form-data in the field \"captionfile\"")
	}
	defer r.MultipartForm.RemoveAll()
	fh := r.MultipartForm.File["captionfile"]
	if len(fh) != 1 {
		return fieldError("captionfile", "send one caption file in the field \"captionfile\"")
	}
	f, err := fh[0].Open()
	if err != nil {
		return err
	}
	defer f.Close()
	if err := s.Captions.Put(r.Context(), viewer(c), c.Param("id"), c.Param("lang"), f); err != nil {
		return creatorError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiDeleteCaption(c echo.Context) error {
	if err := s.Captions.Delete(c.Request().Context(), viewer(c), c.Param("id"), c.Param("lang")); err != nil {
		if errors.Is(err, model.ErrNotFound) && !errors.Is(err, videos.ErrPasswordRequired) {
			return apiError(http.StatusNotFound, "Video caption not found")
		}
		return creatorError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiChapters(c echo.Context) error {
	_, cs, err := s.Chapters.List(c.Request().Context(), viewer(c), c.Param("id"))
	if err != nil {
		return creatorError(err)
	}
	out := chapterList{Chapters: make([]apiChapter, 0, len(cs))}
	for _, ch := range cs {
		out.Chapters = append(out.Chapters, apiChapter(ch))
	}
	return c.JSON(http.StatusOK, out)
}

func (s *Server) apiReplaceChapters(c echo.Context) error {
	var body struct {
		Chapters *[]struct {
			Timecode json.Number `json:"timecode"`
			Title    *string     `json:"title"`
		} `json:"chapters"`
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil || body.Chapters == nil {
		return fieldError("chapters", "send {\"chapters\": [{\"timecode\": 0, \"title\": \"…\"}]}")
	}
	cs := make([]model.Chapter, 0, len(*body.Chapters))
	for _, ch := range *body.Chapters {
		n, err := strconv.Atoi(ch.Timecode.String())
		if err != nil || ch.Title == nil {
			return fieldError("chapters", "each chapter has a whole timecode in seconds and a title")
		}
		cs = append(cs, model.Chapter{Timecode: n, Title: *ch.Title})
	}
	if err := s.Chapters.Replace(c.Request().Context(), viewer(c), c.Param("id"), cs); err != nil {
		return creatorError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiPasswords(c echo.Context) error {
	start, count, err := pagination(c)
	if err != nil {
		return err
	}
	_, ps, total, err := s.Videos.ListPasswords(c.Request().Context(), viewer(c), c.Param("id"), start, count)
	if err != nil {
		return creatorError(err)
	}
	page := passwordPage{Total: total, Data: make([]apiVideoPassword, 0, len(ps))}
	for _, p := range ps {
		page.Data = append(page.Data, apiVideoPassword{ID: p.ID, Password: p.Password, VideoID: p.VideoID,
			CreatedAt: p.CreatedAt.UTC(), UpdatedAt: p.UpdatedAt.UTC()})
	}
	return c.JSON(http.StatusOK, page)
}

func (s *Server) apiReplacePasswords(c echo.Context) error {
	var body struct {
		Passwords *[]string `json:"passwords"`
	}
	if err := json.NewDecoder(c.Request().Body).Decode(&body); err != nil || body.Passwords == nil {
		return fieldError("passwords", "send {\"passwords\": [\"…\"]}")
	}
	if err := s.Videos.ReplacePasswords(c.Request().Context(), viewer(c), c.Param("id"), *body.Passwords); err != nil {
		return creatorError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) apiDeletePassword(c echo.Context) error {
	id, err := strconv.ParseInt(c.Param("pid"), 10, 64)
	if err != nil || id < 1 {
		return fieldError("videoPasswordId", "a password's number")
	}
	err = s.Videos.DeletePassword(c.Request().Context(), viewer(c), c.Param("id"), id)
	if errors.Is(err, model.ErrNotFound) && !errors.Is(err, videos.ErrPasswordRequired) {
		// The video was found (manageable): the password was not.
		return apiError(http.StatusNotFound, "Video password not found")
	}
	if err != nil {
		return creatorError(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// creatorError renders the creator services' refusals as PeerTube does.
func creatorError(err error) error {
	var fe *chapters.FieldError
	switch {
	case errors.As(err, &fe):
		return fieldError(fe.Field, "%s", fe.Msg)
	case errors.Is(err, captions.ErrBadCaption):
		return fieldError("captionfile", "%s", err.Error())
	case errors.Is(err, captions.ErrUnknownLanguage):
		return apiError(http.StatusNotFound, "%s", err.Error())
	case errors.Is(err, captions.ErrForbidden), errors.Is(err, chapters.ErrForbidden):
		return apiError(http.StatusForbidden, "Cannot manage a video of another user")
	case errors.Is(err, videos.ErrNotPasswordProtected):
		return apiError(http.StatusBadRequest, "Video is not password protected")
	case errors.Is(err, videos.ErrLastPassword):
		return apiError(http.StatusBadRequest, "Cannot delete the last password of the protected video")
	}
	return videoError(err)
}

// passwordError is PeerTube's answer for a password-protected video that
// the request did not open: 403 with the code its apps look for; nil for
// any other error.
func passwordError(err error) error {
	switch {
	case errors.Is(err, videos.ErrPasswordRequired):
		return &echo.HTTPError{Code: http.StatusForbidden, Message: "Please provide a password to access this password protected video",
			Internal: &apiDetail{code: "video_requires_password"}}
	case errors.Is(err, videos.ErrWrongPassword):
		return &echo.HTTPError{Code: http.StatusForbidden, Message: "Incorrect video password. Access to the video is denied.",
			Internal: &apiDetail{code: "incorrect_video_password"}}
	case errors.Is(err, videos.ErrTooManyGuesses):
		return apiError(http.StatusTooManyRequests, "Too many wrong passwords from your address. Try again later.")
	}
	return nil
}
