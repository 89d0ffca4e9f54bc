package videos

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/resumable"
)

// Resumable uploads, PeerTube's /videos/upload-resumable (node-uploadx):
// an init announces the metadata and size, chunks are appended in order,
// and the last one ingests the file as the multipart path does. Each
// upload is two files in the data directory, <id>.part and <id>.json, so
// that one survives a restart of Cabane and resumes where it stopped.

// ResumableExpiry is how long an untouched partial upload is kept.
const ResumableExpiry = 24 * time.Hour

var (
	// ErrUploadNotFound: no such upload (never started, finished,
	// cancelled or expired).
	ErrUploadNotFound = resumable.ErrNotFound
	// ErrUploadNotYours: the upload is another user's.
	ErrUploadNotYours = errors.New("this upload is not yours")
	// ErrUploadConflict: a chunk that does not start where the stored part
	// ends, or a second request on the same upload at the same time.
	ErrUploadConflict = resumable.ErrConflict
	// ErrUploadTooBig: more bytes than announced, or than the box accepts.
	ErrUploadTooBig = errors.New("the file is larger than announced or than this box accepts")
)

// ResumableInit is what a resumable upload's first request says.
type ResumableInit struct {
	UserID int64
	Meta   UploadMeta
	// Size is X-Upload-Content-Length; MaxBytes the box's upload limit.
	Size, MaxBytes int64
	ContentType    string
}

// resumableState is the videos' payload in the upload's <id>.json
// (app/resumable keeps the size and creation time beside it).
type resumableState struct {
	UserID      int64      `json:"userId"`
	Meta        UploadMeta `json:"meta"`
	ContentType string     `json:"contentType"`
}

// resumableDir is kept across starts (config.Layout.Resumable), unlike
// the multipart uploads folder.
func (s *Service) resumableDir() string { return s.Layout.Resumable() }

func (s *Service) resumable() resumable.Store[resumableState] {
	return resumable.Store[resumableState]{Dir: s.resumableDir(), Locks: &s.resuming}
}

func (s *Service) resumablePaths(id string) (part, state string, err error) {
	return s.resumable().Paths(id)
}

// ownedBy refuses the uploads of users other than userID.
func ownedBy(userID int64) func(resumableState) error {
	return func(st resumableState) error {
		if st.UserID != userID {
			return ErrUploadNotYours
		}
		return nil
	}
}

// StartResumable checks who uploads where, the size against the box's
// limit and the user's quotas, and creates the empty upload. Nothing is
// stored when a check fails.
func (s *Service) StartResumable(ctx context.Context, in ResumableInit) (string, error) {
	if in.Size <= 0 {
		return "", fmt.Errorf("%w: announce the file's size in X-Upload-Content-Length", ErrBadUpload)
	}
	if in.MaxBytes > 0 && in.Size > in.MaxBytes {
		return "", ErrUploadTooBig
	}
	if err := s.notBlocked(ctx, in.Meta.UploaderAccountID); err != nil {
		return "", err
	}
	ch, err := s.uploadChannel(ctx, in.Meta.UploaderAccountID, in.Meta.ChannelID)
	if err != nil {
		return "", err
	}
	in.Meta.ChannelID = ch.ID
	if err := s.CheckQuota(ctx, in.UserID, in.Size); err != nil {
		return "", err
	}
	return s.resumable().Start(in.Size, resumableState{UserID: in.UserID, Meta: in.Meta, ContentType: in.ContentType})
}

// ResumableStatus is how many bytes of the upload are stored, of size.
func (s *Service) ResumableStatus(userID int64, id string) (stored, size int64, err error) {
	u, err := s.resumable().Stat(id, ownedBy(userID))
	if err != nil {
		return 0, u.Size, err
	}
	return u.Stored, u.Size, nil
}

// WriteResumable appends body, which starts at byte start of the file, and
// syncs it: what a dropped connection delivered stays, and the client asks
// where to resume. When the last byte is stored the upload is ingested
// (the part file renamed into the video's folder) and the video returned.
func (s *Service) WriteResumable(ctx context.Context, userID int64, id string, start int64, body io.Reader) (int64, *model.Video, error) {
	var video *model.Video
	stored, err := s.resumable().Append(id, ownedBy(userID), start, body, func(part string, u resumable.Upload[resumableState]) error {
		// The quota may have been used by another upload meanwhile.
		if err := s.CheckQuota(ctx, userID, u.Size); err != nil {
			os.Remove(part)
			return err
		}
		v, err := s.Ingest(ctx, part, u.Payload.Meta) // moves the part away, or removes it on failure
		if err != nil {
			return err
		}
		video = &v
		return nil
	})
	if errors.Is(err, resumable.ErrTooBig) {
		err = ErrUploadTooBig
	}
	return stored, video, err
}

// CancelResumable removes the upload and its stored bytes.
func (s *Service) CancelResumable(userID int64, id string) error {
	return s.resumable().Cancel(id, ownedBy(userID))
}

// ExpireResumable removes the uploads untouched since before (the part's
// last write, or the state's creation for an empty one) and says how
// many went. Housekeeping calls it with now minus ResumableExpiry.
func (s *Service) ExpireResumable(before time.Time) (int, error) {
	return s.resumable().Sweep(before)
}
