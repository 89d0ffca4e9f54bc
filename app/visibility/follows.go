package visibility

// ManageFollowers reports whether viewer may see and decide on the remote
// followers of a local account or channel owned by ownerAccountID: its
// owner and the admins. The server actor's followers (instance follows)
// are the admins' alone (PeerTube's MANAGE_SERVER_FOLLOW): ownerAccountID
// 0.
func ManageFollowers(viewer Viewer, ownerAccountID int64) bool {
	if viewer.Admin() {
		return true
	}
	return ownerAccountID != 0 && viewer.LoggedIn() && viewer.AccountID == ownerAccountID
}

// ListServerFollowing reports whether viewer may list what the server
// actor follows: anyone, as PeerTube lists it (instances, not people's
// choices; other servers and apps read it). Following and unfollowing are
// the admins'.
func ListServerFollowing(Viewer) bool { return true }
