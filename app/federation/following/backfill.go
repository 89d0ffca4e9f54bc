package following

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"cabane.dev/cabane/app/federation/remotevideo"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/store"
)

// JobKind is the backfill of a newly followed actor: its outbox's first
// page, on the job queue so that a restart or a server that is down for a
// while does not lose it.
const JobKind = "federation-backfill"

type backfillJob struct {
	Actor string `json:"actor"`
}

// Accepted queues the backfill of an actor whose Accept came
// (inbox.Backfiller).
func (s *Service) Accepted(ctx context.Context, actorIRI string) error {
	if s.Jobs == nil {
		return nil
	}
	_, err := s.Jobs.Enqueue(ctx, JobKind, backfillJob{Actor: actorIRI})
	return err
}

// Register makes q run the backfills.
func (s *Service) Register(q *jobs.Queue) {
	q.Register(JobKind, s.Handle)
	q.Register(ListsJobKind, s.HandleLists)
}

// Handle runs one backfill: the actor's outbox's first page, its latest
// Recent activities, each Create or Announce of a Video stored as
// remotevideo.Store decides (its channel followed, public).
func (s *Service) Handle(ctx context.Context, j *jobs.Job) error {
	var p backfillJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	_, err := s.Backfill(ctx, p.Actor)
	if err == nil {
		// A channel's recommendations come with its videos; a list that
		// cannot be read does not fail the backfill.
		if _, lerr := s.ReadRecommendations(ctx, p.Actor); lerr != nil {
			s.log().Debug("backfill: recommendations not read", "actor", p.Actor, "err", lerr)
		}
	}
	return err
}

// Backfill reads the actor's recent videos and returns how many were
// stored.
func (s *Service) Backfill(ctx context.Context, actorIRI string) (int, error) {
	actor, err := s.Store.RemoteActor(ctx, actorIRI)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil // unfollowed or deleted since
	}
	if err != nil {
		return 0, err
	}
	if actor.Outbox == "" || !sameHost(actor.Outbox, actorIRI) {
		return 0, nil
	}
	items, err := s.recent(ctx, actor.Outbox)
	if err != nil {
		return 0, fmt.Errorf("outbox of %s: %w", actorIRI, err)
	}
	s.log().Debug("backfill", "actor", actorIRI, "items", len(items))
	n := 0
	for _, it := range items {
		d, err := s.videoOf(ctx, actorIRI, it)
		if err != nil {
			s.log().Debug("backfill: item skipped", "actor", actorIRI, "err", err)
			continue
		}
		put := func(tx *store.FollowsTx) error { return remotevideo.Store(ctx, tx, d) }
		err = s.Store.Write(ctx, put)
		if errors.Is(err, remotevideo.ErrNotFollowed) {
			// A channel of an instance the server follows, never seen
			// here: known now, its video is wanted.
			if kerr := s.KnowChannel(ctx, d.Channel); kerr == nil {
				err = s.Store.Write(ctx, put)
			}
		}
		if errors.Is(err, remotevideo.ErrNotFollowed) {
			s.log().Debug("backfill: not followed", "actor", actorIRI, "err", err)
			continue
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// recent is the first page of an outbox, at most Recent items.
func (s *Service) recent(ctx context.Context, outbox string) ([]json.RawMessage, error) {
	limit := s.Recent
	if limit <= 0 {
		limit = 20
	}
	var coll struct {
		First        json.RawMessage   `json:"first"`
		OrderedItems []json.RawMessage `json:"orderedItems"`
		Items        []json.RawMessage `json:"items"`
	}
	body, err := s.Fetch.Object(ctx, outbox)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(body, &coll); err != nil {
		return nil, err
	}
	if len(coll.OrderedItems) == 0 && len(coll.Items) == 0 && len(coll.First) > 0 {
		page := []byte(coll.First)
		if coll.First[0] == '"' {
			var iri string
			_ = json.Unmarshal(coll.First, &iri)
			if !sameHost(iri, outbox) {
				return nil, fmt.Errorf("first page %s not on the outbox's server", iri)
			}
			if page, err = s.Fetch.Object(ctx, iri); err != nil {
				return nil, err
			}
		}
		coll.First = nil
		if err := json.Unmarshal(page, &coll); err != nil {
			return nil, err
		}
	}
	items := append(coll.OrderedItems, coll.Items...)
	return items[:min(len(items), limit)], nil
}

// videoOf reads the Video a Create or an Announce of the outbox names:
// embedded when its own server sent it, else fetched from its origin.
func (s *Service) videoOf(ctx context.Context, actorIRI string, item json.RawMessage) (remotevideo.Doc, error) {
	var act struct {
		Type   string          `json:"type"`
		Actor  json.RawMessage `json:"actor"`
		Object json.RawMessage `json:"object"`
	}
	if err := json.Unmarshal(item, &act); err != nil || len(act.Object) == 0 {
		return remotevideo.Doc{}, fmt.Errorf("outbox item: not an activity")
	}
	if act.Type != "Create" && act.Type != "Announce" && act.Type != "Update" {
		return remotevideo.Doc{}, fmt.Errorf("outbox item: %s", act.Type)
	}
	body := []byte(act.Object)
	iri := ""
	if act.Object[0] == '"' {
		_ = json.Unmarshal(act.Object, &iri)
	} else {
		var o struct{ ID, Type string }
		_ = json.Unmarshal(act.Object, &o)
		if o.Type != "Video" {
			return remotevideo.Doc{}, fmt.Errorf("outbox item: %s of %s", act.Type, o.Type)
		}
		iri = o.ID
	}
	if act.Object[0] == '"' || !sameHost(iri, actorIRI) {
		var err error
		if body, err = s.Fetch.Object(ctx, iri); err != nil {
			return remotevideo.Doc{}, err
		}
	}
	d, err := remotevideo.Read(body)
	if err != nil {
		return d, err
	}
	if d.IRI != iri {
		return d, fmt.Errorf("%w: fetched %s, got %s", remotevideo.ErrInvalid, iri, d.IRI)
	}
	return d, nil
}

func sameHost(a, b string) bool { return strings.EqualFold(hostOf(a), hostOf(b)) && hostOf(a) != "" }
