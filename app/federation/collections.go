package federation

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// Which collection of an actor.
type Which string

const (
	Followers Which = "followers"
	Following Which = "following"
	Outbox    Which = "outbox"
)

// CollectionRef names one collection of one local actor.
type CollectionRef struct {
	Kind  string // KindAccount, KindChannel, KindServer
	ID    int64  // the account's or channel's id; 0 for the server
	Path  string // the actor's path (uris.Account(name), ...)
	Which Which
}

// PageSize is how many items a collection page holds (PeerTube's
// COLLECTION_ITEMS_PER_PAGE).
const PageSize = 10

// CollectionOf finds the collection which of the actor kind/name: 404
// for an actor that does not exist.
func (s *Service) CollectionOf(ctx context.Context, kind, name string, which Which) (CollectionRef, error) {
	if _, err := s.uris(); err != nil {
		return CollectionRef{}, err
	}
	switch which {
	case Followers, Following, Outbox:
	default:
		return CollectionRef{}, ErrNotFound
	}
	switch {
	case kind == KindAccount && name == ServerName:
		return CollectionRef{Kind: KindServer, Path: uris.ServerActor, Which: which}, nil
	case kind == KindAccount:
		a, err := s.Accounts.LocalAccount(ctx, name)
		if err != nil {
			return CollectionRef{}, err
		}
		return CollectionRef{Kind: KindAccount, ID: a.ID, Path: uris.Account(a.Name), Which: which}, nil
	case kind == KindChannel:
		ch, err := s.Accounts.LocalChannel(ctx, visibility.Remote(), name)
		if err != nil {
			return CollectionRef{}, err
		}
		return CollectionRef{Kind: KindChannel, ID: ch.ID, Path: uris.Channel(ch.Name), Which: which}, nil
	}
	return CollectionRef{}, ErrNotFound
}

func (s *Service) items(ctx context.Context, c CollectionRef, offset, limit int) ([]string, int, error) {
	if s.Collections == nil {
		return []string{}, 0, nil
	}
	items, total, err := s.Collections.Collection(ctx, c, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("%s of %s: %w", c.Which, c.Path, err)
	}
	if items == nil {
		items = []string{}
	}
	return items, total, nil
}

// Collection is c without a page, as PeerTube answers it: the total, and
// the first page's IRI when there is anything to list.
func (s *Service) Collection(ctx context.Context, c CollectionRef) (vocab.OrderedCollection, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.OrderedCollection{}, err
	}
	var total int
	if c.Which == Outbox {
		_, total, err = s.activities(ctx, c, 0, 0)
	} else {
		_, total, err = s.items(ctx, c, 0, 1)
	}
	if err != nil {
		return vocab.OrderedCollection{}, err
	}
	id := u.Abs(c.Path + "/" + string(c.Which))
	out := vocab.OrderedCollection{Context: vocab.CollectionContext, ID: id, Type: "OrderedCollection", TotalItems: total}
	if total > 0 {
		out.First = id + "?page=1"
		out.Last = id + "?page=" + strconv.Itoa(lastPage(total))
	}
	return out, nil
}

// CollectionPage is page n (from 1) of c.
func (s *Service) CollectionPage(ctx context.Context, c CollectionRef, n int) (vocab.OrderedCollectionPage, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.OrderedCollectionPage{}, err
	}
	if n < 1 {
		n = 1
	}
	items, total, err := s.items(ctx, c, (n-1)*PageSize, PageSize)
	if err != nil {
		return vocab.OrderedCollectionPage{}, err
	}
	base := u.Abs(c.Path + "/" + string(c.Which))
	out := vocab.OrderedCollectionPage{Context: vocab.CollectionContext, ID: base + "?page=" + strconv.Itoa(n),
		Type: "OrderedCollectionPage", PartOf: base, OrderedItems: items, TotalItems: total}
	if total > n*PageSize {
		out.Next = base + "?page=" + strconv.Itoa(n+1)
	}
	if n > 1 {
		out.Prev = base + "?page=" + strconv.Itoa(n-1)
	}
	return out, nil
}

// lastPage is the number of the last page of total items.
func lastPage(total int) int { return max(1, (total+PageSize-1)/PageSize) }

func (s *Service) activities(ctx context.Context, c CollectionRef, offset, limit int) ([]json.RawMessage, int, error) {
	if s.Outbox == nil {
		return []json.RawMessage{}, 0, nil
	}
	items, total, err := s.Outbox.Activities(ctx, c, offset, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("outbox of %s: %w", c.Path, err)
	}
	if items == nil {
		items = []json.RawMessage{}
	}
	return items, total, nil
}

// OutboxPage is page n (from 1) of an outbox: the activities of the
// actor's public videos, newest first (PeerTube's outbox: the account's
// Creates, the channel's and the server's Announces).
func (s *Service) OutboxPage(ctx context.Context, c CollectionRef, n int) (vocab.ActivityPage, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.ActivityPage{}, err
	}
	if c.Which != Outbox {
		return vocab.ActivityPage{}, ErrNotFound
	}
	n = max(n, 1)
	items, total, err := s.activities(ctx, c, (n-1)*PageSize, PageSize)
	if err != nil {
		return vocab.ActivityPage{}, err
	}
	base := u.Abs(c.Path + "/" + string(c.Which))
	out := vocab.ActivityPage{Context: vocab.VideoContext, ID: base + "?page=" + strconv.Itoa(n),
		Type: "OrderedCollectionPage", PartOf: base, OrderedItems: items, TotalItems: total}
	if total > n*PageSize {
		out.Next = base + "?page=" + strconv.Itoa(n+1)
	}
	if n > 1 {
		out.Prev = base + "?page=" + strconv.Itoa(n-1)
	}
	return out, nil
}
