// Package playlists is the domain service for playlists, as PeerTube has
// them: public, unlisted and private playlists owned by an account and
// optionally shown on one of its channels, ordered elements with start and
// stop times, and each user's "watch later" (PeerTube's type 2), created
// the first time it is needed. Who may see a playlist, manage it, and how
// each element's video shows is app/visibility's answer.
package playlists

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// Errors, each answered as PeerTube answers it.
var (
	// ErrLoginRequired: writing needs a local user (401).
	ErrLoginRequired = errors.New("authentication required")
	// ErrForbidden: the viewer sees the playlist but may not change it (403).
	ErrForbidden = errors.New("Cannot manage video playlist of another user")
	// ErrWatchLater: a watch-later playlist is neither edited nor deleted (400).
	ErrWatchLater = errors.New("Cannot update or delete a watch later playlist.")
)

// FieldError is a request field PeerTube would refuse (400 naming it).
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Msg }

func fieldErr(field, msg string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(msg, args...)}
}

// Videos is what the service needs of the videos service.
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
}

// Accounts is what the service needs of the accounts service.
type Accounts interface {
	Account(ctx context.Context, name string) (model.Account, error)
	ChannelByID(ctx context.Context, viewer visibility.Viewer, id int64) (model.Channel, error)
}

// Service reads and writes playlists.
type Service struct {
	Store    repo.Playlists
	Videos   Videos
	Accounts Accounts
}

// Privacies are the playlist privacies with PeerTube's labels.
func Privacies() map[int]string {
	return map[int]string{model.PlaylistPublic: "Public", model.PlaylistUnlisted: "Unlisted", model.PlaylistPrivate: "Private"}
}

// PrivacyLabel is a playlist privacy's label.
func PrivacyLabel(p int) string { return Privacies()[p] }

// TypeLabel is a playlist type's label, as PeerTube's.
func TypeLabel(t int) string {
	if t == model.PlaylistWatchLater {
		return "Watch later"
	}
	return "Regular"
}

// WatchLaterName is the watch-later playlist's name (PeerTube's).
const WatchLaterName = "Watch later"

// Limits, PeerTube's CONSTRAINTS_FIELDS.VIDEO_PLAYLISTS.
const (
	MaxName        = 120
	MinDescription = 3
	MaxDescription = 1000
)

// Query pages a listing.
type Query struct {
	Start, Count int
	Sort         string // repo.PlaylistSorts; "" is -createdAt
	Type         int    // 0: any; model.PlaylistRegular or PlaylistWatchLater
	Search       string // a part of the name, any case ("": every playlist)
}

func checkQuery(q Query) error {
	if q.Sort != "" && !contains(repo.PlaylistSorts, q.Sort) {
		return fieldErr("sort", "unknown sort %q", q.Sort)
	}
	if q.Type != 0 && q.Type != model.PlaylistRegular && q.Type != model.PlaylistWatchLater {
		return fieldErr("playlistType", "Should have a valid playlist type")
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// List is the instance's public playlists.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, q Query) ([]model.Playlist, int, error) {
	if err := checkQuery(q); err != nil {
		return nil, 0, err
	}
	ps, total, err := s.Store.List(ctx, repo.PlaylistQuery{Privacies: []int{model.PlaylistPublic}, Type: q.Type,
		Search: q.Search, Start: max(0, q.Start), Count: q.Count, Sort: q.Sort})
	if err != nil {
		return nil, 0, fmt.Errorf("list playlists: %w", err)
	}
	return ps, total, nil
}

// OfAccount lists an account's playlists as viewer may see them; its owner
// sees all of them, their "watch later" included (created now if need be).
func (s *Service) OfAccount(ctx context.Context, viewer visibility.Viewer, name string, q Query) (model.Account, []model.Playlist, int, error) {
	if err := checkQuery(q); err != nil {
		return model.Account{}, nil, 0, err
	}
	a, err := s.Accounts.Account(ctx, name)
	if err != nil {
		return a, nil, 0, err
	}
	if viewer.LoggedIn() && viewer.AccountID == a.ID {
		if _, err := s.WatchLater(ctx, viewer); err != nil {
			return a, nil, 0, err
		}
	}
	ps, total, err := s.Store.List(ctx, repo.PlaylistQuery{AccountID: a.ID, Privacies: visibility.PlaylistPrivacies(viewer, a.ID),
		Type: q.Type, Start: max(0, q.Start), Count: q.Count, Sort: q.Sort})
	if err != nil {
		return a, nil, 0, fmt.Errorf("playlists of %s: %w", name, err)
	}
	return a, ps, total, nil
}

// OfChannel lists the playlists shown on a channel that viewer may see.
func (s *Service) OfChannel(ctx context.Context, viewer visibility.Viewer, ch model.Channel, q Query) ([]model.Playlist, int, error) {
	if err := checkQuery(q); err != nil {
		return nil, 0, err
	}
	ps, total, err := s.Store.List(ctx, repo.PlaylistQuery{ChannelID: ch.ID, Privacies: visibility.PlaylistPrivacies(viewer, ch.AccountID),
		Type: q.Type, Start: max(0, q.Start), Count: q.Count, Sort: q.Sort})
	if err != nil {
		return nil, 0, fmt.Errorf("playlists of channel %s: %w", ch.Name, err)
	}
	return ps, total, nil
}

// WatchLater is the viewer's "watch later" playlist, created the first time.
func (s *Service) WatchLater(ctx context.Context, viewer visibility.Viewer) (model.Playlist, error) {
	if !viewer.LoggedIn() {
		return model.Playlist{}, ErrLoginRequired
	}
	p, err := s.Store.WatchLater(ctx, viewer.AccountID, func() model.Playlist {
		id := uuid.New()
		return model.Playlist{UUID: id.String(), ShortUUID: videos.ShortUUID(id), DisplayName: WatchLaterName, Privacy: model.PlaylistPrivate}
	})
	if err != nil {
		return p, fmt.Errorf("watch later of account %d: %w", viewer.AccountID, err)
	}
	return p, nil
}

// lookup reads a playlist by numeric id, UUID or short UUID.
func (s *Service) lookup(ctx context.Context, ref string) (model.Playlist, visibility.Ref, error) {
	var p model.Playlist
	var err error
	how := visibility.ByUUID
	switch {
	case ref == "" || len(ref) > 64:
		return p, how, model.ErrNotFound
	case isDigits(ref):
		n, perr := strconv.ParseInt(ref, 10, 64)
		if perr != nil {
			return p, how, model.ErrNotFound
		}
		how = visibility.ByNumericID
		p, err = s.Store.ByID(ctx, n)
	case len(ref) == 36:
		if _, perr := uuid.Parse(ref); perr != nil {
			return p, how, model.ErrNotFound
		}
		p, err = s.Store.ByUUID(ctx, strings.ToLower(ref))
	default:
		p, err = s.Store.ByShortUUID(ctx, ref)
	}
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		err = fmt.Errorf("look up playlist %q: %w", ref, err)
	}
	return p, how, err
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// Get is the playlist ref names, if viewer may see it (model.ErrNotFound
// otherwise, as for one that does not exist).
func (s *Service) Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Playlist, error) {
	p, how, err := s.lookup(ctx, ref)
	if err != nil {
		return p, err
	}
	if !visibility.Playlist(viewer, p, how) {
		return model.Playlist{}, model.ErrNotFound
	}
	return p, nil
}

// manageable is the playlist ref names if viewer may change it: not found
// when viewer may not see it, ErrForbidden when they see it only.
func (s *Service) manageable(ctx context.Context, viewer visibility.Viewer, ref string) (model.Playlist, error) {
	if !viewer.LoggedIn() {
		return model.Playlist{}, ErrLoginRequired
	}
	p, err := s.Get(ctx, viewer, ref)
	if err != nil {
		return p, err
	}
	if !visibility.ManagePlaylist(viewer, p) {
		return model.Playlist{}, ErrForbidden
	}
	return p, nil
}

// Input is a playlist's editable fields; nil leaves one as it is (on
// creation: its default). ChannelID 0 detaches the playlist.
type Input struct {
	DisplayName *string
	Description *string
	Privacy     *int
	ChannelID   *int64
}

// apply validates in and writes it over p.
func (s *Service) apply(ctx context.Context, viewer visibility.Viewer, p *model.Playlist, in Input) error {
	if in.DisplayName != nil {
		name := strings.TrimSpace(*in.DisplayName)
		if n := utf8.RuneCountInString(name); n < 1 || n > MaxName {
			return fieldErr("displayName", "Should have a valid display name (1 to %d characters)", MaxName)
		}
		p.DisplayName = name
	}
	if in.Description != nil {
		d := *in.Description
		if n := utf8.RuneCountInString(d); d != "" && (n < MinDescription || n > MaxDescription) {
			return fieldErr("description", "Should have a valid description (%d to %d characters)", MinDescription, MaxDescription)
		}
		p.Description = d
	}
	if in.Privacy != nil {
		if _, ok := Privacies()[*in.Privacy]; !ok {
			return fieldErr("privacy", "Should have correct playlist privacy")
		}
		p.Privacy = *in.Privacy
	}
	if in.ChannelID != nil {
		p.ChannelID, p.Channel = 0, model.Channel{}
		if *in.ChannelID != 0 {
			ch, err := s.Accounts.ChannelByID(ctx, viewer, *in.ChannelID)
			if errors.Is(err, model.ErrNotFound) {
				return fieldErr("videoChannelId", "Video channel not found")
			} else if err != nil {
				return err
			}
			// The playlist's owner's channel, whoever edits it (an admin).
			if ch.AccountID != p.AccountID {
				return fieldErr("videoChannelId", "Cannot use a channel of another user")
			}
			p.ChannelID, p.Channel = ch.ID, ch
		}
	}
	if p.Privacy == model.PlaylistPublic && p.ChannelID == 0 {
		return fieldErr("videoChannelId", "Cannot set \"public\" a playlist that is not assigned to a channel.")
	}
	return nil
}

// Create makes a playlist for the viewer (private unless in says).
func (s *Service) Create(ctx context.Context, viewer visibility.Viewer, in Input) (model.Playlist, error) {
	if !viewer.LoggedIn() {
		return model.Playlist{}, ErrLoginRequired
	}
	if in.DisplayName == nil {
		return model.Playlist{}, fieldErr("displayName", "Should have a valid display name (1 to %d characters)", MaxName)
	}
	id := uuid.New()
	p := model.Playlist{UUID: id.String(), ShortUUID: videos.ShortUUID(id), AccountID: viewer.AccountID,
		Privacy: model.PlaylistPrivate, Type: model.PlaylistRegular}
	if err := s.apply(ctx, viewer, &p, in); err != nil {
		return model.Playlist{}, err
	}
	if err := s.Store.Create(ctx, &p); err != nil {
		return model.Playlist{}, fmt.Errorf("create playlist: %w", err)
	}
	return p, nil
}

// Update edits a playlist: its owner or an admin; never a watch later.
func (s *Service) Update(ctx context.Context, viewer visibility.Viewer, ref string, in Input) error {
	p, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	if p.Type == model.PlaylistWatchLater {
		return ErrWatchLater
	}
	if err := s.apply(ctx, viewer, &p, in); err != nil {
		return err
	}
	if err := s.Store.Update(ctx, p); err != nil {
		return fmt.Errorf("update playlist %d: %w", p.ID, err)
	}
	return nil
}

// Delete deletes a playlist: its owner or an admin; never a watch later.
func (s *Service) Delete(ctx context.Context, viewer visibility.Viewer, ref string) error {
	p, err := s.manageable(ctx, viewer, ref)
	if err != nil {
		return err
	}
	if p.Type == model.PlaylistWatchLater {
		return ErrWatchLater
	}
	if err := s.Store.Delete(ctx, p.ID); err != nil {
		return fmt.Errorf("delete playlist %d: %w", p.ID, err)
	}
	return nil
}
