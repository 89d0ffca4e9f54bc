// Package inbox receives what other servers POST to Cabane's inboxes (the
// shared /inbox and each actor's): it checks the request (media type,
// size, HTTP signature, that the signer is the activity's actor, blocks),
// then processes each activity in one transaction, once. One file per
// activity type, GoToSocial's habit: follow.go, undo.go, update.go,
// delete.go, create.go, like.go, note.go, view.go, flag.go. What Cabane
// does not handle yet is answered 202 and dropped.
package inbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/follows"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/signature"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// MaxBody is the largest activity accepted: PeerTube's JSON body limit
// (500 kB); a Follow is a few hundred bytes, a Video a few kB.
const MaxBody = 500 << 10

// Why a request is refused; Status turns each into its answer.
var (
	ErrOff         = errors.New("inbox: federation is off")                      // 404
	ErrNoInbox     = errors.New("inbox: no such actor")                          // 404
	ErrMediaType   = errors.New("inbox: body is not ActivityPub JSON")           // 400, as PeerTube
	ErrTooLarge    = errors.New("inbox: activity too large")                     // 413
	ErrMalformed   = errors.New("inbox: malformed activity")                     // 400
	ErrNotSigner   = errors.New("inbox: the signer is not the activity's actor") // 401
	ErrNotAuthor   = errors.New("inbox: the actor is not the object's author")   // 403
	ErrBlocked     = errors.New("inbox: the actor's server is blocked")          // 403
	ErrFromHere    = errors.New("inbox: activity from this server")              // 409, as PeerTube
	errUnsupported = errors.New("inbox: not handled")                            // 202
)

// Status is the HTTP status for Receive's error; signature errors keep
// signature.Status's.
func Status(err error) int {
	switch {
	case err == nil:
		return http.StatusNoContent
	case errors.Is(err, ErrOff), errors.Is(err, ErrNoInbox):
		return http.StatusNotFound
	case errors.Is(err, ErrMediaType), errors.Is(err, ErrMalformed):
		return http.StatusBadRequest
	case errors.Is(err, ErrTooLarge):
		return http.StatusRequestEntityTooLarge
	case errors.Is(err, ErrNotSigner):
		return http.StatusUnauthorized
	case errors.Is(err, ErrBlocked), errors.Is(err, ErrNotAuthor), errors.Is(err, ErrNotAllowedMirror):
		return http.StatusForbidden
	case errors.Is(err, ErrFromHere):
		return http.StatusConflict
	}
	if st := signature.Status(err); st != http.StatusInternalServerError {
		return st
	}
	return http.StatusInternalServerError
}

// Outcome is what became of an accepted request.
type Outcome int

const (
	// Processed: the activity was applied, or had been before (a replay):
	// 204, PeerTube's answer.
	Processed Outcome = iota
	// Dropped: a type or object Cabane does not handle, or one that
	// concerns nothing here: 202, and nothing stored.
	Dropped
)

// Status is the HTTP status of an outcome.
func (o Outcome) Status() int {
	if o == Dropped {
		return http.StatusAccepted
	}
	return http.StatusNoContent
}

// Verifier checks HTTP signatures (signature.Verifier).
type Verifier interface {
	Verify(ctx context.Context, r *http.Request, body []byte) (signature.Result, error)
}

// Store keeps what the inbox changes (store.Follows).
type Store interface {
	RemoteActor(ctx context.Context, iri string) (store.RemoteActor, error)
	HostBlocked(ctx context.Context, host string) (bool, error)
	ManualFollowers(ctx context.Context, channelID int64) (bool, error)
	Apply(ctx context.Context, activityID string, fn func(tx *store.FollowsTx) error) (dup bool, err error)
	Unsee(ctx context.Context, activityID string) error
	// Write runs fn in a transaction that marks no activity seen (a video
	// fetched for a Note that answers it).
	Write(ctx context.Context, fn func(tx *store.FollowsTx) error) error
	// CommentRef finds a remote comment by its Note's id.
	CommentRef(ctx context.Context, iri string) (commentID int64, videoUUID string, err error)
	// RemoteVideoUUID finds a followed channel's video by its IRI.
	RemoteVideoUUID(ctx context.Context, iri string) (string, error)
	PruneSeen(ctx context.Context, before time.Time) (int64, error)
}

// KeyForgetter drops a deleted actor's keys (keys.Resolver).
type KeyForgetter interface {
	Forget(ctx context.Context, owner string) error
}

// Answers sends the Accept of a follow (follows.Service).
type Answers interface {
	SendAccept(ctx context.Context, f store.Follow) error
}

// Service is the inbox.
type Service struct {
	Identity federation.Identity
	Verifier Verifier
	Store    Store
	// Locals finds the local actors activities name (accounts.Service).
	Locals federation.Accounts
	// Actors fetches remote actors.
	Actors  ActorFetcher
	Answers Answers
	Keys    KeyForgetter
	Log     *slog.Logger
	// Videos finds the local videos that likes, comments, views and
	// reports name (videos.Service); nil: those are dropped.
	Videos Videos
	// Notify is told of remote comments (notifications.Service); may be nil.
	Notify CommentNotifier
	// Views counts the views other servers report (views.Service); nil:
	// View is dropped.
	Views ViewCounter
	// Reports tells the moderators of a remote report (abuses.Service);
	// may be nil.
	Reports ReportNotifier
	// --- following (#10) ---
	// Objects fetches Videos that Announces name; Following is told of
	// accepted follows (following.Service; nil: no backfill).
	Objects   ObjectFetcher
	Following Backfiller
	// Channels finds the channels of instances the server follows (nil:
	// videos of unknown channels are dropped).
	Channels ChannelFinder
	// --- end following ---
	// Mover carries local follows of a moved actor over to its new one
	// (following.Service, #11); nil: Move is dropped.
	Mover Mover
	// LocalMover carries them over to a local actor, when a remote
	// creator moves here (move.go); nil: such a Move is dropped.
	LocalMover LocalMover
	// Lists is told of a remote Group's Update, to read its
	// recommendations again (following.Service); nil: they are not.
	Lists GroupWatcher
	// Mirrors records the CacheFiles of servers that mirror local videos
	// and videos of followed channels (redundancy.Service, #12); nil:
	// CacheFiles are dropped.
	Mirrors Mirrors
	// Audience and Sender forward the CacheFiles of local videos to the
	// videos' followers, as PeerTube does (relay.go); either nil: they
	// are not forwarded.
	Audience federation.Audience
	Sender   federation.Sender
	// Recommender keeps the videos of other channels that followed
	// channels announce, and their Undo (video.go); nil: dropped.
	Recommender Recommender
	// ActorMaxAge is how old a stored remote actor may be before a Follow
	// fetches it again (default a day).
	ActorMaxAge time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Box names the inbox a request came to: the shared one (Kind "") or a
// local account's or channel's (federation.KindAccount, KindChannel).
type Box struct {
	Kind string
	Name string
}

// activity is what every activity has; Object is kept raw for the type's
// handler.
type activity struct {
	ID     string          `json:"id"`
	Type   string          `json:"type"`
	Actor  json.RawMessage `json:"actor"`
	Object json.RawMessage `json:"object"`
	// Expires marks a View that is a live viewer, not a view (PeerTube).
	Expires string `json:"expires"`
	// Content is a Flag's reason.
	Content string `json:"content"`
	// Target is a Move's new actor (move.go).
	Target json.RawMessage `json:"target"`

	actor  string // Actor's id
	signer string // who signed the request: actor, or a server forwarding it
	raw    []byte // the body as received, which a forward sends on unchanged
}

// Receive checks and processes one POST to an inbox. body is the request's
// body as read (the caller bounds it; anything over MaxBody is refused
// here). The error, if any, is answered with Status(err); otherwise the
// outcome's status.
func (s *Service) Receive(ctx context.Context, r *http.Request, body []byte, box Box) (Outcome, error) {
	if s == nil || !s.Identity.On() {
		return 0, ErrOff
	}
	if !activityMediaType(r.Header.Get("Content-Type")) {
		return 0, fmt.Errorf("%w: Content-Type %q", ErrMediaType, r.Header.Get("Content-Type"))
	}
	if len(body) > MaxBody {
		return 0, fmt.Errorf("%w: %d bytes", ErrTooLarge, len(body))
	}
	if err := s.checkBox(ctx, box); err != nil {
		return 0, err
	}
	a, err := parse(body)
	if err != nil {
		return 0, err
	}
	a.raw = body
	res, err := s.Verifier.Verify(ctx, r, body)
	if err != nil {
		// An actor deleted on its server cannot be verified any more (its
		// key is gone): its own Delete is answered, and dropped, as
		// PeerTube and Mastodon do, so its server stops retrying.
		if a.Type == "Delete" && idOf(a.Object) == a.actor && errors.Is(err, signature.ErrUnknownKey) {
			return Dropped, nil
		}
		return 0, err
	}
	a.signer = res.Owner
	host := hostOf(a.actor)
	if strings.EqualFold(host, s.Identity.URIs().Host()) {
		return 0, ErrFromHere
	}
	if res.Owner != a.actor {
		// Forwarded (forward.go): only the actor's own server can confirm it.
		if err := s.vouch(ctx, a); err != nil {
			return 0, fmt.Errorf("%w: signed by %s for %s: %w", ErrNotSigner, res.Owner, a.actor, err)
		}
	}
	for _, h := range []string{host, hostOf(res.Owner)} {
		if blocked, err := s.Store.HostBlocked(ctx, h); err != nil {
			return 0, err
		} else if blocked {
			return 0, fmt.Errorf("%w: %s", ErrBlocked, h)
		}
	}
	out, err := s.dispatch(ctx, a)
	if errors.Is(err, errUnsupported) {
		s.log().Debug("inbox: activity dropped", "type", a.Type, "id", a.ID, "why", err)
		return Dropped, nil
	}
	return out, err
}

func (s *Service) dispatch(ctx context.Context, a *activity) (Outcome, error) {
	switch a.Type {
	case "Follow":
		return s.follow(ctx, a)
	case "Undo":
		return s.undo(ctx, a)
	case "Update":
		return s.update(ctx, a)
	case "Delete":
		return s.delete(ctx, a)
	case "Create":
		return s.create(ctx, a)
	case "Like", "Dislike":
		return s.rate(ctx, a)
	case "View":
		return s.view(ctx, a)
	case "Flag":
		return s.flag(ctx, a)
	// --- following (#10) ---
	case "Accept":
		return s.accept(ctx, a)
	case "Reject":
		return s.reject(ctx, a)
	case "Announce":
		return s.announce(ctx, a)
		// --- end following ---
	case "Move": // move (#11)
		return s.move(ctx, a)
	}
	return Dropped, fmt.Errorf("%w: type %q", errUnsupported, a.Type)
}

// apply runs fn in the activity's transaction, once per activity id.
func (s *Service) apply(ctx context.Context, a *activity, fn func(tx *store.FollowsTx) error) (dup bool, err error) {
	dup, err = s.Store.Apply(ctx, a.ID, fn)
	if err != nil {
		return false, fmt.Errorf("%s %s: %w", a.Type, a.ID, err)
	}
	return dup, nil
}

// checkBox checks that a per-actor inbox's actor exists here.
func (s *Service) checkBox(ctx context.Context, box Box) error {
	var err error
	switch box.Kind {
	case "":
		return nil
	case federation.KindAccount:
		if box.Name == federation.ServerName {
			return nil
		}
		_, err = s.Locals.LocalAccount(ctx, box.Name)
	case federation.KindChannel:
		_, err = s.Locals.LocalChannel(ctx, visibility.Remote(), box.Name)
	default:
		return ErrNoInbox
	}
	if errors.Is(err, model.ErrNotFound) {
		return fmt.Errorf("%w: %s %s", ErrNoInbox, box.Kind, box.Name)
	}
	return err
}

// activityMediaType accepts what PeerTube's body parser reads:
// application/json and any application/*+json (activity+json, ld+json).
func activityMediaType(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// parse reads the activity's envelope: an id, a type and an actor, the
// id an http(s) URL on the actor's server (PeerTube's rule: a server names
// its own activities).
func parse(body []byte) (*activity, error) {
	var a activity
	if err := json.Unmarshal(body, &a); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	a.actor = idOf(a.Actor)
	switch {
	case a.Type == "":
		return nil, fmt.Errorf("%w: no type", ErrMalformed)
	case !httpURL(a.actor):
		return nil, fmt.Errorf("%w: actor %q", ErrMalformed, a.actor)
	case !httpURL(a.ID):
		return nil, fmt.Errorf("%w: id %q", ErrMalformed, a.ID)
	case !strings.EqualFold(hostOf(a.ID), hostOf(a.actor)):
		return nil, fmt.Errorf("%w: id %s not on the actor's server", ErrMalformed, a.ID)
	}
	return &a, nil
}

// idOf is a reference's id: the string itself, or an object's "id".
func idOf(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if raw[0] == '"' {
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
		return ""
	}
	var o struct {
		ID string `json:"id"`
	}
	if raw[0] == '{' && json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}

// typeOf is an embedded object's type ("" for a bare IRI).
func typeOf(raw json.RawMessage) string {
	var o struct {
		Type string `json:"type"`
	}
	if len(raw) > 0 && raw[0] == '{' && json.Unmarshal(raw, &o) == nil {
		return o.Type
	}
	return ""
}

func httpURL(s string) bool {
	if len(s) > 2000 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != "" && u.User == nil
}

// hostOf is an IRI's host (with its port), lower-cased.
func hostOf(iri string) string {
	u, err := url.Parse(iri)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Host)
}

// local resolves an IRI of this server to the local actor it names:
// /accounts/<name> (peertube: the server actor) or /video-channels/<name>.
// ok is false for anything else, local or not.
func (s *Service) local(ctx context.Context, iri string) (keys.Actor, bool, error) {
	base := s.Identity.URIs().Base()
	path, ok := strings.CutPrefix(iri, base)
	if !ok || !strings.HasPrefix(path, "/") {
		return keys.Actor{}, false, nil
	}
	if path == uris.ServerActor {
		return keys.ServerActor, true, nil
	}
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(seg) != 2 {
		return keys.Actor{}, false, nil
	}
	name, err := url.PathUnescape(seg[1])
	if err != nil {
		return keys.Actor{}, false, nil
	}
	switch seg[0] {
	case "accounts":
		acc, err := s.Locals.LocalAccount(ctx, name)
		if errors.Is(err, model.ErrNotFound) {
			return keys.Actor{}, false, nil
		}
		if err != nil {
			return keys.Actor{}, false, err
		}
		return keys.Actor{Kind: keys.Account, ID: acc.ID}, true, nil
	case "video-channels":
		ch, err := s.Locals.LocalChannel(ctx, visibility.Remote(), name)
		if errors.Is(err, model.ErrNotFound) {
			return keys.Actor{}, false, nil
		}
		if err != nil {
			return keys.Actor{}, false, err
		}
		return keys.Actor{Kind: keys.Channel, ID: ch.ID}, true, nil
	}
	return keys.Actor{}, false, nil
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// follows.Service is the Answers the App wires.
var _ Answers = (*follows.Service)(nil)

// SeenFor is how long processed activity ids are remembered: senders give
// up retrying long before (Mastodon after about a week, PeerTube sooner).
const SeenFor = 8 * 24 * time.Hour

// RunPrune forgets processed activity ids older than SeenFor, every
// interval, until ctx ends.
func (s *Service) RunPrune(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.Store.PruneSeen(ctx, s.now().Add(-SeenFor)); err != nil && ctx.Err() == nil {
			s.log().Warn("inbox: prune processed activity ids", "err", err)
		} else if n > 0 {
			s.log().Debug("inbox: pruned processed activity ids", "count", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
