// Package subscriptions is the domain service for subscriptions: an account
// follows channels, named by their actor handle as PeerTube names them
// ("name@host"), and reads their videos as one feed. A remote handle or
// URL goes to Remote (app/federation/following), which stores the remote
// channel as a channel row, so subscriptions and the feed treat both alike.
package subscriptions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/videos"
	"cabane.dev/cabane/app/visibility"
)

// Errors, each answered as PeerTube answers it.
var (
	// ErrLoginRequired: subscriptions are a user's (401).
	ErrLoginRequired = errors.New("authentication required")
	// ErrRemote: a handle on another instance, which needs federation (400).
	ErrRemote = errors.New("Cabane does not follow channels of other instances yet")
	// ErrBadHandle: not a channel handle (400).
	ErrBadHandle = errors.New("Should have a valid uri (a channel handle: name@host)")
	// ErrNotSubscribed: no such subscription (404).
	ErrNotSubscribed = errors.New("Subscription not found")
)

// Handle is an actor handle, PeerTube's "name@host" (host empty: local).
type Handle struct{ Name, Host string }

// ParseHandle reads "name", "name@host" or "@name@host".
func ParseHandle(s string) (Handle, error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "@")
	name, host, _ := strings.Cut(s, "@")
	if name == "" || len(s) > 255 || strings.ContainsAny(name, "/ ?#") || strings.ContainsAny(host, "@/ ?#") {
		return Handle{}, ErrBadHandle
	}
	return Handle{Name: name, Host: strings.ToLower(host)}, nil
}

// String is the handle as PeerTube writes it.
func (h Handle) String() string {
	if h.Host == "" {
		return h.Name
	}
	return h.Name + "@" + h.Host
}

// Channels is what the service needs of the accounts service.
type Channels interface {
	Channel(ctx context.Context, viewer visibility.Viewer, name string) (model.Channel, error)
}

// Videos is what the service needs of the videos service.
type Videos interface {
	List(ctx context.Context, viewer visibility.Viewer, q videos.ListQuery) ([]model.Video, int, error)
}

// Remote follows channels of other servers (following.Service): it
// resolves the handle or URL, stores the channel and sends the Follow.
type Remote interface {
	Subscribe(ctx context.Context, accountID int64, uri string) (model.Channel, error)
	Unsubscribe(ctx context.Context, accountID int64, ch model.Channel) error
}

// Service reads and writes subscriptions.
type Service struct {
	Store    repo.Subscriptions
	Channels Channels
	Videos   Videos
	// Remote: nil while federation is off (remote handles: ErrRemote).
	Remote Remote
}

// remoteURI says whether uri names a channel of another server: a URL, or
// a handle whose host is not here.
func remoteURI(uri, here string) bool {
	uri = strings.TrimSpace(uri)
	if strings.HasPrefix(uri, "https://") || strings.HasPrefix(uri, "http://") {
		return true
	}
	h, err := ParseHandle(uri)
	return err == nil && h.Host != "" && h.Host != strings.ToLower(here)
}

// Resolve finds the channel a handle names. here is this instance's host
// (as the request reached it, or the public URL's): a handle on it, or
// without a host, is local.
func (s *Service) Resolve(ctx context.Context, viewer visibility.Viewer, handle, here string) (model.Channel, error) {
	h, err := ParseHandle(handle)
	if err != nil {
		return model.Channel{}, err
	}
	if h.Host != "" && h.Host != strings.ToLower(here) {
		// A remote channel is known here once followed: its name is its
		// handle (store's remote rows).
		ch, err := s.Channels.Channel(ctx, viewer, h.String())
		if err == nil && ch.Remote() {
			return ch, nil
		}
		return model.Channel{}, ErrRemote
	}
	return s.Channels.Channel(ctx, viewer, h.Name)
}

// Subscribe makes the viewer follow the channel handle names; again is a
// no-op.
func (s *Service) Subscribe(ctx context.Context, viewer visibility.Viewer, handle, here string) (model.Channel, error) {
	if !viewer.LoggedIn() {
		return model.Channel{}, ErrLoginRequired
	}
	if remoteURI(handle, here) {
		if s.Remote == nil {
			return model.Channel{}, ErrRemote
		}
		return s.Remote.Subscribe(ctx, viewer.AccountID, handle)
	}
	ch, err := s.Resolve(ctx, viewer, handle, here)
	if err != nil {
		return ch, err
	}
	if err := s.Store.Subscribe(ctx, viewer.AccountID, ch.ID); err != nil {
		return ch, fmt.Errorf("subscribe to %s: %w", ch.Name, err)
	}
	return ch, nil
}

// Unsubscribe stops following; ErrNotSubscribed when not following.
func (s *Service) Unsubscribe(ctx context.Context, viewer visibility.Viewer, handle, here string) error {
	ch, err := s.Mine(ctx, viewer, handle, here)
	if err != nil {
		return err
	}
	if ch.Remote() && s.Remote != nil {
		// The Undo goes to its server; the subscription goes with the follow.
		if err := s.Remote.Unsubscribe(ctx, viewer.AccountID, ch); !errors.Is(err, ErrNotSubscribed) {
			return err
		}
	}
	if err := s.Store.Unsubscribe(ctx, viewer.AccountID, ch.ID); errors.Is(err, model.ErrNotFound) {
		return ErrNotSubscribed
	} else if err != nil {
		return fmt.Errorf("unsubscribe from %s: %w", ch.Name, err)
	}
	return nil
}

// Mine is the channel handle names if the viewer follows it.
func (s *Service) Mine(ctx context.Context, viewer visibility.Viewer, handle, here string) (model.Channel, error) {
	if !viewer.LoggedIn() {
		return model.Channel{}, ErrLoginRequired
	}
	ch, err := s.Resolve(ctx, viewer, handle, here)
	if errors.Is(err, model.ErrNotFound) || errors.Is(err, ErrRemote) {
		return ch, ErrNotSubscribed
	} else if err != nil {
		return ch, err
	}
	got, err := s.Store.Subscribed(ctx, viewer.AccountID, []int64{ch.ID})
	if err != nil {
		return ch, err
	}
	if !got[ch.ID] {
		return ch, ErrNotSubscribed
	}
	return ch, nil
}

// Exist says, for each handle, whether the viewer follows it (PeerTube's
// subscriptions/exist: unknown handles answer false).
func (s *Service) Exist(ctx context.Context, viewer visibility.Viewer, handles []string, here string) (map[string]bool, error) {
	if !viewer.LoggedIn() {
		return nil, ErrLoginRequired
	}
	out := make(map[string]bool, len(handles))
	ids := map[string]int64{}
	var list []int64
	for _, h := range handles {
		out[h] = false
		ch, err := s.Resolve(ctx, viewer, h, here)
		if errors.Is(err, model.ErrNotFound) || errors.Is(err, ErrRemote) || errors.Is(err, ErrBadHandle) {
			continue
		} else if err != nil {
			return nil, err
		}
		ids[h] = ch.ID
		list = append(list, ch.ID)
	}
	got, err := s.Store.Subscribed(ctx, viewer.AccountID, list)
	if err != nil {
		return nil, err
	}
	for h, id := range ids {
		out[h] = got[id]
	}
	return out, nil
}

// IsSubscribed says whether the viewer follows ch (pages' buttons).
func (s *Service) IsSubscribed(ctx context.Context, viewer visibility.Viewer, ch model.Channel) (bool, error) {
	if !viewer.LoggedIn() {
		return false, nil
	}
	got, err := s.Store.Subscribed(ctx, viewer.AccountID, []int64{ch.ID})
	return got[ch.ID], err
}

// Query pages a listing.
type Query struct {
	Start, Count int
	Sort         string
}

// SortError is a sort the listing does not take (400, "sort").
type SortError struct{ Sort string }

func (e *SortError) Error() string { return fmt.Sprintf("unknown sort %q", e.Sort) }

// List is a page of the viewer's subscriptions, newest first.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, q Query) ([]model.Subscription, int, error) {
	if !viewer.LoggedIn() {
		return nil, 0, ErrLoginRequired
	}
	if q.Sort != "" && !slices.Contains(repo.SubscriptionSorts, q.Sort) {
		return nil, 0, &SortError{Sort: q.Sort}
	}
	subs, total, err := s.Store.List(ctx, viewer.AccountID, max(0, q.Start), q.Count, q.Sort)
	if err != nil {
		return nil, 0, fmt.Errorf("subscriptions of account %d: %w", viewer.AccountID, err)
	}
	return subs, total, nil
}

// Feed is a page of the videos of the channels the viewer follows, as
// the viewer may see them in a listing, with any of PeerTube's video
// sorts (newest first by default).
func (s *Service) Feed(ctx context.Context, viewer visibility.Viewer, q Query) ([]model.Video, int, error) {
	if !viewer.LoggedIn() {
		return nil, 0, ErrLoginRequired
	}
	if !videos.ValidSort(q.Sort) {
		return nil, 0, &SortError{Sort: q.Sort}
	}
	return s.Videos.List(ctx, viewer, videos.ListQuery{SubscriberAccountID: viewer.AccountID, Start: q.Start, Count: q.Count, Sort: q.Sort})
}
