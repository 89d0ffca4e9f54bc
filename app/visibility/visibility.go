// Package visibility answers every "may this viewer see this?" question:
// videos, their files (playlists, segments, thumbnails), channels and
// listings. Pages, the API, HLS serving and later feeds, search and
// ActivityPub all ask here, so a privacy rule changes in one place.
//
// A refusal is always "not found" to the caller: answering 403 would tell a
// stranger that a private video exists.
package visibility

import (
	"slices"

	"cabane.dev/cabane/app/model"
)

// Viewer is who asks: nobody, a local user (maybe an admin), and whether the
// request comes from the box's home network.
type Viewer struct {
	UserID    int64 // 0: anonymous
	AccountID int64
	// IsAdmin is explicit rather than a role number: PeerTube numbers the
	// admin role 0, so a zero-valued role must never mean "admin".
	IsAdmin bool
	// Password is the password a client sent for a password-protected
	// video (PeerTube's x-peertube-video-password header); the videos
	// service checks it against the video's and, when it matches, adds
	// the video to Unlocked. Client is who sent it, for the rate limit on
	// wrong guesses.
	Password, Client string
	// Unlocked are the password-protected videos (UUIDs) this viewer has
	// shown to know a password of: a checked header, or the watch page's
	// signed cookie.
	Unlocked []string
	// FilesOf are the videos (UUIDs) whose files this viewer may fetch by
	// a video file token (PeerTube 6's videoFileToken): a player cannot
	// send the app's Authorization header with each segment request.
	FilesOf []string
	// IsModerator: PeerTube's moderator role, which handles reports and
	// blocks and sees and removes any video or comment.
	IsModerator bool
	Home        bool // on the home network (family-only videos)
	// SupporterOf are the accounts (creators) this viewer actively
	// supports (app/supporters): as a local account, or by the personal
	// link's cookie or token. Filled per request, revocation included.
	SupporterOf []int64
	// HolderSupports are the accounts the holder of this request's video
	// file token supports now: a supporter-only video's files answer to
	// its token only while its holder still supports the creator.
	HolderSupports []int64
}

// Supports reports whether viewer actively supports the account.
func (v Viewer) Supports(accountID int64) bool {
	return accountID != 0 && slices.Contains(v.SupporterOf, accountID)
}

// Anonymous is a viewer who is not logged in.
func Anonymous(home bool) Viewer { return Viewer{Home: home} }

// Of is the viewer a logged-in user is; nil means anonymous.
func Of(u *model.User, home bool) Viewer {
	if u == nil {
		return Anonymous(home)
	}
	return Viewer{UserID: u.ID, AccountID: u.AccountID, IsAdmin: u.IsAdmin(), IsModerator: u.IsModerator(), Home: home}
}

// FeedReader is who a feed, an oEmbed answer or a link preview is made
// for: a reader or aggregator that copies what it gets anywhere, so it sees
// what a stranger outside the home network sees (public videos only), even
// when the request happens to come from a family member's phone.
func FeedReader() Viewer { return Anonymous(false) }

// LoggedIn reports whether the viewer is a local user.
func (v Viewer) LoggedIn() bool { return v.UserID != 0 }

// Admin reports whether the viewer administers the instance.
func (v Viewer) Admin() bool { return v.LoggedIn() && v.IsAdmin }

// Moderates reports whether the viewer moderates the instance: the admins
// and the moderators (PeerTube's MANAGE_ABUSES, REMOVE_ANY_VIDEO, ...).
func (v Viewer) Moderates() bool { return v.Admin() || v.LoggedIn() && v.IsModerator }

// Owns reports whether the viewer's account owns the video.
func (v Viewer) Owns(video model.Video) bool {
	return v.LoggedIn() && v.AccountID != 0 && video.Channel.AccountID == v.AccountID
}

// Ref says how a video was addressed. Unlisted videos answer only to their
// UUID or short UUID, as in PeerTube: a numeric id can be guessed by
// counting.
type Ref int

const (
	ByUUID Ref = iota // UUID or short UUID: unguessable
	ByNumericID
)

// Video reports whether viewer may see video, addressed by ref. The owner
// and the admins always see their own videos, wherever they are: the
// "local network only" promise is about who else may see it.
func Video(viewer Viewer, video model.Video, ref Ref) bool {
	if viewer.Owns(video) || viewer.Moderates() {
		return true
	}
	switch video.Privacy {
	case model.PrivacyPublic:
		return true
	case model.PrivacyUnlisted:
		return ref == ByUUID
	case model.PrivacyInternal:
		return viewer.LoggedIn()
	case model.PrivacyLocal:
		return viewer.Home
	case model.PrivacyPassword:
		// Like unlisted for whoever knows a password (by any id, as
		// PeerTube): the password, not the link, is the secret.
		return slices.Contains(viewer.Unlocked, video.UUID)
	case model.PrivacySupporters:
		// By any id: the supporter, not the link, is the secret.
		return viewer.Supports(video.Channel.AccountID)
	}
	return false // private, and any privacy this code does not know
}

// File reports whether viewer may fetch one of video's files (playlists,
// segments, thumbnails, previews); their URLs carry the UUID.
// A video file token stands for the viewer it was given to, for that
// video's files only.
func File(viewer Viewer, video model.Video) bool {
	// A home-only video's files stay home, whoever minted the token.
	// A supporter-only video's files are asked of the supporter on every
	// request, token or not: a revoked supporter's token dies with them.
	granted := slices.Contains(viewer.FilesOf, video.UUID) && (video.Privacy != model.PrivacyLocal || viewer.Home) &&
		(video.Privacy != model.PrivacySupporters || slices.Contains(viewer.HolderSupports, video.Channel.AccountID))
	return granted || Video(viewer, video, ByUUID)
}

// NeedsPassword reports whether viewer must give one of video's
// passwords to see it: a password-protected video they neither manage nor
// unlocked yet.
func NeedsPassword(viewer Viewer, video model.Video) bool {
	return video.Privacy == model.PrivacyPassword && !Manage(viewer, video) &&
		!slices.Contains(viewer.Unlocked, video.UUID)
}

// Download reports whether viewer, who may fetch video's files (File),
// may also download them as attachments: PeerTube answers 403 when the
// creator turned downloads off. The owner and the moderators (admins
// among them: PeerTube's canManage) still may.
func Download(viewer Viewer, video model.Video) bool {
	return video.DownloadEnabled || viewer.Owns(video) || viewer.Moderates()
}

// SharedCache reports whether a response about video may be kept by shared
// caches (a CDN, a proxy): only when anyone may see it.
func SharedCache(video model.Video) bool {
	return video.Privacy == model.PrivacyPublic || video.Privacy == model.PrivacyUnlisted
}

// Listing is the filter a video listing applies: either everything in its
// scope (the owner's own channel, or an admin), or published videos of the
// given privacies.
type Listing struct {
	All       bool
	Privacies []int
	// HideServerBlocked: the videos of accounts the server blocks are not
	// listed; MutedBy: nor those of the accounts this account mutes (0:
	// none). See Blocked.
	HideServerBlocked bool
	MutedBy           int64
	// SupportersOf: the supporter-only videos of these accounts are
	// listed too (the viewer supports them).
	SupportersOf []int64
}

// List is what viewer sees in a listing. ownerAccountID is the account the
// listing is scoped to (a channel's or account's page), 0 for instance-wide
// listings. Unlisted and private videos are never listed to others.
func List(viewer Viewer, ownerAccountID int64) Listing {
	if ownerAccountID != 0 && viewer.LoggedIn() && (viewer.AccountID == ownerAccountID || viewer.Admin()) {
		return Listing{All: true}
	}
	hide := !viewer.Admin()
	ps := []int{model.PrivacyPublic}
	if viewer.LoggedIn() {
		ps = append(ps, model.PrivacyInternal)
	}
	if viewer.Home {
		ps = append(ps, model.PrivacyLocal)
	}
	var muter int64
	if viewer.LoggedIn() {
		muter = viewer.AccountID
	}
	// The supporter-only videos of the accounts the viewer supports (their
	// own, as their private ones, on their channel's and account's pages:
	// All). Instance-wide listings of viewers who support nobody stay
	// shared (listingClass).
	var sup []int64
	for _, a := range viewer.SupporterOf {
		if ownerAccountID == 0 || a == ownerAccountID {
			sup = append(sup, a)
		}
	}
	return Listing{Privacies: ps, HideServerBlocked: hide, MutedBy: muter, SupportersOf: sup}
}

// Blocks is what the blocklists say of one account, for one viewer: the
// server blocks it (the admin's decision), the viewer mutes it.
type Blocks struct{ Server, Muted bool }

// Blocked reports whether viewer must not see what an account with these
// blocks published (videos, comments): an account the server blocks is
// hidden from everyone but the admins (who must still see it to moderate);
// one a user mutes, from that user only. Listings apply the same rule
// through Listing's HideServerBlocked and MutedBy.
func Blocked(viewer Viewer, b Blocks) bool {
	if b.Server && !viewer.Admin() {
		return true
	}
	return b.Muted
}

// Channel reports whether viewer may see a channel: channels are public
// actors (their videos are filtered one by one).
func Channel(Viewer, model.Channel) bool { return true }

// Manage reports whether viewer may edit or delete video: its owner, the
// admins and the moderators, as PeerTube (UserRight.UPDATE_ANY_VIDEO and
// REMOVE_ANY_VIDEO are both roles').
func Manage(viewer Viewer, video model.Video) bool {
	return viewer.Owns(video) || viewer.Moderates()
}

// Edit reports whether viewer may change video: its name, description,
// privacy, thumbnail, captions, chapters, passwords, files. A remote
// video (its channel lives on another server) is its origin's: nobody
// here edits it, admins included, or the next Update from the origin
// would silently undo the change and our copy would lie meanwhile.
// Removing one here stays possible (Manage): a local-only removal.
func Edit(viewer Viewer, video model.Video) bool {
	return !video.Channel.Remote() && Manage(viewer, video)
}
