package profile

import (
	"context"
	"sync"
	"time"

	"cabane.dev/cabane/app/repo"
)

// RemoteAvatarsEvery is how often the remote avatars runner looks for
// remote accounts whose picture is to be fetched: new people arrive with
// comments, ratings and subscriptions, and their actors are refetched
// now and then; a few minutes' wait for a picture is fine.
const RemoteAvatarsEvery = 5 * time.Minute

// remoteAvatarsBatch bounds one sweep: a box that just subscribed to a big
// channel does not fetch hundreds of pictures at once.
const remoteAvatarsBatch = 20

// RemoteAvatarStore is what the runner reads and writes
// (store.Profiles).
type RemoteAvatarStore interface {
	RemoteIconsDue(ctx context.Context, limit int) ([]repo.RemoteIcon, error)
	SetAvatar(ctx context.Context, accountID int64, a repo.Avatar) (old repo.Avatar, err error)
}

// RemoteAvatars gives remote accounts (people who comment, rate, own a
// followed channel) the picture their actor names, so that listings show
// them as PeerTube does rather than initials. The icon is fetched through
// Fetch (the outbound client: signed as the server actor, private
// addresses refused, at most MaxAvatarBytes), then decoded and re-encoded
// as local avatars are: nothing of the remote file but its pixels is
// served. A failure leaves the account as it was (initials) until its
// actor is fetched again.
type RemoteAvatars struct {
	Profiles *Service
	Store    RemoteAvatarStore
	// Fetch GETs url, at most limit bytes.
	Fetch func(ctx context.Context, url string, limit int64) ([]byte, error)
	Every time.Duration // default RemoteAvatarsEvery

	mu     sync.Mutex
	failed map[int64]time.Time // account → the actor fetch whose icon failed
}

// Run sweeps at once, then every Every, until ctx ends.
func (r *RemoteAvatars) Run(ctx context.Context) {
	every := r.Every
	if every <= 0 {
		every = RemoteAvatarsEvery
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if _, err := r.Sweep(ctx); err != nil && ctx.Err() == nil {
			r.Profiles.log().Warn("remote avatars", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep fetches the pictures due (a batch) and returns how many were
// stored.
func (r *RemoteAvatars) Sweep(ctx context.Context) (int, error) {
	due, err := r.Store.RemoteIconsDue(ctx, remoteAvatarsBatch+r.failedCount())
	if err != nil {
		return 0, err
	}
	n, tried := 0, 0
	for _, ic := range due {
		if ctx.Err() != nil || tried == remoteAvatarsBatch {
			break
		}
		if r.failedBefore(ic) {
			continue
		}
		tried++
		if err := r.fetch(ctx, ic); err != nil {
			if ctx.Err() != nil {
				return n, nil
			}
			r.fail(ic)
			r.Profiles.log().Debug("remote avatar", "account", ic.AccountID, "icon", ic.URL, "err", err)
			continue
		}
		n++
	}
	return n, nil
}

func (r *RemoteAvatars) fetch(ctx context.Context, ic repo.RemoteIcon) error {
	raw, err := r.Fetch(ctx, ic.URL, MaxAvatarBytes)
	if err != nil {
		return err
	}
	out, err := r.Profiles.squareJPEG(ctx, raw)
	if err != nil {
		return err
	}
	_, err = r.Profiles.storeAvatar(ctx, r.Store, ic.AccountID, out)
	return err
}

// failedCount is how many accounts failed: a sweep reads that many more
// rows, so that failures do not crowd out the accounts still to try.
func (r *RemoteAvatars) failedCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.failed)
}

func (r *RemoteAvatars) failedBefore(ic repo.RemoteIcon) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	at, ok := r.failed[ic.AccountID]
	return ok && !ic.ActorFetchedAt.After(at)
}

func (r *RemoteAvatars) fail(ic repo.RemoteIcon) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failed == nil {
		r.failed = map[int64]time.Time{}
	}
	r.failed[ic.AccountID] = ic.ActorFetchedAt
}
