// Package outbox decides what Cabane tells other servers when something
// of its own changes, as PeerTube does: a video that starts to federate is
// a Create from its account and an Announce from its channel; an edit of a
// federated video an Update; a deletion, or a privacy change that takes it
// out of federation, a Delete; a changed account or channel an Update of
// its actor; and, now and then, an Update that carries new view counts.
//
// Nothing is lost to a crash: the domain write and a job naming the change
// are committed together (VideoChanged runs inside the write's
// transaction), and the job builds the activity when it runs, from what
// is stored then, with an id fixed by the job's payload, so a job run
// twice sends the same activity twice (receivers drop the repeat by id).
// Delivery (signing, retries, shared inboxes) is federation.Sender's.
package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"cabane.dev/cabane/app/federation"
	"cabane.dev/cabane/app/federation/keys"
	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/jobs"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// The job kinds this package registers (Register).
const (
	JobVideo = "federation.video"
	JobActor = "federation.actor"
)

// CountsEvery is how often at most an Update carries a video's new view
// counts (PeerTube federates its local videos' views in batches too).
const CountsEvery = 10 * time.Minute

// Federation jobs are small and someone waits on their result (a follower's
// timeline): before queued transcodes.
const jobPriority = 10

// A change's activity is rebuilt from scratch on each attempt; a document
// that cannot be made yet (a torrent still hashing) is worth waiting for.
const jobAttempts = 10

// Documents are the ActivityPub documents of local things
// (*federation.Service): this package addresses and wraps them, it never
// converts the domain itself.
type Documents interface {
	Video(ctx context.Context, ref string) (vocab.Video, error)
	Person(ctx context.Context, name string) (vocab.Actor, error)
	Group(ctx context.Context, name string) (vocab.Group, error)
	Comment(ctx context.Context, videoRef string, id int64) (federation.CommentDocument, error)
}

// Videos reads a video by id as stored, channel and account included
// (videos.Service).
type Videos interface {
	ByID(ctx context.Context, id int64) (model.Video, error)
}

// Accounts reads local actors by id (accounts.Service).
type Accounts interface {
	AccountByID(ctx context.Context, id int64) (model.Account, error)
	ChannelByID(ctx context.Context, viewer visibility.Viewer, id int64) (model.Channel, error)
	ChannelsOf(ctx context.Context, accountID int64) ([]model.Channel, error)
}

// Queue is the durable job queue (*jobs.Queue).
type Queue interface {
	Enqueue(ctx context.Context, kind string, payload any, opts ...jobs.EnqueueOption) (int64, error)
	EnqueueTx(ctx context.Context, tx *sql.Tx, kind string, payload any, opts ...jobs.EnqueueOption) (int64, error)
}

// Service turns local changes into activities for remote followers.
type Service struct {
	Identity  federation.Identity // the public URL every IRI is built from
	Documents Documents
	Videos    Videos
	Accounts  Accounts
	Jobs      Queue
	// Sender delivers, Audience lists the followers (the delivery and
	// follows slices); while either is nil, nothing is queued.
	Sender   federation.Sender
	Audience federation.Audience
	// Remotes finds remote videos' origins and remote actors' inboxes
	// (store.Follows); nil: nothing done here to another server's video
	// leaves the box, nor does a reply reach a remote author.
	Remotes Remotes
	// Comments reads comments (store.Comments): the authors a deleted
	// comment answered; nil: they are not told.
	Comments CommentReader
	Log      *slog.Logger
	// Now is the clock (tests); nil: time.Now.
	Now func() time.Time
	// CountsEvery bounds view-count Updates per video; 0: CountsEvery.
	CountsEvery time.Duration
	// Supporters: the direct Notes of supporter-only videos (#11,
	// supporters.go); nil: none sent.
	Supporters SupporterNotes
	// NoteWords are the supporter Notes' sentences in the language of
	// the creator (account) who sends them; nil: English.
	NoteWords func(ctx context.Context, accountID int64) NoteWords

	locks  keyedLocks // one handler at a time per video: activities leave in order
	counts counter
}

// On reports whether changes are federated: a public URL, and someone to
// deliver to and through.
func (s *Service) On() bool {
	return s != nil && s.Identity.On() && s.Sender != nil && s.Audience != nil && s.Jobs != nil
}

// Register adds the handlers of this package's jobs to q.
func (s *Service) Register(q *jobs.Queue) {
	q.Register(JobVideo, s.HandleVideo)
	q.Register(JobActor, s.HandleActor)
	q.Register(JobComment, s.HandleComment)
	q.Register(JobRate, s.HandleRate)
	q.Register(JobView, s.HandleView)
	q.Register(JobSupporterNote, s.HandleSupporterNote) // supporters (#11)
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// What a video job sends.
const (
	actCreate = "create" // Create from the account, Announce from the channel
	actUpdate = "update" // Update from the account
	actDelete = "delete" // Delete (a Tombstone) from the account
	actCounts = "counts" // Update with new counts, debounced
)

// videoJob is a JobVideo's payload. Version (Unix milliseconds of the
// change) makes an Update's id; a Delete carries what the deleted row no
// longer can.
type videoJob struct {
	Video   int64  `json:"video"`
	Act     string `json:"act"`
	Version int64  `json:"version"`
	Gone    *gone  `json:"gone,omitempty"`
}

// gone is a video as it federated, for its Delete.
type gone struct {
	UUID        string `json:"uuid"`
	AccountID   int64  `json:"account_id"`
	AccountName string `json:"account_name"`
	ChannelID   int64  `json:"channel_id"`
	ChannelName string `json:"channel_name"`
	Public      bool   `json:"public"`
}

// actorJob is a JobActor's payload.
type actorJob struct {
	Kind    keys.Kind `json:"kind"`
	ID      int64     `json:"id"`
	Version int64     `json:"version"`
}

// VideoChanged queues, in tx (the write's own transaction), what remote
// servers must hear of a write that took a video from before to after
// (after zero: deleted; before zero: new). A video that starts to
// federate is created, one that stays federated updated, one that stops
// (or is deleted) deleted; one that never federated says nothing.
func (s *Service) VideoChanged(ctx context.Context, tx *sql.Tx, before, after model.Video) error {
	if !s.On() || before.Channel.Remote() || after.Channel.Remote() {
		// A remote video is its origin's to federate: an admin's local
		// removal of one, or a refresh from its origin, says nothing.
		return nil
	}
	if err := s.queueSupporterNotes(ctx, tx, before, after); err != nil { // supporters.go (#11)
		return err
	}
	was := before.ID != 0 && visibility.Federates(before)
	is := after.ID != 0 && visibility.Federates(after)
	j := videoJob{Video: max(before.ID, after.ID), Version: s.now().UnixMilli()}
	switch {
	case is && !was:
		j.Act = actCreate
	case is && was:
		j.Act = actUpdate
	case was:
		j.Act = actDelete
		j.Gone = &gone{UUID: before.UUID, AccountID: before.Channel.AccountID, AccountName: before.Channel.Account.Name,
			ChannelID: before.ChannelID, ChannelName: before.Channel.Name, Public: visibility.PublicAudience(before)}
	default:
		return nil
	}
	if _, err := s.Jobs.EnqueueTx(ctx, tx, JobVideo, j, jobs.WithPriority(jobPriority), jobs.WithMaxAttempts(jobAttempts)); err != nil {
		return fmt.Errorf("federate %s of video %d: %w", j.Act, j.Video, err)
	}
	return nil
}

// AccountChanged queues an Update of the account's Person (display name,
// description, avatar). The profile store has no transaction to share:
// it is queued just after the write.
func (s *Service) AccountChanged(ctx context.Context, accountID int64) {
	s.actorChanged(ctx, keys.Account, accountID)
}

// ChannelChanged queues an Update of the channel's Group.
func (s *Service) ChannelChanged(ctx context.Context, channelID int64) {
	s.actorChanged(ctx, keys.Channel, channelID)
}

func (s *Service) actorChanged(ctx context.Context, kind keys.Kind, id int64) {
	if !s.On() {
		return
	}
	j := actorJob{Kind: kind, ID: id, Version: s.now().UnixMilli()}
	// The change is stored already: failing here would not undo it, so
	// the caller is not failed; the actor goes out with its next change
	// or when followers refetch it.
	if _, err := s.Jobs.Enqueue(context.WithoutCancel(ctx), JobActor, j, jobs.WithPriority(jobPriority), jobs.WithMaxAttempts(jobAttempts)); err != nil {
		s.log().Warn("federate actor update", "kind", kind, "id", id, "err", err)
	}
}

// keyedLocks serialises work per key; entries live while someone holds or
// waits for them.
type keyedLocks struct {
	mu sync.Mutex
	m  map[int64]*keyedLock
}

type keyedLock struct {
	sync.Mutex
	users int
}

func (k *keyedLocks) lock(key int64) (unlock func()) {
	k.mu.Lock()
	if k.m == nil {
		k.m = map[int64]*keyedLock{}
	}
	l := k.m[key]
	if l == nil {
		l = &keyedLock{}
		k.m[key] = l
	}
	l.users++
	k.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		k.mu.Lock()
		if l.users--; l.users == 0 {
			delete(k.m, key)
		}
		k.mu.Unlock()
	}
}
