// Package supporters keeps each creator's supporters (#11): local
// accounts, remote fediverse actors and people known by name only, each
// with a personal, revocable link. What a supporter may see is
// app/visibility's rule (PrivacySupporters, Viewer.SupporterOf); this
// package says who supports whom, answers fast enough to be asked on every
// request (HLS segments included), and turns early-access videos public at
// their date.
package supporters

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"cabane.dev/cabane/app/model"
	"cabane.dev/cabane/app/store"
	"cabane.dev/cabane/app/visibility"
)

// Errors the pages show.
var (
	ErrBadName    = errors.New("supporter: a name is needed (1 to 100 characters)")
	ErrNoAccount  = errors.New("supporter: no such local account")
	ErrBadHandle  = errors.New("supporter: no such remote account")
	ErrDuplicate  = errors.New("supporter: already a supporter")
	ErrNotAllowed = errors.New("supporter: only a local account keeps supporters")
)

// CacheFor bounds how long an answer about a link or an account is reused:
// revoking clears it at once in this process anyway.
const CacheFor = 2 * time.Second

// keySetting names the instance's secret the links' tokens are made from.
const keySetting = "supporters.key"

// Resolver turns a handle into a remote actor (following.Service with the
// inbox's signed fetcher): WebFinger, then the actor document.
type Resolver interface {
	ResolveActor(ctx context.Context, uri string) (string, error)
	Actor(ctx context.Context, iri string) (model.RemoteActor, error)
}

// Federator hears of the early-access videos turned public, inside the
// write's transaction (outbox.Service.VideoChanged).
type Federator interface {
	VideoChanged(ctx context.Context, tx *sql.Tx, before, after model.Video) error
}

// Service keeps the supporters.
type Service struct {
	Store    *store.Store
	Resolver Resolver  // nil: remote supporters cannot be added
	Federate Federator // nil: nothing federates
	Log      *slog.Logger
	Now      func() time.Time // nil: time.Now

	keyOnce sync.Mutex
	key     []byte

	mu     sync.Mutex
	tokens map[string]cached // token hash → owner (0: none)
	locals map[int64]cachedList
}

type cached struct {
	owner int64
	until time.Time
}

type cachedList struct {
	owners []int64
	until  time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) log() *slog.Logger {
	if s.Log == nil {
		return slog.Default()
	}
	return s.Log
}

// secret is the instance's key for tokens, made on first use and kept in
// the settings, so links survive restarts.
func (s *Service) secret(ctx context.Context) ([]byte, error) {
	s.keyOnce.Lock()
	defer s.keyOnce.Unlock()
	if s.key != nil {
		return s.key, nil
	}
	v, err := s.Store.Settings.Get(ctx, keySetting)
	if err != nil {
		return nil, fmt.Errorf("supporters key: %w", err)
	}
	k, _ := base64.RawURLEncoding.DecodeString(v)
	if len(k) < 32 {
		k = make([]byte, 32)
		rand.Read(k)
		if err := s.Store.Settings.Set(ctx, keySetting, base64.RawURLEncoding.EncodeToString(k)); err != nil {
			return nil, fmt.Errorf("supporters key: %w", err)
		}
	}
	s.key = k
	return k, nil
}

// Token is a supporter's link token: the instance key's MAC of their nonce.
func (s *Service) Token(ctx context.Context, sp model.Supporter) (string, error) {
	k, err := s.secret(ctx)
	if err != nil {
		return "", err
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte("supporter|" + sp.Nonce))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// Entry is a supporter with their link's token (for the creator's page).
type Entry struct {
	model.Supporter
	Token string
}

// List is the viewer's supporters, revoked ones included.
func (s *Service) List(ctx context.Context, viewer visibility.Viewer) ([]Entry, error) {
	if !viewer.LoggedIn() || viewer.AccountID == 0 {
		return nil, ErrNotAllowed
	}
	sps, err := s.Store.Supporters().List(ctx, viewer.AccountID)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(sps))
	for _, sp := range sps {
		tok, err := s.Token(ctx, sp)
		if err != nil {
			return nil, err
		}
		out = append(out, Entry{Supporter: sp, Token: tok})
	}
	return out, nil
}

// AddRequest names a new supporter: Kind says how Who is read (a local
// username, a remote handle or URL, a name).
type AddRequest struct {
	Kind string
	Who  string
}

// Add makes someone a supporter of the viewer's account.
func (s *Service) Add(ctx context.Context, viewer visibility.Viewer, r AddRequest) (Entry, error) {
	if !viewer.LoggedIn() || viewer.AccountID == 0 {
		return Entry{}, ErrNotAllowed
	}
	who := strings.TrimSpace(r.Who)
	if who == "" || len([]rune(who)) > 100 {
		return Entry{}, ErrBadName
	}
	sp := model.Supporter{AccountID: viewer.AccountID, Kind: r.Kind, Name: who}
	switch r.Kind {
	case model.SupporterLocal:
		a, err := s.Store.Accounts.AccountByName(ctx, strings.TrimPrefix(who, "@"))
		if err != nil || a.Remote() || a.ID == viewer.AccountID {
			return Entry{}, ErrNoAccount
		}
		sp.LocalAccountID, sp.Name = a.ID, a.Name
	case model.SupporterRemote:
		if s.Resolver == nil {
			return Entry{}, ErrBadHandle
		}
		iri, err := s.Resolver.ResolveActor(ctx, who)
		if err != nil {
			return Entry{}, fmt.Errorf("%w: %w", ErrBadHandle, err)
		}
		act, err := s.Resolver.Actor(ctx, iri)
		if err != nil || act.Inbox == "" {
			return Entry{}, fmt.Errorf("%w: %v", ErrBadHandle, err)
		}
		sp.ActorIRI, sp.Inbox = act.IRI, act.Inbox
		if act.PreferredUsername != "" && act.Host != "" {
			sp.Name = act.PreferredUsername + "@" + act.Host
		}
	case model.SupporterNamed:
	default:
		return Entry{}, ErrBadName
	}
	existing, err := s.Store.Supporters().List(ctx, viewer.AccountID)
	if err != nil {
		return Entry{}, err
	}
	for _, e := range existing {
		if e.Active() && e.Kind == sp.Kind && e.Kind != model.SupporterNamed &&
			(e.LocalAccountID == sp.LocalAccountID && sp.LocalAccountID != 0 || e.ActorIRI == sp.ActorIRI && sp.ActorIRI != "") {
			return Entry{}, ErrDuplicate
		}
	}
	n := make([]byte, 16)
	rand.Read(n)
	sp.Nonce = base64.RawURLEncoding.EncodeToString(n)
	tok, err := s.Token(ctx, sp)
	if err != nil {
		return Entry{}, err
	}
	if err := s.Store.Supporters().Add(ctx, &sp, hashToken(tok)); err != nil {
		return Entry{}, err
	}
	s.forget()
	s.log().Info("supporter added", "account", viewer.AccountID, "supporter", sp.ID, "kind", sp.Kind)
	return Entry{Supporter: sp, Token: tok}, nil
}

// Revoke ends a supporter's access at once: their link, their account's
// access and the file tokens they hold (asked again on every request).
func (s *Service) Revoke(ctx context.Context, viewer visibility.Viewer, id int64) error {
	if !viewer.LoggedIn() || viewer.AccountID == 0 {
		return ErrNotAllowed
	}
	if err := s.Store.Supporters().Revoke(ctx, viewer.AccountID, id); err != nil {
		return fmt.Errorf("revoke supporter %d: %w", id, err)
	}
	s.forget()
	s.log().Info("supporter revoked", "account", viewer.AccountID, "supporter", id)
	return nil
}

func (s *Service) forget() {
	s.mu.Lock()
	s.tokens, s.locals = nil, nil
	s.mu.Unlock()
}

// ByToken is the account whose active supporter holds this link's token
// (0: none, or revoked).
func (s *Service) ByToken(ctx context.Context, tok string) (int64, error) {
	if tok == "" || len(tok) > 100 {
		return 0, nil
	}
	h := hashToken(tok)
	now := s.now()
	s.mu.Lock()
	if c, ok := s.tokens[h]; ok && now.Before(c.until) {
		s.mu.Unlock()
		return c.owner, nil
	}
	s.mu.Unlock()
	sp, err := s.Store.Supporters().ByTokenHash(ctx, h)
	if err != nil && !errors.Is(err, model.ErrNotFound) {
		return 0, err
	}
	s.mu.Lock()
	if s.tokens == nil || len(s.tokens) > 10_000 {
		s.tokens = map[string]cached{}
	}
	s.tokens[h] = cached{owner: sp.AccountID, until: now.Add(CacheFor)}
	s.mu.Unlock()
	return sp.AccountID, nil
}

// SupportedBy are the accounts a local account actively supports.
func (s *Service) SupportedBy(ctx context.Context, accountID int64) ([]int64, error) {
	if accountID == 0 {
		return nil, nil
	}
	now := s.now()
	s.mu.Lock()
	if c, ok := s.locals[accountID]; ok && now.Before(c.until) {
		s.mu.Unlock()
		return c.owners, nil
	}
	s.mu.Unlock()
	owners, err := s.Store.Supporters().SupportedBy(ctx, accountID)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	if s.locals == nil || len(s.locals) > 10_000 {
		s.locals = map[int64]cachedList{}
	}
	s.locals[accountID] = cachedList{owners: owners, until: now.Add(CacheFor)}
	s.mu.Unlock()
	return owners, nil
}

// Unnoted are the account's active remote supporters who have not been
// sent the direct Note of a video yet (outbox.SupporterNotes).
func (s *Service) Unnoted(ctx context.Context, accountID, videoID int64) ([]model.Supporter, error) {
	return s.Store.Supporters().Unnoted(ctx, accountID, videoID)
}

// LocalUnnoted are the account's active local supporters not yet told
// of a video (notifications.SupporterNotices).
func (s *Service) LocalUnnoted(ctx context.Context, accountID, videoID int64) ([]model.LocalSupporter, error) {
	return s.Store.Supporters().LocalUnnoted(ctx, accountID, videoID)
}

// MarkNoted records that a supporter was sent a video's direct Note.
func (s *Service) MarkNoted(ctx context.Context, videoID, supporterID int64) error {
	_, err := s.Store.Supporters().MarkNoted(ctx, videoID, supporterID)
	return err
}
