package users

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"cabane.dev/cabane/app/auth"
	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// quotas records SetQuota; deletion is not exercised here.
type quotas struct{ set map[int64]int64 }

func (q *quotas) Delete(context.Context, visibility.Viewer, string) error { return nil }
func (q *quotas) SetQuota(_ context.Context, id int64, quota, _ *int64) error {
	if quota != nil {
		q.set[id] = *quota
	}
	return nil
}

type fixture struct {
	svc                     *Service
	q                       *quotas
	admin, mod, mod2, alice model.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "cabane.db"), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	au := &auth.Service{Store: st.Repo()}
	f := &fixture{q: &quotas{set: map[int64]int64{}}}
	f.svc = &Service{Store: st.Users(), Auth: au, Videos: f.q, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mk := func(name string, role int) model.User {
		u, _, err := au.CreateUser(ctx, auth.NewUserRequest{Username: name, Email: name + "@example.org",
			Password: "correct horse battery staple", Admin: role == model.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		if role == model.RoleModerator {
			if err := st.Users().SetRole(ctx, u.ID, role); err != nil {
				t.Fatal(err)
			}
		}
		u.Role = role
		return u
	}
	f.admin, f.mod, f.mod2, f.alice = mk("boss", model.RoleAdmin), mk("mod", model.RoleModerator), mk("mod2", model.RoleModerator), mk("alice", model.RoleUser)
	return f
}

func viewerOf(u model.User) visibility.Viewer { return visibility.Of(&u, false) }

// TestModeratorsManageUsersOnly: a moderator lists everyone, bans,
// unbans and sets the quotas of Users, and is refused every action on an
// admin or another moderator, every promotion, creation and deletion,
// with nothing stored.
func TestModeratorsManageUsersOnly(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	mod := viewerOf(f.mod)
	if _, total, err := f.svc.List(ctx, mod, repo.UserQuery{}); err != nil || total != 4 {
		t.Fatalf("moderator lists: %d %v", total, err)
	}
	if _, err := f.svc.Get(ctx, mod, f.admin.ID); err != nil {
		t.Errorf("moderator reads an admin: %v", err)
	}
	if err := f.svc.Ban(ctx, mod, f.alice.ID, "spam"); err != nil {
		t.Fatalf("moderator bans a user: %v", err)
	}
	if err := f.svc.Unban(ctx, mod, f.alice.ID); err != nil {
		t.Fatalf("moderator unbans a user: %v", err)
	}
	q := int64(5 << 20)
	if err := f.svc.Update(ctx, mod, f.alice.ID, Change{VideoQuota: &q}); err != nil || f.q.set[f.alice.ID] != q {
		t.Fatalf("moderator sets a user's quota: %v %v", err, f.q.set)
	}
	user := model.RoleUser
	if err := f.svc.Update(ctx, mod, f.alice.ID, Change{Role: &user}); err != nil {
		t.Errorf("moderator keeps a user a user: %v", err)
	}
	modRole, adminRole := model.RoleModerator, model.RoleAdmin
	denied := map[string]error{
		"ban an admin":             f.svc.Ban(ctx, mod, f.admin.ID, ""),
		"ban a moderator":          f.svc.Ban(ctx, mod, f.mod2.ID, ""),
		"unban a moderator":        f.svc.Unban(ctx, mod, f.mod2.ID),
		"quota of an admin":        f.svc.Update(ctx, mod, f.admin.ID, Change{VideoQuota: &q}),
		"quota of a moderator":     f.svc.Update(ctx, mod, f.mod2.ID, Change{VideoQuota: &q}),
		"own quota":                f.svc.Update(ctx, mod, f.mod.ID, Change{VideoQuota: &q}),
		"promote to moderator":     f.svc.Update(ctx, mod, f.alice.ID, Change{Role: &modRole}),
		"promote to admin":         f.svc.Update(ctx, mod, f.alice.ID, Change{Role: &adminRole}),
		"demote another moderator": f.svc.Update(ctx, mod, f.mod2.ID, Change{Role: &user}),
		"delete a user":            f.svc.Delete(ctx, mod, f.alice.ID),
	}
	_, err := f.svc.Create(ctx, mod, NewUser{Username: "eve", Email: "eve@example.org", Password: "correct horse battery staple", Role: model.RoleUser})
	denied["create a user"] = err
	for what, err := range denied {
		if !errors.Is(err, ErrForbidden) {
			t.Errorf("moderator may %s: %v", what, err)
		}
	}
	for _, u := range []model.User{f.admin, f.mod2, f.alice} {
		row, err := f.svc.Get(ctx, viewerOf(f.admin), u.ID)
		if err != nil || row.Blocked || row.Role != u.Role {
			t.Errorf("%s after the refusals: %+v %v", u.Username, row.User, err)
		}
		if u.ID != f.alice.ID && f.q.set[u.ID] != 0 {
			t.Errorf("quota of %s set by a refused change", u.Username)
		}
	}
	if _, err := f.svc.Get(ctx, viewerOf(f.admin), 999); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}
	if err := f.svc.Ban(ctx, mod, 999, ""); !errors.Is(err, model.ErrNotFound) {
		t.Errorf("ban of an unknown user: %v", err)
	}
	plain := viewerOf(f.alice)
	if _, _, err := f.svc.List(ctx, plain, repo.UserQuery{}); !errors.Is(err, ErrForbidden) {
		t.Errorf("a user lists users: %v", err)
	}
	if _, err := f.svc.Get(ctx, plain, f.mod.ID); !errors.Is(err, ErrForbidden) {
		t.Errorf("a user reads a user: %v", err)
	}
}

// TestAdminsManageEveryone: an admin promotes, bans and changes anyone
// but cannot ban themselves.
func TestAdminsManageEveryone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := viewerOf(f.admin)
	modRole := model.RoleModerator
	if err := f.svc.Update(ctx, admin, f.alice.ID, Change{Role: &modRole}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Ban(ctx, admin, f.mod2.ID, "gone"); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Ban(ctx, admin, f.admin.ID, ""); err == nil {
		t.Error("an admin banned themselves")
	}
	row, err := f.svc.Get(ctx, admin, f.alice.ID)
	if err != nil || row.Role != model.RoleModerator || row.Account.Name != "alice" || row.Account.ID != f.alice.AccountID {
		t.Errorf("alice: %+v %v", row, err)
	}
}

// TestListFiltersAndSorts: PeerTube's blocked filter and sorts; an
// unknown sort is the caller's error.
func TestListFiltersAndSorts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	admin := viewerOf(f.admin)
	if err := f.svc.Ban(ctx, admin, f.alice.ID, "spam"); err != nil {
		t.Fatal(err)
	}
	names := func(q repo.UserQuery) ([]string, int) {
		t.Helper()
		rows, total, err := f.svc.List(ctx, admin, q)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Username)
		}
		return out, total
	}
	yes, no := true, false
	if got, total := names(repo.UserQuery{Blocked: &yes}); len(got) != 1 || got[0] != "alice" || total != 1 {
		t.Errorf("blocked: %v %d", got, total)
	}
	if got, total := names(repo.UserQuery{Blocked: &no, Sort: "username"}); total != 3 || len(got) != 3 || got[0] != "boss" || got[2] != "mod2" {
		t.Errorf("unblocked by name: %v %d", got, total)
	}
	if got, _ := names(repo.UserQuery{Sort: "-username", Count: 2}); len(got) != 2 || got[0] != "mod2" || got[1] != "mod" {
		t.Errorf("by name, descending, two: %v", got)
	}
	if got, total := names(repo.UserQuery{Search: "mod", Blocked: &no}); total != 2 || len(got) != 2 {
		t.Errorf("search and filter: %v %d", got, total)
	}
	var fe *FieldError
	if _, _, err := f.svc.List(ctx, admin, repo.UserQuery{Sort: "password"}); !errors.As(err, &fe) || fe.Field != "sort" {
		t.Errorf("unknown sort: %v", err)
	}
}
