package firstboot

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"

	"cabane.dev/cabane/app/durable"
)

// hostname writes /etc/hostname, the 127.0.1.1 line of /etc/hosts (so the
// box resolves its own name without DNS), and the name Cabane announces
// over mDNS (name.local), so the box answers to the name it was given.
func (a applier) hostname(h string) error {
	if err := a.writeFile("/etc/hostname", []byte(h+"\n"), 0o644); err != nil {
		return err
	}
	hosts, err := os.ReadFile(a.path("/etc/hosts"))
	if errors.Is(err, fs.ErrNotExist) {
		hosts, err = []byte("127.0.0.1\tlocalhost\n::1\t\tlocalhost ip6-localhost ip6-loopback\n"), nil
	}
	if err != nil {
		return fmt.Errorf("read /etc/hosts: %w", err)
	}
	if err := a.writeFile("/etc/hosts", setHostsLine(hosts, h), 0o644); err != nil {
		return err
	}
	return a.setEnv(map[string]string{"CABANE_MDNS_HOSTNAME": h})
}

// setHostsLine replaces the 127.0.1.1 line, or adds one.
func setHostsLine(hosts []byte, h string) []byte {
	var out bytes.Buffer
	done := false
	for line := range strings.Lines(string(hosts)) {
		if f := strings.Fields(line); len(f) > 0 && f[0] == "127.0.1.1" {
			if !done {
				out.WriteString("127.0.1.1\t" + h + "\n")
				done = true
			}
			continue
		}
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n")
		}
	}
	if !done {
		out.WriteString("127.0.1.1\t" + h + "\n")
	}
	return out.Bytes()
}

// timezone points /etc/localtime at the zone (relative, as Debian's
// tzdata does, so it holds inside a chroot) and writes /etc/timezone.
func (a applier) timezone(tz string) error {
	if err := a.symlink("../usr/share/zoneinfo/"+tz, "/etc/localtime"); err != nil {
		return err
	}
	return a.writeFile("/etc/timezone", []byte(tz+"\n"), 0o644)
}

func (a applier) wifi(s Settings) error {
	conf, err := wpaConfig(s)
	if err != nil {
		return err
	}
	// 0600: the PSK opens the network as well as the password would.
	return a.writeFile("/etc/wpa_supplicant/wpa_supplicant-wlan0.conf", []byte(conf), 0o600)
}

// setEnv sets variables in /etc/cabane/cabane.env, which cabane.service
// reads, keeping every other line.
func (a applier) setEnv(vars map[string]string) error {
	const name = "/etc/cabane/cabane.env"
	old, err := os.ReadFile(a.path(name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", name, err)
	}
	var out bytes.Buffer
	seen := map[string]bool{}
	for line := range strings.Lines(string(old)) {
		k, _, ok := strings.Cut(strings.TrimSpace(line), "=")
		k = strings.TrimSpace(k)
		if v, set := vars[k]; ok && set {
			if !seen[k] {
				fmt.Fprintf(&out, "%s=%s\n", k, v)
				seen[k] = true
			}
			continue
		}
		out.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			out.WriteString("\n")
		}
	}
	keys := make([]string, 0, len(vars))
	for k := range vars {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if !seen[k] {
			fmt.Fprintf(&out, "%s=%s\n", k, vars[k])
		}
	}
	return a.writeFile(name, out.Bytes(), 0o644)
}

// authorizedKeys adds the keys to root's authorized_keys, keeping those
// already there.
func (a applier) authorizedKeys(keys []string) error {
	dir := a.path("/root/.ssh")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create /root/.ssh: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil { // sshd refuses a group-writable one
		return fmt.Errorf("chmod /root/.ssh: %w", err)
	}
	const name = "/root/.ssh/authorized_keys"
	old, err := os.ReadFile(a.path(name))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("read %s: %w", name, err)
	}
	have := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(old))
	for sc.Scan() {
		if pk, _, _, _, err := ssh.ParseAuthorizedKey(sc.Bytes()); err == nil {
			have[string(pk.Marshal())] = true
		}
	}
	out := bytes.Clone(old)
	if len(out) > 0 && out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	for _, k := range keys {
		pk, _, _, _, err := ssh.ParseAuthorizedKey([]byte(k))
		if err != nil || have[string(pk.Marshal())] {
			continue
		}
		have[string(pk.Marshal())] = true
		out = append(out, k+"\n"...)
	}
	return a.writeFile(name, out, 0o600)
}

// enable does what `systemctl enable` does for a unit wanted by
// multi-user.target: a symlink in its .wants directory, after removing a
// mask. It reports whether a mask was removed (systemd must then reload).
func (a applier) enable(unit, file string) (unmasked bool, err error) {
	var target string
	for _, dir := range []string{"/usr/lib/systemd/system", "/lib/systemd/system"} {
		if _, err := os.Stat(a.path(filepath.Join(dir, file))); err == nil {
			target = filepath.Join(dir, file)
			break
		}
	}
	if target == "" {
		return false, fmt.Errorf("enable %s: %s is not installed", unit, file)
	}
	mask := a.path(filepath.Join("/etc/systemd/system", unit))
	if dest, err := os.Readlink(mask); err == nil && dest == "/dev/null" {
		if err := os.Remove(mask); err != nil {
			return false, fmt.Errorf("unmask %s: %w", unit, err)
		}
		unmasked = true
	}
	wants := "/etc/systemd/system/multi-user.target.wants"
	if err := os.MkdirAll(a.path(wants), 0o755); err != nil {
		return unmasked, fmt.Errorf("enable %s: %w", unit, err)
	}
	return unmasked, a.symlink(target, filepath.Join(wants, unit))
}

// symlink replaces link (a path under root) with a symlink to target,
// atomically: made at a temporary name, then renamed over.
func (a applier) symlink(target, link string) error {
	p := a.path(link)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".tmp-cabane")
	os.Remove(tmp)
	if err := os.Symlink(target, tmp); err != nil {
		return fmt.Errorf("link %s: %w", link, err)
	}
	if err := durable.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("link %s: %w", link, err)
	}
	return nil
}

func (a applier) writeFile(name string, data []byte, perm os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(a.path(name)), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := durable.WriteFile(a.path(name), data, perm); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
