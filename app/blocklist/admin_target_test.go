package blocklist

import (
	"context"
	"errors"
	"testing"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

type fakeDirectory map[string]model.Account

func (d fakeDirectory) Account(_ context.Context, name string) (model.Account, error) {
	if a, ok := d[name]; ok {
		return a, nil
	}
	return model.Account{}, model.ErrNotFound
}

type fakeUsers map[int64]model.User

func (u fakeUsers) UserByID(_ context.Context, id int64) (model.User, error) { return u[id], nil }

type recordingStore struct {
	repo.Blocklist
	blocked []int64
}

func (s *recordingStore) BlockAccount(_ context.Context, owner, accountID int64) error {
	s.blocked = append(s.blocked, accountID)
	return nil
}

// A moderator may block a user's account for the server, not an admin's;
// an admin may block another admin's.
func TestModeratorCannotBlockAnAdmin(t *testing.T) {
	st := &recordingStore{}
	s := &Service{Store: st,
		Directory: fakeDirectory{"boss": {ID: 10, UserID: 1}, "bob": {ID: 20, UserID: 2}, "root2": {ID: 30, UserID: 3}},
		Users:     fakeUsers{1: {ID: 1, Role: model.RoleAdmin}, 2: {ID: 2, Role: model.RoleUser}, 3: {ID: 3, Role: model.RoleAdmin}}}
	mod := visibility.Viewer{UserID: 5, AccountID: 50, IsModerator: true}
	admin := visibility.Viewer{UserID: 1, AccountID: 10, IsAdmin: true}
	ctx := context.Background()
	if err := s.BlockAccount(ctx, mod, Server, "boss"); !errors.Is(err, ErrAdminTarget) {
		t.Errorf("moderator blocks an admin: %v", err)
	}
	if err := s.BlockAccount(ctx, mod, Server, "bob"); err != nil {
		t.Errorf("moderator blocks a user: %v", err)
	}
	if err := s.BlockAccount(ctx, admin, Server, "root2"); err != nil {
		t.Errorf("admin blocks an admin: %v", err)
	}
	if err := s.BlockAccount(ctx, mod, Mine, "boss"); err != nil {
		t.Errorf("moderator mutes an admin for themselves: %v", err)
	}
	if want := []int64{20, 30, 10}; len(st.blocked) != 3 || st.blocked[0] != 20 || st.blocked[1] != 30 || st.blocked[2] != 10 {
		t.Errorf("blocked %v, want %v", st.blocked, want)
	}
}
