package videos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// A password-protected video's refusals. Each wraps model.ErrNotFound, so
// that every route that does not tell them apart answers "not found"; the
// API tells the client which, as PeerTube's 403 codes do.
var (
	ErrPasswordRequired = fmt.Errorf("%w: this video is protected by a password", model.ErrNotFound)
	ErrWrongPassword    = fmt.Errorf("%w: this is not a password of this video", model.ErrNotFound)
	ErrTooManyGuesses   = fmt.Errorf("%w: too many wrong passwords", model.ErrNotFound)
)

// PeerTube's CONSTRAINTS_FIELDS.VIDEO_PASSWORD.LENGTH.
const (
	minPasswordRunes = 2
	maxPasswordRunes = 100
	maxPasswords     = 100 // PeerTube has no bound; a form of thousands is an attack
)

// unlock checks the password viewer sent for a password-protected video
// and, when it is one of the video's, adds the video to viewer.Unlocked.
// Wrong guesses are charged to the sender; once its allowance is spent no
// password is checked, right or wrong, so a guesser learns nothing more.
func (s *Service) unlock(ctx context.Context, viewer *visibility.Viewer, v model.Video) error {
	if !visibility.NeedsPassword(*viewer, v) || viewer.Password == "" {
		return nil
	}
	if s.Passwords == nil {
		return ErrWrongPassword
	}
	// The guess is held out of the allowance before it is checked, and
	// charged only when wrong: checking first and charging after would let
	// N parallel guesses all pass the check before any of them is charged.
	done := func(bool) {}
	if s.Guesses != nil {
		var allowed bool
		if allowed, done = s.Guesses.Hold(viewer.Client); !allowed {
			return ErrTooManyGuesses
		}
	}
	ok, err := s.Passwords.PasswordMatches(ctx, v.ID, viewer.Password)
	done(err == nil && !ok)
	if err != nil {
		return err
	}
	if !ok {
		return ErrWrongPassword
	}
	viewer.Unlocked = append(slices.Clip(viewer.Unlocked), v.UUID)
	return nil
}

// refusal is what Get answers for a video viewer may not see.
func refusal(viewer visibility.Viewer, v model.Video) error {
	if visibility.NeedsPassword(viewer, v) {
		return ErrPasswordRequired
	}
	return model.ErrNotFound
}

// Unlock is Get with a password, for the watch page's form: the video
// when password opens it (or viewer needs none).
func (s *Service) Unlock(ctx context.Context, viewer visibility.Viewer, ref, password string) (model.Video, error) {
	viewer.Password = password
	return s.Get(ctx, viewer, ref)
}

// ParsePasswords reads PeerTube's videoPasswords field (a list); ok is
// false when the request does not set it.
func ParsePasswords(f Form) (passwords []string, ok bool, err error) {
	list, ok := f.list("videoPasswords")
	if !ok {
		return nil, false, nil
	}
	passwords, err = CheckPasswords(list)
	return passwords, true, err
}

// CheckPasswords checks a video's passwords as PeerTube does: at least
// one, each of 2 to 100 characters, none twice.
func CheckPasswords(list []string) ([]string, error) {
	if len(list) == 0 {
		return nil, fieldErr("videoPasswords", "a password-protected video needs at least one password")
	}
	if len(list) > maxPasswords {
		return nil, fieldErr("videoPasswords", "a video has at most %d passwords", maxPasswords)
	}
	out := make([]string, 0, len(list))
	for _, p := range list {
		if !utf8.ValidString(p) {
			return nil, fieldErr("videoPasswords", "passwords must be UTF-8 text")
		}
		if n := utf8.RuneCountInString(p); n < minPasswordRunes || n > maxPasswordRunes {
			return nil, fieldErr("videoPasswords", "each password must be %d to %d characters", minPasswordRunes, maxPasswordRunes)
		}
		if slices.Contains(out, p) {
			return nil, fieldErr("videoPasswords", "the same password is given twice")
		}
		out = append(out, p)
	}
	return out, nil
}

// ErrNotPasswordProtected refuses password management on a video that is
// not password-protected (PeerTube answers 400).
var ErrNotPasswordProtected = errors.New("video is not password protected")

// ErrLastPassword refuses to delete a video's last password.
var ErrLastPassword = errors.New("cannot delete the last password of a password-protected video")

// Passwords is a page of a password-protected video's passwords, for its
// owner or an admin.
func (s *Service) ListPasswords(ctx context.Context, viewer visibility.Viewer, ref string, start, count int) (model.Video, []model.VideoPassword, int, error) {
	v, err := s.passwordProtected(ctx, viewer, ref)
	if err != nil {
		return v, nil, 0, err
	}
	ps, total, err := s.Passwords.Passwords(ctx, v.ID, start, count)
	return v, ps, total, err
}

// ReplacePasswords sets a password-protected video's passwords.
func (s *Service) ReplacePasswords(ctx context.Context, viewer visibility.Viewer, ref string, passwords []string) error {
	v, err := s.passwordProtected(ctx, viewer, ref)
	if err != nil {
		return err
	}
	clean, err := CheckPasswords(passwords)
	if err != nil {
		return err
	}
	s.accessChanged(v.UUID)
	defer s.accessChanged(v.UUID)
	return s.Passwords.ReplacePasswords(ctx, v.ID, clean)
}

// DeletePassword removes one password of a password-protected video,
// never its last.
func (s *Service) DeletePassword(ctx context.Context, viewer visibility.Viewer, ref string, id int64) error {
	v, err := s.passwordProtected(ctx, viewer, ref)
	if err != nil {
		return err
	}
	s.accessChanged(v.UUID)
	defer s.accessChanged(v.UUID)
	err = s.Passwords.DeletePassword(ctx, v.ID, id)
	if errors.Is(err, model.ErrConflict) {
		return ErrLastPassword
	}
	return err
}

func (s *Service) passwordProtected(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	v, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return v, err
	}
	if v.Privacy != model.PrivacyPassword || s.Passwords == nil {
		return v, ErrNotPasswordProtected
	}
	return v, nil
}

// setPasswords stores the passwords an edit or an upload gives with the
// video's privacy: a password-protected video must have some, and a video
// that stops being one loses them (as PeerTube).
func (s *Service) setPasswords(ctx context.Context, v model.Video, passwords *[]string) error {
	if s.Passwords == nil {
		if v.Privacy == model.PrivacyPassword {
			return fieldErr("privacy", "this Cabane cannot protect videos with a password")
		}
		return nil
	}
	if v.Privacy != model.PrivacyPassword {
		return s.Passwords.ReplacePasswords(ctx, v.ID, nil)
	}
	if passwords == nil {
		return nil
	}
	return s.Passwords.ReplacePasswords(ctx, v.ID, *passwords)
}

// SetUploadPasswords stores the passwords given with an upload (the
// upload handler checked them with ParsePasswords first).
func (s *Service) SetUploadPasswords(ctx context.Context, v model.Video, passwords []string) error {
	return s.setPasswords(ctx, v, &passwords)
}
