package visibility

import (
	"testing"

	"cabane.dev/cabane/app/model"
)

// TestUserManagementRules: who may list, manage, promote and delete users.
func TestUserManagementRules(t *testing.T) {
	admin := Viewer{UserID: 1, IsAdmin: true}
	mod := Viewer{UserID: 2, IsModerator: true}
	user := Viewer{UserID: 3}
	anon := Anonymous(true)
	forged := Viewer{IsAdmin: true} // not logged in: no rights whatever the flag
	for _, r := range []struct {
		name string
		got  bool
		want bool
	}{
		{"admin lists", ListUsers(admin), true},
		{"moderator lists", ListUsers(mod), true},
		{"user lists", ListUsers(user), false},
		{"anonymous lists", ListUsers(anon), false},
		{"forged admin lists", ListUsers(forged), false},
		{"admin manages an admin", ManageUser(admin, model.RoleAdmin), true},
		{"moderator manages a user", ManageUser(mod, model.RoleUser), true},
		{"moderator manages a moderator", ManageUser(mod, model.RoleModerator), false},
		{"moderator manages an admin", ManageUser(mod, model.RoleAdmin), false},
		{"user manages a user", ManageUser(user, model.RoleUser), false},
		{"admin grants admin", GrantRole(admin, model.RoleAdmin), true},
		{"moderator grants user", GrantRole(mod, model.RoleUser), true},
		{"moderator grants moderator", GrantRole(mod, model.RoleModerator), false},
		{"moderator grants admin", GrantRole(mod, model.RoleAdmin), false},
		{"admin deletes", AdministerUsers(admin), true},
		{"moderator deletes", AdministerUsers(mod), false},
		{"user exports their data", ManageUserData(user, 3), true},
		{"user exports another's data", ManageUserData(user, 1), false},
		{"admin exports another's data", ManageUserData(admin, 3), true},
		{"moderator exports another's data", ManageUserData(mod, 3), false},
		{"anonymous exports user 0's data", ManageUserData(anon, 0), false},
		{"forged admin exports a user's data", ManageUserData(forged, 3), false},
	} {
		if r.got != r.want {
			t.Errorf("%s: %v, want %v", r.name, r.got, r.want)
		}
	}
}
