package visibility

import "cabane.dev/cabane/app/model"

// EditSupport reports whether viewer may change how people support a
// channel (its support text and funding links): its owner, as PeerTube
// lets only a channel's owner update it. A remote channel is its origin's.
func EditSupport(viewer Viewer, ch model.Channel) bool {
	return !ch.Remote() && viewer.LoggedIn() && viewer.AccountID == ch.AccountID
}
