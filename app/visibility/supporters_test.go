package visibility

import (
	"testing"

	"cabane.dev/cabane/app/model"
)

// The supporter-only rule: the owner, the moderators and the owner's
// active supporters see the video, by any id; nobody else, and it never
// federates. A file token answers for it only while its holder supports.
func TestSupporterOnly(t *testing.T) {
	v := model.Video{UUID: "u1", Privacy: model.PrivacySupporters, State: model.StatePublished, Channel: model.Channel{AccountID: 10}}
	owner := Viewer{UserID: 1, AccountID: 10}
	mod := Viewer{UserID: 2, AccountID: 20, IsModerator: true}
	supporter := Viewer{SupporterOf: []int64{10}} // by link: not logged in
	localSupporter := Viewer{UserID: 3, AccountID: 30, SupporterOf: []int64{10}}
	elsewhere := Viewer{UserID: 4, AccountID: 40, SupporterOf: []int64{11}}
	follower := Viewer{UserID: 5, AccountID: 50}
	for name, c := range map[string]struct {
		v    Viewer
		want bool
	}{
		"owner": {owner, true}, "moderator": {mod, true}, "supporter by link": {supporter, true},
		"local supporter": {localSupporter, true}, "another creator's supporter": {elsewhere, false},
		"follower": {follower, false}, "anonymous": {Anonymous(true), false},
	} {
		for _, ref := range []Ref{ByUUID, ByNumericID} {
			if got := Video(c.v, v, ref); got != c.want {
				t.Errorf("%s, ref %d: %v, want %v", name, ref, got, c.want)
			}
		}
		if got := File(c.v, v); got != c.want {
			t.Errorf("%s, file: %v, want %v", name, got, c.want)
		}
	}
	if Federates(v) || SharedCache(v) {
		t.Error("a supporter-only video federates or is shared-cacheable")
	}
	token := Viewer{FilesOf: []string{"u1"}}
	if File(token, v) {
		t.Error("a file token whose holder no longer supports still opens the files")
	}
	token.HolderSupports = []int64{10}
	if !File(token, v) {
		t.Error("a supporter's file token does not open the files")
	}
	if l := List(supporter, 0); len(l.SupportersOf) != 1 || l.SupportersOf[0] != 10 {
		t.Errorf("instance-wide listing for a supporter: %+v", l)
	}
	if l := List(supporter, 11); len(l.SupportersOf) != 0 {
		t.Errorf("another account's listing for a supporter: %+v", l)
	}
}
