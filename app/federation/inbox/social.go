package inbox

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// What remote people do to local videos: rate them (like.go), comment on
// them (note.go), watch them (view.go) and report them (flag.go). They
// act as remote accounts (migration 0016), made from their actor in the
// activity's transaction, and reach only the videos a remote server may
// see (app/visibility).

// Videos finds local videos as a viewer may see them (videos.Service).
type Videos interface {
	Get(ctx context.Context, viewer visibility.Viewer, ref string) (model.Video, error)
}

// CommentNotifier is told of each remote comment stored
// (notifications.Service), as of a local one.
type CommentNotifier interface {
	CommentPosted(ctx context.Context, v model.Video, c model.Comment)
}

// ViewCounter counts the views other servers report (views.Service).
type ViewCounter interface {
	Remote(v model.Video, activityID string) bool
}

// ReportNotifier tells the moderators of a report (abuses.Service).
type ReportNotifier interface {
	Reported(ctx context.Context, a model.Abuse)
}

// errNotHere: the object is nothing of this server's that the activity may
// concern (an unknown, private or non-federating video, say): dropped.
var errNotHere = fmt.Errorf("%w: not an object of this server", errUnsupported)

// localPath is the path of an IRI of this server ("" if it is not one).
func (s *Service) localPath(iri string) string {
	path, ok := strings.CutPrefix(iri, s.Identity.URIs().Base())
	if !ok || !strings.HasPrefix(path, "/") {
		return ""
	}
	return path
}

// videoRef splits a local video or comment IRI, PeerTube's
// /videos/watch/<uuid> and /videos/watch/<uuid>/comments/<id>.
func (s *Service) videoRef(iri string) (uuid string, commentID int64, ok bool) {
	rest, found := strings.CutPrefix(s.localPath(iri), "/videos/watch/")
	if !found {
		return "", 0, false
	}
	seg := strings.Split(rest, "/")
	uuid, err := url.PathUnescape(seg[0])
	if err != nil || uuid == "" {
		return "", 0, false
	}
	switch {
	case len(seg) == 1:
		return uuid, 0, true
	case len(seg) == 3 && seg[1] == "comments":
		id, err := strconv.ParseInt(seg[2], 10, 64)
		return uuid, id, err == nil && id > 0
	}
	return "", 0, false
}

// federatedVideo is the local video a UUID names if it federates and a
// remote server may see it; errNotHere otherwise.
func (s *Service) federatedVideo(ctx context.Context, uuid string) (model.Video, error) {
	if s.Videos == nil {
		return model.Video{}, errNotHere
	}
	v, err := s.Videos.Get(ctx, visibility.Remote(), uuid)
	if errors.Is(err, model.ErrNotFound) || err == nil && !visibility.Federates(v) {
		return model.Video{}, fmt.Errorf("%w: video %s", errNotHere, uuid)
	}
	if err != nil {
		return model.Video{}, fmt.Errorf("video %s: %w", uuid, err)
	}
	return v, nil
}

// localVideo is the local video an IRI names (federatedVideo's rules).
func (s *Service) localVideo(ctx context.Context, iri string) (model.Video, error) {
	uuid, commentID, ok := s.videoRef(iri)
	if !ok || commentID != 0 {
		return model.Video{}, fmt.Errorf("%w: %q is not a video here", errNotHere, iri)
	}
	return s.federatedVideo(ctx, uuid)
}

// commentTarget is what a Note answers: a local video (commentID 0), a
// local comment, or a remote comment stored here (by its Note's id).
func (s *Service) commentTarget(ctx context.Context, iri string) (model.Video, int64, error) {
	uuid, commentID, ok := s.videoRef(iri)
	if !ok {
		id, vuuid, err := s.Store.CommentRef(ctx, iri)
		if errors.Is(err, store.ErrNotFound) {
			return model.Video{}, 0, fmt.Errorf("%w: %q answers nothing here", errNotHere, iri)
		}
		if err != nil {
			return model.Video{}, 0, err
		}
		uuid, commentID = vuuid, id
	}
	v, err := s.federatedVideo(ctx, uuid)
	return v, commentID, err
}

// putAccount stores the remote actor and its account in the activity's
// transaction and returns the account's id.
func putAccount(ctx context.Context, tx *store.FollowsTx, actor store.RemoteActor) (int64, error) {
	rowID, err := tx.PutActor(ctx, actor)
	if err != nil {
		return 0, err
	}
	return tx.PutRemoteAccount(ctx, rowID, actor)
}
