package visibility

import "cabane.dev/cabane/app/model"

// Playlist reports whether viewer may see a playlist, addressed by ref.
// Private playlists (a "watch later" among them) are their owner's, and
// the admins'; unlisted ones answer only to their UUID, as PeerTube does.
func Playlist(viewer Viewer, p model.Playlist, ref Ref) bool {
	if ManagePlaylist(viewer, p) {
		return true
	}
	switch p.Privacy {
	case model.PlaylistPublic:
		return true
	case model.PlaylistUnlisted:
		return ref == ByUUID
	}
	return false
}

// ManagePlaylist reports whether viewer may edit a playlist, its elements,
// or delete it: its owner and the admins (PeerTube's
// UPDATE_ANY_VIDEO_PLAYLIST and REMOVE_ANY_VIDEO_PLAYLIST).
func ManagePlaylist(viewer Viewer, p model.Playlist) bool {
	return viewer.LoggedIn() && ((viewer.AccountID != 0 && viewer.AccountID == p.AccountID) || viewer.Admin())
}

// PlaylistPrivacies are the playlists of an account that viewer sees in
// its listing: all of them for the owner and the admins, else the public
// ones (unlisted and private playlists are never listed to others).
func PlaylistPrivacies(viewer Viewer, ownerAccountID int64) []int {
	if viewer.LoggedIn() && ownerAccountID != 0 && (viewer.AccountID == ownerAccountID || viewer.Admin()) {
		return nil
	}
	return []int{model.PlaylistPublic}
}

// ElementVideo says how a playlist element's video shows to viewer, as
// PeerTube's VideoPlaylistElementType: the video itself when viewer may see
// it, else why not. deleted: the video no longer exists.
func ElementVideo(viewer Viewer, v model.Video, deleted bool) ElementKind {
	switch {
	case deleted:
		return ElementDeleted
	case Video(viewer, v, ByUUID) && (v.Published() || Manage(viewer, v)):
		return ElementRegular
	case v.Privacy == model.PrivacyPrivate || v.Privacy == model.PrivacyInternal:
		return ElementPrivate
	}
	return ElementUnavailable
}

// ElementKind is PeerTube's VideoPlaylistElementType.
type ElementKind int

// PeerTube's numbers.
const (
	ElementRegular     ElementKind = 0
	ElementDeleted     ElementKind = 1
	ElementPrivate     ElementKind = 2
	ElementUnavailable ElementKind = 3
)
