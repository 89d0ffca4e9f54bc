package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strings"
	"time"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/p2p"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/torrents"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// ErrOff: federation is off (no usable public URL); callers answer 404,
// as for a thing that does not exist.
var ErrOff = errors.New("federation is off: no public URL")

// ErrNotFound: no such actor or video, or one that does not federate.
var ErrNotFound = model.ErrNotFound

// The domain services the documents are made from (accounts.Service,
// videos.Service, torrents.Service, profile.Service), as small interfaces.
type (
	Accounts interface {
		LocalAccount(ctx context.Context, name string) (model.Account, error)
		LocalChannel(ctx context.Context, viewer visibility.Viewer, name string) (model.Channel, error)
	}
	Videos interface {
		Details(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
		Renditions(ctx context.Context, v model.Video) ([]model.Rendition, error)
		Views(v model.Video) int64
	}
	Torrents interface {
		Describe(ctx context.Context, u uris.Builder, v model.Video, r model.Rendition) (torrents.File, error)
	}
	Avatars interface {
		AvatarOf(ctx context.Context, accountID int64) (repo.Avatar, error)
	}
	// PublicKeys gives a local actor's SPKI PEM, generating its key pair
	// the first time (keys.Keyring, through an adapter: this package does
	// not reach the store).
	PublicKeys interface {
		PublicPEM(ctx context.Context, kind string, id int64) (string, error)
	}
	// Collections counts and lists an actor's followers, following and
	// outbox; the follows slice provides it. Nil: all empty.
	Collections interface {
		Collection(ctx context.Context, c CollectionRef, offset, limit int) (items []string, total int, err error)
	}
	// OutboxItems lists an actor's outbox: the activities of its public
	// videos (outbox.Collection). Nil: outboxes are empty.
	OutboxItems interface {
		Activities(ctx context.Context, c CollectionRef, offset, limit int) (items []json.RawMessage, total int, err error)
	}
	// Moves gives a local actor's aliases and where it moved (move.Service,
	// #11); kind is KindAccount or KindChannel.
	Moves interface {
		ActorMove(ctx context.Context, kind string, id int64) (alsoKnownAs []string, movedTo string, err error)
	}
	// Stats are NodeInfo's usage counts.
	Stats interface {
		Usage(ctx context.Context) (vocab.NodeInfoUsage, error)
	}
)

// PublicKeyFunc adapts a function to PublicKeys.
type PublicKeyFunc func(ctx context.Context, kind string, id int64) (string, error)

// PublicPEM calls f.
func (f PublicKeyFunc) PublicPEM(ctx context.Context, kind string, id int64) (string, error) {
	return f(ctx, kind, id)
}

// Service answers the documents other servers fetch.
type Service struct {
	Identity    Identity
	Accounts    Accounts
	Videos      Videos
	Torrents    Torrents
	Keys        PublicKeys
	Avatars     Avatars     // nil: no icons
	Collections Collections // nil: empty collections
	Outbox      OutboxItems // nil: empty outboxes
	Stats       Stats       // nil: zero counts
	Comments    Comments    // nil: no comment is served
	Origins     Origins     // nil: no comment on a remote video is served
	Funding     Funding     // nil: actors list no funding links
	Moves       Moves       // nil: no alsoKnownAs nor movedTo (#11)
	// Recommendations lists channels' recommendations; nil: empty lists.
	Recommendations Recommendations
	// Mirrors lists the servers that mirror a local video (#12,
	// redundancy.Service); nil: none.
	Mirrors Mirrors
	// Swarms gives a local video's peer-to-peer swarms (#12, the web
	// server's tracker); nil: the Video lists none.
	Swarms Swarms
	// Version is Cabane's, for NodeInfo.
	Version string
	// Node is the instance's name and short description (the admin's
	// settings), for NodeInfo; nil: "Cabane".
	Node func(ctx context.Context) (name, description string)
	// Started is the server actor's published date (when the instance
	// was set up); zero: left out.
	Started time.Time
}

// On reports whether federation is on, and if not why (a catalogue key).
func (s *Service) On() (bool, string) {
	if s == nil {
		return false, ReasonNoPublicURL
	}
	return s.Identity.On(), s.Identity.Reason()
}

func (s *Service) uris() (uris.Builder, error) {
	if s == nil || !s.Identity.On() {
		return uris.Builder{}, ErrOff
	}
	return s.Identity.URIs(), nil
}

// Person is the account named name, as a Person. "peertube" is the
// server actor's name: see Application.
func (s *Service) Person(ctx context.Context, name string) (vocab.Actor, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.Actor{}, err
	}
	a, err := s.Accounts.LocalAccount(ctx, name)
	if err != nil {
		return vocab.Actor{}, err
	}
	pem, err := s.Keys.PublicPEM(ctx, KindAccount, a.ID)
	if err != nil {
		return vocab.Actor{}, fmt.Errorf("key of account %s: %w", a.Name, err)
	}
	var avatar string
	if s.Avatars != nil {
		// An avatar is decoration: without it the actor is still whole.
		if av, err := s.Avatars.AvatarOf(ctx, a.ID); err == nil {
			avatar = av.File
		}
	}
	p := Person(u, a, pem, avatar)
	if p.Attachment, err = s.fundingOf(ctx, model.AccountFunding(a.ID)); err != nil {
		return vocab.Actor{}, fmt.Errorf("funding links of account %s: %w", a.Name, err)
	}
	if p.AlsoKnownAs, p.MovedTo, err = s.actorMove(ctx, KindAccount, a.ID); err != nil {
		return vocab.Actor{}, err
	}
	return p, nil
}

// Group is the channel named name, as a Group.
func (s *Service) Group(ctx context.Context, name string) (vocab.Group, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.Group{}, err
	}
	ch, err := s.Accounts.LocalChannel(ctx, visibility.Remote(), name)
	if err != nil {
		return vocab.Group{}, err
	}
	pem, err := s.Keys.PublicPEM(ctx, KindChannel, ch.ID)
	if err != nil {
		return vocab.Group{}, fmt.Errorf("key of channel %s: %w", ch.Name, err)
	}
	g := Group(u, ch, pem)
	if g.Attachment, err = s.fundingOf(ctx, model.ChannelFunding(ch.ID)); err != nil {
		return vocab.Group{}, fmt.Errorf("funding links of channel %s: %w", ch.Name, err)
	}
	if g.AlsoKnownAs, g.MovedTo, err = s.actorMove(ctx, KindChannel, ch.ID); err != nil {
		return vocab.Group{}, err
	}
	return g, nil
}

// actorMove is a local actor's aliases and new IRI, if it moved.
func (s *Service) actorMove(ctx context.Context, kind string, id int64) ([]string, string, error) {
	if s.Moves == nil {
		return nil, "", nil
	}
	aka, moved, err := s.Moves.ActorMove(ctx, kind, id)
	if err != nil {
		return nil, "", fmt.Errorf("move of %s %d: %w", kind, id, err)
	}
	return aka, moved, nil
}

// Application is the server actor.
func (s *Service) Application(ctx context.Context) (vocab.Actor, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.Actor{}, err
	}
	pem, err := s.Keys.PublicPEM(ctx, KindServer, 0)
	if err != nil {
		return vocab.Actor{}, fmt.Errorf("key of the server actor: %w", err)
	}
	return Application(u, pem, s.Started), nil
}

// Video is the video ref names (UUID, short UUID or id) as PeerTube's
// Video object, if it federates: a remote server sees what a stranger
// sees, and only public and unlisted published videos (ErrNotFound
// otherwise, the same answer as for a video that does not exist).
func (s *Service) Video(ctx context.Context, ref string) (vocab.Video, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.Video{}, err
	}
	v, err := s.Videos.Details(ctx, visibility.Remote(), ref)
	if err != nil {
		return vocab.Video{}, err
	}
	if !visibility.Federates(v) || v.Channel.Remote() {
		// A remote video's object is its origin's to serve, at its IRI.
		return vocab.Video{}, ErrNotFound
	}
	rs, err := s.Videos.Renditions(ctx, v)
	if err != nil {
		return vocab.Video{}, fmt.Errorf("renditions of %s: %w", v.UUID, err)
	}
	files := make([]File, 0, len(rs))
	for _, r := range rs {
		// PeerTube refuses the whole video when a file has no magnet:
		// a torrent that cannot be made is an error, not an omission.
		t, err := s.Torrents.Describe(ctx, u, v, r)
		if err != nil {
			return vocab.Video{}, fmt.Errorf("torrent of %s %s: %w", v.UUID, r.Name, err)
		}
		files = append(files, File{Rendition: r, Magnet: t.Magnet(v.Name, u.Abs(uris.Torrent(torrentName(v, r))))})
	}
	out := Video(u, v, s.Videos.Views(v), files)
	if s.Mirrors != nil {
		bases, err := s.Mirrors.Bases(ctx, v)
		if err != nil {
			return vocab.Video{}, fmt.Errorf("mirrors of %s: %w", v.UUID, err)
		}
		WithMirrors(&out, bases)
	}
	if s.Swarms != nil && len(files) > 0 {
		hashes, err := s.Swarms.InfoHashes(ctx, v, u.Abs(uris.Master(v.UUID)))
		if err != nil {
			return vocab.Video{}, fmt.Errorf("swarms of %s: %w", v.UUID, err)
		}
		WithSwarms(&out, hashes, p2p.TrackerURL(u.Base()))
	}
	return out, nil
}

// Mirrors lists the base URLs of the mirrors of a local video
// (redundancy.Service).
type Mirrors interface {
	Bases(ctx context.Context, v model.Video) ([]string, error)
}

// WithMirrors lists the mirrors of a video in its HLS entry's tag array:
// for each, a Link to the mirror's master playlist (the same file names
// under the mirror's folder), rel "mirror". PeerTube itself lists no
// mirror in the Video (it forwards the CacheFile activities instead) and
// reads only the video files and the sha256 link of that array, so these
// entries are ignored there, and the HLS entry stays the only one.
func WithMirrors(v *vocab.Video, bases []string) {
	for i := range v.URL {
		if v.URL[i].MediaType != vocab.MediaHLS {
			continue
		}
		master := path.Base(v.URL[i].Href)
		for _, b := range bases {
			v.URL[i].Tag = append(v.URL[i].Tag, vocab.Link{Type: "Link", Rel: []string{"mirror"}, MediaType: vocab.MediaHLS,
				Href: strings.TrimRight(b, "/") + "/" + master})
		}
		return
	}
}
