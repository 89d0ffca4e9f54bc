package visibility

import (
	"testing"

	"cabane.dev/cabane/app/model"
)

func TestManageRecommendations(t *testing.T) {
	ch := model.Channel{ID: 3, AccountID: 7}
	remote := model.Channel{ID: 4, AccountID: 8, RemoteActorID: 2}
	owner := Viewer{UserID: 1, AccountID: 7}
	admin := Viewer{UserID: 2, AccountID: 9, IsAdmin: true}
	for _, c := range []struct {
		name string
		v    Viewer
		ch   model.Channel
		want bool
	}{
		{"owner", owner, ch, true},
		{"admin", admin, ch, true},
		{"another user", Viewer{UserID: 5, AccountID: 6}, ch, false},
		{"anonymous with the account id", Viewer{AccountID: 7}, ch, false},
		{"admin, remote channel", admin, remote, false},
		{"owner of no channel", owner, model.Channel{}, false},
	} {
		if got := ManageRecommendations(c.v, c.ch); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
	if Recommendation(model.Video{Privacy: model.PrivacyUnlisted}) || !Recommendation(model.Video{Privacy: model.PrivacyPublic}) {
		t.Error("only public videos are recommended")
	}
}
