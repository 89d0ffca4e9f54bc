package instance

import (
	"context"
	"errors"
	"strings"
	"testing"

	"cabane.dev/cabane/app/visibility"
)

// settings is the settings table in memory.
type settings map[string]string

func (s settings) Get(_ context.Context, k string) (string, error) { return s[k], nil }
func (s settings) Set(_ context.Context, k, v string) error        { s[k] = v; return nil }

var (
	admin = visibility.Viewer{UserID: 1, IsAdmin: true}
	mod   = visibility.Viewer{UserID: 2, IsModerator: true}
)

func defaults() About { return About{Name: "Cabane", VideoQuota: -1, VideoQuotaDaily: -1} }

// TestUpdateKeepsEveryTextAndResetForgetsThem: what an admin saves is read
// back by a fresh service (a restart), the about texts included; Reset
// brings back the configured defaults, for good.
func TestUpdateKeepsEveryTextAndResetForgetsThem(t *testing.T) {
	ctx := context.Background()
	st := settings{}
	s := &Service{Settings: st, Defaults: defaults()}
	a := About{Name: "Chez nous", ShortDescription: "Films de famille", Terms: "Be kind.", VideoQuota: 1 << 30, VideoQuotaDaily: -1,
		Texts: Texts{CreationReason: "For the family", Administrator: "Grandma", HardwareInformation: "A Raspberry Pi 5"}}
	if err := s.Update(ctx, admin, a); err != nil {
		t.Fatal(err)
	}
	again := &Service{Settings: st, Defaults: defaults()}
	got, err := again.Get(ctx)
	if err != nil || got != a {
		t.Fatalf("after a restart: %+v %v", got, err)
	}
	if q, d := again.DefaultQuotas(ctx); q != 1<<30 || d != -1 {
		t.Errorf("quotas: %d %d", q, d)
	}
	if err := s.Reset(ctx, mod); !errors.Is(err, ErrForbidden) {
		t.Errorf("a moderator resets: %v", err)
	}
	if err := s.Reset(ctx, admin); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Get(ctx); got != defaults() {
		t.Errorf("after a reset: %+v", got)
	}
	if got, _ := (&Service{Settings: st, Defaults: defaults()}).Get(ctx); got != defaults() {
		t.Errorf("after a reset and a restart: %+v", got)
	}
}

// TestUpdateRefusesAndStoresNothing: a moderator's change and invalid
// values are refused, naming the field; what was saved stays.
func TestUpdateRefusesAndStoresNothing(t *testing.T) {
	ctx := context.Background()
	st := settings{}
	s := &Service{Settings: st, Defaults: defaults()}
	good := defaults()
	good.Name = "Kept"
	if err := s.Update(ctx, admin, good); err != nil {
		t.Fatal(err)
	}
	saved := st[settingsKey]
	if err := s.Update(ctx, mod, defaults()); !errors.Is(err, ErrForbidden) {
		t.Errorf("a moderator updates: %v", err)
	}
	long := strings.Repeat("x", maxLong+1)
	for field, a := range map[string]About{
		"name":            {Name: "", VideoQuota: -1, VideoQuotaDaily: -1},
		"videoQuota":      {Name: "x", VideoQuota: -2, VideoQuotaDaily: -1},
		"videoQuotaDaily": {Name: "x", VideoQuota: -1, VideoQuotaDaily: -5},
		"codeOfConduct":   {Name: "x", VideoQuota: -1, VideoQuotaDaily: -1, Texts: Texts{CodeOfConduct: long}},
		"businessModel":   {Name: "x", VideoQuota: -1, VideoQuotaDaily: -1, Texts: Texts{BusinessModel: long}},
	} {
		var fe *FieldError
		if err := s.Update(ctx, admin, a); !errors.As(err, &fe) || fe.Field != field {
			t.Errorf("%s: %v", field, err)
		}
	}
	if st[settingsKey] != saved {
		t.Errorf("a refused change was stored: %s", st[settingsKey])
	}
	if got, _ := s.Get(ctx); got != good {
		t.Errorf("current after refusals: %+v", got)
	}
}
