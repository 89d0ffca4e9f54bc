package comments

import (
	"context"
	"fmt"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/visibility"
)

// What remote servers may read of a video's comments: exactly what a
// stranger sees (visibility.Remote), on a video that federates.

// federatedVideo is the video ref names if it federates and its comments
// are open to readers.
func (s *Service) federatedVideo(ctx context.Context, ref string) (model.Video, error) {
	v, err := s.Videos.Get(ctx, visibility.Remote(), ref)
	if err != nil {
		return v, err
	}
	if !visibility.Federates(v) || s.policy(v) == PolicyDisabled {
		return model.Video{}, model.ErrNotFound
	}
	return v, nil
}

// Federated is comment id of the video ref names as a remote server may
// read it, with the comments it answers, nearest first (their authors are
// the Note's mentions). A deleted comment comes back deleted (its IRI
// answers a Tombstone) without parents. model.ErrNotFound: no such
// comment on that video, held for review, by a blocked account, or a
// video that does not federate.
func (s *Service) Federated(ctx context.Context, ref string, id int64) (model.Video, model.Comment, []model.Comment, error) {
	v, err := s.federatedVideo(ctx, ref)
	if err != nil {
		return v, model.Comment{}, nil, err
	}
	c, err := s.Store.ByID(ctx, id)
	if err != nil {
		return v, c, nil, err
	}
	if c.VideoID != v.ID || c.HeldForReview {
		return v, model.Comment{}, nil, model.ErrNotFound
	}
	if c.IsDeleted() {
		return v, c, nil, nil
	}
	// The thread as a stranger reads it: the block filters apply.
	all, err := s.Store.Thread(ctx, s.query(visibility.Remote(), v), c.Thread())
	if err != nil {
		return v, c, nil, fmt.Errorf("thread of comment %d: %w", id, err)
	}
	byID := make(map[int64]model.Comment, len(all))
	for _, x := range all {
		byID[x.ID] = x
	}
	c, ok := byID[id]
	if !ok {
		return v, model.Comment{}, nil, model.ErrNotFound
	}
	var parents []model.Comment
	for p := c.InReplyTo; p != 0; {
		x, ok := byID[p]
		if !ok {
			break // answered a comment a stranger may not read
		}
		parents = append(parents, x)
		p = x.InReplyTo
	}
	return v, c, parents, nil
}

// FederatedIDs is a page of the ids of the comments remote servers may
// read on the video ref names (its comments collection), oldest first,
// and how many there are.
func (s *Service) FederatedIDs(ctx context.Context, ref string, offset, limit int) (model.Video, []int64, int, error) {
	v, err := s.federatedVideo(ctx, ref)
	if err != nil {
		return v, nil, 0, err
	}
	q := s.query(visibility.Remote(), v)
	q.Start, q.Count = max(0, offset), limit
	ids, total, err := s.Store.Readable(ctx, q)
	if err != nil {
		return v, nil, 0, fmt.Errorf("comments of video %d: %w", v.ID, err)
	}
	return v, ids, total, nil
}

// LocalAuthor reports whether c was written on this server, the only
// comments Cabane speaks for: a remote one is its origin's to federate.
// A local account is a user's and has no remote actor (both are checked:
// a listing that does not read the remote actor still leaves a remote
// account without a user).
func LocalAuthor(c model.Comment) bool { return c.Account.UserID != 0 && c.Account.RemoteActorID == 0 }
