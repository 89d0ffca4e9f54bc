// Package deb tests the Debian package that `make deb` builds: lintian
// finds no error, two builds are the same bytes, and the package installs,
// removes and purges for real in a throwaway Debian root.
package deb

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// baseArgs make the root the package is installed into: Debian's
// Essential set plus adduser (a dependency), without documentation. Root
// mode with --skip=chroot/mount: mmdebstrap mounts nothing (dpkg and the
// maintainer scripts need no /proc), so the test runs where mounting is
// refused. The cache key is these arguments.
var baseArgs = []string{"--mode=root", "--variant=essential", "--include=adduser,passwd",
	"--skip=chroot/mount", "--quiet",
	"--dpkgopt=path-exclude=/usr/share/man/*", "--dpkgopt=path-exclude=/usr/share/locale/*",
	"--dpkgopt=path-exclude=/usr/share/doc/*", "--dpkgopt=path-include=/usr/share/doc/*/copyright",
	"bookworm"}

func TestDebInstallsAndPurges(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a package and a Debian root")
	}
	if os.Geteuid() != 0 {
		t.Skip("installing into a chroot needs root")
	}
	for _, tool := range []string{"dpkg-deb", "lintian", "mmdebstrap", "chroot"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: make deps-test installs it", tool)
		}
	}
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()

	// The amd64 binary as `make cross` builds it.
	bin := filepath.Join(tmp, "cabane")
	build := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w -X main.version=deb-test", "-o", bin, "./cmd/cabane")
	build.Dir = repo
	build.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	mustRun(t, build)

	debs := [2]string{}
	for i := range debs {
		out := mustRun(t, exec.Command(filepath.Join(repo, "image/deb/build.sh"), filepath.Join(tmp, fmt.Sprint("dist", i)), bin, "amd64="+bin))
		debs[i] = strings.TrimSpace(out)
	}
	a, b := readFile(t, debs[0]), readFile(t, debs[1])
	if !bytes.Equal(a, b) {
		t.Errorf("two builds of one commit differ: %x vs %x", sha256.Sum256(a), sha256.Sum256(b))
	}
	deb := debs[0]
	if !strings.HasSuffix(deb, "_amd64.deb") || !strings.Contains(filepath.Base(deb), "cabane_") {
		t.Fatalf("package name %s", deb)
	}
	mustRun(t, exec.Command("lintian", "--fail-on", "error", deb))

	root := filepath.Join(tmp, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, exec.Command("tar", "-xf", baseRoot(t), "-C", root, "--numeric-owner"))
	// mmdebstrap leaves its --dpkgopt in the root; the package's own
	// documentation and man page must install.
	if err := os.Remove(filepath.Join(root, "etc/dpkg/dpkg.cfg.d/99mmdebstrap")); err != nil {
		t.Fatal(err)
	}

	// A stub ffmpeg: dpkg then checks the real dependency list (adduser
	// must be there) instead of --force-depends waving all of it through,
	// without the 200 MB of ffmpeg's libraries that installing is not
	// about.
	stub := filepath.Join(tmp, "stub")
	writeFile(t, filepath.Join(stub, "DEBIAN/control"), "Package: ffmpeg\nVersion: 7:99-stub\nArchitecture: all\n"+
		"Maintainer: Cabane tests <tests@cabane.dev>\nDescription: stand-in for ffmpeg\n a dependency stub\n")
	mustRun(t, exec.Command("dpkg-deb", "--root-owner-group", "--build", stub, filepath.Join(root, "tmp/ffmpeg.deb")))
	writeFile(t, filepath.Join(root, "tmp/cabane.deb"), string(a))
	in := func(args ...string) string {
		return mustRun(t, exec.Command("chroot", append([]string{root}, args...)...))
	}

	out := in("dpkg", "-i", "/tmp/ffmpeg.deb", "/tmp/cabane.deb")
	if !strings.Contains(out, ".local:8080/") {
		t.Errorf("postinst does not print the address with port 8080:\n%s", out)
	}
	checkInstalled(t, root, repo, in)

	// A video and a setting that the package did not ship: removing keeps
	// them, purging deletes them with everything else.
	writeFile(t, filepath.Join(root, "var/lib/cabane/media/v1/original"), "video")
	writeFile(t, filepath.Join(root, "etc/cabane/cabane.env"), "CABANE_LISTEN=:80\n")
	in("dpkg", "-r", "cabane")
	if !exists(filepath.Join(root, "var/lib/cabane/media/v1/original")) || exists(filepath.Join(root, "usr/bin/cabane")) {
		t.Error("remove: the videos are gone or the binary is still there")
	}
	if !strings.Contains(in("getent", "passwd"), "cabane:") {
		t.Error("remove deleted the user")
	}
	in("dpkg", "--purge", "cabane")
	checkPurged(t, root, in)

	// Installed again where /etc/cabane/cabane.env says port 80: the
	// address printed has no port.
	writeFile(t, filepath.Join(root, "etc/cabane/cabane.env"), "CABANE_LISTEN=:80\n")
	out = in("dpkg", "-i", "/tmp/cabane.deb")
	if !strings.Contains(out, "http://cabane.local/") {
		t.Errorf("postinst ignores CABANE_LISTEN=:80:\n%s", out)
	}
	in("dpkg", "--purge", "cabane")
	checkPurged(t, root, in)
}

func checkInstalled(t *testing.T, root, repo string, in func(...string) string) {
	t.Helper()
	if got := in("dpkg-query", "-W", "-f=${Status} ${Depends}", "cabane"); got != "install ok installed adduser, ffmpeg" {
		t.Errorf("dpkg-query: %q", got)
	}
	// The system user: no login, home in the data directory, in video.
	pw := strings.Split(strings.TrimSpace(in("getent", "passwd", "cabane")), ":")
	if len(pw) != 7 || pw[5] != "/var/lib/cabane" || pw[6] != "/usr/sbin/nologin" || len(pw[2]) > 3 {
		t.Errorf("user cabane: %q", pw)
	}
	if groups := strings.Fields(in("id", "-nG", "cabane")); !slices.Contains(groups, "cabane") || !slices.Contains(groups, "video") {
		t.Errorf("cabane's groups: %v", groups)
	}
	fi, err := os.Stat(filepath.Join(root, "var/lib/cabane"))
	if err != nil {
		t.Fatal(err)
	}
	if uid := fmt.Sprint(fi.Sys().(*syscall.Stat_t).Uid); uid != pw[2] || fi.Mode().Perm() != 0o750 {
		t.Errorf("/var/lib/cabane: owner %s (cabane is %s), mode %v", uid, pw[2], fi.Mode().Perm())
	}

	files := strings.Fields(in("dpkg", "-L", "cabane"))
	for _, want := range []string{"/usr/bin/cabane", "/usr/lib/systemd/system/cabane.service",
		"/usr/lib/systemd/system/cabane-firstboot.service", "/usr/share/doc/cabane/copyright",
		"/usr/share/doc/cabane/changelog.Debian.gz", "/usr/share/man/man1/cabane.1.gz", "/etc/default/cabane"} {
		if !slices.Contains(files, want) {
			t.Errorf("package lacks %s", want)
		}
	}
	for _, f := range files {
		if !exists(filepath.Join(root, f)) {
			t.Errorf("%s listed but not installed", f)
		}
	}
	for _, unit := range []string{"cabane.service", "cabane-firstboot.service"} {
		if !bytes.Equal(readFile(t, filepath.Join(root, "usr/lib/systemd/system", unit)), readFile(t, filepath.Join(repo, "image/systemd", unit))) {
			t.Errorf("%s differs from image/systemd's", unit)
		}
	}
	if !strings.Contains(in("/usr/bin/cabane", "help"), "  firstboot ") {
		t.Error("the installed binary does not answer help")
	}
	if !strings.HasPrefix(in("sh", "-c", "zcat /usr/share/man/man1/cabane.1.gz"), ".TH CABANE 1 ") {
		t.Error("the man page is not cabane(1)")
	}
	if !strings.Contains(in("cat", "/var/lib/dpkg/info/cabane.conffiles"), "/etc/default/cabane") {
		t.Error("/etc/default/cabane is not a conffile")
	}
	// Enabled as systemd would (the symlink deb-systemd-helper makes
	// without systemd running); the first-boot unit is for the image only.
	link, err := os.Readlink(filepath.Join(root, "etc/systemd/system/multi-user.target.wants/cabane.service"))
	if err != nil || !strings.HasSuffix(link, "/systemd/system/cabane.service") || !exists(filepath.Join(root, link)) {
		t.Errorf("cabane.service not enabled: %q %v", link, err)
	}
	if exists(filepath.Join(root, "etc/systemd/system/sysinit.target.wants/cabane-firstboot.service")) {
		t.Error("cabane-firstboot.service enabled on an installed system")
	}
}

// checkPurged: no path with "cabane" in its name anywhere in the root (the
// packages copied into /tmp aside), no user, no group, no package.
func checkPurged(t *testing.T, root string, in func(...string) string) {
	t.Helper()
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if strings.Contains(d.Name(), "cabane") && rel != "tmp/cabane.deb" {
			t.Errorf("left after purge: /%s", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if passwd := in("cat", "/etc/passwd", "/etc/group", "/etc/shadow", "/etc/gshadow"); strings.Contains(passwd, "cabane") {
		t.Errorf("user or group cabane left after purge")
	}
	if out, err := exec.Command("chroot", root, "dpkg-query", "-W", "cabane").CombinedOutput(); err == nil {
		t.Errorf("dpkg still knows cabane after purge: %s", out)
	}
}

// baseRoot returns the cached tarball of the base root, making it the
// first time (about two minutes; the download is most of it).
func baseRoot(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("CABANE_TEST_CACHE")
	if dir == "" {
		c, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		dir = filepath.Join(c, "cabane")
	}
	sum := sha256.Sum256([]byte(strings.Join(baseArgs, "\x00")))
	tarball := filepath.Join(dir, "deb-root-"+hex.EncodeToString(sum[:8])+".tar")
	if exists(tarball) {
		return tarball
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// Written beside, then renamed: a test killed midway leaves no
	// half-made root for the next run to trust.
	part := tarball + fmt.Sprint(".", os.Getpid(), ".tar")
	defer os.Remove(part)
	mustRun(t, exec.Command("mmdebstrap", append(append([]string{}, baseArgs...), part)...))
	if err := os.Rename(part, tarball); err != nil {
		t.Fatal(err)
	}
	return tarball
}

func mustRun(t *testing.T, cmd *exec.Cmd) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v\n%s%s", strings.Join(cmd.Args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func readFile(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}
