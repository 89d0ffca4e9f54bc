package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// HandleVideo runs a JobVideo: it builds the activity from what is stored
// now and hands it to the Sender for the followers of the video's account
// and channel. A video that no longer federates when its Create or Update
// runs sends nothing: the change that took it out queued its Delete.
func (s *Service) HandleVideo(ctx context.Context, j *jobs.Job) error {
	var p videoJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	if p.Act == actCounts {
		// Whatever comes of it: a failed counts job must not keep the
		// video's next counts from being planned.
		defer s.counts.sent(p.Video, s.now())
	}
	if !s.On() {
		// Federation turned off since (no public URL): nobody to tell,
		// and no IRI to tell it with.
		return nil
	}
	defer s.locks.lock(p.Video)()
	if p.Act == actDelete {
		return s.sendDelete(ctx, p)
	}
	v, err := s.Videos.ByID(ctx, p.Video)
	if errors.Is(err, model.ErrNotFound) {
		return nil // deleted since: its deletion queued the Delete
	}
	if err != nil {
		return fmt.Errorf("video %d: %w", p.Video, err)
	}
	if !visibility.Federates(v) || v.Channel.Remote() {
		return nil // a remote video is its origin's to federate
	}
	doc, err := s.Documents.Video(ctx, v.UUID)
	if errors.Is(err, federation.ErrNotFound) {
		return nil // hidden from remote viewers (a blocked account)
	}
	if err != nil {
		return fmt.Errorf("video %s as ActivityPub: %w", v.UUID, err)
	}
	u := s.Identity.URIs()
	va := actorsOf(u, v.UUID, v.Channel.Account.Name, v.Channel.Name, v.ChannelID, visibility.PublicAudience(v))
	to, err := s.Audience.Followers(ctx, videoFollowers(v.Channel.AccountID, v.ChannelID, va.public)...)
	if err != nil {
		return fmt.Errorf("followers of video %s: %w", v.UUID, err)
	}
	if len(to) == 0 {
		return nil
	}
	account := federation.LocalActor{Key: accountKey(v.Channel.AccountID), IRI: va.account}
	switch p.Act {
	case actCreate:
		if err := s.send(ctx, account, videoCreate(va, doc), to); err != nil {
			return err
		}
		return s.send(ctx, federation.LocalActor{Key: channelKey(v.ChannelID), IRI: va.channel}, videoAnnounce(va), to)
	case actUpdate, actCounts:
		return s.send(ctx, account, videoUpdate(va, doc, p.Version), to)
	}
	return fmt.Errorf("%w: unknown video activity %q", jobs.ErrPermanent, p.Act)
}

// sendDelete tells the followers the video last federated to that it is
// gone, from what the job recorded (the row may be gone).
func (s *Service) sendDelete(ctx context.Context, p videoJob) error {
	g := p.Gone
	if g == nil {
		return fmt.Errorf("%w: delete of video %d without its names", jobs.ErrPermanent, p.Video)
	}
	if v, err := s.Videos.ByID(ctx, p.Video); err == nil && visibility.Federates(v) {
		// Back in federation since (private, then public again): its
		// Create is queued behind this job; a Delete now would undo it.
		return nil
	}
	va := actorsOf(s.Identity.URIs(), g.UUID, g.AccountName, g.ChannelName, g.ChannelID, g.Public)
	to, err := s.Audience.Followers(ctx, videoFollowers(g.AccountID, g.ChannelID, g.Public)...)
	if err != nil {
		return fmt.Errorf("followers of video %s: %w", g.UUID, err)
	}
	if len(to) == 0 {
		return nil
	}
	return s.send(ctx, federation.LocalActor{Key: accountKey(g.AccountID), IRI: va.account}, videoDelete(va), to)
}

// HandleActor runs a JobActor: the actor's document as it is now, in an
// Update to its followers (an account's also reach its channels'
// followers, who see its name on every video).
func (s *Service) HandleActor(ctx context.Context, j *jobs.Job) error {
	var p actorJob
	if err := j.Decode(&p); err != nil {
		return fmt.Errorf("%w: %w", jobs.ErrPermanent, err)
	}
	if !s.On() {
		return nil
	}
	u := s.Identity.URIs()
	var (
		iri, path string
		doc       any
		of        = []keys.Actor{{Kind: p.Kind, ID: p.ID}}
	)
	switch p.Kind {
	case keys.Account:
		a, err := s.Accounts.AccountByID(ctx, p.ID)
		if errors.Is(err, model.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if a.Remote() {
			return nil // its own server federates it
		}
		person, err := s.Documents.Person(ctx, a.Name)
		if err != nil {
			return fmt.Errorf("account %s as ActivityPub: %w", a.Name, err)
		}
		person.Context = nil
		path, doc = uris.Account(a.Name), person
		chs, err := s.Accounts.ChannelsOf(ctx, a.ID)
		if err != nil {
			return err
		}
		for _, ch := range chs {
			of = append(of, channelKey(ch.ID))
		}
	case keys.Channel:
		ch, err := s.Accounts.ChannelByID(ctx, visibility.Remote(), p.ID)
		if errors.Is(err, model.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if ch.Remote() {
			return nil
		}
		group, err := s.Documents.Group(ctx, ch.Name)
		if err != nil {
			return fmt.Errorf("channel %s as ActivityPub: %w", ch.Name, err)
		}
		group.Context = nil
		path, doc = uris.Channel(ch.Name), group
	default:
		return fmt.Errorf("%w: unknown actor kind %q", jobs.ErrPermanent, p.Kind)
	}
	iri = u.Abs(path)
	to, err := s.Audience.Followers(ctx, of...)
	if err != nil {
		return fmt.Errorf("followers of %s: %w", iri, err)
	}
	if len(to) == 0 {
		return nil
	}
	act := actorUpdate(iri, u.Abs(uris.Followers(path)), doc, p.Version)
	if p.Kind == keys.Channel {
		act.Context = vocab.GroupContext // its recommendations term (#11)
	}
	return s.send(ctx, federation.LocalActor{Key: of[0], IRI: iri}, act, to)
}

func (s *Service) send(ctx context.Context, from federation.LocalActor, a Activity, to []federation.Recipient) error {
	return s.sendAny(ctx, from, a.Type, a.ID, a, to)
}

// sendAny hands activity a (of type typ and id id, a named type) to the
// Sender for to.
func (s *Service) sendAny(ctx context.Context, from federation.LocalActor, typ, id string, a any, to []federation.Recipient) error {
	body, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode %s %s: %w", typ, id, err)
	}
	if err := s.Sender.Send(ctx, from, body, to); err != nil {
		return fmt.Errorf("queue %s %s for %d recipients: %w", typ, id, len(to), err)
	}
	s.log().Info("activity queued", "type", typ, "id", id, "recipients", len(to))
	return nil
}

// videoFollowers are the local actors whose followers hear of a video: its
// account's and its channel's and, for a public video, the server actor's
// (PeerTube shares each public video by its server actor, so the
// instances that follow this one get it: getActorsInvolvedInVideo). The
// Audience lists each remote actor once, and the Sender sends one request
// per shared inbox.
func videoFollowers(accountID, channelID int64, public bool) []keys.Actor {
	of := []keys.Actor{accountKey(accountID), channelKey(channelID)}
	if public {
		of = append(of, keys.ServerActor)
	}
	return of
}

func accountKey(id int64) keys.Actor { return keys.Actor{Kind: keys.Account, ID: id} }
func channelKey(id int64) keys.Actor { return keys.Actor{Kind: keys.Channel, ID: id} }
