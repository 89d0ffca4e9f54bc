// Package funding is how people may support a creator (#11): a channel's
// support text (PeerTube's support field) and the ordered funding links of
// a channel or an account (Liberapay, Open Collective, Ko-fi, Patreon,
// PayPal, a bank transfer note, any URL). It validates and stores them and
// tells federation when an actor's links change. Cabane only shows the
// links: it never talks to a payment provider, and nothing about who
// follows a link is recorded.
package funding

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Bounds on what a creator lists.
const (
	MaxLinks        = 10
	MaxLabelRunes   = 50
	MaxURLBytes     = 500
	MaxNoteRunes    = 500
	minSupportRunes = 3    // PeerTube's CONSTRAINTS_FIELDS.VIDEO_CHANNELS.SUPPORT
	maxSupportRunes = 1000 // idem
)

// ErrLoginRequired: these are a signed-in user's own settings.
var ErrLoginRequired = errors.New("funding: authentication required")

// ErrForbidden: the viewer does not own the channel.
var ErrForbidden = errors.New("funding: not your channel")

// FieldError names what a request got wrong: Field is "support",
// "count", or one of a link's ("kind", "label", "url", "note") with
// Index its position in the request (0-based).
type FieldError struct {
	Field string
	Index int
	Msg   string
}

func (e *FieldError) Error() string {
	if e.Field == "support" || e.Field == "count" {
		return e.Field + ": " + e.Msg
	}
	return fmt.Sprintf("fundingLinks[%d].%s: %s", e.Index, e.Field, e.Msg)
}

// brandLabels are the labels a link of a known service gets when the
// creator gives none (brand names, the same in every language).
var brandLabels = map[string]string{
	model.FundingLiberapay: "Liberapay", model.FundingOpenCollective: "Open Collective", model.FundingKofi: "Ko-fi",
	model.FundingPatreon: "Patreon", model.FundingPayPal: "PayPal",
}

// Validate checks links and returns them cleaned: spaces trimmed, a
// brand's label filled in when left empty, rows left entirely empty
// dropped (a form's spare rows).
func Validate(links []model.FundingLink) ([]model.FundingLink, error) {
	out := make([]model.FundingLink, 0, len(links))
	for i, l := range links {
		l.Kind, l.Label, l.URL = strings.TrimSpace(l.Kind), strings.TrimSpace(l.Label), strings.TrimSpace(l.URL)
		l.Note = strings.TrimSpace(strings.ReplaceAll(l.Note, "\r\n", "\n"))
		if l.Label == "" && l.URL == "" && l.Note == "" {
			continue
		}
		if !slices.Contains(model.FundingKinds, l.Kind) {
			return nil, &FieldError{Field: "kind", Index: i, Msg: fmt.Sprintf("unknown kind %q", l.Kind)}
		}
		if l.Label == "" {
			l.Label = brandLabels[l.Kind]
		}
		if n := utf8.RuneCountInString(l.Label); l.Label == "" || n > MaxLabelRunes || !utf8.ValidString(l.Label) || hasControl(l.Label, false) {
			return nil, &FieldError{Field: "label", Index: i, Msg: fmt.Sprintf("a label is 1 to %d characters on one line", MaxLabelRunes)}
		}
		if l.Kind == model.FundingBank {
			if l.URL != "" {
				return nil, &FieldError{Field: "url", Index: i, Msg: "a bank transfer has a note, not a link"}
			}
			if n := utf8.RuneCountInString(l.Note); n == 0 || n > MaxNoteRunes || !utf8.ValidString(l.Note) || hasControl(l.Note, true) {
				return nil, &FieldError{Field: "note", Index: i, Msg: fmt.Sprintf("a bank transfer's note is 1 to %d characters", MaxNoteRunes)}
			}
		} else {
			if l.Note != "" {
				return nil, &FieldError{Field: "note", Index: i, Msg: "only a bank transfer has a note"}
			}
			if err := checkURL(l.URL); err != nil {
				return nil, &FieldError{Field: "url", Index: i, Msg: err.Error()}
			}
		}
		out = append(out, l)
	}
	if len(out) > MaxLinks {
		return nil, &FieldError{Field: "count", Msg: fmt.Sprintf("at most %d links", MaxLinks)}
	}
	return out, nil
}

// checkURL accepts an absolute http(s) URL with a host and no
// credentials: what a browser opens as a plain link, nothing a click could
// run (javascript:, data:).
func checkURL(s string) error {
	if s == "" {
		return errors.New("a link is required")
	}
	if len(s) > MaxURLBytes {
		return fmt.Errorf("a link is at most %d characters", MaxURLBytes)
	}
	if hasControl(s, false) || strings.ContainsAny(s, " \t") {
		return errors.New("a link has no spaces")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Hostname() == "" {
		return errors.New("a link starts with https:// or http:// and names a site")
	}
	if u.User != nil {
		return errors.New("a link holds no user name or password")
	}
	return nil
}

// hasControl reports control characters (newlines allowed when lines).
func hasControl(s string, lines bool) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && !(lines && r == '\n') })
}

// CheckSupport checks a support text (Markdown): empty, or PeerTube's
// 3 to 1000 characters.
func CheckSupport(s string) (string, error) {
	s = strings.TrimSpace(s)
	if n := utf8.RuneCountInString(s); s != "" && (n < minSupportRunes || n > maxSupportRunes || !utf8.ValidString(s)) {
		return "", &FieldError{Field: "support", Msg: fmt.Sprintf("a support text is %d to %d characters", minSupportRunes, maxSupportRunes)}
	}
	return s, nil
}

// Channels finds a channel (accounts.Service).
type Channels interface {
	ChannelByID(ctx context.Context, viewer visibility.Viewer, id int64) (model.Channel, error)
}

// Service reads and changes support texts and funding links.
type Service struct {
	Store    repo.Funding
	Channels Channels
	// AccountChanged and ChannelChanged hear that an actor's links or
	// support text changed, once stored (app/federation/outbox sends an
	// Update of the Person or Group); nil: nobody.
	AccountChanged func(ctx context.Context, accountID int64)
	ChannelChanged func(ctx context.Context, channelID int64)
}

// Links are o's links, for anyone to see: they are what the creator
// publishes (pages, API, actors).
func (s *Service) Links(ctx context.Context, o model.FundingOwner) ([]model.FundingLink, error) {
	return s.Store.Links(ctx, o)
}

// SetAccountLinks replaces the viewer's own account's links.
func (s *Service) SetAccountLinks(ctx context.Context, viewer visibility.Viewer, links []model.FundingLink) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	clean, err := Validate(links)
	if err != nil {
		return err
	}
	changed, err := s.replace(ctx, model.AccountFunding(viewer.AccountID), clean)
	if err != nil {
		return err
	}
	if changed && s.AccountChanged != nil {
		s.AccountChanged(ctx, viewer.AccountID)
	}
	return nil
}

// ChannelUpdate is what a channel's support form sets; nil leaves a part
// as it is.
type ChannelUpdate struct {
	Support *string
	Links   *[]model.FundingLink
}

// UpdateChannel changes a channel's support text and links, checked
// whole before anything is stored; its Group is sent again when either
// changed.
func (s *Service) UpdateChannel(ctx context.Context, viewer visibility.Viewer, channelID int64, u ChannelUpdate) error {
	if !viewer.LoggedIn() {
		return ErrLoginRequired
	}
	ch, err := s.Channels.ChannelByID(ctx, viewer, channelID)
	if err != nil {
		return err
	}
	if !visibility.EditSupport(viewer, ch) {
		return ErrForbidden
	}
	var support string
	if u.Support != nil {
		if support, err = CheckSupport(*u.Support); err != nil {
			return err
		}
	}
	var links []model.FundingLink
	if u.Links != nil {
		if links, err = Validate(*u.Links); err != nil {
			return err
		}
	}
	changed := false
	if u.Support != nil && support != ch.Support {
		if err := s.Store.SetChannelSupport(ctx, ch.ID, support); err != nil {
			return err
		}
		changed = true
	}
	if u.Links != nil {
		c, err := s.replace(ctx, model.ChannelFunding(ch.ID), links)
		if err != nil {
			return err
		}
		changed = changed || c
	}
	if changed && s.ChannelChanged != nil {
		s.ChannelChanged(ctx, ch.ID)
	}
	return nil
}

// replace stores links unless they are o's already.
func (s *Service) replace(ctx context.Context, o model.FundingOwner, links []model.FundingLink) (bool, error) {
	old, err := s.Store.Links(ctx, o)
	if err != nil {
		return false, err
	}
	if len(old) == len(links) && (len(old) == 0 || reflect.DeepEqual(old, links)) {
		return false, nil
	}
	return true, s.Store.SetLinks(ctx, o, links)
}
