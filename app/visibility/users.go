package visibility

import "cabane.dev/cabane/app/model"

// User management, as PeerTube's MANAGE_USERS right and its
// ensureCanModerateUser have it: admins and moderators see the users;
// an admin changes anyone, a moderator only the users whose role is User
// (never an admin, never another moderator); nobody acts on themselves
// through these forms (users.Service refuses it by name).

// ListUsers reports whether the viewer may see the instance's users, their
// e-mail addresses and bans.
func ListUsers(viewer Viewer) bool { return viewer.Moderates() }

// ManageUser reports whether the viewer may ban, unban or change the
// quotas of a user whose role is targetRole.
func ManageUser(viewer Viewer, targetRole int) bool {
	return viewer.Admin() || viewer.Moderates() && targetRole == model.RoleUser
}

// GrantRole reports whether the viewer may give a user the role: any for
// an admin; a moderator only User, so that no one ends up with a role
// above (or beside) their own by a moderator's hand.
func GrantRole(viewer Viewer, role int) bool {
	return viewer.Admin() || viewer.Moderates() && role == model.RoleUser
}

// AdministerUsers reports whether the viewer may create and delete users:
// administrators only (Cabane keeps deletion, which removes videos, with
// them).
func AdministerUsers(viewer Viewer) bool { return viewer.Admin() }

// ManageUserData reports whether the viewer may export userID's data or
// import an archive into their account, and follow those exports and
// imports (PeerTube's MANAGE_USER_EXPORTS and MANAGE_USER_IMPORTS
// rights): the user themselves, or an administrator. Moderators may not:
// an archive holds (or brings) everything the account has.
func ManageUserData(viewer Viewer, userID int64) bool {
	return viewer.Admin() || viewer.LoggedIn() && viewer.UserID == userID
}
