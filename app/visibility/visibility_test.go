package visibility

import (
	"testing"

	"cabane.dev/cabane/app/model"
)

func TestVideoRules(t *testing.T) {
	owner := Viewer{UserID: 1, AccountID: 10}
	other := Viewer{UserID: 2, AccountID: 20}
	admin := Viewer{UserID: 3, AccountID: 30, IsAdmin: true}
	v := func(p int) model.Video {
		return model.Video{Privacy: p, Channel: model.Channel{AccountID: 10}}
	}
	type row struct {
		privacy int
		viewer  Viewer
		ref     Ref
		want    bool
	}
	rows := []row{
		{model.PrivacyPublic, Anonymous(false), ByNumericID, true},
		{model.PrivacyUnlisted, Anonymous(false), ByUUID, true},
		{model.PrivacyUnlisted, Anonymous(false), ByNumericID, false},
		{model.PrivacyUnlisted, owner, ByNumericID, true},
		{model.PrivacyPrivate, Anonymous(true), ByUUID, false},
		{model.PrivacyPrivate, other, ByUUID, false},
		{model.PrivacyPrivate, owner, ByUUID, true},
		{model.PrivacyPrivate, admin, ByNumericID, true},
		{model.PrivacyInternal, Anonymous(true), ByUUID, false},
		{model.PrivacyInternal, other, ByUUID, true},
		{model.PrivacyLocal, Anonymous(false), ByUUID, false},
		{model.PrivacyLocal, Anonymous(true), ByUUID, true},
		{model.PrivacyLocal, owner, ByUUID, true}, // the owner abroad
		{99, other, ByUUID, false},
	}
	for _, r := range rows {
		if got := Video(r.viewer, v(r.privacy), r.ref); got != r.want {
			t.Errorf("privacy %d viewer %+v ref %d: %v, want %v", r.privacy, r.viewer, r.ref, got, r.want)
		}
	}
}

func TestList(t *testing.T) {
	if l := List(Anonymous(false), 0); l.All || len(l.Privacies) != 1 || l.Privacies[0] != model.PrivacyPublic {
		t.Errorf("anonymous abroad: %+v", l)
	}
	if l := List(Anonymous(true), 0); len(l.Privacies) != 2 {
		t.Errorf("anonymous at home: %+v", l)
	}
	owner := Viewer{UserID: 1, AccountID: 10}
	if l := List(owner, 10); !l.All {
		t.Errorf("owner on own channel: %+v", l)
	}
	if l := List(owner, 11); l.All {
		t.Errorf("owner on another channel: %+v", l)
	}
	if l := List(owner, 0); l.All {
		t.Errorf("instance listing must not list private videos: %+v", l)
	}
}

// A disabled download stops viewers, not the owner, the moderators or
// the admins.
func TestDownloadDisabled(t *testing.T) {
	v := model.Video{Meta: model.Meta{DownloadEnabled: false}, Channel: model.Channel{AccountID: 7}}
	for name, c := range map[string]struct {
		viewer Viewer
		want   bool
	}{
		"anonymous": {Viewer{}, false},
		"user":      {Viewer{UserID: 2, AccountID: 8}, false},
		"owner":     {Viewer{UserID: 1, AccountID: 7}, true},
		"moderator": {Viewer{UserID: 3, AccountID: 9, IsModerator: true}, true},
		"admin":     {Viewer{UserID: 4, AccountID: 10, IsAdmin: true}, true},
	} {
		if got := Download(c.viewer, v); got != c.want {
			t.Errorf("%s: %v, want %v", name, got, c.want)
		}
	}
}

// A video file token opens its video's files, but a home-only video's
// files never leave the home network, token or not.
func TestFileTokenKeepsHomeVideosHome(t *testing.T) {
	home := model.Video{UUID: "a", Privacy: model.PrivacyLocal}
	private := model.Video{UUID: "b", Privacy: model.PrivacyPrivate}
	away := Viewer{FilesOf: []string{"a", "b"}}
	if File(away, home) {
		t.Error("a token opened a home-only video's files away from home")
	}
	if !File(away, private) {
		t.Error("a token did not open a private video's files")
	}
	if at := (Viewer{FilesOf: []string{"a"}, Home: true}); !File(at, home) {
		t.Error("a token at home did not open a home-only video's files")
	}
	if File(Viewer{FilesOf: []string{"a"}}, private) {
		t.Error("a token for one video opened another")
	}
}

// Only published public and unlisted videos leave the box; the others
// answer "not found" to a remote server.
func TestFederates(t *testing.T) {
	for p, want := range map[int]bool{model.PrivacyPublic: true, model.PrivacyUnlisted: true, model.PrivacyPrivate: false,
		model.PrivacyInternal: false, model.PrivacyPassword: false, model.PrivacyLocal: false} {
		v := model.Video{Privacy: p, State: model.StatePublished}
		if got := Federates(v); got != want {
			t.Errorf("privacy %d: Federates %v, want %v", p, got, want)
		}
		v.State = model.StateToTranscode
		if Federates(v) {
			t.Errorf("privacy %d: a video still processing federates", p)
		}
	}
	if !PublicAudience(model.Video{Privacy: model.PrivacyPublic}) || PublicAudience(model.Video{Privacy: model.PrivacyUnlisted}) {
		t.Error("audience: public is addressed to Public, unlisted to followers")
	}
	if Remote().LoggedIn() || Remote().Home {
		t.Error("a remote server is neither signed in nor at home")
	}
}

// A remote video is nobody's to edit here, not even an admin's; an admin
// may still remove it (locally), a plain user may not.
func TestEditRefusesRemoteVideos(t *testing.T) {
	local := model.Video{UUID: "l", Privacy: model.PrivacyPublic, Channel: model.Channel{AccountID: 5}}
	remote := model.Video{UUID: "r", Privacy: model.PrivacyPublic, Channel: model.Channel{AccountID: 6, RemoteActorID: 9}}
	owner := Viewer{UserID: 1, AccountID: 5}
	admin := Viewer{UserID: 2, AccountID: 7, IsAdmin: true}
	user := Viewer{UserID: 3, AccountID: 8}
	if !Edit(owner, local) || !Edit(admin, local) || Edit(user, local) {
		t.Errorf("local video: owner %v admin %v user %v", Edit(owner, local), Edit(admin, local), Edit(user, local))
	}
	if Edit(admin, remote) || Edit(Viewer{UserID: 4, AccountID: 6}, remote) {
		t.Errorf("a remote video is editable here")
	}
	if !Manage(admin, remote) || Manage(user, remote) {
		t.Errorf("removal of a remote video: admin %v user %v", Manage(admin, remote), Manage(user, remote))
	}
}
