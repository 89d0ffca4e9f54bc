package visibility

import "testing"

func TestManageFollowers(t *testing.T) {
	owner := Viewer{UserID: 2, AccountID: 20}
	other := Viewer{UserID: 3, AccountID: 30}
	admin := Viewer{UserID: 1, AccountID: 10, IsAdmin: true}
	mod := Viewer{UserID: 4, AccountID: 40, IsModerator: true}
	cases := []struct {
		name  string
		v     Viewer
		owner int64
		want  bool
	}{
		{"owner", owner, 20, true},
		{"someone else", other, 20, false},
		{"anonymous", Anonymous(true), 20, false},
		{"admin", admin, 20, true},
		{"moderator is not the owner", mod, 20, false},
		{"server followers: admin", admin, 0, true},
		{"server followers: moderator", mod, 0, false},
		{"server followers: account 0 viewer", Viewer{UserID: 5}, 0, false},
	}
	for _, c := range cases {
		if got := ManageFollowers(c.v, c.owner); got != c.want {
			t.Errorf("%s: ManageFollowers = %v, want %v", c.name, got, c.want)
		}
	}
}
