package federation

import (
	"context"
	"errors"
	"strconv"

	"cabane.dev/cabane/app/federation/vocab"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/uris"
	"cabane.dev/cabane/app/visibility"
)

// VideoWhich names one of a Video object's collections.
type VideoWhich string

const (
	VideoLikes    VideoWhich = "likes"
	VideoDislikes VideoWhich = "dislikes"
	VideoShares   VideoWhich = "announces"
	VideoComments VideoWhich = "comments"
)

// videoCollectionIRI is collection which of the video uuid.
func videoCollectionIRI(u uris.Builder, uuid string, which VideoWhich) string {
	switch which {
	case VideoLikes:
		return u.Abs(uris.VideoLikes(uuid))
	case VideoDislikes:
		return u.Abs(uris.VideoDislikes(uuid))
	case VideoShares:
		return u.Abs(uris.VideoShares(uuid))
	}
	return u.Abs(uris.VideoComments(uuid))
}

// federatedVideo is the video ref names if a remote server may read it:
// a local one (a remote video's collections are its origin's).
func (s *Service) federatedVideo(ctx context.Context, ref string) (model.Video, error) {
	v, err := s.Videos.Details(ctx, visibility.Remote(), ref)
	if err != nil {
		return v, err
	}
	if !visibility.Federates(v) || v.Channel.Remote() {
		return model.Video{}, ErrNotFound
	}
	return v, nil
}

// VideoCollection is a video's likes, dislikes, shares or comments
// collection without a page. A PeerTube that receives the Video (or an
// Update of it) reads its likes and dislikes from these totals; the rates
// themselves are not listed (PeerTube reads only the count). The shares
// are the channel's Announce; the comments are paged (VideoCommentsPage).
func (s *Service) VideoCollection(ctx context.Context, ref string, which VideoWhich) (vocab.OrderedCollection, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.OrderedCollection{}, err
	}
	var v model.Video
	total := 0
	if which == VideoComments {
		if v, total, err = s.commentsTotal(ctx, ref); err != nil {
			return vocab.OrderedCollection{}, err
		}
	} else if v, err = s.federatedVideo(ctx, ref); err != nil {
		return vocab.OrderedCollection{}, err
	}
	id := videoCollectionIRI(u, v.UUID, which)
	out := vocab.OrderedCollection{Context: vocab.CollectionContext, ID: id, Type: "OrderedCollection"}
	switch which {
	case VideoLikes:
		out.TotalItems = int(v.Likes)
	case VideoDislikes:
		out.TotalItems = int(v.Dislikes)
	case VideoShares:
		out.TotalItems, out.First = 1, id+"?page=1"
	case VideoComments:
		out.TotalItems = total
		if total > 0 {
			out.First = id + "?page=1"
		}
	default:
		return vocab.OrderedCollection{}, ErrNotFound
	}
	return out, nil
}

// commentsTotal is the video ref names (as remote servers see it) and how
// many of its comments they may read; a video with comments off has none.
func (s *Service) commentsTotal(ctx context.Context, ref string) (model.Video, int, error) {
	v, err := s.federatedVideo(ctx, ref)
	if err != nil || s.Comments == nil {
		return v, 0, err
	}
	if _, _, total, err := s.Comments.FederatedIDs(ctx, ref, 0, 0); err == nil {
		return v, total, nil
	} else if !errors.Is(err, ErrNotFound) {
		return v, 0, err
	}
	return v, 0, nil
}

// VideoCollectionPage is page n (from 1) of a video's shares (the
// channel's Announce) or comments (their Notes' IRIs, oldest first).
func (s *Service) VideoCollectionPage(ctx context.Context, ref string, which VideoWhich, n int) (vocab.OrderedCollectionPage, error) {
	u, err := s.uris()
	if err != nil {
		return vocab.OrderedCollectionPage{}, err
	}
	n = max(n, 1)
	var (
		v     model.Video
		items = []string{}
		total int
	)
	switch which {
	case VideoShares:
		if v, err = s.federatedVideo(ctx, ref); err != nil {
			return vocab.OrderedCollectionPage{}, err
		}
		total = 1
		if n == 1 {
			items = append(items, u.Abs(uris.Watch(v.UUID))+"/announces/"+strconv.FormatInt(v.ChannelID, 10))
		}
	case VideoComments:
		if v, total, err = s.commentsTotal(ctx, ref); err != nil {
			return vocab.OrderedCollectionPage{}, err
		}
		if total > 0 {
			var ids []int64
			if _, ids, total, err = s.Comments.FederatedIDs(ctx, ref, (n-1)*PageSize, PageSize); err != nil {
				return vocab.OrderedCollectionPage{}, err
			}
			for _, id := range ids {
				items = append(items, u.Abs(uris.Comment(v.UUID, id)))
			}
		}
	default:
		// Rates are counted, not listed.
		return vocab.OrderedCollectionPage{}, ErrNotFound
	}
	base := videoCollectionIRI(u, v.UUID, which)
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
