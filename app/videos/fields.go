package videos

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
)

// FieldError is a refused field of an upload's form: which field, and why,
// in words for the uploader.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

func fieldErr(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Upload limits on text, as PeerTube's.
const (
	maxNameRunes        = 120
	minNameRunes        = 3
	maxDescriptionRunes = 10000
)

// UploadFields are an upload form's text fields, as sent (PeerTube's names).
type UploadFields struct {
	Name, Description, Privacy, ChannelID string
	FileName                              string // the file part's name
	// Meta are the other fields (category, licence, language, tags,
	// support, nsfw, commentsPolicy, downloadEnabled,
	// originallyPublishedAt...), checked as an edit is.
	Meta Form
}

// ParseUploadFields checks an upload's text fields. ChannelID is left 0
// when the form names none; OwnChannel decides which channel it may be.
func ParseUploadFields(f UploadFields) (UploadMeta, int64, error) {
	m := UploadMeta{Name: strings.TrimSpace(f.Name), Description: f.Description, Privacy: model.PrivacyPublic,
		OriginalName: filepath.Base(f.FileName), Meta: model.DefaultMeta()}
	if !utf8.ValidString(m.Name) || !utf8.ValidString(m.Description) {
		return m, 0, fieldErr("name", "the name and the description must be UTF-8 text")
	}
	if m.OriginalName == "." || m.OriginalName == "/" {
		m.OriginalName = ""
	}
	// A file name is whatever bytes the uploader's system used (Latin-1 on
	// an old camera card): repaired, not refused, since nobody typed it.
	m.OriginalName = strings.ToValidUTF8(m.OriginalName, "\uFFFD")
	if m.Name == "" {
		// PeerTube's apps always send a name; a plain form may leave it to
		// the file's.
		m.Name = strings.TrimSpace(strings.TrimSuffix(m.OriginalName, filepath.Ext(m.OriginalName)))
		switch n := utf8.RuneCountInString(m.Name); {
		case n == 0:
			return m, 0, fieldErr("name", "give the video a name")
		case n > maxNameRunes:
			return m, 0, fieldErr("name", "the file's name is too long to name the video (%d characters, at most %d): give the video a name", n, maxNameRunes)
		}
	}
	if n := utf8.RuneCountInString(m.Name); n > maxNameRunes {
		return m, 0, fieldErr("name", "the name must be at most %d characters (it has %d)", maxNameRunes, n)
	}
	if err := checkText("description", m.Description, minDescriptionRunes, maxDescriptionRunes); err != nil {
		return m, 0, err
	}
	if strings.TrimSpace(m.Description) == "" {
		m.Description = ""
	}
	if p := strings.TrimSpace(f.Privacy); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || !model.ValidPrivacy(n) {
			return m, 0, fieldErr("privacy", "privacy must be 1 (public), 2 (unlisted), 3 (private), 4 (internal), 5 (password protected) or 6 (local network only), not %q", p)
		}
		m.Privacy = n
	}
	var channel int64
	if id := strings.TrimSpace(f.ChannelID); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n <= 0 {
			return m, 0, fieldErr("channelId", "channelId must be a channel's number, not %q", id)
		}
		channel = n
	}
	// The rest, as an edit: the fields above are the upload's own rules
	// (a name may come from the file's).
	rest := Form{}
	for k, v := range f.Meta {
		switch k {
		case "name", "description", "privacy", "channelId":
		default:
			rest[k] = v
		}
	}
	e, err := ParseEdit(rest)
	if err != nil {
		return m, 0, err
	}
	v := model.Video{Meta: m.Meta}
	e.Apply(&v)
	m.Meta = v.Meta
	if m.Privacy == model.PrivacyPassword {
		if e.Passwords == nil {
			return m, 0, fieldErr("videoPasswords", "a password-protected video needs at least one password")
		}
		m.Passwords = *e.Passwords
	}
	return m, channel, nil
}

// AsFieldError unwraps a FieldError.
func AsFieldError(err error) (*FieldError, bool) {
	var fe *FieldError
	ok := errors.As(err, &fe)
	return fe, ok
}
