package videos

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
)

// Form is a request's fields by PeerTube's names, whatever the encoding:
// a multipart or urlencoded form (each value a string, "" for "no value",
// repeated names for lists) or a JSON body (numbers and booleans written as
// strings, null as ""). A name that is present, even with no values, is
// set; one that is absent leaves the video's value unchanged.
type Form map[string][]string

func (f Form) one(name string) (string, bool) {
	v, ok := f[name]
	if !ok {
		return "", false
	}
	if len(v) == 0 {
		return "", true
	}
	return strings.TrimSpace(v[0]), true
}

// list reads an array field: "tags", "tags[]" or "tags[0]", "tags[1]", ...
// as PeerTube's clients send it in forms.
func (f Form) list(name string) ([]string, bool) {
	var out []string
	found := false
	for _, k := range []string{name, name + "[]"} {
		if v, ok := f[k]; ok {
			found = true
			out = append(out, v...)
		}
	}
	for i := 0; ; i++ {
		v, ok := f[name+"["+strconv.Itoa(i)+"]"]
		if !ok {
			break
		}
		found = true
		out = append(out, v...)
	}
	return out, found
}

// Edit is what a request sets on a video; nil leaves a field unchanged.
type Edit struct {
	// Images are a new thumbnail and preview (thumbnailfile, previewfile):
	// decoded and checked before any field changes, so a bad image changes
	// nothing.
	Images            []Image
	Name, Description *string
	Privacy           *int
	ChannelID         int64 // 0: unchanged
	Category, Licence *int
	Language, Support *string
	Tags              *[]string
	NSFW              *bool
	CommentsPolicy    *int
	DownloadEnabled   *bool
	// OriginallyPublishedAt: a zero time clears it.
	OriginallyPublishedAt *time.Time
	// Passwords replace a password-protected video's (videoPasswords).
	Passwords *[]string
}

// PeerTube's limits (CONSTRAINTS_FIELDS.VIDEOS).
const (
	minDescriptionRunes = 3
	minSupportRunes     = 3
	maxSupportRunes     = 1000
	maxTags             = 5
	minTagRunes         = 2
	maxTagRunes         = 30
)

// ParseEdit checks a request's fields as PeerTube's validators do
// (server/core/middlewares/validators/videos): each refusal is a
// FieldError naming the field, for the API's invalid-params.
func ParseEdit(f Form) (Edit, error) {
	var e Edit
	if v, ok := f.one("name"); ok {
		if !utf8.ValidString(v) {
			return e, fieldErr("name", "the name must be UTF-8 text")
		}
		if n := utf8.RuneCountInString(v); n < minNameRunes || n > maxNameRunes {
			return e, fieldErr("name", "the name must be %d to %d characters (it has %d)", minNameRunes, maxNameRunes, n)
		}
		e.Name = &v
	}
	if v, ok := f["description"]; ok {
		d := ""
		if len(v) > 0 {
			d = v[0]
		}
		if err := checkText("description", d, minDescriptionRunes, maxDescriptionRunes); err != nil {
			return e, err
		}
		e.Description = &d
	}
	if v, ok := f["support"]; ok {
		s := ""
		if len(v) > 0 {
			s = v[0]
		}
		if err := checkText("support", s, minSupportRunes, maxSupportRunes); err != nil {
			return e, err
		}
		e.Support = &s
	}
	if v, ok := f.one("privacy"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || !model.ValidPrivacy(n) {
			return e, fieldErr("privacy", "privacy must be 1 (public), 2 (unlisted), 3 (private), 4 (internal), 5 (password protected) or 6 (local network only), not %q", v)
		}
		e.Privacy = &n
	}
	if v, ok := f.one("channelId"); ok && v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return e, fieldErr("channelId", "channelId must be a channel's number, not %q", v)
		}
		e.ChannelID = n
	}
	var err error
	if e.Category, err = constant(f, "category", categories, "see /api/v1/videos/categories"); err != nil {
		return e, err
	}
	if e.Licence, err = constant(f, "licence", licences, "see /api/v1/videos/licences"); err != nil {
		return e, err
	}
	if v, ok := f.one("language"); ok {
		if _, known := languages[v]; v != "" && !known {
			return e, fieldErr("language", "unknown language %q: see /api/v1/videos/languages", v)
		}
		e.Language = &v
	}
	if tags, ok := f.list("tags"); ok {
		clean, err := checkTags(tags)
		if err != nil {
			return e, err
		}
		e.Tags = &clean
	}
	if e.NSFW, err = boolean(f, "nsfw"); err != nil {
		return e, err
	}
	if e.DownloadEnabled, err = boolean(f, "downloadEnabled"); err != nil {
		return e, err
	}
	// waitTranscoding is accepted and has no effect: Cabane never
	// publishes a video before a playable rendition exists.
	if _, err = boolean(f, "waitTranscoding"); err != nil {
		return e, err
	}
	if v, ok := f.one("commentsPolicy"); ok && v != "" {
		n, err := strconv.Atoi(v)
		if _, known := commentPolicies[n]; err != nil || !known {
			return e, fieldErr("commentsPolicy", "commentsPolicy must be 1 (enabled), 2 (disabled) or 3 (requires approval), not %q", v)
		}
		e.CommentsPolicy = &n
	}
	// commentsEnabled is PeerTube's older field (before 6.2): it says
	// enabled or disabled when commentsPolicy is not given.
	enabled, err := boolean(f, "commentsEnabled")
	if err != nil {
		return e, err
	}
	if enabled != nil && e.CommentsPolicy == nil {
		p := model.CommentsDisabled
		if *enabled {
			p = model.CommentsEnabled
		}
		e.CommentsPolicy = &p
	}
	if ps, ok, err := ParsePasswords(f); err != nil {
		return e, err
	} else if ok {
		e.Passwords = &ps
	}
	if v, ok := f.one("originallyPublishedAt"); ok {
		var t time.Time
		if v != "" {
			if t, err = parseDate(v); err != nil {
				return e, fieldErr("originallyPublishedAt", "originallyPublishedAt must be an ISO 8601 date (2024-05-01 or 2024-05-01T12:00:00Z), not %q", v)
			}
		}
		e.OriginallyPublishedAt = &t
	}
	return e, nil
}

// checkText: empty clears the field; otherwise PeerTube's lengths.
func checkText(field, s string, minRunes, maxRunes int) error {
	if !utf8.ValidString(s) {
		return fieldErr(field, "the %s must be UTF-8 text", field)
	}
	if strings.TrimSpace(s) == "" {
		return nil
	}
	if n := utf8.RuneCountInString(s); n < minRunes || n > maxRunes {
		return fieldErr(field, "the %s must be %d to %d characters (it has %d)", field, minRunes, maxRunes, n)
	}
	return nil
}

func constant(f Form, field string, known map[int]string, hint string) (*int, error) {
	v, ok := f.one(field)
	if !ok {
		return nil, nil
	}
	n := 0
	if v != "" {
		var err error
		n, err = strconv.Atoi(v)
		if _, found := known[n]; err != nil || !found {
			return nil, fieldErr(field, "unknown %s %q: %s", field, v, hint)
		}
	}
	return &n, nil
}

func boolean(f Form, field string) (*bool, error) {
	v, ok := f.one(field)
	if !ok || v == "" {
		return nil, nil
	}
	switch v {
	case "true", "1":
		b := true
		return &b, nil
	case "false", "0":
		b := false
		return &b, nil
	}
	return nil, fieldErr(field, "%s must be true or false, not %q", field, v)
}

// checkTags: at most 5 tags of 2 to 30 characters, as PeerTube; the same
// tag twice is kept once.
func checkTags(tags []string) ([]string, error) {
	out := []string{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		if !utf8.ValidString(t) {
			return nil, fieldErr("tags", "tags must be UTF-8 text")
		}
		if n := utf8.RuneCountInString(t); n < minTagRunes || n > maxTagRunes {
			return nil, fieldErr("tags", "each tag must be %d to %d characters: %q has %d", minTagRunes, maxTagRunes, t, n)
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if len(out) > maxTags {
		return nil, fieldErr("tags", "a video has at most %d tags (%d given)", maxTags, len(out))
	}
	return out, nil
}

func parseDate(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fieldErr("originallyPublishedAt", "not a date")
}

// Apply writes the edit's fields onto v.
func (e Edit) Apply(v *model.Video) {
	set := func(dst *string, src *string) {
		if src != nil {
			*dst = strings.TrimSpace(*src)
		}
	}
	set(&v.Name, e.Name)
	if e.Description != nil {
		v.Description = *e.Description
		if strings.TrimSpace(v.Description) == "" {
			v.Description = ""
		}
	}
	set(&v.Support, e.Support)
	set(&v.Language, e.Language)
	if e.Privacy != nil {
		v.Privacy = *e.Privacy
	}
	if e.Category != nil {
		v.Category = *e.Category
	}
	if e.Licence != nil {
		v.Licence = *e.Licence
	}
	if e.Tags != nil {
		v.Tags = *e.Tags
	}
	if e.NSFW != nil {
		v.NSFW = *e.NSFW
	}
	if e.CommentsPolicy != nil {
		v.CommentsPolicy = *e.CommentsPolicy
	}
	if e.DownloadEnabled != nil {
		v.DownloadEnabled = *e.DownloadEnabled
	}
	if e.OriginallyPublishedAt != nil {
		v.OriginallyPublishedAt = *e.OriginallyPublishedAt
	}
}
