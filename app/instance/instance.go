// Package instance is the domain service for what the admin says about the
// instance: its name, short and long descriptions, terms, the texts of
// PeerTube's about page (code of conduct, who runs it and why, ...), and the
// default video quotas of new users (and of every user the admin did not set
// by hand). The /about page, the admin's instance page and PeerTube's
// /api/v1/config, /config/about and /config/custom all read and write it
// here.
package instance

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"cabane.dev/cabane/app/repo"
	"cabane.dev/cabane/app/visibility"
)

// settingsKey holds the About, as JSON, in the settings table: one row,
// written whole, so a save never lands half-way.
const settingsKey = "instance.about"

// ErrForbidden refuses a change by anyone but an administrator.
var ErrForbidden = errors.New("only administrators may change the instance's settings")

// FieldError is a field the admin must correct.
type FieldError struct{ Field, Msg string }

func (e *FieldError) Error() string { return e.Field + ": " + e.Msg }

// About is the instance as its admin describes it. Descriptions and terms
// are Markdown (app/markup renders them). Quotas are bytes, -1 unlimited,
// as PeerTube's.
type About struct {
	Name             string `json:"name"`
	ShortDescription string `json:"shortDescription"`
	Description      string `json:"description"`
	Terms            string `json:"terms"`
	VideoQuota       int64  `json:"videoQuota"`
	VideoQuotaDaily  int64  `json:"videoQuotaDaily"`
	Texts
}

// Texts are the about page's other texts, PeerTube's instance fields of
// the same names (Markdown, each optional).
type Texts struct {
	CodeOfConduct         string `json:"codeOfConduct,omitempty"`
	CreationReason        string `json:"creationReason,omitempty"`
	ModerationInformation string `json:"moderationInformation,omitempty"`
	Administrator         string `json:"administrator,omitempty"`
	MaintenanceLifetime   string `json:"maintenanceLifetime,omitempty"`
	BusinessModel         string `json:"businessModel,omitempty"`
	HardwareInformation   string `json:"hardwareInformation,omitempty"`
}

// Fields are the texts with their PeerTube names, in the about page's
// order.
func (t Texts) Fields() []Field {
	return []Field{{"creationReason", t.CreationReason}, {"administrator", t.Administrator},
		{"codeOfConduct", t.CodeOfConduct}, {"moderationInformation", t.ModerationInformation},
		{"maintenanceLifetime", t.MaintenanceLifetime}, {"businessModel", t.BusinessModel},
		{"hardwareInformation", t.HardwareInformation}}
}

// Field is one named text.
type Field struct{ Name, Text string }

// Service reads and changes the About. It keeps the current one in memory:
// every page's title reads the name.
type Service struct {
	Settings repo.Settings
	// Defaults is what an instance whose admin saved nothing says (the
	// name and quotas from the configuration).
	Defaults About

	mu     sync.RWMutex
	loaded bool
	cur    About
}

// Get is the current About.
func (s *Service) Get(ctx context.Context) (About, error) {
	s.mu.RLock()
	if s.loaded {
		defer s.mu.RUnlock()
		return s.cur, nil
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.loaded {
		return s.cur, nil
	}
	raw, err := s.Settings.Get(ctx, settingsKey)
	if err != nil {
		return s.Defaults, fmt.Errorf("read the instance's settings: %w", err)
	}
	a := s.Defaults
	if raw != "" {
		if err := json.Unmarshal([]byte(raw), &a); err != nil {
			return s.Defaults, fmt.Errorf("read the instance's settings: %w", err)
		}
	}
	s.cur, s.loaded = a, true
	return a, nil
}

// ForAdmin is the current About for the admin's forms (PeerTube's GET
// /config/custom): refused to anyone else, though what it holds is public,
// because the form is the admin's.
func (s *Service) ForAdmin(ctx context.Context, viewer visibility.Viewer) (About, error) {
	if !viewer.Admin() {
		return About{}, ErrForbidden
	}
	return s.Get(ctx)
}

// Name is the instance's name; the configured one should reading fail
// (a title is no reason to fail a page).
func (s *Service) Name(ctx context.Context) string {
	a, _ := s.Get(ctx)
	if a.Name == "" {
		return s.Defaults.Name
	}
	return a.Name
}

// DefaultQuotas are the quotas of users without their own (the videos
// service asks at each upload).
func (s *Service) DefaultQuotas(ctx context.Context) (quota, daily int64) {
	a, err := s.Get(ctx)
	if err != nil {
		a = s.Defaults
	}
	return a.VideoQuota, a.VideoQuotaDaily
}

// Limits on the texts, as PeerTube's customConfig validators have them
// (name 1-50 characters there; Cabane allows a little more).
const (
	maxName  = 120
	maxShort = 250
	maxLong  = 10000
)

// Update replaces the About, for administrators.
func (s *Service) Update(ctx context.Context, viewer visibility.Viewer, a About) error {
	if !viewer.Admin() {
		return ErrForbidden
	}
	if err := check(a); err != nil {
		return err
	}
	raw, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode the instance's settings: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.Settings.Set(ctx, settingsKey, string(raw)); err != nil {
		return fmt.Errorf("save the instance's settings: %w", err)
	}
	s.cur, s.loaded = a, true
	return nil
}

// Reset forgets what the admin saved: the instance says the configured
// defaults again (PeerTube's DELETE /config/custom).
func (s *Service) Reset(ctx context.Context, viewer visibility.Viewer) error {
	if !viewer.Admin() {
		return ErrForbidden
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.Settings.Set(ctx, settingsKey, ""); err != nil {
		return fmt.Errorf("reset the instance's settings: %w", err)
	}
	s.cur, s.loaded = s.Defaults, true
	return nil
}

func check(a About) error {
	n := utf8.RuneCountInString
	for _, f := range a.Fields() {
		if n(f.Text) > maxLong {
			return &FieldError{f.Name, fmt.Sprintf("this text takes at most %d characters", maxLong)}
		}
	}
	switch {
	case n(a.Name) < 1 || n(a.Name) > maxName:
		return &FieldError{"name", fmt.Sprintf("the name takes 1 to %d characters", maxName)}
	case n(a.ShortDescription) > maxShort:
		return &FieldError{"shortDescription", fmt.Sprintf("the short description takes at most %d characters", maxShort)}
	case n(a.Description) > maxLong:
		return &FieldError{"description", fmt.Sprintf("the description takes at most %d characters", maxLong)}
	case n(a.Terms) > maxLong:
		return &FieldError{"terms", fmt.Sprintf("the terms take at most %d characters", maxLong)}
	case a.VideoQuota < -1:
		return &FieldError{"videoQuota", "a quota is a number of bytes, or -1 for unlimited"}
	case a.VideoQuotaDaily < -1:
		return &FieldError{"videoQuotaDaily", "a quota is a number of bytes, or -1 for unlimited"}
	}
	return nil
}
