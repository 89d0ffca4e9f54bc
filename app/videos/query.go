package videos

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// Get finds the video that ref names (numeric id, UUID or short UUID) if
// viewer may see it; otherwise model.ErrNotFound, the same answer as for a
// video that does not exist.
func (s *Service) Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	v, how, err := s.lookup(ctx, ref)
	if err != nil {
		return model.Video{}, err
	}
	if err := s.unlock(ctx, &viewer, v); err != nil {
		return model.Video{}, err
	}
	if !visibility.Video(viewer, v, how) {
		return model.Video{}, refusal(viewer, v)
	}
	if err := s.checkBlocks(ctx, viewer, v); err != nil {
		return model.Video{}, err
	}
	return v, nil
}

// checkBlocks hides the video of an account the server blocks from all but
// the admins and its owner. A muted account's video stays reachable by its
// link (as in PeerTube): mutes only thin the muter's listings.
func (s *Service) checkBlocks(ctx context.Context, viewer visibility.Viewer, v model.Video) error {
	if s.Blocks == nil || viewer.Owns(v) {
		return nil
	}
	b, err := s.Blocks(ctx, viewer, v.Channel.AccountID)
	if err != nil {
		return fmt.Errorf("blocks of account %d: %w", v.Channel.AccountID, err)
	}
	b.Muted = false
	if visibility.Blocked(viewer, b) {
		return model.ErrNotFound
	}
	return nil
}

// GetFile is Get for a request of one of the video's files (playlists,
// segments, images), whose URLs name the video by UUID.
func (s *Service) GetFile(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error) {
	now, gen := time.Now(), s.Store.Videos.Generation()
	e, cached := s.files.get(ref, gen, now)
	v := e.v
	if !cached {
		var err error
		var how visibility.Ref
		if v, how, err = s.lookup(ctx, ref); err != nil {
			return model.Video{}, err
		}
		if how != visibility.ByUUID {
			return model.Video{}, model.ErrNotFound
		}
		// Whether the server blocks the account is the same for every
		// viewer (mutes do not hide files): read once per entry; a block
		// bumps the generation, so it takes effect on the next segment
		// (the playlist cache before the router asks here too).
		if e.serverBlocked, err = s.serverBlocks(ctx, v); err != nil {
			return model.Video{}, err
		}
		s.files.put(ref, gen, now, v, e.serverBlocked)
	}
	if err := s.unlock(ctx, &viewer, v); err != nil {
		return model.Video{}, err
	}
	if !visibility.File(viewer, v) {
		return model.Video{}, model.ErrNotFound
	}
	if !viewer.Owns(v) && visibility.Blocked(viewer, visibility.Blocks{Server: e.serverBlocked}) {
		return model.Video{}, model.ErrNotFound
	}
	return v, nil
}

// serverBlocks reports whether the server blocks the video's account.
func (s *Service) serverBlocks(ctx context.Context, v model.Video) (bool, error) {
	if s.Blocks == nil {
		return false, nil
	}
	b, err := s.Blocks(ctx, visibility.Anonymous(false), v.Channel.AccountID)
	if err != nil {
		return false, fmt.Errorf("blocks of account %d: %w", v.Channel.AccountID, err)
	}
	return b.Server, nil
}

// lookup reads a video by any of its three ids, saying which was used.
func (s *Service) lookup(ctx context.Context, ref string) (model.Video, visibility.Ref, error) {
	var v model.Video
	var err error
	how := visibility.ByUUID
	switch {
	case ref == "" || len(ref) > 64:
		return v, how, model.ErrNotFound
	case isDigits(ref):
		n, perr := strconv.ParseInt(ref, 10, 64)
		if perr != nil {
			return v, how, model.ErrNotFound
		}
		how = visibility.ByNumericID
		v, err = s.Store.Videos.ByID(ctx, n)
	case len(ref) == 36:
		if _, perr := uuid.Parse(ref); perr != nil {
			return v, how, model.ErrNotFound
		}
		v, err = s.Store.Videos.ByUUID(ctx, ref)
	default:
		v, err = s.Store.Videos.ByShortUUID(ctx, ref)
	}
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		err = fmt.Errorf("look up video %q: %w", ref, err)
	}
	return v, how, err
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ListQuery selects a page of videos.
type ListQuery struct {
	ChannelID int64
	// OwnerAccountID scopes the listing to one account's videos (its page,
	// or a channel's, whose owner is given here).
	OwnerAccountID int64
	AccountOnly    bool // list the whole account, not one channel
	Start, Count   int
	Sort           string
	// SubscriberAccountID lists the videos of the channels this account
	// subscribes to (app/subscriptions).
	SubscriberAccountID int64
	// Summary: only what a listing's JSON shows (repo.VideoQuery.Summary);
	// pages and feeds, which show whole descriptions, leave it false.
	Summary bool
}

// ErrBadSort is returned for a sort key Cabane does not know.
var ErrBadSort = errors.New("unknown sort")

// ValidSort reports whether a sort key is known ("" is the default).
func ValidSort(sort string) bool {
	return sort == "" || slices.Contains(repo.VideoSorts, sort)
}

// List returns the page of videos viewer may see, and how many there are.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer, q ListQuery) ([]model.Video, int, error) {
	if !ValidSort(q.Sort) {
		return nil, 0, fmt.Errorf("%w %q", ErrBadSort, q.Sort)
	}
	scope := visibility.List(viewer, q.OwnerAccountID)
	sq := repo.VideoQuery{ChannelID: q.ChannelID, Start: max(0, q.Start), Count: q.Count, Sort: q.Sort, TrendingDays: TrendingDays}
	if q.AccountOnly {
		sq.AccountID = q.OwnerAccountID
	}
	sq.SubscriberAccountID, sq.Summary = q.SubscriberAccountID, q.Summary
	if !scope.All {
		sq.Privacies, sq.SupportersOf = scope.Privacies, scope.SupportersOf
	}
	sq.HideServerBlocked, sq.MutedByAccountID = scope.HideServerBlocked, scope.MutedBy
	vs, total, err := s.Store.Videos.List(ctx, sq)
	if err != nil {
		return nil, 0, fmt.Errorf("list videos: %w", err)
	}
	return vs, total, nil
}

// Renditions are a video's published renditions, best first.
func (s *Service) Renditions(ctx context.Context, v model.Video) ([]model.Rendition, error) {
	return s.Store.Videos.Renditions(ctx, v.ID)
}

// ListingGeneration changes whenever a listing's content may have: a
// cache of listings is valid while it stays the same.
func (s *Service) ListingGeneration() uint64 { return s.Store.Videos.Generation() }

// Count is the number of videos on the instance, for the admin.
func (s *Service) Count(ctx context.Context) (int, error) { return s.Store.Videos.Count(ctx) }

// Views is the view count to show: stored plus counted but not yet written.
func (s *Service) Views(v model.Video) int64 { return v.Views + s.PendingViews(v.ID) }
