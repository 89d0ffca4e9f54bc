package follows

import (
	"context"
	"log/slog"

	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// All is one page of the followers of every local actor (the server, the
// accounts, the channels) in a state ("" for all), for admins only: the
// admin's federation page. Deciding on one goes through Approve and
// Refuse, as the API and the creator's page do.
func (s *Service) All(ctx context.Context, viewer visibility.Viewer, state string, start, count int) ([]store.Follow, int, error) {
	if !viewer.Admin() {
		return nil, 0, ErrForbidden
	}
	return s.Store.AllFollowers(ctx, state, start, count)
}

// Gone forgets the follows of a remote actor whose own inbox answered 410
// Gone (delivery.Options.Gone): its server says the account is no more,
// and every later delivery to it would fail the same way. recipient is ""
// when the inbox was a shared one, which names no actor: a shared inbox
// that is gone says nothing of which of its server's followers remain, so
// nothing is removed (its deliveries keep failing and are given up, and
// the server's own Delete of each actor, when it sends one, removes them).
// The follow goes only while the actor's stored inbox is still the one
// that answered: an actor that moved since is not the one found gone.
func (s *Service) Gone(ctx context.Context, inbox, recipient string, log *slog.Logger) {
	if recipient == "" {
		return
	}
	n, err := s.Store.RemoveFollowsAt(ctx, recipient, inbox)
	if log == nil {
		log = slog.Default()
	}
	if err != nil {
		log.Warn("follows: forget an actor found gone", "actor", recipient, "inbox", inbox, "err", err)
		return
	}
	if n > 0 {
		log.Info("follows: actor gone (its inbox answered 410): its follows removed", "actor", recipient, "follows", n)
	}
}

// GoneHook is Gone as delivery.Options.Gone takes it.
func (s *Service) GoneHook(log *slog.Logger) func(ctx context.Context, inbox, recipient string) {
	return func(ctx context.Context, inbox, recipient string) { s.Gone(ctx, inbox, recipient, log) }
}
