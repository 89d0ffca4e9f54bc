package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/videos"
)

const (
	maxFieldBytes = 64 << 10 // a description is at most 10,000 characters
	maxFields     = 32
	formOverhead  = 1 << 20 // multipart headers and text fields around the file
)

// receiveUpload streams a multipart upload to a file in the data directory
// (never into memory) and hands it to the videos service. Errors are
// *echo.HTTPError with a message for the uploader.
func (s *Server) receiveUpload(c echo.Context) (model.Video, error) {
	r := c.Request()
	max := s.Config.MaxUploadBytes
	tooBig := apiError(http.StatusRequestEntityTooLarge, "The file is larger than this box accepts (%s).", humanBytes(max))
	if r.ContentLength > max+formOverhead {
		return model.Video{}, tooBig
	}
	// Quotas: a form announcing more than the user has left is refused
	// before a byte is stored; one that lied about its length is cut off
	// where the quota ends.
	left, err := s.Videos.QuotaLeft(r.Context(), currentUser(c).ID)
	if err != nil {
		return model.Video{}, err
	}
	overQuota := false
	if left >= 0 {
		if r.ContentLength > left+formOverhead || r.ContentLength > 0 && left == 0 {
			return model.Video{}, quotaError()
		}
		if left < max {
			max, overQuota = left, true
		}
	}
	r.Body = http.MaxBytesReader(c.Response(), r.Body, max+formOverhead)
	mr, err := r.MultipartReader()
	if err != nil {
		return model.Video{}, apiError(http.StatusBadRequest, "The upload must be multipart/form-data with the file in the field \"videofile\".")
	}
	fields := map[string][]string{}
	var images []videos.Image
	var tmpPath, fileName string
	defer func() {
		if tmpPath != "" {
			os.Remove(tmpPath) // Ingest moved it away on success
		}
	}()
	for n := 0; ; n++ {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return model.Video{}, readError(err, tooBig)
		}
		if n > maxFields {
			return model.Video{}, apiError(http.StatusBadRequest, "Too many form fields.")
		}
		name := part.FormName()
		if name == "thumbnailfile" || name == "previewfile" { // custom images (creator)
			im, err := videos.ReadImage(name, part)
			if err != nil {
				return model.Video{}, videoError(err)
			}
			images = append(images, im)
			continue
		}
		if name != "videofile" {
			b, err := io.ReadAll(io.LimitReader(part, maxFieldBytes+1))
			if err != nil {
				return model.Video{}, readError(err, tooBig)
			}
			if len(b) > maxFieldBytes {
				return model.Video{}, apiError(http.StatusBadRequest, "The field %q is too long.", name)
			}
			fields[name] = append(fields[name], string(b))
			continue
		}
		if tmpPath != "" {
			return model.Video{}, apiError(http.StatusBadRequest, "Send one file per upload.")
		}
		// Refuse a forged cross-site form before reading a byte of its file.
		if c.Get(ctxBearer) != true && c.Get(ctxCSRFOK) != true && !csrfValid(c, first(fields[csrfField])) {
			return model.Video{}, errCSRF
		}
		fileName = part.FileName()
		tmpPath, err = s.saveFilePart(part, max)
		if err != nil {
			if errors.Is(err, errTooBig) && overQuota {
				return model.Video{}, quotaError()
			}
			if errors.Is(err, errTooBig) {
				return model.Video{}, tooBig
			}
			return model.Video{}, readError(err, tooBig)
		}
	}
	if tmpPath == "" {
		return model.Video{}, apiError(http.StatusBadRequest, "No file: send it in the form field \"videofile\".")
	}
	if c.Get(ctxBearer) != true && c.Get(ctxCSRFOK) != true && !csrfValid(c, first(fields[csrfField])) {
		return model.Video{}, errCSRF
	}
	meta, err := s.uploadMeta(c, fields, fileName)
	if err != nil {
		return model.Video{}, err
	}
	if err := videos.CheckImages(images...); err != nil {
		return model.Video{}, videoError(err)
	}
	v, err := s.Videos.Ingest(r.Context(), tmpPath, meta)
	tmpPath = "" // Ingest owns the file now, and removes it on failure
	if err == nil && len(images) > 0 {
		err = s.Videos.SetImages(r.Context(), viewer(c), v.UUID, images...)
	}
	if errors.Is(err, videos.ErrNoChannel) {
		return model.Video{}, apiError(http.StatusBadRequest, "This account has no channel to upload to.")
	}
	if errors.Is(err, videos.ErrNotYourChannel) {
		return model.Video{}, &echo.HTTPError{Code: http.StatusForbidden, Message: "You cannot upload to this channel.", Internal: &apiDetail{field: "channelId"}}
	}
	if errors.Is(err, videos.ErrAccountBlocked) {
		return model.Video{}, apiError(http.StatusForbidden, "This account is blocked on this Cabane: it cannot upload.")
	}
	if errors.Is(err, videos.ErrBadUpload) {
		return model.Video{}, apiError(http.StatusUnprocessableEntity, "%s", strings.TrimPrefix(err.Error(), videos.ErrBadUpload.Error()+": "))
	}
	return v, err
}

var errTooBig = errors.New("file too big")

// saveFilePart copies the file into the uploads folder, fsyncs it, and
// returns its path.
func (s *Server) saveFilePart(part *multipart.Part, max int64) (string, error) {
	var rnd [12]byte
	rand.Read(rnd[:])
	path := filepath.Join(s.layout.Uploads(), hex.EncodeToString(rnd[:])+".part")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return "", fmt.Errorf("create upload file: %w", err)
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(path)
		}
	}()
	buf := make([]byte, 256<<10)
	n, err := io.CopyBuffer(f, io.LimitReader(part, max+1), buf)
	if err != nil {
		return "", err
	}
	if n > max {
		return "", errTooBig
	}
	if n == 0 {
		return "", apiError(http.StatusBadRequest, "The file is empty.")
	}
	if err := f.Sync(); err != nil {
		return "", fmt.Errorf("sync upload: %w", err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("close upload: %w", err)
	}
	ok = true
	return path, nil
}

func readError(err error, tooBig error) error {
	var mbe *http.MaxBytesError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &he):
		return err
	case errors.As(err, &mbe):
		return tooBig
	case errors.Is(err, syscall.ENOSPC):
		return apiError(http.StatusInsufficientStorage, "The box's disk is full: the upload could not be stored. Nothing else was changed.")
	case errors.Is(err, io.ErrUnexpectedEOF), strings.Contains(err.Error(), "multipart"):
		return apiError(http.StatusBadRequest, "The upload was cut off or is not a valid multipart form: %v", err)
	}
	return err
}

func (s *Server) uploadMeta(c echo.Context, f map[string][]string, fileName string) (videos.UploadMeta, error) {
	m, channelID, err := videos.ParseUploadFields(videos.UploadFields{Name: first(f["name"]), Description: first(f["description"]),
		Privacy: first(f["privacy"]), ChannelID: first(f["channelId"]), FileName: fileName, Meta: videos.Form(f)})
	if fe, ok := videos.AsFieldError(err); ok {
		return m, fieldError(fe.Field, "%s", fe.Msg)
	} else if err != nil {
		return m, err
	}
	// Early access (supporters.go): refused before a byte is stored when
	// the date has passed.
	if m.PublicOn, err = parseEarlyAccess(url.Values(f)); err != nil {
		if fe, ok := videos.AsFieldError(err); ok {
			return m, fieldError(fe.Field, "%s", fe.Msg)
		}
		return m, err
	}
	// The videos service decides which channel (the first one when the
	// form names none) and whether it is the uploader's.
	m.ChannelID, m.UploaderAccountID = channelID, currentUser(c).AccountID
	return m, nil
}

// uploadForm is the no-JavaScript path of the upload page.
func (s *Server) uploadForm(c echo.Context) error {
	v, err := s.receiveUpload(c)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			chs, _ := s.Accounts.ChannelsOf(c.Request().Context(), currentUser(c).AccountID)
			w := s.pageWords(c)
			vw := s.view(c, w.T("upload.title"), uploadData{Channels: chs, MaxSize: w.Bytes(s.Config.MaxUploadBytes)})
			vw.Error = errText(w, he)
			return s.renderView(c, he.Code, "upload", vw)
		}
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/w/"+v.ShortUUID)
}

// first is a form field's first value ("" when absent).
func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
