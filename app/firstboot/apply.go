package firstboot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"

	"golang.org/x/sys/unix"
)

// The units cabane.txt turns on.
const (
	unitWiFi = "wpa_supplicant@wlan0.service"
	unitSSH  = "ssh.service"
)

// Result says what Apply did.
type Result struct {
	Applied []string  // keys whose settings were written
	Failed  []Failure // keys whose settings could not be written
	Enabled []string  // systemd units enabled
	Live    bool      // also applied to the running system (host name, units started)
}

// Failure is a setting that was accepted but could not be written.
type Failure struct {
	Key string
	Err error
}

// Apply writes the settings under root ("/" on the box, a temporary
// directory in tests). Each part (host name, time zone, Wi-Fi, public URL,
// SSH) is applied on its own: one that fails is listed in Result.Failed
// and the others still apply. When root is "/" and systemd runs, the host
// name is also set at once and the enabled units are started.
func Apply(ctx context.Context, root string, s Settings) (Result, error) {
	live := false
	if filepath.Clean(root) == "/" {
		if fi, err := os.Stat("/run/systemd/system"); err == nil && fi.IsDir() {
			live = true
		}
	}
	a := applier{root: root, live: live, log: slog.Default(), sethostname: func(h string) error { return unix.Sethostname([]byte(h)) },
		systemctl: func(ctx context.Context, args ...string) error {
			out, err := exec.CommandContext(ctx, "systemctl", args...).CombinedOutput()
			if err != nil {
				return fmt.Errorf("systemctl %v: %w: %s", args, err, out)
			}
			return nil
		}}
	return a.apply(ctx, s)
}

// applier carries what touches the running system, so tests replace it.
type applier struct {
	root        string
	live        bool
	log         *slog.Logger
	sethostname func(string) error
	systemctl   func(ctx context.Context, args ...string) error
}

func (a applier) path(p string) string { return filepath.Join(a.root, p) }

func (a applier) apply(ctx context.Context, s Settings) (Result, error) {
	r := Result{Live: a.live}
	part := func(keys []string, f func() error) {
		if len(keys) == 0 {
			return
		}
		if err := f(); err != nil {
			for _, k := range keys {
				r.Failed = append(r.Failed, Failure{Key: k, Err: err})
			}
			return
		}
		r.Applied = append(r.Applied, keys...)
	}
	given := func(keys ...string) []string {
		var out []string
		for _, k := range keys {
			if len(s.Lines[k]) > 0 {
				out = append(out, k)
			}
		}
		return out
	}
	unmasked := false
	part(given(KeyHostname), func() error { return a.hostname(s.Hostname) })
	part(given(KeyTimezone), func() error { return a.timezone(s.Timezone) })
	part(given(KeyPublicURL), func() error {
		return a.setEnv(map[string]string{"CABANE_PUBLIC_URL": s.PublicURL})
	})
	if s.WiFiSSID != "" {
		part(given(KeyWiFiSSID, KeyWiFiPassword, KeyWiFiCountry), func() error {
			if err := a.wifi(s); err != nil {
				return err
			}
			um, err := a.enable(unitWiFi, "wpa_supplicant@.service")
			unmasked = unmasked || um
			if err == nil {
				r.Enabled = append(r.Enabled, unitWiFi)
			}
			return err
		})
	}
	if len(s.SSHKeys) > 0 {
		part(given(KeySSHKey), func() error {
			if err := a.authorizedKeys(s.SSHKeys); err != nil {
				return err
			}
			um, err := a.enable(unitSSH, unitSSH)
			unmasked = unmasked || um
			if err == nil {
				r.Enabled = append(r.Enabled, unitSSH)
			}
			return err
		})
	}
	if a.live {
		a.applyLive(ctx, s, &r, unmasked)
	}
	var errs []error
	for _, f := range r.Failed {
		errs = append(errs, fmt.Errorf("%s: %w", f.Key, f.Err))
	}
	return r, errors.Join(errs...)
}

// applyLive makes the running system catch up with the files just
// written: the host name now, and the units enabled after systemd read its
// configuration. --no-block: this runs before sysinit.target, and waiting
// for a unit ordered after it would deadlock the boot.
func (a applier) applyLive(ctx context.Context, s Settings, r *Result, unmasked bool) {
	if slices.Contains(r.Applied, KeyHostname) {
		if err := a.sethostname(s.Hostname); err != nil {
			a.log.Warn("firstboot: set the running host name", "err", err)
		}
	}
	if len(r.Enabled) == 0 {
		return
	}
	if unmasked {
		if err := a.systemctl(ctx, "daemon-reload"); err != nil {
			a.log.Warn("firstboot: reload systemd", "err", err)
		}
	}
	args := append([]string{"--no-block", "start"}, r.Enabled...)
	if err := a.systemctl(ctx, args...); err != nil {
		// The units are enabled: they start at the next boot anyway.
		a.log.Warn("firstboot: start units", "units", r.Enabled, "err", err)
	}
}
