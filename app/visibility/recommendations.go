package visibility

import "cabane.dev/cabane/app/model"

// ManageRecommendations reports whether viewer may add to or remove from
// a channel's recommendations: its owner and the admins, and only for a
// channel of this server (a remote channel's list is its origin's).
func ManageRecommendations(viewer Viewer, ch model.Channel) bool {
	if ch.Remote() || ch.ID == 0 {
		return false
	}
	return viewer.Admin() || viewer.LoggedIn() && viewer.AccountID == ch.AccountID
}

// Recommendation reports whether a local video may be recommended (and so
// shown to anyone in a channel's list and federated): public ones only.
func Recommendation(v model.Video) bool { return v.Privacy == model.PrivacyPublic }
