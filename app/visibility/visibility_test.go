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
