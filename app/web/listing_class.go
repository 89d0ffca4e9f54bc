package web

import (
	"context"
	"fmt"
	"sync"

	"github.com/labstack/echo/v4"

	"cabane.dev/cabane/app/blocklist"
	"cabane.dev/cabane/app/search"
	"cabane.dev/cabane/app/visibility"
)

// listingClass is the viewer class (microcache.go) of the API's
// instance-wide video list and search: what they answer depends on the
// viewer only through visibility.List(viewer, 0), the filter of every
// instance-wide listing. So the viewers with the same filter share one
// answer: all the anonymous (the home network is in the cache key), and
// all the logged-in users with the same role who mute nobody, which is
// most of them. PeerTube's apps send their token with every call; without
// this, each of their list calls paid SQLite and the JSON encoder.
//
// Not shared: a viewer with a video password or unlocked videos, or with
// file tokens (a search by a video's URL finds what they unlocked); a
// logged-in search by a URL (visibility.Video lets the owner and the
// moderators find more); a user who mutes someone keeps their own entry
// (their muted accounts are filtered out).
func (s *Server) listingClass(c echo.Context, gen uint64) (string, bool) {
	v := viewer(c)
	if v.Password != "" || len(v.Unlocked) > 0 || len(v.FilesOf) > 0 || len(v.SupporterOf) > 0 {
		return "", false
	}
	if !v.LoggedIn() {
		return anonymousOnly(c, gen)
	}
	if search.ByURL(c.QueryParam("search")) {
		return "", false
	}
	l := visibility.List(v, 0)
	if l.MutedBy != 0 {
		mutes, err := s.mutesAnyone(c.Request().Context(), v, gen)
		if err != nil {
			return "", false // the handler meets the same error and says it
		}
		if !mutes {
			l.MutedBy = 0 // the same filter as any user who mutes nobody
		}
	}
	// Every field of the filter, and the roles (PeerTube's filters that
	// only moderators may use answer by role).
	return fmt.Sprintf("listing all=%t privacies=%v hide=%t muted-by=%d admin=%t moderator=%t",
		l.All, l.Privacies, l.HideServerBlocked, l.MutedBy, v.Admin(), v.Moderates()), true
}

// mutesAnyone reports whether viewer mutes an account, as of listing
// generation gen or later: every mute and unmute bumps the generation, so
// the answer is remembered per account until the next one.
func (s *Server) mutesAnyone(ctx context.Context, v visibility.Viewer, gen uint64) (bool, error) {
	if s.Blocklist == nil {
		return true, nil // cannot tell: the viewer keeps their own entry
	}
	if m, ok := s.cache.mutes.get(v.AccountID, gen); ok {
		return m, nil
	}
	_, n, err := s.Blocklist.Accounts(ctx, v, blocklist.Mine, 0, 0, "")
	if err != nil {
		return false, fmt.Errorf("mutes of account %d: %w", v.AccountID, err)
	}
	s.cache.mutes.put(v.AccountID, gen, n > 0)
	return n > 0, nil
}

// muteMemo remembers, for one listing generation, which accounts mute
// someone.
type muteMemo struct {
	mu  sync.Mutex
	gen uint64
	m   map[int64]bool
}

const muteMemoEntries = 4096 // accounts: a home box has a handful

func (mm *muteMemo) get(account int64, gen uint64) (mutes, ok bool) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	if mm.gen != gen {
		return false, false
	}
	mutes, ok = mm.m[account]
	return mutes, ok
}

func (mm *muteMemo) put(account int64, gen uint64, mutes bool) {
	mm.mu.Lock()
	defer mm.mu.Unlock()
	switch {
	case gen < mm.gen:
		return // read before a newer write: the memo is past it
	case gen > mm.gen || mm.m == nil || len(mm.m) >= muteMemoEntries:
		mm.gen, mm.m = gen, map[int64]bool{}
	}
	mm.m[account] = mutes
}
