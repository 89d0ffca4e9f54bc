package repo

import (
	"context"

	"cabane.dev/cabane/app/model"
)

// Captions stores videos' caption files (their names; the files are in the
// video's folder).
type Captions interface {
	Captions(ctx context.Context, videoID int64) ([]model.Caption, error)
	// PutCaption adds or replaces the caption of a language and returns
	// the file it replaced ("" if none).
	PutCaption(ctx context.Context, c model.Caption) (old string, err error)
	// DeleteCaption removes it and returns its file; model.ErrNotFound if
	// there was none.
	DeleteCaption(ctx context.Context, videoID int64, language string) (string, error)
	// CaptionByFile finds a caption by its file name, for serving it.
	CaptionByFile(ctx context.Context, filename string) (model.Caption, error)
}

// Chapters stores videos' chapters.
type Chapters interface {
	Chapters(ctx context.Context, videoID int64) ([]model.Chapter, error)
	ReplaceChapters(ctx context.Context, videoID int64, cs []model.Chapter) error
}

// VideoPasswords stores the passwords of password-protected videos.
type VideoPasswords interface {
	Passwords(ctx context.Context, videoID int64, start, count int) ([]model.VideoPassword, int, error)
	ReplacePasswords(ctx context.Context, videoID int64, passwords []string) error
	// DeletePassword removes one unless it is the video's last:
	// model.ErrNotFound if the video has no such password, model.ErrConflict
	// if it is its last one (one statement, so no race can empty the list).
	DeletePassword(ctx context.Context, videoID, id int64) error
	// PasswordMatches reports whether password is one of the video's.
	PasswordMatches(ctx context.Context, videoID int64, password string) (bool, error)
}
