package auth

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/repo"
)

// Service creates users and checks their credentials.
type Service struct {
	Store repo.Store
	// Hashing bounds concurrent password hashes (app sizes it with
	// HashSlots from the board); nil means a gate sized from the cores alone,
	// made on first use.
	Hashing *Gate

	gateOnce sync.Once
}

func (s *Service) gate() *Gate {
	s.gateOnce.Do(func() {
		if s.Hashing == nil {
			s.Hashing = NewGate(HashSlots(runtime.NumCPU(), 0))
		}
	})
	return s.Hashing
}

// hash and check run the argon2 work through the gate.
func (s *Service) hash(ctx context.Context, password string) (hash string, err error) {
	if gerr := s.gate().Do(ctx, func() { hash, err = HashPassword(password) }); gerr != nil {
		return "", gerr
	}
	return hash, err
}

func (s *Service) check(ctx context.Context, hash, password string) (err error) {
	if gerr := s.gate().Do(ctx, func() { err = CheckPassword(hash, password) }); gerr != nil {
		return gerr
	}
	return err
}

// ErrTaken is CreateUser's answer when the user name, e-mail address or
// channel name is in use.
var ErrTaken = errors.New("the user name, e-mail address or channel name is already taken")

// NewUserRequest is what setup, the admin CLI and the API give.
type NewUserRequest struct {
	Username, Email, Password string
	Admin                     bool
	ChannelName               string // default: <username>_channel, as PeerTube names it
	ChannelDisplayName        string
}

// CreateUser validates and creates a user with its account and default channel.
func (s *Service) CreateUser(ctx context.Context, r NewUserRequest) (model.User, model.Channel, error) {
	if r.ChannelName == "" {
		r.ChannelName = r.Username + "_channel"
	}
	if err := errors.Join(ValidName("user", r.Username), ValidEmail(r.Email), ValidPassword(r.Password), ValidName("channel", r.ChannelName)); err != nil {
		return model.User{}, model.Channel{}, err
	}
	hash, err := s.hash(ctx, r.Password)
	if err != nil {
		return model.User{}, model.Channel{}, err
	}
	role := model.RoleUser
	if r.Admin {
		role = model.RoleAdmin
	}
	u, ch, err := s.Store.Accounts.CreateUser(ctx, repo.NewUser{Username: r.Username, Email: r.Email, PasswordHash: hash, Role: role,
		ChannelName: r.ChannelName, ChannelDisplay: r.ChannelDisplayName})
	if errors.Is(err, model.ErrConflict) {
		return u, ch, ErrTaken
	}
	return u, ch, err
}

// Login checks a user name (or e-mail) and password.
func (s *Service) Login(ctx context.Context, login, password string) (model.User, error) {
	u, err := s.Store.Accounts.UserByLogin(ctx, login)
	if errors.Is(err, model.ErrNotFound) {
		// Spend the same time as a real check so timing does not reveal
		// which user names exist.
		// The first call also makes the dummy hash: inside the gate too.
		if err := s.gate().Do(ctx, func() { _ = CheckPassword(dummyHash(), password) }); err != nil {
			return u, err // the wait was cut short
		}
		return u, ErrBadPassword
	}
	if err != nil {
		return u, err
	}
	if err := s.check(ctx, u.PasswordHash, password); err != nil {
		if ctx.Err() != nil {
			return u, err
		}
		return u, ErrBadPassword
	}
	// Only once the password matched: a banned account's existence is
	// told to whoever knows its password, nobody else.
	if u.Blocked {
		return model.User{}, ErrBlocked
	}
	return u, nil
}

// ErrBlocked refuses a banned user's login. It is a kind of bad
// credentials, so every login form and grant refuses it.
var ErrBlocked = fmt.Errorf("%w: the account is banned", ErrBadPassword)

// ActiveUser is the user with this id, unless they are banned or gone
// (model.ErrNotFound): what stands behind a grant they were given, such
// as a video file token.
func (s *Service) ActiveUser(ctx context.Context, id int64) (model.User, error) {
	return active(s.Store.Accounts.UserByID(ctx, id))
}

// active refuses a banned user's session or token: a ban also deletes
// them, and this holds should one be made in a race with the ban.
func active(u model.User, err error) (model.User, error) {
	if err == nil && u.Blocked {
		return model.User{}, model.ErrNotFound
	}
	return u, err
}

// dummyHash is computed on first use so commands that never log anyone in
// don't pay for it.
var dummyHash = sync.OnceValue(func() string {
	h, _ := HashPassword("not a real password")
	return h
})

// SessionTTL is how long a browser session lasts.
const SessionTTL = 30 * 24 * time.Hour

// StartSession creates a session and returns its cookie value.
func (s *Service) StartSession(ctx context.Context, userID int64) (string, error) {
	tok, hash := NewToken()
	if err := s.Store.Sessions.CreateSession(ctx, hash, userID, time.Now().Add(SessionTTL)); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return tok, nil
}

// SessionUser resolves a session cookie.
func (s *Service) SessionUser(ctx context.Context, token string) (model.User, error) {
	return active(s.Store.Sessions.SessionUser(ctx, HashToken(token)))
}

// EndSession logs out.
func (s *Service) EndSession(ctx context.Context, token string) error {
	return s.Store.Sessions.DeleteSession(ctx, HashToken(token))
}

// HasAdmin reports whether the first-run setup is done.
func (s *Service) HasAdmin(ctx context.Context) (bool, error) { return s.Store.Accounts.HasAdmin(ctx) }

// ChangePassword replaces a user's password once their current one checks
// out (through the same bounded hashing as a login, so a settings page
// cannot be used to grind passwords faster than /login).
func (s *Service) ChangePassword(ctx context.Context, userID int64, current, next, session string) error {
	u, err := s.Store.Accounts.UserByID(ctx, userID)
	if err != nil {
		return fmt.Errorf("user %d: %w", userID, err)
	}
	if err := s.check(ctx, u.PasswordHash, current); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return ErrBadPassword
	}
	if err := ValidPassword(next); err != nil {
		return err
	}
	hash, err := s.hash(ctx, next)
	if err != nil {
		return err
	}
	var keep []byte
	if session != "" {
		keep = HashToken(session)
	}
	if err := s.Store.Accounts.SetPassword(ctx, userID, hash, keep); err != nil {
		return fmt.Errorf("set the password of user %d: %w", userID, err)
	}
	return nil
}
