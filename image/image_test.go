// Package image holds the tests of the SD card image's pieces that run in
// `make test`: the systemd units, the configuration layer and the assembly of
// partitions into an image, on a small fake root file system. The real image
// (mmdebstrap under emulation, then a boot in QEMU) is `make image` and
// `make image-test`.
package image

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: make test installs it (scripts/install-deps.sh)", tool)
		}
	}
}

func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out.String(), errb.String())
	}
	return out.String()
}

// unitRoot is a directory where /usr/bin/cabane exists, so that
// systemd-analyze checks the units as the box would see them.
func unitRoot(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	sys := filepath.Join(root, "usr/lib/systemd/system")
	if err := os.MkdirAll(sys, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"usr/bin/cabane", "usr/lib/cabane/grow-root"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(root, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, p), []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	units, _ := filepath.Glob("systemd/*.service")
	if len(units) < 3 {
		t.Fatalf("units: %v", units)
	}
	for _, u := range units {
		b, err := os.ReadFile(u)
		if err != nil {
			t.Fatal(err)
		}
		// Cabane's own programs point into the fake root.
		b = bytes.ReplaceAll(b, []byte("=/usr/bin/cabane"), []byte("="+root+"/usr/bin/cabane"))
		b = bytes.ReplaceAll(b, []byte("=/usr/lib/cabane/"), []byte("="+root+"/usr/lib/cabane/"))
		if err := os.WriteFile(filepath.Join(sys, filepath.Base(u)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return sys
}

func TestUnitsVerify(t *testing.T) {
	need(t, "systemd-analyze")
	sys := unitRoot(t)
	units, _ := filepath.Glob(filepath.Join(sys, "*.service"))
	args := append([]string{"verify", "--man=no"}, units...)
	cmd := exec.Command("systemd-analyze", args...)
	out, err := cmd.CombinedOutput()
	// verify also reports problems in units it pulls in from the host (which
	// has no network-online.target provider in a container); only lines
	// about our units count.
	var ours []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "cabane") {
			ours = append(ours, line)
		}
	}
	if len(ours) > 0 {
		t.Fatalf("systemd-analyze verify: %v\n%s", err, strings.Join(ours, "\n"))
	}
}

// The service's sandbox: systemd's own rating, and the settings the issue
// names, so that loosening one is a failing test rather than a quiet change.
func TestServiceSecurity(t *testing.T) {
	need(t, "systemd-analyze")
	sys := unitRoot(t)
	out, _ := exec.Command("systemd-analyze", "security", "--offline=yes", "--no-pager",
		filepath.Join(sys, "cabane.service")).CombinedOutput()
	m := regexp.MustCompile(`Overall exposure level for cabane.service: ([0-9.]+) (\w+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("no rating in:\n%s", out)
	}
	level, _ := strconv.ParseFloat(string(m[1]), 64)
	if rating := string(m[2]); (rating != "OK" && rating != "SAFE") || level > 4.9 {
		t.Fatalf("cabane.service is rated %.1f %s, want OK or better", level, rating)
	}
	t.Logf("figure: systemd-analyze security cabane.service: %.1f %s", level, m[2])

	unit, err := os.ReadFile("systemd/cabane.service")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"ProtectSystem=strict", "ReadWritePaths=/var/lib/cabane", "NoNewPrivileges=yes",
		"CapabilityBoundingSet=CAP_NET_BIND_SERVICE\n", "AmbientCapabilities=CAP_NET_BIND_SERVICE\n",
		"SystemCallFilter=@system-service", "PrivateTmp=yes", "Restart=on-failure",
		"DeviceAllow=char-video4linux rw", "DeviceAllow=char-drm rw", "User=cabane",
	} {
		if !bytes.Contains(unit, []byte(want)) {
			t.Errorf("cabane.service lacks %q", want)
		}
	}
}

// The configuration that keeps the card's writes down and the box reachable.
func TestRootfsLayer(t *testing.T) {
	files := map[string][]string{
		"rootfs/etc/fstab": {"LABEL=RASPIROOT  /              ext4   rw,noatime", "LABEL=RASPIFIRM  /boot/firmware vfat", "tmpfs            /tmp           tmpfs"},
		"rootfs/etc/systemd/journald.conf.d/cabane.conf":         {"Storage=volatile"},
		"rootfs/etc/systemd/resolved.conf.d/cabane.conf":         {"MulticastDNS=no"},
		"rootfs/etc/systemd/system.conf.d/watchdog.conf":         {"RuntimeWatchdogSec="},
		"rootfs/etc/hostname":                                    {"cabane\n"},
		"rootfs/etc/cabane/cabane.env":                           {"CABANE_LISTEN=:80"},
		"rootfs/usr/lib/sysusers.d/cabane.conf":                  {"u cabane ", "m cabane video", "m cabane render"},
		"rootfs/etc/ssh/sshd_config.d/cabane.conf":               {"PasswordAuthentication no"},
		"rootfs/etc/default/raspi-firmware":                      {"ROOTPART=LABEL=RASPIROOT"},
		"rootfs/etc/systemd/system/ssh.service.d/host-keys.conf": {"ssh-keygen -A"},
	}
	for name, wants := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Error(err)
			continue
		}
		for _, w := range wants {
			if !bytes.Contains(b, []byte(w)) {
				t.Errorf("%s lacks %q", name, w)
			}
		}
	}
	need(t, "sh")
	run(t, ".", nil, "sh", "-n", "rootfs/usr/lib/cabane/grow-root")
	// The example on the card must be all comments: nothing applies until
	// the creator edits it.
	b, err := os.ReadFile("cabane.txt")
	if err != nil {
		t.Fatal(err)
	}
	for i, line := range strings.Split(string(b), "\n") {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			t.Errorf("cabane.txt line %d is not a comment: %q", i+1, line)
		}
	}
}

// fakeRootfs writes a tarball shaped like stage 1's output: units to enable,
// boot files in /boot/firmware, and the per-machine files the layer removes.
func fakeRootfs(t *testing.T, dir string) string {
	t.Helper()
	unit := "[Unit]\nDescription=fake\n[Service]\nExecStart=/bin/true\n[Install]\nWantedBy=multi-user.target\n"
	files := map[string]string{
		"etc/machine-id":                                   "0123456789abcdef0123456789abcdef\n",
		"var/lib/dbus/machine-id":                          "0123456789abcdef0123456789abcdef\n",
		"etc/ssh/ssh_host_ed25519_key":                     "secret\n",
		"boot/firmware/vmlinuz-6.12.0-0-arm64":             strings.Repeat("k", 4096),
		"boot/firmware/initrd.img-6.12.0-0-arm64":          strings.Repeat("i", 4096),
		"boot/firmware/config.txt":                         "arm_64bit=1\n",
		"boot/firmware/cmdline.txt":                        "root=LABEL=RASPIROOT rw\n",
		"boot/firmware/bcm2711-rpi-4-b.dtb":                "dtb",
		"usr/share/zoneinfo/Etc/UTC":                       "TZif",
		"usr/lib/systemd/system/systemd-networkd.service":  unit,
		"usr/lib/systemd/system/systemd-resolved.service":  unit,
		"usr/lib/systemd/system/systemd-timesyncd.service": unit,
		"usr/lib/systemd/system/ssh.service":               unit,
		"usr/lib/systemd/system/wpa_supplicant.service":    unit,
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	dirs := map[string]bool{}
	for _, name := range sortedKeys(files) {
		for d := filepath.Dir(name); d != "."; d = filepath.Dir(d) {
			if !dirs[d] {
				dirs[d] = true
				defer func(d string) {}(d)
			}
		}
	}
	for _, d := range sortedKeys(dirs) {
		if err := tw.WriteHeader(&tar.Header{Name: d + "/", Typeflag: tar.TypeDir, Mode: 0o755}); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range sortedKeys(files) {
		body := files[name]
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body))}); err != nil {
			t.Fatal(err)
		}
		io.WriteString(tw, body)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "rootfs-fake.tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "rootfs-fake.packages"), []byte("ffmpeg\t7.1\tarm64\nsystemd\t257\tarm64\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[j] < keys[i] {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
	}
	return keys
}

// A stand-in for the arm64 cabane binary: the assembly does not run it.
func armBinary(t *testing.T, dir string) string {
	t.Helper()
	src := filepath.Join(dir, "fakebin")
	os.MkdirAll(src, 0o755)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module fakebin\ngo 1.22\n"), 0o644)
	os.WriteFile(filepath.Join(src, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644)
	bin := filepath.Join(dir, "cabane-arm64")
	run(t, src, []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"}, "go", "build", "-o", bin, ".")
	return bin
}

func buildImage(t *testing.T, rootfs, bin, out string) {
	t.Helper()
	run(t, ".", []string{
		"OUT=" + out, "CABANE_IMAGE_CACHE=" + filepath.Join(out, "cache"), "CABANE_IMAGE_ROOTFS=" + rootfs,
		"CABANE_BIN=" + bin, "KEEP_IMG=1", "BOOT_MIB=64", "ROOT_SLACK_MIB=16", "SOURCE_DATE_EPOCH=1764547200", "VERSION=test",
	}, "./build.sh")
}

// The partition table, both file systems and Cabane's layer, built without
// mounting anything, and the same bytes from the same inputs.
func TestAssembleImage(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("the image is assembled as root (file ownership in the root file system)")
	}
	need(t, "sfdisk", "mcopy", "mdir", "mke2fs", "debugfs", "xz", "systemctl", "go")
	dir := t.TempDir()
	rootfs := fakeRootfs(t, dir)
	bin := armBinary(t, dir)
	out1, out2 := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	buildImage(t, rootfs, bin, out1)
	img := filepath.Join(out1, "cabane-rpi-arm64.img")

	var table struct {
		PartitionTable struct {
			Label      string `json:"label"`
			Partitions []struct {
				Start    int64  `json:"start"`
				Size     int64  `json:"size"`
				Type     string `json:"type"`
				Bootable bool   `json:"bootable"`
			} `json:"partitions"`
		} `json:"partitiontable"`
	}
	if err := json.Unmarshal([]byte(run(t, ".", nil, "sfdisk", "--json", img)), &table); err != nil {
		t.Fatal(err)
	}
	pt := table.PartitionTable
	if pt.Label != "dos" || len(pt.Partitions) != 2 || pt.Partitions[0].Type != "c" || !pt.Partitions[0].Bootable || pt.Partitions[1].Type != "83" {
		t.Fatalf("partition table: %+v", pt)
	}

	fat := fmt.Sprintf("%s@@%d", img, pt.Partitions[0].Start*512)
	env := []string{"MTOOLS_SKIP_CHECK=1"}
	if label := run(t, ".", env, "mlabel", "-s", "-i", fat, "::"); !strings.Contains(label, "RASPIFIRM") {
		t.Errorf("FAT label: %q", label)
	}
	listing := run(t, ".", env, "mdir", "-b", "-i", fat, "::/")
	for _, f := range []string{"cabane.txt", "vmlinuz-6.12.0-0-arm64", "initrd.img-6.12.0-0-arm64", "config.txt", "cmdline.txt", "bcm2711-rpi-4-b.dtb"} {
		if !strings.Contains(listing, "::/"+f) {
			t.Errorf("boot partition lacks %s:\n%s", f, listing)
		}
	}

	ext := filepath.Join(dir, "root.ext4")
	run(t, ".", nil, "dd", "if="+img, "of="+ext, "bs=512", fmt.Sprintf("skip=%d", pt.Partitions[1].Start), fmt.Sprintf("count=%d", pt.Partitions[1].Size), "status=none")
	if h := run(t, ".", nil, "dumpe2fs", "-h", ext); !strings.Contains(h, "Filesystem volume name:   RASPIROOT") {
		t.Errorf("ext4 label not RASPIROOT")
	}
	debugfs := func(req string) string {
		return run(t, ".", nil, "debugfs", "-R", req, ext)
	}
	if st := debugfs("stat /usr/bin/cabane"); !strings.Contains(st, "Mode:  0755") || !strings.Contains(st, "User:     0") {
		t.Errorf("/usr/bin/cabane: %s", st)
	}
	for _, link := range []string{
		"/etc/systemd/system/multi-user.target.wants/cabane.service",
		"/etc/systemd/system/sysinit.target.wants/cabane-firstboot.service",
		"/etc/systemd/system/sysinit.target.wants/cabane-growroot.service",
		"/etc/systemd/system/multi-user.target.wants/systemd-networkd.service",
	} {
		if st := debugfs("stat " + link); !strings.Contains(st, "Type: symlink") {
			t.Errorf("%s is not enabled: %s", link, st)
		}
	}
	if st := debugfs("stat /etc/systemd/system/multi-user.target.wants/ssh.service"); strings.Contains(st, "Type: symlink") {
		t.Error("ssh is enabled by default")
	}
	if st := debugfs("stat /etc/machine-id"); !strings.Contains(st, "Size: 0") {
		t.Errorf("machine-id is not empty: %s", st)
	}
	for _, gone := range []string{"/etc/ssh/ssh_host_ed25519_key", "/var/lib/dbus/machine-id", "/boot/firmware/config.txt"} {
		if st := debugfs("stat " + gone); strings.Contains(st, "Inode:") {
			t.Errorf("%s is in the image", gone)
		}
	}
	if fstab := debugfs("cat /etc/fstab"); !strings.Contains(fstab, "noatime") {
		t.Errorf("fstab: %s", fstab)
	}

	manifest, err := os.ReadFile(filepath.Join(out1, "cabane-rpi-arm64.manifest"))
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"SOURCE_DATE_EPOCH: 1764547200", "ffmpeg\t7.1\tarm64", "packages: 2"} {
		if !bytes.Contains(manifest, []byte(w)) {
			t.Errorf("manifest lacks %q:\n%s", w, manifest)
		}
	}
	sum := run(t, out1, nil, "sha256sum", "-c", "cabane-rpi-arm64.img.xz.sha256")
	if !strings.Contains(sum, "OK") {
		t.Errorf("sha256: %s", sum)
	}

	buildImage(t, rootfs, bin, out2)
	if a, b := fileSum(t, filepath.Join(out1, "cabane-rpi-arm64.img.xz")), fileSum(t, filepath.Join(out2, "cabane-rpi-arm64.img.xz")); a != b {
		t.Errorf("two builds from the same inputs differ: %s vs %s", a, b)
	}
}

func fileSum(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
