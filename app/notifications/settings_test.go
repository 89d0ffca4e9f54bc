package notifications

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// TestSentKindsAreTheEmittedOnes: the page offers exactly the settings of
// the notifications emit stores, each a PeerTube setting name.
func TestSentKindsAreTheEmittedOnes(t *testing.T) {
	got := Sent()
	if !slices.Equal(got, []string{"newVideoFromSubscription", "newCommentOnMyVideo", "commentMention"}) {
		t.Errorf("Sent() = %v", got)
	}
	for _, k := range got {
		if _, ok := SettingNames[k]; !ok {
			t.Errorf("%s is no PeerTube setting", k)
		}
	}
}

// TestSetWebKeepsTheEmailBit: turning web notifications off and on keeps
// what an app set of the e-mail bit; an unknown or unsent kind is refused
// with nothing stored; the anonymous have no settings.
func TestSetWebKeepsTheEmailBit(t *testing.T) {
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	u, _, err := (&auth.Service{Store: st.Repo()}).CreateUser(ctx, auth.NewUserRequest{Username: "ana", Email: "ana@example.org", Password: "correct horse battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	s := &Service{Store: st.Notifications()}
	me := visibility.Of(&u, false)
	if err := s.SetSettings(ctx, me, map[string]int{"newCommentOnMyVideo": Web | Email}); err != nil {
		t.Fatal(err)
	}
	if err := s.SetWeb(ctx, me, map[string]bool{"newCommentOnMyVideo": false, "newVideoFromSubscription": false}); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Settings(ctx, me)
	if got["newCommentOnMyVideo"] != Email || got["newVideoFromSubscription"] != None || got["commentMention"] != Web {
		t.Errorf("after turning two off: %v", got)
	}
	if err := s.SetWeb(ctx, me, map[string]bool{"newCommentOnMyVideo": true}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Settings(ctx, me); got["newCommentOnMyVideo"] != Web|Email {
		t.Errorf("after turning it on again: %v", got["newCommentOnMyVideo"])
	}
	var fe *FieldError
	for _, k := range []string{"abuseAsModerator", "noSuchKind"} {
		if err := s.SetWeb(ctx, me, map[string]bool{"commentMention": false, k: true}); !errors.As(err, &fe) || fe.Field != k {
			t.Errorf("%s: %v", k, err)
		}
	}
	if got, _ := s.Settings(ctx, me); got["commentMention"] != Web {
		t.Errorf("a refused change was stored: %v", got)
	}
	if err := s.SetWeb(ctx, visibility.Anonymous(true), map[string]bool{"commentMention": false}); !errors.Is(err, ErrLoginRequired) {
		t.Errorf("anonymous: %v", err)
	}
}
